//! Who is calling: API clients present `Authorization: Bearer <token>`; the token's SHA-256 is
//! looked up (tokens are random, so a fast hash is enough and the database never holds one).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::{ApiError, AppState};
use crate::auth::token_hash;
use crate::store::UserRow;

/// A signed-in caller. Extracting it answers 401 when there are no valid credentials.
pub struct Caller(pub UserRow);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let BearerHash(hash) = BearerHash::from_request_parts(parts, state).await?;
        let user = state
            .store
            .user_by_token_hash(&hash)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        Ok(Caller(user))
    }
}

/// The SHA-256 of the request's bearer token, not yet looked up: for a handler that reads the
/// caller together with what it acts on, in one query. Answers 401 when there is no token; the
/// handler answers 401 when the store knows no valid one.
pub struct BearerHash(pub String);

impl FromRequestParts<AppState> for BearerHash {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(ApiError::Unauthorized)?;
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        Ok(BearerHash(token_hash(token)))
    }
}
