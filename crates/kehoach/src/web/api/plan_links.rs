//! `/api/v1/plans/{id}/links`, `/coverage`, `/carry`, `/diff/{other}`: plans that implement
//! plans (issue 22), over `crate::plan_links`.
//!
//! Permissions (`authz::decide`, via `Authz`): reading a plan's links, coverage and diff needs
//! `ViewPlan` on it (and on the other plan of a diff); linking or unlinking needs `ManagePlan`
//! on the child and `ViewPlan` on the parent; confirming coverage needs `ManagePlan` on the
//! parent; a carry (which may set up the successor units' agencies) `ManagePlan` on the source.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::Action;
use crate::cascade::diff::PlanDiff;
use crate::plan_links::{self, CarryDraft, CascadeError, CoverageView, LinkOutcome, LinksView};
use crate::store::{Change, PlanRow, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(links, link))
        .routes(routes!(unlink))
        .routes(routes!(coverage))
        .routes(routes!(map_task))
        .routes(routes!(carry))
        .routes(routes!(diff))
}

impl From<CascadeError> for ApiError {
    fn from(e: CascadeError) -> Self {
        match e {
            CascadeError::PlanNotFound(id) => ApiError::NotFound(format!("plan {id} not found")),
            CascadeError::Refused(r) => ApiError::Conflict(r.to_string()),
            CascadeError::Invalid(m) => ApiError::BadRequest(m),
            CascadeError::Store(e) => e.into(),
        }
    }
}

pub(crate) fn change_by(user: &UserRow) -> Change {
    Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    }
}

/// The plan when the caller may do `action` on it (404 when it may not read it).
pub(crate) async fn plan_for(
    state: &AppState,
    user: &UserRow,
    id: i64,
    action: Action,
) -> Result<PlanRow, ApiError> {
    let plan = state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {id} not found")))?;
    // Readable first (another unit's plan is a 404, as everywhere), then the action asked.
    let authz = Authz::of(state, user);
    authz.check(Action::ViewPlan, Resource::Plan(&plan)).await?;
    if action != Action::ViewPlan {
        authz.check(action, Resource::Plan(&plan)).await?;
    }
    Ok(plan)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AtQuery {
    /// The date of the deadline states, YYYY-MM-DD (default: today in Vietnam).
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    at: Option<NaiveDate>,
}

/// A plan's links and missing plans
///
/// The plans it implements, those implementing it, the stored plans it may implement (from the
/// numbers it cites and where its issuer lies), and every unit its "issue your own plan" task is
/// assigned to, with the deadline state and the unit's linked plans (none: it owes one).
#[utoipa::path(get, path = "/plans/{id}/links", tag = "plan links",
    params(("id" = i64, Path, description = "plan id"), AtQuery),
    responses((status = 200, body = LinksView), (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn links(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<AtQuery>,
) -> Result<Json<LinksView>, ApiError> {
    let plan = plan_for(&state, &user, id, Action::ViewPlan).await?;
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    // A date asked for is kept near the plan's span; by default today (no periods are walked).
    if let Some(at) = query.at {
        super::plans::check_at(&plan, at, today)?;
    }
    let at = query.at.unwrap_or(today);
    Ok(Json(plan_links::links(&state.store, id, at).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LinkBody {
    /// The plan this one implements.
    parent_id: i64,
}

/// Link a plan to the plan it implements
///
/// Refused (409) when the link would make a cycle, exists already, or crosses provinces under
/// a parent that is not national. Completes the parent's "issue your own plan" deliverable for
/// this plan's issuer (an activity dated this plan's issue date, this plan as evidence) and
/// proposes which parent task each of this plan's tasks carries out.
#[utoipa::path(post, path = "/plans/{id}/links", tag = "plan links",
    params(("id" = i64, Path, description = "the child plan")),
    request_body = LinkBody,
    responses((status = 201, body = LinkOutcome), (status = 403, description = "not the caller's plan to change"),
        (status = 404, description = "no such plan"), (status = 409, description = "refused: cycle, existing link, another province")),
    security(("bearer" = [])))]
async fn link(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LinkBody>,
) -> Result<(StatusCode, Json<LinkOutcome>), ApiError> {
    plan_for(&state, &user, id, Action::ManagePlan).await?;
    plan_for(&state, &user, body.parent_id, Action::ViewPlan).await?;
    let done = plan_links::link(&state.store, id, body.parent_id, &change_by(&user)).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// Unlink a plan from a parent
///
/// Removes the link, the coverage mappings to that parent and the activity the link recorded.
#[utoipa::path(delete, path = "/plans/{id}/links/{parent}", tag = "plan links",
    params(("id" = i64, Path, description = "the child plan"), ("parent" = i64, Path, description = "the parent plan")),
    responses((status = 204, description = "unlinked"), (status = 403, description = "not the caller's plan to change"),
        (status = 404, description = "no such plan or link")),
    security(("bearer" = [])))]
async fn unlink(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, parent)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    plan_for(&state, &user, id, Action::ManagePlan).await?;
    plan_links::unlink(&state.store, id, parent, &change_by(&user)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Coverage of a plan's tasks by the plans implementing it
///
/// Per task: the child tasks mapped to it, by plan, with their targets (a child committing less
/// than the task asks is flagged); per child plan: the tasks it leaves out.
#[utoipa::path(get, path = "/plans/{id}/coverage", tag = "plan links",
    params(("id" = i64, Path, description = "the parent plan")),
    responses((status = 200, body = CoverageView), (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn coverage(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<CoverageView>, ApiError> {
    plan_for(&state, &user, id, Action::ViewPlan).await?;
    Ok(Json(plan_links::coverage(&state.store, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct MapBody {
    /// The parent task the child task carries out; null: none of the parent plan's.
    parent_task_id: Option<i64>,
}

/// Confirm or correct a child task's mapping
///
/// The plan office of the parent plan says which of its tasks the child task carries out.
#[utoipa::path(put, path = "/plans/{id}/coverage/{task}", tag = "plan links",
    params(("id" = i64, Path, description = "the parent plan"), ("task" = i64, Path, description = "the child task")),
    request_body = MapBody,
    responses((status = 204, description = "recorded"), (status = 403, description = "not the caller's plan to change"),
        (status = 404, description = "no such plan or task")),
    security(("bearer" = [])))]
async fn map_task(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, task)): Path<(i64, i64)>,
    ApiJson(body): ApiJson<MapBody>,
) -> Result<StatusCode, ApiError> {
    plan_for(&state, &user, id, Action::ManagePlan).await?;
    plan_links::map_task(
        &state.store,
        id,
        task,
        body.parent_task_id,
        &change_by(&user),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CarryQuery {
    /// The year of the draft (one of the ten after the plan's).
    #[param(minimum = 2000, maximum = 2100)]
    year: i32,
}

/// Next year's draft of a plan
///
/// The same tasks and targets, dates shifted, every lead unit re-resolved on the new date
/// through the 2025 reform's successors: each lead unit's fate (kept, replaced by successors,
/// or to confirm). The source plan is not changed.
#[utoipa::path(get, path = "/plans/{id}/carry", tag = "plan links",
    params(("id" = i64, Path, description = "the source plan"), CarryQuery),
    responses((status = 200, body = CarryDraft), (status = 404, description = "no such plan, or not the caller's")),
    security(("bearer" = [])))]
async fn carry(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<CarryQuery>,
) -> Result<Json<CarryDraft>, ApiError> {
    plan_for(&state, &user, id, Action::ManagePlan).await?;
    Ok(Json(
        plan_links::carry(&state.store, id, query.year, &change_by(&user)).await?,
    ))
}

/// What changed from one plan to another
///
/// Tasks added, removed, and changed (title, targets, leads), pairing tasks by title.
#[utoipa::path(get, path = "/plans/{id}/diff/{other}", tag = "plan links",
    params(("id" = i64, Path, description = "plan A"), ("other" = i64, Path, description = "plan B")),
    responses((status = 200, body = PlanDiff), (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn diff(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path((id, other)): Path<(i64, i64)>,
) -> Result<Json<PlanDiff>, ApiError> {
    plan_for(&state, &user, id, Action::ViewPlan).await?;
    plan_for(&state, &user, other, Action::ViewPlan).await?;
    Ok(Json(plan_links::plan_diff(&state.store, id, other).await?))
}
