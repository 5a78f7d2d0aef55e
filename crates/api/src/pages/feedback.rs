//! `/phan-anh`: send feedback (the same operation and limit as
//! `POST /api/v1/public/feedback`), follow it with its reference and PIN,
//! give the information the agency asks for, and read the published
//! answers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_feedback::steps;
use motcua_store::feedback as store;
use motcua_store::{agencies, time};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{form_lang, parse_form, render, Lang, LangQuery, Shown};
use crate::error::ApiError;
use crate::routes::feedback::{feedback_pin_checked, send_from, view, FeedbackInput};
use crate::state::AppState;

/// The published answers the page lists.
const PUBLISHED_SHOWN: i64 = 20;

fn with_lang(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Vi => path.to_string(),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// The agencies to choose from and the published answers: what the page
/// always shows.
async fn common(state: &web::Data<AppState>) -> Result<Value, ApiError> {
    let calendar = state.calendar();
    state
        .with_conn(move |conn| {
            let agencies: Vec<Value> = agencies::list(conn)?
                .into_iter()
                .map(|a| json!({"code": a.code.as_str(), "name": a.name}))
                .collect();
            let (published, total) = store::published(conn, None, PUBLISHED_SHOWN, 0)?;
            let names = |code: &str| -> String {
                agencies.iter()
                    .find(|a| a["code"] == code)
                    .and_then(|a| a["name"].as_str())
                    .unwrap_or(code)
                    .to_string()
            };
            let published: Vec<Value> = published
                .into_iter()
                .map(|p| {
                    json!({
                        "reference": p.reference, "agency": names(&p.agency_code), "subject": p.subject,
                        "summary": p.summary, "answer": p.answer,
                        "answered_at": format_local(&calendar, p.answered_at),
                        "published_at": format_local(&calendar, p.published_at),
                    })
                })
                .collect();
            Ok(json!({"agencies": agencies, "published": published, "published_total": total}))
        })
        .await
}

pub async fn page(state: web::Data<AppState>, query: web::Query<LangQuery>) -> HttpResponse {
    let lang = Lang::of(query.lang.as_deref());
    let switch = with_lang("/phan-anh", lang.other());
    match common(&state).await {
        Ok(mut ctx) => {
            ctx["form"] = json!({});
            ctx["errors"] = json!({});
            render(StatusCode::OK, "feedback.html", lang, &switch, ctx)
        }
        Err(e) => plain_error(&e, lang, &switch),
    }
}

fn plain_error(e: &ApiError, lang: Lang, switch: &str) -> HttpResponse {
    let shown = Shown::of(e, lang);
    let ctx = json!({"agencies": [], "published": [], "published_total": 0, "form": {}, "errors": {}, "error": shown.message});
    shown.headers(render(shown.status, "feedback.html", lang, switch, ctx))
}

/// The form as sent: every field text, none required by the parser (the
/// operation names what is missing).
#[derive(Debug, Default, Deserialize)]
pub struct FeedbackForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    dossier_code: String,
    #[serde(default)]
    dossier_pin: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    procedure: String,
}

fn some(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

pub async fn send(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let lang = form_lang(&body);
    let (f, refused) = match parse_form::<FeedbackForm>(&body) {
        Ok(f) => (f, None),
        Err(errors) => (FeedbackForm::default(), Some(ApiError::invalid(errors))),
    };
    let switch = with_lang("/phan-anh", lang.other());
    let input = FeedbackInput {
        name: f.name.clone(),
        email: some(&f.email),
        phone: some(&f.phone),
        subject: f.subject.clone(),
        content: f.content.clone(),
        dossier_code: some(&f.dossier_code),
        dossier_pin: some(&f.dossier_pin),
        agency: some(&f.agency),
        procedure: some(&f.procedure),
    };
    let outcome = match refused {
        Some(e) => Err(e),
        None => send_from(&state, &req, input).await,
    };
    let mut ctx = match common(&state).await {
        Ok(ctx) => ctx,
        Err(e) => return plain_error(&e, lang, &switch),
    };
    match outcome {
        Ok((sent, _)) => {
            let calendar = state.calendar();
            ctx["form"] = json!({});
            ctx["errors"] = json!({});
            ctx["sent"] = json!({
                "reference": sent.feedback.reference,
                "pin": sent.pin,
                "due": sent.feedback.step_due_at.map(|d| format_local(&calendar, d)),
            });
            render(StatusCode::CREATED, "feedback.html", lang, &switch, ctx)
        }
        Err(e) => {
            let shown = Shown::of(&e, lang);
            ctx["form"] = json!({
                "name": f.name, "email": f.email, "phone": f.phone, "subject": f.subject,
                "content": f.content, "dossier_code": f.dossier_code, "agency": f.agency,
                "procedure": f.procedure,
            });
            ctx["errors"] = json!(shown.fields);
            ctx["error"] = json!(shown.message);
            shown.headers(render(shown.status, "feedback.html", lang, &switch, ctx))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct FollowQuery {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    lang: Option<String>,
}

/// The feedback's view for its sender, once the PIN is checked.
async fn followed(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    reference: &str,
    pin: &str,
    calendar: &WorkingCalendar,
) -> Result<Value, ApiError> {
    super::keys_checked(&[("reference", reference), ("pin", pin)])?;
    let client = crate::client::limit_key(crate::client::of_request(
        req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let (reference, pin) = (reference.to_string(), pin.to_string());
    let f = state
        .with_conn(move |conn| {
            feedback_pin_checked(conn, &st, &reference, &pin, &client)?;
            store::get(conn, &reference)?.ok_or_else(|| ApiError::not_found("feedback"))
        })
        .await?;
    let v = view(&f);
    let at = |t: Option<chrono::DateTime<chrono::Utc>>| t.map(|t| format_local(calendar, t));
    Ok(json!({
        "reference": v.reference, "subject": v.subject, "content": v.content,
        "status": v.status.as_str(), "status_vi": v.status_text_vi, "status_en": v.status_text_en,
        "received_at": format_local(calendar, v.received_at), "step_due_at": at(v.step_due_at),
        "refusal_reason": v.refusal_reason, "question": v.information_request,
        "reply": v.information_reply, "answer": v.answer, "answered_at": at(v.answered_at),
        "published_at": at(v.published_at),
    }))
}

fn follow_link(reference: &str, lang: Lang) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if !reference.is_empty() {
        q.append_pair("reference", reference);
    }
    if lang == Lang::En {
        q.append_pair("lang", "en");
    }
    format!("/phan-anh/theo-doi?{}", q.finish())
}

pub async fn follow(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FollowQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let lang = Lang::of(q.lang.as_deref());
    let (reference, pin) = (q.reference.trim().to_string(), q.pin.trim().to_string());
    let switch = follow_link(&reference, lang.other());
    let form = json!({"reference": reference, "pin": ""});
    if pin.is_empty() {
        // Opened from the mail's link: the reference filled in, the PIN
        // asked.
        return render(
            StatusCode::OK,
            "feedback_follow.html",
            lang,
            &switch,
            json!({"form": form, "errors": {}}),
        );
    }
    let calendar = state.calendar();
    match followed(&state, &req, &reference, &pin, &calendar).await {
        Ok(f) => {
            let ctx = json!({"form": {"reference": reference, "pin": pin}, "errors": {}, "f": f});
            render(StatusCode::OK, "feedback_follow.html", lang, &switch, ctx)
        }
        Err(e) => {
            let shown = Shown::of(&e, lang);
            let ctx = json!({"form": form, "errors": shown.fields, "error": shown.message});
            shown.headers(render(
                shown.status,
                "feedback_follow.html",
                lang,
                &switch,
                ctx,
            ))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ReplyForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    reply: String,
}

pub async fn give_information(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let lang = form_lang(&body);
    let (r, refused) = match parse_form::<ReplyForm>(&body) {
        Ok(r) => (r, None),
        Err(errors) => (ReplyForm::default(), Some(ApiError::invalid(errors))),
    };
    let (reference, pin) = (r.reference.trim().to_string(), r.pin.trim().to_string());
    let switch = follow_link(&reference, lang.other());
    let calendar = state.calendar();
    // The PIN first (with its limits), then the reply.
    if let Err(e) = followed(&state, &req, &reference, &pin, &calendar).await {
        let shown = Shown::of(&e, lang);
        let ctx = json!({"form": {"reference": reference, "pin": ""}, "errors": shown.fields, "error": shown.message});
        return shown.headers(render(
            shown.status,
            "feedback_follow.html",
            lang,
            &switch,
            ctx,
        ));
    }
    let st = state.clone();
    let (rf, reply) = (reference.clone(), r.reply.clone());
    let done = match refused {
        Some(e) => Err(e),
        None => {
            state
                .with_conn(move |conn| {
                    let calendar = st.calendar();
                    Ok(steps::give_information(
                        conn,
                        &calendar,
                        &st.mail,
                        &rf,
                        &reply,
                        time::now(),
                    )?)
                })
                .await
        }
    };
    let status = match &done {
        Ok(_) => StatusCode::OK,
        Err(e) => e.status(),
    };
    let shown = done.as_ref().err().map(|e| Shown::of(e, lang));
    match followed(&state, &req, &reference, &pin, &calendar).await {
        Ok(f) => {
            let ctx = json!({
                "form": {"reference": reference, "pin": pin},
                "errors": shown.as_ref().map(|s| json!(s.fields)).unwrap_or(json!({})),
                "error": shown.as_ref().and_then(|s| s.message.clone()),
                "reply_form": {"reply": r.reply},
                "replied": done.is_ok(),
                "f": f,
            });
            render(status, "feedback_follow.html", lang, &switch, ctx)
        }
        Err(e) => {
            let shown = Shown::of(&e, lang);
            let ctx = json!({"form": {"reference": reference, "pin": ""}, "errors": shown.fields, "error": shown.message});
            shown.headers(render(
                shown.status,
                "feedback_follow.html",
                lang,
                &switch,
                ctx,
            ))
        }
    }
}
