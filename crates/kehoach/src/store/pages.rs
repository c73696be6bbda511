//! Small reads the web pages need beyond the API's: one task by id.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::plans::TASK_COLUMNS;
use super::scope::SUBTREE;
use super::{StoreError, TaskRow, on_pool};

impl super::Store {
    pub async fn task(&self, id: i64) -> Result<Option<TaskRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TaskRow>(&format!("SELECT {TASK_COLUMNS} FROM tasks WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }
}

impl super::Store {
    /// The tasks of several plans in one read (search looks through every plan it may show),
    /// per plan in position order.
    pub async fn tasks_of_plans(
        &self,
        plan_ids: &[i64],
    ) -> Result<HashMap<i64, Vec<TaskRow>>, StoreError> {
        let mut out: HashMap<i64, Vec<TaskRow>> = HashMap::new();
        // Chunks keep the statement under both backends' limits on bound values.
        for chunk in plan_ids.chunks(500) {
            let params = super::rollups::placeholders(chunk.len(), self.marks());
            let sql = format!(
                "SELECT {TASK_COLUMNS} FROM tasks WHERE plan_id IN ({params}) \
                 ORDER BY plan_id, position"
            );
            let rows: Vec<TaskRow> = on_pool!(self.db(), |pool| {
                let mut query = sqlx::query_as::<_, TaskRow>(&sql);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.fetch_all(pool).await?
            });
            for row in rows {
                out.entry(row.plan_id).or_default().push(row);
            }
        }
        Ok(out)
    }

    /// Ids of the plans with an assignment to one of `unit_ids` (at most 1,000 units; more is
    /// refused so the query stays bounded: callers then look at every plan).
    pub async fn plans_with_units(&self, unit_ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        if unit_ids.is_empty() {
            return Ok(Vec::new());
        }
        if unit_ids.len() > 1000 {
            return Err(StoreError::Invalid("at most 1000 units".into()));
        }
        let params = super::rollups::placeholders(unit_ids.len(), self.marks());
        let sql = format!(
            "SELECT DISTINCT k.plan_id FROM assignments a JOIN tasks k ON k.id = a.task_id \
             WHERE a.unit_id IN ({}) ORDER BY k.plan_id",
            params
        );
        Ok(on_pool!(self.db(), |pool| {
            let mut query = sqlx::query_scalar::<_, i64>(&sql);
            for id in unit_ids {
                query = query.bind(*id);
            }
            query.fetch_all(pool).await?
        }))
    }
}

/// A deliverable of one assignment that was not done by a date: what `/deadlines` lists.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenDeliverable {
    pub task_id: i64,
    pub reference: String,
    pub title: String,
    pub due: chrono::NaiveDate,
    pub plan_number: Option<String>,
    pub plan_title: String,
    pub unit_id: i64,
    pub unit_name: String,
}

/// The open deliverables' filter: a task due on or before `$2`, an assignment not done on or
/// before `$3`, within `$1`'s subtree (`$1` = 0: everywhere).
const OPEN_DELIVERABLES: &str = "k.due IS NOT NULL AND k.due <= $2 AND (a.done_on IS NULL OR a.done_on > $3) \
     AND ($1 = 0 OR a.unit_id IN (SELECT id FROM sub))";

impl super::Store {
    /// How many assignments have a deliverable due on each date up to `until` that was not done
    /// by `at`, within `within`'s subtree (`None`: everywhere), soonest first: the totals of
    /// `/deadlines` without reading every row.
    pub async fn open_deliverable_dues(
        &self,
        at: NaiveDate,
        until: NaiveDate,
        within: Option<i64>,
    ) -> Result<Vec<(NaiveDate, i64)>, StoreError> {
        let sql = format!(
            "{SUBTREE} SELECT k.due, COUNT(*) FROM assignments a JOIN tasks k ON k.id = a.task_id \
             WHERE {OPEN_DELIVERABLES} GROUP BY k.due ORDER BY k.due"
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, (NaiveDate, i64)>(&sql)
                .bind(within.unwrap_or(0))
                .bind(until)
                .bind(at)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The open deliverables (as [`Self::open_deliverable_dues`] counts them) due between
    /// `from` and `until`, soonest first, then by task and unit name; at most `limit` rows.
    pub async fn open_deliverables(
        &self,
        at: NaiveDate,
        from: NaiveDate,
        until: NaiveDate,
        within: Option<i64>,
        limit: i64,
    ) -> Result<Vec<OpenDeliverable>, StoreError> {
        let sql = format!(
            "{SUBTREE} SELECT k.id AS task_id, k.ref AS reference, k.title, k.due, \
             p.number AS plan_number, p.title AS plan_title, a.unit_id, u.name AS unit_name \
             FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
             JOIN units u ON u.id = a.unit_id WHERE {OPEN_DELIVERABLES} AND k.due >= $4 \
             ORDER BY k.due, k.id, u.name LIMIT $5"
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, OpenDeliverable>(&sql)
                .bind(within.unwrap_or(0))
                .bind(until)
                .bind(at)
                .bind(from)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }
}
