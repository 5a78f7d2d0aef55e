//! The file an older system's dossiers come in (docs/import.md): its
//! rows as read from JSON or from a workbook, before any check. Every
//! value is kept as the text it was written as, so that a time that does
//! not read or a status not in the list is a problem named by its row,
//! not a file refused whole.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The `format` a JSON file declares.
pub const FORMAT: &str = "motcua-dossiers/1";
/// The most dossiers one file may hold.
pub const MAX_DOSSIERS: usize = 200_000;
/// The most history entries one dossier may carry.
pub const MAX_HISTORY: usize = 200;

/// An older system's dossiers, as JSON (`format` `motcua-dossiers/1`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DossierImportFile)]
pub struct DossierFile {
    /// Always `motcua-dossiers/1`.
    #[schema(max_length = 32, example = "motcua-dossiers/1")]
    pub format: String,
    /// A label for this import, kept on every dossier it creates (the
    /// `batch` query parameter wins over it); by default the time of the
    /// import.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub batch: Option<String>,
    /// One entry per dossier.
    #[schema(max_items = 200000)]
    pub dossiers: Vec<DossierRow>,
}

/// One dossier of the older system.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ImportedDossierRow)]
pub struct DossierRow {
    /// The old system's dossier code, kept as this dossier's code:
    /// letters, digits, `.`, `-` and `_`.
    #[schema(max_length = 40, example = "H53.50-240315-0007")]
    pub code: String,
    /// A procedure of the catalogue, by code.
    #[schema(max_length = 40, example = "1.001193")]
    pub procedure_code: String,
    pub applicant: ApplicantRow,
    /// The agency whose desk received it.
    #[schema(max_length = 40)]
    pub receiving_agency: String,
    /// The agency holding it now (or when it ended); the receiving agency
    /// when left out.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub handling_agency: Option<String>,
    /// `counter` (the default), `online` or `post`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub channel: Option<String>,
    /// The status's name in docs/statuses.md: `received`, `processing`,
    /// `supplement_requested`, `awaiting_payment`, `withdrawn`,
    /// `stopped`, `processed` or `returned`.
    #[schema(max_length = 40, example = "returned")]
    pub status: String,
    /// ISO 8601 with its offset (`2026-03-02T08:15:00+07:00`).
    #[schema(max_length = 40)]
    pub received_at: String,
    /// The appointment the old system set.
    #[schema(max_length = 40)]
    pub due_at: String,
    /// When processing ended (stopped, processed, returned) or the
    /// citizen withdrew it; left out while open.
    #[serde(default)]
    #[schema(max_length = 40)]
    pub finished_at: Option<String>,
    /// When the result went back to the citizen (returned only).
    #[serde(default)]
    #[schema(max_length = 40)]
    pub returned_at: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// What the old system recorded of it, oldest first.
    #[serde(default)]
    #[schema(max_items = 200)]
    pub history: Vec<HistoryRow>,
}

/// The applicant of an imported dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ImportedApplicant)]
pub struct ApplicantRow {
    #[schema(max_length = 200)]
    pub name: String,
    /// Citizen id, former id, passport or registration number.
    #[schema(max_length = 20)]
    pub id_number: String,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: Option<String>,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub address: Option<String>,
}

/// One entry of the old system's history of a dossier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ImportedHistoryRow)]
pub struct HistoryRow {
    /// ISO 8601 with its offset.
    #[schema(max_length = 40)]
    pub at: String,
    /// What happened, in the old system's words (`received`,
    /// `sent to the district`...).
    #[schema(max_length = 100)]
    pub action: String,
    /// The agency it happened at, if known (a code of the catalogue).
    #[serde(default)]
    #[schema(max_length = 40)]
    pub agency: Option<String>,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Where a row came from, to name its problems: the 1-based position of
/// a JSON file's dossier (`row 3`), or a workbook's sheet and row as a
/// spreadsheet shows it (`dossiers row 4`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Json(usize),
    Sheet(&'static str, u32),
}

impl Place {
    /// `row 3`, `dossiers row 4`.
    pub fn name(&self) -> String {
        match self {
            Place::Json(n) => format!("row {n}"),
            Place::Sheet(sheet, n) => format!("{sheet} row {n}"),
        }
    }

    /// A field of the row: `row 3: received_at`.
    pub fn field(&self, field: &str) -> String {
        format!("{}: {field}", self.name())
    }
}

/// A dossier row with where it, and each of its history entries, came
/// from.
#[derive(Debug, Clone)]
pub struct Placed {
    pub place: Place,
    pub row: DossierRow,
    /// One per history entry: `row 3: history 2`, `history row 7`.
    pub history_places: Vec<String>,
}

/// A file read, not yet checked.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    pub batch: Option<String>,
    pub rows: Vec<Placed>,
    /// A workbook's date-time cells carry no offset: its times without
    /// one are read as the deployment's local time.
    pub local_times: bool,
    /// What did not read (a row of the wrong shape, a cell that is not
    /// text): listed with what the check finds in the rows that did, so
    /// one answer names every problem of the file.
    pub problems: Vec<motcua_domain::FieldError>,
}
