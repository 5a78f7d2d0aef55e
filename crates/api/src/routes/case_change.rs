//! `POST /api/v1/dossiers/{code}/case`: a dossier found to be of another
//! case of its procedure (docs/catalogue.md, Cases). The appointment moves
//! through the clock's ledger (`motcua_sla::ops::case_change`).

use actix_web::{post, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_sla::ops::case_change;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::clock::{answer, ClockAnswer};
use crate::state::AppState;

/// The case the dossier is of, and why it changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseChangeInput {
    #[schema(example = "do-thi", max_length = 32)]
    pub case: String,
    /// Why: kept with the change on the dossier's history.
    #[schema(
        example = "Thửa đất thuộc khu vực đô thị theo xác nhận của UBND xã",
        min_length = 1,
        max_length = 1000
    )]
    pub cause: String,
}

/// What the change did.
#[derive(Serialize, ToSchema)]
pub struct CaseChangeAnswer {
    #[serde(flatten)]
    pub dossier: ClockAnswer,
    pub previous_case: Option<String>,
    #[schema(example = "do-thi")]
    pub case: String,
    pub previous_due_at: DateTime<Utc>,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/case", tag = "clock",
    security(("bearer" = [])), request_body = CaseChangeInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "The dossier is of the new case: its documents, time limit and fees; the appointment derived again from the receipt with the case's time limit (pauses and the extension kept)", body = CaseChangeAnswer),
        (status = 403, description = "Not a clerk of the receiving desk or an officer of the handling agency", body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier is closed, or of this case already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such case of the procedure (or it has none), or no cause", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/case")]
pub async fn change(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<CaseChangeInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let calendar = state.calendar();
    let out = state
        .with_conn(move |conn| {
            Ok(case_change::change_case(
                conn,
                &calendar,
                &staff.member(),
                &code,
                &input.case,
                &input.cause,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(CaseChangeAnswer {
        dossier: answer(&out.dossier),
        previous_case: out.previous_case,
        case: out.dossier.case_code.clone().unwrap_or_default(),
        previous_due_at: out.previous_due,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(change);
}
