//! `motcua user add|list`.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use motcua_api::auth::password;
use motcua_api::routes::users::{validate_new_user, UserInput};
use motcua_domain::Role;
use motcua_store::events::{Actor, NewEvent};
use motcua_store::{agencies, events, time, users, Database};
use serde_json::json;

use super::Common;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a staff account.
    Add(AddArgs),
    /// List staff accounts.
    List,
}

#[derive(Args)]
pub struct AddArgs {
    #[arg(long)]
    pub username: String,
    #[arg(long)]
    pub full_name: String,
    /// admin, clerk, officer or supervisor.
    #[arg(long)]
    pub role: String,
    /// Code of the agency the user works at.
    #[arg(long)]
    pub agency: String,
    #[arg(long)]
    pub email: Option<String>,
    /// Read the password from the first line of standard input instead of
    /// prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

fn read_password(from_stdin: bool) -> Result<String> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        return Ok(line.trim_end_matches(['\r', '\n']).to_string());
    }
    let first = rpassword::prompt_password("Password: ")?;
    let second = rpassword::prompt_password("Repeat: ")?;
    if first != second {
        bail!("the passwords differ");
    }
    Ok(first)
}

pub fn run(common: &Common, cmd: UserCommand) -> Result<()> {
    let config = common.config()?;
    let db = Database::connect(&config.database_url, 1).context("connecting to the database")?;
    db.migrate()?;
    let mut conn = db.get()?;
    match cmd {
        UserCommand::List => {
            for u in users::list(&mut conn, None)? {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.role,
                    u.agency,
                    u.full_name,
                    if u.active { "active" } else { "inactive" }
                );
            }
            Ok(())
        }
        UserCommand::Add(args) => {
            let role = Role::parse(&args.role)?;
            let password = read_password(args.password_stdin)?;
            let input = UserInput {
                username: args.username,
                password,
                full_name: args.full_name,
                role,
                agency_code: args.agency,
                email: args.email,
            };
            let user = validate_new_user(&input).map_err(|errors| {
                let text: Vec<_> = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect();
                anyhow::anyhow!(text.join("; "))
            })?;
            let hash = password::hash(&input.password)?;
            conn.write_tx(|conn| -> Result<()> {
                if agencies::get(conn, user.agency.as_str())?.is_none() {
                    bail!("no agency {} (create it first, or run serve --demo)", user.agency);
                }
                if users::find_by_username(conn, &user.username)?.is_some() {
                    bail!("username {} is taken", user.username);
                }
                users::insert(conn, &user, &hash)?;
                events::append(
                    conn,
                    &NewEvent {
                        subject_type: "user",
                        subject_id: &user.id,
                        dossier_id: None,
                        kind: "user.created",
                        actor: &Actor::system("cli"),
                        at: time::now(),
                        data: json!({ "username": user.username, "role": user.role, "agency": user.agency }),
                    },
                )?;
                Ok(())
            })?;
            println!("created {} ({}, {})", user.username, user.role, user.agency);
            Ok(())
        }
    }
}
