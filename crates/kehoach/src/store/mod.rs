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
mod scope;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

pub use activities::{ActivityRow, EvidenceRow, NewActivity, NewEvidence, TallyRow};
pub use audit::{AuditEntry, AuditFilter, Change};
pub use contacts::{UnitAssignmentRow, UnitContact};
pub use error::StoreError;
pub use exports::PlanActivityRow;
pub use pages::OpenDeliverable;
pub use plans::{
    AssignmentRow, NewPlan, NewTarget, NewTask, PlanCreated, PlanRow, TargetRow, TaskRow,
    UnresolvedRow,
};
pub use rollups::{
    HeatmapRow, RollupData, RollupDoneRow, RollupPeriodRow, RollupPeriodSums, RollupTargetRow,
    RollupTaskRow, RollupTotalRow, RollupUnitsRow, closed_window,
};
pub use scoped_reads::AssignmentScope;
pub use sessions::SessionRow;
pub use units::{NewUnit, UnitRow};
pub use users::{Role, TokenRow, UserRow};

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
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Rows a SQLite connection's thread may hand over before the reader takes them.
const ROW_BUFFER_SIZE: usize = 4096;

impl Store {
    /// Opens (creating when needed) the database and brings its schema up to date.
    ///
    /// Several processes may open one PostgreSQL database at once: sqlx takes an advisory lock
    /// around migrations, so only one applies them and the others wait.
    pub async fn open(location: &Location) -> Result<Self, StoreError> {
        let store = match location {
            Location::DataDir(dir) => Self::open_sqlite(dir).await?,
            Location::Postgres(url) => Self::open_postgres(url).await?,
        };
        store.migrate().await?;
        store.ensure_shipped_units().await?;
        store.ensure_rollups().await?;
        Ok(store)
    }

    async fn open_sqlite(dir: &Path) -> Result<Self, StoreError> {
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
            // sqlx runs each connection on its own thread and hands rows over one by one through
            // a bounded channel (50 by default): a read of a few thousand rows then blocks and
            // wakes the two threads once per row, and the context switches cost more than the
            // query (`perf`: ~40 % of a page's time). A deep channel lets the reader run through.
            .row_buffer_size(ROW_BUFFER_SIZE);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        Ok(Store {
            db: Db::Sqlite(pool),
            sqlite_writer: Default::default(),
        })
    }

    async fn open_postgres(url: &str) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        Ok(Store {
            db: Db::Postgres(pool),
            sqlite_writer: Default::default(),
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

    pub(crate) fn db(&self) -> &Db {
        &self.db
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
                sqlx::raw_sql(
                    "VACUUM (ANALYZE) period_tallies, rollup_periods, assignments; ANALYZE",
                )
                .execute(pool)
                .await?;
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
