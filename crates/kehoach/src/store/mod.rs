//! The store: one API over embedded SQLite and PostgreSQL.
//!
//! Each backend has its own typed pool and its own migrations folder; the SQL is written once with
//! `$N` placeholders (both backends accept them) and run on either pool through [`on_pool!`].
//! Backend-specific SQL is written out per arm only where the dialects differ.

mod activities;
mod audit;
mod contacts;
mod error;
mod exports;
mod pages;
mod plans;
mod registry;
pub(crate) mod rollups;
mod scoped_reads;
mod sessions;
mod units;
mod users;
// After the others so parallel branches adding modules merge cleanly.
mod accounts;
mod pending_imports;
pub use accounts::NO_PASSWORD;
mod deadlines;
mod scope;
mod sign_in;
mod standings;
// Review of activities, approval and locking of periods (issue 19, parts 3–4).
pub mod periods;
mod review;
pub use periods::{Approver, PeriodApprovalRow, PeriodLock, PlanCounting};
pub use review::{MAX_REVIEW_BATCH, ReviewEvent, ReviewFilter, ReviewItem};
// Plans that implement plans (issue 22).
mod plan_links;
pub use plan_links::{LinkedPlanRow, PlanCitationRow, TaskLinkRow};
// Editing plans after import (issue 19, plan edits).
mod plan_edits;
// Budget cycle (issue 21).
mod budget;
pub use budget::{
    AllocationRow, BudgetLineRow, CycleRow, EstimateRow, NewBudgetLine, NewSpending, SettlementRow,
    SpendingRow, Step,
};
// The reporting chain (issue 20).
mod report_requests;
pub use plan_edits::PlanEditError;
pub use report_requests::{
    ChainConflict, DraftRow, DraftSave, NewReportRequest, NewSubmission, ReportRequestRow,
    RequestUnitRow, SubmissionRow,
};
// The one write path's transaction over either backend (issue 19, write path).
mod tx;
// Evidence file contents in the database (issue 18, servers sharing only PostgreSQL).
mod backup;
mod file_chunks;
pub mod replica;
pub use file_chunks::{CHUNK_BYTES, StoredFileRow};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use activities::{ActivityRow, EvidenceRow, NewActivity, NewEvidence, TallyRow};
pub use audit::{AuditEntry, AuditFilter, Change};
pub use contacts::{UnitAssignmentRow, UnitContact, UnitTargetRow};
pub use deadlines::{DeadlineFilter, DeadlineScope, DeadlineTask, DeadlineUnit};
pub use error::{Closed, StoreError};
pub use exports::{ActivitySumRow, ChildPlanRow, CompletionRow, PlanActivityRow, ReportUnitRow};
pub use plans::{
    AssignmentRow, NewPlan, NewTarget, NewTask, PlanCreated, PlanRow, TargetRow, TaskRow,
    UnresolvedRow,
};
pub use rollups::{
    HeatmapRow, RollupData, RollupDoneRow, RollupPeriodRow, RollupPeriodSums, RollupTargetRow,
    RollupTaskRow, RollupTotalRow, RollupUnitsRow, closed_window,
};
pub use scope::UnitRoots;
pub use scoped_reads::AssignmentScope;
pub use sessions::SessionRow;
pub use sign_in::FailureCount;
pub use units::{NewUnit, UnitRow};
pub use users::{CallerReach, Role, TokenRow, UserRow};

/// Runs the same block on whichever pool the store holds. Inside, `$pool` is the concrete typed
/// pool, so `sqlx::query_as::<_, Row>` infers the backend and `Row` must decode from both.
macro_rules! on_pool {
    ($db:expr, |$pool:ident| $body:expr) => {
        match $db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Where the data lives: a directory holding the embedded SQLite database (and evidence files),
/// or a PostgreSQL URL.
#[derive(Debug, Clone)]
pub enum Location {
    DataDir(PathBuf),
    Postgres(String),
}

impl Location {
    /// The PostgreSQL URL wins when given; otherwise the data directory.
    pub fn from_options(data_dir: &Path, database_url: Option<&str>) -> Self {
        match database_url {
            Some(url) if !url.is_empty() => Location::Postgres(url.to_string()),
            _ => Location::DataDir(data_dir.to_path_buf()),
        }
    }
}

/// The backend in use, as shown by `/healthz` and the test output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The application's handle on its database. Cheap to clone (pools are reference-counted).
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    /// SQLite has one writer at a time. Activity writes of this process queue here instead of
    /// meeting at `BEGIN IMMEDIATE`, where the loser sleeps in SQLite's busy handler (up to
    /// 100 ms at a time: that was the API's p99). Other processes still meet the busy timeout.
    sqlite_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// API activities waiting to be written together (group commit, `record_activity`), and
    /// the turn of the task that writes the next group.
    pending: std::sync::Arc<std::sync::Mutex<Vec<activities::PendingWrite>>>,
    group_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// A PostgreSQL streaming replica for heavy reads (`replica.rs`), when one is given.
    replica: Option<Db>,
}

/// How the store uses memory (issue 18: a bounded, configurable ceiling).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreSettings {
    /// SQLite's page cache per connection, in MiB (`PRAGMA cache_size`). With
    /// [`SQLITE_CONNECTIONS`] connections the caches never exceed their product.
    pub sqlite_cache_mib: u32,
}

/// Connections of the SQLite pool: the caches' ceiling is this × `sqlite_cache_mib`.
pub const SQLITE_CONNECTIONS: u32 = 8;

impl Default for StoreSettings {
    fn default() -> Self {
        StoreSettings {
            sqlite_cache_mib: 64,
        }
    }
}

/// A PostgreSQL connection idle this long is pinged before it is used again.
const PING_AFTER_IDLE: Duration = Duration::from_secs(30);

/// Rows the SQLite worker thread may send ahead of the reader.
const SQLITE_ROW_CHANNEL: usize = 4096;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Store {
    /// Opens (creating when needed) the database and brings its schema up to date.
    ///
    /// Several processes may open one PostgreSQL database at once: sqlx takes an advisory lock
    /// around migrations, so only one applies them and the others wait.
    pub async fn open(location: &Location) -> Result<Self, StoreError> {
        Self::open_with(location, StoreSettings::default()).await
    }

    /// [`Store::open`] with memory settings other than the defaults.
    pub async fn open_with(
        location: &Location,
        settings: StoreSettings,
    ) -> Result<Self, StoreError> {
        let store = match location {
            Location::DataDir(dir) => Self::open_sqlite(dir, settings).await?,
            Location::Postgres(url) => Self::open_postgres(url).await?,
        };
        store.migrate().await?;
        store.ensure_shipped_units().await?;
        store.ensure_rollups().await?;
        Ok(store)
    }

    async fn open_sqlite(dir: &Path, settings: StoreSettings) -> Result<Self, StoreError> {
        // Negative: KiB.
        let cache_kib = format!("-{}", u64::from(settings.sqlite_cache_mib.max(1)) * 1024);
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
            path: dir.to_path_buf(),
            source,
        })?;
        let options = SqliteConnectOptions::new()
            .filename(dir.join("kehoach.sqlite3"))
            .create_if_missing(true)
            // WAL lets readers run beside the one writer. With WAL, synchronous=NORMAL is durable
            // across a process crash (SIGKILL): a committed transaction is in the WAL file before
            // the commit returns. Only an OS crash or power loss can drop the last commits.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // SQLite's page cache is 2 MB per connection by default. Every activity write
            // updates indexes at random places (activities by assignment, tallies, counters):
            // at millions of activities those pages no longer fit, and each write read them back
            // from the OS (batched ingest fell from 38k/s at 10k activities to 5.6k/s at 5M).
            // The cache grows only as pages are used, so an idle or read-little connection
            // stays small; at most SQLITE_CONNECTIONS × `--sqlite-cache-mib` (64 MB by default).
            .pragma("cache_size", cache_kib)
            // No memory map (`mmap_size` stays 0): with one, a profile of the API's small write
            // transactions showed page faults, unmaps and TLB shoot-downs, and at 5M activities
            // `cargo xtask bench` gave 1,770 API req/s with a 4 GB map against 2,147 without,
            // batched ingest 24,546 against 24,946 /s.
            .pragma("temp_store", "memory")
            // SQLite copies the WAL back into the database (with an fsync) once it holds 1,000
            // pages: after nearly every batch of the national demo, rewriting the same hot index
            // pages each time (~10 % of the ingest's CPU in `walCheckpoint`). 16,384 pages (64 MB)
            // write a page once per several batches. Durability is the WAL's either way.
            .pragma("wal_autocheckpoint", "16384")
            // sqlx hands rows from the connection's worker thread to the caller through a
            // channel of 50: a batch's RETURNING of 10,000 rows, or a page's read of a few
            // thousand tallies, made the two threads wake each other every few rows (1.3M
            // context switches for 1M activities; ~40 % of a heatmap page's CPU). Rows are small.
            .row_buffer_size(SQLITE_ROW_CHANNEL);
        let pool = SqlitePoolOptions::new()
            .max_connections(SQLITE_CONNECTIONS)
            // sqlx pings a pooled connection before every use by default: for SQLite a hop to
            // the connection's worker thread and back, per query, checking nothing a file
            // database can lose.
            .test_before_acquire(false)
            .connect_with(options)
            .await?;
        Ok(Store {
            db: Db::Sqlite(pool),
            sqlite_writer: Default::default(),
            pending: Default::default(),
            group_turn: Default::default(),
            replica: None,
        })
    }

    async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        // The write path's multi-row statements differ with their number of rows; a larger
        // cache keeps a connection's prepared variants instead of re-preparing them.
        let options = PgConnectOptions::from_str(url)
            .map_err(|_| StoreError::BadUrl)?
            .statement_cache_capacity(1024);
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            // sqlx pings a pooled connection before every use by default: one more round trip
            // per query (the API's POST made two). A connection in steady use is known to be
            // alive; one that sat idle (the server may have restarted, a firewall may have
            // dropped it) is still checked, and replaced when the check fails.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            db: Db::Postgres(pool),
            sqlite_writer: Default::default(),
            pending: Default::default(),
            group_turn: Default::default(),
            replica: None,
        })
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The pool to query: the primary, or the read replica for a request that reads from it
    /// (`replica.rs`).
    pub(crate) fn db(&self) -> &Db {
        self.chosen_db()
    }

    /// Waits for this process's turn to write, on SQLite; nothing to wait for on PostgreSQL,
    /// where writers lock only the rows they touch.
    pub(crate) async fn writer_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.db {
            Db::Sqlite(_) => Some(self.sqlite_writer.lock().await),
            Db::Postgres(_) => None,
        }
    }

    /// The newest migration applied: the schema version reported by `/healthz`.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> = on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(pool)
                .await?
        });
        Ok(version.unwrap_or(0))
    }

    /// A cheap round trip, for health checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        on_pool!(&self.db, |pool| {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// Reads a value of the `meta` table.
    pub async fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(&self.db, |pool| {
            sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Sets a value of the `meta` table.
    pub async fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        on_pool!(&self.db, |pool| {
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// After a bulk load (the national demo): fresh planner statistics, and on PostgreSQL the
    /// visibility map that index-only scans (heatmaps) rely on, as autovacuum would make them
    /// over time.
    pub async fn after_bulk_load(&self) -> Result<(), StoreError> {
        match &self.db {
            Db::Sqlite(pool) => {
                sqlx::raw_sql("ANALYZE").execute(pool).await?;
            }
            Db::Postgres(pool) => {
                // Every table's statistics too: the demo adds thousands of units, and with the
                // old row counts the planner walks a unit subtree (every scoped read) by scanning
                // all units at each level instead of following `units_parent` (9 ms → 1 ms).
                // Two calls: several statements in one would run in one implicit transaction,
                // and VACUUM cannot run inside a transaction.
                sqlx::raw_sql("VACUUM (ANALYZE) period_tallies, rollup_periods, assignments")
                    .execute(pool)
                    .await?;
                sqlx::raw_sql("ANALYZE").execute(pool).await?;
            }
        }
        Ok(())
    }

    /// Waits for queries in flight and closes every connection; for SQLite this also checkpoints
    /// the WAL, so the database file is complete on its own.
    pub async fn close(&self) {
        on_pool!(&self.db, |pool| pool.close().await)
    }
}
