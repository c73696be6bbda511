//! The browser for the web suite: Debian's `chromium-headless-shell` (the same Blink engine as
//! the desktop browser, without it: about a fifth less CPU than `chromium --headless`) and
//! `chromium-driver` (installed with apt-get when missing and running as root), and a chromedriver
//! on a free loopback port whose URL the tests read from `KEHOACH_TEST_WEBDRIVER_URL` (and the
//! browser's binary from `KEHOACH_TEST_BROWSER`). Stopped when dropped. Also axe-core, the
//! accessibility checker the suite injects into every page: npm's `axe-core`, installed once
//! under the target directory (`KEHOACH_TEST_AXE` names its `axe.min.js`).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::postgres::{install_debian_packages, is_root};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The axe-core release the browser suite checks with (a major version's rules and impacts
/// are stable; pinned so a new release cannot fail the suite on its own).
const AXE_CORE: &str = "axe-core@4.10.3";
/// The headless shell's binary itself (its `/usr/bin` wrapper forks, and chromedriver then finds
/// no page): the tests start this one.
pub const CHROMIUM: &str = "/usr/lib/chromium/chromium-headless-shell";

pub struct Driver {
    child: Child,
    pub url: String,
}

fn ensure_installed() -> Result<()> {
    if Path::new(CHROMEDRIVER).exists() && Path::new(CHROMIUM).exists() {
        return Ok(());
    }
    if !is_root() {
        bail!(
            "{CHROMEDRIVER} or {CHROMIUM} is missing and this is not root, so they cannot be \
             installed: run `apt-get install -y chromium-headless-shell chromium-driver` as root"
        );
    }
    eprintln!(
        "xtask: Chromium's headless shell or chromedriver missing; installing Debian's \
         chromium-headless-shell chromium-driver"
    );
    install_debian_packages(&["chromium-headless-shell", "chromium-driver"])?;
    if !Path::new(CHROMEDRIVER).exists() {
        bail!("chromium-driver was installed but {CHROMEDRIVER} does not exist");
    }
    Ok(())
}

impl Driver {
    pub fn start() -> Result<Driver> {
        ensure_installed()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {CHROMEDRIVER}"))?;
        let mut driver = Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = driver.child.try_wait()? {
                bail!("chromedriver exited at start ({status})");
            }
            if started.elapsed() > Duration::from_secs(30) {
                bail!("chromedriver did not listen on port {port} within 30 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(driver)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `<target>/axe/node_modules/axe-core/axe.min.js`, installed with npm when missing.
pub fn axe_core() -> Result<std::path::PathBuf> {
    let target = match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .context("the workspace directory")?
            .join("target"),
    };
    let prefix = target.join("axe");
    let script = prefix.join("node_modules/axe-core/axe.min.js");
    if script.exists() {
        return Ok(script);
    }
    eprintln!(
        "xtask: installing {AXE_CORE} with npm into {}",
        prefix.display()
    );
    std::fs::create_dir_all(&prefix)?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(AXE_CORE)
        .status()
        .context("cannot run npm (install Node.js and npm: apt-get install -y npm)")?;
    if !status.success() || !script.exists() {
        bail!("npm install {AXE_CORE} failed");
    }
    Ok(script)
}
