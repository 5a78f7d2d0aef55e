//! `POST /api/v1/imports/dossiers`: an older system's dossiers, as JSON
//! or as a workbook ([`motcua_admin::dossier_import`], docs/import.md),
//! checked whole before anything is written; administrators only.
//! `motcua import dossiers FILE` does the same from the command line.
//!
//! The body is read here rather than by `JsonBody`: a file of thousands
//! of dossiers is larger than `MOTCUA_BODY_LIMIT`, so it has its own
//! limit (`MOTCUA_IMPORT_BODY_LIMIT`), and its problems are named by row
//! (`row 3: received_at`), as the command line names them.

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use motcua_admin::catalogue_sheet::CONTENT_TYPE as XLSX;
use motcua_admin::dossier_import::{self, DossierFile, Form, ImportSummary, Importer, Options};
use motcua_domain::Role;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::catalogue_file::media_type;
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true` to check the file and count what it would create, writing
    /// nothing.
    pub dry_run: Option<bool>,
    /// A label kept on every dossier created (wins over the file's
    /// `batch`); by default the import's time.
    #[param(max_length = 100)]
    pub batch: Option<String>,
}

/// A dossier workbook's bytes (docs/import.md, As a workbook).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct DossierWorkbook(#[allow(dead_code)] Vec<u8>);

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        "Request body too large",
        format!(
            "the file exceeds the import limit of {limit} bytes (MOTCUA_IMPORT_BODY_LIMIT); import it with `motcua import dossiers`"
        ),
    )
    .vi("Dữ liệu gửi lên quá lớn")
}

/// The body, up to `limit` bytes.
async fn body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| ApiError::bad_request(format!("could not read the request body: {e}")))?;
        if out.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

#[utoipa::path(post, path = "/api/v1/imports/dossiers", tag = "imports",
    security(("bearer" = [])),
    params(ImportQuery),
    request_body(content((DossierFile = "application/json"),
            (DossierWorkbook = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
        description = "The older system's dossiers: JSON (format motcua-dossiers/1), or a workbook with a sheet `dossiers` and an optional sheet `history` (docs/import.md)"),
    responses((status = 200, description = "How many rows the file has, how many dossiers were created and how many were already imported as they are; nothing is written when a row fails", body = ImportSummary),
        (status = 400, description = "An empty body", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than MOTCUA_IMPORT_BODY_LIMIT", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor an XLSX workbook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every problem of the file, each named by its row and field (`row 3: received_at`, `dossiers row 4: status`, `history row 9: at`)", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/imports/dossiers")]
pub async fn import(
    state: web::Data<AppState>,
    staff: Staff,
    req: HttpRequest,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    let form = match media_type(&req).as_str() {
        "application/json" => Form::Json,
        t if t == XLSX => Form::Xlsx,
        _ => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!("send the dossiers as Content-Type: application/json or {XLSX}"),
            ))
        }
    };
    let bytes = body(payload, state.config.import_body_limit).await?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request body is empty; send a file of dossiers",
        ));
    }
    let parsed = web::block(move || dossier_import::read(&bytes, form))
        .await
        .map_err(|_| ApiError::internal())??;
    let query = query.into_inner();
    let options = Options {
        batch: query.batch,
        dry_run: query.dry_run.unwrap_or(false),
    };
    let who = Importer {
        user_id: staff.id.clone(),
        name: staff.name.clone(),
    };
    let calendar = state.calendar();
    let summary = state
        .with_conn(move |conn| {
            Ok(dossier_import::import(
                conn,
                &calendar,
                &who,
                &parsed,
                &options,
                &mut |_| {},
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(summary))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(import);
}
