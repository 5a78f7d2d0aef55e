//! The `motcua serve` binary itself, as an operator runs it: its own
//! process, configured by flags, with a real SMTP server beside it. The
//! other end-to-end tests start the server in-process through the harness;
//! this one checks what only the command line wires up, such as the
//! background jobs (a server once came up without its outbox worker, and
//! mail waited forever while every in-process test passed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
#[path = "../crates/notify/tests/common/sink.rs"]
mod sink;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use calamine::Data;
use common::workbook::{cells, column, row, sheet, workbook};
use common::{birth_registration, Backend, ScratchDb};
use serde_json::{json, Value};
use sink::{free_port, Sink};

/// The server process, killed when dropped.
struct Serve {
    child: Child,
    base: String,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(database_url: &str, smtp_port: u16) -> Serve {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_motcua"))
        .args(["serve", "--demo", "--bind", &format!("127.0.0.1:{port}")])
        .args(["--database-url", database_url])
        .args(["--smtp-port", &smtp_port.to_string()])
        .env("MOTCUA_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let server = Serve {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while ureq::get(&format!("{}/healthz", server.base))
        .call()
        .is_err()
    {
        assert!(Instant::now() < deadline, "motcua serve did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

fn the_served_binary_sends_the_receipt_mail(backend: Backend) {
    let db = ScratchDb::new(backend);
    let sink = Sink::start();
    let server = serve(&db.url, sink.port);
    let token: Value = ureq::post(&format!("{}/api/v1/auth/token", server.base))
        .send_json(json!({"username": "clerk", "password": "demo"}))
        .unwrap()
        .into_json()
        .unwrap();
    let received: Value = ureq::post(&format!("{}/api/v1/dossiers", server.base))
        .set(
            "Authorization",
            &format!("Bearer {}", token["access_token"].as_str().unwrap()),
        )
        .send_json(birth_registration())
        .unwrap()
        .into_json()
        .unwrap();
    let code = received["code"].as_str().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let mails = sink.messages();
        if let Some(m) = mails.iter().find(|m| m["rcpt_tos"][0] == "an@example.vn") {
            assert!(
                m.to_string().contains(code),
                "the receipt names {code}: {m}"
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no receipt mail reached the SMTP server in 30 s: {mails:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn token(base: &str, user: &str) -> String {
    let answer: Value = ureq::post(&format!("{base}/api/v1/auth/token"))
        .send_json(json!({"username": user, "password": "demo"}))
        .unwrap()
        .into_json()
        .unwrap();
    answer["access_token"].as_str().unwrap().to_string()
}

/// `motcua catalogue export` writes the file `GET /api/v1/catalogue/export`
/// answers an administrator: agencies parents first, procedures members
/// before their groups, each as an administrator enters it; as JSON and
/// as a workbook, each read back by `motcua catalogue import`.
fn the_binary_exports_the_catalogue_the_api_exports(backend: Backend) {
    let db = ScratchDb::new(backend);
    let sink = Sink::start();
    let server = serve(&db.url, sink.port);
    let export = |user: &str| {
        ureq::get(&format!("{}/api/v1/catalogue/export", server.base))
            .set(
                "Authorization",
                &format!("Bearer {}", token(&server.base, user)),
            )
            .call()
            .map_err(Box::new)
    };
    match export("clerk") {
        Err(e) if matches!(*e, ureq::Error::Status(403, _)) => {}
        other => panic!("a clerk exported the catalogue: {other:?}"),
    }
    let answer = export("admin").unwrap();
    assert!(answer
        .header("Content-Disposition")
        .unwrap()
        .contains("danh-muc-thu-tuc-"));
    let api: Value = answer.into_json().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let export_to = |name: &str| {
        let path = dir.path().join(name);
        let status = Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["catalogue", "export", "--database-url", &db.url])
            .args(["--output", path.to_str().unwrap()])
            .env("MOTCUA_LOG", "warn")
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
        path
    };
    let path = export_to("catalogue.json");
    let file: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(file["format"], "motcua-catalogue/1");
    assert_eq!(file["agencies"], api["agencies"]);
    assert_eq!(file["procedures"], api["procedures"]);

    let codes = |list: &str| -> Vec<String> {
        file[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["code"].as_str().unwrap().to_string())
            .collect()
    };
    let agencies = codes("agencies");
    for a in file["agencies"].as_array().unwrap() {
        if let Some(parent) = a["parent_code"].as_str() {
            let at = |c: &str| agencies.iter().position(|x| x == c).unwrap();
            assert!(at(parent) < at(a["code"].as_str().unwrap()), "{a}");
        }
    }
    let procedures = codes("procedures");
    let group = file["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| !p["members"].as_array().unwrap().is_empty())
        .unwrap();
    let group_at = procedures.iter().position(|c| c == &group["code"]).unwrap();
    for m in group["members"].as_array().unwrap() {
        let at = procedures.iter().position(|c| m == c).unwrap();
        assert!(at < group_at, "member {m} after its group");
    }
    let business = file["procedures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "2.000720")
        .unwrap();
    assert_eq!(business["compliance"]["visits"], 2);
    assert_eq!(business["fees"]["amount_vnd"], 100000);

    // Imported back, the same file changes nothing; a bad one is refused
    // with each row named, and the command fails.
    let import = |path: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["catalogue", "import", "--quiet", "--database-url", &db.url])
            .arg(path)
            .env("MOTCUA_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = import(&path);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "{} unchanged; procedures: 0 created, 0 changed, {} unchanged",
            agencies.len(),
            procedures.len()
        )),
        "{said}"
    );
    let mut bad = file.clone();
    bad["procedures"][1]["agency_code"] = json!("not an agency code");
    let bad_path = dir.path().join("bad.json");
    std::fs::write(&bad_path, serde_json::to_vec(&bad).unwrap()).unwrap();
    let out = import(&bad_path);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("procedures[1].agency_code"), "{said}");
    assert!(said.contains("nothing was imported"), "{said}");

    // As a workbook: the command writes the API's workbook (the format
    // told by the name), which imports back unchanged, and an edited one
    // (told by its content) publishes the procedure's next version.
    let book_path = export_to("catalogue.xlsx");
    let book = std::fs::read(&book_path).unwrap();
    let api = ureq::get(&format!(
        "{}/api/v1/catalogue/export?format=xlsx",
        server.base
    ))
    .set(
        "Authorization",
        &format!("Bearer {}", token(&server.base, "admin")),
    )
    .call()
    .unwrap();
    let mut api_book = Vec::new();
    std::io::Read::read_to_end(&mut api.into_reader(), &mut api_book).unwrap();
    assert_eq!(cells(&book), cells(&api_book));
    let out = import(&book_path);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(&format!(
            "procedures: 0 created, 0 changed, {} unchanged",
            procedures.len()
        )),
        "{said}"
    );
    let mut sheets = cells(&book);
    let rows = sheet(&mut sheets, "procedures");
    let (at, name) = (row(rows, "2.000720"), column(rows, "name"));
    rows[at][name] = Data::String("Đăng ký hộ kinh doanh".into());
    let edited = dir.path().join("edited.bin");
    std::fs::write(&edited, workbook(&sheets)).unwrap();
    let out = import(&edited);
    assert!(out.status.success(), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("procedures: 0 created, 1 changed"), "{said}");
    let business: Value = ureq::get(&format!("{}/api/v1/procedures/2.000720", server.base))
        .call()
        .unwrap()
        .into_json()
        .unwrap();
    assert_eq!(
        (&business["version"], &business["name"]),
        (&json!(2), &json!("Đăng ký hộ kinh doanh"))
    );
    let rows = sheet(&mut sheets, "procedures");
    let amount = column(rows, "duration_amount");
    rows[at][amount] = Data::String("ba".into());
    std::fs::write(&edited, workbook(&sheets)).unwrap();
    let out = import(&edited);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(&format!(
            "procedures row {}: duration_amount: not a number",
            at + 1
        )),
        "{said}"
    );
}

on_both_backends!(
    the_served_binary_sends_the_receipt_mail,
    the_binary_exports_the_catalogue_the_api_exports,
);
