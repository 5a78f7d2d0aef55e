//! `/thu-tuc`: the public catalogue, searched without accents; and
//! `/thu-tuc/{code}`: a procedure's documents, fees, time, legal basis and
//! where to file, with the online form when it can be filed online (the
//! same operation and limit as `POST /api/v1/public/dossiers`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use motcua_domain::{DurationUnit, FieldError, Procedure, ServiceLevel, StatutoryDuration};
use motcua_intake::IntakeRequest;
use motcua_store::agencies;
use motcua_store::procedures::{self, ProcedureFilter};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::{form_lang, parse_form, render, Lang, LangQuery, Shown};
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: Option<String>,
    /// A service level; anything else lists every level.
    #[serde(default)]
    level: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// The most procedures a search page lists.
const PAGE: i64 = 100;
/// The longest search text.
const SEARCH_MAX: usize = 200;

fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => path.to_string(),
        Lang::En => format!("{path}?lang=en"),
    }
}

pub async fn list(state: web::Data<AppState>, query: web::Query<SearchQuery>) -> HttpResponse {
    let q = query.into_inner();
    let lang = Lang::of(q.lang.as_deref());
    let text: String =
        q.q.unwrap_or_default()
            .trim()
            .chars()
            .take(SEARCH_MAX)
            .collect();
    let level = q
        .level
        .as_deref()
        .and_then(|l| ServiceLevel::parse(l.trim()).ok());
    let switch = {
        let mut s = form_urlencoded::Serializer::new(String::new());
        if !text.is_empty() {
            s.append_pair("q", &text);
        }
        if let Some(l) = level {
            s.append_pair("level", l.as_str());
        }
        if lang.other() == Lang::En {
            s.append_pair("lang", "en");
        }
        let s = s.finish();
        if s.is_empty() {
            "/thu-tuc".to_string()
        } else {
            format!("/thu-tuc?{s}")
        }
    };
    let filter = ProcedureFilter {
        agency: None,
        text: (!text.is_empty()).then(|| text.clone()),
        service_level: level,
        limit: PAGE,
        offset: 0,
    };
    let found = state
        .with_conn(move |conn| Ok(procedures::list(conn, &filter)?))
        .await;
    match found {
        Ok((items, total)) => {
            let items: Vec<Value> = items
                .iter()
                .map(|p| {
                    json!({
                        "code": p.code.as_str(),
                        "name": p.name,
                        "field": p.field,
                        "time": duration_text(&p.duration, lang),
                        "level": p.service_level.as_str(),
                    })
                })
                .collect();
            render(
                StatusCode::OK,
                "catalogue.html",
                lang,
                &switch,
                json!({
                    "q": text, "level": level.map(ServiceLevel::as_str),
                    "items": items, "total": total,
                }),
            )
        }
        Err(e) => error_page(&e, lang, &switch),
    }
}

fn error_page(e: &ApiError, lang: Lang, switch: &str) -> HttpResponse {
    let shown = Shown::of(e, lang);
    let ctx = json!({
        "q": "", "level": null, "items": [], "total": 0, "error": shown.message,
    });
    shown.headers(render(shown.status, "catalogue.html", lang, switch, ctx))
}

/// "5 ngày làm việc", "5 working days"...
pub fn duration_text(d: &StatutoryDuration, lang: Lang) -> String {
    let n = d.amount;
    match (d.unit, lang) {
        (DurationUnit::WorkingDays, Lang::Vi) => format!("{n} ngày làm việc"),
        (DurationUnit::WorkingDays, Lang::En) => format!("{n} working days"),
        (DurationUnit::WorkingHours, Lang::Vi) => format!("{n} giờ làm việc"),
        (DurationUnit::WorkingHours, Lang::En) => format!("{n} working hours"),
        (DurationUnit::CalendarDays, Lang::Vi) => format!("{n} ngày"),
        (DurationUnit::CalendarDays, Lang::En) => format!("{n} days"),
        (DurationUnit::SameDay, Lang::Vi) => "Trong ngày".to_string(),
        (DurationUnit::SameDay, Lang::En) => "The same day".to_string(),
    }
}

/// "50.000 đồng", "50,000 VND".
pub fn money(vnd: i64, lang: Lang) -> String {
    let digits = vnd.unsigned_abs().to_string();
    let sep = if lang == Lang::Vi { '.' } else { ',' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    match lang {
        Lang::Vi => format!("{out} đồng"),
        Lang::En => format!("{out} VND"),
    }
}

/// What the detail page shows of a procedure and its agency.
fn procedure_view(p: &Procedure, agency: Option<motcua_domain::Agency>, lang: Lang) -> Value {
    let documents_of = |list: &[motcua_domain::RequiredDocument]| -> Vec<Value> {
        list.iter()
            .map(|d| {
                json!({
                    "code": d.code, "name": d.name, "original": d.original, "copies": d.copies,
                    "optional": d.optional,
                })
            })
            .collect()
    };
    let documents = documents_of(&p.required_documents);
    // The online form: the procedure's list, or with cases every case's
    // documents once (the case chosen keeps its own).
    let mut form_documents: Vec<motcua_domain::RequiredDocument> = Vec::new();
    let lists: Vec<&Vec<motcua_domain::RequiredDocument>> = if p.cases.is_empty() {
        vec![&p.required_documents]
    } else {
        p.cases.iter().map(|c| &c.required_documents).collect()
    };
    for d in lists.into_iter().flatten() {
        if !form_documents.iter().any(|f| f.code == d.code) {
            form_documents.push(d.clone());
        }
    }
    let form_documents = documents_of(&form_documents);
    let cases: Vec<Value> = p
        .cases
        .iter()
        .map(|c| {
            json!({
                "code": c.code, "name": c.name,
                "time": duration_text(&c.duration, lang),
                "online_time": c.online_duration.as_ref().map(|d| duration_text(d, lang)),
                "fee": (c.fee_vnd > 0).then(|| money(c.fee_vnd, lang)),
                "fee_note": c.fee_note,
                "documents": documents_of(&c.required_documents),
            })
        })
        .collect();
    json!({
        "code": p.code.as_str(),
        "name": p.name,
        "field": p.field,
        "time": duration_text(&p.duration, lang),
        "fee": (p.fee_vnd > 0).then(|| money(p.fee_vnd, lang)),
        "fee_note": p.fee_note,
        "documents": documents,
        "form_documents": form_documents,
        "cases": cases,
        "legal_basis": p.legal_basis,
        "result": p.result,
        "online": p.online_allowed(),
        "level": p.service_level.as_str(),
        "has_cost": p.compliance.is_some(),
        "agency": agency.as_ref().map(|a| json!({"name": a.name, "address": a.address})),
    })
}

/// A procedure and its agency, or the page's 404.
async fn load(
    state: &web::Data<AppState>,
    code: String,
) -> Result<(Procedure, Option<motcua_domain::Agency>), ApiError> {
    state
        .with_conn(move |conn| {
            let p = procedures::get(conn, code.trim())?
                .ok_or_else(|| ApiError::not_found("procedure"))?;
            let a = agencies::get(conn, p.agency.as_str())?;
            Ok((p, a))
        })
        .await
}

pub async fn detail(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    let lang = Lang::of(query.lang.as_deref());
    let code = path.into_inner();
    let switch = with_lang(&format!("/thu-tuc/{code}"), lang.other());
    match load(&state, code).await {
        Ok((p, a)) => {
            let ctx = json!({"p": procedure_view(&p, a, lang), "form": {}, "errors": {}});
            render(StatusCode::OK, "procedure.html", lang, &switch, ctx)
        }
        Err(e) => error_page(&e, lang, "/thu-tuc"),
    }
}

/// The online form: the applicant and the documents ticked (`doc_{code}`).
#[derive(Debug, Default, Deserialize)]
pub struct OnlineForm {
    #[serde(flatten)]
    fields: Map<String, Value>,
}

impl OnlineForm {
    fn text(&self, name: &str) -> String {
        self.fields
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

pub async fn file_online(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let lang = form_lang(&body);
    let (form, refused) = match parse_form::<OnlineForm>(&body) {
        Ok(f) => (f, None),
        Err(errors) => (OnlineForm::default(), Some(ApiError::invalid(errors))),
    };
    let code = path.into_inner();
    let switch = with_lang(&format!("/thu-tuc/{code}"), lang.other());
    let (p, agency) = match load(&state, code.clone()).await {
        Ok(found) => found,
        Err(e) => return error_page(&e, lang, "/thu-tuc"),
    };
    // A procedure with cases: the case chosen decides the list (documents
    // ticked that are not on it are not sent).
    let case = form.text("case");
    let listed = if p.cases.is_empty() {
        p.required_documents.clone()
    } else {
        p.case(&case)
            .map(|c| c.required_documents.clone())
            .unwrap_or_default()
    };
    let documents: Vec<Value> = listed
        .iter()
        .filter(|d| !form.text(&format!("doc_{}", d.code)).is_empty())
        .map(|d| json!({"code": d.code, "original": d.original, "copies": d.copies}))
        .collect();
    let optional = |name: &str| {
        let v = form.text(name);
        (!v.is_empty()).then_some(v)
    };
    let request_body = json!({
        "procedure": p.code.as_str(),
        "applicant": {
            "name": form.text("name"),
            "id_number": form.text("id_number"),
            "phone": optional("phone"),
            "email": optional("email"),
            "address": optional("address"),
        },
        "documents": documents,
        "channel": "online",
        "case": (!p.cases.is_empty()).then_some(case.clone()),
    });
    let kept = json!({
        "name": form.text("name"), "id_number": form.text("id_number"), "phone": form.text("phone"),
        "email": form.text("email"), "address": form.text("address"),
        "ticked": documents.iter().filter_map(|d| d["code"].as_str()).collect::<Vec<_>>(),
        "case": case,
    });
    if let Some(e) = refused {
        return failed(&e, lang, &switch, &p, agency, kept);
    }
    let request: IntakeRequest = match serde_json::from_value(request_body) {
        Ok(r) => r,
        Err(_) => {
            let e = ApiError::invalid(vec![FieldError::new("name", "is required")]);
            return failed(&e, lang, &switch, &p, agency, kept);
        }
    };
    let out = crate::routes::submissions::submit_counted(&state, &req, request).await;
    match out {
        Ok(out) => {
            let missing: Vec<&str> = out.missing.iter().map(|m| m.name.as_str()).collect();
            let ctx = json!({
                "p": procedure_view(&p, agency, lang), "form": {}, "errors": {},
                "submitted": {"reference": out.submission.id, "pin": out.pin, "missing": missing},
            });
            render(StatusCode::CREATED, "procedure.html", lang, &switch, ctx)
        }
        Err(e) => failed(&e, lang, &switch, &p, agency, kept),
    }
}

/// The procedure's page again, the form filled as it was, each problem
/// beside its field.
fn failed(
    e: &ApiError,
    lang: Lang,
    switch: &str,
    p: &Procedure,
    agency: Option<motcua_domain::Agency>,
    kept: Value,
) -> HttpResponse {
    let mut shown = Shown::of(e, lang);
    // The API names the applicant's fields `applicant.name`...; the form
    // names them `name`.
    shown.fields = shown
        .fields
        .into_iter()
        .map(|(k, v)| (k.trim_start_matches("applicant.").to_string(), v))
        .collect();
    let ctx = json!({
        "p": procedure_view(p, agency, lang), "form": kept,
        "errors": shown.fields, "error": shown.message,
    });
    shown.headers(render(shown.status, "procedure.html", lang, switch, ctx))
}
