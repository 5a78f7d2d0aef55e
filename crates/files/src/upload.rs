//! Attaching an uploaded file to a dossier, in two database steps around
//! the bytes:
//!
//! 1. [`admit`]: the dossier, the uploader's right, the document line and
//!    the space left are checked, and the file's row is reserved
//!    `pending` (committed on its own, so the sweep finds the bytes of an
//!    upload that never finishes);
//! 2. the caller streams the bytes into the storage ([`crate::Storage`]);
//! 3. [`record`]: one transaction checks again under the dossier's lock,
//!    turns the row `stored`, attaches it, updates the dossier's
//!    digitisation and writes the event. A repeated upload of the same
//!    bytes to the same line returns the first one instead.
//!
//! Who may attach: a clerk of the desk that received the dossier, or an
//! officer of the agency handling it, until the dossier is over
//! (returned, refused, withdrawn, stopped). The electronic result: an
//! officer of the handling agency, while it is processed or once it is
//! ready and not yet returned, and only for a procedure that issues its
//! result as a file.

use chrono::{DateTime, Duration, Utc};
use motcua_domain::{Dossier, EventKind, Procedure, Role, StaffMember, Status};
use motcua_store::events::Actor;
use motcua_store::files::{self, Attachment, NewAttachment};
use motcua_store::{dossiers, procedures, DbConnection, StoreError};
use serde_json::json;

use crate::content::MediaType;
use crate::error::{FileError, FileResult};
use crate::storage::Written;
use crate::Purpose;

/// The limits of uploads, from the server's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_file_bytes: u64,
    /// Most bytes one dossier's uploads may take.
    pub max_dossier_bytes: u64,
    /// How long an upload may take; its pending row may be swept after.
    pub upload_seconds: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 20 * 1024 * 1024,
            max_dossier_bytes: 200 * 1024 * 1024,
            upload_seconds: 600,
        }
    }
}

/// What the uploader says the file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRequest {
    pub dossier_code: String,
    pub purpose: Purpose,
    /// The procedure's document line (a component's; none for a result).
    pub document: Option<String>,
    /// An identity document, which the applicant's later dossiers may link.
    pub identity: bool,
}

/// An upload admitted: where its bytes go and how many may come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    pub file_id: String,
    pub dossier_id: String,
    /// The most bytes this file may have (the per-file limit, or the
    /// dossier's space left if less).
    pub max_bytes: u64,
}

/// The file attached, and whether it was attached before (a repeat).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub attachment: Attachment,
    pub repeated: bool,
}

pub(crate) fn actor(staff: &StaffMember) -> Actor {
    Actor {
        id: Some(staff.user_id.clone()),
        name: staff.name.clone(),
    }
}

/// The dossier and its procedure's kept version.
pub(crate) fn dossier_and_procedure(
    conn: &mut DbConnection,
    code: &str,
    lock: bool,
) -> FileResult<(Dossier, Procedure)> {
    let d = if lock {
        dossiers::find_by_code_for_update(conn, code)?
    } else {
        dossiers::find_by_code(conn, code)?
    }
    .ok_or(FileError::NotFound("dossier"))?;
    let p = procedures::get_version(conn, &d.procedure_code, d.procedure_version)?.ok_or_else(
        || {
            FileError::Store(StoreError::Corrupt(format!(
                "procedure {} v{} of dossier {} is missing",
                d.procedure_code, d.procedure_version, d.code
            )))
        },
    )?;
    Ok((d, p))
}

fn over(status: Status) -> bool {
    matches!(
        status,
        Status::Returned | Status::Refused | Status::Withdrawn | Status::Stopped
    )
}

/// May `staff` attach a file for `purpose` to `d` now?
pub(crate) fn check_may_attach(
    conn: &mut DbConnection,
    staff: &StaffMember,
    d: &Dossier,
    purpose: Purpose,
) -> FileResult<()> {
    let own = staff.agency.as_str();
    match purpose {
        Purpose::Component => {
            let allowed = (staff.role == Role::Clerk && own == d.receiving_agency)
                || (staff.role == Role::Officer && own == d.handling_agency);
            if !allowed {
                return Err(FileError::Forbidden(format!(
                    "the components of dossier {} are attached by the clerks of {} or the officers of {}",
                    d.code, d.receiving_agency, d.handling_agency
                )));
            }
            if over(d.status) {
                return Err(FileError::Conflict(format!(
                    "dossier {} is {}: nothing more is attached to it",
                    d.code,
                    d.status.name()
                )));
            }
        }
        Purpose::Result => {
            if !(staff.role == Role::Officer && own == d.handling_agency) {
                return Err(FileError::Forbidden(format!(
                    "the result of dossier {} is attached by the officers of {}, which handles it",
                    d.code, d.handling_agency
                )));
            }
            if !matches!(
                d.status,
                Status::Processing | Status::AwaitingPayment | Status::Processed
            ) {
                return Err(FileError::Conflict(format!(
                    "dossier {} is {}: a result is attached while it is processed or once it is ready, before it is returned",
                    d.code,
                    d.status.name()
                )));
            }
            if !files::policy(conn, &d.procedure_code)?.electronic_result {
                return Err(FileError::Conflict(format!(
                    "procedure {} does not issue its result as a file (see its file policy)",
                    d.procedure_code
                )));
            }
        }
    }
    Ok(())
}

/// The document line a component goes on: one of the procedure's listed
/// documents; a result has none.
pub(crate) fn check_document(
    p: &Procedure,
    purpose: Purpose,
    document: Option<&str>,
) -> FileResult<()> {
    match (purpose, document) {
        (Purpose::Result, None) => Ok(()),
        (Purpose::Result, Some(_)) => Err(FileError::invalid(
            "document",
            "a result belongs to no document line; leave document out",
        )),
        (Purpose::Component, None) => Err(FileError::invalid(
            "document",
            "name the document line the file belongs to (a code of the procedure's list)",
        )),
        (Purpose::Component, Some(code)) => {
            if p.required_documents.iter().any(|r| r.code == code) {
                Ok(())
            } else {
                let listed: Vec<&str> = p
                    .required_documents
                    .iter()
                    .map(|r| r.code.as_str())
                    .collect();
                Err(FileError::invalid(
                    "document",
                    format!(
                        "{code} is not on the list of procedure {} (listed: {})",
                        p.code,
                        listed.join(", ")
                    ),
                ))
            }
        }
    }
}

/// Checks, before a byte of the body is read, that `staff` may attach
/// this file to the dossier on this line (step 1 checks it again).
pub fn check(conn: &mut DbConnection, staff: &StaffMember, req: &UploadRequest) -> FileResult<()> {
    let (d, p) = dossier_and_procedure(conn, &req.dossier_code, false)?;
    check_may_attach(conn, staff, &d, req.purpose)?;
    check_document(&p, req.purpose, req.document.as_deref())
}

/// Step 1: checks the upload and reserves the file's row.
pub fn admit(
    conn: &mut DbConnection,
    staff: &StaffMember,
    req: &UploadRequest,
    name: &str,
    limits: Limits,
    now: DateTime<Utc>,
) -> FileResult<Admitted> {
    let (d, p) = dossier_and_procedure(conn, &req.dossier_code, false)?;
    check_may_attach(conn, staff, &d, req.purpose)?;
    check_document(&p, req.purpose, req.document.as_deref())?;
    let used = u64::try_from(files::dossier_bytes(conn, &d.id)?).unwrap_or(0);
    let left = limits.max_dossier_bytes.saturating_sub(used);
    if left == 0 {
        return Err(FileError::TooLarge(format!(
            "dossier {} already holds {used} bytes of files, its limit",
            d.code
        )));
    }
    let file_id = uuid::Uuid::now_v7().to_string();
    let sweep_after = now + Duration::seconds(limits.upload_seconds.max(1));
    files::reserve(conn, &file_id, name, &staff.user_id, now, sweep_after)?;
    Ok(Admitted {
        file_id,
        dossier_id: d.id,
        max_bytes: limits.max_file_bytes.min(left),
    })
}

/// Step 3: records the file written, in one transaction.
pub fn record(
    conn: &mut DbConnection,
    staff: &StaffMember,
    req: &UploadRequest,
    admitted: &Admitted,
    written: &Written,
    limits: Limits,
    now: DateTime<Utc>,
) -> FileResult<Recorded> {
    conn.write_tx(|conn| {
        let (d, p) = dossier_and_procedure(conn, &req.dossier_code, true)?;
        check_may_attach(conn, staff, &d, req.purpose)?;
        let purpose = req.purpose.as_str();
        if let Some(first) = files::same_content(
            conn,
            &d.id,
            &written.sha256,
            purpose,
            req.document.as_deref(),
        )? {
            files::forget_pending(conn, &admitted.file_id)?;
            return Ok(Recorded {
                attachment: first,
                repeated: true,
            });
        }
        let used = u64::try_from(files::dossier_bytes(conn, &d.id)?).unwrap_or(0);
        if used + written.size > limits.max_dossier_bytes {
            return Err(FileError::TooLarge(format!(
                "dossier {} would hold {} bytes of files; its limit is {}",
                d.code,
                used + written.size,
                limits.max_dossier_bytes
            )));
        }
        let size = i64::try_from(written.size).unwrap_or(i64::MAX);
        if !files::mark_stored(
            conn,
            &admitted.file_id,
            written.media_type.mime(),
            size,
            &written.sha256,
        )? {
            return Err(FileError::Conflict(
                "the upload took longer than allowed and was discarded; send it again".into(),
            ));
        }
        files::attach(
            conn,
            &NewAttachment {
                dossier_id: &d.id,
                file_id: &admitted.file_id,
                purpose,
                document_code: req.document.as_deref(),
                identity_document: req.identity,
                linked_from: None,
                attached_by: &staff.user_id,
                attached_at: now,
            },
        )?;
        crate::digitisation::refresh(conn, &d, &p, now)?;
        let attachment = files::attachment(conn, &d.id, &admitted.file_id)?
            .ok_or(FileError::NotFound("file"))?;
        crate::dossier_event::append(
            conn,
            &d.id,
            EventKind::FileUploaded,
            &actor(staff),
            now,
            json!({
                "file_id": admitted.file_id,
                "name": attachment.file.name,
                "media_type": written.media_type.mime(),
                "size_bytes": written.size,
                "sha256": written.sha256,
                "purpose": purpose,
                "document": req.document,
                "identity_document": req.identity,
            }),
        )?;
        Ok(Recorded {
            attachment,
            repeated: false,
        })
    })
}

/// The name kept for a file sent without one: the dossier's code and the
/// line (the download adds the type's extension).
pub fn fallback_name(req: &UploadRequest) -> String {
    match &req.document {
        Some(doc) => format!("{}-{doc}", req.dossier_code),
        None => format!("{}-ket-qua", req.dossier_code),
    }
}

/// The name offered on download: the kept name, with the extension of
/// the type the bytes have when it does not end with it.
pub fn download_name(name: &str, media_type: &str) -> String {
    match MediaType::parse(media_type) {
        Some(m) => {
            let ext = m.extension();
            let lower = name.to_lowercase();
            let known = match m {
                MediaType::Jpeg => lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
                _ => lower.ends_with(&format!(".{ext}")),
            };
            if known {
                name.to_string()
            } else {
                format!("{name}.{ext}")
            }
        }
        None => name.to_string(),
    }
}
