//! `/api/v1/plans/{id}/budget` and `/api/v1/assignments/{id}/budget-lines`: a plan's budget per
//! unit and task (each caller its scope's part), and a unit's estimate lines. The other steps of
//! the cycle are on the pages and the command line (`kehoach budget …`).

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::{Action, Principal, Reach, Verdict, decide};
use crate::budget::{BudgetStatus, LineInput, describe};
use crate::store::{BudgetLineRow, Change, PlanRow, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource, visible_units};
use crate::web::extract::ApiJson;
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status))
        .routes(routes!(add_line))
}

/// Which units' budget `user` may read on `plan`: `Ok(None)` the whole plan (the plan office and
/// finance of the plan's owner, administrators), `Ok(Some(units))` only those (a unit taking
/// part: its own subtree), or the refusal (404 for another unit's plan, 403 for a role that reads
/// no budget).
pub(crate) async fn budget_scope(
    state: &AppState,
    user: &UserRow,
    plan: &PlanRow,
) -> Result<Option<HashSet<i64>>, ApiError> {
    let authz = Authz::of(state, user);
    authz.check(Action::ViewPlan, Resource::Plan(plan)).await?;
    let (verdict, reach) = authz
        .verdict(Action::ViewBudget, Resource::Plan(plan))
        .await?;
    if verdict == Verdict::Allow {
        return Ok(None);
    }
    // A participant: its own units' lines, if its role reads budgets at all.
    match decide(Principal::of(user), Action::ViewBudget, Reach::Inside) {
        Verdict::Allow if reach == Reach::Participant => {
            Ok(Some(visible_units(state, user).await?.unwrap_or_default()))
        }
        Verdict::Forbid(reason) => Err(ApiError::Forbidden(reason)),
        _ => Err(ApiError::NotFound(format!("plan {} not found", plan.id))),
    }
}

pub(crate) async fn plan_or_404(state: &AppState, id: i64) -> Result<PlanRow, ApiError> {
    state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {id} not found")))
}

pub(crate) fn change_of(user: &UserRow) -> Change {
    Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    }
}

/// A plan's budget per unit and task
///
/// Estimated, proposed, appraised, approved and spent, whole đồng, per lead unit and task, with
/// each unit's estimate state and the submission deadline's official state. A unit taking part
/// in the plan gets its own part; the plan office and finance of the plan's owner the whole.
#[utoipa::path(get, path = "/plans/{id}/budget", tag = "budget",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = BudgetStatus),
        (status = 403, description = "the caller's role reads no budget"),
        (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn status(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<BudgetStatus>, ApiError> {
    let plan = plan_or_404(&state, id).await?;
    let only = budget_scope(&state, &user, &plan).await?;
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    Ok(Json(
        crate::budget::status(&state.store, &plan, only.as_ref(), today).await?,
    ))
}

/// Add an estimate line
///
/// Adds a line to the assignment's unit's current estimate (version 1 when it has none):
/// content, measure, a whole quantity, the unit price in whole đồng ("1.500.000": no commas, no
/// "triệu"), the source (tinh, huyen, xa, khac), the basis and a note. Refused (409) once the
/// estimate is submitted or the plan's estimate was sent to finance.
#[utoipa::path(post, path = "/assignments/{id}/budget-lines", tag = "budget",
    params(("id" = i64, Path, description = "assignment id")),
    request_body = LineInput,
    responses((status = 201, body = BudgetLineRow),
        (status = 400, description = "a bad field, named"),
        (status = 403, description = "not the caller's unit, or a role that does not estimate"),
        (status = 404, description = "no such assignment"),
        (status = 409, description = "the estimate is frozen")),
    security(("bearer" = [])))]
async fn add_line(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<LineInput>,
) -> Result<(StatusCode, Json<BudgetLineRow>), ApiError> {
    let assignment = state
        .store
        .assignment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("assignment {id} not found")))?;
    Authz::of(&state, &user)
        .check(Action::EstimateBudget, Resource::Assignment(&assignment))
        .await?;
    let line = body
        .parse(id)
        .map_err(|e| ApiError::BadRequest(describe(&e)))?;
    match state
        .store
        .add_budget_line(&line, &change_of(&user))
        .await?
    {
        Ok(row) => Ok((StatusCode::CREATED, Json(row))),
        Err(refusal) => Err(ApiError::Conflict(refusal.to_string())),
    }
}
