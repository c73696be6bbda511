//! `/users`: administrators (everywhere) and plan offices (within their subtree) create accounts
//! for units, reset passwords (a one-time password, shown once, that must be changed at the next
//! sign-in), and disable or re-enable accounts. Whether the caller may touch an account is the
//! policy's `ManageUsers` on the account's unit (`authz::decide`): an administrator's account has
//! no unit, so only an administrator manages it.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::account::change_by;
use super::forms::CsrfForm;
use super::{Layout, PageError, SignedIn, render};
use crate::auth::random_secret;
use crate::authz::Action;
use crate::store::{Role, UserRow};
use crate::web::authz::{Authz, Resource, visible_units};
use crate::web::{ApiError, AppState};

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    ok: String,
    error: String,
    /// (user name, one-time password) just made, shown once.
    one_time: Option<(String, String)>,
    users: Vec<UserItem>,
    roles: Vec<(&'static str, &'static str)>,
}

struct UserItem {
    id: i64,
    username: String,
    display_name: String,
    unit: String,
    role: &'static str,
    disabled: bool,
    is_self: bool,
}

/// A role's name in the page's language.
fn role_name(t: &super::i18n::Strings, role: Role) -> &'static str {
    match role {
        Role::Admin => t.role_admin,
        Role::PlanOffice => t.role_plan_office,
        Role::Reporter => t.role_reporter,
        Role::Finance => t.role_finance,
        Role::Viewer => t.role_viewer,
    }
}

/// The roles a caller may give, as (value, name): an administrator's account has no unit, so only
/// an administrator makes one.
fn roles(t: &super::i18n::Strings, caller: &UserRow) -> Vec<(&'static str, &'static str)> {
    let mut roles = vec![
        Role::Reporter,
        Role::PlanOffice,
        Role::Finance,
        Role::Viewer,
    ];
    if caller.role == Role::Admin {
        roles.push(Role::Admin);
    }
    roles
        .into_iter()
        .map(|r| (r.as_str(), role_name(t, r)))
        .collect()
}

async fn ensure_may_manage_users(state: &AppState, signed: &SignedIn) -> Result<(), PageError> {
    Authz::of(state, &signed.session.user)
        .check(Action::ManageUsers, Resource::Anywhere)
        .await
        .map(drop)
        .map_err(|e| signed.error(e))
}

/// The account `id`, if the caller may manage it (404 otherwise: not the caller's to know).
async fn managed_user(state: &AppState, signed: &SignedIn, id: i64) -> Result<UserRow, PageError> {
    let gone = || signed.error(ApiError::NotFound(format!("user {id} not found")));
    let user = state
        .store
        .user(id)
        .await
        .map_err(|e| signed.error(e))?
        .ok_or_else(gone)?;
    Authz::of(state, &signed.session.user)
        .check(Action::ManageUsers, Resource::Unit(user.unit_id))
        .await
        .map_err(|_| gone())?;
    Ok(user)
}

async fn show(
    state: &AppState,
    signed: &SignedIn,
    ok: &str,
    error: String,
    one_time: Option<(String, String)>,
) -> Result<Response, PageError> {
    let visible = visible_units(state, &signed.session.user)
        .await
        .map_err(|e| signed.error(e))?;
    let all = state.store.all_users().await.map_err(|e| signed.error(e))?;
    let mut users = Vec::new();
    for u in all {
        let shown = match (&visible, u.unit_id) {
            (None, _) => true,
            (Some(set), Some(unit)) => set.contains(&unit),
            (Some(_), None) => false,
        };
        if !shown {
            continue;
        }
        let unit = match u.unit_id {
            Some(unit) => state
                .store
                .unit(unit)
                .await
                .map_err(|e| signed.error(e))?
                .map(|r| format!("{} ({})", r.name, r.code))
                .unwrap_or_default(),
            None => String::new(),
        };
        users.push(UserItem {
            id: u.id,
            is_self: u.id == signed.session.user.id,
            username: u.username,
            display_name: u.display_name,
            unit,
            role: role_name(signed.t, u.role),
            disabled: u.disabled,
        });
    }
    let template = UsersPage {
        l: signed.layout(signed.t.users),
        ok: ok.to_string(),
        error,
        one_time,
        users,
        roles: roles(signed.t, &signed.session.user),
    };
    let failed = !template.error.is_empty();
    let mut response = render(signed.lang, &template);
    if failed {
        *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    Ok(response)
}

pub async fn list(State(state): State<AppState>, signed: SignedIn) -> Result<Response, PageError> {
    ensure_may_manage_users(&state, &signed).await?;
    show(&state, &signed, "", String::new(), None).await
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    role: String,
}

/// A new one-time password and its hash.
async fn one_time_password(signed: &SignedIn) -> Result<(String, String), PageError> {
    let password = random_secret(8);
    let clear = password.clone();
    let hash = tokio::task::spawn_blocking(move || crate::auth::hash_password(&clear))
        .await
        .map_err(|e| signed.error(ApiError::Internal(e.into())))?
        .map_err(|e| signed.error(ApiError::Internal(e)))?;
    Ok((password, hash))
}

/// `POST /users`: a new account with a one-time password.
pub async fn create(
    State(state): State<AppState>,
    signed: SignedIn,
    Form(form): Form<CreateForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    ensure_may_manage_users(&state, &signed).await?;
    let refuse = |message: String| show(&state, &signed, "", message, None);
    let username = kehoach_core::text::nfc(&form.username);
    if username.is_empty() || username.len() > 64 || username.chars().any(char::is_whitespace) {
        return refuse("username: 1 to 64 characters, no spaces".into()).await;
    }
    let display = kehoach_core::text::nfc(&form.display_name);
    if display.chars().count() > 200 {
        return refuse("display_name: at most 200 characters".into()).await;
    }
    let Ok(role) = Role::try_from(form.role.clone()) else {
        return refuse("role: reporter, plan_office, finance, viewer or admin".into()).await;
    };
    let code = kehoach_core::text::nfc(&form.unit);
    let unit_id = if role == Role::Admin {
        None
    } else {
        // The unit as of today, or (a unit since merged) as the registry last knew it.
        let unit = state
            .store
            .unit_by_code_latest(&code, signed.today)
            .await
            .map_err(|e| signed.error(e))?;
        match unit {
            Some(u) => Some(u.id),
            None => return refuse(format!("unit: no unit with code {code:?}")).await,
        }
    };
    // The policy decides whether the caller manages accounts of that unit (or admins).
    if let Err(e) = Authz::of(&state, &signed.session.user)
        .check(Action::ManageUsers, Resource::Unit(unit_id))
        .await
    {
        return refuse(format!("unit: {e}")).await;
    }
    let (password, hash) = one_time_password(&signed).await?;
    let display = if display.is_empty() {
        username.clone()
    } else {
        display
    };
    let user = match state
        .store
        .create_user(
            &username,
            &display,
            unit_id,
            role,
            &hash,
            &change_by(&signed),
        )
        .await
    {
        Ok(u) => u,
        Err(crate::store::StoreError::Conflict(_)) => {
            return refuse(format!("username: {username} already exists")).await;
        }
        Err(e) => return Err(signed.error(e)),
    };
    state
        .store
        .require_password_change(user.id)
        .await
        .map_err(|e| signed.error(e))?;
    show(
        &state,
        &signed,
        signed.t.user_saved,
        String::new(),
        Some((username, password)),
    )
    .await
}

/// `POST /users/{id}/reset-password`: a new one-time password; the user's sessions end.
pub async fn reset_password(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    ensure_may_manage_users(&state, &signed).await?;
    let user = managed_user(&state, &signed, id).await?;
    let (password, hash) = one_time_password(&signed).await?;
    state
        .store
        .set_password(user.id, &hash, true, None, &change_by(&signed))
        .await
        .map_err(|e| signed.error(e))?;
    show(
        &state,
        &signed,
        signed.t.user_saved,
        String::new(),
        Some((user.username, password)),
    )
    .await
}

/// `POST /users/{id}/disable` and `/enable`.
pub async fn disable(
    state: State<AppState>,
    signed: SignedIn,
    id: Path<i64>,
    form: Form<CsrfForm>,
) -> Result<Response, PageError> {
    set_disabled(state, signed, id, form, true).await
}

pub async fn enable(
    state: State<AppState>,
    signed: SignedIn,
    id: Path<i64>,
    form: Form<CsrfForm>,
) -> Result<Response, PageError> {
    set_disabled(state, signed, id, form, false).await
}

async fn set_disabled(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
    disabled: bool,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    ensure_may_manage_users(&state, &signed).await?;
    let user = managed_user(&state, &signed, id).await?;
    if user.id == signed.session.user.id {
        return show(
            &state,
            &signed,
            "",
            "user: you cannot disable your own account".into(),
            None,
        )
        .await;
    }
    state
        .store
        .set_user_disabled(user.id, disabled, &change_by(&signed))
        .await
        .map_err(|e| signed.error(e))?;
    show(&state, &signed, signed.t.user_saved, String::new(), None).await
}
