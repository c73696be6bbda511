//! What the exports read in bulk: a plan's activities with their task and unit, and their
//! evidence, over a span of dates (one query each, not one per assignment).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{EvidenceRow, StoreError, on_pool};

/// An activity with the task and unit it was reported for.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct PlanActivityRow {
    pub id: i64,
    pub assignment_id: i64,
    pub task_id: i64,
    pub task_reference: String,
    pub task_title: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
    pub quantity: f64,
    pub duration_minutes: Option<i64>,
    pub attendance: Option<i64>,
    pub completes: bool,
    pub note: String,
    pub recorded_at: DateTime<Utc>,
}

const FROM_PLAN: &str = "FROM activities a JOIN assignments s ON s.id = a.assignment_id \
    JOIN tasks k ON k.id = s.task_id JOIN units u ON u.id = s.unit_id \
    WHERE k.plan_id = $1 AND a.occurred_on >= $2 AND a.occurred_on <= $3";

impl super::Store {
    /// A plan's activities dated `from ..= to`, by task order, unit code, date.
    pub async fn activities_of_plan(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PlanActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, PlanActivityRow>(&format!(
                "SELECT a.id, a.assignment_id, k.id AS task_id, k.ref AS task_reference, \
                 k.title AS task_title, s.unit_id, u.code AS unit_code, u.name AS unit_name, \
                 a.occurred_on, a.kind, a.title, a.quantity, a.duration_minutes, a.attendance, \
                 a.completes, a.note, a.recorded_at {FROM_PLAN} \
                 ORDER BY k.position, u.code, a.occurred_on, a.id"
            ))
            .bind(plan_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The evidence of the same activities, by activity then evidence order.
    pub async fn evidence_of_plan(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(&format!(
                "SELECT e.id, e.activity_id, e.kind, e.url, e.sha256, e.file_name, e.content_type, \
                 e.size_bytes FROM evidence e JOIN ({} ) act ON act.id = e.activity_id \
                 ORDER BY e.activity_id, e.id",
                format_args!("SELECT a.id {FROM_PLAN}")
            ))
            .bind(plan_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }
}
