//! Small reads the web pages need beyond the API's: one task by id, the tasks of several plans,
//! the plans that give some units work.

use std::collections::HashMap;

use super::plans::TASK_COLUMNS;
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
