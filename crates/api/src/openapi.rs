//! The OpenAPI document, generated from the handler annotations. The copy
//! checked in at `api-spec/openapi.json` is compared with this by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .build(),
                ),
            );
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua",
        description = "Backend of Vietnam's one-stop-shop desk for administrative procedures (Bộ phận Một cửa). Errors are application/problem+json (RFC 9457).",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        routes::health::healthz,
        routes::auth::token,
        routes::auth::me,
        routes::agencies::list,
        routes::agencies::get_one,
        routes::agencies::create,
        routes::agencies::update,
        routes::procedures::list,
        routes::procedures::get_one,
        routes::procedures::create,
        routes::procedures::update,
        routes::users::list,
        routes::users::create,
        routes::dossiers::create,
        routes::dossiers::get_one,
        routes::dossiers::receipt,
        routes::dossiers::reissue_pin,
        routes::dossiers::guidance_slip,
        routes::clock::supplement_request,
        routes::clock::supplement_received,
        routes::clock::extend,
        routes::clock::apology_letter,
        routes::clock::processed,
        routes::clock::stop,
        routes::calendar::year,
        routes::calendar::set_day,
        routes::calendar::remove_day,
        routes::calendar::due_date,
        routes::breaches::list,
        routes::breaches::due_soon,
        routes::breaches::scan,
        routes::routing::send,
        routes::routing::assign,
        routes::routing::receive,
        routes::routing::control_slip,
        routes::routing::payment_request,
        routes::routing::paid,
        routes::routing::withdraw,
        routes::routing::return_result,
        routes::worklist::worklist,
        routes::worklist::unacknowledged,
        routes::worklist::tracking_book,
        routes::submissions::submit,
        routes::submissions::public_status,
        routes::submissions::list,
        routes::submissions::accept,
        routes::submissions::refuse,
        routes::submissions::refusal,
        routes::public::lookup,
        routes::openapi::document,
        routes::outbox::list,
        routes::outbox::retry,
    ),
    components(schemas(
        motcua_domain::MissingDocument,
        motcua_intake::FieldError,
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "dossiers", description = "Intake, receipts and the staff view"),
        (name = "clock", description = "Supplements, the one extension, the end of processing and its verdict"),
        (name = "calendar", description = "Working-time calendar: days off, make-up days, due-date calculator"),
        (name = "breaches", description = "Due-soon and overdue dossiers for supervisors"),
        (name = "routing", description = "Interlinked processing: handovers, control slip, lifecycle, worklists, tracking book"),
        (name = "public", description = "Citizen look-up by code and PIN"),
        (name = "catalogue", description = "Agencies and procedures"),
        (name = "auth", description = "Staff login"),
        (name = "users", description = "Staff accounts"),
        (name = "operations", description = "Health and this document"),
    )
)]
pub struct ApiDoc;

/// The document as pretty JSON with a trailing newline, exactly as checked
/// in.
pub fn json() -> String {
    let mut text = ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}
