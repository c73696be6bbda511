//! `/deadlines` grouped by task: per task with a due date, how many of its assignments are in
//! each of the four official states on a date, and its units' rows for the tasks a page shows.
//! Filters (plan, unit, state) and the caller's subtree are applied in SQL; every value is bound.

use chrono::NaiveDate;

use super::scope::SUBTREE;
use super::{StoreError, on_pool};

/// Which assignments a deadline list keeps, by their state on the date (`$2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineFilter {
    /// Not done (overdue or within the deadline): the default.
    Open,
    Overdue,
    WithinDeadline,
    DoneLate,
    DoneOnTime,
    Any,
}

impl DeadlineFilter {
    /// The condition on `a` (assignment) and `k` (task); `$2` is the date.
    fn sql(self) -> &'static str {
        match self {
            DeadlineFilter::Open => "(a.done_on IS NULL OR a.done_on > $2)",
            DeadlineFilter::Overdue => "(a.done_on IS NULL OR a.done_on > $2) AND k.due < $2",
            DeadlineFilter::WithinDeadline => {
                "(a.done_on IS NULL OR a.done_on > $2) AND k.due >= $2"
            }
            DeadlineFilter::DoneLate => "a.done_on <= $2 AND a.done_on > k.due",
            DeadlineFilter::DoneOnTime => "a.done_on <= $2 AND a.done_on <= k.due",
            DeadlineFilter::Any => "1 = 1",
        }
    }
}

/// Where a deadline list looks: the subtree (`None`: everywhere), a plan, a unit, the state.
#[derive(Debug, Clone, Copy)]
pub struct DeadlineScope {
    pub within: Option<i64>,
    pub plan: Option<i64>,
    pub unit: Option<i64>,
    pub filter: DeadlineFilter,
    pub at: NaiveDate,
}

/// A task with a due date and how many of its assignments (those kept) are in each state.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeadlineTask {
    pub task_id: i64,
    pub reference: String,
    pub title: String,
    pub due: NaiveDate,
    pub plan_id: i64,
    pub plan_number: Option<String>,
    pub plan_title: String,
    pub units: i64,
    pub done_on_time: i64,
    pub done_late: i64,
    pub within_deadline: i64,
    pub overdue: i64,
}

/// One unit's deliverable of a listed task.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeadlineUnit {
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub done_on: Option<NaiveDate>,
}

/// The filter shared by the three reads: $1 subtree root (0: everywhere), $2 the date, $3 plan
/// (0: any), $4 unit (0: any).
const WHERE: &str = "k.due IS NOT NULL AND ($1 = 0 OR a.unit_id IN (SELECT id FROM sub)) \
     AND ($3 = 0 OR k.plan_id = $3) AND ($4 = 0 OR a.unit_id = $4)";

impl super::Store {
    /// How many tasks [`Self::deadline_tasks`] would list without a limit.
    pub async fn count_deadline_tasks(&self, scope: &DeadlineScope) -> Result<i64, StoreError> {
        let sql = format!(
            "{SUBTREE} SELECT CAST(COUNT(DISTINCT k.id) AS BIGINT) FROM assignments a \
             JOIN tasks k ON k.id = a.task_id WHERE {WHERE} AND {}",
            scope.filter.sql()
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(scope.within.unwrap_or(0))
                .bind(scope.at)
                .bind(scope.plan.unwrap_or(0))
                .bind(scope.unit.unwrap_or(0))
                .fetch_one(pool)
                .await?
        }))
    }

    /// The tasks with a deliverable kept by the scope, newest due date first, `limit` from
    /// `offset`, each with its assignments counted by state.
    pub async fn deadline_tasks(
        &self,
        scope: &DeadlineScope,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<DeadlineTask>, StoreError> {
        let sql = format!(
            "{SUBTREE} SELECT k.id AS task_id, k.ref AS reference, k.title, k.due, \
             p.id AS plan_id, p.number AS plan_number, p.title AS plan_title, \
             CAST(COUNT(*) AS BIGINT) AS units, \
             CAST(SUM(CASE WHEN a.done_on <= $2 AND a.done_on <= k.due THEN 1 ELSE 0 END) AS BIGINT) AS done_on_time, \
             CAST(SUM(CASE WHEN a.done_on <= $2 AND a.done_on > k.due THEN 1 ELSE 0 END) AS BIGINT) AS done_late, \
             CAST(SUM(CASE WHEN (a.done_on IS NULL OR a.done_on > $2) AND k.due >= $2 THEN 1 ELSE 0 END) AS BIGINT) AS within_deadline, \
             CAST(SUM(CASE WHEN (a.done_on IS NULL OR a.done_on > $2) AND k.due < $2 THEN 1 ELSE 0 END) AS BIGINT) AS overdue \
             FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
             WHERE {WHERE} AND {} \
             GROUP BY k.id, k.ref, k.title, k.due, p.id, p.number, p.title \
             ORDER BY k.due DESC, k.id DESC LIMIT $5 OFFSET $6",
            scope.filter.sql()
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, DeadlineTask>(&sql)
                .bind(scope.within.unwrap_or(0))
                .bind(scope.at)
                .bind(scope.plan.unwrap_or(0))
                .bind(scope.unit.unwrap_or(0))
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The units (kept by the scope) of the tasks `task_ids` (at most 100), by task and name.
    pub async fn deadline_units(
        &self,
        scope: &DeadlineScope,
        task_ids: &[i64],
    ) -> Result<Vec<DeadlineUnit>, StoreError> {
        if task_ids.is_empty() {
            return Ok(Vec::new());
        }
        if task_ids.len() > 100 {
            return Err(StoreError::Invalid("at most 100 tasks".into()));
        }
        // Numbered like the rest of the statement ($5, $6, …): at most 100 of them.
        let ids = (5..5 + task_ids.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "{SUBTREE} SELECT a.task_id, a.unit_id, u.name AS unit_name, a.done_on \
             FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN units u ON u.id = a.unit_id \
             WHERE {WHERE} AND {} AND a.task_id IN ({ids}) ORDER BY a.task_id, u.name",
            scope.filter.sql()
        );
        Ok(on_pool!(self.db(), |pool| {
            let mut query = sqlx::query_as::<_, DeadlineUnit>(&sql)
                .bind(scope.within.unwrap_or(0))
                .bind(scope.at)
                .bind(scope.plan.unwrap_or(0))
                .bind(scope.unit.unwrap_or(0));
            for id in task_ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await?
        }))
    }
}
