//! `GET /calendar/{secret}.ics`: a unit's calendar feed, for calendar applications that subscribe
//! by URL (they cannot send a bearer token: the secret in the path is the credential). Secrets are
//! made and replaced by `kehoach calendar url --unit CODE`; only their SHA-256 is stored.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::{ApiError, AppState};
use crate::auth::token_hash;

/// Longest path segment considered (a secret is 32 characters or so).
const MAX_SEGMENT: usize = 128;

pub async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound("no such calendar".into());
    let secret = file
        .strip_suffix(".ics")
        .filter(|s| !s.is_empty() && s.len() <= MAX_SEGMENT)
        .ok_or_else(not_found)?;
    let unit = state
        .store
        .unit_by_calendar_secret(&token_hash(secret))
        .await?
        .ok_or_else(not_found)?;
    let text = crate::export::unit_calendar(&state.store, &unit, chrono::Utc::now())
        .await
        .map_err(ApiError::from)?;
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=900"),
    );
    Ok(response)
}
