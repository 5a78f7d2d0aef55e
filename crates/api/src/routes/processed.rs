//! The end of processing with a result: `POST .../processed`, with the
//! result's note as JSON, or as `multipart/form-data` with the electronic
//! result file too. With the file, marking the dossier processed and
//! recording the file are one transaction: the citizen is never told a
//! result is ready whose file is missing, and a refused transition keeps
//! no file (its bytes are removed at once).

use actix_multipart::{Field, Multipart};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{post, web, FromRequest, HttpRequest, HttpResponse};
use futures_util::{StreamExt, TryStreamExt};
use motcua_files::upload;
use motcua_files::{Purpose, UploadRequest};
use motcua_sla::ops::finish;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Staff;
use crate::body::JsonBody;
use crate::error::{ApiError, Problem};
use crate::routes::clock::{ended, ProcessedAnswer};
use crate::routes::file_receive::{
    discard, expect_end, file_part, multipart_error, receive, Received,
};
use crate::routes::files::file_answer;
use crate::state::AppState;

/// The most characters of the result's note.
const NOTE_CHARS: usize = 1000;

#[derive(Deserialize, ToSchema)]
pub struct ProcessedInput {
    /// The result, e.g. the number of the certificate issued.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub result: String,
}

/// The multipart body: the note first (optional), then the file.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ProcessedForm {
    /// The result, e.g. the number of the certificate issued.
    #[schema(max_length = 1000)]
    result: Option<String>,
    /// The electronic result: a PDF, JPEG or PNG (checked by its bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

#[utoipa::path(post, path = "/api/v1/dossiers/{code}/processed", tag = "clock",
    security(("bearer" = [])),
    request_body(content(
        (ProcessedInput = "application/json"),
        (ProcessedForm = "multipart/form-data")),
        description = "The result's note as JSON; or, to issue the electronic result with it, \
            multipart with an optional part `result` (the note) followed by the part `file`"),
    params(("code" = String, Path, description = "Dossier code")),
    responses(
        (status = 200, description = "Status 9, result ready, with the verdict (and the result file when one came)", body = ProcessedAnswer),
        (status = 400, description = "Truncated or malformed multipart body", body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The dossier's state does not allow it, or its procedure issues no electronic result", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is over the limit per file or per dossier", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Neither JSON nor multipart, or a file not PDF, JPEG or PNG", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")))]
#[post("/api/v1/dossiers/{code}/processed")]
pub async fn processed(
    state: web::Data<AppState>,
    staff: Staff,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let code = path.into_inner();
    if is_multipart(&req) {
        let multipart = Multipart::new(req.headers(), payload.into_inner());
        return with_result_file(&state, &staff, code, multipart).await;
    }
    let JsonBody(input) =
        JsonBody::<ProcessedInput>::from_request(&req, &mut payload.into_inner()).await?;
    let calendar = state.calendar();
    let mail = state.mail.clone();
    let out = state
        .with_conn(move |conn| {
            let member = staff.member();
            Ok(finish::processed(
                conn,
                &calendar,
                &mail,
                &member,
                &code,
                &input.result,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(ended(&out, None)))
}

/// Reads a text part of at most `max` characters.
async fn text_part(field: &mut Field, name: &str, max: usize) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.next().await {
        bytes.extend_from_slice(&chunk.map_err(multipart_error)?);
        // Four bytes at most per character in UTF-8.
        if bytes.len() > max * 4 {
            return Err(ApiError::invalid_field(
                name,
                format!("must be at most {max} characters"),
            ));
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::invalid_field(name, "must be text in UTF-8"))
}

/// Marks the dossier processed with its electronic result: the right,
/// the state and the procedure's policy are checked before a byte is
/// read; the file is stored, then recorded with the transition in one
/// transaction.
async fn with_result_file(
    state: &AppState,
    staff: &Staff,
    code: String,
    mut payload: Multipart,
) -> Result<HttpResponse, ApiError> {
    let member = staff.member();
    let req = UploadRequest {
        dossier_code: code.clone(),
        purpose: Purpose::Result,
        document: None,
        identity: false,
    };
    let (r, m) = (req.clone(), member.clone());
    state
        .with_conn(move |conn| Ok(upload::check(conn, &m, &r)?))
        .await?;
    let mut part = payload.try_next().await.map_err(multipart_error)?;
    let mut note = String::new();
    if let Some(mut f) = part.take_if(|f| f.name() == Some("result")) {
        let seconds = u64::try_from(state.config.file_limits.upload_seconds.max(1)).unwrap_or(600);
        note = actix_web::rt::time::timeout(
            std::time::Duration::from_secs(seconds),
            text_part(&mut f, "result", NOTE_CHARS),
        )
        .await
        .map_err(|_| ApiError::bad_request("the part result did not arrive in time"))??;
        // Checked as the JSON body's `result` is (its length, control
        // characters, normal form), by the same rules.
        let as_json = serde_json::to_vec(&serde_json::json!({ "result": note }))
            .map_err(|_| ApiError::internal())?;
        note = crate::body::parse::<ProcessedInput>(&as_json)?.result;
        // The next part comes only once this one is gone.
        drop(f);
        part = payload.try_next().await.map_err(multipart_error)?;
    }
    let mut field = file_part(part)?;
    let received = receive(state, &member, &req, &mut field).await?;
    drop(field);
    expect_end(state, &mut payload, &received).await?;
    let Received { admitted, written } = received;
    let file_id = admitted.file_id.clone();
    let (calendar, mail, limits) = (
        state.calendar(),
        state.mail.clone(),
        state.config.file_limits,
    );
    let outcome = state
        .with_conn(move |conn| {
            conn.write_tx(|conn| {
                let now = motcua_store::time::now();
                let recorded =
                    upload::record(conn, &member, &req, &admitted, &written, limits, now)?;
                let out = finish::processed(conn, &calendar, &mail, &member, &code, &note)?;
                Ok::<_, ApiError>((recorded, out))
            })
        })
        .await;
    match outcome {
        Ok((recorded, out)) => {
            if recorded.repeated {
                // The same bytes were attached as the result before: the
                // first copy stays, this one goes.
                discard(state, &file_id).await;
            }
            let file = file_answer(&out.dossier.code, recorded.attachment, None);
            Ok(HttpResponse::Ok().json(ended(&out, Some(file))))
        }
        Err(e) => {
            discard(state, &file_id).await;
            Err(e)
        }
    }
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(processed);
}
