//! The name a file came with. It is kept to show and to offer on
//! download, never used to find the bytes (they are stored under the
//! file's id), and a name that tries to be a path is refused rather than
//! quietly cut: a clerk's scanner never sends one, so it is a client's
//! mistake or an attack either way.

use crate::error::{FileError, FileResult};

/// Longest name kept, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// The name to keep: NFC, no path, no control characters; `fallback`
/// when the client sent none.
pub fn checked(raw: Option<&str>, fallback: &str) -> FileResult<String> {
    let raw = match raw.map(str::trim) {
        None | Some("") => return Ok(fallback.to_string()),
        Some(r) => r,
    };
    let bad = |why: &str| Err(FileError::invalid("file", format!("the file name {why}")));
    if raw.chars().count() > MAX_NAME_CHARS {
        return bad(&format!("is longer than {MAX_NAME_CHARS} characters"));
    }
    let raw = match motcua_domain::text::normalize(raw) {
        Ok(r) if !r.contains('\n') && !r.contains('\t') => r,
        _ => return bad("contains control or formatting characters"),
    };
    if raw.contains('/') || raw.contains('\\') || raw.contains(':') {
        return bad("contains a path (/, \\ or :); send the file's own name");
    }
    if raw == "." || raw == ".." || raw.starts_with("..") {
        return bad("points outside the folder; send the file's own name");
    }
    Ok(raw.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_tricks_are_refused() {
        for name in [
            "../../etc/passwd",
            "..",
            "a/b.pdf",
            "C:\\Windows\\x.pdf",
            "c:x.pdf",
            "..hidden.pdf",
            "ok\u{0}.pdf",
            "line\nbreak.pdf",
        ] {
            assert!(checked(Some(name), "x").is_err(), "{name:?}");
        }
        assert!(checked(Some(&"a".repeat(201)), "x").is_err());
    }

    #[test]
    fn ordinary_names_are_kept_and_missing_ones_replaced() {
        assert_eq!(
            checked(Some("Giấy khai sinh.pdf"), "x").unwrap(),
            "Giấy khai sinh.pdf"
        );
        assert_eq!(checked(Some("  scan 01.jpg "), "x").unwrap(), "scan 01.jpg");
        assert_eq!(checked(None, "tep.pdf").unwrap(), "tep.pdf");
        assert_eq!(checked(Some(""), "tep.pdf").unwrap(), "tep.pdf");
    }
}
