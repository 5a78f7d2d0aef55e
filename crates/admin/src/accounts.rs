//! Staff accounts: creating one, changing one, ending its sessions. Each
//! change is one transaction with its event; disabling an account or
//! changing its password ends its sessions in the same transaction, so
//! the account stops working at once on every server.

use motcua_domain::validate;
use motcua_domain::{AgencyCode, EventKind, FieldError, Role};
use motcua_store::events::{self, Actor};
use motcua_store::users::{self, User};
use motcua_store::{agencies, sessions, time, DbConnection};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use crate::AdminError;

/// A new account as an administrator enters it.
#[derive(Deserialize, ToSchema)]
pub struct UserInput {
    /// Letters, digits, '.', '_' and '-'; kept in lower case.
    #[schema(min_length = 3, max_length = 64)]
    pub username: String,
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    #[schema(max_length = 200)]
    pub full_name: String,
    pub role: Role,
    #[schema(max_length = 64)]
    pub agency_code: String,
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

/// Checks a new account; every problem at once. The password is checked
/// here and hashed by the caller (hashing is slow and happens outside any
/// transaction).
pub fn check_new(input: &UserInput) -> Result<User, AdminError> {
    let mut errors = Vec::new();
    let username = input.username.trim().to_lowercase();
    if username.len() < 3
        || username.len() > 64
        || !username
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        errors.push(FieldError::new(
            "username",
            "3-64 characters of letters, digits, '.', '_' and '-'",
        ));
    }
    check_password(&mut errors, &input.password);
    let full_name = validate::required(&mut errors, "full_name", &input.full_name, 200);
    let agency = AgencyCode::parse(input.agency_code.trim())
        .map_err(|e| errors.push(FieldError::new("agency_code", e.to_string())))
        .ok();
    let email = validate::email(&mut errors, "email", input.email.as_deref());
    match agency {
        Some(agency) if errors.is_empty() => Ok(User {
            id: uuid::Uuid::now_v7().to_string(),
            username,
            full_name,
            role: input.role,
            agency,
            email,
            active: true,
        }),
        _ => Err(AdminError::Invalid(errors)),
    }
}

/// Whether a password is long enough and not too long to hash.
pub fn password_is_acceptable(password: &str) -> bool {
    (8..=256).contains(&password.chars().count())
}

fn check_password(errors: &mut Vec<FieldError>, password: &str) {
    if !password_is_acceptable(password) {
        errors.push(FieldError::new("password", "must be 8 to 256 characters"));
    }
}

/// Records a checked account ([`check_new`]) with its password hash: its
/// agency must exist and its name be free.
pub fn create(
    conn: &mut DbConnection,
    actor: &Actor,
    user: &User,
    password_hash: &str,
) -> Result<(), AdminError> {
    conn.write_tx(|conn| {
        if agencies::get(conn, user.agency.as_str())?.is_none() {
            return Err(AdminError::invalid("agency_code", "no such agency"));
        }
        if users::find_by_username(conn, &user.username)?.is_some() {
            return Err(AdminError::Conflict(format!(
                "username {} is taken",
                user.username
            )));
        }
        users::insert(conn, user, password_hash)?;
        let data = json!({ "username": user.username, "role": user.role, "agency": user.agency });
        user_event(conn, EventKind::UserCreated, user, actor, data)
    })
}

/// Changes to an account; `None` leaves a part as it is.
#[derive(Debug, Default, Clone)]
pub struct Changes {
    pub full_name: Option<String>,
    pub role: Option<Role>,
    pub agency_code: Option<String>,
    /// `Some(None)` removes the address.
    pub email: Option<Option<String>>,
    /// `false` disables the account and ends its sessions.
    pub active: Option<bool>,
    /// A new password (checked here); ends the account's sessions.
    pub password: Option<String>,
}

/// Who asks for a change: the event's actor, and the account they are
/// logged in with (none from the command line), so that nobody locks
/// themselves out.
pub struct Requester<'a> {
    pub actor: &'a Actor,
    pub user_id: Option<&'a str>,
}

/// Applies an administrator's changes to an account: the account as it
/// is afterwards and how many of its sessions ended. `password_hash` is
/// `changes.password` already hashed. Refused: nothing to change, a field
/// that fails its check, disabling or demoting yourself, and disabling or
/// demoting the last active administrator.
pub fn update(
    conn: &mut DbConnection,
    by: &Requester,
    username: &str,
    changes: &Changes,
    password_hash: Option<String>,
) -> Result<(User, usize), AdminError> {
    conn.write_tx(|conn| {
        let user = user_named(conn, username)?;
        let stored = checked(conn, changes, password_hash)?;
        let disables = changes.active == Some(false) && user.active;
        let demotes = changes.role.is_some_and(|r| r != Role::Admin) && user.role == Role::Admin;
        keeps_an_administrator(conn, by, &user, disables || demotes)?;
        let now = time::now();
        users::update(conn, &user.id, &stored)?;
        let ended = match (disables, stored.password_hash.is_some()) {
            (true, _) => sessions::end_all_for_user(conn, &user.id, "disabled", now)?,
            (false, true) => sessions::end_all_for_user(conn, &user.id, "password_changed", now)?,
            (false, false) => 0,
        };
        let after = user_named(conn, username)?;
        let data = json!({
            "username": user.username,
            "full_name": changes.full_name.as_ref().map(|_| &after.full_name),
            "role": changes.role,
            "agency": changes.agency_code.as_ref().map(|_| &after.agency),
            "email": changes.email.as_ref().map(|_| &after.email),
            "active": changes.active,
            "password_changed": changes.password.is_some(),
            "sessions_ended": ended,
        });
        user_event(conn, EventKind::UserUpdated, &user, by.actor, data)?;
        Ok((after, ended))
    })
}

/// Checks the changes and turns them into what the store writes.
fn checked(
    conn: &mut DbConnection,
    changes: &Changes,
    password_hash: Option<String>,
) -> Result<users::Changes, AdminError> {
    let mut errors = Vec::new();
    let full_name = changes
        .full_name
        .as_deref()
        .map(|n| validate::required(&mut errors, "full_name", n, 200));
    if let Some(p) = &changes.password {
        check_password(&mut errors, p);
    }
    let agency = match changes.agency_code.as_deref().map(str::trim) {
        None => None,
        Some(code) => match AgencyCode::parse(code) {
            Ok(a) if agencies::get(conn, a.as_str())?.is_some() => Some(a),
            Ok(_) => {
                errors.push(FieldError::new("agency_code", "no such agency"));
                None
            }
            Err(e) => {
                errors.push(FieldError::new("agency_code", e.to_string()));
                None
            }
        },
    };
    let email = changes
        .email
        .as_ref()
        .map(|e| validate::email(&mut errors, "email", e.as_deref()));
    if !errors.is_empty() {
        return Err(AdminError::Invalid(errors));
    }
    let stored = users::Changes {
        full_name,
        role: changes.role.map(|r| r.as_str().to_string()),
        agency_code: agency.as_ref().map(|a| a.to_string()),
        email,
        active: changes.active,
        password_hash,
    };
    let nothing = stored.full_name.is_none()
        && stored.role.is_none()
        && stored.agency_code.is_none()
        && stored.email.is_none()
        && stored.active.is_none()
        && stored.password_hash.is_none();
    if nothing {
        return Err(AdminError::invalid("body", "names nothing to change"));
    }
    Ok(stored)
}

/// Refuses a change that takes away an administrator (`removes`) when it
/// is the requester's own account or the last active administrator.
fn keeps_an_administrator(
    conn: &mut DbConnection,
    by: &Requester,
    user: &User,
    removes: bool,
) -> Result<(), AdminError> {
    if !removes {
        return Ok(());
    }
    if by.user_id == Some(user.id.as_str()) {
        return Err(AdminError::Conflict(
            "you cannot disable your own account or take away your own administrator role; ask another administrator".into(),
        ));
    }
    if user.role == Role::Admin && user.active && users::count_active_admins(conn)? <= 1 {
        return Err(AdminError::Conflict(
            "this is the last active administrator; make another one first".into(),
        ));
    }
    Ok(())
}

/// Ends every open session of an account, with its event; returns how
/// many were open. Its tokens stop working at once.
pub fn end_sessions(
    conn: &mut DbConnection,
    actor: &Actor,
    username: &str,
) -> Result<usize, AdminError> {
    conn.write_tx(|conn| {
        let user = user_named(conn, username)?;
        let ended = sessions::end_all_for_user(conn, &user.id, "ended_by_admin", time::now())?;
        let data = json!({ "username": user.username, "sessions_ended": ended });
        user_event(conn, EventKind::UserSessionsEnded, &user, actor, data)?;
        Ok(ended)
    })
}

/// The account with this (lower-case) user name.
pub fn user_named(conn: &mut DbConnection, username: &str) -> Result<User, AdminError> {
    Ok(users::find_by_username(conn, username)?
        .ok_or(AdminError::NotFound("user"))?
        .0)
}

fn user_event(
    conn: &mut DbConnection,
    kind: EventKind,
    user: &User,
    actor: &Actor,
    data: serde_json::Value,
) -> Result<(), AdminError> {
    events::append(
        conn,
        &events::NewEvent {
            subject_type: "user",
            subject_id: &user.id,
            dossier_id: None,
            kind,
            actor,
            at: time::now(),
            data,
        },
    )?;
    Ok(())
}
