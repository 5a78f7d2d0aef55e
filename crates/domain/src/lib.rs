//! The domain of the one-stop desk (Bộ phận Một cửa): identifiers, statuses
//! and their transition table, the procedure catalogue, agencies, roles.
//!
//! This crate does no I/O so that every rule here can be unit-tested and
//! reused by the storage, intake, routing and API layers alike.

pub mod agency;
pub mod applicant;
pub mod channel;
pub mod codes;
pub mod compliance;
pub mod dossier;
pub mod error;
pub mod event_kind;
pub mod feedback;
pub mod field;
pub mod payment;
pub mod period;
pub mod postal;
pub mod procedure;
pub mod procedure_case;
pub mod queue;
pub mod rating;
pub mod representative;
pub mod role;
pub mod search;
pub mod service_level;
pub mod staff;
pub mod status;
pub mod text;
pub mod throttle;
pub mod validate;

pub use agency::{Agency, AgencyLevel};
pub use applicant::{mask_name, Applicant};
pub use channel::Channel;
pub use codes::{AgencyCode, DossierCode, ProcedureCode};
pub use compliance::ComplianceInputs;
pub use dossier::{Dossier, ReturnMethod, Verdict};
pub use error::DomainError;
pub use event_kind::{BreachKind, EventKind};
pub use feedback::{FeedbackStatus, NewFeedback};
pub use field::FieldError;
pub use payment::PaymentChannel;
pub use period::Period;
pub use postal::{Postal, PostalOutcome};
pub use procedure::{
    DurationUnit, MissingDocument, Procedure, ProcessStep, RequiredDocument, StatutoryDuration,
    SubmittedDocument, SupplementPolicy,
};
pub use procedure_case::ProcedureCase;
pub use rating::{Overall, Rating};
pub use representative::{Authorisation, Representative, AUTHORISATION_DOCUMENT};
pub use role::Role;
pub use search::search_key;
pub use service_level::ServiceLevel;
pub use staff::StaffMember;
pub use status::Status;
