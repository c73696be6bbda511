//! `kehoach plan import`, `activity add` and `compliance` as an operator runs them, on each
//! backend, with the Quảng Nam plan of the corpus.

use crate::common;
use crate::common::QUANG_NAM;

use common::{TestDb, cli};
use common::{cli_json as json, run_cli as run};
use serde_json::Value;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plan/tests/fixtures/corpus");

fn task<'a>(report: &'a Value, title_part: &str) -> &'a Value {
    report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap().contains(title_part))
        .unwrap_or_else(|| panic!("no task with {title_part:?}"))
}

on_both_backends! {
    async fn an_imported_plan_is_tracked_week_by_week(db: &TestDb) {
        let imported = json(db, &["plan", "import", QUANG_NAM, "--json"]);
        let plan_id = imported["plan_id"].as_i64().unwrap().to_string();
        assert!(imported["tasks"].as_i64().unwrap() > 10);
        // Group leads fan out: more assignments than tasks.
        assert!(imported["assignments"].as_i64().unwrap() > imported["tasks"].as_i64().unwrap());

        let report = json(db, &["compliance", "--plan", &plan_id, "--at", "2024-01-20", "--json"]);
        // The weekly radio-TV task: one assignment, to the provincial station.
        let radio = task(&report, "Đài Phát thanh");
        let assignments = radio["assignments"].as_array().unwrap();
        assert_eq!(assignments.len(), 1, "one lead unit, one assignment: {radio}");
        assert!(assignments[0]["unit"]["name"].as_str().unwrap().contains("Phát thanh"));
        let assignment = assignments[0]["assignment_id"].as_i64().unwrap().to_string();
        let weekly = assignments[0]["targets"].as_array().unwrap().iter()
            .find(|t| t["per"] == "week").expect("a weekly target").clone();
        assert_eq!(weekly["count"], 1.0);

        // Log the first week's programme; leave the second week empty.
        json(db, &["activity", "add", "--assignment", &assignment, "--date", "2024-01-04", "--title", "Chuyên mục Chuyển đổi số số 1", "--url", "https://qrt.vn/chuyen-muc-1"]);
        let report = json(db, &["compliance", "--plan", &plan_id, "--at", "2024-01-20", "--json"]);
        let periods = task(&report, "Đài Phát thanh")["assignments"][0]["targets"].as_array().unwrap().iter()
            .find(|t| t["per"] == "week").unwrap()["periods"].clone();
        let status = |start: &str| periods.as_array().unwrap().iter().find(|p| p["start"] == start).unwrap()["status"].clone();
        assert_eq!(status("2024-01-01"), "met");
        assert_eq!(status("2024-01-08"), "missed");
        assert_eq!(status("2024-01-15"), "open");
        assert_eq!(status("2024-01-22"), "future");

        // Bad input: one line, exit 2, nothing stored.
        let (code, _, err) = run(db, &["activity", "add", "--assignment", "999999", "--date", "2024-01-04", "--title", "x"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("assignment 999999 not found"), "{err}");
        let (code, _, err) = run(db, &["activity", "add", "--assignment", &assignment, "--date", "2024-02-31", "--title", "x"]);
        assert_eq!(code, 2, "an impossible date is refused: {err}");
    }

    async fn corpus_imports_ask_about_no_number_fragment_or_lone_noun(db: &TestDb) {
        for name in ["quangnam-2024.txt", "tamky-2021-2025.md", "daknong-2022.md"] {
            let imported = json(db, &["plan", "import", &format!("{CORPUS}/{name}"), "--json"]);
            for u in imported["unresolved"].as_array().unwrap() {
                let text = u["text"].as_str().unwrap();
                if u["reason"] != "unknown" {
                    continue;
                }
                // What the officer is asked to fix is a name: letters, a capital, more than
                // one word.
                assert!(text.chars().any(char::is_alphabetic), "{name}: a number: {u}");
                assert!(text.chars().any(char::is_uppercase), "{name}: no name: {u}");
                assert!(text.split_whitespace().count() > 1, "{name}: a lone word: {u}");
            }
        }
        // A plan as PDF imports like its text.
        let pdf = concat!(env!("CARGO_MANIFEST_DIR"), "/../plan/benches/plan-30-pages.pdf");
        let imported = json(db, &["plan", "import", pdf, "--json"]);
        assert!(imported["tasks"].as_i64().unwrap() >= 32, "{imported}");
    }
}

#[test]
fn parse_prints_the_plan_format_and_refuses_a_non_plan() {
    let (code, out, err) = cli(&["plan", "parse", QUANG_NAM, "--json"]);
    assert_eq!(code, 0, "{err}");
    let plan: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(plan["schema"], "kehoach.plan/1");
    assert_eq!(plan["period"]["from"], "2024-01-01");
    let dir = tempfile::tempdir().unwrap();
    let not_a_plan = dir.path().join("note.txt");
    std::fs::write(
        &not_a_plan,
        "Biên bản họp giao ban tuần.\nNội dung: trao đổi công việc.\n",
    )
    .unwrap();
    let (code, out, err) = cli(&["plan", "parse", not_a_plan.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    assert!(err.contains("no task with a lead unit found"), "{err}");
    let (code, _, err) = cli(&["plan", "parse", "/nonexistent/plan.docx"]);
    assert_eq!(code, 2, "{err}");
}
