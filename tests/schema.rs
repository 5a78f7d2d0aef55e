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

/// The fields of `schema` (through references, arrays, `allOf`) that
/// carry no example, named by their path.
fn without_example(
    spec: &serde_json::Value,
    schema: &serde_json::Value,
    path: &str,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<String>,
) {
    if let Some(r) = schema["$ref"].as_str() {
        let name = r.rsplit('/').next().unwrap_or_default().to_string();
        if seen.insert(name.clone()) {
            let target = &spec["components"]["schemas"][&name];
            without_example(spec, target, &name, seen, out);
        }
        return;
    }
    for part in ["allOf", "oneOf", "anyOf"] {
        for s in schema[part].as_array().into_iter().flatten() {
            without_example(spec, s, path, seen, out);
        }
    }
    if schema["items"].is_object() {
        without_example(spec, &schema["items"], path, seen, out);
    }
    for (name, field) in schema["properties"].as_object().into_iter().flatten() {
        let nested = field["$ref"].is_string()
            || field["allOf"].is_array()
            || field["oneOf"].is_array()
            || field["items"]["$ref"].is_string();
        if nested {
            without_example(spec, field, &format!("{path}.{name}"), seen, out);
        } else if field.get("example").is_none() && field.get("examples").is_none() {
            out.push(format!("{path}.{name}"));
        }
    }
}

/// Every answer of the reports (results, frozen reports, the service
/// index, the forecast) shows an example for every field, so the document
/// shows a whole example answer.
#[test]
fn the_reports_answers_have_an_example_for_every_field() {
    let spec: serde_json::Value = serde_json::from_str(&motcua_api::openapi::json()).unwrap();
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    let mut checked = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        if !(path.starts_with("/api/v1/reports") || path == "/api/v1/forecast") {
            continue;
        }
        for op in item.as_object().unwrap().values() {
            let answer = &op["responses"]["200"]["content"]["application/json"]["schema"];
            if answer.is_object() {
                checked += 1;
                without_example(&spec, answer, path, &mut seen, &mut missing);
            }
        }
    }
    assert!(checked >= 5, "{checked} answers checked");
    assert!(missing.is_empty(), "fields without an example: {missing:?}");
}

/// A value the contract guard lets through for a parameter of `schema`.
fn sample(schema: &serde_json::Value) -> String {
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.as_str().unwrap_or_default().to_string();
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (_, Some("date")) => "2026-12-08".into(),
        (_, Some("date-time")) => "2026-12-08T02:00:00Z".into(),
        (Some("integer"), _) => schema["minimum"]
            .as_i64()
            .unwrap_or(2026)
            .max(1)
            .to_string(),
        (Some("boolean"), _) => "true".into(),
        _ => "X".into(),
    }
}

/// Routes are declared once: the handler's registration feeds both the
/// router and the document, so the server serves the document it is
/// built from, and every operation of it reaches a handler (a request the
/// contract guard lets through is never "no such route" nor "method not
/// allowed").
#[test]
fn every_documented_operation_is_served_and_nothing_else() {
    let s = TestServer::start(Backend::Sqlite);
    let served = s.get("/api/v1/openapi.json", None);
    let doc: serde_json::Value = serde_json::from_str(&motcua_api::openapi::json()).unwrap();
    assert_eq!(served.json, doc, "the served document is the router's");
    let mut operations = 0;
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let mut path = template.clone();
            let mut query = Vec::new();
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                let value = sample(&p["schema"]);
                match p["in"].as_str() {
                    Some("path") => path = path.replace(&format!("{{{name}}}"), &value),
                    Some("query") if p["required"] == true => query.push(format!("{name}={value}")),
                    _ => {}
                }
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let r = s.send(&method.to_uppercase(), &path, None, &[], None);
            let kind = r.json["type"].as_str().unwrap_or_default().to_string();
            assert!(
                kind != "/problems/no-such-route" && kind != "/problems/method-not-allowed",
                "{method} {template} is documented and not served: {}",
                r.text
            );
            let names: Vec<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|p| p["name"].as_str())
                .collect();
            let parameter_refused = r.json["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|e| names.iter().any(|n| e["field"] == *n));
            assert!(
                !parameter_refused,
                "{method} {path}: the sample parameters were refused before routing: {}",
                r.text
            );
            operations += 1;
        }
    }
    assert!(operations >= 50, "{operations} operations");
    // And what the document does not have is not served.
    s.get("/api/v1/nothing/here", None)
        .assert_problem(404, "no-such-route");
}

/// Every parameter is where the code reads it: a path parameter is a
/// `{name}` of its path template and every `{name}` is one, so no query
/// parameter is declared "in": "path" (all 69 once were, and generated
/// clients for counter terminals put them in the path).
#[test]
fn parameters_are_declared_where_the_code_reads_them() {
    let doc: serde_json::Value = serde_json::from_str(&motcua_api::openapi::json()).unwrap();
    let mut queries = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let template: BTreeSet<String> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        for (method, op) in ops.as_object().unwrap() {
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            let in_path: BTreeSet<String> = params
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(in_path, template, "{method} {path}: path parameters");
            for p in &params {
                let location = p["in"].as_str().unwrap();
                assert!(
                    ["path", "query", "header"].contains(&location),
                    "{method} {path}: {p}"
                );
                if location == "path" {
                    assert_eq!(p["required"], true, "{method} {path}: {p}");
                }
                if location == "query" {
                    queries += 1;
                    assert!(p["schema"]["type"].is_string(), "{method} {path}: {p}");
                }
            }
        }
    }
    assert!(queries >= 30, "only {queries} query parameters");
}

/// The README's API table lists every operation of the document, with
/// each query parameter and whether it is required (optional ones in
/// square brackets), and nothing the document lacks.
#[test]
fn the_readme_lists_every_operation_and_its_parameters() {
    let doc: serde_json::Value = serde_json::from_str(&motcua_api::openapi::json()).unwrap();
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let table = readme
        .split("| method and path | who | what |")
        .nth(1)
        .expect("the README has its API table")
        .split("\n\n")
        .next()
        .unwrap();
    // (method, path) -> (required, optional) query parameters.
    type Params = (BTreeSet<String>, BTreeSet<String>);
    let mut listed: std::collections::BTreeMap<(String, String), Params> = Default::default();
    for row in table.lines().filter(|l| l.starts_with("| `")) {
        let cell = row.trim_start_matches("| ").split(" | ").next().unwrap();
        for op in cell.split(", ") {
            let op = op.trim_matches('`').replace("\\|", "|");
            let (method, target) = op.split_once(' ').expect(&op);
            let cut = target.find(['?', '[']).unwrap_or(target.len());
            let (path, query) = target.split_at(cut);
            let (mut required, mut optional) = (BTreeSet::new(), BTreeSet::new());
            let mut depth = 0;
            let mut name = String::new();
            for c in query.chars() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    '=' if !name.is_empty() => {
                        let set = if depth > 0 {
                            &mut optional
                        } else {
                            &mut required
                        };
                        set.insert(std::mem::take(&mut name));
                    }
                    c if c.is_ascii_lowercase() || c == '_' => name.push(c),
                    _ => name.clear(),
                }
            }
            let key = (method.to_lowercase(), path.to_string());
            assert!(
                listed.insert(key, (required, optional)).is_none(),
                "{op} twice"
            );
        }
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let key = (method.clone(), path.clone());
            let Some((required, optional)) = listed.remove(&key) else {
                panic!(
                    "the README's API table lacks {} {path}",
                    method.to_uppercase()
                );
            };
            let query = |want: bool| -> BTreeSet<String> {
                op["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "query" && (p["required"] == true) == want)
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect()
            };
            assert_eq!(
                required,
                query(true),
                "{method} {path}: required parameters"
            );
            assert_eq!(
                optional,
                query(false),
                "{method} {path}: optional parameters"
            );
        }
    }
    assert!(
        listed.is_empty(),
        "the README lists what the document lacks: {listed:?}"
    );
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
