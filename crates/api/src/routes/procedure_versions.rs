//! A procedure's published versions: each is kept as it was published
//! (`procedure_versions`), so a dossier received under version 1 can be
//! read against the documents and time limit of version 1, and a reform
//! shows what it changed. Anyone may read them, as the catalogue itself.

use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use motcua_domain::Procedure;
use motcua_store::procedures;
use motcua_store::DbConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{ApiError, Problem};
use crate::routes::procedures::to_dto;
use crate::state::AppState;

/// A version number from a query: at least 1.
pub fn checked_version(field: &str, v: Option<i32>) -> Result<Option<i32>, ApiError> {
    match v {
        Some(n) if n < 1 => Err(ApiError::invalid_field(field, "must be 1 or more")),
        other => Ok(other),
    }
}

/// The procedure as published at `version`, or its newest version.
pub fn load(
    conn: &mut DbConnection,
    code: &str,
    version: Option<i32>,
) -> Result<Procedure, ApiError> {
    let found = match version {
        None => procedures::get(conn, code)?,
        Some(v) => procedures::get_version(conn, code, v)?,
    };
    found.ok_or_else(|| match version {
        Some(v) if procedures::get(conn, code).ok().flatten().is_some() => ApiError::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("procedure {code} has no version {v}"),
        )
        .vi("Không tìm thấy phiên bản này của thủ tục"),
        _ => ApiError::not_found("procedure"),
    })
}

/// One published version.
#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    #[schema(example = 2)]
    pub version: i32,
    pub published_at: DateTime<Utc>,
}

/// A procedure's versions.
#[derive(Serialize, ToSchema)]
pub struct VersionList {
    #[schema(example = "1.001193")]
    pub code: String,
    /// Oldest first; the last is the one in force.
    pub items: Vec<VersionDto>,
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/versions", tag = "catalogue",
    params(("code" = String, Path, description = "Procedure code")),
    responses((status = 200, description = "Every version published, oldest first", body = VersionList),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/procedures/{code}/versions")]
pub async fn versions(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let list = state
        .with_conn(move |conn| {
            let items = procedures::versions(conn, &code)?;
            if items.is_empty() {
                return Err(ApiError::not_found("procedure"));
            }
            Ok(VersionList {
                code,
                items: items
                    .into_iter()
                    .map(|(version, published_at)| VersionDto {
                        version,
                        published_at,
                    })
                    .collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesQuery {
    /// The older version.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub from: i32,
    /// The newer version; the newest when left out.
    #[param(minimum = 1, maximum = 1_000_000)]
    pub to: Option<i32>,
}

/// A field whose value differs between the two versions.
#[derive(Serialize, ToSchema)]
pub struct FieldChange {
    /// The field of the procedure (as `GET /api/v1/procedures/{code}`
    /// names it), e.g. `duration` or `required_documents`.
    #[schema(example = "duration")]
    pub field: String,
    /// Its value in the older version.
    #[schema(value_type = Object)]
    pub before: Value,
    /// Its value in the newer version.
    #[schema(value_type = Object)]
    pub after: Value,
}

/// What changed between two versions of a procedure.
#[derive(Serialize, ToSchema)]
pub struct VersionChanges {
    #[schema(example = "1.001193")]
    pub code: String,
    #[schema(example = 1)]
    pub from: i32,
    #[schema(example = 2)]
    pub to: i32,
    /// Every field that differs, in the order the procedure lists them;
    /// empty when the two are the same.
    pub changes: Vec<FieldChange>,
}

/// The fields of `before` and `after` (two procedures as the API shows
/// them) whose values differ, in `after`'s order.
pub fn changed_fields(before: &Value, after: &Value) -> Vec<FieldChange> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    a.iter()
        .filter(|(k, _)| k.as_str() != "version")
        .filter_map(|(k, after)| {
            let before = b.get(k).cloned().unwrap_or(Value::Null);
            (before != *after).then(|| FieldChange {
                field: k.clone(),
                before,
                after: after.clone(),
            })
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/procedures/{code}/changes", tag = "catalogue",
    params(("code" = String, Path, description = "Procedure code"), ChangesQuery),
    responses((status = 200, description = "The fields that differ between the two versions", body = VersionChanges),
        (status = 404, description = "No such procedure, or no such version of it", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/procedures/{code}/changes")]
pub async fn changes(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ChangesQuery>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let from = checked_version("from", Some(query.from))?.unwrap_or(1);
    let to = checked_version("to", query.to)?;
    let (older, newer) = state
        .with_conn(move |conn| Ok((load(conn, &code, Some(from))?, load(conn, &code, to)?)))
        .await?;
    if newer.version < older.version {
        return Err(ApiError::invalid_field(
            "to",
            format!(
                "must not be before from ({} is older than {})",
                newer.version, older.version
            ),
        ));
    }
    let (from, to, code) = (older.version, newer.version, newer.code.to_string());
    let as_json = |p: Procedure| serde_json::to_value(to_dto(p)).unwrap_or(Value::Null);
    let changes = changed_fields(&as_json(older), &as_json(newer));
    Ok(HttpResponse::Ok().json(VersionChanges {
        code,
        from,
        to,
        changes,
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(versions).service(changes);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_the_fields_that_differ_are_listed_in_order() {
        let before = json!({"code": "1", "version": 1, "name": "A", "duration": {"amount": 5},
            "fees": {"amount_vnd": 0}});
        let after = json!({"code": "1", "version": 2, "name": "A", "duration": {"amount": 3},
            "fees": {"amount_vnd": 8000}, "steps": []});
        let c = changed_fields(&before, &after);
        let fields: Vec<&str> = c.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["duration", "fees", "steps"]);
        assert_eq!(c[0].before, json!({"amount": 5}));
        assert_eq!(c[0].after, json!({"amount": 3}));
        assert_eq!(c[2].before, Value::Null);
        assert!(changed_fields(&after, &after).is_empty());
    }
}
