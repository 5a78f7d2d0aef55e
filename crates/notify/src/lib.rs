//! Telling people: e-mail through a transactional outbox.
//!
//! Mail must never be lost, never be sent twice, and never slow down or
//! break the desk when the mail server is down. So a message is not sent
//! where it arises: [`outbox::add`] writes it in the caller's
//! transaction (a rolled-back change sends nothing), and
//! [`worker::deliver_batch`] sends due messages later, claiming them with
//! `FOR UPDATE SKIP LOCKED` on PostgreSQL so several servers never send
//! one message twice, sending a few at a time over pooled SMTP
//! connections, and retrying with exponential backoff while the server is
//! unreachable (an outage never fails a message; refusals do, after
//! `max_attempts`, and an administrator can [`outbox::retry`] them).
//!
//! Templates ([`templates`]) are embedded, one folder per [`Kind`], in
//! Vietnamese and English. The variables of each kind (times are strings
//! already formatted in the deployment's zone; `recipient_name` is added
//! from the message):
//!
//! | kind | needs | may have |
//! |---|---|---|
//! | `dossier_received` | `code`, `procedure_name`, `received_at`, `appointment_at`, `lookup_url` | `collect_at` |
//! | `supplement_requested` | `code`, `items` (list of text), `reason`, `lookup_url` | `procedure_name`, `agency_name` |
//! | `extended` | `code`, `reason`, `new_appointment_at`, `lookup_url` | `previous_appointment_at`, `agency_name` |
//! | `refused`, `stopped` | `code`, `reason`, `lookup_url` | `procedure_name`, `agency_name` |
//! | `result_ready` | `code`, `lookup_url` | `procedure_name`, `collect_at` |
//! | `returned` | `code`, `lookup_url` | `returned_at` |
//! | `handover_arrived` | `code`, `from_agency` | `procedure_name`, `due_at`, `dossier_url` |
//! | `due_soon`, `overdue` | `code`, `due_at` | `procedure_name`, `dossier_url` |
//! | `breach_digest` | `date`, `items` (list of `{code, kind: due_soon\|overdue, due_at}`, each may have `procedure_name`, `agency`) | `agency_name`, `list_url` |
//! | `feedback_update` | `reference`, `matter` (its subject), `step` (`received`, `accepted`, `refused`, `information_requested`, `answered`, `published`), `follow_url` | `agency_name`, `due_at`, `text` (the reason, question or answer) |
//! | `test` | | `sent_at`, `nonce` |
//!
//! `lookup_url` is the public look-up address *without* the PIN: the
//! outbox keeps its data in plain text and the PIN is only ever stored as
//! an HMAC.

pub mod dossier_mail;
pub mod error;
pub mod message;
pub mod outbox;
pub mod schema;
pub mod smtp;
pub mod templates;
pub mod worker;

pub use dossier_mail::DeskMail;
pub use error::{NotifyError, NotifyResult};
pub use message::{Kind, Locale, Need, NewMessage, Status};
pub use outbox::NewMessageCursor;
pub use outbox::{OutboxFilter, OutboxRow};
pub use smtp::{Mailer, SmtpConfig, TlsMode};
pub use templates::{render, Rendered};
pub use worker::{deliver_batch, DeliverySettings, DeliveryStats};
