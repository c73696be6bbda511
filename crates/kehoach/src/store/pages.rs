//! Small reads the web pages need beyond the API's: one task by id.

use super::{StoreError, TaskRow, on_pool};

impl super::Store {
    pub async fn task(&self, id: i64) -> Result<Option<TaskRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TaskRow>(
                "SELECT id, plan_id, position, ref, title, content, lead_text, partner_text, \
                 window_from, window_to, due FROM tasks WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }
}

impl super::Store {
    /// Ids of the plans with an assignment to one of `unit_ids` (at most 1,000 units; more is
    /// refused so the query stays bounded: callers then look at every plan).
    pub async fn plans_with_units(&self, unit_ids: &[i64]) -> Result<Vec<i64>, StoreError> {
        if unit_ids.is_empty() {
            return Ok(Vec::new());
        }
        if unit_ids.len() > 1000 {
            return Err(StoreError::Invalid("at most 1000 units".into()));
        }
        let placeholders: Vec<String> = (1..=unit_ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT DISTINCT k.plan_id FROM assignments a JOIN tasks k ON k.id = a.task_id \
             WHERE a.unit_id IN ({}) ORDER BY k.plan_id",
            placeholders.join(", ")
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

impl super::Store {
    /// Every assignment of a task due on or before `until` with no done date on or before `at`,
    /// soonest first; at most `limit` rows.
    pub async fn open_deliverables(
        &self,
        at: chrono::NaiveDate,
        until: chrono::NaiveDate,
        limit: i64,
    ) -> Result<Vec<OpenDeliverable>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, OpenDeliverable>(
                "SELECT k.id AS task_id, k.ref AS reference, k.title, k.due, p.number AS plan_number, \
                 p.title AS plan_title, a.unit_id, u.name AS unit_name \
                 FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
                 JOIN units u ON u.id = a.unit_id \
                 WHERE k.due IS NOT NULL AND k.due <= $1 AND (a.done_on IS NULL OR a.done_on > $2) \
                 ORDER BY k.due, k.id, u.name LIMIT $3",
            )
            .bind(until)
            .bind(at)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
