//! What administrators set and run for files: each procedure's file
//! policy (whether its result is issued as a file, how long a returned
//! dossier's files are kept), and the file job on demand.

use actix_web::{get, post, put, web, HttpResponse};
use motcua_domain::{EventKind, Role};
use motcua_store::events::{self, NewEvent};
use motcua_store::files::{self, FilePolicy};
use motcua_store::procedures;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::file_jobs::{self, FilesHousekept};
use crate::state::AppState;

/// A procedure's file policy.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct FilePolicyDto {
    /// The result may be issued as a file the citizen downloads with the
    /// dossier's code and PIN.
    pub electronic_result: bool,
    /// Years a returned dossier's files are kept before the retention job
    /// removes them (1 to 100; 5 unless set).
    #[schema(minimum = 1, maximum = 100, example = 5)]
    pub retention_years: i32,
}

impl From<FilePolicy> for FilePolicyDto {
    fn from(p: FilePolicy) -> Self {
        FilePolicyDto {
            electronic_result: p.electronic_result,
            retention_years: p.retention_years,
        }
    }
}

fn known_procedure(conn: &mut motcua_store::DbConnection, code: &str) -> Result<(), ApiError> {
    procedures::get(conn, code)?
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found("procedure"))
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/file-policy", tag = "files",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Procedure code")),
    responses((status = 200, body = FilePolicyDto),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/procedures/{code}/file-policy")]
pub async fn get_policy(
    state: web::Data<AppState>,
    _staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let p = state
        .with_conn(move |conn| {
            known_procedure(conn, &code)?;
            Ok(files::policy(conn, &code)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(FilePolicyDto::from(p)))
}

#[utoipa::path(put, path = "/api/v1/procedures/{code}/file-policy", tag = "files",
    security(("bearer" = [])), request_body = FilePolicyDto,
    params(("code" = String, Path, description = "Procedure code")),
    responses((status = 200, body = FilePolicyDto),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[put("/api/v1/procedures/{code}/file-policy")]
pub async fn put_policy(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<FilePolicyDto>,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    if !(1..=100).contains(&input.retention_years) {
        return Err(ApiError::invalid_field(
            "retention_years",
            "must be from 1 to 100 years",
        ));
    }
    let code = path.into_inner();
    let policy = FilePolicy {
        electronic_result: input.electronic_result,
        retention_years: input.retention_years,
    };
    let now = motcua_store::time::now();
    state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                known_procedure(conn, &code)?;
                files::set_policy(conn, &code, policy, now)?;
                events::append(
                    conn,
                    &NewEvent {
                        subject_type: "procedure",
                        subject_id: &code,
                        dossier_id: None,
                        kind: EventKind::FilePolicySet,
                        actor: &staff.actor(),
                        at: now,
                        data: json!({
                            "electronic_result": policy.electronic_result,
                            "retention_years": policy.retention_years,
                        }),
                    },
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(FilePolicyDto::from(policy)))
}

#[utoipa::path(post, path = "/api/v1/files/housekeeping", tag = "files",
    security(("bearer" = [])),
    responses((status = 200, description = "Swept the uploads that never committed and removed the files past their retention", body = FilesHousekept),
        (status = 403, description = "Administrators only", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/files/housekeeping")]
pub async fn housekeeping(
    state: web::Data<AppState>,
    staff: Staff,
) -> Result<HttpResponse, ApiError> {
    staff.require(&[Role::Admin])?;
    Ok(HttpResponse::Ok().json(file_jobs::run_once(&state).await?))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(get_policy)
        .service(put_policy)
        .service(housekeeping);
}
