//! Failed sign-ins counted per subject (an account from an address, an address), in the database
//! so that every server behind a proxy sees the same counts (migration 0010). The policy — which
//! subjects, how long to wait — is `web/signin_throttle.rs`'s.

use chrono::{DateTime, Utc};

use super::{StoreError, on_pool};

/// A subject's live count: how many failures, the last one when.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FailureCount {
    pub subject: String,
    pub failures: i64,
    pub last_failure: DateTime<Utc>,
}

impl super::Store {
    /// The live (unexpired) counts of these subjects.
    pub async fn sign_in_failures(
        &self,
        subjects: &[String],
        now: DateTime<Utc>,
    ) -> Result<Vec<FailureCount>, StoreError> {
        let mut out = Vec::new();
        // Two or three subjects: one small query each keeps the SQL the same on both backends.
        for subject in subjects {
            let row: Option<FailureCount> = on_pool!(self.db(), |pool| {
                sqlx::query_as::<_, FailureCount>(
                    "SELECT subject, failures, last_failure FROM sign_in_failures \
                     WHERE subject = $1 AND expires_at > $2",
                )
                .bind(subject)
                .bind(now)
                .fetch_optional(pool)
                .await?
            });
            out.extend(row);
        }
        Ok(out)
    }

    /// Counts one more failure for each subject; a lapsed count starts again at 1. Rows that
    /// lapsed are removed on the way, so the table holds only the last day's failures.
    pub async fn record_sign_in_failure(
        &self,
        subjects: &[String],
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM sign_in_failures WHERE expires_at <= $1")
                .bind(now)
                .execute(&mut *tx)
                .await?;
            for subject in subjects {
                sqlx::query(
                    "INSERT INTO sign_in_failures (subject, failures, last_failure, expires_at) \
                     VALUES ($1, 1, $2, $3) \
                     ON CONFLICT (subject) DO UPDATE SET failures = sign_in_failures.failures + 1, \
                     last_failure = excluded.last_failure, expires_at = excluded.expires_at",
                )
                .bind(subject)
                .bind(now)
                .bind(expires_at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Forgets a subject's failures (an account signed in from that address).
    pub async fn clear_sign_in_failures(&self, subject: &str) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query("DELETE FROM sign_in_failures WHERE subject = $1")
                .bind(subject)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
