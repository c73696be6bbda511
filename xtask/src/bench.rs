//! `cargo xtask bench`: the national-scale figures of BENCHMARKS.md, SQLite and PostgreSQL side
//! by side from one run.
//!
//! For each backend: `kehoach demo --scale national` (batched ingest through the store), single
//! API requests (`kehoach serve` and POSTs to `/api/v1/assignments/{id}/activities` from a few
//! client threads, keep-alive, loopback; each client with the token of a reporter of one unit,
//! on that unit's assignments, so the real scope checks run), then `kehoach demo --measure` (national roll-up and
//! one province's commune × week heatmap, medians; on PostgreSQL also the same by a plain SQL
//! GROUP BY). Then the raw tables are exported from PostgreSQL to CSV and the same GROUP BY
//! queries run in DuckDB (Python package, installed into a venv under the target directory when
//! missing). Every loop is bounded.
//!
//! `--backend sqlite|postgres` measures one backend; `--postgres-url URL` measures against an
//! existing empty PostgreSQL database instead of a throwaway one (to read `pg_stat_statements`,
//! or another server's settings, while it runs).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::postgres::Throwaway;

const ROLLUP_SQL: &str = include_str!("../../crates/kehoach/src/demo/rollup.sql");
const HEATMAP_SQL: &str = include_str!("../../crates/kehoach/src/demo/heatmap.sql");
/// The demo's evaluation date and plan year (crates/kehoach/src/demo/national.rs).
const AS_OF: &str = "2026-11-15";
const YEAR_START: &str = "2026-01-01";

struct Options {
    activities: u64,
    seed: u64,
    batch: u64,
    requests: u64,
    /// The API is measured at each of these numbers of concurrent clients in turn.
    clients: Vec<u64>,
    runs: u64,
    /// Use the release binary as it is (`--no-build`).
    build: bool,
    /// Another kehoach binary to measure (`--bin PATH`, implies `--no-build`): an older build
    /// compared on the same machine with this bench.
    bin: Option<PathBuf>,
    /// Only one backend (`--backend sqlite|postgres`): a shorter run while profiling one.
    backends: Vec<&'static str>,
    /// An existing, empty PostgreSQL database instead of a throwaway one (`--postgres-url`): to
    /// measure with `pg_stat_statements` or another server's settings. Implies the PostgreSQL
    /// backend only; the DuckDB part is skipped.
    postgres_url: Option<String>,
}

fn parse(args: &[String]) -> Result<Options> {
    let mut o = Options {
        activities: 5_000_000,
        seed: 2026,
        batch: 10_000,
        requests: 20_000,
        clients: vec![4, 16],
        runs: 30,
        build: true,
        bin: None,
        backends: vec!["SQLite", "PostgreSQL"],
        postgres_url: None,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "--no-build" {
            o.build = false;
            continue;
        }
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        if flag == "--bin" {
            o.bin = Some(PathBuf::from(value));
            o.build = false;
            continue;
        }
        if flag == "--backend" {
            o.backends = match value.as_str() {
                "sqlite" => vec!["SQLite"],
                "postgres" => vec!["PostgreSQL"],
                _ => bail!("--backend: sqlite or postgres, not {value:?}"),
            };
            continue;
        }
        if flag == "--postgres-url" {
            o.postgres_url = Some(value.clone());
            o.backends = vec!["PostgreSQL"];
            continue;
        }
        if flag == "--clients" {
            o.clients = value
                .split(',')
                .map(|c| c.trim().parse::<u64>().map(|c| c.clamp(1, 64)))
                .collect::<Result<_, _>>()
                .with_context(|| {
                    format!("--clients: numbers separated by commas, not {value:?}")
                })?;
            if o.clients.is_empty() || o.clients.len() > 8 {
                bail!("--clients: one to eight numbers");
            }
            continue;
        }
        let value = value
            .parse::<u64>()
            .with_context(|| format!("{flag}: a number"))?;
        match flag.as_str() {
            "--activities" => o.activities = value,
            "--seed" => o.seed = value,
            "--batch" => o.batch = value,
            "--requests" => o.requests = value.min(1_000_000),
            "--runs" => o.runs = value.clamp(1, 1000),
            other => bail!(
                "unknown option {other} (--activities, --seed, --batch, --requests, --clients, --runs, --bin, --no-build, --backend, --postgres-url)"
            ),
        }
    }
    Ok(o)
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// One backend's figures.
#[derive(Default)]
struct Figures {
    ingest: String,
    ingest_rate: f64,
    setup_s: f64,
    /// Per client count of `Options::clients`: req/s, p50 and p99 in ms (zeros if it failed).
    api: Vec<ApiFigure>,
    measured: String,
}

#[derive(Default, Clone, Copy)]
struct ApiFigure {
    rate: f64,
    p50_ms: f64,
    p99_ms: f64,
}

pub fn bench(args: &[String]) -> Result<()> {
    let o = parse(args)?;
    if o.build {
        crate::run(crate::cargo().args(["build", "--release", "-p", "kehoach"]))?;
    }
    let target = target_dir();
    let bin = o
        .bin
        .clone()
        .unwrap_or_else(|| target.join("release/kehoach"));
    let work = target.join("bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work)?;
    // A throwaway PostgreSQL unless one is given; none when only SQLite is measured.
    let pg = if o.postgres_url.is_none() && o.backends.contains(&"PostgreSQL") {
        let pg = Throwaway::start().context("cannot provide a throwaway PostgreSQL")?;
        eprintln!("bench: PostgreSQL {} at {}", pg.version, pg.admin_url());
        Some(pg)
    } else {
        None
    };
    let pg_url = o
        .postgres_url
        .clone()
        .or_else(|| pg.as_ref().map(Throwaway::admin_url));

    let sqlite_args = vec![
        "--data-dir".to_string(),
        work.join("sqlite").display().to_string(),
    ];
    let mut results = Vec::new();
    for name in &o.backends {
        let db = match *name {
            "SQLite" => sqlite_args.clone(),
            _ => vec![
                "--database-url".to_string(),
                pg_url.clone().context("no PostgreSQL")?,
            ],
        };
        eprintln!("bench: {name}: building the national demo");
        results.push((*name, one_backend(&bin, &db, &o)?));
    }
    let duck = match &pg {
        Some(pg) => duckdb(pg, &work, &o).unwrap_or_else(|e| {
            eprintln!("bench: DuckDB part failed: {e:#}");
            String::new()
        }),
        None => String::new(),
    };
    drop(pg);

    println!(
        "\n## National scale: {} activities, seed {}\n",
        o.activities, o.seed
    );
    let names: Vec<&str> = results.iter().map(|(name, _)| *name).collect();
    println!("| figure | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    let row = |label: String, cell: &dyn Fn(&Figures) -> String| {
        let cells: Vec<String> = results.iter().map(|(_, f)| cell(f)).collect();
        println!("| {label} | {} |", cells.join(" | "));
    };
    row("setup (agencies, 34 plans)".into(), &|f| {
        format!("{:.1} s", f.setup_s)
    });
    row(
        format!("batched ingest ({} per transaction)", o.batch),
        &|f| format!("{:.0} activities/s", f.ingest_rate),
    );
    for (i, clients) in o.clients.iter().enumerate() {
        row(
            format!(
                "single API requests ({} POSTs, {clients} clients)",
                o.requests
            ),
            &|f| {
                let a = f.api.get(i).copied().unwrap_or_default();
                format!(
                    "{:.0} req/s (p50 {:.1} ms, p99 {:.1} ms)",
                    a.rate, a.p50_ms, a.p99_ms
                )
            },
        );
    }
    println!("\nmeasure (JSON, per backend):");
    for (name, f) in &results {
        println!("{name}: {}", f.ingest);
        println!("{name}: {}", f.measured);
    }
    println!("DuckDB: {duck}");
    Ok(())
}

fn kehoach(bin: &Path, db: &[String]) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(db).env("KEHOACH_LOG", "warn");
    cmd
}

fn output(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run {cmd:?}"))?;
    if !out.status.success() {
        bail!("{cmd:?} failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A number field of a one-line JSON object (no JSON crate in xtask).
fn field(json: &str, name: &str) -> Option<f64> {
    let key = format!("\"{name}\":");
    let rest = &json[json.find(&key)? + key.len()..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    rest[..end].trim().parse().ok()
}

fn one_backend(bin: &Path, db: &[String], o: &Options) -> Result<Figures> {
    let mut f = Figures::default();
    let out = output(kehoach(bin, db).args([
        "demo",
        "--scale",
        "national",
        "--activities",
        &o.activities.to_string(),
        "--seed",
        &o.seed.to_string(),
        "--batch",
        &o.batch.to_string(),
    ]))?;
    let json = out.lines().last().unwrap_or_default().to_string();
    f.ingest_rate = field(&json, "activities_per_second").unwrap_or(0.0);
    f.setup_s = field(&json, "setup_seconds").unwrap_or(0.0);
    let assignments = field(&json, "assignments").unwrap_or(0.0) as u64;
    f.ingest = json;
    eprintln!("bench: {out}");

    // Single API requests, by reporters (an administrator only reads the plan to find them
    // their assignments).
    output(kehoach(bin, db).args(["user", "add", "bench", "--role", "admin"]))?;
    let token = new_token(bin, db, "bench")?;
    match api_requests(bin, db, &token, assignments, o) {
        Ok(api) => f.api = api,
        Err(e) => eprintln!("bench: single API requests failed: {e:#}"),
    }

    f.measured =
        output(kehoach(bin, db).args(["demo", "--measure", "--runs", &o.runs.to_string()]))?
            .trim()
            .to_string();
    eprintln!("bench: {}", f.measured);
    Ok(f)
}

/// A new API token of `user`.
fn new_token(bin: &Path, db: &[String], user: &str) -> Result<String> {
    let out = output(kehoach(bin, db).args(["user", "token", user]))?;
    Ok(out.lines().last().unwrap_or_default().trim().to_string())
}

/// A reporter's token and the assignments of its unit.
struct Reporter {
    token: String,
    assignments: Vec<i64>,
}

/// `n` reporters, each of another unit of the first plan (the units with the most
/// assignments), created with the CLI; the plan is read with the administrator's `admin`
/// token from the server at `addr`.
fn reporters(bin: &Path, db: &[String], addr: &str, admin: &str, n: u64) -> Result<Vec<Reporter>> {
    let (status, body) = Conn::open(addr)?.request("GET", "/api/v1/plans/1", admin, "")?;
    if status != 200 {
        bail!("GET /api/v1/plans/1 answered {status}");
    }
    let plan: serde_json::Value = serde_json::from_slice(&body).context("plan 1's JSON")?;
    let mut by_unit: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
    for task in plan["tasks"].as_array().into_iter().flatten() {
        for a in task["assignments"].as_array().into_iter().flatten() {
            if let (Some(code), Some(id)) = (a["unit_code"].as_str(), a["id"].as_i64()) {
                by_unit.entry(code.to_string()).or_default().push(id);
            }
        }
    }
    let mut units: Vec<(String, Vec<i64>)> = by_unit.into_iter().collect();
    // Most assignments first; by code among equals, so every run picks the same units.
    units.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    units.truncate(n as usize);
    if units.is_empty() {
        bail!("plan 1 has no assignments");
    }
    let mut out = Vec::new();
    for (i, (code, assignments)) in units.into_iter().enumerate() {
        let name = format!("bench-reporter-{i}");
        output(
            kehoach(bin, db).args(["user", "add", &name, "--role", "reporter", "--unit", &code]),
        )?;
        out.push(Reporter {
            token: new_token(bin, db, &name)?,
            assignments,
        });
    }
    Ok(out)
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `kehoach serve` and sends `o.requests` POSTs at each client count of `o.clients`,
/// one count after the other, on the same server.
fn api_requests(
    bin: &Path,
    db: &[String],
    token: &str,
    assignments: u64,
    o: &Options,
) -> Result<Vec<ApiFigure>> {
    if assignments == 0 || o.requests == 0 {
        return Ok(Vec::new());
    }
    let mut child = kehoach(bin, db)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .context("cannot start kehoach serve")?;
    let stdout = child.stdout.take().context("no stdout")?;
    let server = Server(child);
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .context("kehoach serve exited before listening")??;
        if let Some(url) = line.strip_prefix("listening on http://") {
            break url.trim().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let most = o.clients.iter().copied().max().unwrap_or(1);
    let reporters = Arc::new(reporters(bin, db, &addr, token, most)?);
    eprintln!(
        "bench: API as {} reporters of {} units ({} assignments)",
        reporters.len(),
        reporters.len(),
        reporters.iter().map(|r| r.assignments.len()).sum::<usize>()
    );
    let mut figures = Vec::new();
    for (round, clients) in o.clients.iter().enumerate() {
        let first = round as u64 * o.requests;
        let figure = one_load(&addr, &reporters, first, *clients, o.requests)?;
        eprintln!(
            "bench: API, {clients} clients: {:.0} req/s (p50 {:.1} ms, p99 {:.1} ms)",
            figure.rate, figure.p50_ms, figure.p99_ms
        );
        figures.push(figure);
    }
    drop(server);
    Ok(figures)
}

/// `total` POSTs (numbered from `first`) from `clients` threads, each on its own keep-alive
/// connection, each sending its next request when the last is answered. Client c reports as
/// reporter c (modulo their number), on its unit's assignments in turn.
fn one_load(
    addr: &str,
    reporters: &Arc<Vec<Reporter>>,
    first: u64,
    clients: u64,
    total: u64,
) -> Result<ApiFigure> {
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut handles = Vec::new();
    for c in 0..clients {
        let (addr, reporters, next) = (addr.to_string(), reporters.clone(), next.clone());
        handles.push(std::thread::spawn(move || -> Result<Vec<f64>> {
            let mut conn = Conn::open(&addr)?;
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    return Ok(latencies);
                }
                let i = first + n;
                // The reporter's unit's assignments in turn; a date every unit may report on.
                let reporter = &reporters[c as usize % reporters.len()];
                let id = reporter.assignments[i as usize % reporter.assignments.len()];
                let token = &reporter.token;
                let body =
                    format!("{{\"date\":\"2026-11-10\",\"title\":\"Tin bài {i}\",\"quantity\":1}}");
                let t = Instant::now();
                let status = conn.post(
                    &format!("/api/v1/assignments/{id}/activities"),
                    token,
                    &body,
                )?;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                if status != 201 {
                    bail!("POST activity {i} answered {status}");
                }
            }
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(
            h.join()
                .map_err(|_| anyhow::anyhow!("client thread panicked"))??,
        );
    }
    let secs = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Ok(ApiFigure {
        rate: all.len() as f64 / secs,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    })
}

/// A keep-alive HTTP/1.1 connection: enough for JSON POSTs to kehoach.
struct Conn {
    addr: String,
    stream: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: &str) -> Result<Conn> {
        let stream = TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            addr: addr.to_string(),
            stream: BufReader::new(stream),
        })
    }

    fn post(&mut self, path: &str, token: &str, body: &str) -> Result<u16> {
        Ok(self.request("POST", path, token, body)?.0)
    }

    /// Sends one request; its status and body.
    fn request(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &str,
    ) -> Result<(u16, Vec<u8>)> {
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        self.stream.get_mut().write_all(request.as_bytes())?;
        let mut status_line = String::new();
        self.stream.read_line(&mut status_line)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {status_line:?}"))?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if self.stream.read_line(&mut line)? == 0 {
                bail!("connection closed in headers");
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((k, v)) = line.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        self.stream.read_exact(&mut body)?;
        Ok((status, body))
    }
}

/// Exports the raw tables from PostgreSQL and runs the plain SQL roll-up and heatmap in DuckDB.
fn duckdb(pg: &Throwaway, work: &Path, o: &Options) -> Result<String> {
    let python = duckdb_python()?;
    let psql = pg.bin.join("psql");
    let url = pg.admin_url();
    let export = |name: &str, query: &str| -> Result<()> {
        let file = work.join(format!("{name}.csv"));
        let copy = format!(
            "\\copy ({query}) TO '{}' WITH (FORMAT csv, HEADER)",
            file.display()
        );
        crate::run(Command::new(&psql).args([url.as_str(), "-q", "-c", copy.as_str()]))
    };
    let started = Instant::now();
    export(
        "activities",
        "SELECT assignment_id, occurred_on, quantity, \
         to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS recorded_at FROM activities",
    )?;
    export(
        "assignments",
        "SELECT id, task_id, province_id FROM assignments",
    )?;
    export("targets", "SELECT id, task_id, per, count FROM targets")?;
    let export_s = started.elapsed().as_secs_f64();
    // The heatmap subject: as `kehoach demo --measure` chooses it (task "1", the province with
    // the most commune stations).
    let subject = Command::new(&psql)
        .args([
            url.as_str(),
            "-At",
            "-c",
            "SELECT a.task_id, a.province_id FROM assignments a JOIN tasks k ON k.id = a.task_id \
             WHERE k.ref = '1' GROUP BY a.task_id, a.province_id ORDER BY COUNT(*) DESC, a.task_id LIMIT 1",
        ])
        .output()?;
    let subject = String::from_utf8_lossy(&subject.stdout).trim().to_string();
    let (task, province) = subject.split_once('|').context("no heatmap subject")?;
    let rollup = ROLLUP_SQL
        .replace("(x.recorded_at AT TIME ZONE 'UTC')", "x.recorded_at")
        .replace("$1", &format!("DATE '{AS_OF}'"))
        .replace("$2", &format!("DATE '{YEAR_START}'"));
    let heatmap = HEATMAP_SQL.replace("$1", task).replace("$2", province);
    let script = format!(
        r#"
import duckdb, json, statistics, time
con = duckdb.connect()
t = time.perf_counter()
for name in ["activities", "assignments", "targets"]:
    con.execute(f"CREATE TABLE {{name}} AS SELECT * FROM read_csv_auto('{work}/{{name}}.csv', header=true)")
load = time.perf_counter() - t
def median(sql, runs):
    times = []
    rows = None
    for _ in range(runs):
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), rows
rollup_ms, rows = median({rollup:?}, min({runs}, 10))
heatmap_ms, cells = median({heatmap:?}, {runs})
print(json.dumps({{"duckdb": duckdb.__version__, "load_s": round(load, 2), "export_s": {export_s:.2},
  "sql_rollup_ms": round(rollup_ms, 2), "sql_heatmap_ms": round(heatmap_ms, 2),
  "sql_met": sum(r[1] for r in rows), "sql_on_time": sum(r[2] for r in rows), "sql_ended": sum(r[3] for r in rows),
  "heatmap_cells": len(cells)}}))
"#,
        work = work.display(),
        runs = o.runs,
    );
    let path = work.join("duckdb_bench.py");
    std::fs::write(&path, script)?;
    let out = Command::new(&python)
        .arg(&path)
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        bail!("DuckDB script failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Python with the `duckdb` package: a venv under the target directory, made when missing.
fn duckdb_python() -> Result<PathBuf> {
    let venv = target_dir().join("bench-venv");
    let python = venv.join("bin/python");
    let has = |p: &Path| {
        Command::new(p)
            .args(["-c", "import duckdb"])
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    };
    if has(&python) {
        return Ok(python);
    }
    crate::run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    crate::run(Command::new(venv.join("bin/pip")).args(["install", "--quiet", "duckdb"]))?;
    if !has(&python) {
        bail!("duckdb is not importable after pip install");
    }
    Ok(python)
}
