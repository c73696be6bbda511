//! Users and their API tokens. Passwords arrive here already hashed (argon2id, hashed off the
//! async runtime by the caller); tokens are kept as their SHA-256 only.

use chrono::{DateTime, Utc};

use super::audit::record_audit;
use super::{AssignmentRow, Change, StoreError, on_pool};

/// What a user may do; the scope is always the subtree of the user's unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, everywhere.
    Admin,
    /// Manages plans and sees everything within its unit's subtree.
    PlanOffice,
    /// Logs and edits activities of its own unit's assignments.
    Reporter,
    /// Reads plans, handles budget lines.
    Finance,
    /// Reads within its unit's subtree.
    Viewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::PlanOffice => "plan_office",
            Role::Reporter => "reporter",
            Role::Finance => "finance",
            Role::Viewer => "viewer",
        }
    }
}

impl TryFrom<String> for Role {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Ok(match s.as_str() {
            "admin" => Role::Admin,
            "plan_office" => Role::PlanOffice,
            "reporter" => Role::Reporter,
            "finance" => Role::Finance,
            "viewer" => Role::Viewer,
            _ => return Err(format!("unknown role {s:?}")),
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub unit_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: DateTime<Utc>,
}

/// A user with an assignment read beside it (LEFT JOIN: the assignment's columns may be NULL).
#[derive(sqlx::FromRow)]
struct UserAssignmentRow {
    #[sqlx(flatten)]
    user: UserRow,
    a_id: Option<i64>,
    a_task_id: Option<i64>,
    a_unit_id: Option<i64>,
    a_unit_code: Option<String>,
    a_unit_name: Option<String>,
    a_done_on: Option<chrono::NaiveDate>,
    a_activity_count: Option<i64>,
    a_last_activity_on: Option<chrono::NaiveDate>,
    c_unit_kind: Option<String>,
    c_unit_category: Option<String>,
    c_administrative: Option<i64>,
    within_unit: bool,
    within_administrative: bool,
}

/// Where an assignment lies from a caller's unit, read with the caller
/// (`Store::user_and_assignment_by_token_hash`): the caller's unit's roots, and whether the
/// assignment's unit is at or under each of them. What the permission check would otherwise
/// ask the database (`web::authz::Authz::known`).
#[derive(Debug, Clone, Copy)]
pub struct CallerReach {
    pub roots: super::UnitRoots,
    pub assignment_id: i64,
    pub within_unit: bool,
    pub within_administrative: bool,
}

const USER_COLUMNS: &str = "id, username, display_name, password_hash, unit_id, role, disabled, \
                            must_change_password, created_at";

impl super::Store {
    /// Creates a user whose password is known to them (`must_change_password` false); a user
    /// given a one-time password is then marked with `require_password_change`.
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        unit_id: Option<i64>,
        role: Role,
        password_hash: &str,
        by: &Change,
    ) -> Result<UserRow, StoreError> {
        let after = serde_json::json!({"username": username, "unit_id": unit_id, "role": role});
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, UserRow>(&format!(
                "INSERT INTO users (username, display_name, password_hash, unit_id, role, \
                 must_change_password, created_at) \
                 VALUES ($1, $2, $3, $4, $5, FALSE, $6) RETURNING {USER_COLUMNS}"
            ))
            .bind(username)
            .bind(display_name)
            .bind(password_hash)
            .bind(unit_id)
            .bind(role.as_str())
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::conflict_as(format!("user {username}")))?;
            record_audit(&mut *tx, by, "create", "user", row.id, None, Some(after)).await?;
            tx.commit().await?;
            row
        }))
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UserRow>(&format!(
                "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
            ))
            .bind(username)
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn count_users(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Disables the user and revokes every token of theirs.
    pub async fn disable_user(&self, username: &str, by: &Change) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "UPDATE users SET disabled = TRUE WHERE username = $1 RETURNING id",
            )
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Err(StoreError::NotFound(format!("user {username}")));
            };
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(Utc::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            record_audit(
                &mut *tx,
                by,
                "disable",
                "user",
                id,
                Some(serde_json::json!({"disabled": false})),
                Some(serde_json::json!({"disabled": true})),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a new token (its hash) for the user.
    pub async fn create_token(
        &self,
        user_id: i64,
        label: &str,
        token_hash: &str,
        by: &Change,
    ) -> Result<i64, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO api_tokens (user_id, token_hash, label, created_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(user_id)
            .bind(token_hash)
            .bind(label)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            record_audit(
                &mut *tx,
                by,
                "create",
                "api_token",
                id,
                None,
                Some(serde_json::json!({"user_id": user_id, "label": label})),
            )
            .await?;
            tx.commit().await?;
            id
        }))
    }

    /// The active user owning a token that is not revoked.
    pub async fn user_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<UserRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UserRow>(
                "SELECT u.id, u.username, u.display_name, u.password_hash, u.unit_id, u.role, \
                 u.disabled, u.must_change_password, u.created_at \
                 FROM api_tokens t JOIN users u ON u.id = t.user_id \
                 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The holder of a valid token and, in the same query, the assignment `assignment_id`
    /// (`None` when there is no such assignment) and where it lies from the holder's unit
    /// ([`CallerReach`]): the API's write path needs all of it before it starts, and one
    /// statement is one round trip (PostgreSQL) or one worker-thread hand-off (SQLite). The
    /// permission check then asks no more questions (it took three queries per request: the
    /// token, the caller's unit, the unit walk). `None` when the token is not valid.
    pub async fn user_and_assignment_by_token_hash(
        &self,
        token_hash: &str,
        assignment_id: i64,
    ) -> Result<Option<(UserRow, Option<AssignmentRow>, Option<CallerReach>)>, StoreError> {
        let sql = format!(
            "WITH RECURSIVE caller AS (SELECT u.id, u.username, u.display_name, u.password_hash, \
               u.unit_id, u.role, u.disabled, u.must_change_password, u.created_at \
               FROM api_tokens t JOIN users u ON u.id = t.user_id \
               WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND NOT u.disabled), \
             {admin_up}, \
             a_up(id, depth) AS (SELECT unit_id, 0 FROM assignments WHERE id = $2 \
               UNION ALL SELECT u.parent_id, a_up.depth + 1 FROM units u JOIN a_up ON u.id = a_up.id \
               WHERE u.parent_id IS NOT NULL AND a_up.depth < 64), \
             roots(administrative) AS (SELECT COALESCE(({ADMINISTRATIVE_OF_UP}), \
               (SELECT unit_id FROM caller))) \
             SELECT c.*, \
             a.id AS a_id, a.task_id AS a_task_id, a.unit_id AS a_unit_id, au.code AS a_unit_code, \
             au.name AS a_unit_name, a.done_on AS a_done_on, a.activity_count AS a_activity_count, \
             a.last_activity_on AS a_last_activity_on, \
             cu.kind AS c_unit_kind, cu.category AS c_unit_category, \
             r.administrative AS c_administrative, \
             CASE WHEN a.unit_id = c.unit_id THEN TRUE \
               ELSE EXISTS (SELECT 1 FROM a_up WHERE a_up.id = c.unit_id) END AS within_unit, \
             CASE WHEN a.unit_id IN (c.unit_id, r.administrative) THEN TRUE \
               ELSE EXISTS (SELECT 1 FROM a_up WHERE a_up.id = r.administrative) END \
               AS within_administrative \
             FROM caller c CROSS JOIN roots r \
             LEFT JOIN assignments a ON a.id = $2 LEFT JOIN units au ON au.id = a.unit_id \
             LEFT JOIN units cu ON cu.id = c.unit_id",
            admin_up = super::scope::administrative_up("(SELECT unit_id FROM caller)"),
            ADMINISTRATIVE_OF_UP = super::scope::ADMINISTRATIVE_OF_UP,
        );
        let row: Option<UserAssignmentRow> = on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UserAssignmentRow>(&sql)
                .bind(token_hash)
                .bind(assignment_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(|r| {
            let assignment = match (
                r.a_id,
                r.a_task_id,
                r.a_unit_id,
                r.a_unit_code,
                r.a_unit_name,
                r.a_activity_count,
            ) {
                (
                    Some(id),
                    Some(task_id),
                    Some(unit_id),
                    Some(unit_code),
                    Some(unit_name),
                    Some(n),
                ) => Some(AssignmentRow {
                    id,
                    task_id,
                    unit_id,
                    unit_code,
                    unit_name,
                    done_on: r.a_done_on,
                    activity_count: n,
                    last_activity_on: r.a_last_activity_on,
                }),
                _ => None,
            };
            let reach = match (r.user.unit_id, r.c_administrative) {
                (Some(unit), Some(administrative)) => Some(CallerReach {
                    roots: super::UnitRoots::of(
                        unit,
                        r.c_unit_kind.as_deref().unwrap_or(""),
                        r.c_unit_category.as_deref(),
                        administrative,
                    ),
                    assignment_id,
                    within_unit: r.within_unit,
                    within_administrative: r.within_administrative,
                }),
                _ => None,
            };
            (r.user, assignment, reach)
        }))
    }

    /// A user's tokens (never the secrets: only id, label and dates), oldest first.
    pub async fn tokens_of_user(&self, user_id: i64) -> Result<Vec<TokenRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TokenRow>(
                "SELECT id, label, created_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Revokes one of the user's tokens; `NotFound` when the user has no such token still valid.
    pub async fn revoke_token(
        &self,
        user_id: i64,
        token_id: i64,
        by: &Change,
    ) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let now = Utc::now();
            let revoked: Option<i64> = sqlx::query_scalar(
                "UPDATE api_tokens SET revoked_at = $1 \
                 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL RETURNING id",
            )
            .bind(now)
            .bind(token_id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
            if revoked.is_none() {
                return Err(StoreError::NotFound(format!(
                    "token {token_id} (valid, of this user)"
                )));
            }
            record_audit(
                &mut *tx,
                by,
                "revoke",
                "api_token",
                token_id,
                Some(serde_json::json!({"user_id": user_id, "revoked_at": null})),
                Some(serde_json::json!({"user_id": user_id, "revoked_at": now})),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

/// An API token as listed: never the secret.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct TokenRow {
    pub id: i64,
    pub label: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}
