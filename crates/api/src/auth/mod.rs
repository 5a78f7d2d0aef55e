//! Staff authentication: argon2 password hashes, HS256 bearer tokens that
//! name a session, and the session read on every request.
//!
//! A token proves only which session it belongs to. Who the caller is
//! (active or not, role, agency, name) is read from the database on every
//! authenticated request, with the session, in one query
//! ([`motcua_store::sessions::authenticate`]): a logout, a disabled account,
//! a new role or agency take effect on the next request, on every server,
//! without trusting any server's memory.

pub mod login;
pub mod password;
pub mod token;

use std::future::Future;
use std::pin::Pin;

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use motcua_domain::{AgencyCode, Role};
use motcua_store::sessions::{self, SessionUser};

use crate::error::ApiError;
use crate::state::AppState;

pub use token::{Claims, JwtKeys};

/// An authenticated staff member, as the database has them now. Every
/// staff endpoint takes one.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub agency: AgencyCode,
    /// The session the token belongs to.
    pub session_id: String,
}

impl Staff {
    pub fn require(&self, roles: &[Role]) -> Result<(), ApiError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            let names: Vec<_> = roles.iter().map(|r| r.as_str()).collect();
            Err(ApiError::forbidden(format!(
                "this action needs the role {}; you are {}",
                names.join(" or "),
                self.role
            )))
        }
    }

    /// The staff member as the domain rules see them.
    pub fn member(&self) -> motcua_domain::StaffMember {
        motcua_domain::StaffMember {
            user_id: self.id.clone(),
            name: self.name.clone(),
            role: self.role,
            agency: self.agency.clone(),
        }
    }

    pub fn actor(&self) -> motcua_store::events::Actor {
        motcua_store::events::Actor {
            id: Some(self.id.clone()),
            name: self.name.clone(),
        }
    }
}

/// The bearer token of a request, if it sends one.
pub fn bearer(req: &HttpRequest) -> Result<Option<&str>, ApiError> {
    let Some(header) = req.headers().get(actix_web::http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be Bearer <token>"))?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::unauthorized(
            "the Authorization header must be Bearer <token>",
        ));
    }
    Ok(Some(token.trim()))
}

/// The outcome of authenticating a request, kept in its extensions so the
/// database is asked once per request however many times it is needed.
#[derive(Clone)]
struct Authenticated(Result<Option<Staff>, ApiError>);

/// Authenticates the request's bearer token against its session: `None`
/// when the request sends no token, an error when it sends one that does
/// not (or no longer) work.
pub async fn authenticate(req: &HttpRequest) -> Result<Option<Staff>, ApiError> {
    if let Some(Authenticated(done)) = req.extensions().get::<Authenticated>() {
        return done.clone();
    }
    let outcome = check(req).await;
    req.extensions_mut().insert(Authenticated(outcome.clone()));
    outcome
}

async fn check(req: &HttpRequest) -> Result<Option<Staff>, ApiError> {
    let Some(token) = bearer(req)? else {
        return Ok(None);
    };
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?
        .clone();
    staff_of_token(&state, token).await.map(Some)
}

/// The staff member a token's session belongs to, as the database has
/// them now: the bearer token of the API, or the session cookie of the
/// supervisors' pages (`crate::pages`).
pub async fn staff_of_token(state: &web::Data<AppState>, token: &str) -> Result<Staff, ApiError> {
    let claims = state.jwt.verify(token)?;
    let sid = claims.sid.clone();
    let found = state
        .with_conn(move |conn| Ok(sessions::authenticate(conn, &sid)?))
        .await?;
    let now = motcua_store::time::now();
    let SessionUser {
        user,
        ended_at,
        expires_at,
    } = found.ok_or_else(|| ApiError::unauthorized("the session has ended; log in again"))?;
    if user.id != claims.sub {
        return Err(ApiError::unauthorized("the access token is invalid"));
    }
    if ended_at.is_some() {
        return Err(
            ApiError::unauthorized("the session has ended; log in again")
                .vi("Phiên làm việc đã kết thúc; vui lòng đăng nhập lại"),
        );
    }
    if expires_at <= now {
        return Err(ApiError::unauthorized(
            "the access token has expired; log in again",
        ));
    }
    if !user.active {
        return Err(ApiError::unauthorized("this account is disabled").vi("Tài khoản đã bị khóa"));
    }
    Ok(Staff {
        id: user.id,
        username: user.username,
        name: user.full_name,
        role: user.role,
        agency: user.agency,
        session_id: claims.sid,
    })
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Staff, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(&req).await?.ok_or_else(|| {
                ApiError::unauthorized("send an Authorization: Bearer <token> header")
            })
        })
    }
}
