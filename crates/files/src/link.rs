//! Reusing an identity document: a file attached to one of the
//! applicant's earlier dossiers (same identity number) and marked as an
//! identity document is linked into a later dossier by the clerk, one
//! more attachment of the same bytes, never a copy. The clerk first lists
//! what may be linked ([`linkable`]).

use chrono::{DateTime, Utc};
use motcua_domain::{EventKind, StaffMember};
use motcua_store::files::{self, Attachment, NewAttachment};
use motcua_store::DbConnection;
use serde_json::json;

use crate::error::{FileError, FileResult};
use crate::upload::{actor, check_document, check_may_attach, dossier_and_procedure};
use crate::Purpose;

/// The applicant's identity documents from earlier dossiers, each with
/// the dossier it was attached to, newest first.
pub fn linkable(
    conn: &mut DbConnection,
    dossier_code: &str,
) -> FileResult<Vec<(Attachment, String)>> {
    let (d, _) = dossier_and_procedure(conn, dossier_code, false)?;
    Ok(files::identity_documents_of(
        conn,
        &d.applicant_id_number,
        &d.id,
    )?)
}

/// Links `file_id` (an identity document of the same applicant) into the
/// dossier on `document` (the source's line when not given and the
/// procedure lists it).
pub fn link(
    conn: &mut DbConnection,
    staff: &StaffMember,
    dossier_code: &str,
    file_id: &str,
    document: Option<&str>,
    now: DateTime<Utc>,
) -> FileResult<Attachment> {
    conn.write_tx(|conn| {
        let (d, p) = dossier_and_procedure(conn, dossier_code, true)?;
        check_may_attach(conn, staff, &d, Purpose::Component)?;
        let found = files::identity_documents_of(conn, &d.applicant_id_number, &d.id)?
            .into_iter()
            .find(|(a, _)| a.file.id == file_id);
        let Some((source, source_code)) = found else {
            return Err(FileError::NotFound(
                "identity document of this applicant in another dossier",
            ));
        };
        if files::attachment(conn, &d.id, file_id)?.is_some() {
            return Err(FileError::Conflict(format!(
                "file {file_id} is already attached to dossier {}",
                d.code
            )));
        }
        let document = match document {
            Some(code) => Some(code.to_string()),
            None => source
                .document_code
                .clone()
                .filter(|c| p.required_documents.iter().any(|r| &r.code == c)),
        };
        check_document(&p, Purpose::Component, document.as_deref())?;
        files::attach(
            conn,
            &NewAttachment {
                dossier_id: &d.id,
                file_id,
                purpose: Purpose::Component.as_str(),
                document_code: document.as_deref(),
                identity_document: true,
                linked_from: Some(&source.dossier_id),
                attached_by: &staff.user_id,
                attached_at: now,
            },
        )?;
        crate::digitisation::refresh(conn, &d, &p, now)?;
        crate::dossier_event::append(
            conn,
            &d.id,
            EventKind::FileLinked,
            &actor(staff),
            now,
            json!({
                "file_id": file_id,
                "name": source.file.name,
                "from_dossier": source_code,
                "document": document,
            }),
        )?;
        files::attachment(conn, &d.id, file_id)?.ok_or(FileError::NotFound("file"))
    })
}
