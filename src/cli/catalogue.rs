//! `motcua catalogue export [--output FILE]`: the whole catalogue, every
//! agency and every procedure in force, as the JSON file
//! `GET /api/v1/catalogue/export` answers (docs/catalogue.md, Export).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use motcua_admin::catalogue_file;

use super::Common;

#[derive(Subcommand)]
pub enum CatalogueCommand {
    /// Write the catalogue (agencies and procedures in force) as JSON.
    Export(ExportArgs),
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
