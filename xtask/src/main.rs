//! `cargo xtask test`: every suite, on both backends, with a throwaway PostgreSQL that this
//! program provides and removes. No suite is skipped silently: if a dependency cannot be
//! provided, the run fails and says which and why.

mod bench;
mod browser;
mod postgres;
// Issue 18 (H): the OpenAPI document checked against the server.
mod schemathesis;

use std::process::{Command, ExitCode};

use anyhow::{Context, Result, bail};

const USAGE: &str = "usage: cargo xtask <command>

commands:
  test    run every suite (unit, property, integration on SQLite and PostgreSQL, and the
          browser suite against Debian's Chromium through chromedriver), then the schemathesis
          check; arguments go to `cargo test` (any argument selects tests and skips the
          schemathesis check), except --no-schemathesis
  lint    cargo fmt --check and cargo clippy --all-targets -D warnings
  bench   national-scale figures, SQLite and PostgreSQL (and DuckDB): builds release, starts a
          throwaway PostgreSQL; options --activities N (5000000) --seed S --batch B
          --requests N (20000) --clients N[,N…] (4,16) --runs N (30)
  schemathesis  a bounded schemathesis run (from PyPI, in a venv under target/) against
          `kehoach serve --demo` with an administrator's token; extra arguments go to `st run`";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&args[1..]),
        Some("lint") => lint(),
        Some("bench") => bench::bench(&args[1..]),
        Some("schemathesis") => schemathesis::schemathesis(&args[1..]),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `cargo`, without what `cargo run` set for xtask itself (`CARGO_MANIFEST_DIR`,
/// `CARGO_PKG_NAME`…): build scripts such as ring's rerun when those change, so passing them on
/// made every switch between `cargo xtask test` and a plain `cargo test` rebuild ring and all
/// that depends on it (a minute and a half on 2 cores).
fn cargo() -> Command {
    let mut cargo = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
            ]
            .contains(&&*name)
        {
            cargo.env_remove(&*name);
        }
    }
    cargo
}

fn run(cmd: &mut Command) -> Result<()> {
    let shown = shown(cmd);
    eprintln!("xtask: running {shown}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {shown}"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

/// A command as the log shows it: the variables it sets, the program and its arguments (not the
/// variables [`cargo`] removes, which would fill a line each time).
fn shown(cmd: &Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(name, value)| {
            let value = value?;
            Some(format!("{}={:?}", name.to_string_lossy(), value))
        })
        .collect();
    parts.push(format!("{:?}", cmd.get_program()));
    parts.extend(cmd.get_args().map(|a| format!("{a:?}")));
    parts.join(" ")
}

/// Extra arguments go to `cargo test` as they are (`--test it -- tracking::`, `--test replica`),
/// except `--no-schemathesis`. With none but `--no-fail-fast` (every suite: what CI runs), the
/// schemathesis check runs beside the suites, against the debug binary the test build made: the
/// suites wait on browsers, LibreOffice and databases for part of their time (they used about 1.5
/// of 2 cores), so its fixed time budget is spent there rather than after them.
fn test(args: &[String]) -> Result<()> {
    let extra: Vec<String> = args
        .iter()
        .filter(|a| *a != "--no-schemathesis")
        .cloned()
        .collect();
    // Any other argument selects some of the tests: the check belongs to the whole run.
    let check_schema = extra.len() == args.len() && extra.iter().all(|a| a == "--no-fail-fast");
    let extra = extra.as_slice();
    // Build first, so a compile error is reported before a database is started.
    run(cargo().args(["test", "--workspace", "--no-run"]))?;
    ensure_report_tools()?;
    if check_schema {
        // Before the suites, so a machine that cannot reach PyPI fails at once.
        schemathesis::install().context("cannot provide schemathesis")?;
    }
    let pg = postgres::Throwaway::start().context("cannot provide a throwaway PostgreSQL")?;
    let driver = browser::Driver::start().context("cannot provide Chromium and chromedriver")?;
    eprintln!("xtask: chromedriver at {}", driver.url);
    let axe = browser::axe_core().context("cannot provide axe-core")?;
    eprintln!(
        "xtask: throwaway PostgreSQL {} at {}",
        pg.version,
        pg.admin_url()
    );
    // The replica suite (issue 18), when it runs, gets a primary of its own with a streaming
    // replica: a replica of the suites' server would replay every test database's writes (a
    // minute of CPU a run) for one test.
    let replicated = if runs_suite(extra, "replica") {
        let primary = postgres::Throwaway::start()
            .context("cannot provide a throwaway PostgreSQL for the replica suite")?;
        let replica = primary
            .start_replica()
            .context("cannot start a streaming replica")?;
        eprintln!(
            "xtask: the replica suite's primary at {}, its streaming replica at {}",
            primary.admin_url(),
            replica.admin_url()
        );
        Some((primary, replica))
    } else {
        None
    };
    let mut cmd = cargo();
    if let Some((primary, replica)) = &replicated {
        cmd.env("KEHOACH_TEST_POSTGRES_PRIMARY_URL", primary.admin_url())
            .env("KEHOACH_TEST_POSTGRES_REPLICA_URL", replica.admin_url());
    }
    // The integration tests are one binary (`crates/kehoach/tests/it/`) whose tests mostly wait
    // on a server, a database, a browser or LibreOffice: twice as many test threads as cores
    // keeps both cores busy. `RUST_TEST_THREADS` given by the caller wins.
    if std::env::var_os("RUST_TEST_THREADS").is_none() {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        cmd.env("RUST_TEST_THREADS", (2 * cores).to_string());
    }
    cmd.args(["test", "--workspace"])
        .env("KEHOACH_TEST_POSTGRES_URL", pg.admin_url())
        .env("KEHOACH_TEST_WEBDRIVER_URL", &driver.url)
        .env("KEHOACH_TEST_BROWSER", browser::CHROMIUM)
        .env("KEHOACH_TEST_AXE", &axe)
        .env("RUST_BACKTRACE", "0");
    cmd.args(extra);
    // Started once everything the suites need is up: nothing below returns before it is joined.
    let schema_check = check_schema.then(|| {
        let log = schemathesis::log_path();
        eprintln!(
            "xtask: schemathesis runs beside the suites, its report in {}",
            log.display()
        );
        std::thread::spawn(move || {
            schemathesis::check(&schemathesis::debug_binary(), &[], Some(&log))
        })
    });
    let outcome = run(&mut cmd);
    drop(driver);
    drop(replicated);
    drop(pg);
    let Some(schema_check) = schema_check else {
        return outcome;
    };
    // Even after a failed suite: CI then reports both at once.
    let checked = schema_check
        .join()
        .unwrap_or_else(|_| Err(anyhow::anyhow!("the schemathesis check panicked")));
    let log = schemathesis::log_path();
    match std::fs::read_to_string(&log) {
        Ok(report) => eprintln!(
            "xtask: schemathesis's report ({}):\n{report}",
            log.display()
        ),
        Err(e) => eprintln!("xtask: no schemathesis report in {}: {e}", log.display()),
    }
    if let (Err(_), Err(schema)) = (&outcome, &checked) {
        eprintln!("xtask: {schema:#}");
    }
    outcome.and(checked)
}

/// Whether the test arguments run the suite `name`: every suite when none is named.
fn runs_suite(extra: &[String], name: &str) -> bool {
    let named: Vec<&str> = extra
        .iter()
        .zip(extra.iter().skip(1))
        .filter(|(flag, _)| *flag == "--test")
        .map(|(_, suite)| suite.as_str())
        .collect();
    let only_lib = extra.iter().any(|a| a == "--lib");
    if named.is_empty() {
        !only_lib
    } else {
        named.contains(&name)
    }
}

/// The report suite converts the .docx with LibreOffice and renders the PDF with pdftoppm
/// (`crates/kehoach/tests/report.rs`): install Debian's packages when missing and root.
fn ensure_report_tools() -> Result<()> {
    let have = |program: &str| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {program}")])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if have("libreoffice") && have("pdftoppm") {
        return Ok(());
    }
    if !postgres::is_root() {
        eprintln!(
            "xtask: libreoffice or pdftoppm is missing and this is not root: the report suite will \
             fail; run `apt-get install -y libreoffice-writer-nogui poppler-utils` as root"
        );
        return Ok(());
    }
    eprintln!("xtask: installing Debian's libreoffice-writer-nogui and poppler-utils");
    postgres::install_debian_packages(&[
        "libreoffice-writer-nogui",
        "poppler-utils",
        // Metric-compatible with Times New Roman, which the report asks for.
        "fonts-liberation",
    ])
}

fn lint() -> Result<()> {
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))
}
