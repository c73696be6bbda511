//! Evidence files where every server reaches them (issue 18): in PostgreSQL when the database
//! is PostgreSQL (chunked, by hash), in the data directory on SQLite; `kehoach files migrate`
//! between the two. Two real servers with different `--data-dir`s on one database.

use crate::common;
use crate::common::QUANG_NAM;

use std::io::Read;

use common::{Server, TestDb, admin_token, cli_json, http, run_cli};
use reqwest::multipart::{Form, Part};
use serde_json::Value;

/// A PNG-typed file of `len` bytes, different for each `seed` (the type is sniffed from the
/// first bytes only).
fn png_of(len: usize, seed: u64) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while bytes.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.extend_from_slice(&x.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Records an activity with `file` through `server`; the stored file's hash.
async fn upload(
    server: &Server,
    token: &str,
    assignment: i64,
    name: &str,
    file: Vec<u8>,
) -> String {
    let form = Form::new()
        .text("date", "2024-03-04")
        .text("title", format!("Có tệp {name}"))
        .part("file", Part::bytes(file).file_name(name.to_string()));
    let r = http()
        .post(server.url(&format!("/api/v1/assignments/{assignment}/activities")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    body["evidence"][0]["sha256"].as_str().unwrap().to_string()
}

async fn download(server: &Server, token: &str, sha: &str) -> (u16, Vec<u8>) {
    let r = http()
        .get(server.url(&format!("/api/v1/files/{sha}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// The evidence pack's entries and their bytes.
async fn pack(server: &Server, token: &str, plan: i64) -> Vec<(String, Vec<u8>)> {
    let r = http()
        .get(server.url(&format!("/api/v1/plans/{plan}/evidence-pack.zip")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        out.push((entry.name().unwrap().into_owned(), data));
    }
    out
}

fn files_under(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            if e.path().is_dir() {
                files_under(&e.path())
            } else {
                1
            }
        })
        .sum()
}

on_both_backends! {
    async fn evidence_uploaded_through_one_server_is_served_by_another(db: &TestDb) {
        let imported = cli_json(db, &["plan", "import", QUANG_NAM, "--json"]);
        let plan = imported["plan_id"].as_i64().unwrap();
        let store = db.open().await;
        let assignment = store.assignments_of_plan(plan).await.unwrap().remove(0).id;
        store.close().await;
        let token = admin_token(&db.cli_args());
        let other_dir = tempfile::tempdir().unwrap();
        let a = Server::start(&db.cli_args());
        let b = Server::start(&db.cli_args_with_own_dir(other_dir.path()));

        // 2.5 MB: three chunks in the database.
        let big = png_of(2_500_000, 1);
        let small = png_of(3_000, 2);
        let big_sha = upload(&a, &token, assignment, "lớn.png", big.clone()).await;
        let small_sha = upload(&b, &token, assignment, "nhỏ.png", small.clone()).await;
        assert_eq!((big_sha.clone(), small_sha.clone()), (sha256_hex(&big), sha256_hex(&small)));
        for server in [&a, &b] {
            assert_eq!(download(server, &token, &big_sha).await, (200, big.clone()));
            assert_eq!(download(server, &token, &small_sha).await, (200, small.clone()));
            let entries = pack(server, &token, plan).await;
            let files: Vec<&Vec<u8>> = entries.iter().filter(|(n, _)| n.ends_with(".png")).map(|(_, d)| d).collect();
            assert_eq!(files.len(), 2, "{:?}", entries.iter().map(|(n, _)| n).collect::<Vec<_>>());
            assert!(files.contains(&&big) && files.contains(&&small));
        }
        let on_disk = files_under(&db.data_dir().join("files")) + files_under(&other_dir.path().join("files"));
        if matches!(db, TestDb::Postgres { .. }) {
            // Nothing in either server's directory: the database holds them, whole.
            assert_eq!(on_disk, 0);
            let store = db.open().await;
            let row = store.stored_file(&big_sha).await.unwrap().unwrap();
            assert_eq!((row.size_bytes, row.chunks), (2_500_000, 3));
            store.close().await;
        } else {
            assert_eq!(on_disk, 2);
        }

        // Moved to the directory and back: every file still served, by both servers (the
        // second server's directory has none of them, so it must be the database again).
        let moved = cli_json(db, &["files", "migrate", "--to", "directory", "--json"]);
        let expected = if matches!(db, TestDb::Postgres { .. }) { 2 } else { 0 };
        assert_eq!(moved["files"], expected, "{moved}");
        assert_eq!(files_under(&db.data_dir().join("files")), 2);
        let moved = cli_json(db, &["files", "migrate", "--to", "database", "--json"]);
        assert_eq!(moved["files"], 2, "{moved}");
        assert_eq!(files_under(&db.data_dir().join("files")), 0);
        let b = Server::start(&db.cli_args_with_own_dir(other_dir.path()));
        assert_eq!(download(&b, &token, &big_sha).await, (200, big.clone()));
        // Back to the directory: a server started afterwards reads it there.
        let (code, _, err) = run_cli(db, &["files", "migrate", "--to", "directory"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(files_under(&db.data_dir().join("files")), 2);
        let c = Server::start(&db.cli_args());
        assert_eq!(download(&c, &token, &small_sha).await, (200, small.clone()));
    }
}
