//! HS256 access tokens. A token carries the user and the session it
//! belongs to, and nothing the desk decides on: role, agency and whether
//! the account may act are read from the database on every request.

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

const ISSUER: &str = "motcua";

/// Token claims.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    /// The session's id.
    pub sid: String,
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
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        // The expiry is checked in `verify`, on the server's clock.
        validation.validate_exp = false;
        JwtKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_seconds,
        }
    }

    /// Signs a token for a session that ends at `expires_at`.
    pub fn issue(
        &self,
        user_id: &str,
        session_id: &str,
        issued_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let claims = Claims {
            sub: user_id.to_string(),
            sid: session_id.to_string(),
            iss: ISSUER.to_string(),
            iat: issued_at.timestamp(),
            exp: expires_at.timestamp(),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(|e| {
            tracing::error!(error = %e, "could not sign a token");
            ApiError::internal()
        })
    }

    /// Checks the signature, the issuer and the expiry (against the
    /// server's clock, which tests set; jsonwebtoken would read the
    /// system's).
    pub fn verify(&self, token: &str) -> Result<Claims, ApiError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|d| d.claims)
            .map_err(|_| ApiError::unauthorized("the access token is invalid"))?;
        if claims.exp <= motcua_store::time::now().timestamp() {
            return Err(ApiError::unauthorized(
                "the access token has expired; log in again",
            ));
        }
        Ok(claims)
    }
}
