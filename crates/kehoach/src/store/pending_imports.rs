//! Rows of `pending_imports` (migration 0011): a user's plan import between upload and
//! confirmation, as JSON text the store does not look into (`crate::pending_import` owns its
//! shape and the limits).

use chrono::{DateTime, Utc};

use super::{StoreError, on_pool};

impl super::Store {
    /// Stores a new pending import of `user_id`, first removing lapsed ones (anyone's) and the
    /// user's oldest beyond `keep_per_user - 1`, so the user has at most `keep_per_user` after.
    pub async fn insert_pending_import(
        &self,
        id: &str,
        user_id: i64,
        state: &str,
        expires_at: DateTime<Utc>,
        keep_per_user: usize,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        let keep = i64::try_from(keep_per_user.saturating_sub(1)).unwrap_or(i64::MAX);
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM pending_imports WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            // One user's uploads never evict another's.
            sqlx::query(
                "DELETE FROM pending_imports WHERE user_id = $1 AND id NOT IN \
                 (SELECT id FROM pending_imports WHERE user_id = $1 \
                  ORDER BY created_at DESC, id LIMIT $2)",
            )
            .bind(user_id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO pending_imports (id, user_id, state, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(user_id)
            .bind(state)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The state of pending import `id` when it is `user_id`'s and has not lapsed.
    pub async fn pending_import(
        &self,
        id: &str,
        user_id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar::<_, String>(
                "SELECT state FROM pending_imports \
                 WHERE id = $1 AND user_id = $2 AND expires_at > $3",
            )
            .bind(id)
            .bind(user_id)
            .bind(Utc::now())
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Replaces the state of pending import `id` of `user_id`; `false` when it is not waiting.
    pub async fn update_pending_import(
        &self,
        id: &str,
        user_id: i64,
        state: &str,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self.db(), |pool| {
            sqlx::query(
                "UPDATE pending_imports SET state = $1 \
                 WHERE id = $2 AND user_id = $3 AND expires_at > $4",
            )
            .bind(state)
            .bind(id)
            .bind(user_id)
            .bind(Utc::now())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Removes pending import `id` of `user_id` and returns its state: of two servers asked to
    /// confirm one import at once, only one gets it.
    pub async fn take_pending_import(
        &self,
        id: &str,
        user_id: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar::<_, String>(
                "DELETE FROM pending_imports WHERE id = $1 AND user_id = $2 AND expires_at > $3 \
                 RETURNING state",
            )
            .bind(id)
            .bind(user_id)
            .bind(Utc::now())
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Puts back a pending import taken for a confirmation that failed (same id and expiry).
    pub async fn restore_pending_import(
        &self,
        id: &str,
        user_id: i64,
        state: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query(
                "INSERT INTO pending_imports (id, user_id, state, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(user_id)
            .bind(state)
            .bind(Utc::now())
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
