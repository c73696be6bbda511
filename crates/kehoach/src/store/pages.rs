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
