//! Shared test harness: a fresh database per test on either backend, and the real `kehoach`
//! binary started on an ephemeral port.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub mod figures;
pub mod fixture;
pub mod smtp;

use kehoach::store::{Location, Store};
use sqlx::Connection;

/// The throwaway server `cargo xtask test` provides. Missing means the suite was run without it:
/// fail loudly rather than skip.
pub fn postgres_admin_url() -> String {
    std::env::var("KEHOACH_TEST_POSTGRES_URL").expect(
        "KEHOACH_TEST_POSTGRES_URL is not set: run the suites with `cargo xtask test`, which \
         provides a throwaway PostgreSQL",
    )
}

/// The migrated and seeded SQLite database every SQLite test starts from, made once per test
/// process.
fn sqlite_template() -> &'static std::path::Path {
    static TEMPLATE: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        on_own_runtime(async {
            let work = tempfile::tempdir().expect("temp dir");
            let store = Store::open(&Location::DataDir(work.path().to_path_buf()))
                .await
                .expect("make the SQLite template");
            // One self-contained file (no WAL beside it), kept for the whole run.
            let kept = tempfile::tempdir().expect("temp dir").keep();
            let file = kept.join("kehoach.sqlite3");
            store
                .vacuum_into(&file)
                .await
                .expect("write the SQLite template");
            store.close().await;
            file
        })
    })
}

/// The name of the migrated and seeded PostgreSQL database every PostgreSQL test is created
/// from, made once per test process (the throwaway server is removed after the run).
fn postgres_template(admin_url: &str) -> &'static str {
    static TEMPLATE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let admin_url = admin_url.to_string();
        on_own_runtime(async move {
            let name = format!("kehoach_template_{}", kehoach::auth::random_secret(8));
            let url = create_database(&admin_url, &name, None).await;
            let store = Store::open(&Location::Postgres(url))
                .await
                .expect("make the PostgreSQL template");
            // A template must have no connection left when it is copied.
            store.close().await;
            name
        })
    })
}

/// A database that the real binary built on a copy of the migrated and seeded template, made once
/// per test process and backend, and what the command printed: the demo (`serve --demo`) or an
/// imported plan (`plan import --json`). Tests whose first step is that command start from a copy
/// of it instead (a debug build's import or demo is most of such a test's CPU).
#[derive(Clone, Copy)]
enum Built {
    Demo,
    /// The Quảng Nam 2024 plan, imported with `kehoach plan import --json`.
    QuangNamPlan,
}

/// A built SQLite template: its data directory, and what the command printed.
type BuiltSqlite = (std::path::PathBuf, Option<serde_json::Value>);
/// A built PostgreSQL template: the database's name, and what the command printed.
type BuiltPostgres = (String, Option<serde_json::Value>);

/// The Quảng Nam 2024 plan (the corpus's text rendering).
pub const QUANG_NAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../plan/tests/fixtures/corpus/quangnam-2024.txt"
);

impl Built {
    /// Runs the command on the database of `db_args`; gives what it printed (JSON), if anything.
    fn run(self, db_args: &[String]) -> Option<serde_json::Value> {
        match self {
            // `serve --demo` until it listens (the demo is then built and committed).
            Built::Demo => {
                drop(Server::start_with(db_args, &["--demo"]));
                None
            }
            Built::QuangNamPlan => {
                let mut args: Vec<&str> = db_args.iter().map(String::as_str).collect();
                args.extend(["plan", "import", QUANG_NAM, "--json"]);
                let (code, out, err) = cli(&args);
                assert_eq!(code, 0, "kehoach plan import failed: {err}");
                Some(serde_json::from_str(&out).expect("plan import --json prints JSON"))
            }
        }
    }

    /// Where this template is kept once made, for each backend.
    fn cells(
        self,
    ) -> (
        &'static std::sync::OnceLock<BuiltSqlite>,
        &'static std::sync::OnceLock<BuiltPostgres>,
    ) {
        use std::sync::OnceLock;
        static DEMO: (OnceLock<BuiltSqlite>, OnceLock<BuiltPostgres>) =
            (OnceLock::new(), OnceLock::new());
        static PLAN: (OnceLock<BuiltSqlite>, OnceLock<BuiltPostgres>) =
            (OnceLock::new(), OnceLock::new());
        let (sqlite, postgres) = match self {
            Built::Demo => &DEMO,
            Built::QuangNamPlan => &PLAN,
        };
        (sqlite, postgres)
    }

    /// A data directory holding what the command built on the SQLite template: its
    /// `kehoach.sqlite3` and its evidence files under `files/`.
    fn sqlite_template(self) -> &'static BuiltSqlite {
        self.cells().0.get_or_init(|| {
            let work = tempfile::tempdir().expect("temp dir");
            std::fs::copy(sqlite_template(), work.path().join("kehoach.sqlite3"))
                .expect("copy the SQLite template");
            let args = vec!["--data-dir".to_string(), work.path().display().to_string()];
            let printed = self.run(&args);
            let kept = tempfile::tempdir().expect("temp dir").keep();
            on_own_runtime({
                let (from, to) = (work.path().to_path_buf(), kept.clone());
                async move {
                    // A killed server's commits may be in the WAL, which VACUUM INTO folds
                    // into one self-contained file.
                    let store = Store::open(&Location::DataDir(from))
                        .await
                        .expect("open the built database");
                    store
                        .vacuum_into(&to.join("kehoach.sqlite3"))
                        .await
                        .expect("write the SQLite template");
                    store.close().await;
                }
            });
            copy_dir(&work.path().join("files"), &kept.join("files"));
            (kept, printed)
        })
    }

    /// The name of a PostgreSQL database holding what the command built on the PostgreSQL
    /// template (evidence files are in the database).
    fn postgres_template(self, admin_url: &str) -> &'static BuiltPostgres {
        self.cells().1.get_or_init(|| {
            let template = postgres_template(admin_url);
            let name = format!("kehoach_built_{}", kehoach::auth::random_secret(8));
            let url = on_own_runtime({
                let (admin_url, name) = (admin_url.to_string(), name.clone());
                async move { create_database(&admin_url, &name, Some(template)).await }
            });
            let files = tempfile::tempdir().expect("temp dir");
            let args = vec![
                "--database-url".to_string(),
                url,
                "--data-dir".to_string(),
                files.path().display().to_string(),
            ];
            let printed = self.run(&args);
            on_own_runtime({
                let (admin_url, name) = (admin_url.to_string(), name.clone());
                async move {
                    // A template must have no connection left: a killed server's may linger.
                    let mut admin = sqlx::PgConnection::connect(&admin_url)
                        .await
                        .expect("connect to test PostgreSQL");
                    sqlx::query(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    )
                    .bind(&name)
                    .execute(&mut admin)
                    .await
                    .expect("end the built database's connections");
                    admin.close().await.ok();
                }
            });
            (name, printed)
        })
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(from) else {
        return;
    };
    std::fs::create_dir_all(to).expect("create a directory");
    for entry in entries {
        let entry = entry.expect("read a directory");
        let path = entry.path();
        if path.is_dir() {
            copy_dir(&path, &to.join(entry.file_name()));
        } else {
            std::fs::copy(&path, to.join(entry.file_name())).expect("copy a file");
        }
    }
}

/// Creates the database `name` on the test server (a copy of `template` when given) and returns
/// its URL.
async fn create_database(admin_url: &str, name: &str, template: Option<&str>) -> String {
    let mut admin = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to test PostgreSQL");
    // FILE_COPY copies the template's files and checkpoints; the default (WAL_LOG) writes every
    // page of the copy to the WAL. With the throwaway server's fsync off, the checkpoint costs
    // little: a copy of the 13 MB template takes about a quarter of the time.
    let from = template
        .map(|t| format!(" TEMPLATE {t} STRATEGY FILE_COPY"))
        .unwrap_or_default();
    sqlx::query(&format!("CREATE DATABASE {name}{from}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    admin.close().await.ok();
    admin_url
        .rsplit_once('/')
        .map(|(base, _)| format!("{base}/{name}"))
        .expect("the admin URL names a database")
}

/// Runs a future to completion on a runtime of its own, on a thread of its own: the templates
/// are made once, from whichever test's runtime asks first.
fn on_own_runtime<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(work)
    })
    .join()
    .expect("making a template database panicked")
}

/// A database that exists for one test and is dropped after it.
pub enum TestDb {
    Sqlite(tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
        url: String,
        /// The data directory: evidence files live there with either backend.
        files: tempfile::TempDir,
    },
}

impl TestDb {
    /// A copy of the migrated and seeded SQLite template: the database a fresh `kehoach` would
    /// make, without each test migrating and loading the 14,000 shipped units again.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::copy(sqlite_template(), dir.path().join("kehoach.sqlite3"))
            .expect("copy the SQLite template");
        TestDb::Sqlite(dir)
    }

    /// An empty SQLite data directory, with no database yet (what `kehoach restore` wants).
    pub fn sqlite_empty() -> Self {
        TestDb::Sqlite(tempfile::tempdir().expect("temp dir"))
    }

    /// A database made from the migrated and seeded PostgreSQL template (`CREATE DATABASE …
    /// TEMPLATE`, a file copy on the server).
    pub async fn postgres() -> Self {
        Self::postgres_on(postgres_admin_url()).await
    }

    /// [`TestDb::postgres`] on the PostgreSQL server at `admin_url` (the replica suite's primary).
    pub async fn postgres_on(admin_url: String) -> Self {
        let template = postgres_template(&admin_url);
        let name = format!("kehoach_test_{}", kehoach::auth::random_secret(8));
        let url = create_database(&admin_url, &name, Some(template)).await;
        TestDb::Postgres {
            admin_url,
            name,
            url,
            files: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Replaces this (fresh, unopened) database with a copy of the demo that
    /// `kehoach serve --demo` builds: the corpus plans, activities, accounts and reports. A
    /// server then started with `--demo` finds it built and only serves it, so the tests that
    /// serve the demo do not each build it again (several seconds of a debug build's CPU).
    pub async fn load_demo(&self) {
        self.replace_with(Built::Demo).await;
    }

    /// Replaces this (fresh, unopened) database with a copy of one where
    /// `kehoach plan import QUANG_NAM --json` ran, and gives what that command printed: the
    /// same database and output as running it here.
    pub async fn import_quang_nam(&self) -> serde_json::Value {
        self.replace_with(Built::QuangNamPlan)
            .await
            .expect("plan import printed JSON")
    }

    async fn replace_with(&self, built: Built) -> Option<serde_json::Value> {
        match self {
            TestDb::Sqlite(dir) => {
                let (template, printed) = built.sqlite_template();
                std::fs::copy(
                    template.join("kehoach.sqlite3"),
                    dir.path().join("kehoach.sqlite3"),
                )
                .expect("copy the SQLite built template");
                copy_dir(&template.join("files"), &dir.path().join("files"));
                printed.clone()
            }
            TestDb::Postgres {
                admin_url, name, ..
            } => {
                let (template, printed) = built.postgres_template(admin_url);
                let mut admin = sqlx::PgConnection::connect(admin_url)
                    .await
                    .expect("connect to test PostgreSQL");
                sqlx::query(&format!("DROP DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("drop the test database");
                admin.close().await.ok();
                create_database(admin_url, name, Some(template)).await;
                printed.clone()
            }
        }
    }

    /// The data directory (the SQLite database's, or the one holding evidence files).
    pub fn data_dir(&self) -> &std::path::Path {
        match self {
            TestDb::Sqlite(dir) => dir.path(),
            TestDb::Postgres { files, .. } => files.path(),
        }
    }

    pub fn location(&self) -> Location {
        match self {
            TestDb::Sqlite(dir) => Location::DataDir(dir.path().to_path_buf()),
            TestDb::Postgres { url, .. } => Location::Postgres(url.clone()),
        }
    }

    /// The CLI options that point a `kehoach` process at this database.
    pub fn cli_args(&self) -> Vec<String> {
        match self {
            TestDb::Sqlite(dir) => vec!["--data-dir".into(), dir.path().display().to_string()],
            TestDb::Postgres { url, files, .. } => vec![
                "--database-url".into(),
                url.clone(),
                "--data-dir".into(),
                files.path().display().to_string(),
            ],
        }
    }

    pub async fn open(&self) -> Store {
        Store::open(&self.location()).await.expect("open store")
    }

    /// Runs SQL on a connection of its own, bypassing the store (to check what the database
    /// itself refuses).
    pub async fn raw_execute(&self, sql: &str) -> Result<(), sqlx::Error> {
        match self {
            TestDb::Sqlite(dir) => {
                let url = format!("sqlite://{}", dir.path().join("kehoach.sqlite3").display());
                let mut conn = sqlx::SqliteConnection::connect(&url).await?;
                sqlx::query(sql).execute(&mut conn).await?;
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await?;
                sqlx::query(sql).execute(&mut conn).await?;
            }
        }
        Ok(())
    }

    pub async fn drop_db(self) {
        if let TestDb::Postgres {
            admin_url, name, ..
        } = self
            && let Ok(mut admin) = sqlx::PgConnection::connect(&admin_url).await
        {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut admin)
                .await;
        }
    }
}

/// Declares each test once and runs it on both backends: `sqlite::NAME` and `postgres::NAME`
/// in the test output.
#[macro_export]
macro_rules! on_both_backends {
    ($(async fn $name:ident($db:ident: $ty:ty) $body:block)*) => {
        $(async fn $name($db: $ty) $body)*
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::common::TestDb::sqlite().await;
                super::$name(&db).await;
                db.drop_db().await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let db = super::common::TestDb::postgres().await;
                super::$name(&db).await;
                db.drop_db().await;
            })*
        }
    };
}

/// The real server on the demo data (`serve --demo`, with `extra` options), from a copy of the
/// demo built once per test process ([`TestDb::load_demo`]).
pub async fn demo_server(db: &TestDb, extra: &[&str]) -> Server {
    db.load_demo().await;
    let mut options = vec!["--demo"];
    options.extend_from_slice(extra);
    Server::start_with(&db.cli_args(), &options)
}

/// The real server binary, on a free port; killed when dropped.
pub struct Server {
    pub child: Child,
    pub base: String,
    /// The metrics listener's base URL, when `--metrics-addr` was given.
    pub metrics: Option<String>,
}

impl Server {
    pub fn start(db_args: &[String]) -> Server {
        Self::start_with(db_args, &[])
    }

    pub fn start_with(db_args: &[String], extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kehoach"))
            .args(db_args)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(extra)
            .env("KEHOACH_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start kehoach");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let mut metrics = None;
        let base = loop {
            let line = lines
                .next()
                .expect("kehoach exited before listening")
                .expect("read kehoach output");
            if let Some(url) = line.strip_prefix("metrics on ") {
                metrics = Some(url.trim().to_string());
            }
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_string();
            }
        };
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server {
            child,
            base,
            metrics,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Runs the `kehoach` CLI to completion; returns (exit code, stdout, stderr).
pub fn cli(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kehoach"))
        .args(args)
        .output()
        .expect("run kehoach");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the CLI against a test database; returns (exit code, stdout, stderr).
pub fn run_cli(db: &TestDb, args: &[&str]) -> (i32, String, String) {
    let mut all: Vec<String> = db.cli_args();
    all.extend(args.iter().map(|a| a.to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    cli(&refs)
}

/// Runs the CLI against a test database, expecting success and JSON on stdout.
pub fn cli_json(db: &TestDb, args: &[&str]) -> serde_json::Value {
    let (code, out, err) = run_cli(db, args);
    assert_eq!(code, 0, "kehoach {args:?} failed: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

/// An administrator with an API token, made through the CLI as an operator would.
pub fn admin_token(db_args: &[String]) -> String {
    let mut args: Vec<&str> = db_args.iter().map(String::as_str).collect();
    args.extend(["user", "add", "tester", "--role", "admin"]);
    let (code, _, err) = cli(&args);
    assert_eq!(code, 0, "user add failed: {err}");
    let mut args: Vec<&str> = db_args.iter().map(String::as_str).collect();
    args.extend(["user", "token", "tester"]);
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "user token failed: {err}");
    out.lines().last().unwrap().trim().to_string()
}

impl TestDb {
    /// Every table's rows (as JSON text, sorted) and every file under the data directory with its
    /// size: compare two dumps to check that nothing stored changed.
    pub async fn dump(&self) -> std::collections::BTreeMap<String, Vec<String>> {
        let mut out = std::collections::BTreeMap::new();
        match self {
            TestDb::Sqlite(dir) => {
                let url = format!("sqlite://{}", dir.path().join("kehoach.sqlite3").display());
                let mut conn = sqlx::SqliteConnection::connect(&url)
                    .await
                    .expect("connect");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for table in tables {
                    let columns: Vec<String> =
                        sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                            .bind(&table)
                            .fetch_all(&mut conn)
                            .await
                            .unwrap();
                    let list: Vec<String> = columns
                        .iter()
                        .map(|c| format!("CASE WHEN typeof(\"{c}\") = 'blob' THEN hex(\"{c}\") ELSE \"{c}\" END"))
                        .collect();
                    let rows: Vec<String> = sqlx::query_scalar(&format!(
                        "SELECT json_array({}) AS j FROM \"{table}\" ORDER BY j",
                        list.join(", ")
                    ))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                    out.insert(table, rows);
                }
            }
            TestDb::Postgres { url, .. } => {
                let mut conn = sqlx::PgConnection::connect(url).await.expect("connect");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                )
                .fetch_all(&mut conn)
                .await
                .unwrap();
                for table in tables {
                    let rows: Vec<String> = sqlx::query_scalar(&format!(
                        "SELECT row_to_json(t)::text AS j FROM \"{table}\" t ORDER BY j"
                    ))
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
                    out.insert(table, rows);
                }
            }
        }
        fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out);
                } else if !path.to_string_lossy().contains("kehoach.sqlite3") {
                    let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                    out.push(format!("{} {size}", path.display()));
                }
            }
        }
        let mut files = Vec::new();
        walk(self.data_dir(), &mut files);
        files.sort();
        out.insert("<files>".into(), files);
        out
    }
}

// Issue 18 (H): servers sharing only the database.
impl TestDb {
    /// The CLI options of another server of this database with its own `data_dir`: on
    /// PostgreSQL the servers share only the database; SQLite's database *is* in the data
    /// directory, so there they share that.
    pub fn cli_args_with_own_dir(&self, data_dir: &std::path::Path) -> Vec<String> {
        match self {
            TestDb::Sqlite(_) => self.cli_args(),
            TestDb::Postgres { url, .. } => vec![
                "--database-url".into(),
                url.clone(),
                "--data-dir".into(),
                data_dir.display().to_string(),
            ],
        }
    }
}
