//! The `kehoach` command line: one module per command group.

mod activity;
mod audit;
mod calendar;
mod compliance;
mod db;
mod demo;
mod export;
mod files;
mod plan;
mod remind;
mod report;
mod serve;
mod units;
mod user;
// Review and periods (issue 19, parts 3–4).
mod period;
// Plans that implement plans (issue 22).
mod plan_links;
// Budget cycle (issue 21).
mod budget;
// The reporting chain (issue 20).
mod report_request;
// Issue 18 (H): backups.
mod backup;
// Editing plans after import (issue 19, plan edits).
mod task;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::store::{Location, Store};

/// kehoach — kế hoạch truyền thông chuyển đổi số: from the plan document to who must do what,
/// what they did, and who is behind.
#[derive(Debug, Parser)]
#[command(name = "kehoach", version, propagate_version = true)]
pub struct Cli {
    /// Directory of the embedded SQLite database and evidence files.
    #[arg(long, global = true, env = "KEHOACH_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// PostgreSQL database to use instead of the embedded one (postgres://user@host/db).
    #[arg(
        long,
        global = true,
        env = "KEHOACH_DATABASE_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Largest evidence file accepted, in bytes (uploads and `activity add --file`).
    #[arg(
        long,
        global = true,
        env = "KEHOACH_MAX_UPLOAD_BYTES",
        value_name = "BYTES",
        default_value_t = crate::files::DEFAULT_MAX_UPLOAD_BYTES,
        value_parser = clap::value_parser!(u64).range(1..=1024 * 1024 * 1024)
    )]
    pub max_upload_bytes: u64,

    // Issue 18 (H): bounded memory.
    /// SQLite's page cache per database connection, in MiB; the server's caches stay under 8 ×
    /// this (see BENCHMARKS.md for the resident memory it gives under load).
    #[arg(
        long,
        global = true,
        env = "KEHOACH_SQLITE_CACHE_MIB",
        value_name = "MIB",
        default_value_t = 64,
        value_parser = clap::value_parser!(u32).range(1..=4096)
    )]
    pub sqlite_cache_mib: u32,

    /// Log format on standard error.
    #[arg(long, global = true, env = "KEHOACH_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and API.
    Serve(serve::ServeArgs),
    /// Read and import plan documents; list stored plans.
    #[command(subcommand)]
    Plan(plan::PlanCommand),
    /// Record activities (what a unit did, with evidence).
    #[command(subcommand)]
    Activity(activity::ActivityCommand),
    /// Compliance of a plan on a date: periods met, rates, deadline states.
    Compliance(compliance::ComplianceArgs),
    /// A unit's calendar feed: make or replace its secret URL.
    #[command(subcommand)]
    Calendar(calendar::CalendarCommand),
    /// Set the e-mail address a unit's reminder digest goes to.
    Contact(calendar::ContactArgs),
    /// Export a plan's tables (.xlsx) and its evidence pack (.zip).
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Send each unit one e-mail digest of what is overdue, due soon or missing this week.
    Remind(remind::RemindArgs),
    // Budget cycle (issue 21).
    /// The budget cycle: estimates, consolidation, appraisal, approval, spending, settlement.
    #[command(subcommand)]
    Budget(budget::BudgetCommand),
    /// The year-end report of a plan (.docx, Decree 30/2020 layout); with `draft`, `submit`,
    /// `review` or `compile`, a step of the reporting chain.
    #[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
    Report(report::ReportArgs),
    /// Administrative units and agencies: set up, resolve plan text, list, search.
    #[command(subcommand)]
    Units(units::UnitsCommand),
    /// Manage user accounts and API tokens.
    #[command(subcommand)]
    User(user::UserCommand),
    /// The audit log: every change, who made it, before and after.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Inspect the database: backend, schema version, row counts.
    #[command(subcommand)]
    Db(db::DbCommand),
    /// Evidence files: remove those no evidence refers to (`files gc`); move them between the
    /// data directory and the database (`files migrate`).
    #[command(subcommand)]
    Files(files::FilesCommand),
    // The reporting chain (issue 20).
    /// Report requests: ask units for a report, list a plan's, see who has reported.
    #[command(subcommand)]
    ReportRequest(report_request::RequestCommand),
    /// Build synthetic data at scale (`--scale national`), or time dashboards on it (`--measure`).
    Demo(demo::DemoArgs),
    // Issue 18 (H): backups.
    /// Back up the embedded SQLite database and its evidence files into one archive (safe while
    /// the server runs). PostgreSQL: use pg_dump (README).
    Backup(backup::BackupArgs),
    /// Restore a `kehoach backup` archive into an empty data directory.
    Restore(backup::RestoreArgs),
    // Editing plans after import (issue 19, plan edits).
    /// Correct a plan's tasks after import: edit, add by hand, remove.
    #[command(subcommand)]
    Task(task::TaskCommand),
    // Review and periods (issue 19, parts 3–4).
    /// A unit's period of work on a plan: submit, approve, return, reopen; the status.
    #[command(subcommand)]
    Period(period::PeriodCommand),
}

/// The default data directory, relative to where kehoach runs.
pub const DEFAULT_DATA_DIR: &str = "kehoach-data";

impl Cli {
    fn data_dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR))
    }

    fn location(&self) -> Location {
        Location::from_options(&self.data_dir(), self.database_url.as_deref())
    }

    /// The evidence file store of `store`'s database (`evidence_store.rs` decides where: the
    /// database on PostgreSQL, the data directory on SQLite, unless `files migrate` chose).
    async fn files(&self, store: &Store) -> anyhow::Result<crate::files::FileStore> {
        Ok(
            crate::files::FileStore::for_store(&self.data_dir(), self.max_upload_bytes, store)
                .await?,
        )
    }

    async fn open_store(&self) -> anyhow::Result<Store> {
        Ok(Store::open_with(&self.location(), self.store_settings()).await?)
    }

    fn store_settings(&self) -> crate::store::StoreSettings {
        crate::store::StoreSettings {
            sqlite_cache_mib: self.sqlite_cache_mib,
        }
    }
}

/// A problem with what the user gave (a file, an argument): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

pub fn exit_code(e: &anyhow::Error) -> u8 {
    if e.downcast_ref::<InputError>().is_some() {
        2
    } else {
        1
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve(args) => serve::run(&cli, args).await,
        Command::Plan(cmd) => plan::run(&cli, cmd).await,
        Command::Activity(cmd) => activity::run(&cli, cmd).await,
        Command::Compliance(args) => compliance::run(&cli, args).await,
        Command::Calendar(cmd) => calendar::run(&cli, cmd).await,
        Command::Contact(args) => calendar::contact(&cli, args).await,
        Command::Export(cmd) => export::run(&cli, cmd).await,
        Command::Remind(args) => remind::run(&cli, args).await,
        Command::Report(args) => report::run(&cli, args).await,
        Command::Units(cmd) => units::run(&cli, cmd).await,
        Command::User(cmd) => user::run(&cli, cmd).await,
        Command::Audit(cmd) => audit::run(&cli, cmd).await,
        Command::Db(cmd) => db::run(&cli, cmd).await,
        Command::Demo(args) => demo::run(&cli, args).await,
        Command::Files(cmd) => files::run(&cli, cmd).await,
        // Issue 18 (H): backups.
        Command::Backup(args) => backup::backup(&cli, args).await,
        Command::Restore(args) => backup::restore(&cli, args).await,
        // Editing plans after import (issue 19, plan edits).
        Command::Task(cmd) => task::run(&cli, cmd).await,
        // The reporting chain (issue 20).
        Command::ReportRequest(cmd) => report_request::run(&cli, cmd).await,
        // Budget cycle (issue 21).
        Command::Budget(cmd) => budget::run(&cli, cmd).await,
        // Review and periods (issue 19, parts 3–4).
        Command::Period(cmd) => period::run(&cli, cmd).await,
    }
}

pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("KEHOACH_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}
