//! Managing accounts: passwords (one-time ones, changes), disabling and re-enabling, the user's
//! sessions. Each change commits with its audit entry; a password change or a disable ends the
//! user's other sessions in the same transaction.

use chrono::Utc;

use super::audit::record_audit;
use super::{Change, StoreError, UserRow, on_pool};

const USER_COLUMNS: &str = "id, username, display_name, password_hash, unit_id, role, disabled, \
                            must_change_password, created_at";

/// The hash stored in place of a used one-time password: no password verifies against it.
pub const NO_PASSWORD: &str = "!";

impl super::Store {
    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UserRow>(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Every user (at most 10,000), by name; the caller limits them to its scope.
    pub async fn all_users(&self) -> Result<Vec<UserRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UserRow>(&format!(
                "SELECT {USER_COLUMNS} FROM users ORDER BY username LIMIT 10000"
            ))
            .fetch_all(pool)
            .await?
        }))
    }

    /// Sets a user's password hash. `one_time`: it must be changed at the next sign-in (a reset,
    /// a new account). Every session of the user but `keep` (the session changing its own
    /// password) ends.
    pub async fn set_password(
        &self,
        user_id: i64,
        hash: &str,
        one_time: bool,
        keep: Option<&str>,
        by: &Change,
    ) -> Result<(), StoreError> {
        let action = if one_time {
            "reset_password"
        } else {
            "change_password"
        };
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3",
            )
            .bind(hash)
            .bind(one_time)
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(StoreError::NotFound(format!("user {user_id}")));
            }
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(user_id)
                .bind(keep.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            // The hash never goes into the log; what changed is that the password did.
            record_audit(
                &mut *tx,
                by,
                action,
                "user",
                user_id,
                None,
                Some(serde_json::json!({"must_change_password": one_time})),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Marks a user's password as one-time (after `create_user` with a generated password).
    pub async fn require_password_change(&self, user_id: i64) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query("UPDATE users SET must_change_password = TRUE WHERE id = $1")
                .bind(user_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Uses up a one-time password at sign-in: it will not verify again. `false` when the user's
    /// password was not a one-time one (or was used already by a concurrent sign-in).
    pub async fn consume_one_time_password(
        &self,
        user_id: i64,
        hash: &str,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self.db(), |pool| {
            sqlx::query(
                "UPDATE users SET password_hash = $1 \
                 WHERE id = $2 AND must_change_password AND password_hash = $3",
            )
            .bind(NO_PASSWORD)
            .bind(user_id)
            .bind(hash)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Disables (every token revoked, every session ended) or re-enables a user.
    pub async fn set_user_disabled(
        &self,
        user_id: i64,
        disabled: bool,
        by: &Change,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let before: Option<bool> =
                sqlx::query_scalar("SELECT disabled FROM users WHERE id = $1")
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some(before) = before else {
                return Err(StoreError::NotFound(format!("user {user_id}")));
            };
            if before == disabled {
                return Ok(());
            }
            sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
                .bind(disabled)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            if disabled {
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
                )
                .bind(now)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
                sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            record_audit(
                &mut *tx,
                by,
                if disabled { "disable" } else { "enable" },
                "user",
                user_id,
                Some(serde_json::json!({"disabled": before})),
                Some(serde_json::json!({"disabled": disabled})),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// How many live sessions the user has.
    pub async fn session_count(&self, user_id: i64) -> Result<i64, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM sessions WHERE user_id = $1 AND expires_at > $2",
            )
            .bind(user_id)
            .bind(Utc::now())
            .fetch_one(pool)
            .await?
        }))
    }

    /// Ends every session of the user but `keep`.
    pub async fn end_other_sessions(&self, user_id: i64, keep: &str) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
                .bind(user_id)
                .bind(keep)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
