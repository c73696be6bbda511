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

/// A unit as the report's header and its per-unit table need it: with its short name (without
/// type word or parent), administrative type and agency category.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ReportUnitRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub short_name: String,
    /// `province`, `district`, `commune` or `agency`.
    pub kind: String,
    /// The administrative type code ("tinh", "tp", "huyen", "phuong", "xa", …).
    pub type_word: Option<String>,
    /// An agency's category ("people_committee", "department", "media", …).
    pub category: Option<String>,
    pub parent_id: Option<i64>,
    /// The parent's kind, when it has one.
    pub parent_kind: Option<String>,
}

/// What a plan's activities add up to in a span, per assignment and kind of activity.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ActivitySumRow {
    pub task_id: i64,
    pub unit_id: i64,
    pub kind: String,
    pub activities: i64,
    pub quantity: f64,
    /// Σ attendance of the activities that give one.
    pub attendance: i64,
}

/// An activity that completed a deliverable: the documents a report's "công tác chỉ đạo" cites.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct CompletionRow {
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
}

/// A plan that implements another ("Thực hiện Kế hoạch số …"): it lists the other's number
/// among its references.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct ChildPlanRow {
    pub id: i64,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub context_unit_id: Option<i64>,
}

const REPORT_UNIT_SELECT: &str = "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.type_word, \
    u.category, u.parent_id, p.kind AS parent_kind FROM units u LEFT JOIN units p ON p.id = u.parent_id";

/// Most completions a report reads (it cites a handful; the rest are counted from the sums).
const MAX_COMPLETIONS: i64 = 2_000;

impl super::Store {
    /// One unit with what a report's header needs.
    pub async fn report_unit(&self, id: i64) -> Result<Option<ReportUnitRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReportUnitRow>(&format!("{REPORT_UNIT_SELECT} WHERE u.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The units holding an assignment of the plan.
    pub async fn assignment_units(&self, plan_id: i64) -> Result<Vec<ReportUnitRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReportUnitRow>(&format!(
                "{REPORT_UNIT_SELECT} WHERE u.id IN (SELECT s.unit_id FROM assignments s \
                 JOIN tasks k ON k.id = s.task_id WHERE k.plan_id = $1)"
            ))
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Σ activities, quantity and attendance per task × unit × kind, dated `from ..= to`.
    pub async fn activity_sums(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<ActivitySumRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivitySumRow>(&format!(
                "SELECT k.id AS task_id, s.unit_id, a.kind, COUNT(*) AS activities, \
                 CAST(SUM(a.quantity) AS DOUBLE PRECISION) AS quantity, \
                 CAST(COALESCE(SUM(a.attendance), 0) AS BIGINT) AS attendance {FROM_PLAN} \
                 GROUP BY k.id, s.unit_id, a.kind"
            ))
            .bind(plan_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The activities that completed a deliverable, dated `from ..= to` (at most 2,000, by date).
    pub async fn completions(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CompletionRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, CompletionRow>(&format!(
                "SELECT k.id AS task_id, s.unit_id, u.name AS unit_name, a.occurred_on, a.kind, \
                 a.title {FROM_PLAN} AND a.completes ORDER BY a.occurred_on, a.id LIMIT {MAX_COMPLETIONS}"
            ))
            .bind(plan_id)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Plans whose references name `number` (the plans issued to implement it), but `plan_id`.
    pub async fn child_plans(
        &self,
        plan_id: i64,
        number: &str,
    ) -> Result<Vec<ChildPlanRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ChildPlanRow>(
                "SELECT p.id, p.number, p.title, p.issuer, p.issued_on, p.context_unit_id FROM plans p \
                 WHERE p.id <> $1 AND p.id IN (SELECT r.plan_id FROM plan_references r WHERE r.number = $2) \
                 ORDER BY p.issued_on, p.id",
            )
            .bind(plan_id)
            .bind(number)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The section headings above each task as the importer read them (task ref → "II > 2. …"),
    /// from the plan's kept extraction; empty when it has none.
    pub async fn task_sections(
        &self,
        plan_id: i64,
    ) -> Result<std::collections::HashMap<String, String>, StoreError> {
        let extraction: Option<sqlx::types::Json<serde_json::Value>> =
            on_pool!(self.db(), |pool| {
                sqlx::query_scalar("SELECT extraction FROM plans WHERE id = $1")
                    .bind(plan_id)
                    .fetch_optional(pool)
                    .await?
            });
        let mut out = std::collections::HashMap::new();
        let tasks = extraction
            .as_ref()
            .and_then(|j| j.0.get("tasks"))
            .and_then(|t| t.as_array());
        for task in tasks.into_iter().flatten() {
            if let (Some(r), Some(s)) = (
                task.get("ref").and_then(|v| v.as_str()),
                task.get("section").and_then(|v| v.as_str()),
            ) {
                out.insert(kehoach_core::text::nfc(r), s.to_string());
            }
        }
        Ok(out)
    }
}
