//! The OpenAPI document checked against the real server (issue 18): `cargo xtask schemathesis`,
//! and the last step of `cargo xtask test` when every suite runs (CI).
//!
//! Installs schemathesis from PyPI into a virtual environment under the target directory (once
//! per pinned version), starts `kehoach serve --demo` on a data directory of its own with an
//! administrator's API token, and runs a bounded schemathesis run against `/api/openapi.json`:
//! every operation, a few examples each, every check, a time budget. Fails when schemathesis
//! reports anything. What the checks may not flag, and why, is in `xtask/schemathesis.toml`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{cargo, run};

/// The version checked with, exactly: a newer one may check more, and CI must not start failing
/// because PyPI moved. Raise it on purpose, with a run that passes.
const SCHEMATHESIS: &str = "schemathesis==4.32.5";
/// Examples per operation: enough to try each parameter's bounds, small enough for CI.
const MAX_EXAMPLES: &str = "15";
/// The whole run's time budget, in seconds (schemathesis keeps fuzzing until it is spent, so a
/// run takes about this long plus the coverage phase: a few minutes on 2 cores).
const MAX_SECONDS: &str = "150";

/// `cargo xtask schemathesis [ST RUN ARGS…]`: builds the debug binary, then [`check`].
pub fn schemathesis(extra: &[String]) -> Result<()> {
    run(cargo().args(["build", "-p", "kehoach"]))?;
    check(&debug_binary(), extra, None)
}

/// The debug binary `cargo build` and `cargo test` make (the test build links it for the
/// integration suites, so CI need not build anything more).
pub fn debug_binary() -> PathBuf {
    target_dir().join("debug").join("kehoach")
}

/// A bounded schemathesis run against `bin serve --demo`; extra arguments go to `st run`. With
/// `log`, schemathesis writes its report there instead of to the terminal (when it runs beside
/// the suites, whose output it would interleave with).
pub fn check(bin: &Path, extra: &[String], log: Option<&Path>) -> Result<()> {
    if !bin.exists() {
        bail!("{} is missing: build it first", bin.display());
    }
    let target = target_dir();
    let st = install()?;
    let data = target.join(format!("schemathesis-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = Command::new(bin)
        .arg("--data-dir")
        .arg(&data)
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env("KEHOACH_LOG", "error")
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start kehoach")?;
    let result = (|| {
        let stdout = server.stdout.take().context("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let base = loop {
            let line = lines.next().context("kehoach exited before listening")??;
            if let Some(url) = line.strip_prefix("listening on ") {
                break url.trim().to_string();
            }
        };
        std::thread::spawn(move || for _ in lines {});
        let out = Command::new(bin)
            .arg("--data-dir")
            .arg(&data)
            .args(["user", "token", "quantri"])
            .output()?;
        if !out.status.success() {
            bail!("user token: {}", String::from_utf8_lossy(&out.stderr));
        }
        let token = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or("")
            .trim()
            .to_string();
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemathesis.toml");
        let mut st = Command::new(&st);
        if let Some(log) = log {
            let file = std::fs::File::create(log)
                .with_context(|| format!("cannot write {}", log.display()))?;
            st.stdout(file.try_clone()?).stderr(file);
        }
        run(st
            .arg("--config-file")
            .arg(&config)
            .args(["--no-color", "run"])
            .arg(format!("{base}/api/openapi.json"))
            .args(["--url", &format!("{base}/api/v1")])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "all", "--max-examples", MAX_EXAMPLES])
            // One worker: with two, CPython 3.11 (Debian 12's, and pyenv's 3.11.7 here) now and
            // then raised "AST constructor recursion depth mismatch" while hypothesis read a
            // lambda's source in one thread (CPython gh-106905, seen in threaded programs): a run
            // error that is not the API's. The time budget bounds the run either way.
            .args(["--workers", "1", "--request-timeout", "20"])
            // Bounded for CI; the same examples each run.
            .args(["--max-time", MAX_SECONDS, "--seed", "18"])
            .args(extra)
            .env("SCHEMATHESIS_HOOKS", ""))
    })();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    result.context("schemathesis found the OpenAPI document and the server disagreeing")
}

/// `st` in a virtual environment under the target directory, installed when missing or of
/// another version than [`SCHEMATHESIS`] (the venv remembers which it holds).
pub fn install() -> Result<PathBuf> {
    let venv = target_dir().join("schemathesis-venv");
    let st = venv.join("bin").join("st");
    let marker = venv.join("kehoach-installed");
    if st.exists() && std::fs::read_to_string(&marker).is_ok_and(|m| m == SCHEMATHESIS) {
        return Ok(st);
    }
    let made = Command::new("python3")
        .args(["-m", "venv", "--clear"])
        .arg(&venv)
        .status();
    if !made.is_ok_and(|s| s.success()) {
        // Debian's python3 comes without the venv module.
        if !crate::postgres::is_root() {
            bail!("python3 -m venv failed: install python3 and python3-venv");
        }
        eprintln!("xtask: installing Debian's python3-venv");
        crate::postgres::install_debian_packages(&["python3", "python3-venv"])?;
        run(Command::new("python3")
            .args(["-m", "venv", "--clear"])
            .arg(&venv))?;
    }
    run(Command::new(venv.join("bin").join("pip")).args(["install", "-q", SCHEMATHESIS]))?;
    std::fs::write(&marker, SCHEMATHESIS)?;
    Ok(st)
}

/// Where [`check`] writes schemathesis's report when it runs beside the suites.
pub fn log_path() -> PathBuf {
    target_dir().join("schemathesis.log")
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .expect("the workspace")
                .join("target")
        })
}
