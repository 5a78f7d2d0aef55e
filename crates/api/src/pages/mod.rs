//! The pages people open in a browser, served by the same binary as the
//! API: the citizen's look-up (`/`), the public catalogue (`/thu-tuc`)
//! with each procedure's compliance cost (`/thu-tuc/{code}/chi-phi-tuan-thu`),
//! feedback (`/phan-anh`), and the supervisors' dashboard (`/quan-ly`,
//! behind a staff log-in). Server-rendered HTML from the templates in
//! `crates/api/pages/`, one small stylesheet, forms that work without
//! JavaScript; Vietnamese first, English with `lang=en` (kept by every
//! link and form).
//!
//! They call the same operations as the API, under the same limits; they
//! are not part of the OpenAPI document (the contract guard lets their
//! paths through, [`is_page`]), and their errors are pages, with each
//! problem written beside its field.

mod catalogue;
mod compliance;
mod dashboard;
mod feedback;
mod i18n;
mod lookup;
mod queue;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minijinja::{Environment, UndefinedBehavior};
use motcua_domain::FieldError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::error::ApiError;

pub use i18n::Lang;

/// The paths that are pages (or their stylesheet) rather than the API.
pub fn is_page(path: &str) -> bool {
    path == "/"
        || path == "/danh-gia"
        || path == "/site.css"
        || path == "/thu-tuc"
        || path.starts_with("/thu-tuc/")
        || path == "/phan-anh"
        || path.starts_with("/phan-anh/")
        || path == "/quan-ly"
        || path.starts_with("/quan-ly/")
        || path == "/hang-cho.js"
        || path.starts_with("/hang-cho/")
}

macro_rules! page_files {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../pages/", $name)))),*]
    };
}

/// Every template, embedded so a deployment stays one file.
const FILES: &[(&str, &str)] = page_files!(
    "layout.html",
    "lookup.html",
    "catalogue.html",
    "procedure.html",
    "feedback.html",
    "feedback_follow.html",
    "login.html",
    "dashboard.html",
    "compliance.html",
    "queue_board.html",
    "queue_kiosk.html",
    "queue_ticket.html",
);

/// The stylesheet: one small file, no external fonts or scripts.
const STYLESHEET: &str = include_str!("../../pages/site.css");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A misspelt variable is an error in the tests, never a blank on
        // a citizen's screen.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        for (name, source) in FILES {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "a page template does not parse");
            }
        }
        env
    })
}

/// The query every page takes: its language.
#[derive(Debug, Default, Deserialize)]
pub struct LangQuery {
    #[serde(default)]
    pub lang: Option<String>,
}

/// What a page may load: its own stylesheet and images, nothing else.
const POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Renders `template` with `ctx` (plus the language's texts and the link
/// to the same page in the other language) as the answer with `status`.
pub fn render(
    status: StatusCode,
    template: &str,
    lang: Lang,
    switch_to: &str,
    ctx: Value,
) -> HttpResponse {
    render_with(status, template, lang, switch_to, ctx, POLICY)
}

/// [`render`] under another content security policy (the hall's pages
/// run their one script).
pub fn render_with(
    status: StatusCode,
    template: &str,
    lang: Lang,
    switch_to: &str,
    mut ctx: Value,
    policy: &str,
) -> HttpResponse {
    if let Value::Object(map) = &mut ctx {
        map.insert("t".into(), json!(i18n::texts(lang)));
        map.insert("lang".into(), json!(lang.code()));
        map.insert("lang_query".into(), json!(lang.query()));
        map.insert("switch_url".into(), json!(switch_to));
        map.insert("switch_label".into(), json!(lang.other().label()));
    }
    let html = env().get_template(template).and_then(|t| t.render(&ctx));
    match html {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "no-store"))
            .insert_header(("Content-Security-Policy", policy))
            .insert_header(("X-Content-Type-Options", "nosniff"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .body(html),
        Err(e) => {
            tracing::error!(template, error = %e, "a page could not be rendered");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Lỗi máy chủ / Server error")
        }
    }
}

/// Field errors by field, each in the page's language.
pub fn field_errors(errors: &[FieldError], lang: Lang) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in errors {
        out.entry(e.field.clone())
            .or_insert_with(|| i18n::field_message(&e.message, lang));
    }
    out
}

/// What a page shows of an API error: its field errors, or its message
/// in the page's language; and the status and headers (`Retry-After`) to
/// answer with.
pub struct Shown {
    pub status: StatusCode,
    pub message: Option<String>,
    pub fields: BTreeMap<String, String>,
    pub retry_after: Option<String>,
}

impl Shown {
    pub fn of(e: &ApiError, lang: Lang) -> Shown {
        let p = e.problem();
        let fields = field_errors(&p.errors, lang);
        let message = fields.is_empty().then(|| match lang {
            Lang::Vi => p
                .detail_vi
                .clone()
                .unwrap_or_else(|| i18n::generic_error(e.status())),
            Lang::En => p.detail.clone(),
        });
        Shown {
            status: e.status(),
            message,
            fields,
            retry_after: e.header("Retry-After").map(str::to_string),
        }
    }

    /// Adds the answer's headers to a rendered page.
    pub fn headers(&self, mut page: HttpResponse) -> HttpResponse {
        if let Some(wait) = &self.retry_after {
            if let Ok(v) = actix_web::http::header::HeaderValue::from_str(wait) {
                page.headers_mut()
                    .insert(actix_web::http::header::RETRY_AFTER, v);
            }
        }
        page
    }
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(STYLESHEET)
}

/// Reads a form (`application/x-www-form-urlencoded`) as the API reads
/// JSON: every value checked and normalised like any text the desk keeps
/// (no control characters, NFC); the fields with a refused value listed.
pub fn parse_form<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Vec<FieldError>> {
    let mut map = serde_json::Map::new();
    let mut errors = Vec::new();
    for (k, v) in form_urlencoded::parse(body) {
        match motcua_domain::text::normalize(&v) {
            Ok(v) => {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
            Err(e) => errors.push(FieldError::new(k.into_owned(), e.to_string())),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    serde_json::from_value(Value::Object(map))
        .map_err(|e| vec![FieldError::new("form", e.to_string())])
}

/// The longest code, reference or PIN a page reads.
const KEY_MAX: usize = 64;

/// Checks the keys a citizen types to open something (a code or
/// reference, and its PIN): each given, none longer than [`KEY_MAX`].
pub fn keys_checked(keys: &[(&str, &str)]) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    for (field, value) in keys {
        if value.is_empty() {
            errors.push(FieldError::new(*field, "is required"));
        } else if value.chars().count() > KEY_MAX {
            errors.push(FieldError::new(
                *field,
                format!("must be at most {KEY_MAX} characters"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// The language a form asks for, read even when the form is refused.
pub fn form_lang(body: &[u8]) -> Lang {
    let lang = form_urlencoded::parse(body)
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned());
    Lang::of(lang.as_deref())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/site.css", web::get().to(stylesheet))
        .route("/", web::get().to(lookup::page))
        .route("/danh-gia", web::post().to(lookup::rate))
        .route("/thu-tuc", web::get().to(catalogue::list))
        .route("/thu-tuc/{code}", web::get().to(catalogue::detail))
        .route("/thu-tuc/{code}", web::post().to(catalogue::file_online))
        .route(
            "/thu-tuc/{code}/chi-phi-tuan-thu",
            web::get().to(compliance::page),
        )
        .route("/phan-anh", web::get().to(feedback::page))
        .route("/phan-anh", web::post().to(feedback::send))
        .route("/phan-anh/theo-doi", web::get().to(feedback::follow))
        .route(
            "/phan-anh/bo-sung",
            web::post().to(feedback::give_information),
        )
        .route("/quan-ly", web::get().to(dashboard::page))
        .route("/quan-ly/dang-nhap", web::post().to(dashboard::log_in))
        .route("/quan-ly/dang-xuat", web::post().to(dashboard::log_out))
        .route("/quan-ly/bao-cao", web::get().to(dashboard::report))
        .route("/hang-cho.js", web::get().to(queue::script))
        .route("/hang-cho/ve/{id}", web::get().to(queue::ticket))
        .route("/hang-cho/{agency}", web::get().to(queue::board))
        .route("/hang-cho/{agency}/lay-so", web::get().to(queue::kiosk))
        .route("/hang-cho/{agency}/lay-so", web::post().to(queue::take));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        for (name, _) in FILES {
            assert!(env().get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn pages_are_told_from_the_api() {
        for page in [
            "/",
            "/thu-tuc",
            "/thu-tuc/1.001193",
            "/phan-anh",
            "/phan-anh/theo-doi",
            "/site.css",
            "/hang-cho/H53.50",
            "/hang-cho.js",
        ] {
            assert!(is_page(page), "{page}");
        }
        for api in ["/api/v1/procedures", "/healthz", "/thu-tucx", "/admin"] {
            assert!(!is_page(api), "{api}");
        }
    }
}
