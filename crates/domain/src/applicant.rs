//! The citizen or business filing a dossier.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applicant {
    pub name: String,
    pub id_number: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<String>,
}

/// Masks a name for the public look-up: the first letter of each word is
/// kept, the rest replaced, so "Nguyễn Văn An" becomes "N***** V** A*".
/// Anyone holding code and PIN can confirm it is their dossier without the
/// page disclosing a full name.
pub fn mask_name(name: &str) -> String {
    name.split_whitespace()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => {
                    let rest = chars.count();
                    format!("{first}{}", "*".repeat(rest))
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_each_word_keeping_initials() {
        assert_eq!(mask_name("Nguyễn Văn An"), "N***** V** A*");
        assert_eq!(mask_name("  Lê   Thị  "), "L* T**");
        assert_eq!(mask_name(""), "");
    }
}
