//! Approval of a unit's periods on a plan: `GET /api/v1/plans/{id}/periods` (who submitted and
//! approved what) and `POST /api/v1/plans/{id}/periods` (submit, approve, return, reopen); and
//! `POST /api/v1/plans/{id}/lock-exceptions` (a unit may still write into automatically locked
//! periods until a date). [`period_as`] is the one way a person's action on a period reaches the
//! store, for the API and the pages alike.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use kehoach_core::approval::PeriodAction;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::{Action, Scope};
use crate::export::report_period::ReportPeriod;
use crate::store::{Approver, Change, PeriodApprovalRow, PlanCounting, PlanRow, UnitRow, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::ApiJson;
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status, act))
        .routes(routes!(except))
}

/// The plan, if the caller may read it (404 otherwise).
pub(crate) async fn plan_for(
    state: &AppState,
    user: &UserRow,
    plan_id: i64,
) -> Result<PlanRow, ApiError> {
    let plan = state
        .store
        .plan(plan_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {plan_id} not found")))?;
    Authz::of(state, user)
        .check(Action::ViewPlan, Resource::Plan(&plan))
        .await?;
    Ok(plan)
}

/// A unit by its code, as the plan knew it (`export::plan_unit`).
pub(crate) async fn unit_of_plan(
    state: &AppState,
    plan: &PlanRow,
    code: &str,
    on: NaiveDate,
) -> Result<UnitRow, ApiError> {
    let code = code.trim();
    if code.is_empty() || code.chars().count() > 64 {
        return Err(ApiError::BadRequest("unit: a unit code".into()));
    }
    crate::export::plan_unit(&state.store, plan, code, on)
        .await?
        .map(|(unit, _)| unit)
        .ok_or_else(|| ApiError::BadRequest(format!("unit: no unit with code {code}")))
}

/// A period's text checked against the plan: it must overlap the plan's span.
pub(crate) fn period_of_plan(plan: &PlanRow, text: &str) -> Result<ReportPeriod, ApiError> {
    let period = ReportPeriod::parse(text).map_err(ApiError::BadRequest)?;
    let before = plan.period_to.is_some_and(|to| period.from > to);
    let after = plan.period_from.is_some_and(|from| period.to < from);
    if before || after {
        return Err(ApiError::BadRequest(format!(
            "period: {text} lies outside the plan's period"
        )));
    }
    Ok(period)
}

/// Submits, approves, returns or reopens `unit`'s period on `plan` as `user`: submitting needs
/// the right to report for the unit, the rest the plan office's (of the unit's subtree); the
/// store checks the transition and the approval chain.
pub(crate) async fn period_as(
    state: &AppState,
    user: &UserRow,
    plan: &PlanRow,
    unit: &UnitRow,
    period: &ReportPeriod,
    action: PeriodAction,
    text: &str,
) -> Result<PeriodApprovalRow, ApiError> {
    let needed = match action {
        PeriodAction::Submit => Action::SubmitPeriod,
        _ => Action::ApprovePeriods,
    };
    let authz = Authz::of(state, user);
    authz.check(needed, Resource::Unit(Some(unit.id))).await?;
    let approver = Approver {
        scope_root: match authz.scope().await? {
            Scope::Everywhere => None,
            Scope::Subtree(root) => Some(root),
            Scope::Nothing => return Err(ApiError::Forbidden("your account has no unit".into())),
        },
    };
    let by = Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    };
    Ok(state
        .store
        .period_action(plan.id, unit.id, period, action, text, approver, &by)
        .await?)
}

#[derive(Debug, Serialize, ToSchema)]
struct PeriodStatus {
    plan_id: i64,
    /// Whether only accepted activities count.
    accepted_only: bool,
    /// Periods lock this many days after they end (null: never).
    auto_lock_days: Option<u32>,
    periods: Vec<PeriodApprovalRow>,
}

/// A plan's submitted periods
///
/// Every unit's submitted, approved, returned or reopened period on the plan within the
/// caller's subtree, with the plan's counting and automatic lock.
#[utoipa::path(get, path = "/plans/{id}/periods", tag = "periods",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = PeriodStatus), (status = 404, description = "no such plan, or not the caller's")),
    security(("bearer" = [])))]
async fn status(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<PeriodStatus>, ApiError> {
    let plan = plan_for(&state, &user, id).await?;
    let root = Authz::of(&state, &user).scope_root().await?;
    let PlanCounting {
        accepted_only,
        auto_lock_days,
    } = state.store.plan_counting(plan.id).await?;
    Ok(Json(PeriodStatus {
        plan_id: plan.id,
        accepted_only,
        auto_lock_days,
        periods: state.store.period_approvals(plan.id, root).await?,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
struct PeriodBody {
    /// The unit's code.
    unit: String,
    /// 2024 (year), 2024-H1 (half), 2024-Q2 (quarter) or 2024-05 (month).
    #[schema(schema_with = crate::export::report_period::ReportPeriod::schema)]
    period: String,
    /// submit, approve, return or reopen.
    #[schema(schema_with = action_schema)]
    action: String,
    /// The submission's note, or why it is returned or reopened (required for those).
    #[serde(default)]
    reason: String,
}

fn action_schema() -> utoipa::openapi::schema::Object {
    crate::web::extract::one_of(PeriodAction::ALL.map(PeriodAction::as_str))
}

/// Submit, approve, return or reopen a unit's period
///
/// Approval goes up the unit tree (a commune's period: its district while districts exist,
/// then the province) and the first approval locks the period: activities dated in it can no
/// longer be added, edited, deleted or reviewed until the plan office reopens it with a reason.
#[utoipa::path(post, path = "/plans/{id}/periods", tag = "periods",
    params(("id" = i64, Path, description = "plan id")),
    request_body(content = PeriodBody, content_type = "application/json"),
    responses((status = 200, body = PeriodApprovalRow), (status = 400, description = "a bad field or a transition that does not apply, named"),
        (status = 403, description = "not the caller's unit or role"), (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
async fn act(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<PeriodBody>,
) -> Result<Json<PeriodApprovalRow>, ApiError> {
    let action = PeriodAction::parse(&body.action).ok_or_else(|| {
        ApiError::BadRequest("action: expected submit, approve, return or reopen".into())
    })?;
    let plan = plan_for(&state, &user, id).await?;
    let period = period_of_plan(&plan, &body.period)?;
    let unit = unit_of_plan(&state, &plan, &body.unit, period.from).await?;
    Ok(Json(
        period_as(&state, &user, &plan, &unit, &period, action, &body.reason).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
struct ExceptionBody {
    /// The unit's code.
    unit: String,
    /// The last day (YYYY-MM-DD) the unit may still write into automatically locked periods.
    #[schema(schema_with = crate::web::extract::date_schema)]
    until: String,
}

/// Grant a lock exception
///
/// Lets a unit write into the plan's automatically locked periods until a date (the plan
/// office of its subtree); approved periods stay locked.
#[utoipa::path(post, path = "/plans/{id}/lock-exceptions", tag = "periods",
    params(("id" = i64, Path, description = "plan id")),
    request_body(content = ExceptionBody, content_type = "application/json"),
    responses((status = 204, description = "granted"), (status = 400, description = "a bad field, named"),
        (status = 403, description = "not the caller's unit or role"), (status = 404, description = "no such plan")),
    security(("bearer" = [])))]
async fn except(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ExceptionBody>,
) -> Result<StatusCode, ApiError> {
    let plan = plan_for(&state, &user, id).await?;
    let until = crate::web::extract::parse_day(&body.until)
        .map_err(|e| ApiError::BadRequest(format!("until: {e}")))?;
    let unit = unit_of_plan(&state, &plan, &body.unit, until).await?;
    Authz::of(&state, &user)
        .check(Action::ApprovePeriods, Resource::Unit(Some(unit.id)))
        .await?;
    let by = Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    };
    state
        .store
        .grant_lock_exception(plan.id, unit.id, until, &by)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
