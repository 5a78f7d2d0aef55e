//! The OpenAPI document, generated from the handler annotations of the
//! routes as they are registered (`routes::configure`, through
//! `utoipa-actix-web`): one registration per route feeds both the router
//! and this document. The copy checked in at `api-spec/openapi.json` is
//! compared with this by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use serde_json::{json, Value};

use crate::routes;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua",
        description = "Backend of Vietnam's one-stop-shop desk for administrative procedures (Bộ phận Một cửa). Errors are application/problem+json (RFC 9457).",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(
        motcua_domain::MissingDocument,
        motcua_intake::FieldError,
        // What a webhook receives (posted by the desk, so on no path).
        crate::webhook::post::WebhookBody,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "dossiers", description = "Intake, receipts and the staff view"),
        (name = "clock", description = "Supplements, the one extension, the end of processing and its verdict"),
        (name = "calendar", description = "Working-time calendar: days off, make-up days, due-date calculator"),
        (name = "breaches", description = "Due-soon and overdue dossiers for supervisors"),
        (name = "reports", description = "The periodic results report for supervisors"),
        (name = "routing", description = "Interlinked processing: handovers, control slip, lifecycle, worklists, tracking book"),
        (name = "repairs", description = "A supervisor's repairs: reassign, recall, step back, correct the appointment, reopen, bulk moves with a preview"),
        (name = "public", description = "Citizen look-up by code and PIN"),
        (name = "feedback", description = "Citizens' feedback and recommendations: the agency's steps against their statutory limits, their breaches"),
        (name = "feed", description = "The event feed other systems follow, its subscribers, and the webhook delivery queue (what a webhook receives: the WebhookBody schema, signed in the Motcua-Signature header; see docs/feed.md)"),
        (name = "catalogue", description = "Agencies and procedures"),
        (name = "imports", description = "Dossiers moved in from an older system (docs/import.md)"),
        (name = "queue", description = "The counter hall: its areas and counters, tickets from the kiosk, calls to the counters, the live board (docs/queue.md)"),
        (name = "auth", description = "Staff login"),
        (name = "users", description = "Staff accounts"),
        (name = "operations", description = "Health and this document"),
    )
)]
pub struct ApiDoc;

/// The document's paths and schemas as the router declares them: each
/// handler is registered once (`.service(handler)` in its module's
/// `configure`), and that registration feeds both actix and this
/// document, so no route can be served undocumented or documented
/// unserved.
fn routed() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::configure)
        .split_for_parts();
    doc
}

/// The longest path or query parameter that declares no limit of its own
/// (codes, filters, a PIN); the contract guard enforces it from the
/// document like every declared limit.
pub const DEFAULT_PARAM_MAX_LENGTH: u64 = 64;

/// The document: the handlers' annotations, plus what every route shares
/// because of the layers every request passes ([`crate::contract`], the
/// JSON extractor, authentication, idempotency):
///
/// - a string parameter without a limit gets [`DEFAULT_PARAM_MAX_LENGTH`];
/// - every POST takes an `Idempotency-Key` header;
/// - every operation declares the errors those layers answer: 401 where a
///   token is needed, 403 where the caller's role or agency is checked,
///   400 / 413 / 415 / 422 for a body, 404 for a path
///   parameter, 400 / 409 / 422 for an idempotency key, 422 for any
///   parameter (control characters are refused in every one).
pub fn document() -> Value {
    let mut doc = serde_json::to_value(routed()).unwrap_or(Value::Null);
    if let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) {
        for (template, item) in paths.iter_mut() {
            let Some(item) = item.as_object_mut() else {
                continue;
            };
            for (method, op) in item.iter_mut() {
                add_shared(template, method, op);
            }
        }
    }
    doc
}

fn problem(description: &str) -> Value {
    json!({
        "description": description,
        "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    })
}

/// Operations every logged-in staff member may call, with no agency to
/// check: the only secured ones that never answer 403.
const ANY_STAFF: [&str; 2] = ["/api/v1/me", "/api/v1/auth/logout"];

fn add_shared(template: &str, method: &str, op: &mut Value) {
    let Some(op) = op.as_object_mut() else {
        return;
    };
    let params = op
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(list) = params.as_array_mut() {
        for p in list.iter_mut() {
            let schema = &mut p["schema"];
            let is_string = match &schema["type"] {
                Value::String(t) => t == "string",
                Value::Array(ts) => ts.iter().any(|t| t == "string"),
                _ => false,
            };
            if is_string && schema.get("maxLength").is_none() {
                schema["maxLength"] = json!(DEFAULT_PARAM_MAX_LENGTH);
            }
        }
        if method == "post" {
            list.push(json!({
                "name": "Idempotency-Key",
                "in": "header",
                "required": false,
                "description": "Makes a retried POST safe: the first answer is kept and replayed (with Idempotent-Replayed: true) for 24 hours.",
                "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[\\x21-\\x7E]+$"}
            }));
        }
    }
    let has_path_param = params
        .as_array()
        .is_some_and(|l| l.iter().any(|p| p["in"] == "path"));
    let has_params = params.as_array().is_some_and(|l| !l.is_empty());
    if params.as_array().is_some_and(Vec::is_empty) {
        op.remove("parameters");
    }
    let secured = op.get("security").is_some();
    let has_body = op.get("requestBody").is_some();
    let mut add: Vec<(&str, &str)> = vec![(
        "422",
        "A parameter or field breaks its limits or the text rules (control characters, length, range); `errors` names each",
    )];
    if secured {
        add.push(("401", "No token, or a token whose session has ended, expired or belongs to a disabled account"));
        if !ANY_STAFF.contains(&template) {
            add.push(("403", "The caller's role or agency may not do this (see the README's table of who may do what)"));
        }
    }
    if has_body || has_params || method == "post" {
        add.push((
            "400",
            "Malformed request: JSON, a parameter of the wrong type, or an idempotency key",
        ));
    }
    if has_body {
        add.push(("413", "Body larger than MOTCUA_BODY_LIMIT"));
        add.push(("415", "Body not sent as application/json"));
    }
    if has_path_param {
        add.push(("404", "No such record"));
    }
    if method == "post" {
        add.push(("409", "A request with the same Idempotency-Key is still running, or the state does not allow the change"));
    }
    let responses = op
        .entry("responses")
        .or_insert_with(|| Value::Object(Default::default()));
    if let Some(r) = responses.as_object_mut() {
        for (status, description) in add {
            r.entry(status).or_insert_with(|| problem(description));
        }
    }
}

/// The document as pretty JSON with a trailing newline, exactly as checked
/// in.
pub fn json() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
