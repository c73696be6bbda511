//! Plans that implement plans (issue 22), as an operator runs them, on each backend: the Quảng
//! Nam 2024 plan and the Tam Kỳ 2021–2025 plan (both cite 3604/KH-UBND), links, the "issue your
//! own plan" deliverable, missing plans, coverage, the carry to 2026 across the reform, diff.

use crate::common;

use std::collections::BTreeSet;

use common::TestDb;
use common::{Server, admin_token, http};
use common::{cli_json as json, run_cli as run};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json as body};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plan/tests/fixtures/corpus");

fn import(db: &TestDb, name: &str) -> String {
    let imported = json(
        db,
        &["plan", "import", &format!("{CORPUS}/{name}"), "--json"],
    );
    imported["plan_id"].as_i64().unwrap().to_string()
}

fn owing<'a>(links: &'a Value, code: &str) -> &'a Value {
    links["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_code"] == code)
        .unwrap_or_else(|| panic!("no unit {code} owes a plan: {links}"))
}

/// `POST /api/v1/plans/import` of a corpus document: (status, answer).
async fn upload(server: &Server, token: &str, name: &str) -> (u16, Value) {
    let bytes = std::fs::read(format!("{CORPUS}/{name}")).unwrap();
    let response = http()
        .post(server.url("/api/v1/plans/import"))
        .bearer_auth(token)
        .multipart(Form::new().part("file", Part::bytes(bytes).file_name(name.to_string())))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

async fn confirm(server: &Server, token: &str, id: &str, parent: Value) -> (u16, Value) {
    let response = http()
        .post(server.url(&format!("/api/v1/plans/import/{id}/confirm")))
        .bearer_auth(token)
        .json(&parent)
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

fn plan_count(db: &TestDb) -> usize {
    json(db, &["plan", "list", "--json"])
        .as_array()
        .unwrap()
        .len()
}

on_both_backends! {
    async fn the_import_preview_proposes_the_parent_and_confirming_links_it(db: &TestDb) {
        let province = import(db, "quangnam-2024.txt");
        let dak_nong = import(db, "daknong-2022.md");
        let server = Server::start(&db.cli_args());
        let token = admin_token(&db.cli_args());

        // The city's plan uploaded: the preview proposes the province's plan (both implement
        // 3604/KH-UBND, the city lies in the province); nothing is stored yet.
        let (status, preview) = upload(&server, &token, "tamky-2021-2025.md").await;
        assert_eq!(status, 201, "{preview}");
        let proposed = preview["proposed_parents"].as_array().unwrap();
        assert_eq!(proposed.len(), 1, "{preview}");
        assert_eq!(proposed[0]["plan_id"].as_i64().unwrap().to_string(), province);
        assert_eq!(proposed[0]["basis"], "3604/KH-UBND");
        assert_eq!(proposed[0]["direct"], false);
        assert!(preview["tasks"].as_u64().unwrap() > 5, "{preview}");
        assert_eq!(plan_count(db), 2);
        let id = preview["id"].as_str().unwrap();

        // Another province's plan is refused before anything is stored; a plan that does not
        // exist is a 404; a field the body does not know is named.
        let (status, refused) = confirm(&server, &token, id, body!({"parent_id": dak_nong.parse::<i64>().unwrap()})).await;
        assert_eq!(status, 409, "{refused}");
        assert!(refused["error"].as_str().unwrap().contains("another province"), "{refused}");
        let (status, _) = confirm(&server, &token, id, body!({"parent_id": 999999})).await;
        assert_eq!(status, 404);
        let (status, bad) = confirm(&server, &token, id, body!({"parent": 1})).await;
        assert_eq!(status, 422, "{bad}");
        assert!(bad["error"].as_str().unwrap().contains("parent"), "{bad}");
        assert_eq!(plan_count(db), 2, "nothing stored by a refused confirmation");

        // The proposal confirmed: stored and linked, the province's "issue a plan" deliverable
        // done for the city, the coverage proposed.
        let (status, done) = confirm(&server, &token, id, body!({"parent_id": province.parse::<i64>().unwrap()})).await;
        assert_eq!(status, 201, "{done}");
        let city = done["plan_id"].as_i64().unwrap().to_string();
        assert_eq!(done["link"]["deliverable"]["unit_code"], "502.UBND", "{done}");
        assert!(done["link"]["coverage_proposed"].as_u64().unwrap() > 3, "{done}");
        let links = json(db, &["plan", "links", &province, "--at", "2024-11-04", "--json"]);
        assert_eq!(links["children"][0]["plan_id"].as_i64().unwrap().to_string(), city);
        assert_eq!(owing(&links, "502.UBND")["state"], "done_on_time");
        // A second confirmation finds nothing waiting.
        let (status, _) = confirm(&server, &token, id, body!({})).await;
        assert_eq!(status, 404);

        // Declined: the same document confirmed without a parent is stored unlinked, and the
        // link is still proposed on its page.
        let (_, again) = upload(&server, &token, "tamky-2021-2025.md").await;
        let (status, done) = confirm(&server, &token, again["id"].as_str().unwrap(), body!({"parent_id": null})).await;
        assert_eq!(status, 201, "{done}");
        assert!(done["link"].is_null(), "{done}");
        let second = done["plan_id"].as_i64().unwrap().to_string();
        let own = json(db, &["plan", "links", &second, "--json"]);
        assert!(own["parents"].as_array().unwrap().is_empty(), "{own}");
        assert_eq!(own["proposed_parents"][0]["parent_plan_id"].as_i64().unwrap().to_string(), province);

        // The province's linked plan shows its results on the tasks mapped to the province's.
        let results = &links["children_results"][0];
        assert_eq!(results["child_plan_id"].as_i64().unwrap().to_string(), city);
        assert!(results["mapped_tasks"].as_u64().unwrap() > 3, "{results}");
        assert!(results["ended"].as_u64().unwrap() > 0, "the city's targets ran from 2021: {results}");
        assert_eq!(results["reporting_rate"], 0.0, "no activity logged: {results}");

        // A document that is not a plan is refused, naming the file.
        let response = http()
            .post(server.url("/api/v1/plans/import"))
            .bearer_auth(&token)
            .multipart(Form::new().part("file", Part::bytes(vec![0u8, 159, 146, 150]).file_name("x.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let answer: Value = response.json().await.unwrap();
        assert!(answer["error"].as_str().unwrap().starts_with("file:"), "{answer}");
    }

    async fn the_carried_draft_is_imported_through_the_preview(db: &TestDb) {
        let province = import(db, "quangnam-2024.txt");
        let draft = json(db, &["plan", "carry", &province, "--to", "2026", "--json"]);
        let to_confirm = draft["tasks"].as_array().unwrap().iter()
            .map(|t| t["leads_to_confirm"].as_array().unwrap().len()).sum::<usize>();
        let (code, out, err) = run(db, &["plan", "carry", &province, "--to", "2026", "--import", "--json"]);
        assert_eq!(code, 0, "{err}");
        let imported: Value = serde_json::from_str(&out).unwrap();
        let new_plan = imported["plan_id"].as_i64().unwrap().to_string();
        assert_eq!(imported["unresolved"].as_array().unwrap().len(), to_confirm, "{imported}");
        let plans = json(db, &["plan", "list", "--json"]);
        let row = plans.as_array().unwrap().iter()
            .find(|p| p["id"].as_i64().unwrap().to_string() == new_plan).unwrap();
        assert_eq!(row["period_from"], "2026-01-01");
        assert!(row["number"].is_null(), "its own number when issued: {row}");
        // The new plan's leads are the successors: Sở KH&CN (Đà Nẵng) in place of Sở TT&TT.
        let report = json(db, &["compliance", "--plan", &new_plan, "--at", "2026-03-01", "--json"]);
        let leads: BTreeSet<String> = report["tasks"].as_array().unwrap().iter()
            .flat_map(|t| t["assignments"].as_array().unwrap().iter())
            .map(|a| a["unit"]["code"].as_str().unwrap().to_string())
            .collect();
        assert!(leads.contains("48.SKHCN"), "{leads:?}");
        assert!(!leads.contains("49.STTTT"), "{leads:?}");
        assert_eq!(report["tasks"].as_array().unwrap().len(), draft["tasks"].as_array().unwrap().len());
    }

    async fn a_city_plan_links_to_its_province_plan(db: &TestDb) {
        let province = import(db, "quangnam-2024.txt");
        let city = import(db, "tamky-2021-2025.md");
        let plans = json(db, &["plan", "list", "--json"]);
        let city_row = plans.as_array().unwrap().iter()
            .find(|p| p["id"].as_i64().unwrap().to_string() == city).unwrap().clone();
        // The corpus copy has no issue date: the deliverable is dated by the plan's start.
        let city_date = if city_row["issued_on"].is_null() { city_row["period_from"].clone() } else { city_row["issued_on"].clone() };

        // Proposed: both cite 3604/KH-UBND (a plan the store does not hold) and Tam Kỳ lies in
        // Quảng Nam.
        let links = json(db, &["plan", "links", &city, "--json"]);
        let proposed = links["proposed_parents"].as_array().unwrap();
        assert_eq!(proposed.len(), 1, "{links}");
        assert_eq!(proposed[0]["parent_plan_id"].as_i64().unwrap().to_string(), province);
        assert_eq!(proposed[0]["basis"], "3604/KH-UBND");

        // Before the link, every district owes the province a plan.
        let before = json(db, &["plan", "links", &province, "--at", "2024-11-04", "--json"]);
        let tam_ky = owing(&before, "502.UBND");
        assert_eq!(tam_ky["state"], "not_done_within_deadline", "{tam_ky}");
        let missing_before = before["missing"].as_u64().unwrap();
        assert!(missing_before > 10, "{missing_before}");

        // Confirmed: the deliverable is done for the city on the city plan's date.
        let linked = json(db, &["plan", "link", &city, "--parent", &province, "--json"]);
        assert_eq!(linked["basis"], "3604/KH-UBND");
        let d = &linked["deliverable"];
        assert_eq!(d["unit_code"], "502.UBND", "{linked}");
        assert_eq!(d["done_on"], city_date);
        assert!(d["activity_id"].is_i64());
        assert!(linked["coverage_proposed"].as_u64().unwrap() > 3, "{linked}");

        let after = json(db, &["plan", "links", &province, "--at", "2024-11-04", "--json"]);
        assert_eq!(after["children"][0]["plan_id"].as_i64().unwrap().to_string(), city);
        let tam_ky = owing(&after, "502.UBND");
        assert_eq!(tam_ky["state"], "done_on_time", "{tam_ky}");
        assert_eq!(tam_ky["plans"][0].as_i64().unwrap().to_string(), city);
        assert_eq!(after["missing"].as_u64().unwrap(), missing_before - 1);
        // Another district still owes one, named with its deadline state.
        let hoi_an = owing(&after, "503.UBND");
        assert!(hoi_an["plans"].as_array().unwrap().is_empty());
        assert_eq!(hoi_an["state"], "not_done_within_deadline");
        // The city's plan names its parent, and proposes it no more.
        let city_links = json(db, &["plan", "links", &city, "--json"]);
        assert_eq!(city_links["parents"][0]["plan_id"].as_i64().unwrap().to_string(), province);
        assert!(city_links["proposed_parents"].as_array().unwrap().is_empty());
        // The completing activity went through the write path: the compliance engine sees it.
        let report = json(db, &["compliance", "--plan", &province, "--at", "2024-11-04", "--json"]);
        let task = report["tasks"].as_array().unwrap().iter()
            .find(|t| t["title"].as_str().unwrap().starts_with("Xây dựng, ban hành kế hoạch")).unwrap();
        let a = task["assignments"].as_array().unwrap().iter()
            .find(|a| a["unit"]["code"] == "502.UBND").unwrap();
        assert_eq!(a["activity_count"], 1, "{a}");

        // Coverage: the city's "issue a plan" task carries out the province's; each province
        // task lists the city's tasks mapped to it.
        let cov = json(db, &["plan", "coverage", &province, "--json"]);
        let first = &cov["tasks"][0];
        assert!(first["title"].as_str().unwrap().starts_with("Xây dựng, ban hành"));
        assert!(first["children"].as_array().unwrap().iter()
            .any(|c| c["title"].as_str().unwrap().starts_with("Xây dựng, ban hành")), "{first}");
        let gaps = &cov["children"][0];
        assert!(!gaps["leaves_out"].as_array().unwrap().is_empty(), "the city leaves province tasks out: {gaps}");

        // The plan office corrects a mapping: the correction is kept, confirmed.
        let child_task = first["children"][0]["child_task_id"].as_i64().unwrap().to_string();
        let other = cov["tasks"][1]["task_id"].as_i64().unwrap().to_string();
        let (code, _, err) = run(db, &["plan", "map-task", &child_task, "--parent", &province, "--to", &other]);
        assert_eq!(code, 0, "{err}");
        let cov = json(db, &["plan", "coverage", &province, "--json"]);
        let moved = cov["tasks"][1]["children"].as_array().unwrap().iter()
            .find(|c| c["child_task_id"].as_i64().unwrap().to_string() == child_task).unwrap();
        assert_eq!(moved["confirmed"], true);

        // Refused: a cycle, a plan under itself, the same link twice, another province.
        let (code, _, err) = run(db, &["plan", "link", &province, "--parent", &city]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("cycle"), "{err}");
        let (code, _, err) = run(db, &["plan", "link", &city, "--parent", &city]);
        assert_eq!(code, 2, "{err}");
        let (code, _, err) = run(db, &["plan", "link", &city, "--parent", &province]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("already exists"), "{err}");
        let dak_nong = import(db, "daknong-2022.md");
        let (code, _, err) = run(db, &["plan", "link", &dak_nong, "--parent", &province]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("another province"), "{err}");
        let (code, _, err) = run(db, &["plan", "link", "999999", "--parent", &province]);
        assert_eq!(code, 2, "{err}");

        // Unlinked: the deliverable is open again and the activity gone.
        let (code, _, err) = run(db, &["plan", "link", &city, "--parent", &province, "--unlink"]);
        assert_eq!(code, 0, "{err}");
        let again = json(db, &["plan", "links", &province, "--at", "2024-11-04", "--json"]);
        assert_eq!(owing(&again, "502.UBND")["state"], "not_done_within_deadline");
        assert!(again["children"].as_array().unwrap().is_empty());
        assert!(json(db, &["plan", "coverage", &province, "--json"])["tasks"].as_array().unwrap()
            .iter().all(|t| t["children"].as_array().unwrap().is_empty()));
    }

    async fn the_2024_quang_nam_plan_carried_to_2026_lists_every_lead_units_fate(db: &TestDb) {
        let province = import(db, "quangnam-2024.txt");
        let report = json(db, &["compliance", "--plan", &province, "--at", "2024-11-04", "--json"]);
        let leads: BTreeSet<String> = report["tasks"].as_array().unwrap().iter()
            .flat_map(|t| t["assignments"].as_array().unwrap().iter())
            .map(|a| a["unit"]["code"].as_str().unwrap().to_string())
            .collect();
        let plan_tables = |dump: &std::collections::BTreeMap<String, Vec<String>>| {
            ["plans", "tasks", "targets", "assignments", "task_units", "activities", "period_tallies"]
                .map(|t| dump.get(t).cloned())
        };
        let before = plan_tables(&db.dump().await);

        let draft = json(db, &["plan", "carry", &province, "--to", "2026", "--json"]);
        assert_eq!(draft["year"], 2026);
        assert!(draft["title"].as_str().unwrap().contains("2026"), "{}", draft["title"]);
        assert_eq!(draft["period_from"], "2026-01-01");
        // Nothing silently dropped: every lead unit of the source, once, with its fate.
        let units = draft["units"].as_array().unwrap();
        let listed: BTreeSet<String> = units.iter().map(|u| u["code"].as_str().unwrap().to_string()).collect();
        assert_eq!(listed, leads);
        assert_eq!(units.len(), leads.len());
        let fate = |code: &str| units.iter().find(|u| u["code"] == code).unwrap().clone();
        for u in units {
            assert!(["kept", "replaced", "to_confirm"].contains(&u["fate"].as_str().unwrap()), "{u}");
            // Quảng Nam ended on 30/6/2025: none of its units is kept.
            assert_ne!(u["fate"], "kept", "{u}");
        }
        let sttt = fate("49.STTTT");
        assert_eq!(sttt["fate"], "replaced");
        assert_eq!(sttt["successors"][0]["code"], "48.SKHCN", "{sttt}");
        // Every district-level lead resolved to its successors or listed for confirmation.
        let tam_ky = fate("502.UBND");
        assert_eq!(tam_ky["rule"], "district_abolished", "{tam_ky}");
        assert!(tam_ky["successors"].as_array().unwrap().iter().any(|s| s["code"] == "20341.UBND"), "{tam_ky}");
        for u in units.iter().filter(|u| u["code"].as_str().unwrap().ends_with(".UBND") && u["code"].as_str().unwrap().len() == 8) {
            assert!(u["fate"] == "replaced" || u["fate"] == "to_confirm", "{u}");
        }
        assert_eq!(
            draft["kept"].as_u64().unwrap() + draft["replaced"].as_u64().unwrap() + draft["to_confirm"].as_u64().unwrap(),
            leads.len() as u64
        );
        // Tasks carried with their targets; a due date moves two years.
        let tasks = draft["tasks"].as_array().unwrap();
        assert_eq!(tasks.len(), report["tasks"].as_array().unwrap().len());
        assert!(tasks.iter().any(|t| t["due"] == "2026-11-15"), "the report due 15/11/2024");
        // The source is untouched.
        assert_eq!(plan_tables(&db.dump().await), before);

        // Bad years are refused, naming the year.
        let (code, _, err) = run(db, &["plan", "carry", &province, "--to", "2024"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("2024"), "{err}");
        let (code, _, _) = run(db, &["plan", "carry", &province, "--to", "2099"]);
        assert_eq!(code, 2);
    }

    async fn diff_between_two_plans(db: &TestDb) {
        let province = import(db, "quangnam-2024.txt");
        let city = import(db, "tamky-2021-2025.md");
        let same = json(db, &["plan", "diff", &province, &province, "--json"]);
        assert!(same["added"].as_array().unwrap().is_empty());
        assert!(same["removed"].as_array().unwrap().is_empty());
        assert!(same["changed"].as_array().unwrap().is_empty());
        assert!(same["unchanged"].as_u64().unwrap() > 20);
        let d = json(db, &["plan", "diff", &province, &city, "--json"]);
        assert!(!d["added"].as_array().unwrap().is_empty());
        assert!(!d["removed"].as_array().unwrap().is_empty());
        // Paired tasks with other leads list them.
        let paired = d["changed"].as_array().unwrap();
        assert!(paired.iter().any(|c| !c["leads_added"].as_array().unwrap().is_empty()), "{d}");
    }
}
