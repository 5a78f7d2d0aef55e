//! Receiving dossiers at the counter (docs/desk.md, Receiving at the counter): the completeness
//! check against the published list, the written guidance for incomplete
//! dossiers, the dossier code, the PIN and the receipt with appointment.

pub mod error;
pub mod online;
pub mod pin;
pub mod receipt;
pub mod receive;
pub mod reissue;
pub mod represent;
pub mod reserved;

pub use error::IntakeError;
/// The desk's field checks live in the domain; intake names them as
/// before so its callers need not care.
pub use motcua_domain::{validate, FieldError};
pub use pin::PinHasher;
pub use receipt::Receipt;
pub use receive::{receive, ApplicantInput, Clerk, IntakeRequest, PostInput, ReceivedDossier};
pub use reissue::{reissue_pin, NewPin};
pub use represent::{AuthorisationInput, RepresentativeInput};
