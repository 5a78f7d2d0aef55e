//! Reading a workbook: the sheet `dossiers`, one row per dossier, and an
//! optional sheet `history`, one row per entry, naming its dossier by
//! code. Bounded as the catalogue's workbook is (the archive's unpacked
//! size checked first, cells streamed; `catalogue_sheet::cells`), every
//! problem named by sheet and row as a spreadsheet shows them.

use std::collections::HashMap;

use calamine::Data;
use motcua_domain::FieldError;

use super::format::{ApplicantRow, DossierRow, HistoryRow, Parsed, Place, Placed, MAX_DOSSIERS};
use super::Problems;
use crate::catalogue_sheet::cells::{self, Errors, Limits, Row};
use crate::catalogue_sheet::{Kind, SheetError, Table};

/// The most bytes a dossier workbook may unpack to.
const MAX_UNPACKED: u128 = 256 * 1024 * 1024;
/// The most rows of a sheet, its header included (history can have
/// several rows a dossier).
const MAX_ROWS: u32 = 1_000_001;

const T: Kind = Kind::Text;

pub(crate) const DOSSIERS: Table = Table {
    name: "dossiers",
    columns: &[
        ("code", T),
        ("procedure_code", T),
        ("applicant_name", T),
        ("applicant_id_number", T),
        ("applicant_phone", T),
        ("applicant_email", T),
        ("applicant_address", T),
        ("receiving_agency", T),
        ("handling_agency", T),
        ("channel", T),
        ("status", T),
        ("received_at", T),
        ("due_at", T),
        ("finished_at", T),
        ("returned_at", T),
        ("note", T),
    ],
};

pub(crate) const HISTORY: Table = Table {
    name: "history",
    columns: &[
        ("dossier_code", T),
        ("at", T),
        ("action", T),
        ("agency", T),
        ("note", T),
    ],
};

/// The text of a number typed into a text column (`12`, not `12.0`).
fn float_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.0}")
    } else {
        f.to_string()
    }
}

/// A spreadsheet's serial date-time (days since 30 December 1899, the
/// fraction the time of day) as wall-clock time, to the second.
fn excel_time(serial: f64) -> Option<chrono::NaiveDateTime> {
    if !serial.is_finite() || !(0.0..3_000_000.0).contains(&serial) {
        return None;
    }
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    // In range, so the rounded seconds fit an i64.
    #[allow(clippy::cast_possible_truncation)]
    let seconds = (serial * 86_400.0).round() as i64;
    base.checked_add_signed(chrono::Duration::seconds(seconds))
}

/// The cells of one row, read by column name.
struct Cells<'a> {
    table: &'a Table,
    row: &'a Row,
    errors: &'a mut Errors,
}

impl Cells<'_> {
    /// The cell as text, trimmed; a date-time cell as local time
    /// (`2026-03-02T08:15:00`, no offset); empty when blank.
    fn text(&mut self, column: &str) -> String {
        let cell = self
            .table
            .index(column)
            .and_then(|i| self.row.cells.get(i))
            .unwrap_or(&Data::Empty);
        let problem = match cell {
            Data::Empty => return String::new(),
            Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
                return s.trim().to_string()
            }
            Data::Int(i) => return i.to_string(),
            Data::Float(f) => return float_text(*f),
            Data::DateTime(t) => match excel_time(t.as_f64()) {
                Some(t) => return t.format("%Y-%m-%dT%H:%M:%S").to_string(),
                None => "a date the spreadsheet cannot place".to_string(),
            },
            Data::Bool(_) => "a true/false cell: write it as text".to_string(),
            Data::Error(e) => format!("the cell holds an error ({e})"),
        };
        self.errors
            .push(self.table.name, self.row.number, column, problem);
        String::new()
    }

    fn optional(&mut self, column: &str) -> Option<String> {
        Some(self.text(column)).filter(|t| !t.is_empty())
    }
}

/// The workbook's dossiers, or every problem found reading them.
pub fn read(bytes: &[u8]) -> Result<Parsed, Vec<FieldError>> {
    let mut errors = Errors::default();
    let limits = Limits {
        unpacked: MAX_UNPACKED,
        rows: MAX_ROWS,
    };
    let mut sheets = cells::read_sheets(
        bytes,
        &[&DOSSIERS, &HISTORY],
        &["history"],
        limits,
        &mut errors,
    )
    .map_err(|e| match e {
        SheetError::Invalid(list) => list,
        other => vec![FieldError::new("file", other.to_string())],
    })?;
    let history_rows = sheets.pop().unwrap_or_default();
    let dossier_rows = sheets.pop().unwrap_or_default();
    let mut problems = Problems::default();
    if dossier_rows.len() > MAX_DOSSIERS {
        problems.push(
            "dossiers",
            format!(
                "{} rows; at most {MAX_DOSSIERS} dossiers in one file",
                dossier_rows.len()
            ),
        );
    }
    let mut rows = Vec::with_capacity(dossier_rows.len());
    let mut by_code: HashMap<String, usize> = HashMap::new();
    for row in dossier_rows.iter().take(MAX_DOSSIERS) {
        let mut c = Cells {
            table: &DOSSIERS,
            row,
            errors: &mut errors,
        };
        let placed = Placed {
            place: Place::Sheet(DOSSIERS.name, row.number),
            row: DossierRow {
                code: c.text("code"),
                procedure_code: c.text("procedure_code"),
                applicant: ApplicantRow {
                    name: c.text("applicant_name"),
                    id_number: c.text("applicant_id_number"),
                    phone: c.optional("applicant_phone"),
                    email: c.optional("applicant_email"),
                    address: c.optional("applicant_address"),
                },
                receiving_agency: c.text("receiving_agency"),
                handling_agency: c.optional("handling_agency"),
                channel: c.optional("channel"),
                status: c.text("status"),
                received_at: c.text("received_at"),
                due_at: c.text("due_at"),
                finished_at: c.optional("finished_at"),
                returned_at: c.optional("returned_at"),
                note: c.optional("note"),
                history: Vec::new(),
            },
            history_places: Vec::new(),
        };
        // A code twice is the check's to name; its history goes to the
        // first.
        by_code.entry(placed.row.code.clone()).or_insert(rows.len());
        rows.push(placed);
    }
    for row in &history_rows {
        let mut c = Cells {
            table: &HISTORY,
            row,
            errors: &mut errors,
        };
        let code = c.text("dossier_code");
        let entry = HistoryRow {
            at: c.text("at"),
            action: c.text("action"),
            agency: c.optional("agency"),
            note: c.optional("note"),
        };
        match by_code.get(&code).and_then(|&i| rows.get_mut(i)) {
            Some(placed) => {
                placed.row.history.push(entry);
                placed
                    .history_places
                    .push(Place::Sheet(HISTORY.name, row.number).name());
            }
            None => problems.push(
                &Place::Sheet(HISTORY.name, row.number).field("dossier_code"),
                "no dossier with this code in the dossiers sheet",
            ),
        }
    }
    if !errors.is_empty() {
        if let SheetError::Invalid(list) = errors.into_error() {
            for e in list {
                problems.push(&e.field, e.message);
            }
        }
    }
    Ok(Parsed {
        batch: None,
        rows,
        local_times: true,
        problems: problems.into_list(),
    })
}
