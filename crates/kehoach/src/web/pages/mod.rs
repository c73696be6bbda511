//! The web application: server-rendered pages (askama templates under `templates/`), one module
//! per page. A page's caller comes from the session cookie (`web/session.rs`); every POST carries
//! the session's CSRF token; access checks are calls into `web/authz.rs`.
//!
//! Charts are SVG drawn here (`svg.rs`); the CSS and the few lines of JS are compiled into the
//! binary, so nothing is fetched at view time (offline government networks).

mod account;
mod activities;
pub mod cells;
mod deadlines;
mod exports;
mod heatmap;
pub mod i18n;
mod import;
pub(crate) use import::MAX_DOCUMENT_BYTES;
mod my_work;
mod plan;
mod plans;
mod search;
mod signin;
pub mod style;
pub mod svg;
mod task;
// After the others so parallel branches adding page modules merge cleanly.
mod overview;
mod unit_picker;
mod users;
// Review and periods (issue 19, parts 3–4).
mod periods;
mod review;
// Plans that implement plans (issue 22).
mod cascade;
// Budget cycle (issue 21).
mod budget;
// The reporting chain (issue 20).
mod report_requests;
use report_requests as rr;
// (G) web polish: counts with thousands separators; forms shared by pages.
mod forms;
pub mod numbers;
// Editing plans after import (issue 19, plan edits).
mod plan_edit;
use plan_edit as pe;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;

use super::session::{self, LANG_COOKIE, Session};
use super::{ApiError, AppState};
use crate::store::StoreError;
use i18n::{Lang, Strings};

/// What the pages need beyond the store: the date they evaluate on, demo accounts to show,
/// cookie policy and trusted proxies. Nothing here changes while serving: what a second server
/// needs is in the database.
#[derive(Default)]
pub struct PagesConfig {
    /// Evaluate compliance as of this date instead of today in Vietnam (the demo sets it).
    pub today: Option<NaiveDate>,
    /// (username, what it is) shown on the sign-in page; empty unless in demo mode.
    pub demo_accounts: Vec<(String, String)>,
    /// Mark cookies Secure even when no proxy says the request came over HTTPS.
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` names the client (`serve --trusted-proxy`).
    pub trusted_proxies: Vec<super::signin_throttle::Network>,
}

impl PagesConfig {
    pub fn today(&self) -> NaiveDate {
        self.today
            .unwrap_or_else(|| kehoach_core::period::today_in_vietnam(chrono::Utc::now()))
    }
}

/// Every page route, as (method, path). The router below is built from the same handlers; the
/// test `routes_listed_match_the_router` keeps the two in step.
pub fn page_routes() -> &'static [(&'static str, &'static str)] {
    &[
        ("GET", "/"),
        ("GET", "/sign-in"),
        ("POST", "/sign-in"),
        ("POST", "/sign-out"),
        ("GET", "/lang"),
        ("GET", "/static/app.css"),
        ("GET", "/static/app.js"),
        ("GET", "/plans"),
        ("GET", "/plans/import"),
        ("POST", "/plans/import"),
        ("GET", "/plans/import/{id}"),
        ("POST", "/plans/import/{id}/fix"),
        ("POST", "/plans/import/{id}/new-unit"),
        ("POST", "/plans/import/{id}/confirm"),
        ("GET", "/plans/{id}"),
        ("GET", "/tasks/{id}"),
        ("GET", "/heatmap"),
        ("GET", "/activities"),
        ("GET", "/files/{sha256}"),
        ("GET", "/files/{sha256}/thumb"),
        ("GET", "/my-work"),
        ("POST", "/my-work/log"),
        ("GET", "/deadlines"),
        ("GET", "/search"),
        ("GET", "/overview"),
        ("GET", "/plans/{id}/report.docx"),
        ("GET", "/plans/{id}/compliance.xlsx"),
        ("GET", "/plans/{id}/activities.xlsx"),
        // Review and periods (issue 19, parts 3–4).
        ("GET", "/review"),
        ("POST", "/review"),
        ("GET", "/plans/{id}/periods"),
        ("POST", "/plans/{id}/periods"),
        ("POST", "/my-work/resubmit"),
        ("GET", "/plans/{id}/evidence-pack.zip"),
        ("POST", "/calendar-link"),
        ("GET", "/units/suggest"),
        ("GET", "/account"),
        // Budget cycle (issue 21).
        ("GET", "/plans/{id}/budget"),
        ("POST", "/plans/{id}/budget/lines"),
        ("POST", "/plans/{id}/budget/submit"),
        ("POST", "/plans/{id}/budget/return"),
        ("POST", "/plans/{id}/budget/send"),
        ("POST", "/plans/{id}/budget/approve"),
        ("POST", "/plans/{id}/budget/spend"),
        ("POST", "/plans/{id}/budget/settle"),
        ("POST", "/plans/{id}/budget/accept"),
        ("POST", "/budget-lines/{id}/propose"),
        ("POST", "/budget-lines/{id}/appraise"),
        ("GET", "/plans/{id}/budget.xlsx"),
        ("GET", "/plans/{id}/to-trinh.docx"),
        ("POST", "/account/password"),
        ("POST", "/account/tokens/{id}/revoke"),
        // The reporting chain (issue 20).
        ("GET", "/reports"),
        ("GET", "/plans/{id}/reports"),
        ("POST", "/plans/{id}/reports"),
        ("GET", "/reports/{id}"),
        ("GET", "/reports/{id}/units/{unit}"),
        ("POST", "/reports/{id}/units/{unit}"),
        ("POST", "/reports/{id}/units/{unit}/autosave"),
        ("POST", "/reports/{id}/units/{unit}/submit"),
        ("POST", "/reports/{id}/units/{unit}/review"),
        ("GET", "/reports/{id}/units/{unit}/report.docx"),
        ("POST", "/account/sign-out-others"),
        ("GET", "/users"),
        ("POST", "/users"),
        ("POST", "/users/{id}/reset-password"),
        ("POST", "/users/{id}/disable"),
        ("POST", "/users/{id}/enable"),
        // Editing plans after import (issue 19, plan edits).
        ("GET", "/tasks/{id}/edit"),
        ("POST", "/tasks/{id}/edit"),
        ("POST", "/tasks/{id}/remove"),
        ("GET", "/plans/{id}/tasks/new"),
        ("POST", "/plans/{id}/tasks/new"),
        ("POST", "/plans/{id}/archive"),
        ("GET", "/plans/import/{id}/tasks/{index}"),
        ("POST", "/plans/import/{id}/tasks/{index}"),
        // Plans that implement plans (issue 22).
        ("GET", "/plans/{id}/cascade"),
        ("POST", "/plans/{id}/cascade/link"),
        ("POST", "/plans/{id}/cascade/unlink"),
        ("POST", "/plans/{id}/cascade/map"),
        ("GET", "/plans/{id}/carry"),
        ("POST", "/plans/{id}/carry"),
    ]
}

/// The page router (merged into the application's router by `web::router`).
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/sign-in", get(signin::form).post(signin::submit))
        .route("/sign-out", post(signin::sign_out))
        .route("/lang", get(switch_lang))
        .route("/static/app.css", get(css))
        .route("/static/app.js", get(js))
        .route("/plans", get(plans::list))
        .route("/plans/import", get(import::form).post(import::upload))
        .route("/plans/import/{id}", get(import::preview))
        .route("/plans/import/{id}/fix", post(import::fix))
        // Budget cycle (issue 21).
        .route("/plans/{id}/budget", get(budget::page))
        .route("/plans/{id}/budget/lines", post(budget::add_line))
        .route("/plans/{id}/budget/submit", post(budget::submit))
        .route("/plans/{id}/budget/return", post(budget::return_estimate))
        .route("/plans/{id}/budget/send", post(budget::send))
        .route("/plans/{id}/budget/approve", post(budget::approve))
        .route("/plans/{id}/budget/spend", post(budget::spend))
        .route("/plans/{id}/budget/settle", post(budget::settle))
        .route("/plans/{id}/budget/accept", post(budget::accept))
        .route("/budget-lines/{id}/propose", post(budget::propose))
        .route("/budget-lines/{id}/appraise", post(budget::appraise))
        .route("/plans/{id}/budget.xlsx", get(budget::workbook))
        .route("/plans/{id}/to-trinh.docx", get(budget::to_trinh))
        .route("/plans/import/{id}/new-unit", post(import::new_unit))
        .route("/plans/import/{id}/confirm", post(import::confirm))
        .route("/plans/{id}", get(plan::overview))
        .route("/tasks/{id}", get(task::page))
        .route("/heatmap", get(heatmap::page))
        .route("/activities", get(activities::page))
        .route("/files/{sha256}", get(activities::file))
        .route("/files/{sha256}/thumb", get(activities::thumbnail))
        .route("/my-work", get(my_work::page))
        .route("/my-work/log", post(my_work::log))
        .route("/deadlines", get(deadlines::page))
        .route("/search", get(search::page))
        // The reporting chain (issue 20). One route a line (the route test reads them so).
        .route("/reports", get(rr::mine))
        .route("/plans/{id}/reports", get(rr::of_plan))
        .route("/plans/{id}/reports", post(rr::add))
        .route("/reports/{id}", get(rr::board))
        .route("/reports/{id}/units/{unit}", get(rr::draft))
        .route("/reports/{id}/units/{unit}", post(rr::save))
        .route("/reports/{id}/units/{unit}/autosave", post(rr::autosave))
        .route("/reports/{id}/units/{unit}/submit", post(rr::submit))
        .route("/reports/{id}/units/{unit}/review", post(rr::review))
        .route("/reports/{id}/units/{unit}/report.docx", get(rr::docx))
        .route("/overview", get(overview::page))
        .route("/plans/{id}/report.docx", get(exports::report_docx))
        .route("/plans/{id}/compliance.xlsx", get(exports::compliance_xlsx))
        .route("/plans/{id}/activities.xlsx", get(exports::activities_xlsx))
        .route("/plans/{id}/evidence-pack.zip", get(exports::evidence_pack))
        .route("/calendar-link", post(exports::calendar_link))
        .route("/units/suggest", get(unit_picker::suggest))
        .route("/account", get(account::page))
        .route("/account/password", post(account::change_password))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
        .route("/account/sign-out-others", post(account::sign_out_others))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}/reset-password", post(users::reset_password))
        .route("/users/{id}/disable", post(users::disable))
        .route("/users/{id}/enable", post(users::enable))
        // Editing plans after import (issue 19, plan edits).
        .route("/tasks/{id}/edit", get(pe::edit_form).post(pe::edit_save))
        .route("/tasks/{id}/remove", post(pe::remove))
        .route("/plans/{id}/tasks/new", get(pe::new_task).post(pe::add))
        .route("/plans/{id}/archive", post(pe::archive))
        // (Two lines, one per method: the route test reads one route a line.)
        .route("/plans/import/{id}/tasks/{index}", get(pe::task))
        .route("/plans/import/{id}/tasks/{index}", post(pe::save))
        // Plans that implement plans (issue 22).
        .route("/plans/{id}/cascade", get(cascade::page))
        .route("/plans/{id}/cascade/link", post(cascade::link))
        .route("/plans/{id}/cascade/unlink", post(cascade::unlink))
        .route("/plans/{id}/cascade/map", post(cascade::map))
        .route("/plans/{id}/carry", get(cascade::carry))
        .route("/plans/{id}/carry", post(cascade::carry_import))
        // Review and periods (issue 19, parts 3–4).
        .route("/review", get(review::page).post(review::decide))
        .route("/plans/{id}/periods", get(periods::page).post(periods::act))
        .route("/my-work/resubmit", post(my_work::resubmit))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/app.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/app.js"),
    )
}

/// `/`: a reporter's start is their work; everyone else's the overview of who is behind.
async fn home(page: SignedIn) -> Redirect {
    match page.session.user.role {
        crate::store::Role::Reporter => Redirect::to("/my-work"),
        _ => Redirect::to("/overview"),
    }
}

#[derive(serde::Deserialize)]
struct LangQuery {
    to: String,
    #[serde(default)]
    back: String,
}

/// `/lang?to=en&back=/plans`: remembers the language in a cookie and goes back.
async fn switch_lang(
    headers: HeaderMap,
    state: axum::extract::State<AppState>,
    axum::extract::Query(q): axum::extract::Query<LangQuery>,
) -> Response {
    let lang = Lang::parse(&q.to).unwrap_or(Lang::Vi);
    let back = local_path(&q.back);
    let secure = session::is_https(&headers, state.pages.secure_cookies);
    let mut response = Redirect::to(&back).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(LANG_COOKIE, lang.code(), 365 * 24 * 3600, secure),
    );
    response
}

/// What every page knows about its request: language, the session if any, the evaluation date.
pub struct Page {
    pub lang: Lang,
    pub t: &'static Strings,
    pub session: Option<Session>,
    pub today: NaiveDate,
    /// The request's path and query (for the language switch's way back).
    pub path: String,
    pub https: bool,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, PageError> {
        let query_lang = parts.uri.query().and_then(|q| {
            q.split('&')
                .filter_map(|p| p.split_once('='))
                .find(|(k, _)| *k == "lang")
                .and_then(|(_, v)| Lang::parse(v))
        });
        let lang = query_lang
            .or_else(|| session::cookie(&parts.headers, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or(Lang::Vi);
        let session = session::current(&state.store, &parts.headers)
            .await
            .map_err(|e| PageError::new(lang, e.into()))?;
        Ok(Page {
            lang,
            t: lang.strings(),
            session,
            today: state.pages.today(),
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_string())
                .unwrap_or_else(|| "/".into()),
            https: session::is_https(&parts.headers, state.pages.secure_cookies),
        })
    }
}

impl Page {
    /// The layout fields every template shows.
    pub fn layout(&self, title: impl Into<String>) -> Layout {
        Layout {
            t: self.t,
            f: self.lang.flows(),
            lang: self.lang.code(),
            title: title.into(),
            user: self
                .session
                .as_ref()
                .map(|s| s.user.display_name.clone())
                .unwrap_or_default(),
            signed_in: self.session.is_some(),
            csrf: self
                .session
                .as_ref()
                .map(|s| s.csrf.clone())
                .unwrap_or_default(),
            lang_href: format!(
                "/lang?to={}&back={}",
                self.t.other_lang_code,
                url_encode(&strip_lang(&self.path))
            ),
            section: section_of(&self.path),
            review_nav: match &self.session {
                Some(s)
                    if crate::authz::decide(
                        crate::authz::Principal::of(&s.user),
                        crate::authz::Action::ReviewActivities,
                        crate::authz::Reach::Anywhere,
                    ) == crate::authz::Verdict::Allow =>
                {
                    i18n::review_words(self.lang).nav_review
                }
                _ => "",
            },
        }
    }

    /// An error page for this request, inside its layout (header, menu, language switch).
    pub fn error(&self, e: impl Into<ApiError>) -> PageError {
        let mut error = PageError::new(self.lang, e.into());
        error.layout = Some(Box::new(self.layout(String::new())));
        error
    }
}

/// A page that needs a signed-in user: without a session it redirects to the sign-in page.
pub struct SignedIn {
    pub page: Page,
    pub session: Session,
}

impl std::ops::Deref for SignedIn {
    type Target = Page;
    fn deref(&self) -> &Page {
        &self.page
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let page = Page::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        match page.session.clone() {
            // A one-time password's session may only choose a new password (or sign out).
            Some(session)
                if session.user.must_change_password
                    && !account::allowed_before_change(parts.uri.path()) =>
            {
                Err(Redirect::to(account::PASSWORD_PAGE).into_response())
            }
            Some(session) => Ok(SignedIn { page, session }),
            None => {
                let next = url_encode(&page.path);
                Err(Redirect::to(&format!("/sign-in?next={next}")).into_response())
            }
        }
    }
}

impl SignedIn {
    /// Refuses a form whose CSRF token is not this session's (403).
    pub fn check_csrf(&self, token: Option<&str>) -> Result<(), PageError> {
        match token {
            Some(t) if session::same_secret(t, &self.session.csrf) => Ok(()),
            _ => Err(self
                .error(ApiError::Forbidden(
                    "the form is stale or forged (CSRF token missing or wrong): reload the page"
                        .into(),
                ))
                .say(self.t.csrf_stale)),
        }
    }
}

/// The fields of `templates/base.html`.
#[derive(Debug)]
pub struct Layout {
    pub t: &'static Strings,
    pub f: &'static i18n::Flows,
    pub lang: &'static str,
    pub title: String,
    pub user: String,
    pub signed_in: bool,
    pub csrf: String,
    pub lang_href: String,
    /// The header's menu item of this page ("plans", "my-work", …), marked as current.
    pub section: &'static str,
    /// The review queue's menu item, for those who review (issue 19); empty for others.
    pub review_nav: &'static str,
}

impl Layout {
    /// A count as the page's language writes it ("11.880"): `{{ l.n(x) }}` in templates.
    pub fn n(&self, x: impl std::fmt::Display) -> String {
        numbers::count(self.f, x)
    }
}

// The reporting chain (issue 20).
impl Layout {
    /// The menu's "Báo cáo" (its words live with the chain's, `i18n::Reporting`).
    pub fn nav_reports(&self) -> &'static str {
        Lang::parse(self.lang)
            .unwrap_or(Lang::Vi)
            .reporting()
            .reports
    }
}

/// An error shown as a page inside the normal layout (header and menu), in the page's language:
/// a heading and advice for its status (`i18n::error_texts`), and what exactly is wrong when the
/// caller said it in the user's language (`PageError::say`). The API's own message (English,
/// meant for a developer) is shown only in English; the cause of a 500 is logged, never shown.
#[derive(Debug)]
pub struct PageError {
    lang: Lang,
    error: ApiError,
    /// What is wrong, in `lang`.
    detail: Option<String>,
    /// Boxed: an error travels through many `Result`s and should stay small.
    layout: Option<Box<Layout>>,
}

impl PageError {
    pub fn new(lang: Lang, error: ApiError) -> Self {
        PageError {
            lang,
            error,
            detail: None,
            layout: None,
        }
    }

    /// The message naming what is wrong and what to do, in the page's language.
    pub fn say(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn status(&self) -> StatusCode {
        self.error.status()
    }
}

#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorPage {
    l: Layout,
    code: u16,
    heading: &'static str,
    message: String,
    advice: &'static str,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.error.status();
        if let ApiError::Internal(cause) = &self.error {
            tracing::error!(error = ?cause, "page failed");
        }
        if status == StatusCode::UNAUTHORIZED {
            return Redirect::to("/sign-in").into_response();
        }
        let (heading, advice) = i18n::error_texts(self.lang, status);
        let message = match (self.detail, self.lang, &self.error) {
            (Some(detail), _, _) => detail,
            (None, _, ApiError::Internal(_)) => String::new(),
            (None, Lang::En, e) => e.to_string(),
            (None, Lang::Vi, _) => String::new(),
        };
        let t = self.lang.strings();
        let l = self.layout.map(|l| *l).unwrap_or_else(|| Layout {
            t,
            f: self.lang.flows(),
            lang: self.lang.code(),
            title: String::new(),
            user: String::new(),
            signed_in: false,
            csrf: String::new(),
            lang_href: format!("/lang?to={}&back=/", t.other_lang_code),
            section: "",
            review_nav: "",
        });
        let page = ErrorPage {
            l: Layout {
                title: format!("{} {}", t.error, status.as_u16()),
                ..l
            },
            code: status.as_u16(),
            heading,
            message,
            advice,
        };
        let body = askama::Template::render(&page).unwrap_or_else(|_| heading.to_string());
        (
            status,
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    }
}

/// Errors that reach a browser without passing a page handler — an unknown path (404), a method
/// a route does not take (405), a body over the limit (413), a timeout (408) — become an error
/// page in the layout, like the pages' own. The API, the health and metrics endpoints and the
/// calendar feed keep their JSON (or plain) answers: this applies only to a request that is not
/// under `/api/` and accepts `text/html`, and only to an error the framework wrote (plain text,
/// or the API's JSON from the router's fallback). The session is looked up only then.
pub async fn browser_errors(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = request.uri().path();
    let machine = ["/api/", "/healthz", "/metrics", "/calendar/"]
        .iter()
        .any(|p| path.starts_with(p));
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if machine || !wants_html {
        return next.run(request).await;
    }
    let uri = request.uri().clone();
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let status = response.status();
    let framework_written = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain") || v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || !framework_written {
        return response;
    }
    let mut parts = axum::http::Request::new(()).into_parts().0;
    parts.uri = uri;
    parts.headers = headers;
    let page = match Page::from_request_parts(&mut parts, &state).await {
        Ok(page) => page,
        Err(e) => return e.into_response(),
    };
    let error = ApiError::Rejected {
        status,
        message: status.canonical_reason().unwrap_or("error").to_lowercase(),
    };
    page.error(error).into_response()
}

/// Renders a template as an HTML response (its errors become a 500 page).
pub fn render(lang: Lang, template: &impl askama::Template) -> Response {
    match template.render() {
        Ok(html) => (
            [
                (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            html,
        )
            .into_response(),
        Err(e) => PageError::new(lang, ApiError::Internal(e.into())).into_response(),
    }
}

impl From<(Lang, StoreError)> for PageError {
    fn from((lang, e): (Lang, StoreError)) -> Self {
        PageError::new(lang, e.into())
    }
}

/// dd/mm/yyyy.
pub fn dmy(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

pub fn dmy_opt(date: Option<NaiveDate>) -> String {
    date.map(dmy).unwrap_or_default()
}

/// Percent-encodes a query value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where a redirect taken from the request (`/lang?back=`, sign-in `next=`) may go: a path on
/// this site, else `/`. The one rule for both: it starts with one `/`, and every byte that is not
/// visible ASCII — a backslash (browsers read `/\\evil.example` as `//evil.example`), a tab or
/// newline (browsers drop them: `/<TAB>/evil.example`), non-ASCII text — is percent-encoded, so
/// the `Location` header is always valid and always names a path here.
pub fn local_path(next: &str) -> String {
    if !next.starts_with('/') {
        return "/".into();
    }
    let mut out = String::with_capacity(next.len());
    for b in next.bytes() {
        if b.is_ascii_graphic() && b != b'\\' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    if out.starts_with("//") {
        return "/".into();
    }
    out
}

/// The header's menu item a path belongs to (a plan's task and heatmap are under "plans").
fn section_of(path: &str) -> &'static str {
    let first = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    match first {
        "plans" | "tasks" | "heatmap" | "activities" => "plans",
        "overview" => "overview",
        "my-work" => "my-work",
        "deadlines" => "deadlines",
        "search" => "search",
        "account" => "account",
        "review" => "review",
        // The reporting chain (issue 20).
        "reports" => "reports",
        _ => "",
    }
}

/// The path without its `lang=` parameter (the switch link sets the language itself).
fn strip_lang(path: &str) -> String {
    match path.split_once('?') {
        None => path.to_string(),
        Some((p, q)) => {
            let rest: Vec<&str> = q.split('&').filter(|kv| !kv.starts_with("lang=")).collect();
            if rest.is_empty() {
                p.to_string()
            } else {
                format!("{p}?{}", rest.join("&"))
            }
        }
    }
}

/// The date in a form field: dd/mm/yyyy, or YYYY-MM-DD (what `<input type=date>` sends).
pub fn form_date(text: &str) -> Option<NaiveDate> {
    crate::activity_input::parse_date(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_switch_keeps_the_rest_of_the_query() {
        assert_eq!(strip_lang("/plans/1?lang=en&unit=3"), "/plans/1?unit=3");
        assert_eq!(strip_lang("/plans?lang=en"), "/plans");
        assert_eq!(url_encode("/a?b=c d"), "/a%3Fb%3Dc%20d");
    }

    #[test]
    fn redirects_stay_on_this_site() {
        assert_eq!(local_path("/plans/1?unit=3"), "/plans/1?unit=3");
        assert_eq!(local_path("/search?q=chuyển"), "/search?q=chuy%E1%BB%83n");
        for evil in ["//evil.example", "https://evil.example", "evil.example", ""] {
            assert_eq!(local_path(evil), "/", "{evil}");
        }
        assert_eq!(local_path("/\\evil.example"), "/%5Cevil.example");
        assert_eq!(local_path("/\t/evil.example"), "/%09/evil.example");
        assert_eq!(local_path("/\n"), "/%0A");
    }
}

#[cfg(test)]
mod route_list {
    /// `page_routes()` names exactly the routes `router()` registers: both read from this file.
    #[test]
    fn routes_listed_match_the_router() {
        let source = include_str!("mod.rs");
        let router = &source[source.find("pub fn router()").unwrap()..];
        let router = &router[..router.find("\n}\n").unwrap()];
        let mut routed = Vec::new();
        for line in router.lines().filter(|l| l.contains(".route(\"")) {
            let path = line.split('"').nth(1).unwrap();
            for (method, call) in [("GET", "get("), ("POST", "post(")] {
                if line.contains(&format!(" {call}")) || line.contains(&format!(".{call}")) {
                    routed.push((method, path));
                }
            }
        }
        let mut listed: Vec<(&str, &str)> = super::page_routes().to_vec();
        routed.sort();
        listed.sort();
        assert_eq!(routed, listed);
    }
}
