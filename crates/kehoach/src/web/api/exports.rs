//! Downloads of a plan: the year-end report (.docx), the compliance and activities tables
//! (.xlsx). Each answers an attachment; the web pages
//! link to them (the download buttons).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::{Action, Reach};
use crate::export::report_period::{ReportPeriod, current};
use crate::export::{ExportError, ReportOverrides, report::parse_year};
use crate::store::UserRow;
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report_docx))
        .routes(routes!(compliance_xlsx))
        .routes(routes!(activities_xlsx))
        .routes(routes!(evidence_pack))
}

impl From<ExportError> for ApiError {
    fn from(e: ExportError) -> Self {
        match e {
            ExportError::NotFound(m) => ApiError::NotFound(m),
            ExportError::BadInput(m) => ApiError::BadRequest(m),
            ExportError::Store(e) => e.into(),
            other => ApiError::Internal(other.into()),
        }
    }
}

/// An attachment response.
pub(crate) fn attachment(bytes: Vec<u8>, content_type: &'static str, name: &str) -> Response {
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&super::files::content_disposition(name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

pub(crate) fn today() -> NaiveDate {
    kehoach_core::period::today_in_vietnam(chrono::Utc::now())
}

/// The unit of a `unit=` parameter, checked against the caller's rights on plan `plan_id`: its
/// id, or `None` for the whole plan. A caller that only takes part in the plan (see
/// `crate::authz`) must name its own unit (or one under it): it may export only its own part.
pub(crate) async fn checked_unit(
    state: &AppState,
    user: &UserRow,
    plan_id: i64,
    unit: Option<&str>,
    on: NaiveDate,
) -> Result<Option<i64>, ApiError> {
    let plan = state
        .store
        .plan(plan_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {plan_id} not found")))?;
    let authz = Authz::of(state, user);
    let reach = authz.check(Action::ViewPlan, Resource::Plan(&plan)).await?;
    let unit_id = match unit {
        Some(code) => Some(
            crate::export::plan_unit(&state.store, &plan, code, on)
                .await?
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("unit: no unit with code {code} on {on}"))
                })?
                .0
                .id,
        ),
        None => None,
    };
    match (reach, unit_id) {
        (Reach::Participant, None) => Err(ApiError::Forbidden(
            "you may export only your own unit's part of this plan: add unit=<your unit code>"
                .into(),
        )),
        (Reach::Participant, Some(unit)) => {
            authz
                .check(Action::ViewActivities, Resource::Unit(Some(unit)))
                .await?;
            Ok(Some(unit))
        }
        (_, unit) => Ok(unit),
    }
}

/// `at` within the plan's span (`plans::check_at`), after the caller was found allowed to read it.
async fn check_at(
    state: &AppState,
    plan_id: i64,
    at: NaiveDate,
    today: NaiveDate,
) -> Result<(), ApiError> {
    let plan = state
        .store
        .plan(plan_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {plan_id} not found")))?;
    super::plans::check_at(&plan, at, today)
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct ReportQuery {
    /// Only this unit and the units under it (unit code); it becomes the issuing body.
    pub unit: Option<String>,
    /// The period reported on: 2024, 2024-H1, 2024-Q3 or 2024-05 (default: this year).
    #[param(schema_with = ReportPeriod::schema)]
    pub period: Option<String>,
    /// Evaluate on this date, YYYY-MM-DD (default: the day after the period, or today while it runs).
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    pub at: Option<NaiveDate>,
    /// The report's number, when given (otherwise left blank to fill in).
    #[param(value_type = Option<i64>, minimum = 0, maximum = 4_294_967_295_i64)]
    pub number: Option<u32>,
    /// The signer's name.
    pub signer: Option<String>,
}

/// The year-end report of a plan (.docx)
///
/// "Báo cáo kết quả thực hiện Kế hoạch …" in the layout of Decree 30/2020/NĐ-CP: results per
/// task (target vs achieved), shortcomings (missed periods, overdue deliverables), proposals left
/// for the author. The same document as `kehoach report --format docx`.
#[utoipa::path(get, path = "/plans/{id}/report.docx", tag = "exports",
    params(("id" = i64, Path, description = "plan id"), ReportQuery),
    responses((status = 200, description = "the report",
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 400, description = "a bad period, date or unit"), (status = 403, description = "not your unit"),
        (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
async fn report_docx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    report_response(&state, &caller.0, id, q, today()).await
}

/// The report as a download, for the API and the pages alike: the caller's rights on the plan
/// (and the unit asked for) checked first; `today` is the date the year defaults from.
pub(crate) async fn report_response(
    state: &AppState,
    user: &UserRow,
    id: i64,
    q: ReportQuery,
    today: NaiveDate,
) -> Result<Response, ApiError> {
    checked_unit(state, user, id, q.unit.as_deref(), today).await?;
    if let Some(at) = q.at {
        check_at(state, id, at, today).await?;
    }
    let period = match &q.period {
        Some(p) => ReportPeriod::parse(p).map_err(ApiError::BadRequest)?,
        None => current(today),
    };
    let overrides = ReportOverrides {
        at: q.at,
        number: q.number,
        signer: q.signer,
        ..ReportOverrides::default()
    };
    let (_, bytes) = crate::export::report_docx(
        &state.store,
        id,
        q.unit.as_deref(),
        period,
        today,
        &overrides,
    )
    .await?;
    Ok(attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("bao-cao-ke-hoach-{id}-{}.docx", period.tag()),
    ))
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub(crate) struct TableQuery {
    /// Only this unit and the units under it (unit code).
    pub unit: Option<String>,
    /// The year, e.g. 2024: the compliance table's periods (default: the year of `at`), the
    /// activities dated in it (activities; default: all).
    #[param(schema_with = crate::export::report::year_schema)]
    pub period: Option<String>,
    /// The date compliance is evaluated on, YYYY-MM-DD (default: today in Vietnam).
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    pub at: Option<NaiveDate>,
    /// Evidence pack: only the activities the plan office accepted (review, issue 19).
    pub accepted: Option<bool>,
}

impl TableQuery {
    /// The `period` parameter as a year, when given.
    fn year(&self) -> Result<Option<i32>, ApiError> {
        self.period
            .as_deref()
            .map(parse_year)
            .transpose()
            .map_err(ApiError::BadRequest)
    }
}

/// The three table-like downloads of a plan.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Table {
    Compliance,
    Activities,
    EvidencePack,
}

/// The compliance table of a plan (.xlsx)
///
/// A summary sheet (per assignment: periods met of ended, rates, deadline state, activities) and
/// one sheet per kind of period: units × periods, the status in each cell with its colour.
#[utoipa::path(get, path = "/plans/{id}/compliance.xlsx", tag = "exports",
    params(("id" = i64, Path, description = "plan id"), TableQuery),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "a bad date or unit"), (status = 403, description = "not your unit"),
        (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
async fn compliance_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<TableQuery>,
) -> Result<Response, ApiError> {
    table_response(&state, &caller.0, id, Table::Compliance, q, today()).await
}

/// The activities of a plan with their evidence (.xlsx)
///
/// One row per activity: task, unit, date, kind, content, quantity, duration, attendance,
/// whether it completes the task, when it was recorded, its links and file names.
#[utoipa::path(get, path = "/plans/{id}/activities.xlsx", tag = "exports",
    params(("id" = i64, Path, description = "plan id"), TableQuery),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "a bad period or unit"), (status = 403, description = "not your unit"),
        (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
async fn activities_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<TableQuery>,
) -> Result<Response, ApiError> {
    table_response(&state, &caller.0, id, Table::Activities, q, today()).await
}

/// The DTI evidence pack of a plan (.zip)
///
/// Every evidence file of the activities dated in the period (of a unit's subtree), named
/// `NV-<task>/<unit>/<date>_<name>`, and `muc-luc.xlsx` listing per task the activities, dates,
/// links and the files' names in the archive. Built in a temporary file and streamed.
#[utoipa::path(get, path = "/plans/{id}/evidence-pack.zip", tag = "exports",
    params(("id" = i64, Path, description = "plan id"), TableQuery),
    responses((status = 200, description = "the archive", content_type = "application/zip"),
        (status = 400, description = "a bad period or unit"), (status = 403, description = "not your unit"),
        (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
async fn evidence_pack(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<i64>,
    crate::web::extract::ApiQuery(q): crate::web::extract::ApiQuery<TableQuery>,
) -> Result<Response, ApiError> {
    table_response(&state, &caller.0, id, Table::EvidencePack, q, today()).await
}

/// A table-like download, for the API and the pages alike: the caller's rights on the plan (and
/// the unit asked for) checked first; `today` is the default evaluation date.
pub(crate) async fn table_response(
    state: &AppState,
    user: &UserRow,
    id: i64,
    table: Table,
    q: TableQuery,
    today: NaiveDate,
) -> Result<Response, ApiError> {
    let at = match table {
        Table::Compliance => {
            q.at.unwrap_or(crate::export::year_evaluation_date(q.year()?, today))
        }
        Table::Activities | Table::EvidencePack => today,
    };
    checked_unit(state, user, id, q.unit.as_deref(), at).await?;
    if matches!(table, Table::Compliance) {
        check_at(state, id, at, today).await?;
    }
    let unit = q.unit.as_deref();
    match table {
        Table::Compliance => {
            let bytes =
                crate::export::compliance_xlsx(&state.store, id, unit, at, q.year()?).await?;
            Ok(attachment(
                bytes,
                XLSX,
                &format!("tuan-thu-ke-hoach-{id}-{at}.xlsx"),
            ))
        }
        Table::Activities => {
            let year = q.year()?;
            let bytes = crate::export::activities_xlsx(&state.store, id, unit, year, today).await?;
            Ok(attachment(
                bytes,
                XLSX,
                &format!("hoat-dong-ke-hoach-{id}.xlsx"),
            ))
        }
        Table::EvidencePack => {
            let accepted_only = q.accepted.unwrap_or(false);
            evidence_pack_response(state, id, unit, q.year()?, today, accepted_only).await
        }
    }
}

async fn evidence_pack_response(
    state: &AppState,
    id: i64,
    unit: Option<&str>,
    year: Option<i32>,
    today: NaiveDate,
    accepted_only: bool,
) -> Result<Response, ApiError> {
    // An unnamed temporary file: gone when the response has been sent (or dropped).
    let tmp = tempfile::tempfile().map_err(|e| ApiError::Internal(e.into()))?;
    let (_, file) = crate::export::evidence_pack(
        &state.store,
        &state.files,
        id,
        unit,
        year,
        today,
        accepted_only,
        tmp,
    )
    .await?;
    let mut file = tokio::fs::File::from_std(file);
    tokio::io::AsyncSeekExt::rewind(&mut file)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let length = file
        .metadata()
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .len();
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/zip"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    let name = match year {
        Some(y) => format!("minh-chung-ke-hoach-{id}-{y}.zip"),
        None => format!("minh-chung-ke-hoach-{id}.zip"),
    };
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&super::files::content_disposition(&name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
