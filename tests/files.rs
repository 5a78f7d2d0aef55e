//! Digitised dossiers over HTTP, on both databases and both file storages
//! (a folder, and a real S3-compatible server: moto, see
//! `tests/common/s3.rs`): components uploaded at the desk and downloaded
//! by those who may see the dossier, the electronic result downloaded by
//! the citizen with the receipt's PIN, bad files refused with nothing
//! left behind, a file altered in the storage caught on download and by
//! `motcua files verify`, the sweep of uploads that never committed, the
//! removal of files after their retention, and identity documents linked
//! into a later dossier.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::Duration;
use common::{birth_registration, count, Backend, RawResponse, TestServer};
use serde_json::{json, Value};

#[derive(Clone, Copy, Debug)]
enum Files {
    Folder,
    S3,
}

fn server(backend: Backend, files: Files) -> TestServer {
    server_with(backend, files, |_| {})
}

fn server_with(
    backend: Backend,
    files: Files,
    tweak: impl FnOnce(&mut motcua_api::Config),
) -> TestServer {
    TestServer::start_with(backend, move |c| {
        if let Files::S3 = files {
            c.files_url = Some(common::s3::url());
        }
        tweak(c)
    })
}

use common::{multipart_file as multipart, sample_pdf as pdf, BOUNDARY};

fn upload(s: &TestServer, token: &str, code: &str, query: &str, name: &str, bytes: &[u8]) -> Value {
    let r = upload_raw(s, token, code, query, &multipart(name, bytes));
    serde_json::from_slice(&r.bytes)
        .unwrap_or(Value::Null)
        .as_object()
        .map(|o| {
            let mut o = o.clone();
            o.insert("_status".into(), json!(r.status));
            Value::Object(o)
        })
        .unwrap_or_else(|| json!({"_status": r.status}))
}

fn post_multipart(s: &TestServer, token: &str, path: &str, body: &[u8]) -> RawResponse {
    let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
    s.send_raw(
        "POST",
        path,
        Some(token),
        &[("Content-Type", &content_type)],
        Some(body),
    )
}

fn upload_raw(s: &TestServer, token: &str, code: &str, query: &str, body: &[u8]) -> RawResponse {
    post_multipart(
        s,
        token,
        &format!("/api/v1/dossiers/{code}/files?{query}"),
        body,
    )
}

fn problem(r: &RawResponse) -> Value {
    assert_eq!(
        r.headers.get("content-type").map(String::as_str),
        Some("application/problem+json"),
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    serde_json::from_slice(&r.bytes).unwrap()
}

fn events(s: &TestServer, admin: &str, kind: &str) -> Vec<Value> {
    let r = s.get(
        &format!("/api/v1/events?kind={kind}&limit=500"),
        Some(admin),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r.json["items"].as_array().unwrap().clone()
}

/// The demo's birth registration issues its result as a file.
fn electronic_birth_results(s: &TestServer, admin: &str) {
    let r = s.put(
        "/api/v1/procedures/1.001193/file-policy",
        Some(admin),
        &json!({"electronic_result": true, "retention_years": 5}),
    );
    assert_eq!(r.status, 200, "{}", r.text);
}

fn take_in(s: &TestServer, clerk: &str, applicant_id: &str) -> (String, String) {
    let mut body = birth_registration();
    body["applicant"]["id_number"] = json!(applicant_id);
    let r = s.post("/api/v1/dossiers", Some(clerk), &body);
    assert_eq!(r.status, 201, "{}", r.text);
    (
        r.json["code"].as_str().unwrap().to_string(),
        r.json["pin"].as_str().unwrap().to_string(),
    )
}

fn step(s: &TestServer, token: &str, code: &str, what: &str, body: Value) {
    let r = s.post(
        &format!("/api/v1/dossiers/{code}/{what}"),
        Some(token),
        &body,
    );
    assert!(r.status < 300, "{what}: {}", r.text);
}

fn components_results_and_downloads(backend: Backend, files: Files) {
    let s = server(backend, files);
    let (admin, clerk, officer) = (s.login("admin"), s.login("clerk"), s.login("officer"));
    electronic_birth_results(&s, &admin);
    let (code, pin) = take_in(&s, &clerk, "001090012345");

    // The clerk scans the declaration: stored with its hash, type and line.
    let form = pdf(40_000, 1);
    let up = upload(
        &s,
        &clerk,
        &code,
        "document=TK",
        "Tờ khai khai sinh.pdf",
        &form,
    );
    assert_eq!(up["_status"], 201, "{up}");
    assert_eq!(up["media_type"], "application/pdf");
    assert_eq!(up["size_bytes"], form.len());
    assert_eq!(up["document"], "TK");
    assert_eq!(up["purpose"], "component");
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&form))
    };
    assert_eq!(up["sha256"], sha);
    let id = up["id"].as_str().unwrap().to_string();

    // The same bytes again on the same line (a retry): the first upload.
    let again = upload(&s, &clerk, &code, "document=TK", "retry.pdf", &form);
    assert_eq!(again["_status"], 200);
    assert_eq!(again["id"], id.as_str());
    assert_eq!(count(&mut s.conn(), "files"), 1);

    // Listed, and downloaded whole with its type and its name.
    let list = s.get(&format!("/api/v1/dossiers/{code}/files"), Some(&clerk));
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.json["files"].as_array().unwrap().len(), 1);
    let url = format!("/api/v1/dossiers/{code}/files/{id}");
    let got = s.send_raw("GET", &url, Some(&officer), &[], None);
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, form);
    assert_eq!(got.headers["content-type"], "application/pdf");
    let disposition = &got.headers["content-disposition"];
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''T%E1%BB%9D%20khai"),
        "{disposition}"
    );
    assert_eq!(got.headers["x-content-type-options"], "nosniff");

    // No token, another agency's clerk, or the id under another dossier:
    // the URL alone grants nothing.
    assert_eq!(s.send_raw("GET", &url, None, &[], None).status, 401);
    let other = s.create_user(&admin, "clerk2", "clerk", "H53.50");
    assert_eq!(s.send_raw("GET", &url, Some(&other), &[], None).status, 403);
    let (code2, _) = take_in(&s, &clerk, "001090099999");
    let wrong = s.send_raw(
        "GET",
        &format!("/api/v1/dossiers/{code2}/files/{id}"),
        Some(&clerk),
        &[],
        None,
    );
    assert_eq!(problem(&wrong)["status"], 404);
    // Another agency's clerk cannot attach either.
    let r = upload_raw(
        &s,
        &other,
        &code,
        "document=TK",
        &multipart("x.pdf", &pdf(10, 2)),
    );
    assert_eq!(problem(&r)["status"], 403);

    // The birth certificate line completes the dossier's digitisation.
    let up = upload(
        &s,
        &clerk,
        &code,
        "document=GCS",
        "giay-chung-sinh.jpg",
        &jpeg(),
    );
    assert_eq!(up["_status"], 201, "{up}");
    assert_eq!(up["media_type"], "image/jpeg");

    // A result is not a clerk's, and not before processing.
    let r = upload_raw(
        &s,
        &officer,
        &code,
        "purpose=result",
        &multipart("kq.pdf", &pdf(100, 3)),
    );
    assert_eq!(problem(&r)["status"], 409);
    step(&s, &clerk, &code, "send", json!({}));
    step(&s, &officer, &code, "receive", json!({}));
    let r = upload_raw(
        &s,
        &clerk,
        &code,
        "purpose=result",
        &multipart("kq.pdf", &pdf(100, 3)),
    );
    assert_eq!(problem(&r)["status"], 403);
    let result = pdf(5_000, 4);
    let up = upload(
        &s,
        &officer,
        &code,
        "purpose=result",
        "Giấy khai sinh.pdf",
        &result,
    );
    assert_eq!(up["_status"], 201, "{up}");

    // The citizen sees it once it is ready, and downloads it with the PIN.
    let public = format!("/api/v1/public/dossiers/{code}/result?pin={pin}");
    let early = s.send_raw("GET", &public, None, &[], None);
    assert_eq!(problem(&early)["status"], 409);
    step(
        &s,
        &officer,
        &code,
        "processed",
        json!({"result": "Giấy khai sinh"}),
    );
    let view = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(view.json["result_file"]["name"], "Giấy khai sinh.pdf");
    let got = s.send_raw("GET", &public, None, &[], None);
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, result);
    let wrong_pin = format!("/api/v1/public/dossiers/{code}/result?pin=000000");
    assert_eq!(
        problem(&s.send_raw("GET", &wrong_pin, None, &[], None))["status"],
        404
    );

    // Every upload and download is an event.
    assert_eq!(events(&s, &admin, "file.uploaded").len(), 3);
    assert_eq!(events(&s, &admin, "file.downloaded").len(), 2);

    // The service index counts the digitised dossier and its result.
    let r = s.get("/api/v1/reports/index?period=2026-12", Some(&admin));
    assert_eq!(r.status, 200, "{}", r.text);
    let total = &r.json["total"]["measures"];
    let m = |code: &str| {
        total
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == code)
            .unwrap()
            .clone()
    };
    assert_eq!(
        (
            m("digitised_components")["numerator"].clone(),
            m("digitised_components")["denominator"].clone()
        ),
        (json!(1), json!(2))
    );
    assert_eq!(
        (
            m("electronic_results")["numerator"].clone(),
            m("electronic_results")["denominator"].clone()
        ),
        (json!(1), json!(1))
    );
}

/// A small JPEG: the start of image, a JFIF header, and the end marker.
fn jpeg() -> Vec<u8> {
    let mut v = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
    ];
    v.extend(std::iter::repeat_n(0x55u8, 2_000));
    v.extend_from_slice(&[0xFF, 0xD9]);
    v
}

/// Files in the folder storage (0 for S3, which the rows check instead).
fn stored_files(s: &TestServer) -> usize {
    if s.files_url.starts_with("s3://") {
        return 0;
    }
    fn walk(p: &std::path::Path) -> usize {
        std::fs::read_dir(p)
            .map(|d| {
                d.flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            walk(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
            .unwrap_or(0)
    }
    walk(std::path::Path::new(&s.files_url))
}

fn bad_files_are_refused_and_leave_nothing(backend: Backend, files: Files) {
    let s = server_with(backend, files, |c| {
        c.file_limits.max_file_bytes = 64 * 1024;
    });
    let clerk = s.login("clerk");
    let (code, _) = take_in(&s, &clerk, "001090012345");
    let good = pdf(1_000, 9);

    // A zip named .pdf: refused by its bytes.
    let zip = b"PK\x03\x04\x14\x00\x00\x00\x08\x00 a zip archive, not a scan".to_vec();
    let r = upload_raw(
        &s,
        &clerk,
        &code,
        "document=TK",
        &multipart("scan.pdf", &zip),
    );
    assert_eq!(problem(&r)["status"], 415);
    // A PDF cut short.
    let r = upload_raw(
        &s,
        &clerk,
        &code,
        "document=TK",
        &multipart("a.pdf", &good[..good.len() - 12]),
    );
    assert_eq!(problem(&r)["status"], 422);
    // Over the limit per file (streamed: refused as it goes).
    let r = upload_raw(
        &s,
        &clerk,
        &code,
        "document=TK",
        &multipart("big.pdf", &pdf(100 * 1024, 1)),
    );
    assert_eq!(
        problem(&r)["type"].as_str().unwrap().rsplit('/').next(),
        Some("file-too-large")
    );
    assert_eq!(problem(&r)["status"], 413);
    // The body cut before its closing boundary.
    let whole = multipart("a.pdf", &good);
    let r = upload_raw(&s, &clerk, &code, "document=TK", &whole[..whole.len() - 30]);
    assert_eq!(problem(&r)["status"], 400);
    // Names that try to be paths.
    for name in ["../../etc/passwd.pdf", "..\\\\x.pdf", "a/b.pdf"] {
        let r = upload_raw(&s, &clerk, &code, "document=TK", &multipart(name, &good));
        assert_eq!(problem(&r)["status"], 422, "{name}");
    }
    // A line the procedure does not list, and no line at all.
    let r = upload_raw(
        &s,
        &clerk,
        &code,
        "document=NOPE",
        &multipart("a.pdf", &good),
    );
    assert_eq!(problem(&r)["errors"][0]["field"], "document");
    let r = upload_raw(&s, &clerk, &code, "", &multipart("a.pdf", &good));
    assert_eq!(problem(&r)["status"], 422);
    // Not multipart at all; and an empty file.
    let r = s.send_raw(
        "POST",
        &format!("/api/v1/dossiers/{code}/files?document=TK"),
        Some(&clerk),
        &[("Content-Type", "application/json")],
        Some(b"{}"),
    );
    assert_eq!(problem(&r)["status"], 415);
    let r = upload_raw(
        &s,
        &clerk,
        &code,
        "document=TK",
        &multipart("empty.pdf", b""),
    );
    assert_eq!(problem(&r)["status"], 422);

    // Nothing recorded, nothing stored, no event.
    let mut conn = s.conn();
    assert_eq!(count(&mut conn, "files"), 0);
    assert_eq!(count(&mut conn, "dossier_files"), 0);
    assert_eq!(stored_files(&s), 0);
    let admin = s.login("admin");
    assert!(events(&s, &admin, "file.uploaded").is_empty());

    // And a good one still goes in.
    let up = upload(&s, &clerk, &code, "document=TK", "a.pdf", &good);
    assert_eq!(up["_status"], 201, "{up}");
    if !s.files_url.starts_with("s3://") {
        assert_eq!(stored_files(&s), 1);
    }
}

/// Overwrites a file's bytes behind the desk's back.
fn tamper(s: &TestServer, id: &str, bytes: Vec<u8>) {
    let storage = motcua_files::Storage::open(&s.files_url).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut w = storage.writer(id, u64::MAX).await.unwrap();
        w.write(bytes.into()).await.unwrap();
        w.finish().await.unwrap();
    });
}

fn digest(s: &TestServer, id: &str) -> Option<(String, u64)> {
    let storage = motcua_files::Storage::open(&s.files_url).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(storage.digest(id)).unwrap()
}

fn integrity_sweep_and_retention(backend: Backend, files: Files) {
    let s = server(backend, files);
    let (admin, clerk, officer) = (s.login("admin"), s.login("clerk"), s.login("officer"));
    let (code, _) = take_in(&s, &clerk, "001090012345");
    let up = upload(
        &s,
        &clerk,
        &code,
        "document=TK",
        "to-khai.pdf",
        &pdf(3_000, 5),
    );
    let id = up["id"].as_str().unwrap().to_string();
    let up2 = upload(&s, &clerk, &code, "document=GCS", "gcs.pdf", &pdf(3_000, 6));
    let id2 = up2["id"].as_str().unwrap().to_string();

    // `motcua files verify` finds both whole.
    let verify = |expect_ok: bool| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(["files", "verify", "--quiet"])
            .env("MOTCUA_DATABASE_URL", &s.db_url)
            .env("MOTCUA_FILES_URL", &s.files_url)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert_eq!(
            out.status.success(),
            expect_ok,
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    assert!(verify(true).contains("checked 2 files"));

    // Someone alters a file in the storage: a download is a 500 with an
    // event, never the altered bytes; verify names it.
    tamper(&s, &id, pdf(3_000, 7));
    let r = s.send_raw(
        "GET",
        &format!("/api/v1/dossiers/{code}/files/{id}"),
        Some(&clerk),
        &[],
        None,
    );
    let p = problem(&r);
    assert_eq!(p["status"], 500);
    assert!(
        p["type"].as_str().unwrap().ends_with("file-integrity"),
        "{p}"
    );
    assert_eq!(events(&s, &admin, "file.integrity_failed").len(), 1);
    let out = verify(false);
    assert!(out.contains(&id) && out.contains("altered"), "{out}");
    assert!(!out.contains(&id2), "{out}");

    // An upload that never committed (its server stopped mid-way): the
    // sweep removes its bytes and its row once its time ran out.
    let orphan = uuid::Uuid::now_v7().to_string();
    let clerk_id = motcua_store::users::find_by_username(&mut s.conn(), "clerk")
        .unwrap()
        .unwrap()
        .0
        .id;
    motcua_store::files::reserve(
        &mut s.conn(),
        &orphan,
        "lost.pdf",
        &clerk_id,
        s.now(),
        s.now() + Duration::minutes(10),
    )
    .unwrap();
    tamper(&s, &orphan, pdf(500, 1));
    let r = s.post("/api/v1/files/housekeeping", Some(&admin), &json!({}));
    assert_eq!(r.json, json!({"swept": 0, "removed": 0}), "{}", r.text);
    s.clock.advance(Duration::minutes(11));
    let r = s.post("/api/v1/files/housekeeping", Some(&admin), &json!({}));
    assert_eq!(r.json, json!({"swept": 1, "removed": 0}), "{}", r.text);
    assert_eq!(digest(&s, &orphan), None);
    assert_eq!(count(&mut s.conn(), "files"), 2);
    assert!(
        s.post("/api/v1/files/housekeeping", Some(&clerk), &json!({}))
            .status
            == 403
    );

    // Returned, the dossier's files are kept 5 years (the default), then
    // removed with an event; the record stays and says so.
    step(&s, &clerk, &code, "send", json!({}));
    step(&s, &officer, &code, "receive", json!({}));
    step(
        &s,
        &officer,
        &code,
        "processed",
        json!({"result": "Giấy khai sinh"}),
    );
    step(
        &s,
        &clerk,
        &code,
        "return",
        json!({"collected_by": "Nguyễn Văn An", "method": "counter"}),
    );
    s.clock.advance(Duration::days(365 * 5 - 10));
    // Years later: a new session.
    let admin = s.login("admin");
    let r = s.post("/api/v1/files/housekeeping", Some(&admin), &json!({}));
    assert_eq!(r.json["removed"], 0, "{}", r.text);
    s.clock.advance(Duration::days(20));
    let (admin, clerk) = (s.login("admin"), s.login("clerk"));
    let r = s.post("/api/v1/files/housekeeping", Some(&admin), &json!({}));
    assert_eq!(r.json["removed"], 2, "{}", r.text);
    assert_eq!(digest(&s, &id2), None);
    let r = s.send_raw(
        "GET",
        &format!("/api/v1/dossiers/{code}/files/{id2}"),
        Some(&clerk),
        &[],
        None,
    );
    assert_eq!(problem(&r)["status"], 410);
    assert_eq!(events(&s, &admin, "file.removed").len(), 2);
    let list = s.get(&format!("/api/v1/dossiers/{code}/files"), Some(&clerk));
    assert!(list.json["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["removed_at"].is_null()));
}

fn identity_documents_are_linked_not_copied(backend: Backend, files: Files) {
    let s = server(backend, files);
    let (admin, clerk) = (s.login("admin"), s.login("clerk"));
    let (first, _) = take_in(&s, &clerk, "001090012345");
    let id_card = pdf(2_000, 8);
    let up = upload(
        &s,
        &clerk,
        &first,
        "document=TK&identity=true",
        "cccd.pdf",
        &id_card,
    );
    assert_eq!(up["_status"], 201, "{up}");
    let id = up["id"].as_str().unwrap().to_string();

    // A later dossier of the same applicant lists it and links it.
    let (later, _) = take_in(&s, &clerk, "001090012345");
    let r = s.get(
        &format!("/api/v1/dossiers/{later}/identity-documents"),
        Some(&clerk),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.json[0]["file"]["id"], id.as_str());
    assert_eq!(r.json[0]["dossier_code"], first.as_str());
    let path = format!("/api/v1/dossiers/{later}/identity-documents");
    let r = s.post(&path, Some(&clerk), &json!({"file_id": id}));
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["linked_from"], first.as_str());
    assert_eq!(r.json["document"], "TK");
    s.post(&path, Some(&clerk), &json!({"file_id": id}))
        .assert_problem(409, "conflict");
    let got = s.send_raw(
        "GET",
        &format!("/api/v1/dossiers/{later}/files/{id}"),
        Some(&clerk),
        &[],
        None,
    );
    assert_eq!(got.bytes, id_card);
    // One file, two dossiers.
    assert_eq!(count(&mut s.conn(), "files"), 1);
    assert_eq!(count(&mut s.conn(), "dossier_files"), 2);
    assert_eq!(events(&s, &admin, "file.linked").len(), 1);

    // Another applicant's dossier sees nothing to link, and cannot link it.
    let (stranger, _) = take_in(&s, &clerk, "079200011111");
    let r = s.get(
        &format!("/api/v1/dossiers/{stranger}/identity-documents"),
        Some(&clerk),
    );
    assert_eq!(r.json, json!([]));
    let r = s.post(
        &format!("/api/v1/dossiers/{stranger}/identity-documents"),
        Some(&clerk),
        &json!({"file_id": id}),
    );
    assert_eq!(r.status, 404, "{}", r.text);
}

/// A multipart body for `processed`: the note, then the result file.
fn note_and_file(note: &str, name: &str, bytes: &[u8]) -> Vec<u8> {
    let mut body = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"result\"\r\n\r\n{note}\r\n"
    )
    .into_bytes();
    body.extend_from_slice(&multipart(name, bytes));
    body
}

fn processed_with(s: &TestServer, token: &str, code: &str, body: &[u8]) -> RawResponse {
    post_multipart(
        s,
        token,
        &format!("/api/v1/dossiers/{code}/processed"),
        body,
    )
}

fn status_of(s: &TestServer, token: &str, code: &str) -> Value {
    s.get(&format!("/api/v1/dossiers/{code}"), Some(token)).json["status_code"].clone()
}

fn the_result_comes_with_processed(backend: Backend, files: Files) {
    let s = server(backend, files);
    let (admin, clerk, officer) = (s.login("admin"), s.login("clerk"), s.login("officer"));
    let (code, pin) = take_in(&s, &clerk, "001090012345");
    step(&s, &clerk, &code, "send", json!({}));
    step(&s, &officer, &code, "receive", json!({}));
    let processing = status_of(&s, &officer, &code);
    let result = pdf(8_000, 5);
    let body = note_and_file("GKS số 123/2026", "Giấy khai sinh.pdf", &result);

    // The procedure issues no electronic result yet: refused, the dossier
    // still processed, nothing kept.
    let r = processed_with(&s, &officer, &code, &body);
    assert_eq!(
        problem(&r)["status"],
        409,
        "{}",
        String::from_utf8_lossy(&r.bytes)
    );
    electronic_birth_results(&s, &admin);
    // Not the clerk's to decide.
    let r = processed_with(&s, &clerk, &code, &body);
    assert_eq!(problem(&r)["status"], 403);
    // Not a scan: refused by its bytes, and the dossier stays in processing.
    let r = processed_with(
        &s,
        &officer,
        &code,
        &note_and_file("x", "kq.pdf", b"not a pdf at all"),
    );
    assert_eq!(problem(&r)["status"], 415);
    // A note over its limit: named, nothing kept.
    let r = processed_with(
        &s,
        &officer,
        &code,
        &note_and_file(&"x".repeat(1001), "kq.pdf", &result),
    );
    let p = problem(&r);
    assert_eq!(p["status"], 422);
    assert_eq!(p["errors"][0]["field"], "result", "{p}");
    // A control character in the note: refused as in the JSON body.
    let r = processed_with(
        &s,
        &officer,
        &code,
        &note_and_file("GKS\u{7}", "kq.pdf", &result),
    );
    let p = problem(&r);
    assert_eq!(p["status"], 422);
    assert_eq!(p["errors"][0]["field"], "result", "{p}");
    // A second file after the first: refused whole.
    let mut two = note_and_file("x", "kq.pdf", &result);
    two.truncate(two.len() - format!("--{BOUNDARY}--\r\n").len());
    two.extend_from_slice(&multipart("kq2.pdf", &result));
    assert_eq!(
        problem(&processed_with(&s, &officer, &code, &two))["status"],
        422
    );
    assert_eq!(status_of(&s, &officer, &code), processing);
    assert_eq!(count(&mut s.conn(), "files"), 0);
    assert_eq!(stored_files(&s), 0);

    // Note and file in one call: processed, the file attached as the result.
    let r = processed_with(&s, &officer, &code, &body);
    assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.bytes));
    let answer: Value = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(answer["status_code"], 9, "{answer}");
    assert_eq!(answer["result_file"]["purpose"], "result");
    assert_eq!(answer["result_file"]["name"], "Giấy khai sinh.pdf");
    assert_eq!(answer["result_file"]["size_bytes"], result.len());
    let d = s.get(&format!("/api/v1/dossiers/{code}"), Some(&officer));
    let ended = d.json["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "dossier.processed")
        .cloned()
        .unwrap_or_else(|| panic!("{}", d.text));
    assert_eq!(ended["data"]["note"], "GKS số 123/2026", "{ended}");
    assert_eq!(count(&mut s.conn(), "files"), 1);

    // The citizen downloads it with the PIN, from the view and the page.
    let view = s.get(&format!("/api/v1/public/dossiers/{code}?pin={pin}"), None);
    assert_eq!(view.json["result_file"]["size_bytes"], result.len());
    let got = s.send_raw(
        "GET",
        &format!("/api/v1/public/dossiers/{code}/result?pin={pin}"),
        None,
        &[],
        None,
    );
    assert_eq!(got.status, 200);
    assert_eq!(got.bytes, result);
    let page = s.send_raw("GET", &format!("/?code={code}&pin={pin}"), None, &[], None);
    // The page escapes the slashes of attributes (`&#x2f;`).
    let html = String::from_utf8_lossy(&page.bytes).replace("&#x2f;", "/");
    assert!(
        html.contains(&format!(
            "href=\"/api/v1/public/dossiers/{code}/result?pin={pin}\""
        )),
        "{html}"
    );

    // Once processed, it cannot be processed again with another file.
    let r = processed_with(
        &s,
        &officer,
        &code,
        &note_and_file("x", "b.pdf", &pdf(900, 6)),
    );
    assert_eq!(problem(&r)["status"], 409);
    assert_eq!(count(&mut s.conn(), "files"), 1);
}

macro_rules! on_both_backends_and_storages {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                use super::{Backend, Files};
                #[test]
                fn sqlite_folder() { super::$name(Backend::Sqlite, Files::Folder) }
                #[test]
                fn sqlite_s3() { super::$name(Backend::Sqlite, Files::S3) }
                #[test]
                fn postgres_folder() { super::$name(Backend::Postgres, Files::Folder) }
                #[test]
                fn postgres_s3() { super::$name(Backend::Postgres, Files::S3) }
            }
        )*
    };
}

on_both_backends_and_storages!(
    components_results_and_downloads,
    bad_files_are_refused_and_leave_nothing,
    integrity_sweep_and_retention,
    identity_documents_are_linked_not_copied,
    the_result_comes_with_processed,
);
