//! The `motcua` command: serve the API, migrate, manage users, print the
//! OpenAPI document.

mod cli;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    let cli = cli::Cli::parse();
    cli::init_logging();
    cli::run(cli)
}
