//! Checks on what is checked in: the OpenAPI document matches the code,
//! both migration folders carry the same migrations, and the audit trail
//! is append-only in the database itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{Backend, TestServer};
use motcua_store::SimpleConnection;

#[test]
fn checked_in_openapi_matches_the_code() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("api-spec/openapi.json");
    let generated = motcua_api::openapi::json();
    if std::env::var_os("MOTCUA_UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "api-spec/openapi.json is stale: run `cargo run -- openapi > api-spec/openapi.json` \
         (or MOTCUA_UPDATE_OPENAPI=1 cargo test --test schema) and commit it"
    );
}

#[test]
fn every_route_is_documented() {
    let doc: serde_json::Value = serde_json::from_str(&motcua_api::openapi::json()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/healthz",
        "/api/v1/auth/token",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/dossiers",
        "/api/v1/dossiers/{code}",
        "/api/v1/dossiers/{code}/receipt",
        "/api/v1/public/dossiers/{code}",
        "/api/v1/openapi.json",
    ] {
        assert!(paths.contains_key(p), "{p} is not in the OpenAPI document");
    }
}

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn both_backends_have_the_same_migrations() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres);
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(backend)
                    .join(name)
                    .join(file);
                assert!(p.exists(), "{} is missing", p.display());
            }
        }
    }
}

fn events_cannot_be_updated_or_deleted(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login("clerk");
    let r = s.post(
        "/api/v1/dossiers",
        Some(&token),
        &common::birth_registration(),
    );
    assert_eq!(r.status, 201);
    let mut conn = s.conn();
    let before = common::count(&mut conn, "events");
    assert!(before >= 2);
    let update = conn.batch_execute("UPDATE events SET kind = 'tampered'");
    assert!(update.is_err(), "UPDATE on events succeeded");
    assert!(format!("{:?}", update.unwrap_err()).contains("append-only"));
    assert!(
        conn.batch_execute("DELETE FROM events").is_err(),
        "DELETE on events succeeded"
    );
    assert_eq!(common::count(&mut conn, "events"), before);
}

on_both_backends!(events_cannot_be_updated_or_deleted);
