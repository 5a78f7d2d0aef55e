//! Command-line interface. Every option can also come from a `MOTCUA_*`
//! environment variable; the README's configuration table lists them.

mod catalogue;
mod files;
mod import;
mod mail;
mod serve;
mod user;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use motcua_api::Config;
use motcua_calendar::{CalendarSettings, CountFrom, OfficeHours};

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Backend for Vietnam's one-stop-shop desk (Bộ phận Một cửa)"
)]
pub struct Cli {
    #[command(flatten)]
    pub common: Common,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Clone)]
pub struct Common {
    /// Database: `sqlite://PATH` or a plain path (SQLite), or `postgres://...`.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_DATABASE_URL",
        default_value = "sqlite://motcua.db"
    )]
    pub database_url: String,
    /// Connections in the pool (0: 8 for SQLite, 16 for PostgreSQL).
    #[arg(long, global = true, env = "MOTCUA_POOL_SIZE", default_value_t = 0)]
    pub pool_size: u32,
    /// Time zone the calendar counts in.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_TIME_ZONE",
        default_value = "Asia/Ho_Chi_Minh"
    )]
    pub time_zone: String,
    /// Daily office hours.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_OFFICE_HOURS",
        default_value = "07:00-11:30,13:30-17:00"
    )]
    pub office_hours: String,
    /// Weekly days off.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_WEEKLY_DAYS_OFF",
        default_value = "sat,sun"
    )]
    pub weekly_days_off: String,
    /// Where a count of days starts: `receipt` or `next_working_day`.
    #[arg(
        long,
        global = true,
        env = "MOTCUA_COUNT_FROM",
        default_value = "receipt"
    )]
    pub count_from: String,
    /// Where dossier files are kept: a folder, `file:///path`, or
    /// `s3://bucket/prefix?aws_endpoint=...` (credentials from `AWS_*`).
    /// Default: a folder beside the SQLite file (`./motcua-files` with
    /// PostgreSQL).
    #[arg(long, global = true, env = "MOTCUA_FILES_URL")]
    pub files_url: Option<String>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates first).
    Serve(Box<serve::ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Check the mail settings.
    #[command(subcommand)]
    Mail(mail::MailCommand),
    /// Check the dossier files.
    #[command(subcommand)]
    Files(files::FilesCommand),
    /// Export or import the procedure catalogue.
    #[command(subcommand)]
    Catalogue(catalogue::CatalogueCommand),
    /// Move dossiers in from an older system (docs/import.md).
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Print the OpenAPI document.
    Openapi,
}

impl Common {
    pub fn config(&self) -> Result<Config> {
        let calendar = CalendarSettings {
            time_zone: CalendarSettings::parse_time_zone(&self.time_zone)?,
            office_hours: OfficeHours::parse(&self.office_hours)?,
            weekly_days_off: CalendarSettings::parse_weekly_days_off(&self.weekly_days_off)?,
            count_from: CountFrom::parse(&self.count_from)?,
        };
        Ok(Config {
            database_url: self.database_url.clone(),
            pool_size: self.pool_size,
            files_url: self.files_url.clone(),
            calendar,
            ..Config::default()
        })
    }
}

pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("MOTCUA_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt().with_env_filter(filter).init();
}

pub fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.common, *args),
        Command::Migrate => {
            let config = cli.common.config()?;
            let db = motcua_store::Database::connect(&config.database_url, 1)
                .context("connecting to the database")?;
            let applied = db.migrate().context("migrating")?;
            if applied.is_empty() {
                println!("database is up to date");
            }
            for name in applied {
                println!("applied {name}");
            }
            Ok(())
        }
        Command::User(cmd) => user::run(&cli.common, cmd),
        Command::Mail(cmd) => mail::run(cmd),
        Command::Files(cmd) => files::run(&cli.common, cmd),
        Command::Catalogue(cmd) => catalogue::run(&cli.common, cmd),
        Command::Import(cmd) => import::run(&cli.common, cmd),
        Command::Openapi => {
            print!("{}", motcua_api::openapi::json());
            Ok(())
        }
    }
}
