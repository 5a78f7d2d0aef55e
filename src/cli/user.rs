//! `motcua user add|list|set`.

use std::io::BufRead;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};
use motcua_admin::accounts::{self, Changes, Requester, UserInput};
use motcua_api::auth::password;
use motcua_domain::Role;
use motcua_store::events::Actor;
use motcua_store::{users, Database};

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
            let changes = Changes {
                full_name: args.full_name,
                role,
                agency_code: args.agency,
                email: None,
                active: args.active,
                password,
            };
            let username = args.username.trim().to_lowercase();
            let anything = changes.full_name.is_some()
                || changes.role.is_some()
                || changes.agency_code.is_some()
                || changes.active.is_some()
                || changes.password.is_some();
            let actor = Actor::system("cli");
            let by = Requester {
                actor: &actor,
                user_id: None,
            };
            let mut ended = 0;
            if anything {
                ended += accounts::update(&mut conn, &by, &username, &changes, hash)?.1;
            }
            if args.end_sessions {
                ended += accounts::end_sessions(&mut conn, &actor, &username)?;
            }
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
            let user = accounts::check_new(&input)?;
            let hash = password::hash(&input.password)?;
            accounts::create(&mut conn, &Actor::system("cli"), &user, &hash).map_err(
                |e| match e {
                    motcua_admin::AdminError::Invalid(_) => {
                        anyhow::anyhow!("{e} (create the agency first, or run serve --demo)")
                    }
                    other => other.into(),
                },
            )?;
            println!("created {} ({}, {})", user.username, user.role, user.agency);
            Ok(())
        }
    }
}
