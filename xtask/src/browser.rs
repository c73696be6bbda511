//! The browser for the web suite: Debian's `chromium` and `chromium-driver` (installed with
//! apt-get when missing and running as root), and a chromedriver on a free loopback port whose URL
//! the tests read from `KEHOACH_TEST_WEBDRIVER_URL`. Stopped when dropped.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::postgres::{install_debian_packages, is_root};

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

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
             installed: run `apt-get install -y chromium chromium-driver` as root"
        );
    }
    eprintln!(
        "xtask: Chromium or chromedriver missing; installing Debian's chromium chromium-driver"
    );
    install_debian_packages(&["chromium", "chromium-driver"])?;
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
