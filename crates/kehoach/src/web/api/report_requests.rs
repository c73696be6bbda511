//! The reporting chain's API (issue 20): a plan's report requests, each unit's draft (saved
//! with its version: a stale save gets 409 with the current draft), submission, review and the
//! compiled report. The access checks here are shared with the pages (`pages/report_requests.rs`).
//!
//! Who may do what, through the one policy: reading a request needs `ViewPlan` on its plan (a
//! unit taking part sees only its own units on the board); a draft is read with `ViewActivities`
//! and edited or submitted with `ReportActivity` on its unit (so a unit edits only its own, a
//! plan office those within its subtree); adding requests and reviewing need `ManagePlan`.

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::{Action, Reach};
use crate::files::FileError;
use crate::reporting::{self, AddRequest, Author, ChainError, sections::Sections};
use crate::store::{Change, PlanRow, ReportRequestRow, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::ApiJson;
use crate::web::{ApiError, AppState, JSON_BODY_LIMIT};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, add))
        .routes(routes!(board))
        .routes(routes!(get_draft, save_draft))
        .routes(routes!(draft_docx))
        .routes(routes!(review))
}

/// The submission, which may carry the signed scan: an upload route (the upload cap's body
/// limit and timeout, not the JSON routes').
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(submit))
}

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

impl From<ChainError> for ApiError {
    fn from(e: ChainError) -> Self {
        match e {
            ChainError::NotFound(m) => ApiError::NotFound(m),
            ChainError::BadInput(m) => ApiError::BadRequest(m),
            ChainError::Section(s) => ApiError::BadRequest(s.to_string()),
            ChainError::Conflict(m) => ApiError::Conflict(m),
            e @ ChainError::Stale(_) => ApiError::Conflict(e.to_string()),
            ChainError::Export(x) => x.into(),
            ChainError::Store(s) => s.into(),
            ChainError::File(f @ FileError::TooLarge { .. }) => {
                ApiError::PayloadTooLarge(f.to_string())
            }
            ChainError::File(f @ FileError::Unsupported { .. }) => {
                ApiError::UnsupportedMediaType(f.to_string())
            }
            ChainError::File(f @ (FileError::Empty { .. } | FileError::BadName(_))) => {
                ApiError::BadRequest(f.to_string())
            }
            ChainError::File(f) => ApiError::Internal(f.into()),
        }
    }
}

/// The plan, if the caller may read it, and where it lies for the caller.
pub(crate) async fn readable_plan(
    state: &AppState,
    user: &UserRow,
    plan_id: i64,
) -> Result<(PlanRow, Reach), ApiError> {
    let plan = state
        .store
        .plan(plan_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {plan_id} not found")))?;
    let reach = Authz::of(state, user)
        .check(Action::ViewPlan, Resource::Plan(&plan))
        .await?;
    Ok((plan, reach))
}

/// A request the caller may read: its plan readable.
pub(crate) async fn readable_request(
    state: &AppState,
    user: &UserRow,
    id: i64,
) -> Result<(ReportRequestRow, PlanRow, Reach), ApiError> {
    let r = state
        .store
        .report_request(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("report request {id} not found")))?;
    let (plan, reach) = readable_plan(state, user, r.plan_id).await?;
    Ok((r, plan, reach))
}

/// The author (a unit asked, or the plan office) of `unit_id`'s report on `r`, checked for
/// `action` on that unit.
pub(crate) async fn checked_author(
    state: &AppState,
    user: &UserRow,
    r: &ReportRequestRow,
    unit_id: i64,
    action: Action,
) -> Result<Author, ApiError> {
    let author = reporting::author_by_id(&state.store, r, unit_id)
        .await
        .map_err(|e| match e {
            ChainError::BadInput(_) => ApiError::NotFound(format!("unit {unit_id} not asked")),
            other => other.into(),
        })?;
    Authz::of(state, user)
        .check(action, Resource::Unit(Some(unit_id)))
        .await?;
    Ok(author)
}

/// Only the plan's office (and administrators) manage its requests.
pub(crate) async fn ensure_manages(
    state: &AppState,
    user: &UserRow,
    plan: &PlanRow,
) -> Result<(), ApiError> {
    Authz::of(state, user)
        .check(Action::ManagePlan, Resource::Plan(plan))
        .await
        .map(drop)
}

pub(crate) fn change_of(user: &UserRow) -> Change {
    Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    }
}

pub(crate) fn docx_response(bytes: Vec<u8>, name: &str) -> Response {
    super::exports::attachment(bytes, DOCX, name)
}

/// The board, limited to the caller's units when it only takes part in the plan.
pub(crate) async fn visible_status(
    state: &AppState,
    user: &UserRow,
    r: &ReportRequestRow,
    reach: Reach,
    today: NaiveDate,
) -> Result<reporting::RequestStatus, ApiError> {
    let mut status = reporting::status(&state.store, r.id, today).await?;
    if reach != Reach::Inside
        && let Some(visible) = crate::web::authz::visible_units(state, user).await?
    {
        status.units.retain(|u| visible.contains(&u.unit_id));
    }
    Ok(status)
}

/// The requests of a plan the caller sees: all of them within its subtree; those asking one
/// of its units when it only takes part.
pub(crate) async fn visible_requests(
    state: &AppState,
    user: &UserRow,
    plan: &PlanRow,
    reach: Reach,
) -> Result<Vec<ReportRequestRow>, ApiError> {
    reporting::ensure_plan_requests(&state.store, plan.id).await?;
    let all = state.store.report_requests_of_plan(plan.id).await?;
    if reach == Reach::Inside {
        return Ok(all);
    }
    let visible = crate::web::authz::visible_units(state, user).await?;
    let mut out = Vec::new();
    for r in all {
        let units = state.store.report_request_units(r.id).await?;
        if visible
            .as_ref()
            .is_none_or(|v| units.iter().any(|u| v.contains(&u.unit_id)))
        {
            out.push(r);
        }
    }
    Ok(out)
}

/// A plan's report requests (its report deliverables are requests too).
#[utoipa::path(get, path = "/plans/{id}/report-requests", tag = "reporting",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, description = "the requests", body = [ReportRequestRow]),
        (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ReportRequestRow>>, ApiError> {
    let (plan, reach) = readable_plan(&state, &user, id).await?;
    Ok(Json(visible_requests(&state, &user, &plan, reach).await?))
}

/// A request by hand (ad hoc, or recurring with `repeat`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRequest {
    #[schema(schema_with = request_title)]
    title: String,
    /// YYYY-MM-DD.
    due: NaiveDate,
    /// 2024, 2024-H1, 2024-Q3, 2024-05 (default: the deadline's year).
    #[schema(schema_with = crate::export::report_period::ReportPeriod::nullable_schema)]
    period: Option<String>,
    /// Calendar periods instead of Decree 09's data cut-off.
    #[serde(default)]
    calendar: bool,
    /// Consecutive periods of a recurring request (1–24).
    #[schema(minimum = 1, maximum = 24)]
    repeat: Option<usize>,
    /// Unit codes (default: the plan's lead units).
    #[serde(default)]
    units: Vec<String>,
    #[serde(default)]
    questions: Vec<String>,
}

fn request_title() -> utoipa::openapi::schema::Object {
    crate::web::extract::visible_text(crate::reporting::MAX_TITLE_CHARS)
}

/// Ask units for a report; answers the new requests' ids.
#[utoipa::path(post, path = "/plans/{id}/report-requests", tag = "reporting",
    params(("id" = i64, Path, description = "plan id")),
    request_body = NewRequest,
    responses((status = 201, description = "{ids}", body = Object),
        (status = 403, description = "not the plan office"),
        (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn add(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewRequest>,
) -> Result<Response, ApiError> {
    let (plan, _) = readable_plan(&state, &user, id).await?;
    ensure_manages(&state, &user, &plan).await?;
    let ids = reporting::add_request(
        &state.store,
        &AddRequest {
            plan_id: plan.id,
            title: body.title,
            due: body.due,
            period: body.period,
            calendar: body.calendar,
            repeat: match body.repeat {
                None => 1,
                Some(0) => {
                    return Err(ApiError::BadRequest(format!(
                        "repeat: from 1 to {} periods",
                        crate::reporting::MAX_RECURRING
                    )));
                }
                Some(n) => n,
            },
            units: body.units,
            questions: body.questions,
        },
        &change_of(&user),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "ids": ids }))).into_response())
}

/// The board: each unit asked, its state and its official deadline state.
#[utoipa::path(get, path = "/report-requests/{id}", tag = "reporting",
    params(("id" = i64, Path, description = "request id")),
    responses((status = 200, description = "the request and its units", body = Object),
        (status = 404, description = "no such request, or not the caller's to read")),
    security(("bearer" = [])))]
async fn board(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<reporting::RequestStatus>, ApiError> {
    let (r, _, reach) = readable_request(&state, &user, id).await?;
    let today = state.pages.today();
    Ok(Json(visible_status(&state, &user, &r, reach, today).await?))
}

/// A draft as JSON: its sections, version, questions, and whether it is submitted.
fn draft_json(d: &reporting::Draft) -> serde_json::Value {
    serde_json::json!({
        "request_id": d.request.id,
        "unit_id": d.author.unit.id,
        "compiled": d.author.compiled,
        "version": d.version,
        "sections": d.sections,
        "questions": reporting::questions_of(&d.request),
        "submitted": d.submitted.as_ref().map(|s| serde_json::json!({
            "id": s.id, "request_id": s.request_id, "number": s.number, "signed_on": s.signed_on,
            "state": s.state,
        })),
        "upward": d.upward.as_ref().map(|up| serde_json::json!({
            "request_id": up.request.id, "plan_id": up.request.plan_id,
            "title": up.request.title, "unit_id": up.unit_id,
        })),
        "scorecard": {
            "targets": d.content.scorecard.targets,
            "met": d.content.scorecard.met,
            "partly": d.content.scorecard.partly,
            "not_met": d.content.scorecard.not_met,
            "deadlines": d.content.scorecard.deadlines,
        },
    })
}

/// A unit's draft (`unit` = the plan office's own unit for the compiled report).
#[utoipa::path(get, path = "/report-requests/{id}/drafts/{unit}", tag = "reporting",
    params(("id" = i64, Path, description = "request id"), ("unit" = i64, Path, description = "unit id")),
    responses((status = 200, description = "the draft", body = Object),
        (status = 403, description = "another unit's draft"),
        (status = 404, description = "no such request or unit asked")),
    security(("bearer" = [])))]
async fn get_draft(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, unit)): Path<(i64, i64)>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let (r, _, _) = readable_request(&state, &user, id).await?;
    let author = checked_author(&state, &user, &r, unit, Action::ViewActivities).await?;
    let d = reporting::draft(&state.store, &r, author, state.pages.today()).await?;
    Ok(Json(draft_json(&d)))
}

/// A save: the sections and the version they were edited from (none for the first save).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SaveDraft {
    sections: Sections,
    version: Option<i64>,
}

/// Save a draft. A save naming an old version gets 409 with the current draft (nothing lost).
#[utoipa::path(put, path = "/report-requests/{id}/drafts/{unit}", tag = "reporting",
    params(("id" = i64, Path, description = "request id"), ("unit" = i64, Path, description = "unit id")),
    request_body = SaveDraft,
    responses((status = 200, description = "saved: {version}", body = Object),
        (status = 403, description = "another unit's draft"),
        (status = 404, description = "no such request or unit asked"),
        (status = 409, description = "someone saved first ({error, draft}), or the report is submitted")),
    security(("bearer" = [])))]
async fn save_draft(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<SaveDraft>,
) -> Result<Response, ApiError> {
    let (r, _, _) = readable_request(&state, &user, id).await?;
    let author = checked_author(&state, &user, &r, unit, Action::ReportActivity).await?;
    match reporting::save_draft(
        &state.store,
        &r,
        &author,
        &body.sections,
        body.version,
        &change_of(&user),
    )
    .await
    {
        Ok(row) => Ok(Json(serde_json::json!({ "version": row.version })).into_response()),
        Err(e @ ChainError::Stale(_)) => {
            let message = e.to_string();
            let ChainError::Stale(theirs) = e else {
                unreachable!()
            };
            let draft = theirs.map(|d| {
                serde_json::json!({
                    "version": d.version,
                    "sections": serde_json::from_str::<Sections>(&d.sections).unwrap_or_default(),
                    "updated_at": d.updated_at,
                })
            });
            Ok((
                StatusCode::CONFLICT,
                Json(serde_json::json!({ "error": message, "draft": draft })),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// A draft as .docx (the frozen one once submitted).
#[utoipa::path(get, path = "/report-requests/{id}/drafts/{unit}/docx", tag = "reporting",
    params(("id" = i64, Path, description = "request id"), ("unit" = i64, Path, description = "unit id")),
    responses((status = 200, description = "the report", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 403, description = "another unit's draft"),
        (status = 404, description = "no such request or unit asked")),
    security(("bearer" = [])))]
async fn draft_docx(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, unit)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (r, _, _) = readable_request(&state, &user, id).await?;
    let author = checked_author(&state, &user, &r, unit, Action::ViewActivities).await?;
    let code = author.unit.code.clone();
    let d = reporting::draft(&state.store, &r, author, state.pages.today()).await?;
    let bytes = reporting::draft_docx(&state.files, &d).await?;
    Ok(docx_response(
        bytes,
        &format!("bao-cao-{}-{code}.docx", r.id),
    ))
}

/// What a unit gives when it submits, as JSON (the signed scan needs the multipart form).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SubmitBody {
    number: String,
    /// The report's date, YYYY-MM-DD.
    date: NaiveDate,
    signer: String,
}

/// The same fields as a multipart/form-data form, with the signed scan.
#[derive(ToSchema)]
#[allow(dead_code)]
struct SubmitForm {
    number: String,
    /// YYYY-MM-DD.
    date: String,
    signer: String,
    /// The signed scan: a PDF (its bytes are checked), at most the upload cap.
    #[schema(value_type = Option<String>, format = Binary)]
    scan: Option<Vec<u8>>,
}

/// Longest text field of the submission form.
const MAX_SUBMIT_FIELD_BYTES: usize = 4 * 1024;

/// A part of a multipart form read whole, refused (413) past `limit` bytes.
pub(crate) async fn read_part(
    field: &mut axum::extract::multipart::Field<'_>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(ApiError::PayloadTooLarge(format!(
                "{name}: larger than the limit of {limit} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("request body: too large".into())
    } else {
        ApiError::BadRequest(format!("form: {}", e.body_text()))
    }
}

/// The submission's fields from a JSON body or a multipart form (with the scan).
async fn submission_of(state: &AppState, request: Request) -> Result<reporting::Submit, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if !content_type.starts_with("multipart/form-data") {
        // JSON within the JSON routes' limit, answered as they answer.
        let (parts, body) = request.into_parts();
        let bytes = axum::body::to_bytes(body, JSON_BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::PayloadTooLarge(format!(
                    "body: at most {JSON_BODY_LIMIT} bytes of JSON; send the scan as multipart/form-data"
                ))
            })?;
        let request = Request::from_parts(parts, axum::body::Body::from(bytes));
        let ApiJson(body) = ApiJson::<SubmitBody>::from_request(request, state).await?;
        return Ok(reporting::Submit {
            number: body.number,
            date: body.date,
            signer: body.signer,
            scan: None,
        });
    }
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| ApiError::BadRequest(e.body_text()))?;
    let (mut number, mut date, mut signer, mut scan) = (None, None, None, None);
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "scan" {
            let file_name = field.file_name().unwrap_or("scan.pdf").to_string();
            let bytes = read_part(&mut field, "scan", state.files.max_bytes()).await?;
            if !bytes.is_empty() {
                scan = Some((file_name, bytes));
            }
            continue;
        }
        let bytes = read_part(&mut field, &name, MAX_SUBMIT_FIELD_BYTES as u64).await?;
        let text = String::from_utf8(bytes)
            .map_err(|_| ApiError::BadRequest(format!("{name}: not UTF-8 text")))?;
        match name.as_str() {
            "number" => number = Some(text),
            "date" => date = Some(text),
            "signer" => signer = Some(text),
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "form: unknown field {name:?}"
                )));
            }
        }
    }
    let date = date
        .as_deref()
        .map(str::trim)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .ok_or_else(|| ApiError::BadRequest("date: required, YYYY-MM-DD".into()))?;
    Ok(reporting::Submit {
        number: number.unwrap_or_default(),
        date,
        signer: signer.unwrap_or_default(),
        scan,
    })
}

/// Submit a unit's report: frozen, and recorded as the deliverable's completion. A JSON body
/// `{number, date, signer}`, or a multipart/form-data form with the same fields and the signed
/// scan as a `scan` part (a PDF, at most the upload cap). A compiled report of a plan that
/// implements another plan is recorded as its unit's submission to the request of that plan
/// asking it (the answer names that request).
#[utoipa::path(post, path = "/report-requests/{id}/drafts/{unit}/submit", tag = "reporting",
    params(("id" = i64, Path, description = "request id"), ("unit" = i64, Path, description = "unit id")),
    request_body(content(
        (SubmitBody = "application/json"),
        (SubmitForm = "multipart/form-data")),
        description = "the document's number, date and signer; as a form, with the signed scan"),
    responses((status = 201, description = "the submission", body = Object),
        (status = 400, description = "a bad field, named (a scan that is not a PDF)"),
        (status = 403, description = "another unit's report"),
        (status = 404, description = "no such request or unit asked"),
        (status = 409, description = "already submitted, or accepted"),
        (status = 413, description = "a scan over the upload cap")),
    security(("bearer" = [])))]
async fn submit(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, unit)): Path<(i64, i64)>,
    request: Request,
) -> Result<Response, ApiError> {
    let (r, _, _) = readable_request(&state, &user, id).await?;
    let author = checked_author(&state, &user, &r, unit, Action::ReportActivity).await?;
    let submission = submission_of(&state, request).await?;
    let row = reporting::submit(
        &state.store,
        &state.files,
        &r,
        &author,
        &submission,
        state.pages.today(),
        &change_of(&user),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(row)).into_response())
}

/// A review: accept, or return with a reason.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReviewBody {
    accept: bool,
    reason: Option<String>,
}

/// Accept a unit's submitted report, or return it with a reason (the plan office).
#[utoipa::path(post, path = "/report-requests/{id}/drafts/{unit}/review", tag = "reporting",
    params(("id" = i64, Path, description = "request id"), ("unit" = i64, Path, description = "unit id")),
    request_body = ReviewBody,
    responses((status = 200, description = "the reviewed submission", body = Object),
        (status = 403, description = "not the plan office"),
        (status = 404, description = "no such request or unit asked"),
        (status = 409, description = "nothing waits for review")),
    security(("bearer" = [])))]
async fn review(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, unit)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<Response, ApiError> {
    let (r, plan, _) = readable_request(&state, &user, id).await?;
    ensure_manages(&state, &user, &plan).await?;
    let author = checked_author(&state, &user, &r, unit, Action::ViewActivities).await?;
    let row = reporting::review(
        &state.store,
        &r,
        &author,
        body.accept,
        body.reason.as_deref(),
        &change_of(&user),
    )
    .await?;
    Ok(Json(row).into_response())
}
