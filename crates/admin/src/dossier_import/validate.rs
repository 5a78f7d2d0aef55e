//! The whole file checked before anything is written: each row on its
//! own (texts, times and their order, the status against the times), then
//! against the catalogue and the dossiers already stored, read once for
//! the file. Every problem is listed with its row; a file with any is
//! refused whole.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDateTime, SubsecRound, Utc};
use motcua_calendar::WorkingCalendar;
use motcua_domain::{text, validate, Channel, FieldError, Status};
use motcua_store::dossier_import::{Catalogue, Existing, ProcedureRef};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::format::{Parsed, Place, Placed, MAX_HISTORY};
use super::Problems;

/// The statuses an imported dossier may have: every dossier status but a
/// submission's (1 submitted, 3 refused live in the submissions).
const STATUSES: [Status; 8] = [
    Status::Received,
    Status::Processing,
    Status::SupplementRequested,
    Status::AwaitingPayment,
    Status::Withdrawn,
    Status::Stopped,
    Status::Processed,
    Status::Returned,
];

/// One entry of the old system's history, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A dossier row checked: what is written, normalised (trimmed, NFC,
/// times in UTC to the microsecond). Its digest is taken over exactly
/// this, so the same dossier written another way (another offset, spaces
/// around a name) is the same dossier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checked {
    pub code: String,
    pub procedure_code: String,
    #[serde(skip)]
    pub procedure: ProcedureRef,
    pub receiving_agency: String,
    pub handling_agency: String,
    #[serde(serialize_with = "status_name")]
    pub status: Status,
    #[serde(serialize_with = "channel_name")]
    pub channel: Channel,
    pub applicant_name: String,
    pub applicant_id_number: String,
    pub applicant_phone: Option<String>,
    pub applicant_email: Option<String>,
    pub applicant_address: Option<String>,
    pub received_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub note: String,
    pub history: Vec<Entry>,
}

fn status_name<S: serde::Serializer>(s: &Status, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s.name())
}

fn channel_name<S: serde::Serializer>(c: &Channel, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_i32(c.code())
}

impl Checked {
    /// The SHA-256 of the row as checked, in hex.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(Sha256::digest(json))
    }
}

/// What the file asks for: the dossiers to create, and how many rows
/// are already imported as they are.
#[derive(Debug, Default)]
pub struct Plan {
    pub create: Vec<(Checked, String)>,
    pub unchanged: usize,
}

/// What a row is checked against.
pub struct Context<'a> {
    pub catalogue: &'a Catalogue,
    pub existing: &'a HashMap<String, Existing>,
    pub calendar: &'a WorkingCalendar,
    pub now: DateTime<Utc>,
    pub local_times: bool,
}

/// Checks every row; the plan, or every problem.
pub fn check(parsed: &Parsed, cx: &Context<'_>) -> Result<Plan, Vec<FieldError>> {
    let mut problems = Problems::default();
    for e in &parsed.problems {
        problems.push(&e.field, e.message.clone());
    }
    let mut plan = Plan::default();
    let mut first_of: HashMap<&str, &Place> = HashMap::new();
    for placed in &parsed.rows {
        let code = placed.row.code.trim();
        if let Some(first) = first_of.get(code) {
            problems.push(
                &placed.place.field("code"),
                format!("{code} is also the code of {}", first.name()),
            );
            continue;
        }
        first_of.insert(code, &placed.place);
        let mut errors = Vec::new();
        let checked = row(placed, cx, &mut errors);
        if !errors.is_empty() {
            for e in errors {
                problems.push(&e.field, e.message);
            }
            continue;
        }
        let Some(checked) = checked else { continue };
        let digest = checked.digest();
        match cx.existing.get(&checked.code) {
            None => plan.create.push((checked, digest)),
            Some(Existing { digest: None, .. }) => problems.push(
                &placed.place.field("code"),
                "a dossier received on this system already has this code",
            ),
            Some(Existing {
                digest: Some(d), ..
            }) if *d == digest => plan.unchanged += 1,
            Some(Existing { batch, .. }) => problems.push(
                &placed.place.field("code"),
                format!(
                    "already imported (batch {}) with other content; an import never changes a dossier",
                    batch.as_deref().unwrap_or("?")
                ),
            ),
        }
    }
    problems.result(plan)
}

/// A text field: control characters refused, NFC, trimmed.
fn clean(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    match text::normalize(value) {
        Ok(v) => v.trim().to_string(),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            String::new()
        }
    }
}

fn clean_opt(errors: &mut Vec<FieldError>, field: &str, value: Option<&str>) -> Option<String> {
    value
        .map(|v| clean(errors, field, v))
        .filter(|v| !v.is_empty())
}

/// A code of the catalogue, an old dossier code: letters, digits, `.`,
/// `-`, `_`, at most 40.
fn code_like(errors: &mut Vec<FieldError>, field: &str, value: &str) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "is required"));
    } else if v.len() > 40
        || !v
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        errors.push(FieldError::new(
            field,
            "must be at most 40 letters, digits, '.', '-' or '_'",
        ));
    }
    v.to_string()
}

/// An instant: RFC 3339 with its offset; from a workbook, a time without
/// one is the deployment's local time.
fn instant(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: &str,
    cx: &Context<'_>,
) -> Option<DateTime<Utc>> {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "is required"));
        return None;
    }
    let at = DateTime::parse_from_rfc3339(v)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            cx.local_times
                .then(|| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S").ok())
                .flatten()
                .map(|t| cx.calendar.to_utc(t))
        });
    let Some(at) = at else {
        errors.push(FieldError::new(
            field,
            "must be a date and time with its offset (2026-03-02T08:15:00+07:00)",
        ));
        return None;
    };
    let at = at.trunc_subsecs(6);
    if at.year() < 1990 || at > cx.now + chrono::Duration::days(3660) {
        errors.push(FieldError::new(field, "is out of range"));
        return None;
    }
    Some(at)
}

fn optional_instant(
    errors: &mut Vec<FieldError>,
    field: &str,
    value: Option<&str>,
    cx: &Context<'_>,
) -> Option<DateTime<Utc>> {
    value
        .filter(|v| !v.trim().is_empty())
        .and_then(|v| instant(errors, field, v, cx))
}

fn agency(errors: &mut Vec<FieldError>, field: &str, value: &str, cx: &Context<'_>) -> String {
    let v = code_like(errors, field, value);
    if !v.is_empty() && !cx.catalogue.agencies.contains(&v) {
        errors.push(FieldError::new(
            field,
            format!("no agency {v} in the catalogue"),
        ));
    }
    v
}

/// One row on its own and against the catalogue; `None` when a part of
/// it does not read at all (its problems in `errors`).
fn row(placed: &Placed, cx: &Context<'_>, errors: &mut Vec<FieldError>) -> Option<Checked> {
    let p = &placed.place;
    let r = &placed.row;
    let f = |name: &str| p.field(name);
    let code = code_like(errors, &f("code"), &r.code);
    let procedure_code = code_like(errors, &f("procedure_code"), &r.procedure_code);
    let procedure = cx.catalogue.procedures.get(&procedure_code).cloned();
    if procedure.is_none() && !procedure_code.is_empty() {
        errors.push(FieldError::new(
            f("procedure_code"),
            format!("no procedure {procedure_code} in the catalogue"),
        ));
    }
    let receiving_agency = agency(errors, &f("receiving_agency"), &r.receiving_agency, cx);
    let handling_agency = match r
        .handling_agency
        .as_deref()
        .filter(|h| !h.trim().is_empty())
    {
        Some(h) => agency(errors, &f("handling_agency"), h, cx),
        None => receiving_agency.clone(),
    };
    let channel = match r
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => Some(Channel::Counter),
        Some(c) => {
            let found = [Channel::Counter, Channel::Online, Channel::Post]
                .into_iter()
                .find(|ch| ch.name() == c);
            if found.is_none() {
                errors.push(FieldError::new(
                    f("channel"),
                    "must be counter, online or post",
                ));
            }
            found
        }
    };
    let status = STATUSES.into_iter().find(|s| s.name() == r.status.trim());
    if status.is_none() {
        let message = match r.status.trim() {
            "submitted" | "refused" => {
                "a submission's status, not a dossier's: import the dossiers the desk received"
                    .to_string()
            }
            _ => format!("must be one of {}", STATUSES.map(Status::name).join(", ")),
        };
        errors.push(FieldError::new(f("status"), message));
    }
    let a = &r.applicant;
    let name = clean(errors, &f("applicant.name"), &a.name);
    let applicant_name = validate::required(errors, &f("applicant.name"), &name, 200);
    let applicant_id_number = validate::id_number(errors, &f("applicant.id_number"), &a.id_number);
    let applicant_phone = validate::phone(errors, &f("applicant.phone"), a.phone.as_deref());
    let applicant_email = validate::email(errors, &f("applicant.email"), a.email.as_deref());
    let address = clean_opt(errors, &f("applicant.address"), a.address.as_deref());
    let applicant_address =
        validate::optional(errors, &f("applicant.address"), address.as_deref(), 500);
    let note = clean_opt(errors, &f("note"), r.note.as_deref());
    let note = validate::optional(errors, &f("note"), note.as_deref(), 1000).unwrap_or_default();
    let received_at = instant(errors, &f("received_at"), &r.received_at, cx);
    let due_at = instant(errors, &f("due_at"), &r.due_at, cx);
    let finished_at = optional_instant(errors, &f("finished_at"), r.finished_at.as_deref(), cx);
    let returned_at = optional_instant(errors, &f("returned_at"), r.returned_at.as_deref(), cx);
    let history = history(placed, cx, errors);
    let (received_at, due_at, status, procedure, channel) =
        (received_at?, due_at?, status?, procedure?, channel?);
    let times = Times {
        received: received_at,
        due: due_at,
        finished: finished_at,
        returned: returned_at,
    };
    times.check(status, cx.now, &f, errors);
    Some(Checked {
        code,
        procedure_code,
        procedure,
        receiving_agency,
        handling_agency,
        status,
        channel,
        applicant_name,
        applicant_id_number,
        applicant_phone,
        applicant_email,
        applicant_address,
        received_at,
        due_at,
        finished_at,
        returned_at,
        note,
        history,
    })
}

/// A row's times, to check their order and the status against them.
struct Times {
    received: DateTime<Utc>,
    due: DateTime<Utc>,
    finished: Option<DateTime<Utc>>,
    returned: Option<DateTime<Utc>>,
}

impl Times {
    fn check(
        &self,
        status: Status,
        now: DateTime<Utc>,
        f: &dyn Fn(&str) -> String,
        errors: &mut Vec<FieldError>,
    ) {
        let mut fail = |field: &str, message: &str| errors.push(FieldError::new(f(field), message));
        if self.received > now {
            fail("received_at", "is in the future");
        }
        if self.due <= self.received {
            fail("due_at", "must be after received_at");
        }
        let ended = matches!(
            status,
            Status::Withdrawn | Status::Stopped | Status::Processed | Status::Returned
        );
        match self.finished {
            None if ended => fail(
                "finished_at",
                "is required for a dossier withdrawn, stopped, processed or returned",
            ),
            Some(_) if !ended => fail(
                "finished_at",
                "must be left out while the dossier is open (received, processing, supplement_requested, awaiting_payment)",
            ),
            Some(t) if t < self.received => fail("finished_at", "is before received_at"),
            Some(t) if t > now => fail("finished_at", "is in the future"),
            _ => {}
        }
        match (self.returned, status) {
            (None, Status::Returned) => fail("returned_at", "is required for a returned dossier"),
            (Some(_), s) if s != Status::Returned => {
                fail("returned_at", "is only for a returned dossier")
            }
            (Some(t), _) if self.finished.is_some_and(|f| t < f) => {
                fail("returned_at", "is before finished_at")
            }
            (Some(t), _) if t > now => fail("returned_at", "is in the future"),
            _ => {}
        }
    }
}

/// The old system's history of a row, each entry checked.
fn history(placed: &Placed, cx: &Context<'_>, errors: &mut Vec<FieldError>) -> Vec<Entry> {
    let list = &placed.row.history;
    if list.len() > MAX_HISTORY {
        errors.push(FieldError::new(
            placed.place.field("history"),
            format!("{} entries; at most {MAX_HISTORY}", list.len()),
        ));
        return Vec::new();
    }
    let mut out = Vec::with_capacity(list.len());
    for (h, place) in list.iter().zip(&placed.history_places) {
        let f = |name: &str| format!("{place}: {name}");
        let at = instant(errors, &f("at"), &h.at, cx);
        if at.is_some_and(|t| t > cx.now) {
            errors.push(FieldError::new(f("at"), "is in the future"));
        }
        let action = clean(errors, &f("action"), &h.action);
        let action = validate::required(errors, &f("action"), &action, 100);
        let agency = h
            .agency
            .as_deref()
            .filter(|a| !a.trim().is_empty())
            .map(|a| self::agency(errors, &f("agency"), a, cx));
        let note = clean_opt(errors, &f("note"), h.note.as_deref());
        let note = validate::optional(errors, &f("note"), note.as_deref(), 1000);
        if let Some(at) = at {
            out.push(Entry {
                at,
                action,
                agency,
                note,
            });
        }
    }
    out
}
