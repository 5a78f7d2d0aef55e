//! The receipt (giấy tiếp nhận hồ sơ và hẹn trả kết quả) of a dossier, as
//! JSON or a printable page, for staff who may see the dossier; the clerk
//! prints it with the PIN right after intake.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use motcua_intake::receipt::ReceiptInput;
use motcua_intake::Receipt;
use motcua_store::{agencies, procedures, users, DbConnection};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::error::{ApiError, Problem};
use crate::routes::dossiers::{load_visible, printable};
use crate::state::AppState;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReceiptQuery {
    /// The PIN, to print it on the receipt (right after intake). Without
    /// it the receipt says the PIN is on the original.
    pub pin: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/receipt", tag = "dossiers",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code"), ReceiptQuery),
    responses(
        (status = 200, description = "The receipt as JSON, or with Accept: text/html a printable A5 page in Vietnamese with a QR code", body = Receipt),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The PIN does not match", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/receipt")]
pub async fn receipt(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<ReceiptQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let pin = query.into_inner().pin.filter(|p| !p.trim().is_empty());
    let st = state.clone();
    let receipt = state
        .with_conn(move |conn| build(conn, &st, &staff, &code, pin))
        .await?;
    let mut answer = printable(&req, &receipt, "receipt", |p| p.to_html())?;
    answer.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(answer)
}

/// The receipt of a dossier the caller may see, with its PIN printed when
/// the clerk gives it (and it matches).
fn build(
    conn: &mut DbConnection,
    st: &AppState,
    staff: &Staff,
    code: &str,
    pin: Option<String>,
) -> Result<Receipt, ApiError> {
    let d = load_visible(conn, staff, code)?;
    if let Some(pin) = &pin {
        if !st.pins.verify(&d.code, pin, &d.pin_hash) {
            return Err(ApiError::invalid_field(
                "pin",
                "does not match this dossier",
            ));
        }
    }
    let procedure = procedures::get_version(conn, &d.procedure_code, d.procedure_version)?
        .ok_or_else(ApiError::internal)?;
    let agency = agencies::get(conn, &d.receiving_agency)?.ok_or_else(ApiError::internal)?;
    let clerk = users::get(conn, &d.received_by)?
        .map(|u| u.full_name)
        .unwrap_or_default();
    let now = motcua_store::time::now();
    motcua_store::events::record_read(conn, &d.id, &staff.actor(), "receipt", now)?;
    let pin = pin.map(|p| p.trim().to_ascii_uppercase());
    Ok(Receipt::build(&ReceiptInput {
        dossier: &d,
        procedure: &procedure,
        agency: &agency,
        clerk_name: &clerk,
        public_base_url: &st.config.public_base_url,
        pin: pin.as_deref(),
        calendar: &st.calendar(),
    }))
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(receipt);
}
