//! Filing on someone's behalf (ủy quyền, docs/representation.md): the
//! person who brought or sent the dossier for the applicant, and the
//! authorisation they hold. The applicant stays the one the dossier is
//! for; the representative is who the desk dealt with.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{mask_name, SubmittedDocument};

/// The code of the authorisation document's line among a dossier's
/// documents. No procedure may publish a document under it (the
/// catalogue's checks refuse it), so the line never meets the
/// completeness check, which compares only the published list.
pub const AUTHORISATION_DOCUMENT: &str = "UY-QUYEN";

/// The person filing for the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Representative {
    #[schema(example = "Trần Thị Bình")]
    pub name: String,
    /// Citizen id (12 digits), former id (9), or passport number.
    #[schema(example = "001190054321")]
    pub id_number: String,
    /// How they stand to the applicant: "con", "luật sư", "nhân viên"...
    #[schema(example = "con gái")]
    pub relation: String,
    pub authorisation: Authorisation,
}

/// The written authorisation the representative holds (giấy ủy quyền,
/// hợp đồng ủy quyền, văn bản ủy quyền).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Authorisation {
    #[schema(example = "Giấy ủy quyền")]
    pub title: String,
    /// Its number, when it has one (a notarised contract does).
    #[schema(example = "125/2026/UQ")]
    pub number: Option<String>,
    /// The day it was signed or certified.
    pub issued_on: Option<NaiveDate>,
    /// Originals and copies handed in: the document's own line.
    pub original: u32,
    pub copies: u32,
}

impl Representative {
    /// The authorisation's line among the dossier's documents.
    pub fn document_line(&self) -> SubmittedDocument {
        SubmittedDocument {
            code: AUTHORISATION_DOCUMENT.to_string(),
            original: self.authorisation.original,
            copies: self.authorisation.copies,
        }
    }

    /// The name as the public look-up shows it (initials only).
    pub fn masked_name(&self) -> String {
        mask_name(&self.name)
    }
}

impl Authorisation {
    /// The document named as the receipt prints it: title, number and
    /// date.
    pub fn label(&self) -> String {
        let mut s = self.title.clone();
        if let Some(n) = &self.number {
            s.push_str(&format!(" số {n}"));
        }
        if let Some(d) = self.issued_on {
            s.push_str(&format!(" ngày {}", d.format("%d/%m/%Y")));
        }
        s
    }
}

/// Whether a document line is the authorisation's, not one of the
/// procedure's published list.
pub fn is_authorisation(d: &SubmittedDocument) -> bool {
    d.code == AUTHORISATION_DOCUMENT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep() -> Representative {
        Representative {
            name: "Trần Thị Bình".into(),
            id_number: "001190054321".into(),
            relation: "con gái".into(),
            authorisation: Authorisation {
                title: "Giấy ủy quyền".into(),
                number: Some("12/UQ".into()),
                issued_on: NaiveDate::from_ymd_opt(2026, 12, 1),
                original: 1,
                copies: 0,
            },
        }
    }

    #[test]
    fn the_authorisation_is_a_line_of_its_own() {
        let line = rep().document_line();
        assert!(is_authorisation(&line));
        assert_eq!((line.original, line.copies), (1, 0));
        assert_eq!(
            rep().authorisation.label(),
            "Giấy ủy quyền số 12/UQ ngày 01/12/2026"
        );
        assert_eq!(rep().masked_name(), "T*** T** B***");
    }
}
