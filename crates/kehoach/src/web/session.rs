//! Browser sessions for the pages: a random id in an HttpOnly, SameSite=Lax cookie (Secure when
//! the request came over HTTPS), kept server-side in the `sessions` table as its SHA-256, with a
//! per-session CSRF token that every form posts back. Failed sign-ins: `signin_throttle.rs`.
//!
//! Why a table of our own rather than tower-sessions: the store already runs the same SQL on both
//! backends (`on_pool!`), a session is three columns, and the CSRF token and user join in one
//! query; tower-sessions would add a crate, its own store schema per backend and a serialised blob.

use axum::http::{HeaderMap, HeaderValue, header};
use chrono::Utc;

use crate::auth::{random_secret, token_hash};
use crate::store::{Store, StoreError, UserRow};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "kh_session";
/// The pre-session cookie that protects the sign-in form itself (double submit).
pub const SIGNIN_COOKIE: &str = "kh_signin";
/// The language cookie (`vi` or `en`).
pub const LANG_COOKIE: &str = "kh_lang";

/// How long a session lasts after sign-in.
pub const SESSION_HOURS: i64 = 12;

/// The value of a cookie in the request, if present.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Whether the request reached us over HTTPS (directly flagged, or through a proxy that says so).
pub fn is_https(headers: &HeaderMap, always_secure: bool) -> bool {
    always_secure
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("cookie names and hex values are valid header text")
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A signed-in browser: the user and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: UserRow,
    pub csrf: String,
    /// The cookie value (to end the session on sign-out).
    pub id: String,
}

/// Starts a session for `user`; returns the cookie value and the CSRF token.
pub async fn start(store: &Store, user: &UserRow) -> Result<(String, String), StoreError> {
    let id = random_secret(32);
    let csrf = random_secret(32);
    let expires = Utc::now() + chrono::Duration::hours(SESSION_HOURS);
    store
        .create_session(&token_hash(&id), user.id, &csrf, expires)
        .await?;
    Ok((id, csrf))
}

/// The session the request's cookie names, if it is live.
pub async fn current(store: &Store, headers: &HeaderMap) -> Result<Option<Session>, StoreError> {
    let Some(id) = cookie(headers, SESSION_COOKIE).filter(|v| v.len() == 64) else {
        return Ok(None);
    };
    Ok(store.session(&token_hash(id)).await?.map(|s| Session {
        user: s.user,
        csrf: s.csrf,
        id: id.to_string(),
    }))
}

pub async fn end(store: &Store, session: &Session) -> Result<(), StoreError> {
    store.delete_session(&token_hash(&session.id)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; kh_session=abc; b=2".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "c"), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
    }
}
