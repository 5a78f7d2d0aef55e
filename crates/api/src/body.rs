//! The JSON request-body extractor. Unlike actix's own, every failure is a
//! problem+json answer naming what is wrong: a body too large (413), a
//! wrong content type (415), malformed JSON, a duplicate key or content
//! after the value (400), a text with control characters or beyond the
//! limits the OpenAPI document states (422, every offending field), a
//! field missing or of the wrong shape (422, with the field's path): 400
//! is only for a body that is not one JSON value. Texts reach the handler
//! in Unicode NFC.

use std::future::Future;
use std::pin::Pin;

use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest};
use motcua_intake::FieldError;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use utoipa::ToSchema;

use crate::contract::{self, strict_json};
use crate::error::ApiError;
use crate::state::AppState;

pub struct JsonBody<T>(pub T);

pub fn payload_error(e: actix_web::Error, limit: usize) -> ApiError {
    match e.as_error::<PayloadError>() {
        Some(PayloadError::Overflow) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Request body too large",
            format!("the request body exceeds the limit of {limit} bytes"),
        )
        .vi("Dữ liệu gửi lên quá lớn"),
        _ => ApiError::bad_request(format!("could not read the request body: {e}")),
    }
}

/// Parses a JSON body for `T`: strictly (no duplicate keys, nothing
/// after the value), then its texts and limits against `T`'s schema in the
/// OpenAPI document (422 naming every offending field), then into `T`
/// (422 naming the first field missing or of the wrong shape).
pub fn parse<T: DeserializeOwned + ToSchema>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::bad_request(
            "the request body is empty; send a JSON object",
        ));
    }
    let mut value = strict_json::parse(bytes).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                format!("the body is not valid JSON: {e}"),
            )
            .vi("Dữ liệu gửi lên không phải JSON hợp lệ")
        } else {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid-body",
                "Invalid request body",
                e.to_string(),
            )
            .vi("Dữ liệu gửi lên thiếu hoặc sai trường")
        }
    })?;
    let schemas = contract::spec::spec().schemas();
    let mut findings = contract::check::Findings::default();
    schemas.walk(schemas.component(&T::name()), &mut value, "", &mut findings);
    if !findings.errors.is_empty() {
        return Err(ApiError::invalid(findings.errors));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let (field, message) = shape_error(&path, &e.into_inner().to_string());
        ApiError::invalid(vec![FieldError::new(field, message)])
    })
}

/// Names the field of a JSON value of the wrong shape and says what it
/// should be, in the words of the other validation errors: serde names a
/// missing field only in its message (`applicant.name`, not the parent),
/// and says "invalid type: string \"\", expected struct StopInput".
fn shape_error(path: &str, message: &str) -> (String, String) {
    let field = |name: Option<&str>| match (path, name) {
        (".", Some(name)) => name.to_string(),
        // An unknown field's path already ends with its name.
        (_, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => path.to_string(),
        (_, Some(name)) => format!("{path}.{name}"),
        (".", None) => "body".to_string(),
        _ => path.to_string(),
    };
    if let Some(name) = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next())
    {
        return (field(Some(name)), "is required".to_string());
    }
    if let Some((name, rest)) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split_once('`'))
    {
        let known = rest.trim_start_matches(", ");
        return (
            field(Some(name)),
            format!("is not a field of this request ({known})"),
        );
    }
    let expected = message.rsplit_once(", expected ").map(|(_, e)| e);
    let message = match expected {
        Some(e) if e.starts_with("struct ") || e.starts_with("a map") => {
            "must be a JSON object".to_string()
        }
        Some(e) if e.starts_with("a sequence") => "must be a JSON array".to_string(),
        Some(e) if e.starts_with("a string") => "must be a text (a JSON string)".to_string(),
        Some(e) if e.starts_with("a boolean") => "must be true or false".to_string(),
        Some("i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "usize") => {
            "must be a whole number".to_string()
        }
        _ => message.to_string(),
    };
    (field(None), message)
}

impl<T: DeserializeOwned + ToSchema + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(256 * 1024, |s| s.config.body_limit);
        let content_type_ok = req
            .headers()
            .get(actix_web::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let mime = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported-media-type",
                    "Unsupported media type",
                    "send the body as Content-Type: application/json",
                ));
            }
            let bytes = bytes.await.map_err(|e| payload_error(e, limit))?;
            parse(&bytes).map(JsonBody)
        })
    }
}

/// For a field where `null` means something (remove the value) and absence
/// means "leave it": with `#[serde(default, deserialize_with = "present")]`
/// an absent field is `None`, `null` is `Some(None)`.
pub fn present<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

#[cfg(test)]
mod shape_tests {
    use super::shape_error;

    #[test]
    fn fields_are_named_once_whether_missing_or_unknown() {
        // Missing: serde names the field in its message, the path is the parent.
        assert_eq!(shape_error(".", "missing field `name`").0, "name");
        assert_eq!(
            shape_error("applicant", "missing field `name`").0,
            "applicant.name"
        );
        // Unknown: the path is the field itself.
        let unknown = "unknown field `extra`, expected one of `name`, `agency`";
        assert_eq!(shape_error("extra", unknown).0, "extra");
        assert_eq!(shape_error("applicant.extra", unknown).0, "applicant.extra");
    }
}
