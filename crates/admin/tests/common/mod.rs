//! The office the administration tests work on: one scratch database per
//! test (a SQLite file or a PostgreSQL database, `tests/common/db.rs` of
//! the workspace), migrated, with a district and one of its communes, an
//! administrator, and a test clock on an ordinary Tuesday morning.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../../tests/common/db.rs"]
mod db;

pub use db::{Backend, ScratchDb};

use chrono::{DateTime, Utc};
use motcua_admin::accounts::{self, Changes, Requester, UserInput};
use motcua_admin::agencies::{self, AgencyInput, Save};
use motcua_admin::AdminError;
use motcua_domain::EventKind;
use motcua_store::events::{self, Actor};
use motcua_store::time::Clock;
use motcua_store::users::User;
use motcua_store::{Database, PooledConnection};
use serde_json::{json, Value};

pub const DISTRICT: &str = "H53.50";
pub const COMMUNE: &str = "H53.50.05.13";

pub struct Office {
    pub conn: PooledConnection,
    pub clock: Clock,
    pub admin: User,
    pub actor: Actor,
    _db: Database,
    _scratch: ScratchDb,
}

impl Office {
    pub fn new(backend: Backend) -> Office {
        let scratch = ScratchDb::new(backend);
        let db = Database::connect(&scratch.url, 2).unwrap();
        db.migrate().unwrap();
        let start: DateTime<Utc> = "2026-12-08T02:00:00Z".parse().unwrap();
        let clock = Clock::starting_at(start);
        clock.install();
        let mut conn = db.get().unwrap();
        let system = Actor::system("test");
        for (code, level, parent) in [
            (DISTRICT, "district", None),
            (COMMUNE, "commune", Some(DISTRICT)),
        ] {
            let input = agency_input(code, level, parent);
            let agency = agencies::check(code, input).unwrap();
            agencies::save(&mut conn, &system, agency, Save::Create).unwrap();
        }
        let admin = accounts::check_new(&user_input("admin", "admin", DISTRICT)).unwrap();
        accounts::create(&mut conn, &system, &admin, "hash-of-admin").unwrap();
        let actor = Actor {
            id: Some(admin.id.clone()),
            name: admin.full_name.clone(),
        };
        Office {
            conn,
            clock,
            admin,
            actor,
            _db: db,
            _scratch: scratch,
        }
    }

    /// A new account of this role and agency, created by the
    /// administrator.
    pub fn account(&mut self, username: &str, role: &str, agency: &str) -> User {
        let user = accounts::check_new(&user_input(username, role, agency)).unwrap();
        accounts::create(&mut self.conn, &self.actor, &user, "hash").unwrap();
        user
    }

    /// Changes an account as the administrator logged in.
    pub fn update(
        &mut self,
        username: &str,
        changes: &Changes,
        password_hash: Option<String>,
    ) -> Result<(User, usize), AdminError> {
        let by = Requester {
            actor: &self.actor,
            user_id: Some(&self.admin.id),
        };
        accounts::update(&mut self.conn, &by, username, changes, password_hash)
    }

    /// Changes an account from the command line (nobody logged in).
    pub fn update_from_cli(
        &mut self,
        username: &str,
        changes: &Changes,
    ) -> Result<(User, usize), AdminError> {
        let by = Requester {
            actor: &self.actor,
            user_id: None,
        };
        accounts::update(&mut self.conn, &by, username, changes, None)
    }

    /// The kinds of the events recorded on a subject, oldest first.
    pub fn event_kinds(&mut self, subject_type: &str, subject_id: &str) -> Vec<EventKind> {
        events::for_subject(&mut self.conn, subject_type, subject_id)
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect()
    }
}

pub fn user_input(username: &str, role: &str, agency: &str) -> UserInput {
    from(json!({
        "username": username,
        "password": "correct horse",
        "full_name": format!("Staff {username}"),
        "role": role,
        "agency_code": agency,
        "email": format!("{username}@office.test"),
    }))
}

pub fn agency_input(code: &str, level: &str, parent: Option<&str>) -> AgencyInput {
    from(json!({
        "code": code,
        "name": format!("Agency {code}"),
        "level": level,
        "parent_code": parent,
        "address": "1 Main Street",
    }))
}

pub fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}
