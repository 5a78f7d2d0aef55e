//! The catalogue as an XLSX workbook (docs/catalogue.md, As a
//! spreadsheet): the very [`CatalogueFile`] of the JSON export, laid out
//! so that an administrator can open it in Excel or LibreOffice, edit it
//! and import it back. One sheet per table, each with a header row of
//! column names, one row per agency, procedure, document, step, case...;
//! a document or a step names its procedure by code (a case's, its
//! procedure and case), so every column is flat and a sheet can be sorted
//! or filtered without losing anything.
//!
//! Why a conversion and not a second import: the workbook becomes a
//! [`CatalogueFile`] first ([`read`]), and that file goes through the
//! JSON import's own checks and transaction ([`import`]), so both forms
//! accept and refuse the same catalogues. What only a workbook can get
//! wrong (a missing sheet or column, a number that is not one, a document
//! naming a procedure not in the workbook) is refused before, every cell
//! named by sheet, row and column (`procedures row 4: duration_amount`);
//! what the checks refuse afterwards is named the same way
//! ([`Workbook::rename`]), not by the file's list positions.
//!
//! Cells are written as text or numbers, never as formulas, text cells
//! formatted as text: a name starting with `=` stays a name, in the file
//! and when it is edited in a spreadsheet.

pub(crate) mod cells;
mod places;
mod read;
mod write;

use motcua_domain::FieldError;
use motcua_store::events::Actor;
use motcua_store::DbConnection;
use thiserror::Error;

use crate::catalogue_file::{self, CatalogueFile, ImportSummary};
use crate::AdminError;

pub use read::read;
pub use write::to_xlsx;

/// The media type of an XLSX workbook.
pub const CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Why a workbook could not be written or read.
#[derive(Debug, Error)]
pub enum SheetError {
    /// Not a workbook at all (not a zip archive, no workbook inside), or
    /// one larger unpacked than a catalogue needs.
    #[error("not a catalogue workbook: {0}")]
    Unreadable(String),
    /// Cells that do not read, all at once, each named by sheet, row and
    /// column.
    #[error("{}", crate::error::describe(.0))]
    Invalid(Vec<FieldError>),
    /// Writing failed (a text longer than a cell holds).
    #[error("could not write the workbook: {0}")]
    Write(#[from] rust_xlsxwriter::XlsxError),
}

/// How a column is written and what its cells must hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// Any text, formatted as text so a spreadsheet never reads it as a
    /// number, a date or a formula.
    Text,
    /// A whole number.
    Number,
    /// One of a few words, offered as a drop-down list.
    Choice(&'static [&'static str]),
}

/// One sheet: its name and its columns, in order.
#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    pub columns: &'static [(&'static str, Kind)],
}

impl Table {
    /// The position of a column of this table.
    pub fn index(&self, column: &str) -> Option<usize> {
        self.columns.iter().position(|(c, _)| *c == column)
    }
}

use Kind::{Choice, Number, Text};

const YES_NO: &[&str] = &["yes", "no"];
const UNITS: Kind = Choice(&["working_days", "working_hours", "calendar_days", "same_day"]);
const ROLES: Kind = Choice(&["admin", "clerk", "officer", "supervisor"]);

pub(crate) const AGENCIES: Table = Table {
    name: "agencies",
    columns: &[
        ("code", Text),
        ("name", Text),
        (
            "level",
            Choice(&["province", "department", "district", "commune"]),
        ),
        ("parent_code", Text),
        ("address", Text),
    ],
};

pub(crate) const PROCEDURES: Table = Table {
    name: "procedures",
    columns: &[
        ("code", Text),
        ("name", Text),
        ("field", Text),
        ("agency_code", Text),
        ("duration_amount", Number),
        ("duration_unit", UNITS),
        ("duration_cutoff", Text),
        (
            "service_level",
            Choice(&["not_online", "partly_online", "fully_online"]),
        ),
        ("supplement_policy", Choice(&["pause", "restart"])),
        ("legal_basis", Text),
        ("result", Text),
        ("members", Text),
        ("representation_allowed", Choice(YES_NO)),
        ("any_desk", Choice(YES_NO)),
    ],
};

/// Columns added to a sheet after workbooks were first exported: a
/// workbook without one reads as if the column were blank (its default),
/// so a workbook kept from before still imports.
pub(crate) const ADDED_LATER: &[&str] = &["representation_allowed", "any_desk"];

/// The columns of a sheet of documents: those naming its owner, then
/// `order` and the document's own, the same for a procedure and a case.
macro_rules! document_columns {
    ($($owner:literal),+) => {
        &[
            $(($owner, Text),)+
            ("order", Number),
            ("code", Text),
            ("name", Text),
            ("original", Number),
            ("copies", Number),
            ("optional", Choice(YES_NO)),
        ]
    };
}

/// As `document_columns!`, for a sheet of steps.
macro_rules! step_columns {
    ($($owner:literal),+) => {
        &[
            $(($owner, Text),)+
            ("order", Number),
            ("name", Text),
            ("agency_code", Text),
            ("role", ROLES),
            ("share_percent", Number),
        ]
    };
}

pub(crate) const DOCUMENTS: Table = Table {
    name: "documents",
    columns: document_columns!("procedure_code"),
};

pub(crate) const STEPS: Table = Table {
    name: "steps",
    columns: step_columns!("procedure_code"),
};

pub(crate) const FEES: Table = Table {
    name: "fees",
    columns: &[
        ("procedure_code", Text),
        ("amount_vnd", Number),
        ("note", Text),
    ],
};

pub(crate) const COMPLIANCE: Table = Table {
    name: "compliance",
    columns: &[
        ("procedure_code", Text),
        ("visits", Number),
        ("travel_minutes", Number),
        ("wait_minutes", Number),
        ("collect_minutes", Number),
    ],
};

pub(crate) const COMPLIANCE_DOCUMENTS: Table = Table {
    name: "compliance_documents",
    columns: &[
        ("procedure_code", Text),
        ("order", Number),
        ("document_code", Text),
        ("minutes", Number),
    ],
};

/// The `kind` of a compliance cost: `outside_services` or `other_costs`
/// of [`motcua_domain::ComplianceInputs`].
pub(crate) const OUTSIDE_SERVICE: &str = "outside_service";
pub(crate) const OTHER_COST: &str = "other";

pub(crate) const COMPLIANCE_COSTS: Table = Table {
    name: "compliance_costs",
    columns: &[
        ("procedure_code", Text),
        ("kind", Choice(&[OUTSIDE_SERVICE, OTHER_COST])),
        ("order", Number),
        ("name", Text),
        ("amount_vnd", Number),
    ],
};

/// A procedure's cases (trường hợp), one row each; the online time limit
/// left blank where the case has none.
pub(crate) const CASES: Table = Table {
    name: "cases",
    columns: &[
        ("procedure_code", Text),
        ("case_code", Text),
        ("order", Number),
        ("name", Text),
        ("duration_amount", Number),
        ("duration_unit", UNITS),
        ("duration_cutoff", Text),
        ("online_duration_amount", Number),
        ("online_duration_unit", UNITS),
        ("online_duration_cutoff", Text),
        ("fee_vnd", Number),
        ("fee_note", Text),
    ],
};

/// A case's documents, columns as in [`DOCUMENTS`].
pub(crate) const CASE_DOCUMENTS: Table = Table {
    name: "case_documents",
    columns: document_columns!("procedure_code", "case_code"),
};

/// A case's own plan, columns as in [`STEPS`].
pub(crate) const CASE_STEPS: Table = Table {
    name: "case_steps",
    columns: step_columns!("procedure_code", "case_code"),
};

/// Every sheet, in the workbook's order; a workbook must have them all
/// (a missing `documents` sheet would otherwise read as procedures
/// without documents, and an import would publish them so).
pub(crate) const TABLES: [&Table; 11] = [
    &AGENCIES,
    &PROCEDURES,
    &DOCUMENTS,
    &STEPS,
    &FEES,
    &COMPLIANCE,
    &COMPLIANCE_DOCUMENTS,
    &COMPLIANCE_COSTS,
    &CASES,
    &CASE_DOCUMENTS,
    &CASE_STEPS,
];

/// A workbook read: the catalogue file it holds, and where each of its
/// rows came from.
#[derive(Debug)]
pub struct Workbook {
    pub file: CatalogueFile,
    places: places::Places,
}

impl Workbook {
    /// Problems named by the file's positions (`procedures[3].duration`,
    /// `procedures[3].required_documents[1].name`,
    /// `procedures[3].cases[0].duration`) named instead by the sheet and
    /// row they came from (`procedures row 5: duration`, `documents row 9:
    /// name`, `cases row 2: duration`).
    pub fn rename(&self, errors: Vec<FieldError>) -> Vec<FieldError> {
        self.places.rename_all(errors)
    }

    /// The rows an import goes through (agencies and procedures), for a
    /// progress bar.
    pub fn rows(&self) -> usize {
        self.file.agencies.len() + self.file.procedures.len()
    }
}

/// Imports a workbook read by [`read`] as [`catalogue_file::import`]
/// imports a file (checked whole, one transaction, idempotent), each
/// problem named by its sheet and row.
pub fn import(
    conn: &mut DbConnection,
    actor: &Actor,
    workbook: Workbook,
    on_row: &mut dyn FnMut(),
) -> Result<ImportSummary, AdminError> {
    let Workbook { file, places } = workbook;
    catalogue_file::import(conn, actor, file, on_row).map_err(|e| match e {
        AdminError::Invalid(errors) => AdminError::Invalid(places.rename_all(errors)),
        other => other,
    })
}

#[cfg(test)]
mod tests;
