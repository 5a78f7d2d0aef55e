//! Receiving a file from a multipart body, for every route that takes
//! one (a dossier's files, the processed dossier's result): the file's
//! row is reserved, its bytes streamed into the storage within the
//! upload's time, and whatever a failure left is removed at once (the
//! sweep removes it later if that fails too). Recording the file is the
//! caller's transaction.

use std::time::Duration;

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::http::StatusCode;
use futures_util::{StreamExt, TryStreamExt};
use motcua_domain::StaffMember;
use motcua_files::upload::{self, fallback_name};
use motcua_files::{name, Admitted, UploadRequest, Written};
use motcua_store::files;

use crate::error::ApiError;
use crate::state::AppState;

/// A file whose bytes are stored and whose row is still pending.
pub(crate) struct Received {
    pub admitted: Admitted,
    pub written: Written,
}

/// A multipart error as a problem: 415 when the body is not multipart,
/// 400 when it is cut short or malformed.
pub(crate) fn multipart_error(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("{e}: send multipart/form-data with one part named file"),
        ),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-multipart",
            "Malformed multipart body",
            format!(
                "the multipart body could not be read ({other}); nothing was kept, send it again"
            ),
        )
        .vi("Dữ liệu tải lên không đầy đủ; chưa có gì được lưu, vui lòng gửi lại"),
    }
}

/// Removes what an upload that failed left: its bytes, then its pending
/// row (the sweep does it later if this fails too).
pub(crate) async fn discard(state: &AppState, file_id: &str) {
    if let Err(e) = state.files.delete(file_id).await {
        tracing::warn!(file = file_id, error = %e, "could not delete a failed upload's bytes; the sweep will");
        return;
    }
    let id = file_id.to_string();
    if let Err(e) = state
        .with_conn(move |conn| Ok(files::forget_pending(conn, &id)?))
        .await
    {
        tracing::warn!(file = file_id, error = %e, "could not forget a failed upload; the sweep will");
    }
}

/// Streams the part into the storage, within the time an upload may take.
async fn store_part(
    state: &AppState,
    admitted: &Admitted,
    field: &mut Field,
) -> Result<Written, ApiError> {
    let mut writer = state
        .files
        .writer(&admitted.file_id, admitted.max_bytes)
        .await?;
    let seconds = u64::try_from(state.config.file_limits.upload_seconds.max(1)).unwrap_or(600);
    let copied = actix_web::rt::time::timeout(Duration::from_secs(seconds), async {
        while let Some(chunk) = field.next().await {
            writer.write(chunk.map_err(multipart_error)?).await?;
        }
        Ok::<(), ApiError>(())
    })
    .await;
    match copied {
        Ok(Ok(())) => Ok(writer.finish().await?),
        Ok(Err(e)) => {
            writer.abort().await;
            Err(e)
        }
        Err(_) => {
            writer.abort().await;
            Err(ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                "upload-too-slow",
                "Upload too slow",
                format!("the upload took more than {seconds} s; nothing was kept"),
            ))
        }
    }
}

/// Receives the part `field` as the file `req` describes: its name
/// checked, its row reserved (the right and the space checked again),
/// its bytes stored. Nothing stays behind an error.
pub(crate) async fn receive(
    state: &AppState,
    member: &StaffMember,
    req: &UploadRequest,
    field: &mut Field,
) -> Result<Received, ApiError> {
    let sent_name = field
        .content_disposition()
        .and_then(|cd| cd.get_filename())
        .map(str::to_string);
    let name = name::checked(sent_name.as_deref(), &fallback_name(req))?;
    let limits = state.config.file_limits;
    let now = motcua_store::time::now();
    let (r, m) = (req.clone(), member.clone());
    let admitted = state
        .with_conn(move |conn| Ok(upload::admit(conn, &m, &r, &name, limits, now)?))
        .await?;
    match store_part(state, &admitted, field).await {
        Ok(written) => Ok(Received { admitted, written }),
        Err(e) => {
            discard(state, &admitted.file_id).await;
            Err(e)
        }
    }
}

/// Checks that the body ends after the file (one file per request); on
/// anything else the file received is discarded.
pub(crate) async fn expect_end(
    state: &AppState,
    payload: &mut Multipart,
    received: &Received,
) -> Result<(), ApiError> {
    let problem = match payload.try_next().await {
        Ok(None) => return Ok(()),
        Ok(Some(_)) => {
            ApiError::invalid_field("file", "send one file per request, as the last part")
        }
        Err(e) => multipart_error(e),
    };
    discard(state, &received.admitted.file_id).await;
    Err(problem)
}

/// The part named `file`, or a 422 naming what came instead.
pub(crate) fn file_part(part: Option<Field>) -> Result<Field, ApiError> {
    match part {
        Some(f) if f.name() == Some("file") => Ok(f),
        Some(f) => Err(ApiError::invalid_field(
            "file",
            format!(
                "unexpected part {:?}: send the file as a part named file",
                f.name().unwrap_or("")
            ),
        )),
        None => Err(ApiError::invalid_field(
            "file",
            "no part named file: send the file as multipart/form-data",
        )),
    }
}
