//! The HTTP API of motcua (actix-web 4).
//!
//! [`AppState::prepare`] connects, migrates and loads the secrets;
//! [`http_server`] serves the routes on a listener. The binary and the
//! end-to-end tests start the server the same way.

pub mod auth;
pub mod body;
pub mod calendar_handle;
pub mod config;
pub mod demo;
pub mod error;
pub mod idempotency;
pub mod jobs;
pub mod mail;
pub mod openapi;
pub mod routes;
pub mod state;

use std::net::TcpListener;

use actix_web::{web, App, HttpServer};

pub use config::Config;
pub use error::ApiError;
pub use state::{AppState, StartError};

/// Builds the server on an already bound listener (so tests can bind port
/// 0 and learn the address). `workers` of zero means one per core.
pub fn http_server(
    state: AppState,
    listener: TcpListener,
    workers: usize,
) -> std::io::Result<actix_web::dev::Server> {
    let limit = state.config.body_limit;
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(limit))
            .app_data(web::QueryConfig::default().error_handler(|err, _req| {
                ApiError::bad_request(format!("invalid query string: {err}")).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|err, _req| {
                ApiError::bad_request(format!("invalid path: {err}")).into()
            }))
            .wrap(actix_web::middleware::from_fn(idempotency::middleware))
            .wrap(
                actix_web::middleware::Logger::new("%a \"%r\" %s %b %Dms")
                    .log_target("motcua::http"),
            )
            .configure(routes::configure)
            .default_service(web::to(routes::not_found))
    })
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
