//! `motcua catalogue export [--output FILE]`: the whole catalogue, every
//! agency and every procedure in force, as the JSON file
//! `GET /api/v1/catalogue/export` answers; `motcua catalogue import FILE`:
//! such a file read back as `POST /api/v1/catalogue/import` reads it,
//! with a progress bar (docs/catalogue.md, Export and import).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use motcua_admin::{catalogue_file, AdminError};
use motcua_store::events::Actor;

use super::Common;

#[derive(Subcommand)]
pub enum CatalogueCommand {
    /// Write the catalogue (agencies and procedures in force) as JSON.
    Export(ExportArgs),
    /// Read a catalogue file: checked as a whole, then what differs saved
    /// in one transaction (a changed procedure as its next version).
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The file `export` wrote (format motcua-catalogue/1).
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
}

pub fn run(common: &Common, cmd: CatalogueCommand) -> Result<()> {
    match cmd {
        CatalogueCommand::Export(args) => export(common, args),
        CatalogueCommand::Import(args) => import(common, args),
    }
}

fn import(common: &Common, args: ImportArgs) -> Result<()> {
    let config = common.config()?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let file: catalogue_file::CatalogueFile = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not a catalogue file", args.file.display()))?;
    let rows = file.agencies.len() + file.procedures.len();
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
    let done = catalogue_file::import(&mut conn, &actor, file, &mut || bar.inc(1));
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
        Err(AdminError::Invalid(errors)) => {
            for e in &errors {
                eprintln!("{}: {}", e.field, e.message);
            }
            bail!("{} problems; nothing was imported", errors.len())
        }
        Err(other) => Err(other.into()),
    }
}

fn export(common: &Common, args: ExportArgs) -> Result<()> {
    let config = common.config()?;
    let db = motcua_store::Database::connect(&config.database_url, 1)
        .context("connecting to the database")?;
    let mut conn = db.get()?;
    let file = catalogue_file::export(&mut conn, motcua_store::time::now())?;
    let json = serde_json::to_vec_pretty(&file)?;
    match args.output {
        Some(path) => {
            std::fs::write(&path, &json).with_context(|| format!("writing {}", path.display()))?;
            eprintln!(
                "{} agencies and {} procedures written to {}",
                file.agencies.len(),
                file.procedures.len(),
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(&json)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}
