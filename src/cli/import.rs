//! `motcua import dossiers FILE [--format json|xlsx] [--dry-run]
//! --by USERNAME [--batch LABEL]`: an older system's dossiers read as
//! `POST /api/v1/imports/dossiers` reads them (docs/import.md), checked
//! whole, then written in one transaction, with a progress bar on
//! standard error (hidden when it is not a terminal). Every problem is
//! listed with its row, and the command fails without writing anything.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use motcua_admin::dossier_import::{self, Form, Importer, Options};
use motcua_admin::AdminError;
use motcua_domain::Role;
use motcua_sla::calendars::CalendarHandle;

use super::Common;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import dossiers from an older system: JSON (motcua-dossiers/1) or
    /// a workbook (sheets `dossiers` and `history`).
    Dossiers(DossiersArgs),
}

/// The forms a file of dossiers comes in.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Xlsx,
}

#[derive(Args)]
pub struct DossiersArgs {
    /// The file: `.json` or `.xlsx` (or say which with --format).
    pub file: PathBuf,
    /// `json` or `xlsx`; by default from the file's extension.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Check the file and count what it would create; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The administrator account the import is recorded as (each
    /// dossier's receiver, the events' actor).
    #[arg(long)]
    pub by: String,
    /// A label kept on every dossier created (wins over the file's).
    #[arg(long)]
    pub batch: Option<String>,
    /// No progress bar (for logs and scripts).
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(common: &Common, cmd: ImportCommand) -> Result<()> {
    match cmd {
        ImportCommand::Dossiers(args) => dossiers(common, args),
    }
}

fn form_of(path: &Path, format: Option<Format>) -> Result<Form> {
    Ok(match format {
        Some(Format::Json) => Form::Json,
        Some(Format::Xlsx) => Form::Xlsx,
        None => match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("json") => Form::Json,
            Some("xlsx") => Form::Xlsx,
            _ => bail!(
                "{}: name it .json or .xlsx, or give --format",
                path.display()
            ),
        },
    })
}

/// Lists each problem with its row, and fails.
fn refused<T>(errors: &[motcua_domain::FieldError]) -> Result<T> {
    for e in errors {
        eprintln!("{}: {}", e.field, e.message);
    }
    let n = errors.len();
    bail!(
        "{n} problem{}; nothing was imported",
        if n == 1 { "" } else { "s" }
    )
}

fn dossiers(common: &Common, args: DossiersArgs) -> Result<()> {
    let config = common.config()?;
    let form = form_of(&args.file, args.format)?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let parsed = match dossier_import::read(&bytes, form) {
        Ok(p) => p,
        Err(AdminError::Invalid(errors)) => return refused(&errors),
        Err(e) => return Err(e.into()),
    };
    drop(bytes);
    let db = motcua_store::Database::connect(&config.database_url, 1)
        .context("connecting to the database")?;
    let mut conn = db.get()?;
    let who = match motcua_store::users::find_by_username(&mut conn, &args.by)? {
        Some((u, _)) if u.active && u.role == Role::Admin => Importer {
            user_id: u.id,
            name: u.full_name,
        },
        _ => bail!("--by {}: no active administrator of that name", args.by),
    };
    let calendar = CalendarHandle::load(&mut conn, config.calendar.clone())
        .context("loading the calendar")?
        .current();
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(u64::try_from(parsed.rows.len()).unwrap_or(0))
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} dossiers  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options = Options {
        batch: args.batch,
        dry_run: args.dry_run,
    };
    let started = std::time::Instant::now();
    let done = dossier_import::import(&mut conn, &calendar, &who, &parsed, &options, &mut |n| {
        bar.inc(n)
    });
    bar.finish_and_clear();
    match done {
        Ok(s) => {
            let seconds = started.elapsed().as_secs_f64();
            println!(
                "{} rows: {} created, {} unchanged{} (batch {:?}) in {:.1} s",
                s.rows,
                s.created,
                s.unchanged,
                if s.dry_run {
                    ", dry run: nothing written"
                } else {
                    ""
                },
                s.batch,
                seconds
            );
            Ok(())
        }
        Err(AdminError::Invalid(errors)) => refused(&errors),
        Err(other) => Err(other.into()),
    }
}
