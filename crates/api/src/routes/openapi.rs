//! Serves the OpenAPI document generated from the handler annotations.

use actix_web::{get, web, HttpResponse};

#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "operations",
    responses((status = 200, description = "This document")))]
#[get("/api/v1/openapi.json")]
pub async fn document() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(crate::openapi::json())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(document);
}
