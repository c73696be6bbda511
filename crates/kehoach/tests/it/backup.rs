//! `kehoach backup` / `kehoach restore` (issue 18): a backup taken while writers keep writing
//! restores every write acknowledged before it began, with every evidence file; PostgreSQL is
//! refused with a pointer to pg_dump; a restore never overwrites.

use crate::common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Server, TestDb, admin_token, cli, http, run_cli};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// An acknowledged write: the activity's id and its file's bytes.
type Acked = (i64, String, Vec<u8>);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_write_load_restores_every_acknowledged_write_and_file() {
    let db = TestDb::sqlite().await;
    let imported = db.import_quang_nam().await;
    let plan = imported["plan_id"].as_i64().unwrap();
    let store = db.open().await;
    let assignments: Vec<i64> = store
        .assignments_of_plan(plan)
        .await
        .unwrap()
        .iter()
        .take(4)
        .map(|a| a.id)
        .collect();
    store.close().await;
    let token = admin_token(&db.cli_args());
    let server = Server::start(&db.cli_args());

    // Four writers, each recording activities with a file of its own, until told to stop.
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for (w, assignment) in assignments.iter().copied().enumerate() {
        let (acked, stop, token) = (acked.clone(), stop.clone(), token.clone());
        let url = server.url(&format!("/api/v1/assignments/{assignment}/activities"));
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let text = format!("Biên bản số {n} của người viết {w}\n")
                    .repeat(50)
                    .into_bytes();
                let form = Form::new()
                    .text("date", "2024-05-06")
                    .text("title", format!("Hoạt động {w}-{n}"))
                    .part(
                        "file",
                        Part::bytes(text.clone()).file_name(format!("bien-ban-{n}.txt")),
                    );
                let r = http()
                    .post(&url)
                    .bearer_auth(&token)
                    .multipart(form)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                let body: Value = r.json().await.unwrap();
                let sha = body["evidence"][0]["sha256"].as_str().unwrap().to_string();
                acked
                    .lock()
                    .unwrap()
                    .push((body["id"].as_i64().unwrap(), sha, text));
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let before: Vec<Acked> = acked.lock().unwrap().clone();
    assert!(
        before.len() >= 10,
        "the writers are writing: {}",
        before.len()
    );
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("kehoach-backup.zip");
    let args: Vec<String> = db
        .cli_args()
        .into_iter()
        .chain(["backup", "-o", archive.to_str().unwrap(), "--json"].map(String::from))
        .collect();
    let (code, stdout, err) = tokio::task::spawn_blocking(move || {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(&refs)
    })
    .await
    .unwrap();
    assert_eq!(code, 0, "{err}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    let during = acked.lock().unwrap().len() - before.len();
    assert!(during > 0, "writes went on while the backup ran");
    let manifest: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(manifest["missing"], serde_json::json!([]));
    drop(server);

    // Restored elsewhere: every write acknowledged before the backup began, with its file.
    let restored = TestDb::sqlite_empty();
    let (code, _, err) = run_cli(&restored, &["restore", archive.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let store = restored.open().await;
    for (id, sha, bytes) in &before {
        let activity = store.activity(*id).await.unwrap();
        assert!(
            activity.is_some(),
            "activity {id} was acknowledged before the backup"
        );
        let evidence = store.evidence_of_activity(*id).await.unwrap();
        assert_eq!(evidence[0].sha256.as_deref(), Some(sha.as_str()));
        let path = restored.data_dir().join("files").join(&sha[..2]).join(sha);
        assert_eq!(&std::fs::read(&path).unwrap(), bytes, "{sha}");
    }
    // And nothing half: every evidence file the restored database names is there.
    for sha in store.referenced_files().await.unwrap() {
        assert!(
            restored
                .data_dir()
                .join("files")
                .join(&sha[..2])
                .join(&sha)
                .is_file(),
            "{sha}"
        );
    }
    store.close().await;
    // The restored data directory serves.
    let server = Server::start(&restored.cli_args());
    let (id, sha, bytes) = &before[0];
    let r = http()
        .get(server.url(&format!("/api/v1/files/{sha}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "activity {id}'s file");
    assert_eq!(&r.bytes().await.unwrap().to_vec(), bytes);
    drop(server);

    // Never over existing data; never from something that is not a backup.
    let before_dump = restored.dump().await;
    let (code, _, err) = run_cli(&restored, &["restore", archive.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("empty data directory"), "{err}");
    assert_eq!(restored.dump().await, before_dump);
    let empty = TestDb::sqlite_empty();
    let not_backup = out.path().join("khong-phai.zip");
    std::fs::write(&not_backup, b"PK\x03\x04 not really").unwrap();
    let (code, _, err) = run_cli(&empty, &["restore", not_backup.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("not a kehoach backup"), "{err}");
    assert!(!empty.data_dir().join("kehoach.sqlite3").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_is_backed_up_with_pg_dump() {
    let db = TestDb::postgres().await;
    let out = tempfile::tempdir().unwrap();
    let archive = out.path().join("b.zip");
    let (code, _, err) = run_cli(&db, &["backup", "-o", archive.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("pg_dump") && err.contains("README"), "{err}");
    assert!(!archive.exists());
    db.drop_db().await;
}
