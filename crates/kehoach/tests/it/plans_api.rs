//! `/api/v1/plans…` and `/api/openapi.json` on the real server, on each backend.

use crate::common;

use common::{Server, TestDb, admin_token, cli_json, http};
use serde_json::Value;

on_both_backends! {
    async fn plans_are_listed_shown_and_evaluated_over_http(db: &TestDb) {
        let imported = db.import_quang_nam().await;
        let id = imported["plan_id"].as_i64().unwrap();
        let token = admin_token(&db.cli_args());
        let server = Server::start(&db.cli_args());
        let client = http();
        let get = |path: String| {
            let request = client.get(server.url(&path)).bearer_auth(&token);
            async move { request.send().await.unwrap() }
        };

        let list: Value = get("/api/v1/plans".into()).await.json().await.unwrap();
        assert_eq!(list[0]["id"], id);
        assert_eq!(list[0]["period"]["from"], "2024-01-01");
        assert_eq!(list[0]["period"]["to"], "2024-12-31");

        let plan: Value = get(format!("/api/v1/plans/{id}")).await.json().await.unwrap();
        let tasks = plan["tasks"].as_array().unwrap();
        assert_eq!(tasks.len() as i64, imported["tasks"].as_i64().unwrap());
        let assignments: usize = tasks.iter().map(|t| t["assignments"].as_array().unwrap().len()).sum();
        assert_eq!(assignments as i64, imported["assignments"].as_i64().unwrap());
        assert!(tasks.iter().any(|t| t["targets"].as_array().unwrap().iter().any(|x| x["per"] == "week")));
        assert!(plan["references"].as_array().unwrap().iter().any(|r| r == "749/QĐ-TTg"));

        // The API answers the same report as the CLI: whole as a download, in pages of
        // assignments (task order) that put it back together.
        let download = get(format!("/api/v1/plans/{id}/compliance.json?at=2024-01-20")).await;
        assert!(download.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let whole: Value = download.json().await.unwrap();
        let from_cli = cli_json(db, &["compliance", "--plan", &id.to_string(), "--at", "2024-01-20", "--json"]);
        assert_eq!(whole, from_cli);
        let total = imported["assignments"].as_u64().unwrap();
        let (mut offset, mut assignments_seen, mut pages) = (Some(0u64), Vec::new(), 0);
        while let Some(at) = offset {
            let page: Value = get(format!("/api/v1/plans/{id}/compliance?at=2024-01-20&limit=7&offset={at}")).await.json().await.unwrap();
            assert_eq!(page["summary"], whole["summary"], "the summary is the whole plan's");
            assert_eq!(page["page"]["total_assignments"].as_u64(), Some(total));
            for task in page["tasks"].as_array().unwrap() {
                assignments_seen.extend(task["assignments"].as_array().unwrap().iter().map(|a| a["assignment_id"].clone()));
            }
            offset = page["page"]["next_offset"].as_u64();
            pages += 1;
        }
        let all: Vec<Value> = whole["tasks"].as_array().unwrap().iter()
            .flat_map(|t| t["assignments"].as_array().unwrap().iter().map(|a| a["assignment_id"].clone())).collect();
        assert_eq!(assignments_seen, all);
        assert_eq!(pages as u64, total.div_ceil(7));
        let over_http: Value = get(format!("/api/v1/plans/{id}/compliance?at=2024-01-20")).await.json().await.unwrap();
        assert_eq!(over_http["page"]["limit"], 100, "a page by default");
        assert_eq!(get(format!("/api/v1/plans/{id}/compliance?limit=1001")).await.status(), 400);
        assert_eq!(over_http["at"], "2024-01-20");
        let first = &whole["tasks"].as_array().unwrap().iter()
            .find(|t| !t["assignments"].as_array().unwrap().is_empty() && !t["assignments"][0]["targets"].as_array().unwrap().is_empty())
            .unwrap()["assignments"][0];
        for field in ["assignment_id", "unit", "state", "targets"] {
            assert!(first.get(field).is_some(), "assignment lacks {field}: {first}");
        }

        // Bad input is named; missing things are 404; no credentials 401.
        let bad = get(format!("/api/v1/plans/{id}/compliance?at=2024-02-31")).await;
        assert_eq!(bad.status(), 400);
        let body: Value = bad.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("at"), "{body}");
        let unknown_unit = get(format!("/api/v1/plans/{id}/compliance?unit=NOPE")).await;
        assert_eq!(unknown_unit.status(), 400);
        assert_eq!(get("/api/v1/plans/999999".into()).await.status(), 404);
        assert_eq!(get("/api/v1/plans/999999/compliance".into()).await.status(), 404);
        assert_eq!(client.get(server.url("/api/v1/plans")).send().await.unwrap().status(), 401);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_describes_every_api_route() {
    let db = TestDb::sqlite().await;
    let server = Server::start(&db.cli_args());
    let doc: Value = http()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for (path, method) in [
        ("/plans", "get"),
        ("/plans/{id}", "get"),
        ("/plans/{id}/compliance", "get"),
        ("/units", "get"),
        ("/units", "post"),
        ("/assignments/{id}/activities", "get"),
        ("/assignments/{id}/activities", "post"),
        ("/activities/import", "post"),
        ("/files/{sha256}", "get"),
    ] {
        let op = &paths
            .get(path)
            .unwrap_or_else(|| panic!("{path} missing from {paths:?}"))[method];
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{method} {path} has no summary"
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every documented path is served (not 404) by the router.
    for path in paths.keys() {
        let url = server.url(&format!("/api/v1{}", path.replace("{id}", "1")));
        let status = http().get(url).send().await.unwrap().status();
        assert_ne!(status, 404, "{path} is documented but not routed");
    }
}
