//! What a message is: its kind (which templates), its locale, its status
//! in the outbox, and the message a caller enqueues.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::NotifyError;

/// Declares the message kinds once: the enum, its names, and (in
/// `templates.rs`) the embedded template files of each.
macro_rules! kinds {
    ($($(#[$doc:meta])* $variant:ident => $name:literal needs [$($need:expr),* $(,)?]),* $(,)?) => {
        /// The kinds of message, one template folder each
        /// (`templates/<kind>/`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Kind {
            $($(#[$doc])* $variant,)*
        }

        impl Kind {
            pub const ALL: &'static [Kind] = &[$(Kind::$variant),*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Kind::$variant => $name,)*
                }
            }

            /// The values the kind's templates print unguarded: a message
            /// without one of them could never be rendered.
            /// [`crate::outbox::enqueue`] checks them, and the template
            /// tests check that these, and only these, are required.
            pub fn needs(self) -> &'static [Need] {
                match self {
                    $(Kind::$variant => &[$($need),*],)*
                }
            }
        }

        impl FromStr for Kind {
            type Err = NotifyError;
            fn from_str(s: &str) -> Result<Kind, NotifyError> {
                match s {
                    $($name => Ok(Kind::$variant),)*
                    other => Err(NotifyError::UnknownKind(other.to_string())),
                }
            }
        }
    };
}

/// A value a message kind needs in its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// A printed value: text, a number, or anything but null.
    Text(&'static str),
    /// A list the template iterates (it may be empty).
    List(&'static str),
}

impl Need {
    pub fn name(self) -> &'static str {
        match self {
            Need::Text(n) | Need::List(n) => n,
        }
    }
}

use Need::{List, Text};

kinds! {
    /// To the applicant: the receipt (code, procedure, received time,
    /// appointment, look-up link).
    DossierReceived => "dossier_received"
        needs [Text("code"), Text("procedure_name"), Text("received_at"), Text("appointment_at"), Text("lookup_url")],
    /// To the applicant: what must be supplemented and why.
    SupplementRequested => "supplement_requested"
        needs [Text("code"), List("items"), Text("reason"), Text("lookup_url")],
    /// To the applicant: the apology with the reason and the new appointment.
    Extended => "extended"
        needs [Text("code"), Text("reason"), Text("new_appointment_at"), Text("lookup_url")],
    /// To the applicant: an edit of the working calendar moved the
    /// appointment (the day and the decision, the new appointment).
    AppointmentMoved => "appointment_moved"
        needs [Text("code"), Text("reason"), Text("new_appointment_at"), Text("lookup_url")],
    /// To the applicant: the dossier is refused, with the reason.
    Refused => "refused" needs [Text("code"), Text("reason"), Text("lookup_url")],
    /// To the applicant: processing is stopped, with the reason.
    Stopped => "stopped" needs [Text("code"), Text("reason"), Text("lookup_url")],
    /// To the applicant: the result can be collected.
    ResultReady => "result_ready" needs [Text("code"), Text("lookup_url")],
    /// To the applicant: the result was handed over.
    Returned => "returned" needs [Text("code"), Text("lookup_url")],
    /// To officers: a dossier was handed over to their agency.
    HandoverArrived => "handover_arrived" needs [Text("code"), Text("from_agency")],
    /// To officers: a dossier is due soon.
    DueSoon => "due_soon" needs [Text("code"), Text("due_at")],
    /// To officers: a dossier is overdue.
    Overdue => "overdue" needs [Text("code"), Text("due_at")],
    /// To a supervisor: the daily list of dossiers due soon or overdue.
    BreachDigest => "breach_digest" needs [Text("date"), List("items")],
    /// To a citizen who sent feedback: a step of its handling (received
    /// with its deadline, accepted, refused with the reason, more
    /// information asked, answered, published), with the follow link.
    FeedbackUpdate => "feedback_update"
        needs [Text("reference"), Text("matter"), Text("step"), Text("follow_url")],
    /// `motcua mail test`: checks the SMTP set-up.
    Test => "test" needs [],
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The recipient's language. Vietnamese unless the recipient chose English.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    #[default]
    Vi,
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::Vi, Locale::En];

    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Vi => "vi",
            Locale::En => "en",
        }
    }
}

impl FromStr for Locale {
    type Err = NotifyError;
    fn from_str(s: &str) -> Result<Locale, NotifyError> {
        match s {
            "vi" => Ok(Locale::Vi),
            "en" => Ok(Locale::En),
            other => Err(NotifyError::UnknownLocale(other.to_string())),
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a message stands in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Waiting for its next attempt (`next_attempt_at`).
    Pending,
    /// Claimed by a worker until `locked_until`.
    Sending,
    /// Accepted by the SMTP server.
    Sent,
    /// Given up (refused `max_attempts` times, or it cannot be rendered);
    /// an administrator may retry it.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Sending => "sending",
            Status::Sent => "sent",
            Status::Failed => "failed",
        }
    }
}

impl FromStr for Status {
    type Err = NotifyError;
    fn from_str(s: &str) -> Result<Status, NotifyError> {
        match s {
            "pending" => Ok(Status::Pending),
            "sending" => Ok(Status::Sending),
            "sent" => Ok(Status::Sent),
            "failed" => Ok(Status::Failed),
            other => Err(NotifyError::UnknownStatus(other.to_string())),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A message to enqueue. `data` holds the template variables (see the
/// crate documentation for each kind's); times in it are strings already
/// formatted in the deployment's zone, as the recipient should read them.
///
/// Keep secrets out of `data`: it is stored as plain text until the
/// message is purged. In particular the look-up link must not carry the
/// PIN (the database keeps only its HMAC).
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub kind: Kind,
    /// The recipient's address (`someone@example.vn`).
    pub recipient: String,
    /// The recipient's name, for the greeting and the `To:` header; may
    /// be empty.
    pub recipient_name: String,
    pub locale: Locale,
    pub data: Value,
    /// The dossier the message is about, for the admin list.
    pub dossier_id: Option<String>,
}

impl NewMessage {
    /// A Vietnamese message with no recipient name and no dossier.
    pub fn new(kind: Kind, recipient: impl Into<String>, data: Value) -> NewMessage {
        NewMessage {
            kind,
            recipient: recipient.into(),
            recipient_name: String::new(),
            locale: Locale::Vi,
            data,
            dossier_id: None,
        }
    }

    pub fn to_name(mut self, name: impl Into<String>) -> NewMessage {
        self.recipient_name = name.into();
        self
    }

    pub fn in_locale(mut self, locale: Locale) -> NewMessage {
        self.locale = locale;
        self
    }

    pub fn about_dossier(mut self, dossier_id: impl Into<String>) -> NewMessage {
        self.dossier_id = Some(dossier_id.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), *k);
        }
        for l in Locale::ALL {
            assert_eq!(l.as_str().parse::<Locale>().unwrap(), l);
        }
        for s in [
            Status::Pending,
            Status::Sending,
            Status::Sent,
            Status::Failed,
        ] {
            assert_eq!(s.as_str().parse::<Status>().unwrap(), s);
        }
        assert!(matches!("nope".parse::<Kind>(), Err(NotifyError::UnknownKind(k)) if k == "nope"));
        assert!("fr".parse::<Locale>().is_err());
        assert_eq!(Kind::ALL.len(), 14);
    }
}
