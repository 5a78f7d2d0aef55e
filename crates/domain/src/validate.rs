//! Checks on what the counter sends, collected so that one response lists
//! every problem at once.

use crate::field::FieldError;

/// Trims a required text field; records an error when it is empty or too
/// long.
pub fn required(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    v.to_string()
}

/// Trims an optional text field, turning blanks into `None`.
pub fn optional(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Some(v.to_string())
}

/// Identity documents: 12-digit citizen id (CCCD), 9-digit former id
/// (CMND), or a passport / business registration number of 6-20 letters
/// and digits.
pub fn id_number(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    let v: String = value.trim().to_ascii_uppercase();
    if v.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if !(6..=20).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
        errors.push(FieldError::new(
            field,
            "must be 6-20 letters and digits (citizen id, passport or registration number)",
        ));
    }
    v
}

/// Phone numbers: digits with an optional leading `+`, spaces, dots and
/// dashes ignored; 8 to 15 digits.
pub fn phone(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    let digits: String = v.chars().filter(|c| c.is_ascii_digit()).collect();
    let allowed = v
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '.' | '-') || (i == 0 && c == '+'));
    if !allowed || !(8..=15).contains(&digits.len()) {
        errors.push(FieldError::new(
            field,
            "must be a phone number of 8-15 digits",
        ));
    }
    Some(if v.starts_with('+') {
        format!("+{digits}")
    } else {
        digits
    })
}

/// A plausible e-mail address: one `@`, a dotted domain, no spaces.
pub fn email(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    let ok = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if !ok {
        errors.push(FieldError::new(field, "must be an e-mail address"));
    }
    Some(v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collects_every_error() {
        let mut e = Vec::new();
        required(&mut e, "a", "  ", 10);
        id_number(&mut e, "b", "12 34");
        phone(&mut e, "c", Some("abc"));
        email(&mut e, "d", Some("x@y"));
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "c", "d"]);
    }

    #[test]
    fn accepts_good_values_and_normalises() {
        let mut e = Vec::new();
        assert_eq!(id_number(&mut e, "id", " 001090012345 "), "001090012345");
        assert_eq!(
            phone(&mut e, "p", Some("0912.345.678")).unwrap(),
            "0912345678"
        );
        assert_eq!(
            phone(&mut e, "p", Some("+84 912 345 678")).unwrap(),
            "+84912345678"
        );
        assert_eq!(
            email(&mut e, "m", Some("an@example.vn")).unwrap(),
            "an@example.vn"
        );
        assert_eq!(optional(&mut e, "o", Some("  "), 5), None);
        assert!(e.is_empty(), "{e:?}");
    }
}
