//! Moving in from an older system (issue 19; docs/import.md): its
//! dossiers, as JSON ([`json`]) or a workbook ([`sheet`]) in the format
//! of [`format`], checked whole against the catalogue and the dossiers
//! already stored ([`validate`]) before anything is written, then
//! written in one transaction ([`write`]).
//!
//! An import keeps the old codes, marks each dossier imported (when, in
//! which batch, the digest of its row), starts its clock's ledger with
//! the old system's appointment, and writes a `dossier.imported` event
//! for each, which also notes it for the report roll-up. Importing the
//! same file again changes nothing: each row whose code is stored with
//! the same digest is counted unchanged; a row whose code is stored with
//! other content, or belongs to a dossier received here, is refused with
//! its row.

pub mod format;
pub mod json;
pub mod sheet;
pub mod validate;
pub mod write;

use chrono::{DateTime, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::FieldError;
use motcua_store::dossier_import::{self as store, Batch};
use motcua_store::DbConnection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AdminError;
pub use format::{DossierFile, Parsed};

/// The most problems listed; the rest are counted in one more line.
const MAX_PROBLEMS: usize = 1000;

/// Problems found so far, every one with its row, bounded.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<FieldError>,
    more: usize,
}

impl Problems {
    pub fn push(&mut self, field: &str, message: impl Into<String>) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(FieldError::new(field, message));
        } else {
            self.more += 1;
        }
    }

    /// Every problem, with a last line counting those not listed.
    pub fn into_list(mut self) -> Vec<FieldError> {
        if self.more > 0 {
            self.list.push(FieldError::new(
                "file",
                format!("{} more problems not listed", self.more),
            ));
        }
        self.list
    }

    /// `value` when there is no problem, else every problem.
    pub fn result<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.list.is_empty() {
            Ok(value)
        } else {
            Err(self.into_list())
        }
    }
}

/// The forms a file comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Json,
    Xlsx,
}

/// Reads a file in `form`; every problem of its shape, with its row.
pub fn read(bytes: &[u8], form: Form) -> Result<Parsed, AdminError> {
    match form {
        Form::Json => json::read(bytes),
        Form::Xlsx => sheet::read(bytes),
    }
    .map_err(AdminError::Invalid)
}

/// Who imports: the staff account recorded as each dossier's receiver
/// and as the events' actor.
#[derive(Debug, Clone)]
pub struct Importer {
    pub user_id: String,
    pub name: String,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = DossierImportSummary)]
pub struct ImportSummary {
    /// The rows of the file.
    pub rows: usize,
    /// Dossiers created (with `dry_run`, that would be).
    pub created: usize,
    /// Rows already imported with the same content, left as they are.
    pub unchanged: usize,
    /// The batch label kept on the dossiers created.
    pub batch: String,
    /// Whether only checked: nothing was written.
    pub dry_run: bool,
}

/// How to import.
#[derive(Debug, Clone)]
pub struct Options {
    /// A label that wins over the file's.
    pub batch: Option<String>,
    /// Check and count only.
    pub dry_run: bool,
}

/// The batch label: the option's, the file's, or the import's time.
fn label(options: &Options, parsed: &Parsed, now: DateTime<Utc>) -> Result<String, AdminError> {
    let label = options
        .batch
        .clone()
        .or_else(|| parsed.batch.clone())
        .map(|b| b.trim().to_string())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| format!("import {}", now.format("%Y-%m-%dT%H:%M:%SZ")));
    if label.chars().count() > 100 || motcua_domain::text::refused_char(&label).is_some() {
        return Err(AdminError::invalid(
            "batch",
            "must be at most 100 characters, without control characters",
        ));
    }
    Ok(label)
}

/// Checks `parsed` whole and, unless dry, writes its new dossiers in one
/// transaction; `progress` is called with the rows handled as it goes.
pub fn import(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    who: &Importer,
    parsed: &Parsed,
    options: &Options,
    progress: &mut dyn FnMut(u64),
) -> Result<ImportSummary, AdminError> {
    let now = motcua_store::time::now();
    let batch_label = label(options, parsed, now)?;
    conn.write_tx(|conn| -> Result<ImportSummary, AdminError> {
        let catalogue = store::catalogue(conn)?;
        let codes: Vec<&str> = parsed.rows.iter().map(|p| p.row.code.trim()).collect();
        let existing = store::existing(conn, &codes)?;
        let cx = validate::Context {
            catalogue: &catalogue,
            existing: &existing,
            calendar,
            now,
            local_times: parsed.local_times,
        };
        let plan = validate::check(parsed, &cx).map_err(AdminError::Invalid)?;
        progress(u64::try_from(plan.unchanged).unwrap_or(0));
        let summary = ImportSummary {
            rows: parsed.rows.len(),
            created: plan.create.len(),
            unchanged: plan.unchanged,
            batch: batch_label.clone(),
            dry_run: options.dry_run,
        };
        if !options.dry_run && !plan.create.is_empty() {
            let batch = Batch {
                label: &batch_label,
                user_id: &who.user_id,
                user_name: &who.name,
                at: now,
            };
            write::write(conn, calendar, &batch, &plan.create, progress)?;
        }
        Ok(summary)
    })
}
