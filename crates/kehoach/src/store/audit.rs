//! The audit log: who changed what, when, from what to what. Append-only — the database refuses
//! UPDATE and DELETE on the table (triggers in the migrations).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{StoreError, on_pool};

/// Who made a change, as the audit log records it.
#[derive(Debug, Clone)]
pub struct Change {
    pub user_id: Option<i64>,
    /// A username, or "cli" / "system" for changes made without a signed-in user.
    pub actor: String,
}

impl Change {
    pub fn system(actor: &str) -> Self {
        Change {
            user_id: None,
            actor: actor.to_string(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<sqlx::types::Json<Value>>,
    pub after: Option<sqlx::types::Json<Value>>,
}

/// Appends one entry on the given connection or transaction, so the entry commits (or rolls back)
/// with the change it describes.
macro_rules! record_audit {
    ($conn:expr, $change:expr, $action:expr, $entity:expr, $entity_id:expr, $before:expr, $after:expr) => {{
        let change: &$crate::store::Change = $change;
        let before: Option<serde_json::Value> = $before;
        let after: Option<serde_json::Value> = $after;
        sqlx::query(
            "INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, before, after) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(chrono::Utc::now())
        .bind(change.user_id)
        .bind(&change.actor)
        .bind($action)
        .bind($entity)
        .bind($entity_id.to_string())
        .bind(before.map(sqlx::types::Json))
        .bind(after.map(sqlx::types::Json))
        .execute($conn)
        .await
    }};
}
pub(crate) use record_audit;

impl super::Store {
    /// The newest entries first, optionally for one entity ("unit", "plan", …).
    pub async fn audit_entries(
        &self,
        entity: Option<&str>,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, AuditEntry>(
                "SELECT id, at, user_id, actor, action, entity, entity_id, before, after \
                 FROM audit_log WHERE ($1 IS NULL OR entity = $1) ORDER BY id DESC LIMIT $2",
            )
            .bind(entity)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
