//! Staff authentication: argon2 password hashes and HS256 bearer tokens.

pub mod password;

use std::future::{ready, Ready};

use actix_web::{web, FromRequest, HttpRequest};
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use motcua_domain::{AgencyCode, Role};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::state::AppState;

const ISSUER: &str = "motcua";

/// Token claims: who, in which role, at which agency.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub name: String,
    pub role: Role,
    pub agency: String,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_seconds: i64) -> JwtKeys {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.leeway = 30;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    pub fn issue(
        &self,
        user_id: &str,
        name: &str,
        role: Role,
        agency: &str,
    ) -> Result<String, ApiError> {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_string(),
            name: name.to_string(),
            role,
            agency: agency.to_string(),
            iss: ISSUER.to_string(),
            iat: now,
            exp: now + self.ttl_seconds,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "could not sign a token");
            ApiError::internal()
        })
    }

    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("the access token has expired; log in again")
                }
                _ => ApiError::unauthorized("the access token is invalid"),
            })
    }
}

/// An authenticated staff member, extracted from the bearer token. Every
/// staff endpoint takes one.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub agency: AgencyCode,
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

fn extract(req: &HttpRequest) -> Result<Staff, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(ApiError::internal)?;
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::unauthorized("send an Authorization: Bearer <token> header"))?;
    let value = header
        .to_str()
        .map_err(|_| ApiError::unauthorized("the Authorization header is not valid text"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| ApiError::unauthorized("the Authorization header must be Bearer <token>"))?;
    let claims = state.jwt.verify(token.trim())?;
    let agency = AgencyCode::parse(&claims.agency)
        .map_err(|_| ApiError::unauthorized("the access token is invalid"))?;
    Ok(Staff {
        id: claims.sub,
        name: claims.name,
        role: claims.role,
        agency,
    })
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = Ready<Result<Staff, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        ready(extract(req))
    }
}
