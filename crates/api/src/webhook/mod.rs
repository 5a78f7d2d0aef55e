//! Webhooks: each change a subscriber with a webhook follows is posted to
//! its URL, signed, in order per dossier, at least once (the queue and its
//! rules: `motcua_store::deliveries`; what a receiver does: docs/feed.md).

pub mod changes;
pub mod post;
pub mod settings;
pub mod signature;
pub mod worker;

pub use settings::WebhookSettings;
