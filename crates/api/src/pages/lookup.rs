//! `/`: the citizen's look-up by dossier code and PIN (the receipt's QR
//! code opens it with both filled in): the status, the appointment, what
//! the desk waits for, the handling agency, the history in plain words,
//! and once the result is returned, the rating form (`POST /danh-gia`).
//! The same limits on wrong PINs as the API's look-up.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use motcua_calendar::{format_local, WorkingCalendar};
use motcua_domain::{EventKind, Overall, Rating, Status};
use motcua_routing::rating::{self, Rater};
use motcua_store::{events, ratings, supplements, DbConnection};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{field_errors, form_lang, parse_form, render, Lang, Shown};
use crate::error::ApiError;
use crate::routes::public::{pin_checked, view};
use crate::state::AppState;

/// The look-up's query: what the QR code carries.
#[derive(Debug, Default, Deserialize)]
pub struct LookupQuery {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    pin: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

fn trimmed(v: &Option<String>) -> String {
    v.as_deref().unwrap_or_default().trim().to_string()
}

/// The link to the same look-up in `lang`.
fn link(code: &str, pin: &str, lang: Lang) -> String {
    let mut q = form_urlencoded::Serializer::new(String::new());
    if !code.is_empty() {
        q.append_pair("code", code);
    }
    if !pin.is_empty() {
        q.append_pair("pin", pin);
    }
    if lang == Lang::En {
        q.append_pair("lang", "en");
    }
    let q = q.finish();
    if q.is_empty() {
        "/".into()
    } else {
        format!("/?{q}")
    }
}

pub async fn page(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<LookupQuery>,
) -> HttpResponse {
    let q = query.into_inner();
    let lang = Lang::of(q.lang.as_deref());
    let (code, pin) = (trimmed(&q.code), trimmed(&q.pin));
    let switch = link(&code, &pin, lang.other());
    if code.is_empty() && pin.is_empty() {
        return render(
            StatusCode::OK,
            "lookup.html",
            lang,
            &switch,
            json!({"form": {"code": "", "pin": ""}}),
        );
    }
    let outcome = looked_up(&state, &req, &code, &pin, lang).await;
    show(outcome, lang, &code, &pin, &switch, json!({}))
}

/// Renders the look-up page for an outcome, with `extra` in its context.
fn show(
    outcome: Result<Value, ApiError>,
    lang: Lang,
    code: &str,
    pin: &str,
    switch: &str,
    extra: Value,
) -> HttpResponse {
    let mut ctx = json!({"form": {"code": code, "pin": pin}});
    merge(&mut ctx, extra);
    match outcome {
        Ok(dossier) => {
            ctx["dossier"] = dossier;
            render(StatusCode::OK, "lookup.html", lang, switch, ctx)
        }
        Err(e) => {
            let shown = Shown::of(&e, lang);
            ctx["error"] = json!(shown.message);
            ctx["errors"] = json!(shown.fields);
            shown.headers(render(shown.status, "lookup.html", lang, switch, ctx))
        }
    }
}

fn merge(ctx: &mut Value, extra: Value) {
    if let (Value::Object(map), Value::Object(more)) = (ctx, extra) {
        map.extend(more);
    }
}

/// The dossier's view for the page, once its PIN is checked.
async fn looked_up(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    code: &str,
    pin: &str,
    lang: Lang,
) -> Result<Value, ApiError> {
    super::keys_checked(&[("code", code), ("pin", pin)])?;
    let client = crate::client::limit_key(crate::client::of_request(
        req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let (code, pin) = (code.to_string(), pin.to_string());
    state
        .with_conn(move |conn| {
            let found = pin_checked(conn, &st, &code, &pin, &client)?;
            dossier_view(conn, &st.calendar(), found, &pin, lang)
        })
        .await
}

/// What the page shows of a dossier.
fn dossier_view(
    conn: &mut DbConnection,
    calendar: &WorkingCalendar,
    found: motcua_store::lookup::LookupRow,
    pin: &str,
    lang: Lang,
) -> Result<Value, ApiError> {
    let id = found.dossier.id.clone();
    let paused = found.dossier.paused_since.is_some();
    let public = view(conn, calendar, found)?;
    let waiting_for = if paused {
        supplements::requests(conn, &id)?
            .into_iter()
            .rev()
            .find(|r| r.received_at.is_none())
            .map(|r| {
                let items: Vec<String> = r
                    .items
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["name"].as_str().map(str::to_string))
                    .collect();
                json!({"reason": r.reason, "items": items})
            })
    } else {
        None
    };
    let history: Vec<Value> = events::for_dossier(conn, &id)?
        .into_iter()
        .filter_map(|e| {
            plain(e.kind, lang)
                .map(|text| json!({"at": format_local(calendar, e.at), "text": text}))
        })
        .collect();
    let returned = public.status == Status::Returned;
    let rated = returned && ratings::get(conn, &id)?.is_some();
    let (status_text, note) = match lang {
        Lang::Vi => (public.status_text_vi, public.note_vi.clone()),
        Lang::En => (public.status_text_en, public.note_en.clone()),
    };
    let parts: Vec<Value> = public
        .parts
        .iter()
        .map(|p| {
            json!({
                "procedure_name": p.procedure_name,
                "status": match lang { Lang::Vi => p.status_text_vi, Lang::En => p.status_text_en },
            })
        })
        .collect();
    // The PIN goes in the link as it went in the page's own address: the
    // download checks it again, under the same limits on wrong PINs.
    let result_file = public.result_file.as_ref().map(|f| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("pin", pin)
            .finish();
        json!({
            "name": f.name,
            "size": human_size(f.size_bytes),
            "href": format!("{}?{query}", f.download_path),
        })
    });
    Ok(json!({
        "result_file": result_file,
        "code": public.code,
        "status_code": public.status_code,
        "status": status_text,
        "procedure_name": public.procedure_name,
        "agency": public.agency.name,
        "applicant": public.applicant_name,
        "representative": public.representative_name,
        "post": public.post.as_ref().map(|p| json!({
            "tracking_code": p.tracking_code,
            "dispatched_at": p.dispatched_at.map(|t| motcua_calendar::format_local(calendar, t)),
            "delivered_at": p.delivered_at.map(|t| motcua_calendar::format_local(calendar, t)),
        })),
        "received_at": public.received_at_local,
        "due_at": public.due_at_local,
        "printed_due_at": public.appointment_moved.then(|| format_local(calendar, public.printed_due_at)),
        "waiting_for_supplement": public.waiting_for_supplement,
        "waiting_for": waiting_for,
        "note": note,
        "reason": public.reason,
        "parts": parts,
        "history": history,
        "can_rate": returned && !rated,
        "rated": rated,
        "criteria": motcua_domain::rating::CRITERIA,
    }))
}

/// A size as a citizen reads it: "2,0 MB", "350 KB".
fn human_size(bytes: i64) -> String {
    const KB: i64 = 1024;
    if bytes >= KB * KB {
        let tenths = bytes * 10 / (KB * KB);
        format!("{},{} MB", tenths / 10, tenths % 10)
    } else {
        format!("{} KB", ((bytes + KB - 1) / KB).max(1))
    }
}

/// A step of the history in plain words; `None` for what the citizen
/// need not read (assignments, reads, new PINs).
fn plain(kind: EventKind, lang: Lang) -> Option<&'static str> {
    use EventKind::*;
    let (vi, en) = match kind {
        DossierReceived => (
            "Bộ phận Một cửa tiếp nhận hồ sơ",
            "The desk received the dossier",
        ),
        DossierSent => (
            "Hồ sơ được chuyển đến cơ quan giải quyết",
            "Sent to the handling agency",
        ),
        DossierHandoverReceived => (
            "Cơ quan giải quyết nhận hồ sơ",
            "The handling agency took it in",
        ),
        DossierSupplementRequested => (
            "Cơ quan đề nghị bổ sung hồ sơ",
            "The agency asked for more documents",
        ),
        DossierSupplementReceived => ("Đã nhận hồ sơ bổ sung", "The supplement was received"),
        DossierExtended => (
            "Gia hạn, hẹn lại ngày trả kết quả (có thư xin lỗi)",
            "Extended, with a new appointment and an apology",
        ),
        DossierDueRecomputed => (
            "Ngày hẹn thay đổi do điều chỉnh lịch làm việc",
            "The appointment moved with the working calendar",
        ),
        DossierDueCorrected => (
            "Ngày hẹn được điều chỉnh theo quyết định của cơ quan",
            "The appointment was corrected by the agency's decision",
        ),
        DossierReassigned => (
            "Hồ sơ được chuyển đến cơ quan, cán bộ giải quyết khác",
            "Given to another agency or officer to handle",
        ),
        DossierRecalled | DossierSteppedBack => (
            "Hồ sơ được chuyển lại bước xử lý trước",
            "Moved back to an earlier step",
        ),
        DossierReopened => (
            "Hồ sơ được mở lại để tiếp tục giải quyết",
            "Reopened to continue processing",
        ),
        DossierProcessing => ("Hồ sơ đang được giải quyết", "Being processed"),
        DossierProcessed => ("Đã có kết quả giải quyết", "The result is ready"),
        DossierStopped => ("Dừng giải quyết hồ sơ", "Processing was stopped"),
        DossierPaymentRequested => ("Đề nghị nộp phí, lệ phí", "Fees were requested"),
        DossierPaid => ("Đã nộp phí, lệ phí", "Fees were paid"),
        DossierWithdrawn => ("Công dân rút hồ sơ", "The dossier was withdrawn"),
        DossierReturned => ("Đã trả kết quả", "The result was handed over"),
        DossierPostalDispatched => (
            "Kết quả đã gửi qua bưu chính",
            "The result was sent by post",
        ),
        DossierPostalFailed => (
            "Bưu chính chưa phát được kết quả, chuyển hoàn về Bộ phận Một cửa",
            "The post could not deliver the result and returns it to the desk",
        ),
        DossierRated => ("Công dân đã đánh giá", "Rated by the citizen"),
        FeedbackReceived => ("Tiếp nhận phản ánh, kiến nghị", "Feedback received"),
        FeedbackAccepted => ("Phản ánh, kiến nghị được thụ lý", "Feedback accepted"),
        FeedbackRefused => ("Phản ánh, kiến nghị bị từ chối", "Feedback refused"),
        FeedbackAnswered => ("Phản ánh, kiến nghị đã được trả lời", "Feedback answered"),
        _ => return None,
    };
    Some(match lang {
        Lang::Vi => vi,
        Lang::En => en,
    })
}

/// The rating form: the dossier's code and PIN, the nine scores (`s1` to
/// `s9`), the overall satisfaction, a comment.
#[derive(Debug, Default, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    pin: Option<String>,
    #[serde(default)]
    s1: Option<String>,
    #[serde(default)]
    s2: Option<String>,
    #[serde(default)]
    s3: Option<String>,
    #[serde(default)]
    s4: Option<String>,
    #[serde(default)]
    s5: Option<String>,
    #[serde(default)]
    s6: Option<String>,
    #[serde(default)]
    s7: Option<String>,
    #[serde(default)]
    s8: Option<String>,
    #[serde(default)]
    s9: Option<String>,
    #[serde(default)]
    overall: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

impl RatingForm {
    /// The rating, or the fields to mend (every one at once).
    fn rating(&self) -> Result<Rating, Vec<motcua_domain::FieldError>> {
        let mut errors = Vec::new();
        let scores: Vec<i64> = [
            &self.s1, &self.s2, &self.s3, &self.s4, &self.s5, &self.s6, &self.s7, &self.s8,
            &self.s9,
        ]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            match s
                .as_deref()
                .map(str::trim)
                .and_then(|v| v.parse::<i64>().ok())
            {
                Some(v @ 0..=2) => v,
                _ => {
                    errors.push(motcua_domain::FieldError::new(
                        format!("s{}", i + 1),
                        "each score is 0, 1 or 2",
                    ));
                    0
                }
            }
        })
        .collect();
        let overall = Overall::parse(self.overall.as_deref().unwrap_or_default()).ok();
        if overall.is_none() {
            errors.push(motcua_domain::FieldError::new("overall", "is required"));
        }
        let comment = self.comment.as_deref().unwrap_or_default();
        match (overall, errors.is_empty()) {
            (Some(overall), true) => Rating::new(&scores, overall, comment)
                .map_err(|e| vec![e.into_field_error("comment")]),
            _ => Err(errors),
        }
    }
}

pub async fn rate(state: web::Data<AppState>, req: HttpRequest, body: web::Bytes) -> HttpResponse {
    let lang = form_lang(&body);
    let (form, refused) = match parse_form::<RatingForm>(&body) {
        Ok(f) => (f, None),
        Err(errors) => {
            // The code and PIN still show the dossier beside the errors.
            let mut f = RatingForm::default();
            for (k, v) in form_urlencoded::parse(&body) {
                match k.as_ref() {
                    "code" => f.code = Some(v.into_owned()),
                    "pin" => f.pin = Some(v.into_owned()),
                    _ => {}
                }
            }
            (f, Some(errors))
        }
    };
    let (code, pin) = (trimmed(&form.code), trimmed(&form.pin));
    let switch = link(&code, &pin, lang.other());
    // Kept to fill the form again beside its errors.
    let chosen = json!({
        "scores": [&form.s1, &form.s2, &form.s3, &form.s4, &form.s5, &form.s6, &form.s7, &form.s8, &form.s9],
        "overall": form.overall,
        "comment": form.comment,
    });
    let rating = match refused.map_or_else(|| form.rating(), Err) {
        Ok(r) => r,
        Err(errors) => {
            let outcome = looked_up(&state, &req, &code, &pin, lang).await;
            let extra = json!({"rating_errors": field_errors(&errors, lang), "chosen": chosen});
            let page = show(outcome, lang, &code, &pin, &switch, extra);
            return with_status(page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let (c, p) = (code.clone(), pin.clone());
    let done = state
        .with_conn(move |conn| {
            pin_checked(conn, &st, &c, &p, &client)?;
            rating::rate(conn, &c, rating, Rater::Citizen)?;
            Ok(())
        })
        .await;
    match done {
        Ok(()) => {
            let outcome = looked_up(&state, &req, &code, &pin, lang).await;
            show(outcome, lang, &code, &pin, &switch, json!({"thanks": true}))
        }
        Err(e) => {
            let status = e.status();
            let message = Shown::of(&e, lang).message;
            let outcome = looked_up(&state, &req, &code, &pin, lang).await;
            let extra = json!({"rating_error": message, "chosen": chosen});
            let page = show(outcome, lang, &code, &pin, &switch, extra);
            if page.status().is_success() {
                with_status(page, status)
            } else {
                page
            }
        }
    }
}

fn with_status(mut page: HttpResponse, status: StatusCode) -> HttpResponse {
    *page.status_mut() = status;
    page
}

#[cfg(test)]
mod tests {
    use super::human_size;

    #[test]
    fn sizes_read_in_kilobytes_then_megabytes_with_a_decimal_comma() {
        assert_eq!(human_size(0), "1 KB");
        assert_eq!(human_size(1), "1 KB");
        assert_eq!(human_size(1024), "1 KB");
        assert_eq!(human_size(1025), "2 KB");
        assert_eq!(human_size(350 * 1024), "350 KB");
        assert_eq!(human_size(1024 * 1024), "1,0 MB");
        assert_eq!(human_size(2 * 1024 * 1024 + 600 * 1024), "2,5 MB");
    }
}
