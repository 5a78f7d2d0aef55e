//! The catalogue as one file ([`motcua_admin::catalogue_file`]):
//! `GET /api/v1/catalogue/export` writes every agency and every procedure
//! in force in the shape administrators enter them (a backup, or a
//! catalogue another desk can start from), as JSON or, with `format=xlsx`,
//! as a workbook to edit in a spreadsheet ([`motcua_admin::catalogue_sheet`]);
//! `POST /api/v1/catalogue/import` reads either back, checked as a whole
//! before anything is written. `motcua catalogue export` and `import` do
//! the same from the command line, where a file larger than the request
//! body limit also fits.

use actix_web::http::header::{ACCEPT, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, FromRequest, HttpRequest, HttpResponse};
use motcua_admin::catalogue_file::{self, CatalogueFile, ImportSummary};
use motcua_admin::catalogue_sheet::{self, CONTENT_TYPE as XLSX};
use motcua_domain::Role;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::{payload_error, JsonBody};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `xlsx` for a workbook with a sheet per table (or send Accept:
    /// application/vnd.openxmlformats-officedocument.spreadsheetml.sheet);
    /// `json` (the default) for the JSON file.
    #[param(max_length = 8, example = "xlsx")]
    pub format: Option<String>,
}

/// The catalogue workbook's bytes (docs/catalogue.md, As a spreadsheet).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct CatalogueWorkbook(#[allow(dead_code)] Vec<u8>);

/// The media type of a request's body, lower case, without parameters.
pub(crate) fn media_type(req: &HttpRequest) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Whether the export was asked for as a workbook: `format=xlsx`, or
/// without `format` an `Accept` naming the workbook's type.
fn wants_workbook(format: Option<&str>, req: &HttpRequest) -> Result<bool, ApiError> {
    match format {
        Some("xlsx") => Ok(true),
        Some("json") => Ok(false),
        Some(_) => Err(ApiError::invalid_field("format", "must be json or xlsx")),
        None => Ok(req
            .headers()
            .get(ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(XLSX))),
    }
}

#[utoipa::path(get, path = "/api/v1/catalogue/export", tag = "catalogue",
    security(("bearer" = [])), params(ExportQuery),
    responses((status = 200, description = "Every agency (parents first) and procedure in force (members before groups), as administrators enter them: the JSON file, or with format=xlsx a workbook of one sheet per table (docs/catalogue.md, As a spreadsheet)",
            content((CatalogueFile = "application/json"),
                (CatalogueWorkbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/catalogue/export")]
pub async fn export(
    state: web::Data<AppState>,
    staff: Staff,
    query: web::Query<ExportQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let workbook = wants_workbook(query.format.as_deref(), &req)?;
    let now = motcua_store::time::now();
    let file = state
        .with_conn(move |conn| Ok(catalogue_file::export(conn, now)?))
        .await?;
    let day = now.format("%Y-%m-%d");
    let name =
        |extension: &str| format!("attachment; filename=\"danh-muc-thu-tuc-{day}.{extension}\"");
    if !workbook {
        return Ok(HttpResponse::Ok()
            .insert_header(("Content-Disposition", name("json")))
            .json(file));
    }
    let book = web::block(move || catalogue_sheet::to_xlsx(&file)).await??;
    Ok(HttpResponse::Ok()
        .content_type(XLSX)
        .insert_header(("Content-Disposition", name("xlsx")))
        .body(book))
}

/// A workbook's catalogue file, checked as a JSON body is (the limits of
/// the document's schema, control characters, NFC), each problem named by
/// sheet and row.
async fn workbook_file(bytes: web::Bytes) -> Result<catalogue_sheet::Workbook, ApiError> {
    let mut book = web::block(move || catalogue_sheet::read(&bytes)).await??;
    let json = serde_json::to_vec(&book.file).map_err(|_| ApiError::internal())?;
    book.file = crate::body::parse::<CatalogueFile>(&json).map_err(|e| {
        match e.problem().errors.clone() {
            errors if !errors.is_empty() => ApiError::invalid(book.rename(errors)),
            _ => e,
        }
    })?;
    Ok(book)
}

#[utoipa::path(post, path = "/api/v1/catalogue/import", tag = "catalogue",
    security(("bearer" = [])),
    request_body(content((CatalogueFile = "application/json"),
            (CatalogueWorkbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "The export's file: as JSON, or as the workbook `format=xlsx` exports (edited in a spreadsheet)"),
    responses((status = 200, description = "What was created, changed (a procedure as its next version) and left as it was; nothing is written when a row fails", body = ImportSummary),
        (status = 400, description = "Malformed JSON, or a body that is not an XLSX workbook", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor an XLSX workbook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every failing row, each named: in a JSON file by its position (`procedures[3].duration`), in a workbook by sheet, row and column (`procedures row 5: duration_amount`)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/catalogue/import")]
pub async fn import(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let actor = staff.actor();
    let summary = if media_type(&req) == XLSX {
        let limit = state.config.body_limit;
        let bytes = web::Bytes::from_request(&req, &mut payload.into_inner())
            .await
            .map_err(|e| payload_error(e, limit))?;
        let book = workbook_file(bytes).await?;
        state
            .with_conn(move |conn| Ok(catalogue_sheet::import(conn, &actor, book, &mut || {})?))
            .await?
    } else {
        let JsonBody(file) =
            JsonBody::<CatalogueFile>::from_request(&req, &mut payload.into_inner())
                .await
                .map_err(|e| match e.status() {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
                        StatusCode::UNSUPPORTED_MEDIA_TYPE,
                        "unsupported-media-type",
                        "Unsupported media type",
                        format!("send the catalogue as Content-Type: application/json or {XLSX}"),
                    ),
                    _ => e,
                })?;
        state
            .with_conn(move |conn| Ok(catalogue_file::import(conn, &actor, file, &mut || {})?))
            .await?
    };
    Ok(HttpResponse::Ok().json(summary))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(export).service(import);
}
