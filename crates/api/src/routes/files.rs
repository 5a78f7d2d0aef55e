//! A dossier's files: components scanned at the desk (and later, with a
//! supplement), the electronic result, identity documents linked from the
//! applicant's earlier dossiers, and downloads (crates/files,
//! docs/files.md).
//!
//! An upload is `multipart/form-data` with one part named `file`; what the
//! file is (its purpose, its document line) goes in the query, so it is
//! checked before a byte is stored. Every upload, link and download is an
//! event. A file's URL grants nothing by itself: each download checks the
//! reader's right to the dossier (staff) or the receipt's PIN (citizen).

use actix_multipart::Multipart;
use actix_web::http::header::{
    Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::{StreamExt, TryStreamExt};
use motcua_files::upload::{self, download_name};
use motcua_files::{integrity, link, FileError, Purpose, UploadRequest};
use motcua_store::events::Actor;
use motcua_store::files::{self, Attachment};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::dossiers::load_visible;
use crate::routes::file_receive::{
    discard, expect_end, file_part, multipart_error, receive, Received,
};
use crate::state::AppState;

/// What a file is to its dossier.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PurposeParam {
    /// A component on one of the procedure's document lines.
    Component,
    /// The electronic result.
    Result,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// `component` (the default) or `result`.
    #[param(max_length = 16, example = "component")]
    pub purpose: Option<String>,
    /// The procedure's document line the component belongs to (its code,
    /// e.g. `TK01`); none for a result.
    #[param(max_length = 32, example = "TK01")]
    pub document: Option<String>,
    /// An identity document of the applicant, which the clerk may link
    /// into the applicant's later dossiers.
    #[serde(default)]
    pub identity: bool,
}

/// The upload's body: one part named `file`, a PDF, JPEG or PNG.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A file of a dossier.
#[derive(Serialize, ToSchema)]
pub struct FileAnswer {
    #[schema(example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub id: String,
    /// The name it came with.
    #[schema(example = "to-khai.pdf")]
    pub name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`, from the bytes.
    #[schema(example = "application/pdf")]
    pub media_type: String,
    #[schema(example = 2097152)]
    pub size_bytes: i64,
    /// SHA-256 of the bytes, checked on every download.
    #[schema(example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")]
    pub sha256: String,
    pub purpose: PurposeParam,
    #[schema(example = "TK01")]
    pub document: Option<String>,
    pub identity_document: bool,
    /// For a linked identity document: the dossier it was attached to.
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub linked_from: Option<String>,
    pub attached_by: String,
    pub attached_at: DateTime<Utc>,
    pub uploaded_at: DateTime<Utc>,
    /// Set when the retention job removed the bytes.
    pub removed_at: Option<DateTime<Utc>>,
    /// Where staff download it (with their token).
    #[schema(
        example = "/api/v1/dossiers/H53.50.05.13-261126-0001/files/0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b"
    )]
    pub download_url: Option<String>,
}

fn purpose_param(p: &str) -> PurposeParam {
    match p {
        "result" => PurposeParam::Result,
        _ => PurposeParam::Component,
    }
}

pub(crate) fn file_answer(code: &str, a: Attachment, linked_from: Option<String>) -> FileAnswer {
    let removed = a.file.state == "removed";
    FileAnswer {
        download_url: (!removed).then(|| format!("/api/v1/dossiers/{code}/files/{}", a.file.id)),
        id: a.file.id,
        name: a.file.name,
        media_type: a.file.media_type,
        size_bytes: a.file.size_bytes,
        sha256: a.file.sha256,
        purpose: purpose_param(&a.purpose),
        document: a.document_code,
        identity_document: a.identity_document,
        linked_from,
        attached_by: a.attached_by,
        attached_at: a.attached_at,
        uploaded_at: a.file.uploaded_at,
        removed_at: a.file.removed_at,
    }
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/files", tag = "files",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code"), UploadQuery),
    request_body(content = UploadForm, content_type = "multipart/form-data",
        description = "One part named `file`: a PDF, JPEG or PNG (checked by its bytes)"),
    responses(
        (status = 201, description = "Stored and attached", body = FileAnswer),
        (status = 200, description = "The same bytes were already attached to this line: the first upload", body = FileAnswer),
        (status = 400, description = "Truncated or malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier's state, or the procedure, does not allow it", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over the limit per file or per dossier", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a PDF, JPEG or PNG, or not multipart", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad document line, file name, or an empty or incomplete file", body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/files")]
pub async fn upload_file(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    query: web::Query<UploadQuery>,
    mut payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let purpose = match q.purpose.as_deref().map(str::trim) {
        None | Some("") => Purpose::Component,
        Some(p) => Purpose::parse(p)
            .ok_or_else(|| ApiError::invalid_field("purpose", "must be component or result"))?,
    };
    let req = UploadRequest {
        dossier_code: path.into_inner(),
        purpose,
        document: q.document.filter(|d| !d.trim().is_empty()),
        identity: q.identity,
    };
    let member = staff.member();
    let (r, m) = (req.clone(), member.clone());
    state
        .with_conn(move |conn| Ok(upload::check(conn, &m, &r)?))
        .await?;
    let part = payload.try_next().await.map_err(multipart_error)?;
    let mut field = file_part(part)?;
    let received = receive(&state, &member, &req, &mut field).await?;
    drop(field);
    expect_end(&state, &mut payload, &received).await?;
    let Received { admitted, written } = received;
    let (limits, now) = (state.config.file_limits, motcua_store::time::now());
    let code = req.dossier_code.clone();
    let a = admitted.clone();
    let recorded = state
        .with_conn(move |conn| {
            let recorded = upload::record(conn, &member, &req, &a, &written, limits, now)?;
            let from = linked_code(conn, &recorded.attachment)?;
            Ok((recorded, from))
        })
        .await;
    match recorded {
        Ok((r, from)) => {
            let status = if r.repeated {
                // The first upload's bytes stay; this one's go.
                discard(&state, &admitted.file_id).await;
                StatusCode::OK
            } else {
                StatusCode::CREATED
            };
            Ok(HttpResponse::build(status).json(file_answer(&code, r.attachment, from)))
        }
        Err(e) => {
            discard(&state, &admitted.file_id).await;
            Err(e)
        }
    }
}

/// The code of the dossier a linked file came from.
fn linked_code(
    conn: &mut motcua_store::DbConnection,
    a: &Attachment,
) -> Result<Option<String>, ApiError> {
    match &a.linked_from {
        Some(id) => Ok(motcua_store::dossiers::get(conn, id)?.map(|d| d.code)),
        None => Ok(None),
    }
}

#[derive(Serialize, ToSchema)]
pub struct FileList {
    pub code: String,
    pub files: Vec<FileAnswer>,
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/files", tag = "files",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, body = FileList),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/files")]
pub async fn list_files(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let list = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            let mut out = Vec::new();
            for a in files::of_dossier(conn, &d.id)? {
                let from = linked_code(conn, &a)?;
                out.push(file_answer(&d.code, a, from));
            }
            Ok(FileList {
                code: d.code,
                files: out,
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
}

/// Checks the stored bytes against the record, recording a failure.
async fn verified(state: &AppState, a: &Attachment) -> Result<(), ApiError> {
    let problem = match state.files.digest(&a.file.id).await? {
        None => "its bytes are missing from the storage".to_string(),
        Some((sha, size))
            if sha == a.file.sha256 && i64::try_from(size) == Ok(a.file.size_bytes) =>
        {
            return Ok(())
        }
        Some((sha, size)) => format!(
            "its bytes changed: {size} bytes with SHA-256 {sha}, recorded {} bytes with {}",
            a.file.size_bytes, a.file.sha256
        ),
    };
    let (id, p) = (a.file.id.clone(), problem.clone());
    let now = motcua_store::time::now();
    state
        .with_conn(move |conn| Ok(integrity::record_failure(conn, &id, &p, now)?))
        .await?;
    Err(FileError::Integrity {
        id: a.file.id.clone(),
        problem,
    }
    .into())
}

/// Serves a file: checked against its hash first, the download recorded,
/// then the bytes streamed (hashed again on the way: bytes that change
/// between the check and the sending cut the transfer short).
pub(crate) async fn send_file(
    state: &AppState,
    a: Attachment,
    actor: Actor,
) -> Result<HttpResponse, ApiError> {
    if let Some(at) = a.file.removed_at {
        return Err(FileError::Removed(at.format("%Y-%m-%d").to_string()).into());
    }
    verified(state, &a).await?;
    let now = motcua_store::time::now();
    let logged = a.clone();
    state
        .with_conn(move |conn| Ok(integrity::record_download(conn, &logged, &actor, now)?))
        .await?;
    let body = Rehashed {
        inner: state.files.read(&a.file.id).await?,
        hasher: Some(Sha256::new()),
        expected: a.file.sha256.clone(),
        id: a.file.id.clone(),
    };
    let name = download_name(&a.file.name, &a.file.media_type);
    let size = u64::try_from(a.file.size_bytes).unwrap_or(0);
    Ok(HttpResponse::Ok()
        .content_type(a.file.media_type.as_str())
        .insert_header(content_disposition(&name))
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("ETag", format!("\"{}\"", a.file.sha256)))
        .no_chunking(size)
        .streaming(body))
}

/// The bytes on their way out, hashed again: if they no longer match
/// (changed between the check and the sending), the stream ends in an
/// error, which cuts the transfer short instead of completing it.
struct Rehashed {
    inner: futures_util::stream::BoxStream<'static, Result<bytes::Bytes, FileError>>,
    hasher: Option<Sha256>,
    expected: String,
    id: String,
}

impl futures_util::Stream for Rehashed {
    type Item = Result<bytes::Bytes, std::io::Error>;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        match self.inner.poll_next_unpin(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(h) = self.hasher.as_mut() {
                    h.update(&chunk);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => {
                Poll::Ready(Some(Err(std::io::Error::other(e.to_string()))))
            }
            Poll::Ready(None) => {
                let sent = self.hasher.take().map(|h| hex::encode(h.finalize()));
                match sent {
                    Some(sha) if sha != self.expected => {
                        tracing::error!(file = %self.id, "a file's bytes changed while it was sent; the transfer was cut short");
                        Poll::Ready(Some(Err(std::io::Error::other("the file's bytes changed"))))
                    }
                    _ => Poll::Ready(None),
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// `attachment` with the name in UTF-8 (RFC 6266) and an ASCII fallback.
fn content_disposition(name: &str) -> ContentDisposition {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![
            DispositionParam::Filename(ascii),
            DispositionParam::FilenameExt(ExtendedValue {
                charset: Charset::Ext("UTF-8".into()),
                language_tag: None,
                value: name.as_bytes().to_vec(),
            }),
        ],
    }
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/files/{id}", tag = "files",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code"),
        ("id" = String, Path, description = "The file's id")),
    responses(
        (status = 200, description = "The bytes, with their type and name", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Removed after its retention period", body = Problem, content_type = "application/problem+json"),
        (status = 500, description = "The bytes are missing or altered (recorded as an event)", body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/files/{id}")]
pub async fn download_file(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (code, id) = path.into_inner();
    let actor = staff.actor();
    let a = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            files::attachment(conn, &d.id, &id)?.ok_or_else(|| ApiError::not_found("file"))
        })
        .await?;
    send_file(&state, a, actor).await
}

/// An identity document of the applicant's, attached to an earlier
/// dossier, which may be linked into this one.
#[derive(Serialize, ToSchema)]
pub struct LinkableDocument {
    /// The dossier it was attached to.
    #[schema(example = "H53.50.05.13-261126-0001")]
    pub dossier_code: String,
    pub file: FileAnswer,
}

#[utoipa::path(get, path = "/api/v1/dossiers/{code}/identity-documents", tag = "files",
    security(("bearer" = [])),
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 200, description = "The applicant's identity documents from other dossiers, newest first", body = Vec<LinkableDocument>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
#[get("/api/v1/dossiers/{code}/identity-documents")]
pub async fn linkable(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let list = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            Ok(link::linkable(conn, &d.code)?
                .into_iter()
                .map(|(a, from)| LinkableDocument {
                    file: file_answer(&from, a, None),
                    dossier_code: from,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(list))
}

#[derive(Deserialize, ToSchema)]
pub struct LinkInput {
    /// The id of an identity document listed for this dossier.
    #[schema(max_length = 64, example = "0193a1b2-7c4d-7e8f-9a0b-1c2d3e4f5a6b")]
    pub file_id: String,
    /// The document line it goes on; by default the line it had, when this
    /// procedure lists it.
    #[schema(max_length = 32, example = "CCCD")]
    pub document: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/identity-documents", tag = "files",
    security(("bearer" = [])), request_body = LinkInput,
    params(("code" = String, Path, description = "Dossier code")),
    responses((status = 201, description = "Linked (the bytes are shared, not copied)", body = FileAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such identity document of this applicant", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already attached, or the dossier is over", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/identity-documents")]
pub async fn link_identity_document(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    JsonBody(input): JsonBody<LinkInput>,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let now = motcua_store::time::now();
    let answer = state
        .with_conn(move |conn| {
            let d = load_visible(conn, &staff, &code)?;
            let a = link::link(
                conn,
                &staff.member(),
                &d.code,
                input.file_id.trim(),
                input.document.as_deref().filter(|s| !s.trim().is_empty()),
                now,
            )?;
            let from = linked_code(conn, &a)?;
            Ok(file_answer(&d.code, a, from))
        })
        .await?;
    Ok(HttpResponse::Created().json(answer))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResultQuery {
    /// The PIN printed on the receipt.
    #[param(max_length = 64)]
    pub pin: String,
}

#[utoipa::path(get, path = "/api/v1/public/dossiers/{code}/result", tag = "public",
    params(("code" = String, Path, description = "Dossier code from the receipt"), ResultQuery),
    responses(
        (status = 200, description = "The electronic result", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 404, description = "Unknown code or wrong PIN (indistinguishable), or no electronic result", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The result is not ready yet", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Removed after its retention period", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong PINs; nothing was checked",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = i64, description = "Seconds to wait")))))]
#[get("/api/v1/public/dossiers/{code}/result")]
pub async fn public_result(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ResultQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    let pin = crate::routes::public::required_pin(query.into_inner().pin)?;
    let client = crate::client::limit_key(crate::client::of_request(
        &req,
        &state.config.trusted_proxies,
    ));
    let st = state.clone();
    let a = state
        .with_conn(move |conn| {
            let found = crate::routes::public::pin_checked(conn, &st, &code, &pin, &client)?;
            match electronic_result(conn, &found.dossier)? {
                ResultFile::Ready(a) => Ok(*a),
                ResultFile::NotReady => Err(ApiError::conflict(
                    "the result is not ready yet; it can be downloaded once the dossier is processed",
                )),
                ResultFile::None => Err(ApiError::not_found("electronic result")),
            }
        })
        .await?;
    let actor = Actor {
        id: None,
        name: "citizen (code and PIN)".into(),
    };
    send_file(&state, a, actor).await
}

/// Where a dossier's electronic result stands for the citizen.
pub(crate) enum ResultFile {
    /// None to download: the procedure issues no electronic result, or
    /// none was attached.
    None,
    /// Attached, but the dossier is not yet processed.
    NotReady,
    /// Ready to download (it may have been removed since: see
    /// `removed_at`).
    Ready(Box<Attachment>),
}

/// The dossier's electronic result: the citizen may download it once the
/// dossier is ready or returned, for a procedure that issues its result
/// as a file.
pub(crate) fn electronic_result(
    conn: &mut motcua_store::DbConnection,
    d: &motcua_domain::Dossier,
) -> Result<ResultFile, ApiError> {
    use motcua_domain::Status;
    if !files::policy(conn, &d.procedure_code)?.electronic_result {
        return Ok(ResultFile::None);
    }
    let result = files::of_dossier(conn, &d.id)?
        .into_iter()
        .rfind(|a| a.purpose == "result");
    Ok(match (result, d.status) {
        (None, _) => ResultFile::None,
        (Some(a), Status::Processed | Status::Returned) => ResultFile::Ready(Box::new(a)),
        (Some(_), _) => ResultFile::NotReady,
    })
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_file)
        .service(list_files)
        .service(download_file)
        .service(linkable)
        .service(link_identity_document)
        .service(public_result);
}
