//! Accent-insensitive search keys, so a clerk typing "khai sinh" or
//! "dang ky" finds "Đăng ký khai sinh".

/// Folds text to lower-case ASCII: diacritics removed (đ → d), runs of
/// whitespace collapsed.
pub fn search_key(text: &str) -> String {
    deunicode::deunicode(text)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::search_key;

    #[test]
    fn folds_vietnamese() {
        assert_eq!(search_key("Đăng ký  khai sinh"), "dang ky khai sinh");
        assert_eq!(
            search_key("CẤP GIẤY PHÉP XÂY DỰNG"),
            "cap giay phep xay dung"
        );
    }
}
