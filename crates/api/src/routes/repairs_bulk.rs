//! `POST /api/v1/repairs/reassign`: a supervisor's bulk move
//! (docs/repairs.md, Bulk moves). Without `confirm` it previews; with
//! the preview's token it moves every selected dossier in one
//! transaction, or none.

use actix_web::{post, web, HttpResponse};
use motcua_domain::Status;
use motcua_routing::repair::bulk;
use motcua_store::repair_selection::Selection;
use motcua_store::users;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::repairs::reassignment;
use crate::state::AppState;

/// Which open dossiers move: those held by `agency`, narrowed by the
/// other fields.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkFilter {
    #[schema(example = "H53.50.05", max_length = 64)]
    pub agency: String,
    /// Only dossiers in this status (an open one: 2, 4, 5 or 6).
    pub status: Option<Status>,
    #[schema(example = "1.001", max_length = 64)]
    pub procedure: Option<String>,
    /// Only dossiers assigned to this officer (username).
    #[schema(example = "canbo.xa", max_length = 64)]
    pub officer: Option<String>,
    /// Only these codes.
    #[serde(default)]
    #[schema(max_items = 500)]
    pub codes: Vec<String>,
}

/// A bulk reassignment: to exactly one of `agency` and `officer`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkReassignInput {
    pub filter: BulkFilter,
    #[schema(example = "H53.50.07", max_length = 64)]
    pub agency: Option<String>,
    #[schema(example = "canbo.moi", max_length = 64)]
    pub officer: Option<String>,
    #[schema(
        example = "Cán bộ nghỉ phép dài ngày, chuyển hồ sơ cho cán bộ khác",
        min_length = 1,
        max_length = 1000
    )]
    pub reason: String,
    /// The preview's token: given, the move is made.
    #[schema(max_length = 64)]
    pub confirm: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkLine {
    #[schema(example = "H53.50.05-261203-0001")]
    pub code: String,
    /// The agency or the officer it goes to.
    #[schema(example = "canbo.moi")]
    pub to: String,
    /// Why it cannot move; the whole move is then refused.
    pub refused: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkAnswer {
    /// Every selected dossier, in code order.
    pub lines: Vec<BulkLine>,
    /// How many can move (preview) or moved.
    pub movable: usize,
    /// Confirm with this token to make exactly this move.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015")]
    pub token: String,
    /// Whether the move was made.
    pub applied: bool,
    /// The batch every event of the move carries, once made.
    pub batch: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/repairs/reassign", tag = "repairs",
    security(("bearer" = [])), request_body = BulkReassignInput,
    responses(
        (status = 200, description = "The preview (no `confirm`), or the move made (`applied`); a confirmation with a refused line moves nothing and says why for each", body = BulkAnswer),
        (status = 403, description = "Not a supervisor, or the agency is outside your reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The selection changed since the preview", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The filter selects nothing or too many, not exactly one of agency and officer, no reason", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/repairs/reassign")]
pub async fn reassign_many(
    state: web::Data<AppState>,
    staff: Staff,
    JsonBody(input): JsonBody<BulkReassignInput>,
) -> Result<HttpResponse, ApiError> {
    let (calendar, mail) = (state.calendar(), state.mail.clone());
    let out = state
        .with_conn(move |conn| {
            let to = reassignment(conn, input.agency.as_deref(), input.officer.as_deref())?;
            let assigned_to = match input.filter.officer.as_deref().map(str::trim) {
                Some(name) => Some(
                    users::find_by_username(conn, name)?
                        .map(|(u, _)| u.id)
                        .ok_or_else(|| ApiError::invalid_field("filter.officer", "no such user"))?,
                ),
                None => None,
            };
            let selection = Selection {
                agency: input.filter.agency.trim().to_string(),
                status: input.filter.status,
                procedure: input.filter.procedure.map(|p| p.trim().to_string()),
                assigned_to,
                codes: input.filter.codes,
            };
            Ok(bulk::reassign_many(
                conn,
                &calendar,
                &mail,
                &staff.member(),
                &selection,
                &to,
                &input.reason,
                input.confirm.as_deref(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(BulkAnswer {
        movable: out.lines.iter().filter(|l| l.refused.is_none()).count(),
        lines: out
            .lines
            .into_iter()
            .map(|l| BulkLine {
                code: l.code,
                to: l.to,
                refused: l.refused,
            })
            .collect(),
        token: out.token,
        applied: out.applied,
        batch: out.batch,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(reassign_many);
}
