//! Sign-in and sign-out. The sign-in form is protected by a double-submit token (a cookie and a
//! hidden field that must match), since there is no session yet; failures make the account wait
//! from that address, and the address (429, `web/signin_throttle.rs`); the password is checked
//! with argon2id off the async runtime.

use std::net::SocketAddr;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::forms::CsrfForm;
use super::{Layout, Page, PageError, SignedIn, render};
use crate::auth::random_secret;
use crate::web::session::{self, SESSION_COOKIE, SIGNIN_COOKIE};
use crate::web::signin_throttle;
use crate::web::{ApiError, AppState};

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    l: Layout,
    csrf: String,
    next: String,
    username: String,
    message: String,
    demo_accounts: Vec<(String, String)>,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only a local path is a place to go after sign-in (never an open redirect).
fn local(next: &str) -> String {
    super::local_path(next)
}

fn show(
    state: &AppState,
    page: &Page,
    status: StatusCode,
    next: &str,
    username: &str,
    message: &str,
) -> Response {
    let token = random_secret(16);
    let template = SignInPage {
        l: page.layout(page.t.sign_in),
        csrf: token.clone(),
        next: local(next),
        username: username.to_string(),
        message: message.to_string(),
        demo_accounts: state.pages.demo_accounts.clone(),
    };
    let mut response = render(page.lang, &template);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(SIGNIN_COOKIE, &token, 3600, page.https),
    );
    response
}

pub async fn form(
    State(state): State<AppState>,
    page: Page,
    Query(q): Query<NextQuery>,
) -> Response {
    if page.session.is_some() {
        return Redirect::to(&local(&q.next)).into_response();
    }
    show(&state, &page, StatusCode::OK, &q.next, "", "")
}

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub async fn submit(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    page: Page,
    Form(form): Form<SignInForm>,
) -> Result<Response, PageError> {
    let expected = session::cookie(&headers, SIGNIN_COOKIE).unwrap_or("");
    if expected.is_empty() || !session::same_secret(expected, &form.csrf) {
        return Err(page
            .error(ApiError::Forbidden(
                "the sign-in form is stale (CSRF token missing or wrong): reload the page".into(),
            ))
            .say(page.t.csrf_stale));
    }
    let username = kehoach_core::text::nfc(form.username.trim());
    if username.is_empty() || username.len() > 100 || form.password.len() > 200 {
        return Ok(show(
            &state,
            &page,
            StatusCode::BAD_REQUEST,
            &form.next,
            "",
            page.t.bad_credentials,
        ));
    }
    let ip = signin_throttle::client_address(peer.ip(), &headers, &state.pages.trusted_proxies);
    let wait = signin_throttle::must_wait(&state.store, &username, ip)
        .await
        .map_err(|e| page.error(e))?;
    if let Some(wait) = wait {
        // Refused without looking at the password, and not counted: waiting is always enough.
        let seconds = wait.as_secs().max(1);
        let message = format!("{} {seconds} {}.", page.t.too_many_attempts, page.t.seconds);
        let mut response = show(
            &state,
            &page,
            StatusCode::TOO_MANY_REQUESTS,
            &form.next,
            &username,
            &message,
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
        return Ok(response);
    }
    let user = state
        .store
        .user_by_name(&username)
        .await
        .map_err(|e| page.error(e))?;
    // Verify even for an unknown user, so timing does not tell which accounts exist.
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| DUMMY_HASH.to_string());
    let password = form.password;
    let valid = tokio::task::spawn_blocking(move || crate::auth::verify_password(&password, &hash))
        .await
        .map_err(|e| page.error(ApiError::Internal(e.into())))?;
    let user = match user {
        Some(u) if valid && !u.disabled => u,
        _ => {
            signin_throttle::failed(&state.store, &username, ip)
                .await
                .map_err(|e| page.error(e))?;
            return Ok(show(
                &state,
                &page,
                StatusCode::UNAUTHORIZED,
                &form.next,
                &username,
                page.t.bad_credentials,
            ));
        }
    };
    signin_throttle::succeeded(&state.store, &username, ip)
        .await
        .map_err(|e| page.error(e))?;
    // A one-time password works once: used up now, and the session may only choose a new one.
    let next = if user.must_change_password {
        let used = state
            .store
            .consume_one_time_password(user.id, &user.password_hash)
            .await
            .map_err(|e| page.error(e))?;
        if !used {
            return Ok(show(
                &state,
                &page,
                StatusCode::UNAUTHORIZED,
                &form.next,
                &username,
                page.t.bad_credentials,
            ));
        }
        super::account::PASSWORD_PAGE.to_string()
    } else {
        local(&form.next)
    };
    let (id, _csrf) = session::start(&state.store, &user)
        .await
        .map_err(|e| page.error(e))?;
    let mut response = Redirect::to(&next).into_response();
    let headers = response.headers_mut();
    headers.append(
        header::SET_COOKIE,
        session::set_cookie(
            SESSION_COOKIE,
            &id,
            session::SESSION_HOURS * 3600,
            page.https,
        ),
    );
    headers.append(
        header::SET_COOKIE,
        session::set_cookie(SIGNIN_COOKIE, "", 0, page.https),
    );
    Ok(response)
}

/// An argon2id hash of a random password: checked against when the account does not exist.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wm9vF3o6oCq0S4mB2B9N0nU6l3k3b1yUuC9T3a2p0nM";

pub async fn sign_out(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    session::end(&state.store, &signed.session)
        .await
        .map_err(|e| signed.error(e))?;
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(SESSION_COOKIE, "", 0, signed.https),
    );
    Ok(response)
}
