//! The catalogue as one JSON file ([`motcua_admin::catalogue_file`]):
//! `GET /api/v1/catalogue/export` writes every agency and every procedure
//! in force in the shape administrators enter them (a backup, or a
//! catalogue another desk can start from); `POST /api/v1/catalogue/import`
//! reads such a file back, checked as a whole before anything is written.
//! `motcua catalogue export` and `import` do the same from the command
//! line, where a file larger than the request body limit also fits.

use actix_web::{get, post, web, HttpResponse};
use motcua_admin::catalogue_file::{self, CatalogueFile, ImportSummary};
use motcua_domain::Role;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[utoipa::path(get, path = "/api/v1/catalogue/export", tag = "catalogue",
    security(("bearer" = [])),
    responses((status = 200, description = "Every agency (parents first) and procedure in force (members before groups), as administrators enter them", body = CatalogueFile),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/catalogue/export")]
pub async fn export(state: web::Data<AppState>, staff: Staff) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let now = motcua_store::time::now();
    let file = state
        .with_conn(move |conn| Ok(catalogue_file::export(conn, now)?))
        .await?;
    let day = now.format("%Y-%m-%d");
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"danh-muc-thu-tuc-{day}.json\""),
        ))
        .json(file))
}

#[utoipa::path(post, path = "/api/v1/catalogue/import", tag = "catalogue",
    security(("bearer" = [])), request_body = CatalogueFile,
    responses((status = 200, description = "What was created, changed (a procedure as its next version) and left as it was; nothing is written when a row fails", body = ImportSummary),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every failing row, each named (`procedures[3].duration`)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/catalogue/import")]
pub async fn import(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(file): JsonBody<CatalogueFile>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let actor = staff.actor();
    let summary = state
        .with_conn(move |conn| Ok(catalogue_file::import(conn, &actor, file, &mut || {})?))
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export).service(import);
}
