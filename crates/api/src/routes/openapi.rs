//! Serves the OpenAPI document generated from the handler annotations.

use actix_web::{get, web, HttpResponse};
use utoipa_actix_web::service_config::ServiceConfig;

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "This document")))]
#[get("/api/v1/openapi.json")]
pub async fn document() -> HttpResponse {
    // The document is a function of the code: made once per process.
    static TEXT: std::sync::OnceLock<web::Bytes> = std::sync::OnceLock::new();
    let text = TEXT.get_or_init(|| web::Bytes::from(crate::openapi::json()));
    HttpResponse::Ok()
        .content_type("application/json")
        .body(text.clone())
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(document);
}
