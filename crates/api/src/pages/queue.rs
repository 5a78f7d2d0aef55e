//! The counter hall's pages (docs/queue.md): the kiosk
//! (`/hang-cho/{agency}/lay-so`: a button per area, each taking a ticket
//! through the API's operation and limit), the ticket as the kiosk prints
//! it on 80 mm paper (`/hang-cho/ve/{id}`), and the board on the hall's
//! screen (`/hang-cho/{agency}`), drawn by the server and kept live by the
//! board's event stream through the page's one script, `/hang-cho.js`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{form_lang, parse_form, render_with, Lang, LangQuery, Shown};
use crate::error::ApiError;
use crate::routes::queue_public::{
    hall_now, public_ticket, take_counted, today, HallNow, TicketRequest,
};
use crate::state::AppState;

/// The board's and the ticket's script: the board follows its event
/// stream; the ticket asks to be printed.
pub const SCRIPT: &str = include_str!("../../pages/queue.js");

/// Pages with the script: the stylesheet's policy plus this origin's
/// script and its event stream.
const POLICY: &str = "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn script() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Cache-Control", "public, max-age=3600"))
        .body(SCRIPT)
}

async fn load(state: &web::Data<AppState>, agency: String) -> Result<HallNow, ApiError> {
    let day = today(state, motcua_store::time::now());
    state
        .with_conn(move |conn| hall_now(conn, &agency, &day))
        .await
}

/// The hall's page `template` at `/hang-cho/{agency}{suffix}`, drawn from
/// the hall now; the kiosk's page with the problem when there is no such
/// agency.
async fn hall_page(
    state: web::Data<AppState>,
    agency: String,
    lang: Lang,
    template: &str,
    suffix: &str,
) -> HttpResponse {
    let switch = format!("/hang-cho/{agency}{suffix}?{}", lang.other().query());
    let (status, template, ctx) = match load(&state, agency).await {
        Ok(h) => (
            StatusCode::OK,
            template,
            json!({"hall": h, "error": Value::Null, "fields": {}}),
        ),
        Err(e) => {
            let shown = Shown::of(&e, lang);
            (
                shown.status,
                "queue_kiosk.html",
                json!({"hall": Value::Null, "error": shown.message, "fields": shown.fields}),
            )
        }
    };
    render_with(status, template, lang, &switch, ctx, POLICY)
}

/// `/hang-cho/{agency}`: the board.
pub async fn board(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    let lang = Lang::of(query.lang.as_deref());
    hall_page(state, path.into_inner(), lang, "queue_board.html", "").await
}

/// `/hang-cho/{agency}/lay-so`: the kiosk.
pub async fn kiosk(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    let lang = Lang::of(query.lang.as_deref());
    hall_page(
        state,
        path.into_inner(),
        lang,
        "queue_kiosk.html",
        "/lay-so",
    )
    .await
}

/// The kiosk's form: the area's button (and the page's language, read
/// apart).
#[derive(Debug, Deserialize)]
struct KioskForm {
    area: Option<String>,
}

/// The kiosk's button: a ticket of the area, then its printable page.
pub async fn take(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    let lang = form_lang(&body);
    let agency = path.into_inner();
    let switch = format!("/hang-cho/{agency}/lay-so?{}", lang.other().query());
    let taken = match parse_form::<KioskForm>(&body) {
        Ok(f) => {
            let request = TicketRequest {
                area: f.area,
                ..TicketRequest::default()
            };
            take_counted(&state, &req, agency.clone(), request).await
        }
        Err(errors) => Err(ApiError::invalid(errors)),
    };
    match taken {
        Ok(t) => {
            let q = match lang.query() {
                "" => String::new(),
                q => format!("&{q}"),
            };
            HttpResponse::SeeOther()
                .insert_header(("Location", format!("/hang-cho/ve/{}?in=1{q}", t.id)))
                .finish()
        }
        Err(e) => {
            let shown = Shown::of(&e, lang);
            let hall = load(&state, agency).await.ok();
            shown.headers(render_with(
                shown.status,
                "queue_kiosk.html",
                lang,
                &switch,
                json!({"hall": hall, "error": shown.message, "fields": shown.fields}),
                POLICY,
            ))
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct TicketQuery {
    #[serde(default)]
    lang: Option<String>,
    /// Set by the kiosk right after taking it: print at once.
    #[serde(default, rename = "in")]
    fresh: Option<String>,
}

/// `/hang-cho/ve/{id}`: the ticket, 80 mm wide when printed.
pub async fn ticket(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<TicketQuery>,
) -> HttpResponse {
    let lang = Lang::of(query.lang.as_deref());
    let id = path.into_inner();
    let switch = format!("/hang-cho/ve/{id}?{}", lang.other().query());
    let calendar = state.calendar();
    let print = query.fresh.is_some();
    let found = state
        .with_conn(move |conn| {
            let t = motcua_store::queue_tickets::get(conn, &id)?
                .ok_or_else(|| ApiError::not_found("ticket"))?;
            let view = public_ticket(conn, &t)?;
            let name = motcua_store::agencies::get(conn, &t.agency)?
                .map(|a| a.name)
                .unwrap_or_default();
            Ok((view, name))
        })
        .await;
    match found {
        Ok((t, agency_name)) => render_with(
            StatusCode::OK,
            "queue_ticket.html",
            lang,
            &switch,
            json!({
                "ticket": t,
                "agency_name": agency_name,
                "taken": motcua_calendar::format::format_local(&calendar, t.taken_at),
                "print": print,
            }),
            POLICY,
        ),
        Err(e) => {
            let shown = Shown::of(&e, lang);
            render_with(
                shown.status,
                "queue_ticket.html",
                lang,
                &switch,
                json!({"ticket": Value::Null, "error": shown.message}),
                POLICY,
            )
        }
    }
}
