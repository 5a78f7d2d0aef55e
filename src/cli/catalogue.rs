//! `motcua catalogue export [--format json|xlsx] [--output FILE]`: the
//! whole catalogue, every agency and every procedure in force, as the
//! JSON file or the workbook `GET /api/v1/catalogue/export` answers;
//! `motcua catalogue import FILE`: either read back as
//! `POST /api/v1/catalogue/import` reads it, with a progress bar
//! (docs/catalogue.md, Export and import, As a spreadsheet).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use motcua_admin::catalogue_sheet::{self, SheetError};
use motcua_admin::{catalogue_file, AdminError};
use motcua_store::events::Actor;

use super::Common;

#[derive(Subcommand)]
pub enum CatalogueCommand {
    /// Write the catalogue (agencies and procedures in force) as JSON or
    /// as an XLSX workbook.
    Export(ExportArgs),
    /// Read a catalogue file or workbook: checked as a whole, then what
    /// differs saved in one transaction (a changed procedure as its next
    /// version).
    Import(ImportArgs),
}

/// The forms the catalogue is written in.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The JSON file (motcua-catalogue/1).
    Json,
    /// A workbook of one sheet per table, to edit in a spreadsheet.
    Xlsx,
}

#[derive(Args)]
pub struct ImportArgs {
    /// The file `export` wrote: JSON (format motcua-catalogue/1) or a
    /// workbook (`.xlsx`, or told by its content).
    pub file: PathBuf,
    /// No progress bar (for logs and scripts).
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args)]
pub struct ExportArgs {
    /// The file to write; standard output when left out.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// `json` or `xlsx`; by default `xlsx` for an output ending in
    /// `.xlsx`, else `json`.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

fn is_xlsx_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
}

pub fn run(common: &Common, cmd: CatalogueCommand) -> Result<()> {
    match cmd {
        CatalogueCommand::Export(args) => export(common, args),
        CatalogueCommand::Import(args) => import(common, args),
    }
}

/// What an import reads: a JSON file, or a workbook.
enum Input {
    File(catalogue_file::CatalogueFile),
    Workbook(catalogue_sheet::Workbook),
}

/// Reads FILE: a workbook by its name (`.xlsx`) or its content (a zip
/// archive), else JSON.
fn read_input(path: &Path) -> Result<Input> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    if is_xlsx_name(path) || bytes.starts_with(b"PK\x03\x04") {
        return match catalogue_sheet::read(&bytes) {
            Ok(book) => Ok(Input::Workbook(book)),
            Err(SheetError::Invalid(errors)) => refused(&errors),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        };
    }
    let file = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a catalogue file", path.display()))?;
    Ok(Input::File(file))
}

/// Lists each problem, and fails.
fn refused<T>(errors: &[motcua_domain::FieldError]) -> Result<T> {
    for e in errors {
        eprintln!("{}: {}", e.field, e.message);
    }
    bail!("{} problems; nothing was imported", errors.len())
}

fn import(common: &Common, args: ImportArgs) -> Result<()> {
    let config = common.config()?;
    let input = read_input(&args.file)?;
    let rows = match &input {
        Input::File(file) => file.agencies.len() + file.procedures.len(),
        Input::Workbook(book) => book.rows(),
    };
    let db = motcua_store::Database::connect(&config.database_url, 1)
        .context("connecting to the database")?;
    let mut conn = db.get()?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(u64::try_from(rows).unwrap_or(0))
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} rows  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let actor = Actor::system("cli");
    let on_row = &mut || bar.inc(1);
    let done = match input {
        Input::File(file) => catalogue_file::import(&mut conn, &actor, file, on_row),
        Input::Workbook(book) => catalogue_sheet::import(&mut conn, &actor, book, on_row),
    };
    bar.finish_and_clear();
    match done {
        Ok(s) => {
            println!(
                "agencies: {} created, {} changed, {} unchanged; procedures: {} created, {} changed, {} unchanged",
                s.agencies.created,
                s.agencies.updated,
                s.agencies.unchanged,
                s.procedures.created,
                s.procedures.updated,
                s.procedures.unchanged
            );
            Ok(())
        }
        Err(AdminError::Invalid(errors)) => refused(&errors),
        Err(other) => Err(other.into()),
    }
}

fn export(common: &Common, args: ExportArgs) -> Result<()> {
    let config = common.config()?;
    let format = args.format.unwrap_or(match &args.output {
        Some(path) if is_xlsx_name(path) => Format::Xlsx,
        _ => Format::Json,
    });
    if format == Format::Xlsx && args.output.is_none() && std::io::stdout().is_terminal() {
        bail!("a workbook is not for a terminal: give --output FILE.xlsx, or redirect");
    }
    let db = motcua_store::Database::connect(&config.database_url, 1)
        .context("connecting to the database")?;
    let mut conn = db.get()?;
    let file = catalogue_file::export(&mut conn, motcua_store::time::now())?;
    let bytes = match format {
        Format::Json => {
            let mut json = serde_json::to_vec_pretty(&file)?;
            json.push(b'\n');
            json
        }
        Format::Xlsx => catalogue_sheet::to_xlsx(&file)?,
    };
    match args.output {
        Some(path) => {
            std::fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "{} agencies and {} procedures written to {}",
                file.agencies.len(),
                file.procedures.len(),
                path.display()
            );
        }
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(())
}
