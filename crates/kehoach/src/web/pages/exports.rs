//! The plan's downloads from the pages, with the browser session: the report (.docx), the
//! compliance and activities tables (.xlsx) and the evidence pack (.zip) at
//! `/plans/{id}/report.docx` and so on (the API's paths without `/api/v1`), and a unit's calendar
//! link (`POST /calendar-link`).
//!
//! The files are the API's (`web/api/exports.rs` builds them, `export/` writes them), behind the
//! same check (`checked_unit`: the one policy via `web::authz::Authz`); only the caller comes from
//! the session instead of a bearer token, and the year defaults from the page's date.

use askama::Template;
use axum::Form;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::i18n::Flows;
use super::{Layout, PageError, SignedIn, render};
use crate::authz::Action;
use crate::web::api::exports::{ReportQuery, Table, TableQuery, report_response, table_response};
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

fn query<T>(page: &SignedIn, q: Result<Query<T>, QueryRejection>) -> Result<T, PageError> {
    q.map(|Query(q)| q)
        .map_err(|e| page.error(ApiError::BadRequest(e.body_text())))
}

pub async fn report_docx(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    q: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = query(&page, q)?;
    report_response(&state, &page.session.user, id, q, page.today)
        .await
        .map_err(|e| page.error(e))
}

async fn table(
    state: AppState,
    page: SignedIn,
    id: i64,
    table: Table,
    q: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = query(&page, q)?;
    table_response(&state, &page.session.user, id, table, q, page.today)
        .await
        .map_err(|e| page.error(e))
}

pub async fn compliance_xlsx(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    q: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    table(state, page, id, Table::Compliance, q).await
}

pub async fn activities_xlsx(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    q: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    table(state, page, id, Table::Activities, q).await
}

pub async fn evidence_pack(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    q: Result<Query<TableQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    table(state, page, id, Table::EvidencePack, q).await
}

/// The download links of a plan page: the whole plan, or one unit's part (`unit` is its code),
/// for the page's year.
pub struct Downloads {
    pub report: String,
    pub compliance: String,
    pub activities: String,
    pub evidence: String,
    /// The unit whose calendar link the page offers to make (its id), if any.
    pub calendar_unit: Option<i64>,
}

impl Downloads {
    pub fn new(
        plan_id: i64,
        unit_code: Option<&str>,
        year: i32,
        calendar_unit: Option<i64>,
        plan_ended: Option<chrono::NaiveDate>,
    ) -> Self {
        let unit = unit_code
            .map(|c| format!("unit={}", super::url_encode(c)))
            .unwrap_or_default();
        let link = |file: &str, with_year: bool| {
            let params: Vec<String> = [
                with_year.then(|| format!("period={year}")),
                Some(unit.clone()),
            ]
            .into_iter()
            .flatten()
            .filter(|p| !p.is_empty())
            .collect();
            let query = if params.is_empty() {
                String::new()
            } else {
                format!("?{}", params.join("&"))
            };
            format!("/plans/{plan_id}/{file}{query}")
        };
        Downloads {
            report: link("report.docx", true),
            // Compliance is as of the page's date, or of the plan's last day once it has ended
            // (the API refuses a date far outside the plan).
            compliance: match plan_ended {
                Some(end) => {
                    let l = link("compliance.xlsx", false);
                    let sep = if l.contains('?') { '&' } else { '?' };
                    format!("{l}{sep}at={end}")
                }
                None => link("compliance.xlsx", false),
            },
            activities: link("activities.xlsx", true),
            evidence: link("evidence-pack.zip", true),
            calendar_unit,
        }
    }
}

#[derive(Deserialize)]
pub struct CalendarForm {
    #[serde(default)]
    csrf: Option<String>,
    unit: i64,
}

#[derive(Template)]
#[template(path = "calendar_link.html")]
struct CalendarPage {
    l: Layout,
    f: &'static Flows,
    unit: String,
    url: String,
}

/// `POST /calendar-link`: a new secret calendar URL of a unit (the previous one stops working),
/// shown once. Making one replaces what the unit's subscribers use, so it takes the right to
/// report for the unit (its reporters, the plan office above it), as the CLI's operator has.
pub async fn calendar_link(
    State(state): State<AppState>,
    page: SignedIn,
    headers: HeaderMap,
    Form(form): Form<CalendarForm>,
) -> Result<Response, PageError> {
    page.check_csrf(form.csrf.as_deref())?;
    Authz::of(&state, &page.session.user)
        .check(Action::ReportActivity, Resource::Unit(Some(form.unit)))
        .await
        .map_err(|e| page.error(e))?;
    let unit = state
        .store
        .unit(form.unit)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(ApiError::NotFound(format!("unit {} not found", form.unit))))?;
    let secret = crate::auth::random_secret(24);
    state
        .store
        .set_calendar_secret(unit.id, &crate::auth::token_hash(&secret))
        .await
        .map_err(|e| page.error(e))?;
    // The address the browser used (a proxy's Host), so the link works from where it was made.
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.len() <= 255
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1:8080");
    let scheme = if page.https { "https" } else { "http" };
    let template = CalendarPage {
        l: page.layout(page.lang.flows().calendar),
        f: page.lang.flows(),
        unit: unit.name,
        url: format!("{scheme}://{host}/calendar/{secret}.ics"),
    };
    Ok(render(page.lang, &template))
}
