//! `motcua user add|list|set`.

use motcua_domain::EventKind;
use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use motcua_api::auth::password;
use motcua_api::routes::users::{
    apply_changes, end_all_sessions, validate_new_user, UserInput, UserPatch,
};
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
    /// Change an account: disable or enable it, change its role, agency or
    /// password, end its sessions. Takes effect on the next request of every
    /// server. For when no administrator can log in.
    Set(SetArgs),
}

#[derive(Args)]
pub struct SetArgs {
    pub username: String,
    /// `false` disables the account and ends its sessions.
    #[arg(long)]
    pub active: Option<bool>,
    /// admin, clerk, officer or supervisor.
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long)]
    pub agency: Option<String>,
    #[arg(long)]
    pub full_name: Option<String>,
    /// Set a new password (prompted, or the first line of standard input
    /// with --password-stdin); ends the account's sessions.
    #[arg(long)]
    pub password: bool,
    #[arg(long)]
    pub password_stdin: bool,
    /// End every session of the account.
    #[arg(long)]
    pub end_sessions: bool,
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
        UserCommand::Set(args) => {
            let role = args.role.as_deref().map(Role::parse).transpose()?;
            let password = if args.password || args.password_stdin {
                Some(read_password(args.password_stdin)?)
            } else {
                None
            };
            let hash = password.as_deref().map(password::hash).transpose()?;
            let patch = UserPatch {
                full_name: args.full_name,
                role,
                agency_code: args.agency,
                email: None,
                active: args.active,
                password,
            };
            let username = args.username.trim().to_lowercase();
            let changes = patch.full_name.is_some()
                || patch.role.is_some()
                || patch.agency_code.is_some()
                || patch.active.is_some()
                || patch.password.is_some();
            let actor = Actor::system("cli");
            let ended = conn.write_tx(|conn| -> Result<usize> {
                let mut ended = 0;
                if changes {
                    let (_, n) = apply_changes(conn, &actor, None, &username, &patch, hash)
                        .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
                    ended += n;
                }
                if args.end_sessions {
                    ended += end_all_sessions(conn, &actor, &username)
                        .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
                }
                Ok(ended)
            })?;
            println!("updated {username}; {ended} session(s) ended");
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
                        kind: EventKind::UserCreated,
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
