//! What text the desk accepts and how it keeps it.
//!
//! Every text that reaches the desk (a field of a JSON body, a query or
//! path parameter, a name typed at the command line) passes
//! [`normalize`] before anything is written:
//!
//! - A Windows line end (`\r\n`) becomes `\n`.
//! - Control characters other than tab and newline are refused: a NUL
//!   cannot be stored by PostgreSQL at all, and the others (escape, bell,
//!   backspace, lone carriage returns...) have no place in a name or a
//!   reason and can hide text on a screen or in a log.
//! - Unicode's bidirectional overrides and isolates (U+202A to U+202E,
//!   U+2066 to U+2069) are refused too: they make a name display in an
//!   order other than the one stored.
//! - The text is brought to Unicode NFC. Vietnamese keyboards send either
//!   precomposed letters ("ễ" as one character) or a letter followed by
//!   combining marks; both must be the same name in the database, in
//!   search and in comparisons.
//!
//! [`spreadsheet_safe`] is for exports: a cell that a spreadsheet would
//! read as a formula is written as text.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Why a text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("contains the control character U+{0:04X}; only tab and newline are allowed")]
    Control(u32),
    #[error("contains the bidirectional formatting character U+{0:04X}")]
    Bidi(u32),
}

/// The first character the desk refuses, if any.
pub fn refused_char(s: &str) -> Option<TextError> {
    s.chars().find_map(|c| {
        if c.is_control() && c != '\t' && c != '\n' {
            Some(TextError::Control(u32::from(c)))
        } else if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') {
            Some(TextError::Bidi(u32::from(c)))
        } else {
            None
        }
    })
}

/// Checks and normalises a text (see the module documentation). Borrows
/// when nothing changes, which is the common case.
pub fn normalize(s: &str) -> Result<Cow<'_, str>, TextError> {
    let s: Cow<'_, str> = if s.contains("\r\n") {
        Cow::Owned(s.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(s)
    };
    if let Some(e) = refused_char(&s) {
        return Err(e);
    }
    Ok(match is_nfc_quick(s.chars()) {
        IsNormalized::Yes => s,
        _ => {
            let nfc: String = s.nfc().collect();
            if nfc == *s {
                s
            } else {
                Cow::Owned(nfc)
            }
        }
    })
}

/// A cell for a CSV or spreadsheet export: text a spreadsheet would take
/// for a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) gets a leading apostrophe, which spreadsheets show as text
/// (the OWASP advice on CSV injection).
pub fn spreadsheet_safe(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_control_characters_but_tab_and_newline() {
        assert_eq!(normalize("a\0b"), Err(TextError::Control(0)));
        assert_eq!(normalize("a\u{1b}[31m"), Err(TextError::Control(0x1b)));
        assert_eq!(normalize("a\rb"), Err(TextError::Control(0x0d)));
        assert_eq!(normalize("a\u{85}b"), Err(TextError::Control(0x85)));
        assert_eq!(normalize("a\u{202E}b"), Err(TextError::Bidi(0x202e)));
        assert_eq!(
            normalize("dòng 1\r\ndòng 2\tcột").unwrap(),
            "dòng 1\ndòng 2\tcột"
        );
    }

    #[test]
    fn brings_vietnamese_to_nfc() {
        // "Nguyễn" typed with combining marks: e + circumflex + tilde.
        let decomposed = "Nguye\u{0302}\u{0303}n";
        let precomposed = "Nguy\u{1EC5}n";
        assert_ne!(decomposed, precomposed);
        assert_eq!(normalize(decomposed).unwrap(), precomposed);
        assert!(matches!(normalize(precomposed).unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn neutralises_formulas_in_exports() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_safe(bad).starts_with('\''), "{bad:?}");
        }
        for ok in ["Nguyễn Văn An", "0912345678", "", "a=b"] {
            assert_eq!(spreadsheet_safe(ok), ok);
        }
    }
}
