//! What the audit trail records: every kind of event the desk writes, and
//! the one place that spells each kind's stored name (the `events.kind`
//! column, the history the API shows, the reports that read it). A kind is
//! never renamed once stored; add a new one instead.

use serde::{Serialize, Serializer};

use crate::Status;

macro_rules! event_kinds {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A kind of event in the audit trail.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum EventKind {
            $($(#[$doc])* $variant,)*
        }

        impl EventKind {
            /// Every kind, in the order declared.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant,)*];

            /// The stored name, e.g. `dossier.received`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name,)*
                }
            }

            /// The kind a stored name names.
            pub fn parse(name: &str) -> Option<EventKind> {
                match name {
                    $($name => Some(EventKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

event_kinds! {
    /// A dossier was logged (counter or accepted online), with its due time.
    DossierReceived => "dossier.received",
    DossierSent => "dossier.sent",
    DossierHandoverReceived => "dossier.handover_received",
    DossierSupplementRequested => "dossier.supplement_requested",
    DossierSupplementReceived => "dossier.supplement_received",
    DossierExtended => "dossier.extended",
    /// The due time moved (a calendar edit).
    DossierDueRecomputed => "dossier.due_recomputed",
    /// A group's first member left the desk: the group is in processing.
    DossierProcessing => "dossier.processing",
    DossierProcessed => "dossier.processed",
    DossierStopped => "dossier.stopped",
    DossierPaymentRequested => "dossier.payment_requested",
    DossierPaid => "dossier.paid",
    /// A fee or charge paid, recorded by the desk or confirmed by the
    /// payment gateway (the dossier's status does not change).
    DossierPaymentRecorded => "dossier.payment_recorded",
    DossierWithdrawn => "dossier.withdrawn",
    DossierReturned => "dossier.returned",
    /// The result was handed to the post (docs/post.md); still 9.
    DossierPostalDispatched => "dossier.postal_dispatched",
    /// The post delivered the result: its return (with a
    /// `dossier.returned`).
    DossierPostalDelivered => "dossier.postal_delivered",
    /// The post could not deliver the result and sends it back; still 9.
    DossierPostalFailed => "dossier.postal_failed",
    DossierAssigned => "dossier.assigned",
    /// The dossier was found to be of another case of its procedure: its
    /// documents, time limit and fees are the new case's, the appointment
    /// moved through the clock's ledger.
    DossierCaseChanged => "dossier.case_changed",
    DossierPinReissued => "dossier.pin_reissued",
    /// A supervisor gave the dossier's current step to another agency
    /// (and officer), or moved a batch of dossiers at once.
    DossierReassigned => "dossier.reassigned",
    /// A supervisor recalled a handover sent by mistake before it was
    /// acknowledged: the dossier is back with its sender.
    DossierRecalled => "dossier.recalled",
    /// A supervisor moved the dossier back to an earlier step, with a
    /// reason.
    DossierSteppedBack => "dossier.stepped_back",
    /// A supervisor corrected the appointment with a reason and a
    /// decision (a `correction` entry of the clock's ledger).
    DossierDueCorrected => "dossier.due_corrected",
    /// A supervisor reopened a dossier closed by mistake.
    DossierReopened => "dossier.reopened",
    /// The dossier was moved in from an older system (docs/import.md):
    /// its batch, and the old system's history of it.
    DossierImported => "dossier.imported",
    /// The citizen rated the returned dossier (once).
    DossierRated => "dossier.rated",
    /// A staff member read the dossier's personal data (the full view or
    /// the receipt); kept apart from its history (`events::reads_of`).
    DossierRead => "dossier.read",
    /// A desk reserved a block of dossier codes for an outage.
    CodesReserved => "codes.reserved",
    /// A reserved code left unused was made void once the days to log it
    /// were over.
    CodesVoided => "codes.voided",
    /// A citizen sent feedback (phản ánh, kiến nghị).
    FeedbackReceived => "feedback.received",
    FeedbackAccepted => "feedback.accepted",
    FeedbackRefused => "feedback.refused",
    /// The agency asked the citizen for more information.
    FeedbackInformationRequested => "feedback.information_requested",
    /// The citizen gave the information asked for.
    FeedbackInformationGiven => "feedback.information_given",
    FeedbackAnswered => "feedback.answered",
    FeedbackPublished => "feedback.published",
    /// A step of a feedback passed its statutory limit.
    FeedbackStepOverdue => "feedback.step_overdue",
    /// A staff member attached a file to the dossier (a component or the
    /// electronic result).
    FileUploaded => "file.uploaded",
    /// A staff member, or the citizen (the electronic result), downloaded
    /// a file of the dossier.
    FileDownloaded => "file.downloaded",
    /// A clerk linked an identity document of an earlier dossier of the
    /// same applicant into this one (the bytes are not copied).
    FileLinked => "file.linked",
    /// The retention job deleted a file's bytes after the retention period.
    FileRemoved => "file.removed",
    /// A file's bytes did not match its recorded hash (or were missing)
    /// when read.
    FileIntegrityFailed => "file.integrity_failed",
    /// An administrator set a procedure's file policy (electronic result,
    /// retention).
    FilePolicySet => "procedure.file_policy_set",
    /// An administrator added a system that follows the event feed.
    SubscriberCreated => "subscriber.created",
    /// An administrator set the areas and counters of an agency's hall.
    QueueHallSet => "queue.hall_set",
    /// A clerk recorded that a dossier was logged from a queue ticket.
    QueueTicketLinked => "queue.ticket_linked",
    /// An administrator disabled, enabled a subscriber, gave it a new
    /// token, or set, changed or removed its webhook.
    SubscriberUpdated => "subscriber.updated",
    /// An administrator put a failed webhook delivery back in the queue.
    DeliveryRetried => "delivery.retried",
    SubmissionReceived => "submission.received",
    SubmissionRefused => "submission.refused",
    GuidanceIssued => "guidance.issued",
    CalendarEdited => "calendar.edited",
    ProcedureCreated => "procedure.created",
    ProcedureUpdated => "procedure.updated",
    AgencyCreated => "agency.created",
    AgencyUpdated => "agency.updated",
    UserCreated => "user.created",
    UserUpdated => "user.updated",
    UserSessionsEnded => "user.sessions_ended",
    AuthLoginSucceeded => "auth.login_succeeded",
    AuthLoginFailed => "auth.login_failed",
    AuthLoginRefused => "auth.login_refused",
    AuthLogout => "auth.logout",
    OutboxRetried => "outbox.retried",
    /// A results report was frozen as submitted upward.
    ReportFrozen => "report.frozen",
    /// The demo data was loaded into an empty database.
    DemoLoaded => "demo.loaded",
}

impl EventKind {
    /// The event of processing ending in `status` (9 processed or 8
    /// stopped).
    pub fn ended(status: Status) -> Option<EventKind> {
        match status {
            Status::Processed => Some(EventKind::DossierProcessed),
            Status::Stopped => Some(EventKind::DossierStopped),
            _ => None,
        }
    }
}

impl std::fmt::Display for EventKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for EventKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// What the breach scan records of a running dossier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreachKind {
    /// Less than the configured working time left.
    DueSoon,
    /// Past its due time.
    Overdue,
}

impl BreachKind {
    pub fn as_str(self) -> &'static str {
        match self {
            BreachKind::DueSoon => "due_soon",
            BreachKind::Overdue => "overdue",
        }
    }

    pub fn parse(name: &str) -> Option<BreachKind> {
        match name {
            "due_soon" => Some(BreachKind::DueSoon),
            "overdue" => Some(BreachKind::Overdue),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stored_name_is_unique_and_reads_back() {
        let mut seen = std::collections::HashSet::new();
        for k in EventKind::ALL {
            assert!(seen.insert(k.as_str()), "{} twice", k.as_str());
            assert_eq!(EventKind::parse(k.as_str()), Some(*k));
        }
        assert_eq!(EventKind::parse("dossier.unknown"), None);
        for b in [BreachKind::DueSoon, BreachKind::Overdue] {
            assert_eq!(BreachKind::parse(b.as_str()), Some(b));
        }
    }

    #[test]
    fn only_the_two_ends_of_processing_have_an_end_event() {
        assert_eq!(
            EventKind::ended(Status::Processed),
            Some(EventKind::DossierProcessed)
        );
        assert_eq!(
            EventKind::ended(Status::Stopped),
            Some(EventKind::DossierStopped)
        );
        assert_eq!(EventKind::ended(Status::Returned), None);
    }
}
