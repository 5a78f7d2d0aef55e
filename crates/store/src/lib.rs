//! Storage for motcua: one binary speaks SQLite (the embedded default) and
//! PostgreSQL (production, several servers), chosen at run time by the
//! database URL.
//!
//! Repository functions take the connection explicitly so that callers
//! compose them inside one transaction ([`DbConnection::write_tx`]).
//!
//! Key look-ups use `get_result`, never diesel's `first`: `first` binds
//! `LIMIT ?`, and SQLite plans a bound LIMIT as a constant, so the cached
//! statement is re-prepared on every execution (measured: a fifth of an
//! intake's instructions). `clippy.toml` forbids `first`.

pub mod agencies;
pub mod breaches;
pub mod calendar;
pub mod checkpoint;
pub mod clock;
pub mod connection;
pub mod counters;
pub mod deliveries;
pub mod dossier_import;
pub mod dossiers;
pub mod error;
pub mod event_batch;
pub mod events;
pub mod feed;
pub mod feedback;
pub mod files;
pub mod forecast;
pub mod frozen_reports;
pub mod generate;
pub mod generate_history;
pub mod guidance;
pub mod handovers;
pub mod housekeeping;
pub mod idempotency;
pub mod lookup;
pub mod migrations;
pub mod payments;
pub mod pool;
pub mod postal;
pub mod procedures;
pub mod queue_hall;
pub mod queue_tickets;
pub mod ratings;
pub mod repair_selection;
pub mod report_rollup;
pub mod reports;
pub mod reserved_codes;
pub mod schema;
pub mod sessions;
pub mod settings;
pub mod submissions;
pub mod subscribers;
pub mod supplements;
pub mod throttle;
pub mod time;
pub mod users;
pub mod worklist;
pub mod write_history;

pub use connection::{Backend, DbConnection};
pub use diesel::connection::{Connection, InstrumentationEvent, SimpleConnection};
pub use diesel::result::Error as DieselError;
pub use error::{StoreError, StoreResult};
pub use pool::{Database, PooledConnection};

/// Rows in one of the tables, for operations and tests.
pub fn count_rows(conn: &mut DbConnection, table: &str) -> StoreResult<i64> {
    use diesel::prelude::*;
    use schema::*;
    let n = match table {
        "agencies" => agencies::table.count().get_result(conn)?,
        "procedures" => procedures::table.count().get_result(conn)?,
        "procedure_versions" => procedure_versions::table.count().get_result(conn)?,
        "users" => users::table.count().get_result(conn)?,
        "counters" => counters::table.count().get_result(conn)?,
        "dossiers" => dossiers::table.count().get_result(conn)?,
        "guidance_slips" => guidance_slips::table.count().get_result(conn)?,
        "events" => {
            event_batch::flush(conn)?;
            events::table.count().get_result(conn)?
        }
        "breaches" => breaches::table.count().get_result(conn)?,
        "clock_entries" => clock_entries::table.count().get_result(conn)?,
        "submissions" => submissions::table.count().get_result(conn)?,
        "sessions" => sessions::table.count().get_result(conn)?,
        "throttle" => throttle::table.count().get_result(conn)?,
        "idempotency_keys" => idempotency_keys::table.count().get_result(conn)?,
        "ratings" => ratings::table.count().get_result(conn)?,
        "feedback" => feedback::table.count().get_result(conn)?,
        "files" => files::table.count().get_result(conn)?,
        "dossier_files" => dossier_files::table.count().get_result(conn)?,
        "feedback_breaches" => feedback_breaches::table.count().get_result(conn)?,
        "feed_items" => feed_items::table.count().get_result(conn)?,
        "subscribers" => subscribers::table.count().get_result(conn)?,
        "deliveries" => deliveries::table.count().get_result(conn)?,
        "webhook_scopes" => webhook_scopes::table.count().get_result(conn)?,
        "payments" => payments::table.count().get_result(conn)?,
        "postal_notices" => postal_notices::table.count().get_result(conn)?,
        other => return Err(StoreError::Corrupt(format!("no table {other}"))),
    };
    Ok(n)
}
