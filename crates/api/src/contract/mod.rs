//! The API's contract with its clients, enforced from the OpenAPI document
//! the handlers declare: which routes and methods exist, what limits each
//! parameter and body field has, and that every error is problem+json.
//!
//! - [`spec`]: the document as the server reads it.
//! - [`guard`]: path, method and parameters of every request.
//! - [`check`]: the limits a JSON body must meet (used by
//!   [`crate::body::JsonBody`]).
//! - [`strict_json`]: JSON parsing that refuses duplicate keys and
//!   trailing content.
//! - [`problems`]: every error answer as problem+json, panics included.

pub mod check;
pub mod guard;
pub mod problems;
pub mod spec;
pub mod strict_json;
