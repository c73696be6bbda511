use std::path::PathBuf;

/// What can go wrong in the store. Constraint violations that a user can cause are their own
/// variants so that the web layer can answer 4xx with a message, never the SQL.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database URL is not a valid postgres:// URL")]
    BadUrl,
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Conflict(String),
    #[error("invalid value: {0}")]
    Invalid(String),
    /// A write into a locked period (approved, or past the plan's automatic lock): HTTP 409,
    /// CLI exit 2, the page says why and who may reopen it.
    #[error("{0}")]
    Locked(Box<super::periods::PeriodLock>),
    /// A write of activities where nothing more may be written: an archived plan, or after the
    /// day a unit was removed from a task. HTTP 409, CLI exit 2.
    #[error("{0}")]
    Closed(Closed),
    /// The database answered something the store's own logic rules out (a bug, not input).
    #[error("store invariant broken: {0}")]
    Invariant(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// Why activities may not be written there (see [`StoreError::Closed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    /// The task's plan was archived on that day: read-only.
    Archived { task_id: i64, on: chrono::NaiveDate },
    /// The assignment's unit was removed from its task on that day.
    Removed {
        assignment: i64,
        on: chrono::NaiveDate,
    },
}

impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closed::Archived { task_id, on } => write!(
                f,
                "the plan of task {task_id} was archived on {on}: it is read-only, no activity \
                 may be added, changed, removed or reviewed"
            ),
            Closed::Removed { assignment, on } => write!(
                f,
                "assignment {assignment} was closed on {on} (its unit was removed from the task): \
                 no activity dated after that day may be recorded"
            ),
        }
    }
}

impl StoreError {
    /// Maps a unique-constraint violation to [`StoreError::Conflict`], anything else unchanged.
    pub(crate) fn conflict_as(what: impl Into<String>) -> impl FnOnce(sqlx::Error) -> StoreError {
        let what = what.into();
        move |e| match &e {
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
            _ => StoreError::Database(e),
        }
    }
}
