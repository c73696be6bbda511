//! Plans in the store: a plan with its references and tasks; each task's targets, resolved
//! units, unresolved unit text, and one assignment per lead unit — written in one transaction.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use kehoach_core::period::Per;
use kehoach_core::text::{fold, nfc};
use serde::Serialize;

use super::audit::record_audit;
use super::rollups::PROVINCE_OF_UNIT;
use super::{Change, StoreError, on_pool};

/// A plan to store, as the importer and the unit resolver made it. (De)serialisable: a plan
/// waiting for its uploader's confirmation is kept in `pending_imports` as JSON.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct NewPlan {
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub context_unit_id: Option<i64>,
    pub grace_days: i64,
    pub source_name: String,
    pub source_sha256: String,
    pub source_size: i64,
    /// The extraction as the importer produced it (kehoach.plan/1), kept for review.
    pub extraction: serde_json::Value,
    pub references: Vec<String>,
    pub tasks: Vec<NewTask>,
}

#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
pub struct NewTask {
    pub reference: String,
    pub title: String,
    pub content: String,
    pub lead_text: String,
    pub partner_text: String,
    pub window_from: Option<NaiveDate>,
    pub window_to: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub targets: Vec<NewTarget>,
    /// Units the lead text resolved to, with how they matched; each gets an assignment.
    pub leads: Vec<(i64, String)>,
    pub partners: Vec<(i64, String)>,
    /// Text that named no unit: (role, text, "vague" | "unknown").
    pub unresolved: Vec<(String, String, String)>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct NewTarget {
    pub count: f64,
    pub per: Per,
    pub noun: String,
}

/// What storing a plan made.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PlanCreated {
    pub plan_id: i64,
    pub tasks: usize,
    pub assignments: usize,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct PlanRow {
    pub id: i64,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub context_unit_id: Option<i64>,
    pub grace_days: i64,
    pub source_name: String,
    pub source_sha256: String,
    /// Archived on this day (issue 19): read-only, out of "Việc của tôi", still in reports.
    pub archived_on: Option<NaiveDate>,
}

pub(super) const PLAN_COLUMNS: &str = "id, number, title, issuer, issued_on, period_from, period_to, \
                            context_unit_id, grace_days, source_name, source_sha256, archived_on";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskRow {
    pub id: i64,
    pub plan_id: i64,
    pub position: i64,
    #[sqlx(rename = "ref")]
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub content: String,
    pub lead_text: String,
    pub partner_text: String,
    pub window_from: Option<NaiveDate>,
    pub window_to: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TargetRow {
    pub id: i64,
    pub task_id: i64,
    pub count: f64,
    pub per: String,
    pub noun: String,
}

/// An assignment with its unit, as lists and the compliance engine need it.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct AssignmentRow {
    pub id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub done_on: Option<NaiveDate>,
    pub activity_count: i64,
    pub last_activity_on: Option<NaiveDate>,
}

/// The columns of a [`TaskRow`].
pub(super) const TASK_COLUMNS: &str = "id, plan_id, position, ref, title, content, lead_text, partner_text, window_from, window_to, due";

pub(super) const ASSIGNMENT_SELECT: &str = "SELECT a.id, a.task_id, a.unit_id, u.code AS unit_code, \
    u.name AS unit_name, a.done_on, a.activity_count, a.last_activity_on \
    FROM assignments a JOIN units u ON u.id = a.unit_id";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct UnresolvedRow {
    pub id: i64,
    pub task_id: i64,
    pub role: String,
    pub text: String,
    pub reason: String,
}

impl super::Store {
    /// Stores a whole plan in one transaction: nothing is stored if any part fails.
    pub async fn create_plan(
        &self,
        plan: &NewPlan,
        by: &Change,
    ) -> Result<PlanCreated, StoreError> {
        let title = nfc(&plan.title);
        let search = fold(&format!(
            "{} {}",
            plan.number.as_deref().unwrap_or(""),
            title
        ));
        let now = Utc::now();
        let extraction = sqlx::types::Json(&plan.extraction);
        let summary = serde_json::json!({
            "number": plan.number, "title": title, "source": plan.source_name,
            "sha256": plan.source_sha256, "tasks": plan.tasks.len(),
        });
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let plan_id: i64 = sqlx::query_scalar(
                "INSERT INTO plans (number, title, issuer, issued_on, period_from, period_to, \
                 context_unit_id, grace_days, source_name, source_sha256, source_size, extraction, \
                 search_text, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            )
            .bind(plan.number.as_deref().map(nfc))
            .bind(&title)
            .bind(plan.issuer.as_deref().map(nfc))
            .bind(plan.issued_on)
            .bind(plan.period_from)
            .bind(plan.period_to)
            .bind(plan.context_unit_id)
            .bind(plan.grace_days)
            .bind(&plan.source_name)
            .bind(&plan.source_sha256)
            .bind(plan.source_size)
            .bind(extraction)
            .bind(&search)
            .bind(by.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            for reference in &plan.references {
                sqlx::query("INSERT INTO plan_references (plan_id, number) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(plan_id)
                    .bind(nfc(reference))
                    .execute(&mut *tx)
                    .await?;
            }
            let mut assignments = 0;
            let mut provinces: HashMap<i64, i64> = HashMap::new();
            for (position, task) in plan.tasks.iter().enumerate() {
                let title = nfc(&task.title);
                let task_id: i64 = sqlx::query_scalar(
                    "INSERT INTO tasks (plan_id, position, ref, title, content, lead_text, partner_text, \
                     window_from, window_to, due, search_text) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(plan_id)
                .bind(position as i64)
                .bind(nfc(&task.reference))
                .bind(&title)
                .bind(nfc(&task.content))
                .bind(nfc(&task.lead_text))
                .bind(nfc(&task.partner_text))
                .bind(task.window_from)
                .bind(task.window_to)
                .bind(task.due)
                .bind(fold(&format!("{} {}", task.reference, title)))
                .fetch_one(&mut *tx)
                .await?;
                for (i, target) in task.targets.iter().enumerate() {
                    sqlx::query("INSERT INTO targets (task_id, position, count, per, noun) VALUES ($1, $2, $3, $4, $5)")
                        .bind(task_id)
                        .bind(i as i64)
                        .bind(target.count)
                        .bind(target.per.as_str())
                        .bind(nfc(&target.noun))
                        .execute(&mut *tx)
                        .await?;
                }
                for (role, units) in [("lead", &task.leads), ("partner", &task.partners)] {
                    for (unit_id, match_kind) in units {
                        sqlx::query(
                            "INSERT INTO task_units (task_id, unit_id, role, match_kind) VALUES ($1, $2, $3, $4) \
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(task_id)
                        .bind(unit_id)
                        .bind(role)
                        .bind(match_kind)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                let mut per_province: BTreeMap<i64, i64> = BTreeMap::new();
                for (unit_id, _) in &task.leads {
                    let province_id = match provinces.get(unit_id) {
                        Some(p) => *p,
                        None => {
                            let p: Option<i64> = sqlx::query_scalar(PROVINCE_OF_UNIT)
                                .bind(unit_id)
                                .fetch_optional(&mut *tx)
                                .await?;
                            let p = p.unwrap_or(0);
                            provinces.insert(*unit_id, p);
                            p
                        }
                    };
                    let made = sqlx::query(
                        "INSERT INTO assignments (task_id, unit_id, province_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                    )
                    .bind(task_id)
                    .bind(unit_id)
                    .bind(province_id)
                    .execute(&mut *tx)
                    .await?;
                    let made = made.rows_affected() as i64;
                    assignments += made as usize;
                    *per_province.entry(province_id).or_default() += made;
                }
                // The roll-ups count assignments per task and province.
                for (province_id, n) in per_province {
                    sqlx::query(
                        "INSERT INTO rollup_units (task_id, province_id, assignments) VALUES ($1, $2, $3) \
                         ON CONFLICT (task_id, province_id) DO UPDATE \
                         SET assignments = rollup_units.assignments + excluded.assignments",
                    )
                    .bind(task_id)
                    .bind(province_id)
                    .bind(n)
                    .execute(&mut *tx)
                    .await?;
                }
                for (role, text, reason) in &task.unresolved {
                    sqlx::query("INSERT INTO task_unresolved (task_id, role, text, reason) VALUES ($1, $2, $3, $4)")
                        .bind(task_id)
                        .bind(role)
                        .bind(nfc(text))
                        .bind(reason)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            record_audit(&mut *tx, by, "create", "plan", plan_id, None, Some(summary)).await?;
            tx.commit().await?;
            PlanCreated {
                plan_id,
                tasks: plan.tasks.len(),
                assignments,
            }
        }))
    }

    pub async fn plans(&self) -> Result<Vec<PlanRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, PlanRow>(&format!(
                "SELECT {PLAN_COLUMNS} FROM plans ORDER BY id DESC"
            ))
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn plan(&self, id: i64) -> Result<Option<PlanRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, PlanRow>(&format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn tasks_of_plan(&self, plan_id: i64) -> Result<Vec<TaskRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TaskRow>(&format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE plan_id = $1 ORDER BY position"
            ))
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn targets_of_plan(&self, plan_id: i64) -> Result<Vec<TargetRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TargetRow>(
                "SELECT t.id, t.task_id, t.count, t.per, t.noun FROM targets t \
                 JOIN tasks k ON k.id = t.task_id WHERE k.plan_id = $1 ORDER BY t.task_id, t.position",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn assignments_of_plan(
        &self,
        plan_id: i64,
    ) -> Result<Vec<AssignmentRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, AssignmentRow>(&format!(
                "{ASSIGNMENT_SELECT} JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1 ORDER BY a.task_id, u.code"
            ))
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn assignment(&self, id: i64) -> Result<Option<AssignmentRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, AssignmentRow>(&format!("{ASSIGNMENT_SELECT} WHERE a.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    pub async fn unresolved_of_plan(&self, plan_id: i64) -> Result<Vec<UnresolvedRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnresolvedRow>(
                "SELECT r.id, r.task_id, r.role, r.text, r.reason FROM task_unresolved r \
                 JOIN tasks k ON k.id = r.task_id WHERE k.plan_id = $1 AND r.resolved_unit_id IS NULL \
                 ORDER BY r.task_id, r.id",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

impl super::Store {
    /// The document numbers a plan cites, in order of number.
    pub async fn references_of_plan(&self, plan_id: i64) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT number FROM plan_references WHERE plan_id = $1 ORDER BY number",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }
}
