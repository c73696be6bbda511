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
