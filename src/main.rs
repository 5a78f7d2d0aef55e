//! The `motcua` command: serve the API, migrate, manage users, print the
//! OpenAPI document.

mod cli;
mod memory;

use clap::Parser;

fn main() -> anyhow::Result<()> {
    memory::tune_allocator();
    let cli = cli::Cli::parse();
    cli::init_logging();
    cli::run(cli)
}
