//! `GET /api/v1/catalogue/export`: the whole catalogue, every agency and
//! every procedure in force, as one JSON file in the shape administrators
//! enter them ([`motcua_admin::catalogue_file`]): a backup, or a catalogue
//! another desk can start from. `motcua catalogue export` writes the same.

use actix_web::{get, web, HttpResponse};
use motcua_admin::catalogue_file::{self, CatalogueFile};
use motcua_domain::Role;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
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

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export);
}
