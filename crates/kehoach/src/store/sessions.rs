//! Browser sessions of the web pages: the cookie's random id is kept as its SHA-256 only, with the
//! session's CSRF token and its expiry. Expired rows are ignored on read and removed on sign-in.

use chrono::{DateTime, Utc};

use super::{StoreError, UserRow, on_pool};

/// A live session: its user and the token its forms must post back.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: UserRow,
    pub csrf: String,
}

#[derive(sqlx::FromRow)]
struct SessionJoin {
    #[sqlx(flatten)]
    user: UserRow,
    csrf: String,
}

impl super::Store {
    /// Stores a new session (and drops expired ones, so the table stays small).
    pub async fn create_session(
        &self,
        id_hash: &str,
        user_id: i64,
        csrf: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let now = Utc::now();
        on_pool!(self.db(), |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now)
                .execute(pool)
                .await?;
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id_hash)
            .bind(user_id)
            .bind(csrf)
            .bind(now)
            .bind(expires_at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The session's user (when active) and CSRF token, unless the session expired.
    pub async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row: Option<SessionJoin> = on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, SessionJoin>(
                "SELECT u.id, u.username, u.display_name, u.password_hash, u.unit_id, u.role, \
                 u.disabled, u.must_change_password, u.created_at, s.csrf \
                 FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled",
            )
            .bind(id_hash)
            .bind(Utc::now())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| SessionRow {
            user: r.user,
            csrf: r.csrf,
        }))
    }

    /// Ends a session (sign-out).
    pub async fn delete_session(&self, id_hash: &str) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(id_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
