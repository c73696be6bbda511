//! `/account`: every user's own account — change the password (the current one required, except
//! right after signing in with a one-time password, which that sign-in used up), see and revoke
//! API tokens, end the other sessions. A password change ends the other sessions.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::CsrfForm;
use super::{Layout, PageError, SignedIn, render};
use crate::auth::token_hash;
use crate::password_rules::{self, Weakness};
use crate::store::{Change, TokenRow};
use crate::web::{ApiError, AppState};

/// Where a one-time password's session is sent, and the only pages it may open.
pub const PASSWORD_PAGE: &str = "/account";

/// The paths a session that must change its password may use.
pub fn allowed_before_change(path: &str) -> bool {
    matches!(path, "/account" | "/account/password" | "/sign-out")
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    l: Layout,
    must_change: bool,
    ok: String,
    error: String,
    tokens: Vec<TokenItem>,
    other_sessions: i64,
}

struct TokenItem {
    id: i64,
    label: String,
    created: String,
    revoked: bool,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    Query(q): Query<DoneQuery>,
) -> Result<Response, PageError> {
    let ok = match q.done.as_str() {
        "password" => signed.t.password_changed,
        "token" => signed.t.token_revoked,
        "sessions" => signed.t.sessions_ended,
        _ => "",
    };
    show(&state, &signed, ok, "").await
}

async fn show(
    state: &AppState,
    signed: &SignedIn,
    ok: &str,
    error: &str,
) -> Result<Response, PageError> {
    let user = &signed.session.user;
    let tokens: Vec<TokenRow> = state
        .store
        .tokens_of_user(user.id)
        .await
        .map_err(|e| signed.error(e))?;
    let sessions = state
        .store
        .session_count(user.id)
        .await
        .map_err(|e| signed.error(e))?;
    let template = AccountPage {
        l: signed.layout(signed.t.account),
        must_change: user.must_change_password,
        ok: ok.to_string(),
        error: error.to_string(),
        tokens: tokens
            .into_iter()
            .map(|t| TokenItem {
                id: t.id,
                label: t.label,
                created: super::dmy(t.created_at.date_naive()),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        other_sessions: (sessions - 1).max(0),
    };
    let mut response = render(signed.lang, &template);
    if !error.is_empty() {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    repeat: String,
}

/// `POST /account/password`.
pub async fn change_password(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let user = signed.session.user.clone();
    let t = signed.t;
    let refuse = |message: &'static str| show(&state, &signed, "", message);
    if form.new != form.repeat {
        return refuse(t.pw_mismatch).await;
    }
    if let Err(weakness) = password_rules::check(&user.username, &form.new) {
        let message = match weakness {
            Weakness::TooShort => t.pw_too_short,
            Weakness::TooLong => t.pw_too_long,
            Weakness::ContainsUsername => t.pw_contains_name,
            Weakness::Common => t.pw_common,
        };
        return refuse(message).await;
    }
    // Right after a one-time password the session itself is the proof (that password is used
    // up); otherwise the current password is asked, so an unattended session cannot take over.
    if !user.must_change_password {
        let (current, hash) = (form.current.clone(), user.password_hash.clone());
        let valid = tokio::task::spawn_blocking(move || {
            current.len() <= password_rules::MAX_CHARS
                && crate::auth::verify_password(&current, &hash)
        })
        .await
        .map_err(|e| signed.error(ApiError::Internal(e.into())))?;
        if !valid {
            return refuse(t.pw_wrong_current).await;
        }
    }
    let new = form.new.clone();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&new))
        .await
        .map_err(|e| signed.error(ApiError::Internal(e.into())))?
        .map_err(|e| signed.error(ApiError::Internal(e)))?;
    state
        .store
        .set_password(
            user.id,
            &hash,
            false,
            Some(&token_hash(&signed.session.id)),
            &change_by(&signed),
        )
        .await
        .map_err(|e| signed.error(e))?;
    Ok(Redirect::to("/account?done=password").into_response())
}

/// `POST /account/tokens/{id}/revoke`: one of the caller's own tokens.
pub async fn revoke_token(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    state
        .store
        .revoke_token(signed.session.user.id, id, &change_by(&signed))
        .await
        .map_err(|e| signed.error(e))?;
    Ok(Redirect::to("/account?done=token").into_response())
}

/// `POST /account/sign-out-others`.
pub async fn sign_out_others(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    state
        .store
        .end_other_sessions(signed.session.user.id, &token_hash(&signed.session.id))
        .await
        .map_err(|e| signed.error(e))?;
    Ok(Redirect::to("/account?done=sessions").into_response())
}

pub fn change_by(signed: &SignedIn) -> Change {
    Change {
        user_id: Some(signed.session.user.id),
        actor: signed.session.user.username.clone(),
    }
}
