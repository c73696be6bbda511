//! One write transaction on either backend, so the activity write path
//! (`store/activities/write.rs`) is written once, as plain async functions, instead of once per
//! pool inside `on_pool!` (which is why it used to be macros).
//!
//! SQL is written with `$N` placeholders where the statement is fixed, or with the
//! transaction's [`Marks`] where a multi-row VALUES list is generated (SQLite binds numbered
//! parameters in O(n²)); values are bound from a slice of [`Arg`].

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Postgres, Sqlite, Transaction};

use super::rollups::{Arg, Bound, Marks, bind_args};
use super::{Db, StoreError};

/// An open write transaction. Dropped without [`WriteTx::commit`], it rolls back.
pub(crate) enum WriteTx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl WriteTx {
    /// Begins a write. SQLite takes its write lock up front: a deferred transaction that reads
    /// (the specs) and then writes fails at once with "database is locked" when another writer
    /// committed in between; an immediate one waits its turn (busy timeout). PostgreSQL locks
    /// the rows it reads for update where that matters (`FOR UPDATE` in the statements).
    ///
    /// On PostgreSQL the write's statements are planned for what they are: lookups by key of a
    /// few rows, in tables the write itself keeps hot. Generic plans, because the statements
    /// are prepared once per connection but their arrays' lengths change with every group, and
    /// the default (`plan_cache_mode = auto`) kept making a custom plan for most executions —
    /// the API's busiest statements spent as long being planned as being run. Random reads
    /// costed as cached pages (`random_page_cost = 1.1`, the usual figure for SSDs), because
    /// with the default of 4 (spinning disks) the specs of 8 assignments hashed the whole
    /// tasks table. `SET LOCAL` ends with the transaction, and goes in BEGIN's round trip.
    pub async fn begin(db: &Db) -> Result<Self, StoreError> {
        Ok(match db {
            Db::Sqlite(pool) => WriteTx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(pool) => WriteTx::Postgres(
                pool.begin_with(
                    "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan; \
                     SET LOCAL random_page_cost = 1.1",
                )
                .await?,
            ),
        })
    }

    pub fn marks(&self) -> Marks {
        match self {
            WriteTx::Sqlite(_) => Marks::Question,
            WriteTx::Postgres(_) => Marks::Dollar,
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, WriteTx::Postgres(_))
    }

    /// `" FOR UPDATE"`-style row locks are PostgreSQL's; SQLite's write lock is already held.
    pub fn row_lock<'a>(&self, lock: &'a str) -> &'a str {
        if self.is_postgres() { lock } else { "" }
    }

    /// Runs a statement (on SQLite, possibly several `;`-separated ones, each taking the next
    /// arguments in order); the rows it changed.
    pub async fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError> {
        Ok(match self {
            WriteTx::Sqlite(tx) => bind_args!(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            WriteTx::Postgres(tx) => bind_args!(sqlx::query(sql), args)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }

    /// Runs a query and decodes every row it returns.
    pub async fn fetch<T>(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<T>, StoreError>
    where
        T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
    {
        Ok(match self {
            WriteTx::Sqlite(tx) => {
                bind_args!(sqlx::query_as::<_, T>(sql), args)
                    .fetch_all(&mut **tx)
                    .await?
            }
            WriteTx::Postgres(tx) => {
                bind_args!(sqlx::query_as::<_, T>(sql), args)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    /// The first row a query returns, if any.
    pub async fn fetch_optional<T>(
        &mut self,
        sql: &str,
        args: &[Arg],
    ) -> Result<Option<T>, StoreError>
    where
        T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
    {
        Ok(match self {
            WriteTx::Sqlite(tx) => {
                bind_args!(sqlx::query_as::<_, T>(sql), args)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            WriteTx::Postgres(tx) => {
                bind_args!(sqlx::query_as::<_, T>(sql), args)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    /// Runs a statement whose values are [`Bound`] (a multi-row statement's, see
    /// `rollups::multi_row`); the rows it changed.
    pub async fn execute_bound(&mut self, sql: &str, bound: &Bound) -> Result<u64, StoreError> {
        match (self, bound) {
            (tx, Bound::Values(args)) => tx.execute(sql, args).await,
            (WriteTx::Postgres(tx), Bound::Columns(columns)) => {
                let mut q = sqlx::query(sql);
                for column in columns {
                    q = column.bind_to(q);
                }
                Ok(q.execute(&mut **tx).await?.rows_affected())
            }
            (WriteTx::Sqlite(_), Bound::Columns(_)) => Err(columns_on_sqlite()),
        }
    }

    /// Runs a query whose values are [`Bound`] and decodes every row it returns.
    pub async fn fetch_bound<T>(&mut self, sql: &str, bound: &Bound) -> Result<Vec<T>, StoreError>
    where
        T: Send + Unpin + for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow>,
    {
        match (self, bound) {
            (tx, Bound::Values(args)) => tx.fetch(sql, args).await,
            (WriteTx::Postgres(tx), Bound::Columns(columns)) => {
                let mut q = sqlx::query_as::<_, T>(sql);
                for column in columns {
                    q = column.bind(q);
                }
                Ok(q.fetch_all(&mut **tx).await?)
            }
            (WriteTx::Sqlite(_), Bound::Columns(_)) => Err(columns_on_sqlite()),
        }
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            WriteTx::Sqlite(tx) => tx.commit().await?,
            WriteTx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }

    /// Rolls back now. A dropped transaction rolls back too, but later (when its connection is
    /// next used), and until then SQLite's write lock (`BEGIN IMMEDIATE`) stays held: another
    /// connection's deferred transaction that reads and then writes fails at once with
    /// "database is locked".
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            WriteTx::Sqlite(tx) => tx.rollback().await?,
            WriteTx::Postgres(tx) => tx.rollback().await?,
        }
        Ok(())
    }

    /// Ends the transaction with the outcome of what was done in it: commits `Ok` (when
    /// `changed`), rolls back anything else, and answers the outcome.
    pub async fn end<T>(self, outcome: Result<(T, bool), StoreError>) -> Result<T, StoreError> {
        match outcome {
            Ok((value, true)) => {
                self.commit().await?;
                Ok(value)
            }
            Ok((value, false)) => {
                self.rollback().await?;
                Ok(value)
            }
            Err(e) => {
                // The error that ended the write is the one to answer; a failed rollback
                // closes the connection anyway.
                let _ = self.rollback().await;
                Err(e)
            }
        }
    }
}

/// SQLite binds no arrays: a multi-row statement of it is a VALUES list (`rollups::multi_row`).
fn columns_on_sqlite() -> StoreError {
    StoreError::Invariant("array parameters sent to SQLite".into())
}
