//! The records of dossier files (the bytes live in the file storage, see
//! `motcua-files`): what each file is, which dossiers hold it and as what,
//! each dossier's digitisation, and each procedure's file policy.
//!
//! A file's row is written `pending` before its bytes, in a transaction of
//! its own, with the time after which the sweep may remove both; the
//! transaction that attaches it to a dossier turns it `stored`. So bytes
//! never exist without a row, and a `stored` row always had its bytes
//! written first.

use chrono::{DateTime, Utc};
use diesel::dsl::{count_star, exists, not};
use diesel::prelude::*;

use crate::schema::{
    dossier_digitisation, dossier_files, dossiers, files, procedure_file_policies,
};
use crate::time::{from_db, to_db};
use crate::{DbConnection, StoreError, StoreResult};

/// A file's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub id: String,
    /// `pending`, `stored` or `removed`.
    pub state: String,
    /// The name the uploader's computer gave it (shown, never used as a
    /// path).
    pub name: String,
    pub media_type: String,
    pub size_bytes: i64,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub removed_at: Option<DateTime<Utc>>,
}

/// A file as one dossier holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub file: StoredFile,
    pub dossier_id: String,
    /// `component` or `result`.
    pub purpose: String,
    /// The procedure's document line it belongs to (components).
    pub document_code: Option<String>,
    /// An identity document of the applicant, which later dossiers of the
    /// same applicant may link.
    pub identity_document: bool,
    /// For a link: the dossier the file was first attached to.
    pub linked_from: Option<String>,
    pub attached_by: String,
    pub attached_at: DateTime<Utc>,
}

/// A new attachment of a stored file to a dossier.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    pub dossier_id: &'a str,
    pub file_id: &'a str,
    pub purpose: &'a str,
    pub document_code: Option<&'a str>,
    pub identity_document: bool,
    pub linked_from: Option<&'a str>,
    pub attached_by: &'a str,
    pub attached_at: DateTime<Utc>,
}

type FileRow = (
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
);

type FileColumns = (
    files::id,
    files::state,
    files::name,
    files::media_type,
    files::size_bytes,
    files::sha256,
    files::uploaded_by,
    files::uploaded_at,
    files::removed_at,
);

const FILE_COLUMNS: FileColumns = (
    files::id,
    files::state,
    files::name,
    files::media_type,
    files::size_bytes,
    files::sha256,
    files::uploaded_by,
    files::uploaded_at,
    files::removed_at,
);

fn file_of(r: FileRow) -> StoredFile {
    StoredFile {
        id: r.0,
        state: r.1,
        name: r.2,
        media_type: r.3,
        size_bytes: r.4,
        sha256: r.5,
        uploaded_by: r.6,
        uploaded_at: from_db(r.7),
        removed_at: r.8.map(from_db),
    }
}

type AttachmentRow = (
    FileRow,
    (
        String,
        String,
        Option<String>,
        bool,
        Option<String>,
        String,
        chrono::NaiveDateTime,
    ),
);

type AttachmentColumns = (
    dossier_files::dossier_id,
    dossier_files::purpose,
    dossier_files::document_code,
    dossier_files::identity_document,
    dossier_files::linked_from,
    dossier_files::attached_by,
    dossier_files::attached_at,
);

const ATTACHMENT_COLUMNS: AttachmentColumns = (
    dossier_files::dossier_id,
    dossier_files::purpose,
    dossier_files::document_code,
    dossier_files::identity_document,
    dossier_files::linked_from,
    dossier_files::attached_by,
    dossier_files::attached_at,
);

fn attachment_of((f, a): AttachmentRow) -> Attachment {
    Attachment {
        file: file_of(f),
        dossier_id: a.0,
        purpose: a.1,
        document_code: a.2,
        identity_document: a.3,
        linked_from: a.4,
        attached_by: a.5,
        attached_at: from_db(a.6),
    }
}

/// Reserves a file's id before its bytes are written: a `pending` row the
/// sweep may remove (with the bytes) after `sweep_after`.
pub fn reserve(
    conn: &mut DbConnection,
    id: &str,
    name: &str,
    uploaded_by: &str,
    now: DateTime<Utc>,
    sweep_after: DateTime<Utc>,
) -> StoreResult<()> {
    diesel::insert_into(files::table)
        .values((
            files::id.eq(id),
            files::state.eq("pending"),
            files::name.eq(name),
            files::media_type.eq(""),
            files::size_bytes.eq(0_i64),
            files::sha256.eq(""),
            files::uploaded_by.eq(uploaded_by),
            files::uploaded_at.eq(to_db(now)),
            files::sweep_after.eq(Some(to_db(sweep_after))),
        ))
        .execute(conn)?;
    Ok(())
}

/// Turns a pending file stored, with what its bytes turned out to be.
/// `false` when the row is no longer pending (the sweep took it): the
/// bytes may be gone, and the caller must not record them.
pub fn mark_stored(
    conn: &mut DbConnection,
    id: &str,
    media_type: &str,
    size_bytes: i64,
    sha256: &str,
) -> StoreResult<bool> {
    let n = diesel::update(files::table.find(id).filter(files::state.eq("pending")))
        .set((
            files::state.eq("stored"),
            files::media_type.eq(media_type),
            files::size_bytes.eq(size_bytes),
            files::sha256.eq(sha256),
            files::sweep_after.eq(None::<chrono::NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Deletes a pending row (its bytes were removed, or never written).
pub fn forget_pending(conn: &mut DbConnection, id: &str) -> StoreResult<()> {
    diesel::delete(files::table.find(id).filter(files::state.eq("pending"))).execute(conn)?;
    Ok(())
}

/// Pending files whose upload's time ran out at `now`: their bytes, if
/// any, belong to a request that failed or a server that stopped.
pub fn expired_pending(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> StoreResult<Vec<String>> {
    Ok(files::table
        .filter(files::state.eq("pending"))
        .filter(files::sweep_after.lt(to_db(now)))
        .order(files::sweep_after)
        .limit(limit)
        .select(files::id)
        .load(conn)?)
}

/// Attaches a stored file to a dossier.
pub fn attach(conn: &mut DbConnection, a: &NewAttachment<'_>) -> StoreResult<()> {
    diesel::insert_into(dossier_files::table)
        .values((
            dossier_files::dossier_id.eq(a.dossier_id),
            dossier_files::file_id.eq(a.file_id),
            dossier_files::purpose.eq(a.purpose),
            dossier_files::document_code.eq(a.document_code),
            dossier_files::identity_document.eq(a.identity_document),
            dossier_files::linked_from.eq(a.linked_from),
            dossier_files::attached_by.eq(a.attached_by),
            dossier_files::attached_at.eq(to_db(a.attached_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// The files a dossier holds (stored or removed), in the order attached.
pub fn of_dossier(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<Vec<Attachment>> {
    let rows: Vec<AttachmentRow> = dossier_files::table
        .inner_join(files::table)
        .filter(dossier_files::dossier_id.eq(dossier_id))
        .filter(files::state.ne("pending"))
        .order((dossier_files::attached_at, files::id))
        .select((FILE_COLUMNS, ATTACHMENT_COLUMNS))
        .load(conn)?;
    Ok(rows.into_iter().map(attachment_of).collect())
}

/// One file of a dossier.
pub fn attachment(
    conn: &mut DbConnection,
    dossier_id: &str,
    file_id: &str,
) -> StoreResult<Option<Attachment>> {
    let row: Option<AttachmentRow> = dossier_files::table
        .inner_join(files::table)
        .filter(dossier_files::dossier_id.eq(dossier_id))
        .filter(dossier_files::file_id.eq(file_id))
        .filter(files::state.ne("pending"))
        .select((FILE_COLUMNS, ATTACHMENT_COLUMNS))
        .get_result(conn)
        .optional()?;
    Ok(row.map(attachment_of))
}

/// A file by its id, whatever its state.
pub fn get(conn: &mut DbConnection, id: &str) -> StoreResult<Option<StoredFile>> {
    let row: Option<FileRow> = files::table
        .find(id)
        .select(FILE_COLUMNS)
        .get_result(conn)
        .optional()?;
    Ok(row.map(file_of))
}

/// The bytes a dossier's own uploads take (links of files uploaded for
/// another dossier do not count: they use no new space).
pub fn dossier_bytes(conn: &mut DbConnection, dossier_id: &str) -> StoreResult<i64> {
    let sizes: Vec<i64> = dossier_files::table
        .inner_join(files::table)
        .filter(dossier_files::dossier_id.eq(dossier_id))
        .filter(dossier_files::linked_from.is_null())
        .filter(files::state.eq("stored"))
        .select(files::size_bytes)
        .load(conn)?;
    Ok(sizes.into_iter().sum())
}

/// The dossier's attachment with the same bytes for the same purpose and
/// document line, if any: a repeated upload (a retry) returns it.
pub fn same_content(
    conn: &mut DbConnection,
    dossier_id: &str,
    sha256: &str,
    purpose: &str,
    document_code: Option<&str>,
) -> StoreResult<Option<Attachment>> {
    let mut q = dossier_files::table
        .inner_join(files::table)
        .filter(dossier_files::dossier_id.eq(dossier_id))
        .filter(dossier_files::purpose.eq(purpose))
        .filter(files::sha256.eq(sha256))
        .filter(files::state.eq("stored"))
        .into_boxed();
    q = match document_code {
        Some(code) => q.filter(dossier_files::document_code.eq(code)),
        None => q.filter(dossier_files::document_code.is_null()),
    };
    // At most one in practice (a repeat returns the first); read them all
    // rather than bind a LIMIT.
    let rows: Vec<AttachmentRow> = q.select((FILE_COLUMNS, ATTACHMENT_COLUMNS)).load(conn)?;
    Ok(rows.into_iter().next().map(attachment_of))
}

/// The identity documents attached to the applicant's other dossiers
/// (by identity number) and still stored, newest first, each with the
/// code of the dossier it came from: what the clerk may link.
pub fn identity_documents_of(
    conn: &mut DbConnection,
    applicant_id_number: &str,
    except_dossier: &str,
) -> StoreResult<Vec<(Attachment, String)>> {
    let rows: Vec<(AttachmentRow, String)> = dossier_files::table
        .inner_join(files::table)
        .inner_join(dossiers::table.on(dossiers::id.eq(dossier_files::dossier_id)))
        .filter(dossiers::applicant_id_number.eq(applicant_id_number))
        .filter(dossiers::id.ne(except_dossier))
        .filter(dossier_files::identity_document.eq(true))
        .filter(dossier_files::linked_from.is_null())
        .filter(files::state.eq("stored"))
        .order(dossier_files::attached_at.desc())
        .limit(50)
        .select(((FILE_COLUMNS, ATTACHMENT_COLUMNS), dossiers::code))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(a, code)| (attachment_of(a), code))
        .collect())
}

/// Writes what the service index counts of a dossier's digitisation.
pub fn set_digitisation(
    conn: &mut DbConnection,
    dossier_id: &str,
    components_complete: bool,
    electronic_result: bool,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let values = (
        dossier_digitisation::dossier_id.eq(dossier_id),
        dossier_digitisation::components_complete.eq(components_complete),
        dossier_digitisation::electronic_result.eq(electronic_result),
        dossier_digitisation::updated_at.eq(to_db(now)),
    );
    let changes = (
        dossier_digitisation::components_complete.eq(components_complete),
        dossier_digitisation::electronic_result.eq(electronic_result),
        dossier_digitisation::updated_at.eq(to_db(now)),
    );
    crate::each_backend!(conn, |c| diesel::insert_into(dossier_digitisation::table)
        .values(values)
        .on_conflict(dossier_digitisation::dossier_id)
        .do_update()
        .set(changes)
        .execute(c))?;
    Ok(())
}

/// Dossiers of one agency and procedure: how many, and how many of them
/// are digitised (as the query asks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitisedCount {
    pub agency_code: String,
    pub procedure_code: String,
    pub total: i64,
    pub digitised: i64,
}

fn merge_counts(
    totals: Vec<(String, String, i64)>,
    digitised: Vec<(String, String, i64)>,
) -> Vec<DigitisedCount> {
    let digitised: std::collections::HashMap<(String, String), i64> =
        digitised.into_iter().map(|(a, p, n)| ((a, p), n)).collect();
    totals
        .into_iter()
        .map(|(agency_code, procedure_code, total)| DigitisedCount {
            digitised: digitised
                .get(&(agency_code.clone(), procedure_code.clone()))
                .copied()
                .unwrap_or(0),
            agency_code,
            procedure_code,
            total,
        })
        .collect()
}

/// The dossiers `agencies` received in `[from, to)` (refusals, online
/// submissions not yet accepted and the parts of an interlinked group
/// aside), by receiving agency and procedure, and of those the ones with
/// every required component held as a file.
pub fn components_digitised(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<DigitisedCount>> {
    let received = || {
        dossiers::table
            .filter(dossiers::receiving_agency_code.eq_any(agencies.to_vec()))
            .filter(dossiers::received_at.ge(to_db(from)))
            .filter(dossiers::received_at.lt(to_db(to)))
            .filter(dossiers::status_code.ne_all([1, 3]))
            .filter(dossiers::parent_id.is_null())
    };
    let by = (dossiers::receiving_agency_code, dossiers::procedure_code);
    let totals = received()
        .group_by(by)
        .select((by.0, by.1, count_star()))
        .load(conn)?;
    let digitised = received()
        .inner_join(dossier_digitisation::table)
        .filter(dossier_digitisation::components_complete.eq(true))
        .group_by(by)
        .select((by.0, by.1, count_star()))
        .load(conn)?;
    Ok(merge_counts(totals, digitised))
}

/// The dossiers `agencies` finished with a result (processed or returned)
/// in `[from, to)`, by handling agency and procedure, and of those the
/// ones whose result was issued as a file.
pub fn results_digitised(
    conn: &mut DbConnection,
    agencies: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<Vec<DigitisedCount>> {
    let finished = || {
        dossiers::table
            .filter(dossiers::handling_agency_code.eq_any(agencies.to_vec()))
            .filter(dossiers::ended_at.ge(to_db(from)))
            .filter(dossiers::ended_at.lt(to_db(to)))
            .filter(dossiers::status_code.eq_any([9, 10]))
    };
    let by = (dossiers::handling_agency_code, dossiers::procedure_code);
    let totals = finished()
        .group_by(by)
        .select((by.0, by.1, count_star()))
        .load(conn)?;
    let digitised = finished()
        .inner_join(dossier_digitisation::table)
        .filter(dossier_digitisation::electronic_result.eq(true))
        .group_by(by)
        .select((by.0, by.1, count_star()))
        .load(conn)?;
    Ok(merge_counts(totals, digitised))
}

/// A procedure's file policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePolicy {
    /// The result may be issued as a file the citizen downloads.
    pub electronic_result: bool,
    /// Years a returned dossier's files are kept.
    pub retention_years: i32,
}

impl Default for FilePolicy {
    fn default() -> Self {
        FilePolicy {
            electronic_result: false,
            retention_years: 5,
        }
    }
}

/// The file policy of a procedure (the default when none was set).
pub fn policy(conn: &mut DbConnection, procedure_code: &str) -> StoreResult<FilePolicy> {
    let row: Option<(bool, i32)> = procedure_file_policies::table
        .find(procedure_code)
        .select((
            procedure_file_policies::electronic_result,
            procedure_file_policies::retention_years,
        ))
        .get_result(conn)
        .optional()?;
    Ok(row.map_or_else(FilePolicy::default, |(e, y)| FilePolicy {
        electronic_result: e,
        retention_years: y,
    }))
}

/// Sets a procedure's file policy.
pub fn set_policy(
    conn: &mut DbConnection,
    procedure_code: &str,
    p: FilePolicy,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    let values = (
        procedure_file_policies::procedure_code.eq(procedure_code),
        procedure_file_policies::electronic_result.eq(p.electronic_result),
        procedure_file_policies::retention_years.eq(p.retention_years),
        procedure_file_policies::updated_at.eq(to_db(now)),
    );
    let changes = (
        procedure_file_policies::electronic_result.eq(p.electronic_result),
        procedure_file_policies::retention_years.eq(p.retention_years),
        procedure_file_policies::updated_at.eq(to_db(now)),
    );
    crate::each_backend!(conn, |c| diesel::insert_into(
        procedure_file_policies::table
    )
    .values(values)
    .on_conflict(procedure_file_policies::procedure_code)
    .do_update()
    .set(changes)
    .execute(c))?;
    Ok(())
}

/// One dossier holding a file the retention job looks at: when the
/// dossier ended and under which procedure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub file_id: String,
    pub dossier_id: String,
    pub dossier_code: String,
    pub procedure_code: String,
    /// When the dossier's handling was over for good: returned, or ended
    /// without a result (refused, withdrawn, stopped).
    pub over_at: DateTime<Utc>,
}

/// Stored files after `after` (by id, in pages of `limit`) every dossier
/// of which is over (returned, refused, withdrawn or stopped), with those
/// dossiers: the retention job decides from their procedures' policies.
pub fn held_only_by_closed(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> StoreResult<(Vec<Holder>, Option<String>)> {
    const OVER: [i32; 4] = [3, 7, 8, 10];
    let open_holder = dossier_files::table
        .inner_join(dossiers::table.on(dossiers::id.eq(dossier_files::dossier_id)))
        .filter(dossier_files::file_id.eq(files::id))
        .filter(dossiers::status_code.ne_all(OVER));
    let ids: Vec<String> = files::table
        .filter(files::state.eq("stored"))
        .filter(files::id.gt(after))
        .filter(not(exists(open_holder)))
        .order(files::id)
        .limit(limit)
        .select(files::id)
        .load(conn)?;
    let next = (ids.len() as i64 == limit)
        .then(|| ids.last().cloned())
        .flatten();
    type HolderRow = (
        String,
        String,
        String,
        String,
        Option<chrono::NaiveDateTime>,
        Option<chrono::NaiveDateTime>,
        chrono::NaiveDateTime,
    );
    let rows: Vec<HolderRow> = dossier_files::table
        .inner_join(dossiers::table.on(dossiers::id.eq(dossier_files::dossier_id)))
        .filter(dossier_files::file_id.eq_any(&ids))
        .select((
            dossier_files::file_id,
            dossiers::id,
            dossiers::code,
            dossiers::procedure_code,
            dossiers::returned_at,
            dossiers::ended_at,
            dossiers::updated_at,
        ))
        .load(conn)?;
    let holders = rows
        .into_iter()
        .map(
            |(file_id, dossier_id, dossier_code, procedure_code, returned, ended, updated)| {
                Holder {
                    file_id,
                    dossier_id,
                    dossier_code,
                    procedure_code,
                    over_at: from_db(returned.or(ended).unwrap_or(updated)),
                }
            },
        )
        .collect();
    Ok((holders, next))
}

/// Marks a stored file removed (its bytes deleted by the retention job).
pub fn mark_removed(conn: &mut DbConnection, id: &str, now: DateTime<Utc>) -> StoreResult<bool> {
    let n = diesel::update(files::table.find(id).filter(files::state.eq("stored")))
        .set((
            files::state.eq("removed"),
            files::removed_at.eq(Some(to_db(now))),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// The dossiers holding a file (ids), for the events of a removal or an
/// integrity failure.
pub fn holders_of(conn: &mut DbConnection, file_id: &str) -> StoreResult<Vec<String>> {
    Ok(dossier_files::table
        .filter(dossier_files::file_id.eq(file_id))
        .select(dossier_files::dossier_id)
        .load(conn)?)
}

/// Stored files uploaded in `[from, to)`, after `after` by id, in pages:
/// what `motcua files verify` checks.
pub fn stored_between(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<StoredFile>> {
    let rows: Vec<FileRow> = files::table
        .filter(files::state.eq("stored"))
        .filter(files::uploaded_at.ge(to_db(from)))
        .filter(files::uploaded_at.lt(to_db(to)))
        .filter(files::id.gt(after))
        .order(files::id)
        .limit(limit)
        .select(FILE_COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(file_of).collect())
}

/// How many stored files were uploaded in `[from, to)`.
pub fn count_stored_between(
    conn: &mut DbConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> StoreResult<i64> {
    Ok(files::table
        .filter(files::state.eq("stored"))
        .filter(files::uploaded_at.ge(to_db(from)))
        .filter(files::uploaded_at.lt(to_db(to)))
        .count()
        .get_result(conn)?)
}

impl StoredFile {
    /// The state as a check: a file's row with an unknown state is corrupt.
    pub fn is_stored(&self) -> StoreResult<bool> {
        match self.state.as_str() {
            "stored" => Ok(true),
            "pending" | "removed" => Ok(false),
            other => Err(StoreError::Corrupt(format!(
                "file {}: state {other}",
                self.id
            ))),
        }
    }
}
