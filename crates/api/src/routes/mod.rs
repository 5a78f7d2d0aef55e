//! One module per resource, each with its own `configure`.

pub mod agencies;
pub mod auth;
pub mod breaches;
pub mod calendar;
pub mod case_change;
pub mod catalogue_file;
pub mod clock;
pub mod clock_view;
pub mod compliance_cost;
pub mod deliveries;
pub mod dossier_import;
pub mod dossiers;
pub mod events;
pub mod feed;
pub mod feed_national;
pub mod feedback;
pub mod file_admin;
pub mod file_receive;
pub mod files;
pub mod forecast;
pub mod frozen_reports;
pub mod health;
pub mod openapi;
pub mod outbox;
pub mod paging;
pub mod payments;
pub mod postal;
pub mod procedure_versions;
pub mod procedures;
pub mod processed;
pub mod public;
pub mod queue_board;
pub mod queue_desk;
pub mod queue_hall;
pub mod queue_public;
pub mod ratings;
pub mod receipts;
pub mod repairs;
pub mod repairs_bulk;
pub mod reports;
pub mod reserved_codes;
pub mod routing;
pub mod service_index;
pub mod signed_notice;
pub mod slips;
pub mod submissions;
pub mod subscribers;
pub mod tracking_book;
pub mod users;
pub mod worklist;

use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;

pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    auth::configure(cfg);
    agencies::configure(cfg);
    procedures::configure(cfg);
    procedure_versions::configure(cfg);
    compliance_cost::configure(cfg);
    catalogue_file::configure(cfg);
    dossier_import::configure(cfg);
    users::configure(cfg);
    dossiers::configure(cfg);
    receipts::configure(cfg);
    reports::configure(cfg);
    frozen_reports::configure(cfg);
    service_index::configure(cfg);
    ratings::configure(cfg);
    feedback::configure(cfg);
    files::configure(cfg);
    file_admin::configure(cfg);
    forecast::configure(cfg);
    events::configure(cfg);
    feed::configure(cfg);
    subscribers::configure(cfg);
    deliveries::configure(cfg);
    clock::configure(cfg);
    case_change::configure(cfg);
    processed::configure(cfg);
    calendar::configure(cfg);
    breaches::configure(cfg);
    routing::configure(cfg);
    repairs::configure(cfg);
    repairs_bulk::configure(cfg);
    reserved_codes::configure(cfg);
    payments::configure(cfg);
    postal::configure(cfg);
    queue_hall::configure(cfg);
    queue_desk::configure(cfg);
    queue_public::configure(cfg);
    queue_board::configure(cfg);
    slips::configure(cfg);
    worklist::configure(cfg);
    tracking_book::configure(cfg);
    submissions::configure(cfg);
    public::configure(cfg);
    openapi::configure(cfg);
    outbox::configure(cfg);
}

/// The answer for a path the API does not have.
pub fn no_such_route(method: &actix_web::http::Method, path: &str) -> ApiError {
    ApiError::new(
        actix_web::http::StatusCode::NOT_FOUND,
        "no-such-route",
        "No such route",
        format!("{method} {path} is not part of this API; see /api/v1/openapi.json"),
    )
}

/// Unknown routes and methods answer problem+json too (the contract guard
/// answers first; this covers a route the document has and no handler
/// serves, which a test forbids).
pub async fn not_found(req: actix_web::HttpRequest) -> Result<actix_web::HttpResponse, ApiError> {
    Err(no_such_route(req.method(), req.path()))
}
