//! The representative filing for the applicant (ủy quyền,
//! docs/representation.md), as the counter and the online form send them,
//! checked like the applicant: every problem named under `representative`.

use chrono::NaiveDate;
use motcua_domain::{validate, Authorisation, FieldError, Procedure, Representative};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::IntakeError;

/// Who files for the applicant, and the authorisation they hold.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeInput {
    #[schema(max_length = 200, example = "Trần Thị Bình")]
    pub name: String,
    /// Citizen id (12 digits), former id (9) or passport number.
    #[schema(max_length = 20, example = "001190054321")]
    pub id_number: String,
    /// How they stand to the applicant: "con", "luật sư", "nhân viên"...
    #[schema(max_length = 100, example = "con gái")]
    pub relation: String,
    pub authorisation: AuthorisationInput,
}

/// The authorisation document: a line of its own among the dossier's
/// documents.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorisationInput {
    /// "Giấy ủy quyền", "Hợp đồng ủy quyền"...; "Văn bản ủy quyền" when
    /// omitted.
    #[serde(default)]
    #[schema(max_length = 200, example = "Giấy ủy quyền")]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(max_length = 64, example = "125/2026/UQ")]
    pub number: Option<String>,
    /// The day it was signed or certified; not after today.
    #[serde(default)]
    pub issued_on: Option<NaiveDate>,
    /// Originals handed in (1 when neither count is given).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub original: Option<u32>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100)]
    pub copies: Option<u32>,
}

/// The title printed when none is given.
pub const DEFAULT_TITLE: &str = "Văn bản ủy quyền";

/// Checks a representative as sent, every problem added to `errors`;
/// `applicant_id` is the applicant's checked identity number (a person
/// cannot represent themselves) and `today` the desk's local date.
pub fn check(
    errors: &mut Vec<FieldError>,
    input: &RepresentativeInput,
    applicant_id: &str,
    today: NaiveDate,
) -> Representative {
    let name = validate::required(errors, "representative.name", &input.name, 200);
    let id_number = validate::id_number(errors, "representative.id_number", &input.id_number);
    if !id_number.is_empty() && id_number == applicant_id {
        errors.push(FieldError::new(
            "representative.id_number",
            "is the applicant's own; a representative is someone else (leave it out when the applicant files in person)",
        ));
    }
    let relation = validate::required(errors, "representative.relation", &input.relation, 100);
    let a = &input.authorisation;
    let title = validate::optional(
        errors,
        "representative.authorisation.title",
        a.title.as_deref(),
        200,
    )
    .unwrap_or_else(|| DEFAULT_TITLE.to_string());
    let number = validate::optional(
        errors,
        "representative.authorisation.number",
        a.number.as_deref(),
        64,
    );
    if a.issued_on.is_some_and(|d| d > today) {
        errors.push(FieldError::new(
            "representative.authorisation.issued_on",
            "must not be after today",
        ));
    }
    let (original, copies) = match (a.original, a.copies) {
        (None, None) => (1, 0),
        (o, c) => (o.unwrap_or(0), c.unwrap_or(0)),
    };
    if original == 0 && copies == 0 {
        errors.push(FieldError::new(
            "representative.authorisation",
            "needs at least one original or one copy",
        ));
    }
    if original > 100 || copies > 100 {
        errors.push(FieldError::new(
            "representative.authorisation",
            "at most 100 originals and 100 copies",
        ));
    }
    Representative {
        name,
        id_number,
        relation,
        authorisation: Authorisation {
            title,
            number,
            issued_on: a.issued_on,
            original,
            copies,
        },
    }
}

/// A representative is refused (422 naming `representative`) for a
/// procedure that asks for the applicant in person.
pub fn allowed_by(procedure: &Procedure, given: bool) -> Result<(), IntakeError> {
    if given && !procedure.representation_allowed {
        return Err(IntakeError::Invalid(vec![FieldError::new(
            "representative",
            format!(
                "procedure {} must be filed by the applicant in person; it allows no representative",
                procedure.code
            ),
        )]));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> RepresentativeInput {
        RepresentativeInput {
            name: " Trần Thị Bình ".into(),
            id_number: "001190054321".into(),
            relation: "con gái".into(),
            authorisation: AuthorisationInput {
                title: None,
                number: Some("12/UQ".into()),
                issued_on: NaiveDate::from_ymd_opt(2026, 12, 1),
                original: None,
                copies: None,
            },
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()
    }

    #[test]
    fn a_good_representative_is_kept_trimmed_with_defaults() {
        let mut e = Vec::new();
        let r = check(&mut e, &input(), "001090012345", today());
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(r.name, "Trần Thị Bình");
        assert_eq!(r.authorisation.title, DEFAULT_TITLE);
        assert_eq!((r.authorisation.original, r.authorisation.copies), (1, 0));
    }

    #[test]
    fn every_problem_is_named_under_representative() {
        let mut bad = input();
        bad.name = " ".into();
        bad.id_number = "001090012345".into();
        bad.relation = String::new();
        bad.authorisation.issued_on = NaiveDate::from_ymd_opt(2027, 1, 1);
        bad.authorisation.original = Some(0);
        let mut e = Vec::new();
        check(&mut e, &bad, "001090012345", today());
        let fields: Vec<_> = e.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "representative.name",
                "representative.id_number",
                "representative.relation",
                "representative.authorisation.issued_on",
                "representative.authorisation",
            ]
        );
    }
}
