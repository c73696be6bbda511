//! Editing a plan after import (issue 19): `PATCH /tasks/{id}`, `DELETE /tasks/{id}`,
//! `POST /plans/{id}/tasks`, `PATCH /plans/{id}`, `POST /plans/{id}/archive`. The plan office
//! within its subtree (and administrators) only: `Action::ManagePlan` on the plan, and on every
//! lead or partner unit named. The store validates and writes (`store/plan_edits.rs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::{Action, Verdict};
use crate::plan_edit::{
    EditError, HeaderFields, HeaderView, TargetSpec, TaskFields, TaskView, UnitRef,
    parse_optional_date, parse_window,
};
use crate::store::{Change, PlanEditError, PlanRow, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::ApiJson;
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(edit_task, remove_task))
        .routes(routes!(add_task))
        .routes(routes!(edit_header))
        .routes(routes!(archive))
}

/// The parts of a task to change; what is left out stays. Targets, leads and partners given
/// replace the task's.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    /// The version the edit was made against (from the task as read): an edit of an older
    /// version is refused with 409 and what changed since. Left out: edit whatever is current.
    pub version: Option<i64>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub title: Option<String>,
    pub content: Option<String>,
    /// `YYYY-MM-DD`, or `none` to remove the deadline.
    #[schema(schema_with = crate::plan_edit::due_schema)]
    pub due: Option<String>,
    /// `FROM..TO` within the plan's period, or `none` (the task runs over the plan's period).
    #[schema(schema_with = crate::plan_edit::window_schema)]
    pub window: Option<String>,
    pub targets: Option<Vec<TargetSpec>>,
    /// Lead units' codes: a new one gets an assignment, a missing one's assignment is closed
    /// today (its activities kept).
    pub leads: Option<Vec<String>>,
    /// Partner units' codes.
    pub partners: Option<Vec<String>>,
}

fn change_by(user: &UserRow) -> Change {
    Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    }
}

fn today() -> chrono::NaiveDate {
    kehoach_core::period::today_in_vietnam(chrono::Utc::now())
}

fn bad(e: EditError) -> ApiError {
    ApiError::BadRequest(e.to_string())
}

/// The answer to a refused edit: 400 naming the field, 409 for an archived plan or a stale
/// version (with the task as it is now and the fields changed since).
fn refused(e: PlanEditError) -> Response {
    match e {
        PlanEditError::Invalid(e) => bad(e).into_response(),
        PlanEditError::NotFound(what) => {
            ApiError::NotFound(format!("{what} not found")).into_response()
        }
        PlanEditError::Archived(_) => ApiError::Conflict(e.to_string()).into_response(),
        PlanEditError::Stale {
            ref current,
            ref changed,
        } => (
            StatusCode::CONFLICT,
            Json(serde_json::json!({
                "error": e.to_string(),
                "changed": changed,
                "current": current,
            })),
        )
            .into_response(),
        PlanEditError::Store(e) => ApiError::from(e).into_response(),
    }
}

/// The plan, if the caller manages it (404 otherwise, as for reading).
async fn managed_plan(state: &AppState, user: &UserRow, id: i64) -> Result<PlanRow, ApiError> {
    let plan = state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {id} not found")))?;
    Authz::of(state, user)
        .check(Action::ManagePlan, Resource::Plan(&plan))
        .await?;
    Ok(plan)
}

/// The plan of a task, if the caller manages it.
async fn managed_task(state: &AppState, user: &UserRow, id: i64) -> Result<TaskView, ApiError> {
    let task = state
        .store
        .task_view(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("task {id} not found")))?;
    managed_plan(state, user, task.plan_id).await?;
    Ok(task)
}

/// Unit codes to units the caller may give work to (within its subtree).
async fn units_of(
    state: &AppState,
    user: &UserRow,
    field: &str,
    codes: &[String],
) -> Result<Vec<UnitRef>, ApiError> {
    if codes.len() > crate::plan_edit::MAX_UNITS {
        return Err(ApiError::BadRequest(format!(
            "{field}: more than {} units",
            crate::plan_edit::MAX_UNITS
        )));
    }
    let authz = Authz::of(state, user);
    let mut out = Vec::with_capacity(codes.len());
    for code in codes {
        let code = kehoach_core::text::nfc(code).trim().to_string();
        let unit = state
            .store
            .unit_by_code_latest(&code, today())
            .await?
            .ok_or_else(|| {
                ApiError::BadRequest(format!("{field}: no unit has the code '{code}'"))
            })?;
        let (verdict, _) = authz
            .verdict(Action::ManagePlan, Resource::Unit(Some(unit.id)))
            .await?;
        if verdict != Verdict::Allow {
            return Err(ApiError::Forbidden(format!(
                "{field}: {code} is not within your unit"
            )));
        }
        out.push(UnitRef {
            id: unit.id,
            code: unit.code,
        });
    }
    Ok(out)
}

async fn fields_of(
    state: &AppState,
    user: &UserRow,
    body: &TaskBody,
) -> Result<TaskFields, ApiError> {
    let mut f = TaskFields {
        reference: body.reference.clone(),
        title: body.title.clone(),
        content: body.content.clone(),
        targets: body.targets.clone(),
        ..TaskFields::default()
    };
    if let Some(due) = &body.due {
        f.due = Some(parse_optional_date("due", due).map_err(bad)?);
    }
    if let Some(window) = &body.window {
        f.window = Some(parse_window(window).map_err(bad)?);
    }
    if let Some(leads) = &body.leads {
        f.leads = Some(units_of(state, user, "leads", leads).await?);
    }
    if let Some(partners) = &body.partners {
        f.partners = Some(units_of(state, user, "partners", partners).await?);
    }
    Ok(f)
}

/// Edit a task
///
/// Changes a task's ref, title, content, window, deadline, targets, lead or partner units. The
/// task's figures are recomputed from its activities in the same transaction; nothing recorded
/// is deleted (a removed lead's assignment is closed today).
#[utoipa::path(patch, path = "/tasks/{id}", tag = "plans",
    params(("id" = i64, Path, description = "task id")),
    request_body(content = TaskBody, content_type = "application/json", description = "the parts to change"),
    responses((status = 200, body = TaskView), (status = 400, description = "a bad field, named; nothing changed"),
        (status = 403, description = "a unit outside the caller's"), (status = 404, description = "no such task, or not the caller's to manage"),
        (status = 409, description = "the plan is archived, or the task changed since `version`: {error, changed, current}")),
    security(("bearer" = [])))]
async fn edit_task(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TaskBody>,
) -> Result<Response, ApiError> {
    managed_task(&state, &user, id).await?;
    let fields = fields_of(&state, &user, &body).await?;
    Ok(
        match state
            .store
            .edit_task(id, body.version, &fields, today(), &change_by(&user))
            .await
        {
            Ok(view) => Json(view).into_response(),
            Err(e) => refused(e),
        },
    )
}

/// Remove a task
///
/// Closes the task and its assignments today: its activities and past figures stay.
#[utoipa::path(delete, path = "/tasks/{id}", tag = "plans",
    params(("id" = i64, Path, description = "task id")),
    responses((status = 200, body = TaskView), (status = 404, description = "no such task, or not the caller's to manage"),
        (status = 409, description = "the plan is archived")),
    security(("bearer" = [])))]
async fn remove_task(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    managed_task(&state, &user, id).await?;
    Ok(
        match state
            .store
            .remove_task(id, today(), &change_by(&user))
            .await
        {
            Ok(view) => Json(view).into_response(),
            Err(e) => refused(e),
        },
    )
}

/// Add a task
///
/// Adds a task by hand at the end of the plan; `ref` and `title` are needed.
#[utoipa::path(post, path = "/plans/{id}/tasks", tag = "plans",
    params(("id" = i64, Path, description = "plan id")),
    request_body(content = TaskBody, content_type = "application/json", description = "the new task"),
    responses((status = 201, body = TaskView), (status = 400, description = "a bad field, named; nothing stored"),
        (status = 403, description = "a unit outside the caller's"), (status = 404, description = "no such plan, or not the caller's to manage"),
        (status = 409, description = "the plan is archived")),
    security(("bearer" = [])))]
async fn add_task(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TaskBody>,
) -> Result<Response, ApiError> {
    managed_plan(&state, &user, id).await?;
    let fields = fields_of(&state, &user, &body).await?;
    Ok(
        match state
            .store
            .add_task(id, &fields, today(), &change_by(&user))
            .await
        {
            Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
            Err(e) => refused(e),
        },
    )
}

/// Edit a plan's header
///
/// Number, date, title, issuer and period; a period that would leave a task's window outside
/// it is refused.
#[utoipa::path(patch, path = "/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "plan id")),
    request_body(content = HeaderFields, content_type = "application/json", description = "the parts to change"),
    responses((status = 200, body = HeaderView), (status = 400, description = "a bad field, named; nothing changed"),
        (status = 404, description = "no such plan, or not the caller's to manage"), (status = 409, description = "the plan is archived")),
    security(("bearer" = [])))]
async fn edit_header(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<HeaderFields>,
) -> Result<Response, ApiError> {
    managed_plan(&state, &user, id).await?;
    Ok(
        match state
            .store
            .edit_plan_header(id, &body, &change_by(&user))
            .await
        {
            Ok(view) => Json(view).into_response(),
            Err(e) => refused(e),
        },
    )
}

/// Archive a plan
///
/// The plan becomes read-only; it leaves "Việc của tôi" and stays in reports and search.
#[utoipa::path(post, path = "/plans/{id}/archive", tag = "plans",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 204, description = "archived (or already was)"),
        (status = 404, description = "no such plan, or not the caller's to manage")),
    security(("bearer" = [])))]
async fn archive(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    managed_plan(&state, &user, id).await?;
    Ok(
        match state
            .store
            .archive_plan(id, today(), &change_by(&user))
            .await
        {
            Ok(()) => StatusCode::NO_CONTENT.into_response(),
            Err(e) => refused(e),
        },
    )
}
