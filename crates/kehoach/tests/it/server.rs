//! The real `kehoach` binary, started on an ephemeral port against each backend.

use crate::common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Server, TestDb, admin_token, http};
use serde_json::{Value, json};

on_both_backends! {
    async fn healthz_names_the_backend_and_schema(db: &TestDb) {
        let server = Server::start(&db.cli_args());
        let response = http().get(server.url("/healthz")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        let expected = match db { TestDb::Sqlite(_) => "sqlite", TestDb::Postgres { .. } => "postgres" };
        assert_eq!(body["backend"], expected);
        assert_eq!(body["status"], "ok");
        assert!(body["schema_version"].as_i64().unwrap() >= 1);
        assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    }

    async fn metrics_count_requests_by_route(db: &TestDb) {
        let server = Server::start_with(&db.cli_args(), &["--metrics-addr", "127.0.0.1:0"]);
        for _ in 0..3 {
            http().get(server.url("/healthz")).send().await.unwrap();
        }
        let metrics = server.metrics.clone().expect("metrics address");
        let text = http().get(format!("{metrics}/metrics")).send().await.unwrap().text().await.unwrap();
        let line = text
            .lines()
            .find(|l| l.starts_with("kehoach_http_requests_total") && l.contains("route=\"/healthz\""))
            .unwrap_or_else(|| panic!("no request counter for /healthz in:\n{text}"));
        let count: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(count >= 3.0, "{line}");
    }

    async fn api_requires_credentials_and_names_bad_input(db: &TestDb) {
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        let client = http();
        let anonymous = client.post(server.url("/api/v1/units")).json(&json!({"code": "X", "name": "X", "kind": "agency"})).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        let body: Value = anonymous.json().await.unwrap();
        assert_eq!(body["error"], "authentication required");
        let bad_token = client.get(server.url("/api/v1/units?q=x")).bearer_auth("not-a-token").send().await.unwrap();
        assert_eq!(bad_token.status(), 401);
        let bad_kind = client.post(server.url("/api/v1/units")).bearer_auth(&token)
            .json(&json!({"code": "X", "name": "X", "kind": "planet"})).send().await.unwrap();
        assert_eq!(bad_kind.status(), 400);
        assert!(bad_kind.text().await.unwrap().contains("kind"));
        let created = client.post(server.url("/api/v1/units")).bearer_auth(&token)
            .json(&json!({"code": "49.STTTT", "name": "Sở Thông tin và Truyền thông", "kind": "agency", "aliases": ["Sở TT&TT"]})).send().await.unwrap();
        assert_eq!(created.status(), 201);
        let again = client.post(server.url("/api/v1/units")).bearer_auth(&token)
            .json(&json!({"code": "49.STTTT", "name": "Sở Thông tin và Truyền thông", "kind": "agency"})).send().await.unwrap();
        assert_eq!(again.status(), 409);
        let found: Value = client.get(server.url("/api/v1/units?q=so%20tt%26tt")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
        let unknown = client.get(server.url("/api/v1/nothing")).send().await.unwrap();
        assert_eq!(unknown.status(), 404);
    }

    async fn sigkill_during_writes_loses_no_acknowledged_write(db: &TestDb) {
        let args = db.cli_args();
        let token = admin_token(&args);
        let mut server = Server::start(&args);
        let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
        let mut writers = Vec::new();
        for writer in 0..4 {
            let url = server.url("/api/v1/units");
            let token = token.clone();
            let acknowledged = acknowledged.clone();
            writers.push(tokio::spawn(async move {
                let client = http();
                for i in 0..10_000 {
                    let code = format!("T{writer}-{i}");
                    let sent = client.post(&url).bearer_auth(&token)
                        .json(&json!({"code": code, "name": format!("Đơn vị thử {code}"), "kind": "agency"}))
                        .send().await;
                    match sent {
                        Ok(r) if r.status() == 201 => { acknowledged.lock().unwrap().insert(code); }
                        Ok(r) => panic!("unexpected answer {}", r.status()),
                        Err(_) => break, // the server died under us
                    }
                }
            }));
        }
        // Let writes pile up, then kill without warning.
        while acknowledged.lock().unwrap().len() < 300 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        for w in writers { w.await.unwrap(); }
        let acknowledged = acknowledged.lock().unwrap().clone();

        let server = Server::start(&args);
        assert_eq!(http().get(server.url("/healthz")).send().await.unwrap().status(), 200);
        let store = db.open().await;
        let today = chrono::Utc::now().date_naive();
        let mut lost = Vec::new();
        for code in &acknowledged {
            if store.unit_by_code(code, today).await.unwrap().is_none() {
                lost.push(code.clone());
            }
        }
        assert!(lost.is_empty(), "{} of {} acknowledged writes lost: {:?}", lost.len(), acknowledged.len(), &lost[..lost.len().min(10)]);
    }

    async fn sigterm_drains_and_closes_cleanly(db: &TestDb) {
        let server = Server::start(&db.cli_args());
        assert_eq!(http().get(server.url("/healthz")).send().await.unwrap().status(), 200);
        let mut server = server;
        let pid = server.child.id().to_string();
        assert!(std::process::Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let status = wait_exit(&mut server.child, Duration::from_secs(20)).expect("server did not stop on SIGTERM");
        assert!(status.success(), "exit status {status}");
        if let TestDb::Sqlite(dir) = db {
            // Closing the pool checkpoints the WAL: the database file is complete on its own.
            let wal = dir.path().join("kehoach.sqlite3-wal");
            assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0, "WAL left behind");
        }
    }
}

fn wait_exit(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = std::time::Instant::now() + limit;
    while std::time::Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// A whole country is served by several processes on one PostgreSQL database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_servers_share_one_database() {
    let db = TestDb::postgres().await;
    let args = db.cli_args();
    // Started together: both race to migrate the empty database.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start(&args));
        let b = s.spawn(|| Server::start(&args));
        (a.join().unwrap(), b.join().unwrap())
    });
    let client = http();
    for server in [&a, &b] {
        let body: Value = client
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["backend"], "postgres");
        assert_eq!(body["status"], "ok");
    }
    let token = admin_token(&args);
    let created = client
        .post(a.url("/api/v1/units"))
        .bearer_auth(&token)
        .json(&json!({"code": "T.48", "name": "Trung tâm thử nghiệm Đà Nẵng", "kind": "agency"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let seen: Value = client
        .get(b.url("/api/v1/units?q=trung%20tam%20thu%20nghiem%20da%20nang"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        seen[0]["code"], "T.48",
        "a write through one server is read through the other"
    );
    drop((a, b));
    db.drop_db().await;
}

#[test]
fn help_lists_every_command() {
    let (code, out, _) = common::cli(&["--help"]);
    assert_eq!(code, 0);
    for command in ["serve", "plan", "user", "db"] {
        assert!(
            out.lines().any(|l| l.trim_start().starts_with(command)),
            "--help lacks {command}:\n{out}"
        );
    }
    let (code, out, _) = common::cli(&["serve", "--help"]);
    assert_eq!(code, 0);
    for option in ["--addr", "--data-dir", "--database-url", "--demo"] {
        assert!(out.contains(option), "serve --help lacks {option}");
    }
}
