//! A throwaway PostgreSQL server: initdb into a temporary directory, a free loopback port,
//! stopped and removed on drop. Uses Debian's server binaries; installs them when missing and
//! running as root.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub struct Throwaway {
    dir: PathBuf,
    port: u16,
    server: Child,
    pub version: String,
    /// The server's binary directory (initdb, postgres, psql).
    pub bin: PathBuf,
}

impl Throwaway {
    pub fn start() -> Result<Self> {
        let bin = server_binaries()?;
        let version = bin
            .parent()
            .and_then(Path::file_name)
            .map(|v| v.to_string_lossy().into_owned())
            .unwrap_or_default();
        let as_root = is_root();
        // One process may run several (the replica suite has a primary of its own).
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kehoach-pg-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let data = dir.join("data");
        if as_root {
            // PostgreSQL refuses to run as root: the server runs as the `postgres` user.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()?;
            if !status.success() {
                bail!(
                    "cannot hand {} to the postgres user (is there a postgres user?)",
                    dir.display()
                );
            }
        }
        let initdb = bin.join("initdb");
        let out = as_server_user(as_root, &initdb)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "-D",
            ])
            .arg(&data)
            .stdout(Stdio::null())
            .output()
            .context("cannot run initdb")?;
        if !out.status.success() {
            bail!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let port = free_port()?;
        let log = std::fs::File::create(dir.join("server.log"))?;
        if as_root {
            let _ = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(dir.join("server.log"))
                .status();
        }
        // Durability settings off: this server holds only test data and dies with the run.
        let server = as_server_user(as_root, &bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args([
                "-p",
                &port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-k",
            ])
            .arg(&dir)
            .args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ])
            .args(["-c", "max_connections=300", "-c", "shared_buffers=256MB"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("cannot start postgres")?;
        let mut pg = Throwaway {
            dir,
            port,
            server,
            version,
            bin: bin.clone(),
        };
        pg.wait_ready(&bin)?;
        Ok(pg)
    }

    /// A streaming replica of this server (issue 18's read replicas): `pg_basebackup -R` of it,
    /// started as a hot standby on a port of its own; stopped and removed on drop like this one.
    pub fn start_replica(&self) -> Result<Throwaway> {
        let as_root = is_root();
        let dir = self.dir.with_extension("replica");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let log = std::fs::File::create(dir.join("server.log"))?;
        if as_root {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()?;
            if !status.success() {
                bail!("cannot hand {} to the postgres user", dir.display());
            }
        }
        let data = dir.join("data");
        let out = as_server_user(as_root, &self.bin.join("pg_basebackup"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
            ])
            .arg("-D")
            .arg(&data)
            // -R writes standby.signal and the primary's address: it starts as a streaming
            // replica.
            .args(["-R", "-X", "stream", "--checkpoint=fast"])
            .output()
            .context("cannot run pg_basebackup")?;
        if !out.status.success() {
            bail!(
                "pg_basebackup failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        let port = free_port()?;
        let server = as_server_user(as_root, &self.bin.join("postgres"))
            .arg("-D")
            .arg(&data)
            .args([
                "-p",
                &port.to_string(),
                "-c",
                "listen_addresses=127.0.0.1",
                "-k",
            ])
            .arg(&dir)
            .args(["-c", "hot_standby=on", "-c", "fsync=off"])
            // A standby needs at least the primary's connection slots.
            .args(["-c", "max_connections=300", "-c", "shared_buffers=64MB"])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .context("cannot start the replica")?;
        let mut replica = Throwaway {
            dir,
            port,
            server,
            version: self.version.clone(),
            bin: self.bin.clone(),
        };
        replica.wait_ready(&self.bin)?;
        Ok(replica)
    }

    pub fn admin_url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn wait_ready(&mut self, bin: &Path) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.server.try_wait()? {
                let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
                bail!("postgres exited ({status}) while starting:\n{log}");
            }
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("postgres did not become ready within 60 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Throwaway {
    fn drop(&mut self) {
        // SIGINT is PostgreSQL's "fast shutdown".
        let _ = Command::new("kill")
            .args(["-INT", &self.server.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.server.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.server.kill();
        let _ = self.server.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
        eprintln!("xtask: throwaway PostgreSQL stopped and removed");
    }
}

/// The directory of Debian's PostgreSQL server binaries (newest version), installing them first
/// when missing and running as root.
fn server_binaries() -> Result<PathBuf> {
    if let Some(bin) = find_server_binaries() {
        return Ok(bin);
    }
    if !is_root() {
        bail!(
            "PostgreSQL server binaries are missing (no /usr/lib/postgresql/*/bin/initdb) and this \
             is not root, so they cannot be installed: run `apt-get install -y postgresql` as root"
        );
    }
    eprintln!("xtask: PostgreSQL server binaries missing; installing Debian's postgresql");
    install_debian_packages(&["postgresql"])?;
    find_server_binaries()
        .context("postgresql was installed but no /usr/lib/postgresql/*/bin/initdb exists")
}

fn find_server_binaries() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version: u32 = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// `apt-get update` then `apt-get install -y` the packages.
pub fn install_debian_packages(packages: &[&str]) -> Result<()> {
    let update = Command::new("apt-get")
        .args(["update", "-q"])
        .status()
        .context("cannot run apt-get")?;
    if !update.success() {
        bail!("apt-get update failed");
    }
    let install = Command::new("apt-get")
        .args(["install", "-y", "-q", "--no-install-recommends"])
        .args(packages)
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()?;
    if !install.success() {
        bail!("apt-get install {} failed", packages.join(" "));
    }
    Ok(())
}

/// `program` as the `postgres` user when running as root (PostgreSQL refuses to run as root).
/// `setpriv` execs the program in its own process, so the child's pid is the server's and a
/// signal sent to it reaches the server: `runuser` would stay between them, not pass on the
/// SIGINT of a fast shutdown, and leave the server running without its directory once killed.
fn as_server_user(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}
