//! Plan links (a child plan implements a parent plan) and task links (coverage: the parent task
//! a child task carries out), migration 0019. Each change and its audit entry in one
//! transaction. The rules (what to propose, what to refuse) are in `crate::cascade`; the
//! workflow that joins them is `crate::plan_links`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::audit::record_audit;
use super::rollups::PROVINCE_OF_UNIT;
use super::{Change, StoreError, on_pool};

/// A linked plan, seen from the other end of the link.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct LinkedPlanRow {
    pub plan_id: i64,
    pub number: Option<String>,
    pub title: String,
    pub issuer: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub context_unit_id: Option<i64>,
    /// The citation the link rests on ("" when made by hand).
    pub basis: String,
    /// The activity that completed the parent's "issue your own plan" deliverable.
    pub activity_id: Option<i64>,
    pub created_at: DateTime<Utc>,
}

/// A stored plan as a possible parent: its number, owning unit's code and citations.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlanCitationRow {
    pub id: i64,
    pub number: Option<String>,
    pub context_code: Option<String>,
}

/// A child task mapped to a parent task.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct TaskLinkRow {
    pub child_task_id: i64,
    pub child_plan_id: i64,
    pub parent_task_id: i64,
    pub score: f64,
    pub confirmed: bool,
}

impl super::Store {
    /// A plan's kept extraction (what the importer read), `None` for no such plan.
    pub async fn plan_extraction(
        &self,
        plan_id: i64,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        let value: Option<sqlx::types::Json<serde_json::Value>> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar("SELECT extraction FROM plans WHERE id = $1")
                .bind(plan_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(value.map(|j| j.0))
    }

    /// The plans `plan_id` implements (`parents = true`) or that implement it.
    pub async fn linked_plans(
        &self,
        plan_id: i64,
        parents: bool,
    ) -> Result<Vec<LinkedPlanRow>, StoreError> {
        let (this, other) = if parents {
            ("child_plan_id", "parent_plan_id")
        } else {
            ("parent_plan_id", "child_plan_id")
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, LinkedPlanRow>(&format!(
                "SELECT p.id AS plan_id, p.number, p.title, p.issuer, p.issued_on, p.context_unit_id, \
                 l.basis, l.activity_id, l.created_at FROM plan_links l JOIN plans p ON p.id = l.{other} \
                 WHERE l.{this} = $1 ORDER BY p.issued_on, p.id"
            ))
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every plan `plan_id` implements, directly or through others (at most 32 levels).
    pub async fn plan_ancestors(&self, plan_id: i64) -> Result<Vec<i64>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "WITH RECURSIVE up(id, depth) AS ( \
                 SELECT parent_plan_id, 1 FROM plan_links WHERE child_plan_id = $1 \
                 UNION SELECT l.parent_plan_id, up.depth + 1 FROM plan_links l JOIN up ON l.child_plan_id = up.id \
                 WHERE up.depth < 32) SELECT DISTINCT id FROM up",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The province (unit id) a unit lies in.
    pub async fn province_of_unit(&self, unit_id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(PROVINCE_OF_UNIT)
                .bind(unit_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Every stored plan with its number and owning unit's code, and every (plan, cited number).
    pub async fn plan_citations(
        &self,
    ) -> Result<(Vec<PlanCitationRow>, Vec<(i64, String)>), StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            let plans = sqlx::query_as::<_, PlanCitationRow>(
                "SELECT p.id, p.number, u.code AS context_code FROM plans p \
                 LEFT JOIN units u ON u.id = p.context_unit_id ORDER BY p.id",
            )
            .fetch_all(pool)
            .await?;
            let refs: Vec<(i64, String)> = sqlx::query_as(
                "SELECT plan_id, number FROM plan_references ORDER BY plan_id, number",
            )
            .fetch_all(pool)
            .await?;
            (plans, refs)
        }))
    }

    /// Records that `child` implements `parent`, with the activity that completed the parent's
    /// deliverable (if any). A link that exists already is a [`StoreError::Conflict`].
    pub async fn insert_plan_link(
        &self,
        child: i64,
        parent: i64,
        basis: &str,
        activity_id: Option<i64>,
        by: &Change,
    ) -> Result<(), StoreError> {
        let after = serde_json::json!({
            "child_plan_id": child, "parent_plan_id": parent, "basis": basis, "activity_id": activity_id,
        });
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO plan_links (child_plan_id, parent_plan_id, basis, activity_id, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(child)
            .bind(parent)
            .bind(basis)
            .bind(activity_id)
            .bind(by.user_id)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::conflict_as(format!(
                "a link from plan {child} to plan {parent}"
            )))?;
            record_audit(
                &mut *tx,
                by,
                "create",
                "plan_link",
                format!("{child}>{parent}"),
                None,
                Some(after),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Removes the link and the child's task links to the parent; returns the link's completing
    /// activity (for the caller to remove through the activity write path), or `NotFound`.
    pub async fn delete_plan_link(
        &self,
        child: i64,
        parent: i64,
        by: &Change,
    ) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let row: Option<(String, Option<i64>)> = sqlx::query_as(
                "DELETE FROM plan_links WHERE child_plan_id = $1 AND parent_plan_id = $2 RETURNING basis, activity_id",
            )
            .bind(child)
            .bind(parent)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((basis, activity_id)) = row else {
                return Err(StoreError::NotFound(format!(
                    "a link from plan {child} to plan {parent}"
                )));
            };
            sqlx::query(
                "DELETE FROM task_links WHERE parent_plan_id = $1 \
                 AND child_task_id IN (SELECT id FROM tasks WHERE plan_id = $2)",
            )
            .bind(parent)
            .bind(child)
            .execute(&mut *tx)
            .await?;
            let before = serde_json::json!({
                "child_plan_id": child, "parent_plan_id": parent, "basis": basis, "activity_id": activity_id,
            });
            record_audit(
                &mut *tx,
                by,
                "delete",
                "plan_link",
                format!("{child}>{parent}"),
                Some(before),
                None,
            )
            .await?;
            tx.commit().await?;
            activity_id
        }))
    }

    /// The task links of every child plan of `parent`.
    pub async fn task_links_of_parent(&self, parent: i64) -> Result<Vec<TaskLinkRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TaskLinkRow>(
                "SELECT l.child_task_id, t.plan_id AS child_plan_id, l.parent_task_id, l.score, l.confirmed \
                 FROM task_links l JOIN tasks t ON t.id = l.child_task_id \
                 WHERE l.parent_plan_id = $1 ORDER BY t.plan_id, t.position",
            )
            .bind(parent)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Replaces the unconfirmed proposals of `child` under `parent` with `proposals`
    /// (child task, parent task, score); confirmed mappings stay as the plan office set them.
    pub async fn propose_task_links(
        &self,
        child: i64,
        parent: i64,
        proposals: &[(i64, i64, f64)],
        by: &Change,
    ) -> Result<usize, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "DELETE FROM task_links WHERE parent_plan_id = $1 AND NOT confirmed \
                 AND child_task_id IN (SELECT id FROM tasks WHERE plan_id = $2)",
            )
            .bind(parent)
            .bind(child)
            .execute(&mut *tx)
            .await?;
            let mut made = 0;
            for (child_task, parent_task, score) in proposals {
                let r = sqlx::query(
                    "INSERT INTO task_links (child_task_id, parent_plan_id, parent_task_id, score, confirmed) \
                     SELECT $1, $2, $3, $4, FALSE WHERE EXISTS \
                     (SELECT 1 FROM tasks c JOIN tasks p ON p.id = $3 WHERE c.id = $1 AND c.plan_id = $5 AND p.plan_id = $2) \
                     ON CONFLICT (child_task_id, parent_plan_id) DO NOTHING",
                )
                .bind(child_task)
                .bind(parent)
                .bind(parent_task)
                .bind(score)
                .bind(child)
                .execute(&mut *tx)
                .await?;
                made += r.rows_affected() as usize;
            }
            let after = serde_json::json!({ "child_plan_id": child, "parent_plan_id": parent, "proposed": made });
            record_audit(
                &mut *tx,
                by,
                "propose",
                "task_links",
                format!("{child}>{parent}"),
                None,
                Some(after),
            )
            .await?;
            tx.commit().await?;
            made
        }))
    }

    /// The plan office's word on one child task: it carries out `parent_task` (confirmed), or,
    /// with `None`, nothing of the parent plan (the mapping is removed).
    pub async fn set_task_link(
        &self,
        child_task: i64,
        parent: i64,
        parent_task: Option<i64>,
        by: &Change,
    ) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let before: Option<(i64, bool)> = sqlx::query_as(
                "DELETE FROM task_links WHERE child_task_id = $1 AND parent_plan_id = $2 RETURNING parent_task_id, confirmed",
            )
            .bind(child_task)
            .bind(parent)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(parent_task) = parent_task {
                let r = sqlx::query(
                    "INSERT INTO task_links (child_task_id, parent_plan_id, parent_task_id, score, confirmed) \
                     SELECT $1, $2, $3, 1, TRUE WHERE EXISTS (SELECT 1 FROM tasks p WHERE p.id = $3 AND p.plan_id = $2)",
                )
                .bind(child_task)
                .bind(parent)
                .bind(parent_task)
                .execute(&mut *tx)
                .await?;
                if r.rows_affected() == 0 {
                    return Err(StoreError::NotFound(format!(
                        "task {parent_task} of plan {parent}"
                    )));
                }
            }
            record_audit(
                &mut *tx,
                by,
                "update",
                "task_link",
                format!("{child_task}>{parent}"),
                before.map(|(t, c)| serde_json::json!({"parent_task_id": t, "confirmed": c})),
                Some(serde_json::json!({"parent_task_id": parent_task, "confirmed": true})),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}
