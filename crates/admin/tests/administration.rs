//! What administrators change, each operation on a real SQLite file and a
//! real PostgreSQL database: accounts and their checks, disabling and
//! password changes ending sessions at once, the guard on the last
//! administrator, the log-in's limits, the agency tree and the catalogue
//! (and the catalogue as a workbook).
//! Each refused change is checked to write nothing, not even its event.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::*;
use motcua_admin::accounts::{self, Changes};
use motcua_admin::agencies::{self, Save};
use motcua_admin::catalogue::{self, ProcedureInput};
use motcua_admin::catalogue_file::{self, CatalogueFile};
use motcua_admin::catalogue_sheet;
use motcua_admin::sessions::{self, Attempt, Outcome};
use motcua_admin::AdminError;
use motcua_domain::throttle::{Bucket, Policy};
use motcua_domain::{EventKind, Role};
use motcua_store::users::User;
use motcua_store::{procedures, sessions as stored_sessions, time, users};
use serde_json::json;

#[track_caller]
fn invalid_fields<T: std::fmt::Debug>(r: Result<T, AdminError>) -> Vec<String> {
    match r {
        Err(AdminError::Invalid(errors)) => errors.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid fields, got {other:?}"),
    }
}

#[track_caller]
fn conflict<T: std::fmt::Debug>(r: Result<T, AdminError>) -> String {
    match r {
        Err(AdminError::Conflict(m)) => m,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn attempt(user: Option<&User>, password_ok: bool, username: &str) -> Attempt {
    Attempt {
        user: user.cloned(),
        password_ok,
        buckets: [
            Bucket::new("login-account", username, Policy::LOGIN_ACCOUNT),
            Bucket::new("login-address", "192.0.2.7", Policy::LOGIN_ADDRESS),
        ],
        username: username.into(),
        client: "192.0.2.7".into(),
        now: time::now(),
        ttl: 3600,
    }
}

fn log_in(o: &mut Office, user: &User) -> Outcome {
    sessions::log_in(&mut o.conn, attempt(Some(user), true, &user.username)).unwrap()
}

fn open_sessions(o: &mut Office, user: &User) -> usize {
    stored_sessions::open_for_user(&mut o.conn, &user.id, time::now())
        .unwrap()
        .len()
}

// -------------------------------------------------------------- accounts

fn a_new_account_is_checked_whole_and_recorded_with_its_event(backend: Backend) {
    let mut o = Office::new(backend);
    let bad = from(json!({
        "username": "a b", "password": "short", "full_name": " ",
        "role": "clerk", "agency_code": "not a code", "email": "nowhere",
    }));
    let mut fields = invalid_fields(accounts::check_new(&bad));
    fields.sort();
    assert_eq!(
        fields,
        ["agency_code", "email", "full_name", "password", "username"]
    );

    // A well-formed code of an agency that does not exist.
    let stray = accounts::check_new(&user_input("lan", "clerk", "H53.99")).unwrap();
    let r = accounts::create(&mut o.conn, &o.actor, &stray, "hash");
    assert_eq!(invalid_fields(r), ["agency_code"]);
    assert!(users::find_by_username(&mut o.conn, "lan")
        .unwrap()
        .is_none());

    let lan = o.account("Lan", "clerk", COMMUNE);
    assert_eq!(lan.username, "lan", "names are kept in lower case");
    assert_eq!(o.event_kinds("user", &lan.id), [EventKind::UserCreated]);
    let again = accounts::check_new(&user_input("lan", "officer", DISTRICT)).unwrap();
    let r = accounts::create(&mut o.conn, &o.actor, &again, "hash");
    assert_eq!(conflict(r), "username lan is taken");
    assert!(o.event_kinds("user", &again.id).is_empty());
}

fn disabling_an_account_ends_its_sessions_and_refuses_the_next_log_in(backend: Backend) {
    let mut o = Office::new(backend);
    let binh = o.account("binh", "officer", COMMUNE);
    assert!(matches!(log_in(&mut o, &binh), Outcome::Opened(_)));
    assert!(matches!(log_in(&mut o, &binh), Outcome::Opened(_)));
    assert_eq!(open_sessions(&mut o, &binh), 2);

    let off = Changes {
        active: Some(false),
        ..Changes::default()
    };
    let (after, ended) = o.update("binh", &off, None).unwrap();
    assert!(!after.active);
    assert_eq!(ended, 2);
    assert_eq!(open_sessions(&mut o, &binh), 0);
    let disabled = users::find_by_username(&mut o.conn, "binh")
        .unwrap()
        .unwrap()
        .0;
    assert!(matches!(log_in(&mut o, &disabled), Outcome::Disabled));
    assert_eq!(
        o.event_kinds("user", &binh.id),
        [
            EventKind::UserCreated,
            EventKind::AuthLoginSucceeded,
            EventKind::AuthLoginSucceeded,
            EventKind::UserUpdated,
            EventKind::AuthLoginRefused,
        ]
    );
}

fn a_new_password_ends_sessions_and_an_administrator_can_end_them_all(backend: Backend) {
    let mut o = Office::new(backend);
    let binh = o.account("binh", "officer", COMMUNE);
    log_in(&mut o, &binh);
    let new_password = Changes {
        password: Some("a much longer one".into()),
        ..Changes::default()
    };
    let hash = Some("new-hash".to_string());
    let (_, ended) = o.update("binh", &new_password, hash).unwrap();
    assert_eq!(ended, 1);
    let (_, stored) = users::find_by_username(&mut o.conn, "binh")
        .unwrap()
        .unwrap();
    assert_eq!(stored, "new-hash");

    log_in(&mut o, &binh);
    log_in(&mut o, &binh);
    assert_eq!(
        accounts::end_sessions(&mut o.conn, &o.actor, "binh").unwrap(),
        2
    );
    assert_eq!(open_sessions(&mut o, &binh), 0);
    assert_eq!(
        accounts::end_sessions(&mut o.conn, &o.actor, "binh").unwrap(),
        0
    );
    let kinds = o.event_kinds("user", &binh.id);
    assert_eq!(kinds.last(), Some(&EventKind::UserSessionsEnded));
    assert!(matches!(
        accounts::end_sessions(&mut o.conn, &o.actor, "nobody"),
        Err(AdminError::NotFound("user"))
    ));
}

fn nobody_locks_out_themselves_or_the_last_administrator(backend: Backend) {
    let mut o = Office::new(backend);
    let off = Changes {
        active: Some(false),
        ..Changes::default()
    };
    let r = o.update("admin", &off, None);
    assert!(conflict(r).contains("your own account"));
    // From the command line (nobody logged in): still the last one.
    let demote = Changes {
        role: Some(Role::Supervisor),
        ..Changes::default()
    };
    let r = o.update_from_cli("admin", &demote);
    assert!(conflict(r).contains("last active administrator"));
    let admin_id = o.admin.id.clone();
    assert_eq!(o.event_kinds("user", &admin_id), [EventKind::UserCreated]);

    o.account("chau", "admin", DISTRICT);
    let (after, _) = o.update_from_cli("admin", &demote).unwrap();
    assert_eq!(after.role, Role::Supervisor);
}

fn a_change_that_names_nothing_or_fails_a_check_writes_nothing(backend: Backend) {
    let mut o = Office::new(backend);
    let binh = o.account("binh", "officer", COMMUNE);
    let r = o.update("binh", &Changes::default(), None);
    assert_eq!(invalid_fields(r), ["body"]);
    let wrong = Changes {
        full_name: Some("Trần Văn Bình".into()),
        agency_code: Some("H53.99".into()),
        email: Some(Some("not an address".into())),
        password: Some("short".into()),
        ..Changes::default()
    };
    let r = o.update("binh", &wrong, None);
    assert_eq!(invalid_fields(r), ["password", "agency_code", "email"]);
    let unchanged = users::find_by_username(&mut o.conn, "binh")
        .unwrap()
        .unwrap()
        .0;
    assert_eq!(unchanged.full_name, "Staff binh");
    assert_eq!(o.event_kinds("user", &binh.id), [EventKind::UserCreated]);

    let moved = Changes {
        agency_code: Some(DISTRICT.into()),
        email: Some(None),
        ..Changes::default()
    };
    let (after, _) = o.update("binh", &moved, None).unwrap();
    assert_eq!((after.agency.as_str(), after.email), (DISTRICT, None));
    let r = o.update("nobody", &moved, None);
    assert!(matches!(r, Err(AdminError::NotFound("user"))));
}

// ------------------------------------------------------------- sessions

fn failed_log_ins_lock_the_account_and_a_right_password_waits_out_the_lock(backend: Backend) {
    let mut o = Office::new(backend);
    let binh = o.account("binh", "officer", COMMUNE);
    let free = Policy::LOGIN_ACCOUNT.free;
    for i in 1..free {
        let out = sessions::log_in(&mut o.conn, attempt(Some(&binh), false, "binh")).unwrap();
        assert!(matches!(out, Outcome::Wrong), "attempt {i}");
    }
    // The attempt that reaches the allowance is answered as wrong and
    // locks the account; a right password during the lock is refused.
    let out = sessions::log_in(&mut o.conn, attempt(Some(&binh), false, "binh")).unwrap();
    assert!(matches!(out, Outcome::Wrong));
    let Outcome::Locked(until) = log_in(&mut o, &binh) else {
        panic!("a right password during a lock must wait")
    };
    let lock = Duration::seconds(Policy::LOGIN_ACCOUNT.base_lock_seconds);
    assert!(
        until > time::now() && until - time::now() <= lock,
        "{until}"
    );
    assert_eq!(open_sessions(&mut o, &binh), 0);

    o.clock.advance(Duration::seconds(
        Policy::LOGIN_ACCOUNT.base_lock_seconds + 1,
    ));
    let Outcome::Opened(session) = log_in(&mut o, &binh) else {
        panic!("the lock has passed")
    };
    // The account's count starts again: one wrong password does not lock.
    let out = sessions::log_in(&mut o.conn, attempt(Some(&binh), false, "binh")).unwrap();
    assert!(matches!(out, Outcome::Wrong));
    assert!(matches!(log_in(&mut o, &binh), Outcome::Opened(_)));

    // An unknown name counts like a wrong password, on the name tried.
    let out = sessions::log_in(&mut o.conn, attempt(None, false, "ghost")).unwrap();
    assert!(matches!(out, Outcome::Wrong));
    assert_eq!(
        o.event_kinds("login", "ghost"),
        [EventKind::AuthLoginFailed]
    );

    sessions::log_out(&mut o.conn, &o.actor, &binh.id, &session.id).unwrap();
    assert_eq!(open_sessions(&mut o, &binh), 1);
    let kinds = o.event_kinds("user", &binh.id);
    assert_eq!(kinds.last(), Some(&EventKind::AuthLogout));
}

// ------------------------------------------------------------- agencies

fn the_agency_hierarchy_stays_a_tree(backend: Backend) {
    let mut o = Office::new(backend);
    let own = agencies::check(COMMUNE, agency_input(COMMUNE, "commune", Some(COMMUNE)));
    assert_eq!(invalid_fields(own), ["parent_code"]);
    let bad = agencies::check("bad code", from(json!({"name": " ", "level": "commune"})));
    let mut fields = invalid_fields(bad);
    fields.sort();
    assert_eq!(fields, ["code", "name"]);

    // The district under its own commune would be a loop.
    let looped = agencies::check(DISTRICT, agency_input(DISTRICT, "district", Some(COMMUNE)));
    let r = agencies::save(&mut o.conn, &o.actor, looped.unwrap(), Save::Update);
    assert_eq!(invalid_fields(r), ["parent_code"]);
    let orphan = agencies::check("H53.60", agency_input("H53.60", "district", Some("H53.99")));
    let r = agencies::save(&mut o.conn, &o.actor, orphan.unwrap(), Save::Create);
    assert_eq!(invalid_fields(r), ["parent_code"]);
    let unknown = agencies::check("H53.61", agency_input("H53.61", "district", None));
    let r = agencies::save(&mut o.conn, &o.actor, unknown.unwrap(), Save::Update);
    assert!(matches!(r, Err(AdminError::NotFound("agency"))));
    assert_eq!(
        o.event_kinds("agency", DISTRICT),
        [EventKind::AgencyCreated]
    );

    let renamed = agencies::check(
        COMMUNE,
        from(
            json!({"name": "Ủy ban nhân dân xã An Trường A", "level": "commune", "parent_code": DISTRICT}),
        ),
    );
    agencies::save(&mut o.conn, &o.actor, renamed.unwrap(), Save::Update).unwrap();
    assert_eq!(
        o.event_kinds("agency", COMMUNE),
        [EventKind::AgencyCreated, EventKind::AgencyUpdated]
    );
    let twice = agencies::check(COMMUNE, agency_input(COMMUNE, "commune", Some(DISTRICT)));
    let r = agencies::save(&mut o.conn, &o.actor, twice.unwrap(), Save::Create);
    assert!(matches!(r, Err(AdminError::Store(_))), "{r:?}");
}

// ------------------------------------------------------------ catalogue

fn procedure_input(code: &str, agency: &str, members: &[&str]) -> ProcedureInput {
    from(json!({
        "code": code,
        "name": format!("Thủ tục {code}"),
        "field": "Hộ tịch",
        "agency_code": agency,
        "duration": {"amount": 3, "unit": "working_days"},
        "required_documents": [{"code": "TK", "name": "Tờ khai", "original": 1, "copies": 0}],
        "members": members,
    }))
}

fn the_catalogue_checks_every_field_and_what_a_procedure_names(backend: Backend) {
    let mut o = Office::new(backend);
    let bad: ProcedureInput = from(json!({
        "name": "", "field": "Hộ tịch", "agency_code": COMMUNE,
        "duration": {"amount": 1, "unit": "same_day", "cutoff": "25:00"},
        "fees": {"amount_vnd": -1},
        "required_documents": [
            {"code": "TK", "name": "Tờ khai", "original": 0, "copies": 0},
            {"code": "TK", "name": "", "original": 1, "copies": 0}],
    }));
    let mut fields = invalid_fields(catalogue::check("1.000894", bad));
    fields.sort();
    assert_eq!(
        fields,
        [
            // A same-day time without a valid cut-off is no duration.
            "duration",
            "duration.cutoff",
            "fees.amount_vnd",
            "name",
            "required_documents[0]",
            "required_documents[1].code",
            "required_documents[1].name",
        ]
    );

    let marriage = catalogue::check("1.000894", procedure_input("1.000894", COMMUNE, &[]));
    let saved = catalogue::save(&mut o.conn, &o.actor, marriage.unwrap(), Save::Create).unwrap();
    assert_eq!(saved.version, 1);
    let stray = catalogue::check("1.000895", procedure_input("1.000895", "H53.99", &[]));
    let r = catalogue::save(&mut o.conn, &o.actor, stray.unwrap(), Save::Create);
    assert_eq!(invalid_fields(r), ["agency_code"]);
    let group = catalogue::check("LT.1", procedure_input("LT.1", COMMUNE, &["1.000894"]));
    catalogue::save(&mut o.conn, &o.actor, group.unwrap(), Save::Create).unwrap();
    for (code, members, field) in [
        ("LT.2", vec!["LT.1"], "members[0]"),
        ("LT.3", vec!["1.000894", "9.999999"], "members[1]"),
    ] {
        let p = catalogue::check(code, procedure_input(code, COMMUNE, &members));
        let r = catalogue::save(&mut o.conn, &o.actor, p.unwrap(), Save::Create);
        assert_eq!(invalid_fields(r), [field], "{code}");
        assert!(procedures::get(&mut o.conn, code).unwrap().is_none());
    }
    let again = catalogue::check("1.000894", procedure_input("1.000894", COMMUNE, &[]));
    let r = catalogue::save(&mut o.conn, &o.actor, again.unwrap(), Save::Create);
    assert!(conflict(r).contains("already exists"));

    let reformed = catalogue::check("1.000894", procedure_input("1.000894", DISTRICT, &[]));
    let v2 = catalogue::save(&mut o.conn, &o.actor, reformed.unwrap(), Save::Update).unwrap();
    assert_eq!((v2.version, v2.agency.as_str()), (2, DISTRICT));
    assert_eq!(
        o.event_kinds("procedure", "1.000894"),
        [EventKind::ProcedureCreated, EventKind::ProcedureUpdated]
    );
    let unknown = catalogue::check("1.000896", procedure_input("1.000896", COMMUNE, &[]));
    let r = catalogue::save(&mut o.conn, &o.actor, unknown.unwrap(), Save::Update);
    assert!(matches!(r, Err(AdminError::NotFound("procedure"))));
}

/// The catalogue as a workbook on a real database: the workbook of the
/// export (a procedure with cases among the rest) reads back as the JSON
/// export, imports as no change at all, and a problem the import's checks
/// find is named by sheet and row, a case's too.
fn the_catalogue_workbook_is_the_json_export(backend: Backend) {
    let mut o = Office::new(backend);
    let file: CatalogueFile = from(json!({
        "format": "motcua-catalogue/1", "agencies": [],
        "procedures": [
            procedure_input("1.000894", COMMUNE, &[]),
            {"code": "2.000720", "name": "=1+1", "field": "Hộ kinh doanh", "agency_code": DISTRICT,
             "duration": {"amount": 0, "unit": "same_day", "cutoff": "15:30"},
             "fees": {"amount_vnd": 100000, "note": "Lệ phí"},
             "required_documents": [
                {"code": "GDN", "name": "Giấy đề nghị", "original": 1, "copies": 0},
                {"code": "CC", "name": "Căn cước", "original": 0, "copies": 1, "optional": true}],
             "service_level": "fully_online", "supplement_policy": "restart",
             "steps": [{"name": "Thẩm định", "agency_code": DISTRICT, "role": "officer", "share_percent": 70},
                       {"name": "Xác minh", "agency_code": COMMUNE, "role": "officer", "share_percent": 30}],
             "compliance": {"documents": [{"code": "CC", "minutes": 5}, {"code": "GDN", "minutes": 30}],
                "visits": 2, "travel_minutes": 60,
                "outside_services": [{"name": "Chứng thực", "amount_vnd": 4000}]}},
            procedure_input("LT.1", COMMUNE, &["1.000894", "2.000720"]),
        ]
    }));
    let none = &mut || {};
    catalogue_file::import(&mut o.conn, &o.actor, file, none).unwrap();
    // Entered by an administrator: two cases, one with an online time
    // limit, its own documents and plan.
    let permit: ProcedureInput = from(json!({
        "code": "2.001000", "name": "Cấp giấy phép xây dựng", "field": "Xây dựng",
        "agency_code": DISTRICT, "duration": {"amount": 15, "unit": "working_days"},
        "required_documents": [{"code": "DON", "name": "Đơn", "original": 1, "copies": 0}],
        "cases": [
            {"code": "nong-thon", "name": "Nhà ở nông thôn",
             "duration": {"amount": 10, "unit": "working_days"},
             "online_duration": {"amount": 7, "unit": "working_days"},
             "fees": {"amount_vnd": 50000, "note": "Lệ phí"},
             "required_documents": [
                {"code": "DON", "name": "Đơn", "original": 1, "copies": 0},
                {"code": "BV", "name": "Bản vẽ", "original": 0, "copies": 2, "optional": true}],
             "steps": [{"name": "Thẩm định", "agency_code": DISTRICT, "role": "officer", "share_percent": 60},
                       {"name": "Xác minh", "agency_code": COMMUNE, "role": "officer", "share_percent": 40}]},
            {"code": "do-thi", "name": "Nhà ở đô thị",
             "duration": {"amount": 15, "unit": "working_days"},
             "fees": {"amount_vnd": 75000},
             "required_documents": [{"code": "DON", "name": "Đơn", "original": 1, "copies": 0}]}],
    }));
    let permit = catalogue::check("2.001000", permit).unwrap();
    catalogue::save(&mut o.conn, &o.actor, permit, Save::Create).unwrap();
    let exported = catalogue_file::export(&mut o.conn, time::now()).unwrap();
    let book = catalogue_sheet::to_xlsx(&exported).unwrap();
    let read = catalogue_sheet::read(&book).unwrap();
    let json = |f: &CatalogueFile| {
        let v = serde_json::to_value(f).unwrap();
        (v["agencies"].clone(), v["procedures"].clone())
    };
    assert_eq!(json(&read.file), json(&exported));
    assert_eq!(exported.procedures[2].cases.len(), 2);
    assert_eq!(read.rows(), 2 + 4);
    let summary = catalogue_sheet::import(&mut o.conn, &o.actor, read, none).unwrap();
    assert_eq!(
        (summary.agencies.unchanged, summary.procedures.unchanged),
        (2, 4)
    );
    assert_eq!(summary.procedures.updated + summary.procedures.created, 0);
    assert_eq!(
        procedures::get(&mut o.conn, "2.000720")
            .unwrap()
            .unwrap()
            .version,
        1
    );

    // Procedures sorted by code: 1.000894 on row 2, 2.000720 on row 3;
    // 2.000720's steps on rows 2 and 3 of theirs; 2.001000's cases on
    // rows 2 and 3 of theirs, its first case's documents on rows 2 and 3.
    let mut refused = |change: &dyn Fn(&mut CatalogueFile)| {
        let mut file = exported.clone();
        change(&mut file);
        let read = catalogue_sheet::read(&catalogue_sheet::to_xlsx(&file).unwrap()).unwrap();
        invalid_fields(catalogue_sheet::import(&mut o.conn, &o.actor, read, none))
    };
    assert_eq!(
        refused(&|f| f.procedures[1].name = " ".into()),
        ["procedures row 3: name"]
    );
    assert_eq!(
        refused(&|f| f.procedures[1].steps[1].agency_code = "H53.99".into()),
        ["steps row 3: agency_code"]
    );
    assert_eq!(
        refused(&|f| f.procedures[1].required_documents[1].copies = 0),
        ["documents row 4"]
    );
    assert_eq!(
        refused(&|f| f.procedures[2].cases[1].duration.amount = 0),
        ["cases row 3: duration"]
    );
    assert_eq!(
        refused(&|f| f.procedures[2].cases[0].required_documents[1].name = " ".into()),
        ["case_documents row 3: name"]
    );
    assert_eq!(
        procedures::get(&mut o.conn, "2.001000")
            .unwrap()
            .unwrap()
            .cases
            .len(),
        2
    );
    assert_eq!(
        procedures::get(&mut o.conn, "2.000720")
            .unwrap()
            .unwrap()
            .version,
        1
    );
}

on_both_backends!(
    the_catalogue_workbook_is_the_json_export,
    a_new_account_is_checked_whole_and_recorded_with_its_event,
    disabling_an_account_ends_its_sessions_and_refuses_the_next_log_in,
    a_new_password_ends_sessions_and_an_administrator_can_end_them_all,
    nobody_locks_out_themselves_or_the_last_administrator,
    a_change_that_names_nothing_or_fails_a_check_writes_nothing,
    failed_log_ins_lock_the_account_and_a_right_password_waits_out_the_lock,
    the_agency_hierarchy_stays_a_tree,
    the_catalogue_checks_every_field_and_what_a_procedure_names,
);
