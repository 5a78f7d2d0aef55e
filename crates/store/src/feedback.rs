//! Citizens' feedback (phản ánh, kiến nghị) as stored: one row each, with
//! the step owed and its due time, and the breaches of its steps. Written
//! by the operations of `motcua-feedback`, read by the staff worklist, the
//! public list of published answers, the breach scan and the service index.

use chrono::{DateTime, Utc};
use diesel::dsl::{exists, not};
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};
use motcua_domain::feedback::{FeedbackStatus, Step};

use crate::schema::{feedback, feedback_breaches};
use crate::time::{from_db, to_db};
use crate::{each_backend, DbConnection, StoreError, StoreResult};

/// A feedback as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    pub id: String,
    /// What the citizen follows it with (with the PIN).
    pub reference: String,
    pub pin_hash: String,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub subject: String,
    pub content: String,
    /// The dossier it is about, when the citizen gave its code and PIN.
    pub dossier_id: Option<String>,
    pub agency_code: String,
    pub procedure_code: Option<String>,
    pub status: FeedbackStatus,
    /// When the step owed now is due (none when nothing is owed).
    pub step_due_at: Option<DateTime<Utc>>,
    pub received_at: DateTime<Utc>,
    /// When it was accepted or refused, and by whom.
    pub decided_at: Option<DateTime<Utc>>,
    pub decided_by: Option<String>,
    pub refusal_reason: Option<String>,
    pub information_request: Option<String>,
    pub information_requested_at: Option<DateTime<Utc>>,
    pub information_reply: Option<String>,
    pub information_given_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub answered_by: Option<String>,
    /// What is published of it: the matter without personal data.
    pub public_summary: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    /// Refused or published.
    pub closed_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl Feedback {
    /// The step owed now, if any.
    pub fn step_due(&self) -> Option<Step> {
        self.status.step_due()
    }
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = feedback)]
struct Row {
    id: String,
    reference: String,
    pin_hash: String,
    name: String,
    email: Option<String>,
    phone: Option<String>,
    subject: String,
    content: String,
    dossier_id: Option<String>,
    agency_code: String,
    procedure_code: Option<String>,
    status: String,
    step_due_at: Option<chrono::NaiveDateTime>,
    received_at: chrono::NaiveDateTime,
    decided_at: Option<chrono::NaiveDateTime>,
    decided_by: Option<String>,
    refusal_reason: Option<String>,
    information_request: Option<String>,
    information_requested_at: Option<chrono::NaiveDateTime>,
    information_reply: Option<String>,
    information_given_at: Option<chrono::NaiveDateTime>,
    answer: Option<String>,
    answered_at: Option<chrono::NaiveDateTime>,
    answered_by: Option<String>,
    public_summary: Option<String>,
    published_at: Option<chrono::NaiveDateTime>,
    closed_at: Option<chrono::NaiveDateTime>,
    updated_at: chrono::NaiveDateTime,
}

impl Row {
    fn into_domain(self) -> StoreResult<Feedback> {
        let status = FeedbackStatus::parse(&self.status)
            .map_err(|e| StoreError::Corrupt(format!("feedback {}: {e}", self.reference)))?;
        let at = |t: Option<chrono::NaiveDateTime>| t.map(from_db);
        Ok(Feedback {
            status,
            step_due_at: at(self.step_due_at),
            received_at: from_db(self.received_at),
            decided_at: at(self.decided_at),
            information_requested_at: at(self.information_requested_at),
            information_given_at: at(self.information_given_at),
            answered_at: at(self.answered_at),
            published_at: at(self.published_at),
            closed_at: at(self.closed_at),
            updated_at: from_db(self.updated_at),
            id: self.id,
            reference: self.reference,
            pin_hash: self.pin_hash,
            name: self.name,
            email: self.email,
            phone: self.phone,
            subject: self.subject,
            content: self.content,
            dossier_id: self.dossier_id,
            agency_code: self.agency_code,
            procedure_code: self.procedure_code,
            decided_by: self.decided_by,
            refusal_reason: self.refusal_reason,
            information_request: self.information_request,
            information_reply: self.information_reply,
            answer: self.answer,
            answered_by: self.answered_by,
            public_summary: self.public_summary,
        })
    }
}

/// Records a new feedback.
pub fn insert(conn: &mut DbConnection, f: &Feedback) -> StoreResult<()> {
    let row = (
        (
            feedback::id.eq(&f.id),
            feedback::reference.eq(&f.reference),
            feedback::pin_hash.eq(&f.pin_hash),
            feedback::name.eq(&f.name),
            feedback::email.eq(f.email.as_deref()),
            feedback::phone.eq(f.phone.as_deref()),
            feedback::subject.eq(&f.subject),
            feedback::content.eq(&f.content),
            feedback::dossier_id.eq(f.dossier_id.as_deref()),
            feedback::agency_code.eq(&f.agency_code),
            feedback::procedure_code.eq(f.procedure_code.as_deref()),
        ),
        (
            feedback::status.eq(f.status.as_str()),
            feedback::step_due_at.eq(f.step_due_at.map(to_db)),
            feedback::received_at.eq(to_db(f.received_at)),
            feedback::updated_at.eq(to_db(f.updated_at)),
        ),
    );
    diesel::insert_into(feedback::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Writes back what the steps change (the status, the step owed, each
/// step's text, time and author).
pub fn update(conn: &mut DbConnection, f: &Feedback) -> StoreResult<()> {
    let changes = (
        (
            feedback::status.eq(f.status.as_str()),
            feedback::step_due_at.eq(f.step_due_at.map(to_db)),
            feedback::decided_at.eq(f.decided_at.map(to_db)),
            feedback::decided_by.eq(f.decided_by.as_deref()),
            feedback::refusal_reason.eq(f.refusal_reason.as_deref()),
            feedback::information_request.eq(f.information_request.as_deref()),
            feedback::information_requested_at.eq(f.information_requested_at.map(to_db)),
            feedback::information_reply.eq(f.information_reply.as_deref()),
            feedback::information_given_at.eq(f.information_given_at.map(to_db)),
        ),
        (
            feedback::answer.eq(f.answer.as_deref()),
            feedback::answered_at.eq(f.answered_at.map(to_db)),
            feedback::answered_by.eq(f.answered_by.as_deref()),
            feedback::public_summary.eq(f.public_summary.as_deref()),
            feedback::published_at.eq(f.published_at.map(to_db)),
            feedback::closed_at.eq(f.closed_at.map(to_db)),
            feedback::updated_at.eq(to_db(f.updated_at)),
        ),
    );
    let n = diesel::update(feedback::table.find(&f.id))
        .set(changes)
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// A feedback by its reference.
pub fn get(conn: &mut DbConnection, reference: &str) -> StoreResult<Option<Feedback>> {
    feedback::table
        .filter(feedback::reference.eq(reference))
        .select(Row::as_select())
        .get_result(conn)
        .optional()?
        .map(Row::into_domain)
        .transpose()
}

/// The same, locked for a write until the transaction ends (PostgreSQL;
/// SQLite's writers are serialised already).
pub fn lock(conn: &mut DbConnection, reference: &str) -> StoreResult<Option<Feedback>> {
    let row: Option<Row> = match conn {
        DbConnection::Pg(c) => feedback::table
            .filter(feedback::reference.eq(reference))
            .select(Row::as_select())
            .for_update()
            .get_result(c)
            .optional()?,
        DbConnection::Sqlite(c) => feedback::table
            .filter(feedback::reference.eq(reference))
            .select(Row::as_select())
            .get_result(c)
            .optional()?,
    };
    row.map(Row::into_domain).transpose()
}

/// The PIN hash of a feedback, to check a citizen's PIN.
pub fn pin_hash(conn: &mut DbConnection, reference: &str) -> StoreResult<Option<String>> {
    Ok(feedback::table
        .filter(feedback::reference.eq(reference))
        .select(feedback::pin_hash)
        .get_result(conn)
        .optional()?)
}

/// Which feedback a staff list shows.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    /// Of these agencies (empty: none).
    pub agencies: Vec<String>,
    pub status: Option<FeedbackStatus>,
    /// Only those whose step owed is due before this time (overdue, or
    /// due soon).
    pub due_before: Option<DateTime<Utc>>,
    /// Only those still open (not refused nor published).
    pub open_only: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Feedback of a filter, the step owed soonest first (then the oldest),
/// with the total count.
pub fn list(conn: &mut DbConnection, f: &FeedbackFilter) -> StoreResult<(Vec<Feedback>, i64)> {
    let build = || {
        let mut q = feedback::table
            .filter(feedback::agency_code.eq_any(f.agencies.clone()))
            .into_boxed();
        if let Some(s) = f.status {
            q = q.filter(feedback::status.eq(s.as_str()));
        }
        if let Some(before) = f.due_before {
            q = q.filter(feedback::step_due_at.lt(to_db(before)));
        }
        if f.open_only {
            q = q.filter(feedback::closed_at.is_null());
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    // Nothing owed (null) sorts after every due time on both backends.
    let rows: Vec<Row> = build()
        .order((
            feedback::step_due_at.is_null().asc(),
            feedback::step_due_at.asc(),
            feedback::received_at.asc(),
            feedback::reference.asc(),
        ))
        .limit(f.limit)
        .offset(f.offset)
        .select(Row::as_select())
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(Row::into_domain)
        .collect::<StoreResult<_>>()?;
    Ok((items, total))
}

/// A published answer as the public sees it: no name, no contact, no
/// content as sent (the published summary instead).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishedFeedback {
    pub reference: String,
    pub agency_code: String,
    pub procedure_code: Option<String>,
    pub subject: String,
    pub summary: String,
    pub answer: String,
    pub received_at: DateTime<Utc>,
    pub answered_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
}

/// Published answers, newest first, of one agency or all, with the total.
pub fn published(
    conn: &mut DbConnection,
    agency: Option<&str>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<PublishedFeedback>, i64)> {
    let build = || {
        let mut q = feedback::table
            .filter(feedback::status.eq(FeedbackStatus::Published.as_str()))
            .into_boxed();
        if let Some(a) = agency {
            q = q.filter(feedback::agency_code.eq(a.to_string()));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    type Tuple = (
        String,
        String,
        Option<String>,
        String,
        Option<String>,
        Option<String>,
        chrono::NaiveDateTime,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
    );
    let rows: Vec<Tuple> = build()
        .order((feedback::published_at.desc(), feedback::reference.desc()))
        .limit(limit)
        .offset(offset)
        .select((
            feedback::reference,
            feedback::agency_code,
            feedback::procedure_code,
            feedback::subject,
            feedback::public_summary,
            feedback::answer,
            feedback::received_at,
            feedback::answered_at,
            feedback::published_at,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|t| {
            let corrupt = || StoreError::Corrupt(format!("published feedback {} incomplete", t.0));
            Ok(PublishedFeedback {
                summary: t.4.ok_or_else(corrupt)?,
                answer: t.5.ok_or_else(corrupt)?,
                answered_at: from_db(t.7.ok_or_else(corrupt)?),
                published_at: from_db(t.8.ok_or_else(corrupt)?),
                received_at: from_db(t.6),
                reference: t.0,
                agency_code: t.1,
                procedure_code: t.2,
                subject: t.3,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok((items, total))
}

/// Records the breach of `step` due at `due_at` (once: a repeat does
/// nothing). Returns whether it was recorded now.
pub fn record_breach(
    conn: &mut DbConnection,
    f: &Feedback,
    step: Step,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let row = (
        feedback_breaches::feedback_id.eq(&f.id),
        feedback_breaches::step.eq(step.as_str()),
        feedback_breaches::due_at.eq(to_db(due_at)),
        feedback_breaches::detected_at.eq(to_db(now)),
        feedback_breaches::agency_code.eq(&f.agency_code),
    );
    let n = each_backend!(conn, |c| diesel::insert_into(feedback_breaches::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n > 0)
}

/// A breach the scan recorded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub feedback_id: String,
    pub reference: String,
    pub dossier_id: Option<String>,
    pub agency_code: String,
    pub step: Step,
    pub due_at: DateTime<Utc>,
}

/// Records, for every open feedback whose step owed is past due at `now`,
/// the breach of that step (set-based, once per step and due time,
/// however many servers scan). Returns the breaches recorded now.
pub fn record_overdue(conn: &mut DbConnection, now: DateTime<Utc>) -> StoreResult<Vec<Overdue>> {
    let mut recorded = 0;
    for status in FeedbackStatus::ALL {
        let Some(step) = status.step_due() else {
            continue;
        };
        let already = feedback_breaches::table
            .filter(feedback_breaches::feedback_id.eq(feedback::id))
            .filter(feedback_breaches::step.eq(step.as_str()))
            .filter(
                feedback_breaches::due_at
                    .nullable()
                    .eq(feedback::step_due_at),
            );
        let source = feedback::table
            .filter(feedback::status.eq(status.as_str()))
            .filter(feedback::step_due_at.lt(to_db(now)))
            .filter(not(exists(already)))
            .select((
                feedback::id,
                step.as_str().into_sql::<Text>(),
                feedback::step_due_at.assume_not_null(),
                to_db(now).into_sql::<Timestamp>(),
                feedback::agency_code,
            ));
        recorded += each_backend!(conn, |c| diesel::insert_into(feedback_breaches::table)
            .values(source)
            .into_columns((
                feedback_breaches::feedback_id,
                feedback_breaches::step,
                feedback_breaches::due_at,
                feedback_breaches::detected_at,
                feedback_breaches::agency_code,
            ))
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    if recorded == 0 {
        return Ok(Vec::new());
    }
    type Tuple = (
        String,
        String,
        Option<String>,
        String,
        String,
        chrono::NaiveDateTime,
    );
    let rows: Vec<Tuple> = feedback_breaches::table
        .inner_join(feedback::table.on(feedback::id.eq(feedback_breaches::feedback_id)))
        .filter(feedback_breaches::detected_at.eq(to_db(now)))
        .order(feedback_breaches::id.asc())
        .select((
            feedback::id,
            feedback::reference,
            feedback::dossier_id,
            feedback_breaches::agency_code,
            feedback_breaches::step,
            feedback_breaches::due_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|t| {
            Ok(Overdue {
                step: step_of(&t.4)?,
                due_at: from_db(t.5),
                feedback_id: t.0,
                reference: t.1,
                dossier_id: t.2,
                agency_code: t.3,
            })
        })
        .collect()
}

/// A recorded breach of a feedback's step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackBreach {
    pub reference: String,
    pub subject: String,
    pub status: FeedbackStatus,
    pub step: Step,
    pub due_at: DateTime<Utc>,
    pub detected_at: DateTime<Utc>,
    pub agency_code: String,
}

/// Breaches at `agencies` (due in `[from, to)` when given), earliest due
/// first, with the total count.
pub fn breaches(
    conn: &mut DbConnection,
    agencies: &[String],
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    limit: i64,
    offset: i64,
) -> StoreResult<(Vec<FeedbackBreach>, i64)> {
    let build = || {
        let mut q = feedback_breaches::table
            .inner_join(feedback::table.on(feedback::id.eq(feedback_breaches::feedback_id)))
            .filter(feedback_breaches::agency_code.eq_any(agencies.to_vec()))
            .into_boxed();
        if let Some(from) = from {
            q = q.filter(feedback_breaches::due_at.ge(to_db(from)));
        }
        if let Some(to) = to {
            q = q.filter(feedback_breaches::due_at.lt(to_db(to)));
        }
        q
    };
    let total: i64 = build().count().get_result(conn)?;
    type Tuple = (
        String,
        String,
        String,
        String,
        chrono::NaiveDateTime,
        chrono::NaiveDateTime,
        String,
    );
    let rows: Vec<Tuple> = build()
        .order((feedback_breaches::due_at.asc(), feedback_breaches::id.asc()))
        .limit(limit)
        .offset(offset)
        .select((
            feedback::reference,
            feedback::subject,
            feedback::status,
            feedback_breaches::step,
            feedback_breaches::due_at,
            feedback_breaches::detected_at,
            feedback_breaches::agency_code,
        ))
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(|t| {
            Ok(FeedbackBreach {
                status: FeedbackStatus::parse(&t.2)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                step: step_of(&t.3)?,
                due_at: from_db(t.4),
                detected_at: from_db(t.5),
                reference: t.0,
                subject: t.1,
                agency_code: t.6,
            })
        })
        .collect::<StoreResult<_>>()?;
    Ok((items, total))
}

fn step_of(stored: &str) -> StoreResult<Step> {
    Step::parse(stored).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The feedback of `agencies` closed (refused or published) in
/// `[from, to)`: for each, its agency, its procedure, and whether every
/// step kept its limit (no breach recorded).
pub fn closed_in(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<(String, Option<String>, bool)>> {
    let breached = feedback_breaches::table.filter(feedback_breaches::feedback_id.eq(feedback::id));
    let rows: Vec<(String, Option<String>, bool)> = feedback::table
        .filter(feedback::agency_code.eq_any(agencies))
        .filter(feedback::closed_at.ge(to_db(from)))
        .filter(feedback::closed_at.lt(to_db(to)))
        .select((
            feedback::agency_code,
            feedback::procedure_code,
            not(exists(breached)),
        ))
        .load(conn)?;
    Ok(rows)
}

/// How many feedback `agencies` owe a step on, and of those how many are
/// past its due time at `now` (the worklist's summary).
pub fn owed(
    conn: &mut DbConnection,
    agencies: &[String],
    now: DateTime<Utc>,
) -> StoreResult<(i64, i64)> {
    let owing = || {
        feedback::table
            .filter(feedback::agency_code.eq_any(agencies.to_vec()))
            .filter(feedback::step_due_at.is_not_null())
            .into_boxed()
    };
    let open: i64 = owing().count().get_result(conn)?;
    let overdue: i64 = owing()
        .filter(feedback::step_due_at.lt(to_db(now)))
        .count()
        .get_result(conn)?;
    Ok((open, overdue))
}

/// The codes of the dossiers some feedback is about, by dossier id, in
/// one read (a list shows each feedback with its dossier's code).
pub fn dossier_codes(
    conn: &mut DbConnection,
    items: &[Feedback],
) -> StoreResult<std::collections::HashMap<String, String>> {
    use crate::schema::dossiers;
    let mut ids: Vec<&str> = items
        .iter()
        .filter_map(|f| f.dossier_id.as_deref())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    let rows: Vec<(String, String)> = dossiers::table
        .filter(dossiers::id.eq_any(ids))
        .select((dossiers::id, dossiers::code))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
