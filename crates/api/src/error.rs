//! Every error response is `application/problem+json` (RFC 9457) with a
//! stable `type`, an English `title`/`detail`, a Vietnamese `detail_vi`
//! where the desk shows it, and for validation the offending fields.
//!
//! Which error to use: handlers return [`ApiError`]; domain, intake and
//! storage errors convert into it with `?`. Storage failures become a 500
//! whose details go to the log only.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use motcua_intake::{FieldError, IntakeError};
use motcua_store::StoreError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// The problem+json body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// Stable machine-readable problem type, e.g. `/problems/incomplete-dossier`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The same detail in Vietnamese, for what the desk shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_vi: Option<String>,
    /// For validation problems: every offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Problem-specific members (missing documents, allowed statuses...).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Object)]
    pub extra: Option<Value>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    status: StatusCode,
    // Boxed: errors travel through every handler's `Result`, so keep the
    // `Err` variant one pointer wide.
    problem: Box<Problem>,
    /// Headers the answer carries (`Retry-After` on 429, `Allow` on 405).
    headers: Vec<(&'static str, String)>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.problem.title, self.problem.detail)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            problem: Box::new(Problem {
                kind: format!("/problems/{slug}"),
                title: title.to_string(),
                status: status.as_u16(),
                detail: detail.into(),
                detail_vi: None,
                errors: Vec::new(),
                extra: None,
            }),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// 429: too many attempts; try again after `retry_after_seconds`.
    pub fn too_many(retry_after_seconds: i64, detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            detail,
        )
        .vi("Quá nhiều yêu cầu trong thời gian ngắn; vui lòng thử lại sau")
        .with_header("Retry-After", retry_after_seconds.max(1).to_string())
        .with_extra(serde_json::json!({ "retry_after_seconds": retry_after_seconds.max(1) }))
    }

    pub fn vi(mut self, detail_vi: impl Into<String>) -> Self {
        self.problem.detail_vi = Some(detail_vi.into());
        self
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.problem.errors = errors;
        self
    }

    pub fn with_extra(mut self, extra: Value) -> Self {
        self.problem.extra = Some(extra);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The value of a header the answer carries (`Retry-After`).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "Invalid request",
            detail,
        )
        .vi("Dữ liệu không hợp lệ")
        .with_errors(errors)
    }

    /// A query or path that did not deserialize, as a validation error:
    /// serde names a missing field only in its message
    /// ("Query deserialize error: missing field `from`").
    pub fn rejected_parameter(location: &str, message: &str) -> Self {
        let message = message
            .split_once("deserialize error: ")
            .map_or(message, |(_, m)| m);
        match message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
        {
            Some(name) => ApiError::invalid_field(name, "is required"),
            None => ApiError::invalid_field(location, message),
        }
    }

    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        ApiError::invalid(vec![FieldError::new(field, message)])
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            detail,
        )
        .vi("Cần đăng nhập")
        .with_header("WWW-Authenticate", "Bearer realm=\"motcua\"")
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
            .vi("Không có quyền thực hiện thao tác này")
    }

    pub fn not_found(what: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("{what} not found"),
        )
        .vi("Không tìm thấy")
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the server could not complete the request; it has been logged",
        )
        .vi("Lỗi hệ thống")
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail,
        )
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.content_type("application/problem+json");
        for (name, value) in &self.headers {
            res.insert_header((*name, value.as_str()));
        }
        res.json(&*self.problem)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("record"),
            StoreError::Duplicate(_) => {
                ApiError::conflict("a record with this key already exists").vi("Dữ liệu đã tồn tại")
            }
            StoreError::MissingReference(_) => {
                ApiError::invalid_field("reference", "refers to a record that does not exist")
            }
            ref lost if lost.is_connection_lost() => {
                tracing::warn!(error = %lost, "a database connection was lost; the pool replaces it");
                ApiError::unavailable("the database connection was lost; try again")
                    .with_header("Retry-After", "1".to_string())
            }
            StoreError::Pool(ref err) => {
                tracing::error!(error = %err, "database pool exhausted or unreachable");
                ApiError::unavailable("the database is not reachable; try again shortly")
            }
            other => {
                tracing::error!(error = %other, "storage error");
                ApiError::internal()
            }
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(e: IntakeError) -> Self {
        match e {
            IntakeError::Invalid(errors) => ApiError::invalid(errors),
            IntakeError::UnknownProcedure(code) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-procedure",
                "Unknown procedure",
                format!("procedure {code:?} is not in the catalogue"),
            )
            .vi(format!("Thủ tục {code:?} không có trong danh mục"))
            .with_errors(vec![FieldError::new("procedure", "unknown procedure code")]),
            IntakeError::Forbidden(detail) => ApiError::forbidden(detail),
            IntakeError::Incomplete { slip_id, missing } => {
                let list_en = missing
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "incomplete-dossier",
                    "Incomplete dossier",
                    format!("the dossier lacks: {list_en}; no code was issued"),
                )
                .vi(format!(
                    "Hồ sơ chưa đầy đủ, cần bổ sung: {list_en}. Chưa cấp mã hồ sơ."
                ))
                .with_extra(match slip_id {
                    Some(slip) => serde_json::json!({
                        "missing_documents": missing,
                        "guidance_slip": slip,
                    }),
                    // An online submission: the desk refuses it instead.
                    None => serde_json::json!({ "missing_documents": missing }),
                })
            }
            IntakeError::NotFound => ApiError::not_found("submission"),
            IntakeError::NoDossier => ApiError::not_found("dossier"),
            IntakeError::Conflict(detail) => ApiError::conflict(detail),
            IntakeError::Store(s) => s.into(),
            IntakeError::Mail(e) => mail_failed(&e),
        }
    }
}

impl From<motcua_reports::frozen::FreezeError> for ApiError {
    fn from(e: motcua_reports::frozen::FreezeError) -> Self {
        use motcua_reports::frozen::FreezeError;
        match e {
            FreezeError::Invalid(error) => ApiError::invalid(vec![error]),
            e @ FreezeError::AlreadyFrozen { .. } => ApiError::conflict(e.to_string()),
            FreezeError::Store(e) => e.into(),
        }
    }
}

impl From<motcua_admin::AdminError> for ApiError {
    fn from(e: motcua_admin::AdminError) -> Self {
        use motcua_admin::AdminError;
        match e {
            AdminError::Invalid(errors) => ApiError::invalid(errors),
            AdminError::NotFound(what) => ApiError::not_found(what),
            AdminError::Conflict(detail) => ApiError::conflict(detail),
            AdminError::Store(e) => e.into(),
        }
    }
}

impl From<motcua_admin::catalogue_sheet::SheetError> for ApiError {
    fn from(e: motcua_admin::catalogue_sheet::SheetError) -> Self {
        use motcua_admin::catalogue_sheet::SheetError;
        match e {
            SheetError::Unreadable(detail) => ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed-workbook",
                "Malformed workbook",
                format!("the body is not a catalogue workbook: {detail}"),
            )
            .vi("Tệp gửi lên không phải bảng tính XLSX hợp lệ"),
            SheetError::Invalid(errors) => ApiError::invalid(errors),
            SheetError::Write(e) => {
                tracing::error!(error = %e, "could not write the catalogue workbook");
                ApiError::internal()
            }
        }
    }
}

impl From<motcua_feedback::FeedbackError> for ApiError {
    fn from(e: motcua_feedback::FeedbackError) -> Self {
        use motcua_feedback::FeedbackError;
        match e {
            FeedbackError::Invalid(errors) => ApiError::invalid(errors),
            FeedbackError::NotFound(what) => ApiError::not_found(what),
            FeedbackError::Forbidden(detail) => ApiError::forbidden(detail),
            FeedbackError::Conflict(detail) => ApiError::conflict(detail),
            FeedbackError::Store(e) => e.into(),
            FeedbackError::Notify(e) => e.into(),
        }
    }
}

impl From<motcua_files::FileError> for ApiError {
    fn from(e: motcua_files::FileError) -> Self {
        use motcua_files::FileError;
        match e {
            FileError::Invalid(errors) => ApiError::invalid(errors),
            FileError::UnsupportedType(detail) => ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-file-type",
                "Unsupported file type",
                detail,
            )
            .vi("Chỉ nhận tệp PDF, JPEG hoặc PNG"),
            FileError::TooLarge(detail) => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "file-too-large",
                "File too large",
                detail,
            )
            .vi("Tệp vượt quá dung lượng cho phép"),
            FileError::NotFound(what) => ApiError::not_found(what),
            FileError::Removed(detail) => ApiError::new(
                StatusCode::GONE,
                "file-removed",
                "File removed",
                format!("the file was removed on {detail} after its retention period"),
            )
            .vi("Tệp đã được xóa khi hết thời hạn lưu trữ"),
            FileError::Forbidden(detail) => ApiError::forbidden(detail),
            FileError::Conflict(detail) => ApiError::conflict(detail),
            FileError::Integrity { id, problem } => {
                tracing::error!(file = %id, %problem, "file integrity check failed");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "file-integrity",
                    "File failed its integrity check",
                    format!("file {id} cannot be served: {problem}; the failure was recorded"),
                )
                .vi("Tệp không còn nguyên vẹn; sự cố đã được ghi nhận")
            }
            FileError::Storage(detail) | FileError::Config(detail) => {
                tracing::error!(%detail, "file storage failed");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "file-storage-unavailable",
                    "File storage unavailable",
                    "the file storage did not answer; nothing was recorded, try again",
                )
                .with_header("Retry-After", "30")
            }
            FileError::Store(e) => e.into(),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(_: actix_web::error::BlockingError) -> Self {
        tracing::error!("blocking task was cancelled");
        ApiError::internal()
    }
}

impl From<motcua_store::DieselError> for ApiError {
    fn from(e: motcua_store::DieselError) -> Self {
        StoreError::from(e).into()
    }
}

impl From<motcua_sla::ClockError> for ApiError {
    fn from(e: motcua_sla::ClockError) -> Self {
        use motcua_sla::ClockError;
        match e {
            ClockError::NotFound => ApiError::not_found("dossier"),
            ClockError::Missing(what) => ApiError::not_found(what),
            ClockError::Forbidden(detail) => ApiError::forbidden(detail),
            ClockError::Transition { from, to, allowed } => {
                let names: Vec<_> = allowed.iter().map(|s| s.name()).collect();
                ApiError::new(
                    StatusCode::CONFLICT,
                    "invalid-transition",
                    "Invalid status transition",
                    format!(
                        "a dossier in status {} ({}) cannot move to {} ({}); allowed next: {}",
                        from.code(),
                        from.name(),
                        to.code(),
                        to.name(),
                        if names.is_empty() {
                            "none".to_string()
                        } else {
                            names.join(", ")
                        }
                    ),
                )
                .vi(format!(
                    "Hồ sơ đang ở trạng thái \"{}\" không thể chuyển sang \"{}\"",
                    from.label_vi(),
                    to.label_vi()
                ))
                .with_extra(serde_json::json!({
                    "current_status": from,
                    "requested_status": to,
                    "allowed": allowed,
                    "allowed_codes": allowed.iter().map(|s| s.code()).collect::<Vec<_>>(),
                }))
            }
            ClockError::Invalid { field, message } => ApiError::invalid_field(&field, message),
            ClockError::Conflict(detail) => ApiError::conflict(detail),
            ClockError::Store(s) => s.into(),
            ClockError::Mail(e) => mail_failed(&e),
        }
    }
}

/// A change whose mail could not be written is rolled back: the cause is
/// ours (a template's missing value), never the caller's.
fn mail_failed(e: &motcua_notify::NotifyError) -> ApiError {
    tracing::error!(error = %e, "could not write a message to the outbox");
    ApiError::internal()
}

impl From<motcua_notify::NotifyError> for ApiError {
    fn from(e: motcua_notify::NotifyError) -> Self {
        use motcua_notify::NotifyError;
        match e {
            NotifyError::Store(s) => s.into(),
            NotifyError::NotRetryable(status) => ApiError::conflict(format!(
                "only failed messages can be retried; this one is {status}"
            )),
            other => mail_failed(&other),
        }
    }
}
