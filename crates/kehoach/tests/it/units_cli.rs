//! `kehoach units …` as an operator runs it, against each backend.

use crate::common;

use common::TestDb;
use common::{cli_json as json, run_cli as run};

on_both_backends! {
    async fn the_shipped_registry_knows_both_sides_of_the_2025_reform(db: &TestDb) {
        let count = |kind: &str, on: &str| json(db, &["units", "list", "--kind", kind, "--on", on, "--json"]).as_array().unwrap().len();
        assert_eq!(count("province", "2024-06-01"), 63);
        assert_eq!(count("district", "2024-06-01"), 696);
        assert_eq!(count("province", "2025-08-01"), 34);
        assert_eq!(count("commune", "2025-08-01"), 3321);
        assert_eq!(count("district", "2025-08-01"), 0, "districts were abolished on 1 July 2025");
        let within = json(db, &["units", "list", "--kind", "district", "--within", "tỉnh Quảng Nam", "--on", "2024-06-01", "--json"]);
        let first = &within.as_array().unwrap()[0];
        assert_eq!(first["parent"], "49");
        for field in ["code", "name", "kind", "parent"] {
            assert!(first.get(field).is_some(), "list entries carry {field}");
        }
    }
}

fn sqlite() -> TestDb {
    TestDb::Sqlite(tempfile::tempdir().unwrap())
}

#[test]
fn search_ignores_diacritics() {
    let db = sqlite();
    let found = json(
        &db,
        &["units", "search", "da nang", "--on", "2024-06-01", "--json"],
    );
    assert_eq!(found[0]["name"], "Thành phố Đà Nẵng");
}

#[test]
fn resolve_fans_out_groups_and_reports_vague_text() {
    let db = sqlite();
    let r = json(
        &db,
        &[
            "units",
            "resolve",
            "Sở TT&TT; UBND các huyện, thị xã, thành phố; các cơ quan, đơn vị liên quan",
            "--context",
            "Quảng Nam",
            "--on",
            "2024-06-01",
            "--json",
        ],
    );
    let units = r["units"].as_array().unwrap();
    assert!(units.iter().any(
        |u| u["name"] == "Sở Thông tin và Truyền thông tỉnh Quảng Nam" && u["match"] == "alias"
    ));
    let districts = json(
        &db,
        &[
            "units",
            "list",
            "--kind",
            "district",
            "--within",
            "49",
            "--on",
            "2024-06-01",
            "--json",
        ],
    );
    let groups = units.iter().filter(|u| u["match"] == "group").count();
    assert_eq!(
        groups,
        districts.as_array().unwrap().len(),
        "one people's committee per district"
    );
    assert_eq!(r["vague"].as_array().unwrap().len(), 1);
    assert!(r["unknown"].as_array().unwrap().is_empty());
}

#[test]
fn an_ambiguous_context_lists_the_candidates_and_exits_2() {
    let db = sqlite();
    let (code, _, err) = run(
        &db,
        &[
            "units",
            "resolve",
            "Sở Tài chính",
            "--context",
            "Bình Sơn",
            "--on",
            "2024-06-01",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("ambiguous") && err.contains("Quảng Ngãi"),
        "{err}"
    );
    assert_eq!(
        err.trim()
            .lines()
            .filter(|l| l.starts_with("error:"))
            .count(),
        1,
        "one line: {err}"
    );
}

#[test]
fn init_stores_a_provinces_agencies_once() {
    let db = sqlite();
    let (code, out, err) = run(
        &db,
        &[
            "units",
            "init",
            "--province",
            "Quảng Nam",
            "--on",
            "2024-06-01",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains(": 0 agencies"), "{out}");
    let agencies = json(
        &db,
        &[
            "units",
            "list",
            "--kind",
            "agency",
            "--within",
            "Quảng Nam",
            "--on",
            "2024-06-01",
            "--json",
        ],
    );
    let names: Vec<&str> = agencies
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Sở Thông tin và Truyền thông tỉnh Quảng Nam"));
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("Đài Phát thanh và Truyền hình"))
    );
    let (_, again, _) = run(
        &db,
        &[
            "units",
            "init",
            "--province",
            "Quảng Nam",
            "--on",
            "2024-06-01",
        ],
    );
    assert!(
        again.contains(": 0 agencies"),
        "a second init adds nothing: {again}"
    );
    let (code, _, err) = run(
        &db,
        &[
            "units",
            "init",
            "--province",
            "Tam Kỳ",
            "--on",
            "2024-06-01",
        ],
    );
    assert_eq!(code, 2, "a city is not a province: {err}");
}
