//! The audit log over every write path (CLI and API), its filters, and its CSV exports (HTTP and
//! `kehoach audit export`) with formula-like cells defused — against the real server on each
//! backend.

use crate::common;

use common::{Server, TestDb, cli_json, http, run_cli};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

/// An administrator whose name a spreadsheet would take for a formula.
const FORMULA_NAME: &str = "=HYPERLINK(\"http://x\")";

fn token_of(db: &TestDb, name: &str) -> String {
    let (code, out, err) = run_cli(db, &["user", "token", name]);
    assert_eq!(code, 0, "{err}");
    out.lines().last().unwrap().trim().to_string()
}

fn today() -> chrono::NaiveDate {
    kehoach_core::period::today_in_vietnam(chrono::Utc::now())
}

on_both_backends! {
    async fn every_change_is_logged_filtered_and_exported_safely(db: &TestDb) {
        let plan = db.import_quang_nam().await;
        let plan_id = plan["plan_id"].as_i64().unwrap();
        for name in ["tester", FORMULA_NAME] {
            let (code, out, err) = run_cli(db, &["user", "add", name, "--role", "admin"]);
            assert_eq!(code, 0, "{err}");
            assert_eq!(out.lines().last().unwrap().trim().len(), 24, "a one-time password: {out}");
        }
        let (code, _, err) = run_cli(db, &["user", "add", "phong", "--unit", "49", "--on", "2024-06-01", "--role", "viewer"]);
        assert_eq!(code, 0, "{err}");
        let token = token_of(db, "tester");
        let formula = token_of(db, FORMULA_NAME);
        let viewer = token_of(db, "phong");
        let listed = cli_json(db, &["user", "tokens", "phong", "--json"]);
        let viewer_token_id = listed[0]["id"].as_i64().unwrap().to_string();
        assert_eq!(run_cli(db, &["user", "token", "phong", "--revoke", &viewer_token_id]).0, 0);
        assert_eq!(run_cli(db, &["user", "disable", "phong"]).0, 0);

        let server = Server::start(&db.cli_args());
        let store = db.open().await;
        let assignment = store.assignments_of_plan(plan_id).await.unwrap()[0].id;
        let province = store.plan(plan_id).await.unwrap().unwrap().context_unit_id.unwrap();
        store.close().await;
        let created = http().post(server.url("/api/v1/units")).bearer_auth(&formula)
            .json(&json!({"code": "QN-BTT", "name": "Ban Thử nghiệm", "kind": "agency", "parent_id": province}))
            .send().await.unwrap();
        assert_eq!(created.status(), 201);
        let activity = http().post(server.url(&format!("/api/v1/assignments/{assignment}/activities")))
            .bearer_auth(&token).json(&json!({"date": "2024-01-04", "title": "=1+1 <b>x</b>"})).send().await.unwrap();
        assert_eq!(activity.status(), 201);
        let sheet = format!("mã giao việc,ngày,tiêu đề\n{assignment},2024-01-05,Một\n{assignment},2024-01-06,Hai\n");
        let imported = http().post(server.url("/api/v1/activities/import")).bearer_auth(&token)
            .multipart(Form::new().part("file", Part::bytes(sheet.into_bytes()).file_name("hd.csv")))
            .send().await.unwrap();
        assert_eq!(imported.status(), 201);
        assert_eq!(http().get(server.url("/api/v1/plans")).bearer_auth(&viewer).send().await.unwrap().status(), 401);

        let get = |query: &str| {
            let url = server.url(&format!("/api/v1/audit{query}"));
            let token = token.clone();
            async move { http().get(url).bearer_auth(token).send().await.unwrap() }
        };
        let all: Value = get("?limit=1000").await.json().await.unwrap();
        let entries = all.as_array().unwrap();
        let find = |entity: &str, action: &str| {
            entries.iter().find(|e| e["entity"] == entity && e["action"] == action)
                .unwrap_or_else(|| panic!("no {action} {entity} in {all}"))
        };
        // Who, when, what, before → after, for each write path.
        assert_eq!(find("plan", "create")["actor"], "cli");
        assert_eq!(find("plan", "create")["entity_id"], plan_id.to_string());
        assert_eq!(find("user", "create")["actor"], "cli");
        assert_eq!(find("api_token", "create")["after"]["label"], "cli");
        let unit = find("unit", "create");
        assert_eq!(unit["actor"], FORMULA_NAME);
        assert!(unit["user_id"].is_i64());
        assert_eq!(unit["after"]["code"], "QN-BTT", "{unit}");
        let act = find("activity", "create");
        assert_eq!(act["actor"], "tester");
        assert_eq!(act["after"]["title"], "=1+1 <b>x</b>");
        assert_eq!(find("activity", "import")["after"]["count"], 2);
        let disable = find("user", "disable");
        assert_eq!((disable["before"]["disabled"].clone(), disable["after"]["disabled"].clone()), (json!(false), json!(true)));
        let revoke = find("api_token", "revoke");
        assert_eq!(revoke["entity_id"], viewer_token_id);
        assert!(revoke["before"]["revoked_at"].is_null() && revoke["after"]["revoked_at"].is_string());
        let at = chrono::DateTime::parse_from_rfc3339(act["at"].as_str().unwrap()).unwrap();
        assert!((chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_minutes().abs() < 60);
        // Newest first, and the filters.
        let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] > w[1]));
        let units: Value = get("?entity=unit&limit=1000").await.json().await.unwrap();
        assert!(units.as_array().unwrap().iter().all(|e| e["entity"] == "unit"));
        let by_tester: Value = get("?actor=tester").await.json().await.unwrap();
        assert_eq!(by_tester.as_array().unwrap().len(), 2, "{by_tester}");
        let page: Value = get(&format!("?limit=2&before={}", ids[0])).await.json().await.unwrap();
        assert_eq!(page.as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect::<Vec<_>>(), ids[1..3]);
        let tomorrow = today().succ_opt().unwrap();
        let later: Value = get(&format!("?from={tomorrow}")).await.json().await.unwrap();
        assert_eq!(later, json!([]));
        let today_only: Value = get(&format!("?from={0}&to={0}&limit=1000", today())).await.json().await.unwrap();
        assert_eq!(today_only.as_array().unwrap().len(), entries.len());
        for bad in [format!("?from={tomorrow}&to={}", today()), "?from=2024-02-30".into(), "?limit=0".into(), "?limit=100000".into(), "?before=x".into()] {
            let response = get(&bad).await;
            assert_eq!(response.status(), 400, "{bad}");
            assert!(response.json::<Value>().await.unwrap()["error"].is_string());
        }

        // CSV over HTTP: a download, oldest first, formula-like cells defused.
        let csv = get("").await;
        assert_eq!(csv.status(), 200);
        let csv = http().get(server.url("/api/v1/audit.csv")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
        assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let text = csv.text().await.unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(),
            ["id", "at", "actor", "user_id", "action", "entity", "entity_id", "before", "after"]);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), entries.len());
        assert!(rows.windows(2).all(|w| w[0][0].parse::<i64>().unwrap() < w[1][0].parse::<i64>().unwrap()));
        for row in &rows {
            for cell in row.iter() {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "unsafe cell {cell:?}");
            }
        }
        assert!(rows.iter().any(|r| r[2] == format!("'{FORMULA_NAME}")));
        let act_row = rows.iter().find(|r| r[5] == *"activity" && r[4] == *"create").unwrap();
        let after: Value = serde_json::from_str(&act_row[8]).unwrap();
        assert_eq!(after["title"], "=1+1 <b>x</b>");

        // The CLI writes the same file.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("nhat-ky.csv");
        let (code, _, err) = run_cli(db, &["audit", "export", "--from", &today().to_string(), "--to", &today().to_string(), "-o", out.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains(&format!("exported {} audit entries", rows.len())), "{err}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);
        let (code, _, err) = run_cli(db, &["audit", "export", "--from", "2026-02-30"]);
        assert_eq!(code, 2, "{err}");
        let (code, _, err) = run_cli(db, &["audit", "export", "--from", "2026-03-02", "--to", "2026-03-01"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("from:"), "{err}");
    }
}
