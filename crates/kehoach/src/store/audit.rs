//! The audit log: who changed what, when, from what to what. Append-only — the database refuses
//! UPDATE and DELETE on the table (triggers in the migrations).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::rollups::Arg;
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

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub user_id: Option<i64>,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    /// The state before the change (null for a creation).
    #[schema(value_type = Option<Object>)]
    pub before: Option<sqlx::types::Json<Value>>,
    /// The state after the change (null for a deletion).
    #[schema(value_type = Option<Object>)]
    pub after: Option<sqlx::types::Json<Value>>,
}

/// The audit entry's insert (`{}`: the rows of [`entry_args`], 8 a row; see
/// `rollups::multi_row`).
pub(crate) const AUDIT_INSERT: &str = "INSERT INTO audit_log (at, user_id, actor, action, entity, \
     entity_id, before, after) {}";

/// One entry's values for [`AUDIT_INSERT`].
pub(crate) fn entry_args(
    change: &Change,
    action: &str,
    entity: &str,
    entity_id: &str,
    before: Option<Value>,
    after: Option<Value>,
    at: DateTime<Utc>,
) -> [Arg; 8] {
    [
        Arg::Time(at),
        Arg::OptI64(change.user_id),
        Arg::Text(change.actor.clone()),
        Arg::Text(action.into()),
        Arg::Text(entity.into()),
        Arg::Text(entity_id.into()),
        Arg::Json(before),
        Arg::Json(after),
    ]
}

/// Appends one entry on the given connection or transaction (of either backend), so the entry
/// commits (or rolls back) with the change it describes.
pub(crate) async fn record_audit<'c, DB>(
    conn: impl sqlx::Executor<'c, Database = DB>,
    change: &Change,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), sqlx::Error>
where
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> DateTime<Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<sqlx::types::Json<Value>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    sqlx::query::<DB>(
        "INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Utc::now())
    .bind(change.user_id)
    .bind(change.actor.clone())
    .bind(action.to_string())
    .bind(entity.to_string())
    .bind(entity_id.to_string())
    .bind(before.map(sqlx::types::Json))
    .bind(after.map(sqlx::types::Json))
    .execute(conn)
    .await?;
    Ok(())
}

/// Which audit entries to read. Instants are UTC; `from` inclusive, `to` exclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Exactly this actor (a username, "cli", "system").
    pub actor: Option<String>,
    /// Exactly this entity kind ("unit", "user", "api_token", "plan", "activity").
    pub entity: Option<String>,
    /// Only entries about things within this unit's subtree (`None`: all entries).
    pub within: Option<i64>,
    /// Only entries older than this id (the next page of a newest-first listing).
    pub before_id: Option<i64>,
    /// Only entries newer than this id (the next page of an oldest-first export).
    pub after_id: Option<i64>,
}

/// The unit an entry is about, derived from the entity it names (so entries written before this
/// query existed are scoped too): an activity's assignment's unit, a plan's issuing unit, a
/// user's (or a token's user's) unit, a unit itself. Entries about anything else (a batch of
/// shipped units, kinds added later without a line here) have no unit: administrators only.
/// `{ID}` is the entity id as an integer, written per dialect.
const UNIT_OF_ENTRY: &str = "CASE l.entity \
    WHEN 'activity' THEN (SELECT a.unit_id FROM activities v JOIN assignments a ON a.id = v.assignment_id WHERE v.id = {ID}) \
    WHEN 'plan' THEN (SELECT p.context_unit_id FROM plans p WHERE p.id = {ID}) \
    WHEN 'user' THEN (SELECT u.unit_id FROM users u WHERE u.id = {ID}) \
    WHEN 'api_token' THEN (SELECT u.unit_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = {ID}) \
    WHEN 'unit' THEN (SELECT x.id FROM units x WHERE x.id = {ID}) \
    WHEN 'task' THEN (SELECT p.context_unit_id FROM tasks k JOIN plans p ON p.id = k.plan_id WHERE k.id = {ID}) END";

/// The filtered listing; `$1` scope root, `$2`..`$7` the filter, `$8` the limit.
const AUDIT_QUERY: &str = "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) \
     UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
     SELECT l.id, l.at, l.user_id, l.actor, l.action, l.entity, l.entity_id, l.before, l.after \
     FROM audit_log l \
     WHERE ($2 IS NULL OR l.at >= $2) AND ($3 IS NULL OR l.at < $3) \
     AND ($4 IS NULL OR l.actor = $4) AND ($5 IS NULL OR l.entity = $5) \
     AND ($6 IS NULL OR l.id < $6) AND ($7 IS NULL OR l.id > $7) \
     AND ($1 IS NULL OR ({UNIT_OF}) IN (SELECT id FROM sub)) \
     ORDER BY l.id {ORDER} LIMIT $8";

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

    /// Entries matching the filter: newest first, or oldest first when `oldest_first` (exports).
    /// At most `limit`.
    pub async fn audit_log(
        &self,
        filter: &AuditFilter,
        oldest_first: bool,
        limit: i64,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let order = if oldest_first { "ASC" } else { "DESC" };
        // Only constant SQL is spliced in; every value is bound.
        let sql = |id: &str| {
            AUDIT_QUERY
                .replace("{UNIT_OF}", &UNIT_OF_ENTRY.replace("{ID}", id))
                .replace("{ORDER}", order)
        };
        // The entry's entity id as a number, or nothing when it is not one ('batch').
        let sql = match self.backend() {
            // SQLite casts a non-number to 0, which names nothing.
            super::Backend::Sqlite => sql("CAST(l.entity_id AS INTEGER)"),
            super::Backend::Postgres => sql(
                "(CASE WHEN l.entity_id ~ '^[0-9]{1,18}$' THEN CAST(l.entity_id AS BIGINT) END)",
            ),
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, AuditEntry>(&sql)
                .bind(filter.within)
                .bind(filter.from)
                .bind(filter.to)
                .bind(&filter.actor)
                .bind(&filter.entity)
                .bind(filter.before_id)
                .bind(filter.after_id)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }
}
