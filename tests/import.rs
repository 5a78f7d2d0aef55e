//! Moving in from an older system over HTTP on both databases
//! (docs/import.md): an administrator imports dossiers as JSON and as a
//! workbook; the old codes are kept, the staff view marks them imported
//! and its clock tells the old appointment; importing again changes
//! nothing; a bad file is refused whole with every problem named by its
//! row; the results report counts them, also from its roll-up; only
//! administrators may import; and `motcua import dossiers` does the same
//! from the command line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::{Command, Stdio};

use calamine::Data;
use common::workbook::{workbook, XLSX};
use common::{birth_registration, count, Backend, TestServer};
use serde_json::{json, Value};

const COMMUNE: &str = "H53.50.05.13";
const BIRTH: &str = "1.001193";
const PATH: &str = "/api/v1/imports/dossiers";

fn dossier(code: &str, status: &str, times: [Option<&str>; 4]) -> Value {
    let [received, due, finished, returned] = times;
    let mut d = json!({
        "code": code, "procedure_code": BIRTH,
        "applicant": {"name": "Phạm Thị Cũ", "id_number": "001190054321", "phone": "0912 000 111"},
        "receiving_agency": COMMUNE, "status": status,
        "received_at": received, "due_at": due,
    });
    if let Some(f) = finished {
        d["finished_at"] = json!(f);
    }
    if let Some(r) = returned {
        d["returned_at"] = json!(r);
    }
    d
}

/// November 2026 in the old system: one returned early, one processed
/// late, one still being processed (with its history), one waiting for a
/// supplement.
fn november() -> Value {
    let mut open = dossier(
        "OLD.2026-0003",
        "processing",
        [
            Some("2026-11-20T08:00:00+07:00"),
            Some("2026-12-20T17:00:00+07:00"),
            None,
            None,
        ],
    );
    open["history"] = json!([
        {"at": "2026-11-20T08:00:00+07:00", "action": "Tiếp nhận", "agency": COMMUNE},
        {"at": "2026-11-21T14:30:00+07:00", "action": "Chuyển xử lý", "note": "Công chức tư pháp"}
    ]);
    json!({"format": "motcua-dossiers/1", "batch": "Hệ thống cũ, tháng 11", "dossiers": [
        dossier("OLD.2026-0001", "returned", [Some("2026-11-02T08:00:00+07:00"),
            Some("2026-11-06T17:00:00+07:00"), Some("2026-11-05T10:00:00+07:00"),
            Some("2026-11-06T09:00:00+07:00")]),
        dossier("OLD.2026-0002", "processed", [Some("2026-11-03T08:00:00+07:00"),
            Some("2026-11-05T17:00:00+07:00"), Some("2026-11-10T10:00:00+07:00"), None]),
        open,
        dossier("OLD.2026-0004", "supplement_requested", [Some("2026-11-25T01:00:00Z"),
            Some("2026-12-10T10:00:00Z"), None, None]),
    ]})
}

fn report(s: &TestServer, token: &str) -> Value {
    let r = s.get("/api/v1/reports/results?period=2026-11", Some(token));
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

fn n(v: &Value, field: &str) -> u64 {
    v["total"][field].as_u64().unwrap()
}

/// The fields of a 422's errors.
fn fields(r: &common::Response) -> Vec<String> {
    r.json["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", r.text))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect()
}

fn imports_are_kept_marked_and_counted(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let supervisor = s.login("supervisor");
    // The breach job rolls the months over up (to November).
    let r = s.post("/api/v1/breaches/scan", Some(&admin), &json!({}));
    assert_eq!(r.status, 200, "{}", r.text);
    let before = report(&s, &supervisor);
    assert_eq!(before["rolled_up_through"], "2026-11", "{before}");
    let dossiers_before = count(&mut s.conn(), "dossiers");

    // Checked and counted only.
    let r = s.post(&format!("{PATH}?dry_run=true"), Some(&admin), &november());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json["created"], 4);
    assert_eq!(r.json["dry_run"], true);
    assert_eq!(count(&mut s.conn(), "dossiers"), dossiers_before);

    let r = s.post(PATH, Some(&admin), &november());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (&r.json["rows"], &r.json["created"], &r.json["unchanged"]),
        (&json!(4), &json!(4), &json!(0))
    );
    assert_eq!(r.json["batch"], "Hệ thống cũ, tháng 11");
    // Twice: nothing changes, whatever the batch label.
    let r = s.post(&format!("{PATH}?batch=again"), Some(&admin), &november());
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (&r.json["created"], &r.json["unchanged"]),
        (&json!(0), &json!(4))
    );
    assert_eq!(count(&mut s.conn(), "dossiers"), dossiers_before + 4);

    // The staff view: the old code, marked, the old appointment.
    let clerk = s.login("clerk");
    let v = s.get("/api/v1/dossiers/OLD.2026-0003", Some(&clerk));
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.json["imported"]["batch"], "Hệ thống cũ, tháng 11");
    assert_eq!(v.json["status"], "processing");
    assert_eq!(v.json["due_at"], "2026-12-20T10:00:00Z");
    assert_eq!(
        v.json["clock"]["steps"][0]["cause"], "imported",
        "{}",
        v.json["clock"]
    );
    let history = v.json["history"].as_array().unwrap();
    let imported = history
        .iter()
        .find(|e| e["kind"] == "dossier.imported")
        .unwrap_or_else(|| panic!("{}", v.json["history"]));
    assert_eq!(imported["data"]["history"][1]["action"], "Chuyển xử lý");
    // Waiting for a supplement: the clock stopped.
    let v = s.get("/api/v1/dossiers/OLD.2026-0004", Some(&clerk));
    assert_eq!(v.json["clock"]["paused"], true, "{}", v.json["clock"]);
    // A dossier received here is not marked.
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let here = r.json["code"].as_str().unwrap().to_string();
    let v = s.get(&format!("/api/v1/dossiers/{here}"), Some(&clerk));
    assert_eq!(v.json["imported"], Value::Null);

    // The report of November counts them, from the roll-up too.
    let after = report(&s, &supervisor);
    assert_eq!(after["rolled_up_through"], "2026-11", "{after}");
    for (field, more) in [
        ("received", 4),
        ("handled", 2),
        ("handled_early", 1),
        ("handled_late", 1),
        ("open", 2),
    ] {
        assert_eq!(
            n(&after, field),
            n(&before, field) + more,
            "{field}: {after}"
        );
    }
    // The same counted from the dossiers.
    s.sql("UPDATE report_rollup_meta SET ready = false");
    let counted = report(&s, &supervisor);
    assert_eq!(counted["total"], after["total"]);
    // Closed in the older system, not here: nothing to reopen.
    let r = s.post(
        "/api/v1/dossiers/OLD.2026-0001/reopen",
        Some(&supervisor),
        &json!({"reason": "Nhầm"}),
    );
    r.assert_problem(409, "conflict");
}

fn a_bad_file_is_refused_whole(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let clerk = s.login("clerk");
    let r = s.post("/api/v1/dossiers", Some(&clerk), &birth_registration());
    let here = r.json["code"].as_str().unwrap().to_string();
    let r = s.post(PATH, Some(&admin), &november());
    assert_eq!(r.status, 200, "{}", r.text);
    let dossiers_before = count(&mut s.conn(), "dossiers");
    let events_before = count(&mut s.conn(), "events");

    let mut file = november();
    let list = file["dossiers"].as_array_mut().unwrap();
    let mut changed = list[0].clone();
    changed["applicant"]["name"] = json!("Tên Khác");
    let good = [
        Some("2026-11-02T08:00:00+07:00"),
        Some("2026-11-06T17:00:00+07:00"),
        None,
        None,
    ];
    *list = vec![
        dossier("NEW-1", "finished", good),
        dossier(
            "NEW-2",
            "processed",
            [
                Some("2026-11-02T08:00:00+07:00"),
                Some("2026-11-06T17:00:00+07:00"),
                Some("2026-11-01T08:00:00+07:00"),
                None,
            ],
        ),
        {
            let mut d = dossier("NEW-3", "received", good);
            d["procedure_code"] = json!("9.999999");
            d
        },
        dossier("NEW-1", "received", good),
        dossier(
            "NEW-5",
            "received",
            [
                Some("2026-11-02 08:00"),
                Some("2026-11-06T17:00:00+07:00"),
                None,
                None,
            ],
        ),
        dossier(&here, "received", good),
        changed,
        dossier(
            "NEW-8",
            "processing",
            [
                Some("2026-11-02T08:00:00+07:00"),
                Some("2026-11-06T17:00:00+07:00"),
                Some("2026-11-04T08:00:00+07:00"),
                None,
            ],
        ),
        dossier("NEW-9", "received", good),
    ];
    let r = s.post(PATH, Some(&admin), &file);
    r.assert_problem(422, "validation");
    let got = fields(&r);
    for field in [
        "row 1: status",
        "row 2: finished_at",
        "row 3: procedure_code",
        "row 4: code",
        "row 5: received_at",
        "row 6: code",
        "row 7: code",
        "row 8: finished_at",
    ] {
        assert!(
            got.iter().any(|f| f == field),
            "{field} missing: {}",
            r.text
        );
    }
    assert!(!got.iter().any(|f| f.starts_with("row 9")), "{}", r.text);
    assert!(r.text.contains("row 1"), "{}", r.text);
    // Nothing written, not even the good row.
    assert_eq!(count(&mut s.conn(), "dossiers"), dossiers_before);
    assert_eq!(count(&mut s.conn(), "events"), events_before);

    // A file that is not one, or of another shape.
    let r = s.send(
        "POST",
        PATH,
        Some(&admin),
        &[("Content-Type", "application/json")],
        Some("{"),
    );
    assert_eq!(r.status, 422, "{}", r.text);
    let r = s.send(
        "POST",
        PATH,
        Some(&admin),
        &[("Content-Type", "text/csv")],
        Some("a,b"),
    );
    r.assert_problem(415, "unsupported-media-type");
    let r = s.post(
        PATH,
        Some(&admin),
        &json!({"format": "x", "dossiers": [{"code": 1}]}),
    );
    assert_eq!(fields(&r), ["format", "row 1"]);
}

/// A workbook: a sheet of dossiers, a sheet of their history.
fn a_workbook_is_imported(backend: Backend) {
    let s = TestServer::start(backend);
    let admin = s.login("admin");
    let text = |v: &str| Data::String(v.into());
    let header: Vec<Data> = [
        "code",
        "procedure_code",
        "applicant_name",
        "applicant_id_number",
        "applicant_phone",
        "applicant_email",
        "applicant_address",
        "receiving_agency",
        "handling_agency",
        "channel",
        "status",
        "received_at",
        "due_at",
        "finished_at",
        "returned_at",
        "note",
    ]
    .map(text)
    .to_vec();
    let row = |code: &str, status: &str| -> Vec<Data> {
        [
            code,
            BIRTH,
            "Võ Văn Sổ",
            "001090011111",
            "",
            "",
            "",
            COMMUNE,
            "",
            "post",
            status,
            "2026-10-05T09:00:00+07:00",
            "2026-10-09T17:00:00+07:00",
            "",
            "",
            "Sổ cũ",
        ]
        .map(text)
        .to_vec()
    };
    let history = vec![
        ["dossier_code", "at", "action", "agency", "note"]
            .map(text)
            .to_vec(),
        [
            "XL-1",
            "2026-10-05T09:00:00+07:00",
            "Tiếp nhận",
            COMMUNE,
            "",
        ]
        .map(text)
        .to_vec(),
    ];
    let book = |rows: Vec<Vec<Data>>, history: Vec<Vec<Data>>| {
        workbook(&vec![
            ("dossiers".into(), rows),
            ("history".into(), history),
        ])
    };
    let post = |bytes: &[u8]| {
        let raw = s.send_raw(
            "POST",
            PATH,
            Some(&admin),
            &[("Content-Type", XLSX)],
            Some(bytes),
        );
        let json: Value = serde_json::from_slice(&raw.bytes).unwrap();
        (raw.status, json)
    };
    // A bad status, a history row of no dossier: named by sheet and row.
    let mut bad_history = history.clone();
    bad_history.push(
        ["XL-9", "2026-10-05T09:00:00+07:00", "?", "", ""]
            .map(text)
            .to_vec(),
    );
    let (status, body) = post(&book(
        vec![
            header.clone(),
            row("XL-1", "received"),
            row("XL-2", "archived"),
        ],
        bad_history,
    ));
    assert_eq!(status, 422, "{body}");
    let got: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(got.contains(&"dossiers row 3: status"), "{body}");
    assert!(got.contains(&"history row 3: dossier_code"), "{body}");

    let (status, body) = post(&book(
        vec![
            header.clone(),
            row("XL-1", "received"),
            row("XL-2", "processing"),
        ],
        history.clone(),
    ));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["created"], 2);
    let clerk = s.login("clerk");
    let v = s.get("/api/v1/dossiers/XL-1", Some(&clerk));
    assert_eq!(v.json["channel"], "post");
    assert_eq!(v.json["note"], "Sổ cũ");
    // The same dossiers as JSON are the same dossiers.
    let (status, body) = post(&book(vec![header, row("XL-1", "received")], history));
    assert_eq!((status, &body["unchanged"]), (200, &json!(1)), "{body}");
}

fn only_administrators_import(backend: Backend) {
    let s = TestServer::start(backend);
    for who in ["clerk", "officer", "supervisor"] {
        let token = s.login(who);
        let r = s.post(PATH, Some(&token), &november());
        r.assert_problem(403, "forbidden");
    }
    let r = s.post(PATH, None, &november());
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(
        s.get("/api/v1/dossiers/OLD.2026-0001", Some(&s.login("clerk")))
            .status,
        404
    );
}

/// `v` with every time moved so that November 2026's file ends before the
/// real now: the command line counts "not in the future" on the system's
/// clock (libfaketime's, when the suite runs at another instant), not on
/// the test server's.
fn recent(v: Value) -> Value {
    let end_of_file: chrono::DateTime<chrono::Utc> = "2026-11-26T00:00:00Z".parse().unwrap();
    let shift = chrono::Utc::now() - end_of_file;
    match v {
        Value::String(t) => match chrono::DateTime::parse_from_rfc3339(&t) {
            Ok(at) => Value::String((at + shift).to_rfc3339()),
            Err(_) => Value::String(t),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(recent).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, recent(x))).collect()),
        other => other,
    }
}

/// `motcua import dossiers` on a file, against the server's database.
fn the_command_line_imports(backend: Backend) {
    let s = TestServer::start(backend);
    let dir = tempfile::tempdir().unwrap();
    let run = |file: &std::path::Path, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args([
                "import",
                "dossiers",
                file.to_str().unwrap(),
                "--by",
                "admin",
            ])
            .args(["--database-url", &s.db_url])
            .args(extra)
            .env("MOTCUA_LOG", "warn")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let good = dir.path().join("cu.json");
    std::fs::write(&good, recent(november()).to_string()).unwrap();
    let out = run(&good, &["--dry-run"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 created, 0 unchanged, dry run"));
    let out = run(&good, &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 rows: 4 created, 0 unchanged"));
    let out = run(&good, &[]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("4 rows: 0 created, 4 unchanged"));
    let clerk = s.login("clerk");
    let v = s.get("/api/v1/dossiers/OLD.2026-0001", Some(&clerk));
    assert_eq!(v.json["status"], "returned", "{}", v.text);
    assert!(v.json["imported"]["batch"].is_string(), "{}", v.text);

    let mut file = recent(november());
    file["dossiers"][0]["status"] = json!("archived");
    file["dossiers"][2]["due_at"] = json!("soon");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, file.to_string()).unwrap();
    let out = run(&bad, &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("row 1: status: must be one of"), "{stderr}");
    assert!(stderr.contains("row 3: due_at"), "{stderr}");
    assert!(stderr.contains("nothing was imported"), "{stderr}");
}

on_both_backends!(
    imports_are_kept_marked_and_counted,
    a_bad_file_is_refused_whole,
    a_workbook_is_imported,
    only_administrators_import,
    the_command_line_imports,
);
