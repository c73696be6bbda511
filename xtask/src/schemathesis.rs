//! `cargo xtask schemathesis`: the OpenAPI document checked against the real server (issue 18).
//!
//! Installs schemathesis from PyPI into a virtual environment under the target directory (once),
//! starts `kehoach serve --demo` on a data directory of its own with an administrator's API
//! token, and runs a bounded schemathesis run against `/api/openapi.json`: every operation, a
//! few examples each, every check. Fails when schemathesis reports anything.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::{cargo, run};

/// The version checked here; newer ones may check more.
const SCHEMATHESIS: &str = "schemathesis==4.32.*";
/// Examples per operation: enough to try each parameter's bounds, small enough for CI.
const MAX_EXAMPLES: &str = "15";
/// The whole run's time budget, in seconds.
const MAX_SECONDS: &str = "150";

pub fn schemathesis(extra: &[String]) -> Result<()> {
    let target = target_dir();
    let st = install(&target)?;
    run(cargo().args(["build", "-p", "kehoach"]))?;
    let bin = target.join("debug").join("kehoach");
    let data = target.join(format!("schemathesis-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let mut server = Command::new(&bin)
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
        let out = Command::new(&bin)
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
        run(Command::new(&st)
            .args(["--no-color", "run"])
            .arg(format!("{base}/api/openapi.json"))
            .args(["--url", &format!("{base}/api/v1")])
            .args(["--header", &format!("Authorization: Bearer {token}")])
            .args(["--checks", "all", "--max-examples", MAX_EXAMPLES])
            .args(["--workers", "2", "--request-timeout", "20"])
            // Bounded for CI; the same examples each run.
            .args(["--max-time", MAX_SECONDS, "--seed", "18"])
            .args(extra)
            .env("SCHEMATHESIS_HOOKS", ""))
    })();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// `st` in a virtual environment under the target directory, installed when missing.
fn install(target: &Path) -> Result<PathBuf> {
    let venv = target.join("schemathesis-venv");
    let st = venv.join("bin").join("st");
    if st.exists() {
        return Ok(st);
    }
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin").join("pip")).args(["install", "-q", SCHEMATHESIS]))?;
    Ok(st)
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
