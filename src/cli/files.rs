//! `motcua files verify`: reads back every stored file uploaded in a
//! period and checks its bytes against the recorded size and SHA-256,
//! printing each file missing or altered (with the dossiers holding it);
//! the exit status says whether all were whole.

use anyhow::{bail, Context, Result};
use chrono::{DateTime, NaiveDate, Utc};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use motcua_store::{dossiers, files};

use super::Common;

#[derive(Subcommand)]
pub enum FilesCommand {
    /// Check that every file of a period is whole: present, and with the
    /// recorded size and SHA-256.
    Verify(VerifyArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    /// First day of uploads to check (YYYY-MM-DD, UTC); from the start.
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day of uploads to check (YYYY-MM-DD, UTC, included); to now.
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// No progress bar (for logs and scripts).
    #[arg(long)]
    pub quiet: bool,
}

pub fn run(common: &Common, cmd: FilesCommand) -> Result<()> {
    match cmd {
        FilesCommand::Verify(args) => verify(common, args),
    }
}

fn day_start(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn verify(common: &Common, args: VerifyArgs) -> Result<()> {
    let config = common.config()?;
    // Bounds every database stores: the year 1900 to the year 3000.
    let earliest = NaiveDate::from_ymd_opt(1900, 1, 1).context("a date")?;
    let latest = NaiveDate::from_ymd_opt(3000, 1, 1).context("a date")?;
    let from = day_start(args.from.unwrap_or(earliest).max(earliest));
    let to = match args.to {
        Some(d) => day_start(
            d.succ_opt()
                .context("--to is the last day there is")?
                .min(latest),
        ),
        None => day_start(latest),
    };
    if from >= to {
        bail!("--from must come before --to");
    }
    let db = motcua_store::Database::connect(&config.database_url, 1)
        .context("connecting to the database")?;
    let storage =
        motcua_files::Storage::open(&config.files_url()).context("opening the file storage")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the I/O runtime")?;
    let mut conn = db.get()?;
    let total = files::count_stored_between(&mut conn, from, to)?;
    let bar = if args.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(u64::try_from(total).unwrap_or(0))
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} files  {bytes_per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut checked, mut bad) = (0u64, 0u64);
    let mut after = String::new();
    loop {
        let page = files::stored_between(&mut conn, from, to, &after, 200)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for f in page {
            let found = runtime.block_on(storage.digest(&f.id))?;
            let problem = match found {
                None => Some("missing".to_string()),
                Some((sha, size)) if sha == f.sha256 && i64::try_from(size) == Ok(f.size_bytes) => {
                    None
                }
                Some((sha, size)) => Some(format!(
                    "altered: {size} bytes, SHA-256 {sha} (recorded {} bytes, {})",
                    f.size_bytes, f.sha256
                )),
            };
            if let Some(problem) = problem {
                bad += 1;
                let mut codes = Vec::new();
                for id in files::holders_of(&mut conn, &f.id)? {
                    if let Some(d) = dossiers::get(&mut conn, &id)? {
                        codes.push(d.code);
                    }
                }
                bar.suspend(|| {
                    println!(
                        "{}\t{problem}\t{}\tdossiers: {}",
                        f.id,
                        f.name,
                        codes.join(", ")
                    )
                });
            }
            checked += 1;
            bar.inc(1);
        }
    }
    bar.finish_and_clear();
    println!(
        "checked {checked} files in {}: {} whole, {bad} missing or altered",
        storage.describe(),
        checked - bad
    );
    if bad > 0 {
        bail!("{bad} of {checked} files are missing or altered");
    }
    Ok(())
}
