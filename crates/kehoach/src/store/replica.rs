//! Reads from a PostgreSQL streaming replica (`serve --read-database-url`, issue 18).
//!
//! The store keeps the primary for everything and, when given one, a replica pool for the heavy
//! reads: a request the web layer judges safe to answer from the replica (`web/replica.rs`: a
//! page or a plan's read, not after the caller's own write) runs inside [`on_replica`], and every
//! query the store makes for it goes to the replica. A task spawned from it (the group commit of
//! activities) does not inherit the mark, so writes always reach the primary.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::{Db, StoreError};
use crate::store::Store;

tokio::task_local! {
    /// Set while a request reads from the replica.
    static FROM_REPLICA: ();
}

/// Runs `work` with the store's queries sent to the replica (when the store has one).
pub async fn on_replica<F: std::future::Future>(work: F) -> F::Output {
    FROM_REPLICA.scope((), work).await
}

impl Store {
    /// This store, with the heavy reads of marked requests sent to the replica at `url`.
    pub async fn with_replica(mut self, url: &str) -> Result<Store, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        self.replica = Some(Db::Postgres(pool));
        Ok(self)
    }

    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// The pool a query goes to: the replica inside [`on_replica`], else the primary.
    pub(crate) fn chosen_db(&self) -> &Db {
        match &self.replica {
            Some(replica) if FROM_REPLICA.try_with(|_| ()).is_ok() => replica,
            _ => &self.db,
        }
    }

    /// How current the replica is: now when it has replayed everything it received, else the
    /// commit time of the last transaction it replayed. `None` when it cannot say (unreachable,
    /// or not a standby): then reads should go to the primary.
    pub async fn replica_as_of(&self) -> Option<DateTime<Utc>> {
        let Some(Db::Postgres(pool)) = &self.replica else {
            return None;
        };
        let row: Result<Option<DateTime<Utc>>, _> = sqlx::query_scalar(
            "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL \
             WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN now() \
             ELSE pg_last_xact_replay_timestamp() END",
        )
        .fetch_one(pool)
        .await;
        match row {
            Ok(at) => at,
            Err(e) => {
                tracing::warn!(error = %e, "the read replica does not answer; reading the primary");
                None
            }
        }
    }
}
