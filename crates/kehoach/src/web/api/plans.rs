//! `/api/v1/plans`: the stored plans, one plan with its tasks and assignments, and a plan's
//! compliance on a date.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::{Action, Reach};
use crate::compliance::{PlanCompliance, plan_compliance};
use crate::store::{AssignmentRow, PlanRow, StoreError, TargetRow, TaskRow, UnresolvedRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::ApiQuery;
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(compliance))
        .routes(routes!(compliance_json))
}

/// A plan as listed.
#[derive(Serialize, ToSchema)]
struct PlanSummary {
    id: i64,
    number: Option<String>,
    title: String,
    issuer: Option<String>,
    period: Period,
    source_name: String,
}

#[derive(Serialize, ToSchema)]
struct Period {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

impl From<PlanRow> for PlanSummary {
    fn from(p: PlanRow) -> Self {
        PlanSummary {
            id: p.id,
            number: p.number,
            title: p.title,
            issuer: p.issuer,
            period: Period {
                from: p.period_from,
                to: p.period_to,
            },
            source_name: p.source_name,
        }
    }
}

/// List plans
///
/// The plans the caller may read, newest first: those issued within its unit's subtree and
/// those assigning tasks to a unit in it.
#[utoipa::path(get, path = "/plans", tag = "plans",
    responses((status = 200, body = [PlanSummary]), (status = 401, description = "no valid credentials")),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> Result<Json<Vec<PlanSummary>>, ApiError> {
    let root = Authz::of(&state, &user).scope_root().await?;
    Ok(Json(
        state
            .store
            .plans_within(root)
            .await?
            .into_iter()
            .map(PlanSummary::from)
            .collect(),
    ))
}

/// A plan with its tasks, targets, assignments and the unit text left to review.
#[derive(Serialize, ToSchema)]
struct PlanDetail {
    #[serde(flatten)]
    plan: PlanSummary,
    issued_on: Option<NaiveDate>,
    grace_days: i64,
    source_sha256: String,
    references: Vec<String>,
    tasks: Vec<TaskDetail>,
}

#[derive(Serialize, ToSchema)]
struct TaskDetail {
    #[serde(flatten)]
    task: TaskRow,
    targets: Vec<TargetRow>,
    assignments: Vec<AssignmentRow>,
    unresolved: Vec<UnresolvedRow>,
}

/// Show a plan
///
/// The plan with its references and every task's targets, assignments (one per lead unit) and
/// unresolved unit text. A unit that only takes part in the plan sees the assignments of its
/// own subtree.
#[utoipa::path(get, path = "/plans/{id}", tag = "plans",
    params(("id" = i64, Path, description = "plan id")),
    responses((status = 200, body = PlanDetail), (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn show(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<PlanDetail>, ApiError> {
    let store = &state.store;
    let (plan, part) = readable_plan(&state, &user, id).await?;
    let mut all_assignments = store.assignments_of_plan(id).await?;
    if let Some(units) = &part {
        all_assignments.retain(|a| units.contains(&a.unit_id));
    }
    let (grace_days, issued_on, sha) =
        (plan.grace_days, plan.issued_on, plan.source_sha256.clone());
    let mut targets = group(store.targets_of_plan(id).await?, |t| t.task_id);
    let mut assignments = group(all_assignments, |a| a.task_id);
    let mut unresolved = group(store.unresolved_of_plan(id).await?, |u| u.task_id);
    let tasks = store
        .tasks_of_plan(id)
        .await?
        .into_iter()
        .map(|task| TaskDetail {
            targets: targets.remove(&task.id).unwrap_or_default(),
            assignments: assignments.remove(&task.id).unwrap_or_default(),
            unresolved: unresolved.remove(&task.id).unwrap_or_default(),
            task,
        })
        .collect();
    Ok(Json(PlanDetail {
        plan: plan.into(),
        issued_on,
        grace_days,
        source_sha256: sha,
        references: store.references_of_plan(id).await?,
        tasks,
    }))
}

/// The plan, when it exists and the caller may read it (404 otherwise: see `crate::authz`), and
/// for a caller that only takes part in it the units whose part it may see (its subtree;
/// `None`: the whole plan).
async fn readable_plan(
    state: &AppState,
    user: &crate::store::UserRow,
    id: i64,
) -> Result<(PlanRow, Option<std::collections::HashSet<i64>>), ApiError> {
    let plan = state
        .store
        .plan(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("plan {id} not found")))?;
    let authz = Authz::of(state, user);
    let part = match authz.check(Action::ViewPlan, Resource::Plan(&plan)).await? {
        Reach::Participant => match authz.scope_root().await? {
            Some(root) => Some(state.store.subtree_ids(root).await?),
            None => None,
        },
        _ => None,
    };
    Ok((plan, part))
}

/// How far before a plan's start and after its end an evaluation date may lie.
const AT_SLACK_DAYS: i64 = 366;

/// Refuses an evaluation date far outside the plan's span: from its start (or issue date) to its
/// end (an open-ended plan: today), a year either side. An open-ended plan's periods run to the
/// date asked, so without this bound `at=2100-12-31` would evaluate a century of weeks.
pub(crate) fn check_at(plan: &PlanRow, at: NaiveDate, today: NaiveDate) -> Result<(), ApiError> {
    let start = plan.period_from.or(plan.issued_on).unwrap_or(today);
    let end = plan.period_to.unwrap_or(today).max(start);
    let slack = chrono::Duration::days(AT_SLACK_DAYS);
    if at < start - slack || at > end + slack {
        return Err(ApiError::BadRequest(format!(
            "at: {at} is too far outside plan {}'s span ({start} to {end}, give or take a year)",
            plan.id
        )));
    }
    Ok(())
}

fn group<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut map: HashMap<i64, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ComplianceQuery {
    /// The date to evaluate on, YYYY-MM-DD (default: today in Vietnam); within a year of the
    /// plan's span.
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    at: Option<NaiveDate>,
    /// Only the assignments of this unit and the units under it (unit code).
    unit: Option<String>,
    /// The first assignment of the page (in task order), from 0.
    #[serde(default)]
    #[param(minimum = 0, maximum = 1_000_000)]
    offset: usize,
    /// Assignments per page (default 100, at most 1,000); the whole report is `compliance.json`.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<usize>,
}

impl ComplianceQuery {
    /// The page size asked for, after checking `limit` and `offset` against their bounds (for
    /// the whole-report download too, which shares the parameters and the document says so).
    fn page_size(&self) -> Result<usize, ApiError> {
        let limit = self.limit.unwrap_or(COMPLIANCE_PAGE);
        if !(1..=MAX_COMPLIANCE_PAGE).contains(&limit) {
            return Err(ApiError::BadRequest(format!(
                "limit: from 1 to {MAX_COMPLIANCE_PAGE} assignments"
            )));
        }
        if self.offset > MAX_OFFSET {
            return Err(ApiError::BadRequest(format!(
                "offset: at most {MAX_OFFSET}"
            )));
        }
        Ok(limit)
    }
}

/// Default and largest page of the compliance report, in assignments: a page of a weekly target's
/// year is about 5 KB per assignment.
const COMPLIANCE_PAGE: usize = 100;
const MAX_COMPLIANCE_PAGE: usize = 1000;
const MAX_OFFSET: usize = 1_000_000;

/// Where a page lies in the whole report.
#[derive(Serialize)]
struct PageInfo {
    offset: usize,
    limit: usize,
    total_assignments: usize,
    /// The `offset` of the next page, or null on the last.
    next_offset: Option<usize>,
}

#[derive(Serialize)]
struct CompliancePage {
    #[serde(flatten)]
    report: PlanCompliance,
    page: PageInfo,
}

/// A plan's compliance on a date, one page of assignments
///
/// Per task and assignment: each target's periods (met, partial, missed, open, future),
/// reporting and on-time rates, and the official deadline state; summaries roll up as
/// Σ met ÷ Σ ended over the whole plan (not the page). A unit that only takes part in the plan
/// gets its own subtree's part. At most `limit` assignments per answer, in task order; `page`
/// says where the next page starts. The whole report in one document: `compliance.json`.
#[utoipa::path(get, path = "/plans/{id}/compliance", tag = "plans",
    params(("id" = i64, Path, description = "plan id"), ComplianceQuery),
    responses((status = 200, description = "the compliance report: {plan_id, at, summary, tasks, page}", body = Object),
        (status = 400, description = "a bad date, unit or page, named"),
        (status = 401, description = "no valid credentials"),
        (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn compliance(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<ComplianceQuery>,
) -> Result<Json<CompliancePage>, ApiError> {
    let limit = query.page_size()?;
    let report = whole_compliance(&state, &user, id, &query).await?;
    Ok(Json(page_of(report, query.offset, limit)))
}

/// A plan's whole compliance report on a date (.json download)
///
/// The same report as `/plans/{id}/compliance` and `kehoach compliance --json`, every assignment
/// in one document, as a file.
#[utoipa::path(get, path = "/plans/{id}/compliance.json", tag = "exports",
    params(("id" = i64, Path, description = "plan id"), ComplianceQuery),
    responses((status = 200, description = "the whole report, as an attachment", content_type = "application/json", body = Object),
        (status = 400, description = "a bad date or unit, named"),
        (status = 401, description = "no valid credentials"),
        (status = 404, description = "no such plan, or not the caller's to read")),
    security(("bearer" = [])))]
async fn compliance_json(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiQuery(query): ApiQuery<ComplianceQuery>,
) -> Result<axum::response::Response, ApiError> {
    query.page_size()?;
    let report = whole_compliance(&state, &user, id, &query).await?;
    let bytes = serde_json::to_vec(&report).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(super::exports::attachment(
        bytes,
        "application/json",
        &format!("tuan-thu-ke-hoach-{id}-{}.json", report.at),
    ))
}

async fn whole_compliance(
    state: &AppState,
    user: &crate::store::UserRow,
    id: i64,
    query: &ComplianceQuery,
) -> Result<PlanCompliance, ApiError> {
    let (plan, part) = readable_plan(state, user, id).await?;
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    let at = query.at.unwrap_or(today);
    check_at(&plan, at, today)?;
    let only = match &query.unit {
        Some(code) => Some(
            state
                .store
                .unit_subtree_ids(code, at)
                .await?
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("unit: no unit with code {code} on {at}"))
                })?,
        ),
        None => None,
    };
    let only = match (only, part) {
        (Some(asked), Some(part)) => Some(asked.intersection(&part).copied().collect()),
        (asked, part) => asked.or(part),
    };
    match plan_compliance(&state.store, id, at, only.as_ref()).await {
        Ok(report) => Ok(report),
        Err(StoreError::NotFound(_)) => Err(ApiError::NotFound(format!("plan {id} not found"))),
        Err(e) => Err(e.into()),
    }
}

/// The assignments `offset..offset + limit` of the report (in task order) with their tasks; a
/// task without assignments goes on the page where its place falls. The summary stays the
/// whole report's.
fn page_of(mut report: PlanCompliance, offset: usize, limit: usize) -> CompliancePage {
    let total: usize = report.tasks.iter().map(|t| t.assignments.len()).sum();
    let end = offset.saturating_add(limit);
    let mut start = 0;
    report.tasks.retain_mut(|task| {
        let len = task.assignments.len();
        let (from, to) = (start, start + len);
        start = to;
        if len == 0 {
            // At the very end (from == total) it goes on the last page.
            return from >= offset && (from < end || (from == total && end >= total));
        }
        if to <= offset || from >= end {
            return false;
        }
        let skip = offset.saturating_sub(from);
        let take = end.min(to) - from - skip;
        task.assignments = task.assignments.drain(..).skip(skip).take(take).collect();
        true
    });
    CompliancePage {
        report,
        page: PageInfo {
            offset,
            limit,
            total_assignments: total,
            next_offset: (end < total).then_some(end),
        },
    }
}
