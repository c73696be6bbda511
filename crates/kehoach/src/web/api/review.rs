//! Review of reported activities: `GET /api/v1/reviews` (the plan office's queue) and
//! `POST /api/v1/reviews` (accept or return some activities with a reason, or resubmit returned
//! ones after correcting them). [`review_as`] is the one way a person's decision reaches the
//! store, for the API and the pages alike.

use axum::Json;
use axum::extract::State;
use kehoach_core::approval::{ReviewDecision, ReviewState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::Action;
use crate::store::{Change, ReviewFilter, ReviewItem, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(queue, decide))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct QueueQuery {
    /// Only this plan's activities.
    plan: Option<i64>,
    /// Only this unit's (id).
    unit: Option<i64>,
    /// Only this task's.
    task: Option<i64>,
    /// pending (default), accepted, returned or all.
    #[param(schema_with = state_schema)]
    state: Option<String>,
    /// At most this many (1–200, default 50).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<usize>,
}

/// The words of the queue's state filter: the review states and `all`.
fn state_schema() -> utoipa::openapi::schema::Object {
    crate::web::extract::one_of(
        ReviewState::ALL
            .map(ReviewState::as_str)
            .into_iter()
            .chain(["all"]),
    )
}

/// Parses a queue's state filter: `None` for every state. An empty one is refused (a page's form
/// leaves its empty filter out before asking).
pub(crate) fn parse_state(state: Option<&str>) -> Result<Option<ReviewState>, ApiError> {
    match state.map(str::trim).unwrap_or("pending") {
        "pending" => Ok(Some(ReviewState::Pending)),
        "all" => Ok(None),
        other => ReviewState::from_db(other).map(Some).ok_or_else(|| {
            ApiError::BadRequest("state: expected pending, accepted, returned or all".into())
        }),
    }
}

/// The review queue
///
/// Reported activities within the caller's subtree, newest first, with their plan, task, unit,
/// last reason and first evidence. Plan offices and administrators.
#[utoipa::path(get, path = "/reviews", tag = "review", params(QueueQuery),
    responses((status = 200, body = [ReviewItem]), (status = 403, description = "not a plan office")),
    security(("bearer" = [])))]
async fn queue(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<ReviewItem>>, ApiError> {
    let authz = Authz::of(&state, &user);
    authz
        .check(Action::ReviewActivities, Resource::Anywhere)
        .await?;
    let filter = ReviewFilter {
        within: authz.scope_root().await?,
        plan_id: q.plan,
        unit_id: q.unit,
        task_id: q.task,
        state: parse_state(q.state.as_deref())?,
        reported_by: None,
        limit: match q.limit.unwrap_or(50) {
            limit @ 1..=crate::store::MAX_REVIEW_BATCH => limit,
            _ => {
                return Err(ApiError::BadRequest(format!(
                    "limit: from 1 to {}",
                    crate::store::MAX_REVIEW_BATCH
                )));
            }
        },
    };
    Ok(Json(state.store.review_queue(&filter).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
struct DecisionBody {
    /// The activities decided on (1–200).
    #[schema(min_items = 1, max_items = 200)]
    activity_ids: Vec<i64>,
    /// accept, return (needs a reason) or resubmit (a returned activity, by its reporter).
    #[schema(schema_with = decision_schema)]
    decision: String,
    /// Why it is returned: what to correct (at most 2,000 characters).
    #[serde(default)]
    #[schema(max_length = 2000)]
    reason: String,
}

fn decision_schema() -> utoipa::openapi::schema::Object {
    crate::web::extract::one_of(ReviewDecision::ALL.map(ReviewDecision::as_str))
}

#[derive(Debug, Serialize, ToSchema)]
struct Reviewed {
    id: i64,
    /// pending, accepted or returned.
    review_state: String,
}

/// Decides on activities: the caller's permission for each (accepting and returning: the plan
/// office of its unit; resubmitting: who may report for it), then all of them in one
/// transaction.
pub(crate) async fn review_as(
    state: &AppState,
    user: &UserRow,
    ids: &[i64],
    decision: ReviewDecision,
    reason: &str,
) -> Result<Vec<(i64, ReviewState)>, ApiError> {
    let action = match decision {
        ReviewDecision::Resubmit => Action::ReportActivity,
        _ => Action::ReviewActivities,
    };
    let authz = Authz::of(state, user);
    for &id in ids.iter().take(crate::store::MAX_REVIEW_BATCH + 1) {
        let activity = state
            .store
            .activity(id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("activity {id} not found")))?;
        let assignment = state
            .store
            .assignment(activity.assignment_id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("activity {id} not found")))?;
        authz
            .check(action, Resource::Assignment(&assignment))
            .await?;
    }
    let by = Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    };
    Ok(state
        .store
        .review_activities(ids, decision, reason, &by)
        .await?)
}

/// Accept, return or resubmit activities
///
/// All of them or none: an activity dated in a locked period is refused with 409 naming the
/// lock; a transition that does not apply (accepting an accepted one) with 400 naming the
/// activity. Each decision is kept in the activity's review history and the audit log.
#[utoipa::path(post, path = "/reviews", tag = "review",
    request_body(content = DecisionBody, content_type = "application/json"),
    responses((status = 200, body = [Reviewed]), (status = 400, description = "a bad field, named"),
        (status = 403, description = "not the caller's to review"), (status = 404, description = "no such activity"),
        (status = 409, description = "an activity in a locked period")),
    security(("bearer" = [])))]
async fn decide(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Json<Vec<Reviewed>>, ApiError> {
    let decision = ReviewDecision::parse(&body.decision).ok_or_else(|| {
        ApiError::BadRequest("decision: expected accept, return or resubmit".into())
    })?;
    if body.activity_ids.is_empty() || body.activity_ids.len() > crate::store::MAX_REVIEW_BATCH {
        return Err(ApiError::BadRequest(format!(
            "activity_ids: between 1 and {} activities",
            crate::store::MAX_REVIEW_BATCH
        )));
    }
    let done = review_as(&state, &user, &body.activity_ids, decision, &body.reason).await?;
    Ok(Json(
        done.into_iter()
            .map(|(id, s)| Reviewed {
                id,
                review_state: s.as_str().into(),
            })
            .collect(),
    ))
}
