//! `GET /api/v1/procedures/{code}/compliance-cost`: what complying with a
//! procedure costs the people who use it, by the reform plan's method
//! ([`motcua_domain::compliance`]), for one dossier, itemised, and for a
//! year (times the dossiers the desk received over the last twelve
//! months); with `against`, what a reform saved between two versions.
//! Public, as the catalogue is; the printable page
//! (`/thu-tuc/{code}/chi-phi-tuan-thu`) shows the same calculation.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Months, Utc};
use motcua_domain::compliance::{dossier_cost, saving, DossierCost};
use motcua_domain::Procedure;
use motcua_store::{procedures, DbConnection};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, Problem};
use crate::routes::procedure_versions::{checked_version, load};
use crate::state::AppState;

/// The largest hourly income a query may value time at, in đồng.
const MAX_HOURLY_VND: i64 = 10_000_000;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CostQuery {
    /// The version to cost; the newest when left out.
    #[param(minimum = 1)]
    pub version: Option<i32>,
    /// Another version to compare with (usually the one before a reform):
    /// the answer then says what the change saved.
    #[param(minimum = 1)]
    pub against: Option<i32>,
    /// The hourly income, in đồng, to value the citizen's time at; the
    /// desk's setting when left out.
    #[param(minimum = 1, maximum = 10000000)]
    pub hourly_income_vnd: Option<i64>,
}

/// One version's cost.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionCost {
    #[schema(example = 2)]
    pub version: i32,
    /// One dossier, itemised.
    pub per_dossier: DossierCost,
    /// One dossier's cost times the dossiers received over the last
    /// twelve months: what the procedure costs society in a year.
    #[schema(example = 293000000)]
    pub yearly_vnd: i64,
}

/// What a version saves against the other (negative: it costs more).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CostSaving {
    /// Minutes of the citizen's time saved per dossier.
    pub minutes: i64,
    pub per_dossier_vnd: i64,
    pub yearly_vnd: i64,
    /// Of the other version's cost per dossier, to a tenth; none when that
    /// cost is 0.
    #[schema(example = 25.0)]
    pub percent: Option<f64>,
}

/// The compliance cost of a procedure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceCost {
    #[schema(example = "2.000720")]
    pub code: String,
    pub name: String,
    /// What an hour of the citizen's time is valued at, in đồng.
    #[schema(example = 30000)]
    pub hourly_income_vnd: i64,
    /// The twelve months counted: `[from, to)`, `to` being now.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Dossiers of the procedure received in those months, any version.
    pub dossiers_received: i64,
    pub cost: VersionCost,
    /// The version compared with (`against`).
    pub compared_with: Option<VersionCost>,
    /// What `cost` saves against `compared_with`.
    pub saving: Option<CostSaving>,
}

/// The version `version` of `code` with its compliance inputs, or a 404
/// naming what is missing.
fn costed(
    conn: &mut DbConnection,
    code: &str,
    version: Option<i32>,
    hourly: i64,
    received: i64,
) -> Result<(Procedure, VersionCost), ApiError> {
    let p = load(conn, code, version)?;
    let inputs = p.compliance.clone().ok_or_else(|| {
        ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!(
                "procedure {code} version {} has no compliance cost inputs",
                p.version
            ),
        )
        .vi("Phiên bản này của thủ tục chưa có số liệu tính chi phí tuân thủ")
    })?;
    let per_dossier = dossier_cost(&p, &inputs, hourly);
    let yearly_vnd = per_dossier.total_vnd.saturating_mul(received);
    let cost = VersionCost {
        version: p.version,
        per_dossier,
        yearly_vnd,
    };
    Ok((p, cost))
}

/// The cost asked for by `q`, counted over the twelve months before `now`.
pub fn compute(
    conn: &mut DbConnection,
    code: &str,
    q: &CostQuery,
    default_hourly: i64,
    now: DateTime<Utc>,
) -> Result<ComplianceCost, ApiError> {
    let version = checked_version("version", q.version)?;
    let against = checked_version("against", q.against)?;
    let hourly = match q.hourly_income_vnd {
        Some(h) if !(1..=MAX_HOURLY_VND).contains(&h) => {
            return Err(ApiError::invalid_field(
                "hourly_income_vnd",
                format!("must be between 1 and {MAX_HOURLY_VND}"),
            ))
        }
        Some(h) => h,
        None => default_hourly,
    };
    let code = code.trim();
    let from = now.checked_sub_months(Months::new(12)).unwrap_or(now);
    let received = procedures::received_between(conn, code, from, now)?;
    let (p, cost) = costed(conn, code, version, hourly, received)?;
    let compared_with = match against {
        Some(v) => Some(costed(conn, code, Some(v), hourly, received)?.1),
        None => None,
    };
    let saving = compared_with.as_ref().map(|before| {
        let (per_dossier_vnd, percent) =
            saving(before.per_dossier.total_vnd, cost.per_dossier.total_vnd);
        let minutes = i64::try_from(before.per_dossier.minutes).unwrap_or(i64::MAX)
            - i64::try_from(cost.per_dossier.minutes).unwrap_or(i64::MAX);
        CostSaving {
            minutes,
            per_dossier_vnd,
            yearly_vnd: before.yearly_vnd.saturating_sub(cost.yearly_vnd),
            percent,
        }
    });
    Ok(ComplianceCost {
        code: p.code.to_string(),
        name: p.name,
        hourly_income_vnd: hourly,
        from,
        to: now,
        dossiers_received: received,
        cost,
        compared_with,
        saving,
    })
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/compliance-cost", tag = "catalogue",
    params(("code" = String, Path, description = "Procedure code"), CostQuery),
    responses((status = 200, description = "One dossier's cost, itemised, and the yearly cost; with `against`, what the reform saved", body = ComplianceCost),
        (status = 404, description = "No such procedure or version, or the version has no compliance cost inputs", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/procedures/{code}/compliance-cost")]
pub async fn compliance_cost(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<CostQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let hourly = state.config.hourly_income_vnd;
    let q = query.into_inner();
    let cost = state
        .with_conn(move |conn| compute(conn, &code, &q, hourly, motcua_store::time::now()))
        .await?;
    Ok(HttpResponse::Ok().json(cost))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(compliance_cost);
}
