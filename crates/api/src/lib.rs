//! The HTTP API of motcua (actix-web 4).
//!
//! [`AppState::prepare`] connects, migrates and loads the secrets;
//! [`http_server`] serves the routes on a listener. The binary and the
//! end-to-end tests start the server the same way.

pub mod access;
pub mod auth;
pub mod body;
pub mod client;
pub mod config;
pub mod contract;
pub mod demo;
pub mod error;
pub mod file_jobs;
pub mod housekeeping;
pub mod idempotency;
pub mod jobs;
pub mod limits;
pub mod openapi;
pub mod pages;
pub mod routes;
pub mod state;
pub mod webhook;

use std::net::TcpListener;
use utoipa_actix_web::AppExt;

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
    let trusted = state.config.trusted_proxies.clone();
    // Every blocking task holds or waits for a pooled connection, so more
    // threads than connections only wait; tokio's default (hundreds per
    // worker, each kept ten seconds) let the thread count, and with it the
    // memory, creep up under steady load.
    let blocking = state.db.max_size().max(4) as usize;
    let data = web::Data::new(state);
    let mut server = HttpServer::new(move || {
        // The factory runs on each worker thread: what the worker does
        // reads this server's clock.
        data.config.clock.install();
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(limit))
            // The contract guard checks parameters against the document
            // first; what still fails to deserialize is named the same way.
            .app_data(web::QueryConfig::default().error_handler(|err, _req| {
                ApiError::rejected_parameter("query", &err.to_string()).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|err, _req| {
                ApiError::rejected_parameter("path", &err.to_string()).into()
            }))
            // The last wrapped runs first: the log, then problem+json for
            // every error (and panic), then the contract's check of path,
            // method and parameters, then the idempotency reservation.
            .wrap(actix_web::middleware::from_fn(idempotency::middleware))
            .wrap(actix_web::middleware::from_fn(contract::guard::middleware))
            .wrap(actix_web::middleware::from_fn(
                contract::problems::middleware,
            ))
            .wrap({
                let trusted = trusted.clone();
                actix_web::middleware::Logger::new("%{client}xi \"%r\" %s %b %Dms")
                    .custom_request_replace("client", move |req| {
                        client::of_request(req.request(), &trusted).to_string()
                    })
                    .log_target("motcua::http")
            })
            .configure(pages::configure)
            .into_utoipa_app()
            .configure(routes::configure)
            .default_service(web::to(routes::not_found))
            .into_app()
    })
    .worker_max_blocking_threads(blocking)
    .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
