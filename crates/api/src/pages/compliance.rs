//! `/thu-tuc/{code}/chi-phi-tuan-thu`: a procedure's compliance cost as a
//! reform report prints it (A4 portrait): the inputs, one dossier's cost
//! line by line, the yearly cost, and with `against=` what a reform saved.
//! The same calculation as `GET /api/v1/procedures/{code}/compliance-cost`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::catalogue::money;
use super::{render, Lang, Shown};
use crate::error::ApiError;
use crate::routes::compliance_cost::{compute, ComplianceCost, CostQuery, VersionCost};
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    against: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// A version number typed in the address: empty is none.
fn number(field: &str, v: Option<&str>) -> Result<Option<i32>, ApiError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid_field(field, "must be a version number")),
    }
}

/// "4 giờ 5 phút", "4 h 5 min".
fn duration(minutes: u64, lang: Lang) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match lang {
        Lang::Vi if h == 0 => format!("{m} phút"),
        Lang::Vi => format!("{h} giờ {m} phút"),
        Lang::En if h == 0 => format!("{m} min"),
        Lang::En => format!("{h} h {m} min"),
    }
}

fn version_view(v: &VersionCost, lang: Lang) -> Value {
    let lines: Vec<Value> = v
        .per_dossier
        .lines
        .iter()
        .map(|l| {
            json!({
                "kind": serde_json::to_value(l.kind).unwrap_or(Value::Null),
                "label": l.label,
                "time": l.minutes.map(|m| duration(m, lang)),
                "amount": money(l.amount_vnd, lang),
            })
        })
        .collect();
    json!({
        "version": v.version,
        "lines": lines,
        "time": duration(v.per_dossier.minutes, lang),
        "time_vnd": money(v.per_dossier.time_vnd, lang),
        "money_vnd": money(v.per_dossier.money_vnd, lang),
        "total": money(v.per_dossier.total_vnd, lang),
        "yearly": money(v.yearly_vnd, lang),
    })
}

fn view(c: &ComplianceCost, lang: Lang) -> Value {
    json!({
        "code": c.code,
        "name": c.name,
        "hourly": money(c.hourly_income_vnd, lang),
        "received": c.dossiers_received,
        "from": c.from.format("%Y-%m-%d").to_string(),
        "to": c.to.format("%Y-%m-%d").to_string(),
        "version": c.cost.version,
        // The version compared with first, as a reform report reads.
        "versions": c.compared_with.iter().chain([&c.cost])
            .map(|v| version_view(v, lang)).collect::<Vec<_>>(),
        "saving": c.saving.as_ref().map(|s| json!({
            "time": duration(s.minutes.unsigned_abs(), lang),
            "more_time": s.minutes < 0,
            "per_dossier": money(s.per_dossier_vnd.abs(), lang),
            "yearly": money(s.yearly_vnd.abs(), lang),
            "costs_more": s.per_dossier_vnd < 0,
            "percent": s.percent.map(f64::abs),
        })),
    })
}

pub async fn page(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<PageQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let lang = Lang::of(q.lang.as_deref());
    let code = path.into_inner();
    let hourly = state.config.hourly_income_vnd;
    let parsed = number("version", q.version.as_deref()).and_then(|version| {
        Ok(CostQuery {
            version,
            against: number("against", q.against.as_deref())?,
            hourly_income_vnd: None,
        })
    });
    let mut switch = form_urlencoded::Serializer::new(String::new());
    for (k, v) in [("version", &q.version), ("against", &q.against)] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            switch.append_pair(k, v);
        }
    }
    if lang.other() == Lang::En {
        switch.append_pair("lang", "en");
    }
    let switch = format!("/thu-tuc/{code}/chi-phi-tuan-thu?{}", switch.finish());
    let found = match parsed {
        Ok(cq) => {
            state
                .with_conn(move |conn| compute(conn, &code, &cq, hourly, motcua_store::time::now()))
                .await
        }
        Err(e) => Err(e),
    };
    match found {
        Ok(c) => render(
            StatusCode::OK,
            "compliance.html",
            lang,
            &switch,
            json!({"c": view(&c, lang)}),
        ),
        Err(e) => {
            let shown = Shown::of(&e, lang);
            let ctx = json!({"c": null, "error": shown.message});
            shown.headers(render(shown.status, "compliance.html", lang, &switch, ctx))
        }
    }
}
