//! `POST|GET /api/v1/assignments/{id}/activities` and `GET /api/v1/files/{sha256}` against the
//! real server on each backend, with the Quảng Nam plan of the corpus.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Server, TestDb, admin_token, cli, cli_json, http};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// A tiny valid PNG (1×1).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// Imports the plan; returns (plan id, the weekly radio-TV assignment's id).
async fn import_plan(db: &TestDb) -> (String, i64) {
    let imported = db.import_quang_nam().await;
    let plan_id = imported["plan_id"].as_i64().unwrap().to_string();
    let report = cli_json(
        db,
        &[
            "compliance",
            "--plan",
            &plan_id,
            "--at",
            "2024-01-20",
            "--json",
        ],
    );
    (
        plan_id,
        radio_assignment(&report)["assignment_id"].as_i64().unwrap(),
    )
}

fn radio_assignment(report: &Value) -> &Value {
    let task = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap().contains("Đài Phát thanh"))
        .expect("the radio-TV task");
    &task["assignments"][0]
}

fn week_status(db: &TestDb, plan_id: &str, start: &str) -> Value {
    let report = cli_json(
        db,
        &[
            "compliance",
            "--plan",
            plan_id,
            "--at",
            "2024-01-20",
            "--json",
        ],
    );
    let targets = radio_assignment(&report)["targets"]
        .as_array()
        .unwrap()
        .clone();
    let weekly = targets.iter().find(|t| t["per"] == "week").unwrap();
    weekly["periods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["start"] == start)
        .unwrap()["status"]
        .clone()
}

/// Every stored evidence file: under `<data-dir>/files` (temporary uploads included) and, where
/// the database holds them (PostgreSQL, `evidence_store.rs`), each file in the database named by
/// the path the directory would give it.
async fn stored_files(db: &TestDb) -> Vec<PathBuf> {
    let mut out = files_on_disk(db.data_dir());
    let store = db.open().await;
    for row in store.stored_file_page("", 1000).await.unwrap() {
        out.push(
            db.data_dir()
                .join("files")
                .join(&row.sha256[..2])
                .join(&row.sha256),
        );
    }
    store.close().await;
    out
}

fn files_on_disk(data_dir: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&data_dir.join("files"), &mut out);
    out
}

fn activities_url(server: &Server, assignment: i64) -> String {
    server.url(&format!("/api/v1/assignments/{assignment}/activities"))
}

fn png_form(title: &str, name: &str, bytes: Vec<u8>) -> Form {
    Form::new()
        .text("date", "2024-01-04")
        .text("title", title.to_string())
        .text("url", "https://qrt.vn/chuyen-muc-1")
        .part(
            "file",
            Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("image/png")
                .unwrap(),
        )
}

/// A reporter of `unit_id` with an API token, made in the store (the unit may be one of 2024 that
/// no longer exists today, which `kehoach user add --unit` would refuse).
async fn reporter_of(db: &TestDb, name: &str, unit_id: i64) -> String {
    let store = db.open().await;
    let by = kehoach::store::Change::system("test");
    let user = store
        .create_user(
            name,
            name,
            Some(unit_id),
            kehoach::store::Role::Reporter,
            "!",
            &by,
        )
        .await
        .unwrap();
    let token = kehoach::auth::random_secret(24);
    store
        .create_token(user.id, "test", &kehoach::auth::token_hash(&token), &by)
        .await
        .unwrap();
    store.close().await;
    token
}

on_both_backends! {
    async fn a_reporter_reports_for_its_own_unit_and_the_units_under_it(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let store = db.open().await;
        let unit_id = store.assignment(assignment).await.unwrap().unwrap().unit_id;
        let parent = store.unit(unit_id).await.unwrap().unwrap().parent_id.expect("the agency's province");
        store.close().await;
        let own = reporter_of(db, "daiptth", unit_id).await;
        let province = reporter_of(db, "tinh", parent).await;
        let server = Server::start(&db.cli_args());
        for (token, title) in [(&own, "Của đơn vị"), (&province, "Của tỉnh")] {
            let response = http().post(activities_url(&server, assignment)).bearer_auth(token)
                .json(&json!({"date": "2024-01-04", "title": title})).send().await.unwrap();
            assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        }
        let listed: Value = http().get(activities_url(&server, assignment)).bearer_auth(&own)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 2);
        assert!(listed[0]["reported_by"].is_i64(), "{listed}");
    }

    async fn a_peoples_committee_reports_for_its_administrative_units_agencies_and_no_sibling_does(db: &TestDb) {
        // The API reads the caller, the assignment and where it lies in one query; the scope
        // rule is the same: a people's committee answers for its administrative unit's
        // agencies, any other agency for itself.
        let (_, assignment) = import_plan(db).await;
        let store = db.open().await;
        let unit_id = store.assignment(assignment).await.unwrap().unwrap().unit_id;
        let parent = store.unit(unit_id).await.unwrap().unwrap().parent_id.expect("the agency's province");
        let by = kehoach::store::Change::system("test");
        let agency = |code: &str, category: kehoach_core::units::AgencyCategory| kehoach::store::NewUnit {
            code: code.into(),
            name: code.into(),
            kind: "agency".into(),
            category: serde_json::to_value(category).unwrap().as_str().map(str::to_string),
            parent_id: Some(parent),
            ..Default::default()
        };
        use kehoach_core::units::AgencyCategory::{Department, PeopleCommittee};
        let committee = store.create_unit(&agency("T.UBND", PeopleCommittee), &by).await.unwrap();
        let sibling = store.create_unit(&agency("T.SO", Department), &by).await.unwrap();
        store.close().await;
        let committee = reporter_of(db, "ubnd", committee.id).await;
        let sibling = reporter_of(db, "so", sibling.id).await;
        let server = Server::start(&db.cli_args());
        let post = |token: &String| http().post(activities_url(&server, assignment)).bearer_auth(token)
            .json(&json!({"date": "2024-01-04", "title": "Tin bài"})).send();
        let response = post(&committee).await.unwrap();
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
        assert_eq!(post(&sibling).await.unwrap().status(), 403);
        let listed: Value = http().get(activities_url(&server, assignment)).bearer_auth(&committee)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    }

    async fn a_json_activity_is_stored_and_counted_at_once(db: &TestDb) {
        let (plan_id, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        assert_eq!(week_status(db, &plan_id, "2024-01-01"), "missed");
        let response = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .json(&json!({"date": "2024-01-04", "title": "Chuyên mục Chuyển đổi số số 1", "kind": "broadcast",
                "quantity": 1, "duration_minutes": 15, "urls": ["https://qrt.vn/chuyen-muc-1"], "note": "phát lại 20h"}))
            .send().await.unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["assignment_id"], assignment);
        assert_eq!(body["duration_minutes"], 15);
        assert_eq!(body["evidence"][0]["url"], "https://qrt.vn/chuyen-muc-1");
        assert_eq!(week_status(db, &plan_id, "2024-01-01"), "met");

        let listed: Value = http().get(activities_url(&server, assignment)).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
        assert_eq!(listed[0]["evidence"].as_array().unwrap().len(), 1);
        let anonymous = http().get(activities_url(&server, assignment)).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
    }

    async fn an_uploaded_file_is_stored_once_and_served_as_an_attachment(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        let mut sha = String::new();
        for (title, name) in [("Số 1", "Ảnh chụp màn hình.png"), ("Số 2", "anh.png")] {
            let response = http().post(activities_url(&server, assignment)).bearer_auth(&token)
                .multipart(png_form(title, name, PNG.to_vec())).send().await.unwrap();
            let status = response.status();
            let body: Value = response.json().await.unwrap();
            assert_eq!(status, 201, "{body}");
            let files: Vec<&Value> = body["evidence"].as_array().unwrap().iter().filter(|e| e["kind"] == "file").collect();
            assert_eq!(files.len(), 1, "{body}");
            assert_eq!(files[0]["content_type"], "image/png");
            assert_eq!(files[0]["size_bytes"], PNG.len());
            assert!(!files[0]["file_name"].as_str().unwrap().contains('/'));
            sha = files[0]["sha256"].as_str().unwrap().to_string();
        }
        // The same bytes twice: one file on disk, named by its hash.
        let on_disk = stored_files(db).await;
        assert_eq!(on_disk.len(), 1, "{on_disk:?}");
        assert!(on_disk[0].ends_with(format!("{}/{sha}", &sha[..2])));

        let download = http().get(server.url(&format!("/api/v1/files/{sha}"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(download.status(), 200);
        let headers = download.headers().clone();
        assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment"), "{headers:?}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["content-type"], "image/png");
        assert_eq!(download.bytes().await.unwrap().as_ref(), PNG);
        let anonymous = http().get(server.url(&format!("/api/v1/files/{sha}"))).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        let missing = http().get(server.url(&format!("/api/v1/files/{}", "0".repeat(64)))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(missing.status(), 404);
        let traversal = http().get(server.url("/api/v1/files/..%2F..%2Fkehoach.sqlite3")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(traversal.status(), 404);

        // An executable is refused whatever its name says.
        let exe = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .multipart(png_form("Số 3", "anh.png", b"MZ\x90\0\x03\0\0\0".to_vec())).send().await.unwrap();
        assert_eq!(exe.status(), 415);
        assert!(exe.text().await.unwrap().contains("executable"));
    }

    async fn an_oversize_upload_is_refused_and_nothing_is_stored(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start_with(&args, &["--max-upload-bytes", "1000"]);
        let mut big = PNG.to_vec();
        big.resize(5000, 0);
        let response = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .multipart(png_form("Quá lớn", "big.png", big)).send().await.unwrap();
        assert_eq!(response.status(), 413);
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("limit of 1000 bytes"), "{body}");
        let listed: Value = http().get(activities_url(&server, assignment)).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed, json!([]));
        assert_eq!(stored_files(db).await, Vec::<PathBuf>::new());
        // A file under the cap still goes through.
        let response = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .multipart(png_form("Vừa", "small.png", PNG.to_vec())).send().await.unwrap();
        assert_eq!(response.status(), 201);
    }

    async fn bad_input_is_named_and_other_units_are_refused(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        // A reporter of another unit (Hà Nội).
        let mut add: Vec<&str> = args.iter().map(String::as_str).collect();
        add.extend(["user", "add", "phongvh", "--unit", "01", "--role", "reporter"]);
        let (code, _, err) = cli(&add);
        assert_eq!(code, 0, "{err}");
        let mut tok: Vec<&str> = args.iter().map(String::as_str).collect();
        tok.extend(["user", "token", "phongvh"]);
        let (code, out, err) = cli(&tok);
        assert_eq!(code, 0, "{err}");
        let reporter = out.lines().last().unwrap().trim().to_string();
        let server = Server::start(&args);
        let post = |token: &str, id: i64, body: Value| {
            http().post(activities_url(&server, id)).bearer_auth(token.to_string()).json(&body).send()
        };

        let bad_date = post(&token, assignment, json!({"date": "2024-02-31", "title": "x"})).await.unwrap();
        assert_eq!(bad_date.status(), 400);
        let error = bad_date.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
        assert!(error.starts_with("date:"), "{error}");
        let several = post(&token, assignment, json!({"date": "2099-01-01", "title": "", "quantity": 0, "urls": ["ftp://x"]})).await.unwrap();
        assert_eq!(several.status(), 400);
        let error = several.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
        for field in ["date:", "title:", "quantity:", "urls:"] {
            assert!(error.contains(field), "{field} in {error}");
        }
        let unknown = post(&token, 999_999, json!({"date": "2024-01-04", "title": "x"})).await.unwrap();
        assert_eq!(unknown.status(), 404);
        let foreign = post(&reporter, assignment, json!({"date": "2024-01-04", "title": "x"})).await.unwrap();
        assert_eq!(foreign.status(), 403);
        let listed = http().get(activities_url(&server, assignment)).bearer_auth(&reporter).send().await.unwrap();
        assert_eq!(listed.status(), 403);
        let plain = http().post(activities_url(&server, assignment)).bearer_auth(&token).body("date=2024-01-04").send().await.unwrap();
        assert_eq!(plain.status(), 415);
        // Nothing of the above was stored.
        let listed: Value = http().get(activities_url(&server, assignment)).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed, json!([]));
    }

    async fn the_cli_attaches_files_with_the_same_checks(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let assignment = assignment.to_string();
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("Ảnh.png");
        std::fs::write(&png, PNG).unwrap();
        let added = cli_json(db, &["activity", "add", "--assignment", &assignment, "--date", "04/01/2024",
            "--title", "Có ảnh", "--file", png.to_str().unwrap()]);
        assert_eq!(added["evidence"][0]["file_name"], "Ảnh.png", "{added}");
        assert_eq!(added["evidence"][0]["content_type"], "image/png");
        assert_eq!(stored_files(db).await.len(), 1);
        // Over the cap, or not an accepted type: exit 2, one line, nothing stored.
        let mut args = db.cli_args();
        args.extend(["--max-upload-bytes", "10"].map(String::from));
        args.extend(["activity", "add", "--assignment", &assignment, "--date", "2024-01-05", "--title", "x", "--file"].map(String::from));
        args.push(png.to_str().unwrap().to_string());
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let (code, _, err) = cli(&refs);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("larger than the limit of 10 bytes"), "{err}");
        let html = dir.path().join("trang.txt");
        std::fs::write(&html, "<html><script>alert(1)</script></html>").unwrap();
        let (code, _, err) = common::run_cli(db, &["activity", "add", "--assignment", &assignment, "--date", "2024-01-05",
            "--title", "x", "--file", html.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("HTML"), "{err}");
        assert_eq!(stored_files(db).await.len(), 1);
        let (code, _, err) = common::run_cli(db, &["activity", "add", "--assignment", &assignment, "--date", "2024-02-31", "--title", "x"]);
        assert_eq!(code, 2);
        assert!(err.contains("date:"), "{err}");
    }

    async fn an_activity_is_corrected_and_deleted_and_compliance_follows(db: &TestDb) {
        let (plan_id, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        let created: Value = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .json(&json!({"date": "2024-01-04", "title": "Chuyên mục số 1", "urls": ["https://qrt.vn/1"]}))
            .send().await.unwrap().json().await.unwrap();
        let id = created["id"].as_i64().unwrap();
        let url = server.url(&format!("/api/v1/activities/{id}"));
        assert_eq!(week_status(db, &plan_id, "2024-01-01"), "met");

        // The reporter meant the next week.
        let response = http().patch(&url).bearer_auth(&token).json(&json!({"date": "09/01/2024"})).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["occurred_on"], "2024-01-09");
        assert_eq!(body["title"], "Chuyên mục số 1", "fields not given stay");
        assert_eq!(body["evidence"][0]["url"], "https://qrt.vn/1", "evidence stays");
        assert_eq!(week_status(db, &plan_id, "2024-01-01"), "missed");
        assert_eq!(week_status(db, &plan_id, "2024-01-08"), "met");

        // Bad corrections are named and change nothing.
        for (patch, field) in [(json!({"quantity": 0}), "quantity:"), (json!({"date": "2099-01-01"}), "date:"),
            (json!({"urls": ["https://x.vn"]}), "urls:"), (json!({"colour": "red"}), "unknown field")] {
            let response = http().patch(&url).bearer_auth(&token).json(&patch).send().await.unwrap();
            assert_eq!(response.status(), 400, "{patch}");
            let error = response.json::<Value>().await.unwrap()["error"].as_str().unwrap().to_string();
            assert!(error.contains(field), "{field} in {error}");
        }
        assert_eq!(week_status(db, &plan_id, "2024-01-08"), "met");
        let anonymous = http().delete(&url).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        let missing = http().delete(server.url("/api/v1/activities/999999")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(missing.status(), 404);

        let response = http().delete(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Value>().await.unwrap()["id"], id);
        assert_eq!(week_status(db, &plan_id, "2024-01-08"), "missed");
        let listed: Value = http().get(activities_url(&server, assignment)).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed, json!([]));
        let again = http().delete(&url).bearer_auth(&token).send().await.unwrap();
        assert_eq!(again.status(), 404);

        // The CLI does the same.
        let assignment = assignment.to_string();
        let added = cli_json(db, &["activity", "add", "--assignment", &assignment, "--date", "2024-01-10", "--title", "Số 2"]);
        let id = added["id"].as_i64().unwrap().to_string();
        let edited = cli_json(db, &["activity", "edit", &id, "--quantity", "0,5", "--note", "sửa số lượng"]);
        assert_eq!(edited["quantity"], 0.5);
        assert_eq!(week_status(db, &plan_id, "2024-01-08"), "partial");
        let (code, _, err) = common::run_cli(db, &["activity", "edit", &id, "--date", "31/02/2024"]);
        assert_eq!(code, 2);
        assert!(err.contains("date:"), "{err}");
        cli_json(db, &["activity", "delete", &id]);
        assert_eq!(week_status(db, &plan_id, "2024-01-08"), "missed");
        let (code, _, err) = common::run_cli(db, &["activity", "delete", &id]);
        assert_eq!(code, 2);
        assert!(err.contains("not found"), "{err}");
    }

    async fn a_failed_upload_leaves_no_file_behind(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        let file = || Part::bytes(PNG.to_vec()).file_name("anh.png").mime_str("image/png").unwrap();
        // The file comes before the fields that fail.
        let bad_date = Form::new().part("file", file()).text("date", "2024-02-31").text("title", "x");
        let unknown = Form::new().part("file", file()).text("colour", "red");
        let too_many = (0..11).fold(Form::new().text("date", "2024-01-04").text("title", "x"), |form, i| {
            form.part("file", Part::bytes([PNG, &[i as u8]].concat()).file_name(format!("{i}.png")).mime_str("image/png").unwrap())
        });
        for form in [bad_date, unknown, too_many] {
            let response = http().post(activities_url(&server, assignment)).bearer_auth(&token)
                .multipart(form).send().await.unwrap();
            assert_eq!(response.status(), 400);
            assert_eq!(stored_files(db).await, Vec::<PathBuf>::new());
        }
        // A file other evidence refers to stays when a later request with it fails.
        let ok = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .multipart(png_form("Có ảnh", "anh.png", PNG.to_vec())).send().await.unwrap();
        assert_eq!(ok.status(), 201);
        let bad = Form::new().part("file", file()).text("date", "2024-02-31").text("title", "x");
        let response = http().post(activities_url(&server, assignment)).bearer_auth(&token)
            .multipart(bad).send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert_eq!(stored_files(db).await.len(), 1);
    }

    async fn files_gc_removes_only_old_unreferenced_files(db: &TestDb) {
        let (_, assignment) = import_plan(db).await;
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("anh.png");
        std::fs::write(&png, PNG).unwrap();
        let added = cli_json(db, &["activity", "add", "--assignment", &assignment.to_string(), "--date", "2024-01-04",
            "--title", "Có ảnh", "--file", png.to_str().unwrap()]);
        let kept = added["evidence"][0]["sha256"].as_str().unwrap().to_string();
        // An orphan as an interrupted upload would leave it (any bytes; gc goes by the hash name).
        let orphan = "ab".repeat(32);
        let files = db.data_dir().join("files");
        std::fs::create_dir_all(files.join("ab")).unwrap();
        std::fs::write(files.join("ab").join(&orphan), b"left behind").unwrap();
        // Thumbnails of both, as viewing them made them, and one whose write was cut short.
        let thumbs = db.data_dir().join("thumbs");
        let thumb_of = |sha: &str| thumbs.join(&sha[..2]).join(format!("{sha}.jpg"));
        for sha in [&kept, &orphan] {
            std::fs::create_dir_all(thumb_of(sha).parent().unwrap()).unwrap();
            std::fs::write(thumb_of(sha), b"jpeg").unwrap();
        }
        let cut_short = thumbs.join("ab").join(".tmpXYZ");
        std::fs::write(&cut_short, b"half").unwrap();
        let young = cli_json(db, &["files", "gc", "--json"]);
        assert_eq!(young["removed"], 0, "files younger than an hour stay: {young}");
        assert!(!thumb_of(&orphan).exists(), "an unreferenced file's thumbnail goes at once");
        assert!(thumb_of(&kept).exists() && cut_short.exists());
        std::fs::write(thumb_of(&orphan), b"jpeg").unwrap();
        let status = std::process::Command::new("touch").args(["-d", "2 hours ago"]).arg(&cut_short).status().unwrap();
        assert!(status.success());
        for path in files_on_disk(db.data_dir()) {
            let status = std::process::Command::new("touch").args(["-d", "2 hours ago"]).arg(&path).status().unwrap();
            assert!(status.success());
        }
        let dry = cli_json(db, &["files", "gc", "--dry-run", "--json"]);
        assert_eq!((dry["unreferenced"].as_u64(), dry["removed"].as_u64()), (Some(1), Some(0)));
        assert_eq!(dry["thumbnails"], 2, "{dry}");
        assert!(thumb_of(&orphan).exists() && cut_short.exists(), "a dry run removes nothing");
        let gc = cli_json(db, &["files", "gc", "--json"]);
        assert_eq!(gc["removed"], 1, "{gc}");
        assert!(!thumb_of(&orphan).exists() && !cut_short.exists());
        assert!(thumb_of(&kept).exists(), "a referenced file keeps its thumbnail");
        let left = stored_files(db).await;
        assert_eq!(left.len(), 1);
        assert!(left[0].ends_with(&kept));
    }
}
