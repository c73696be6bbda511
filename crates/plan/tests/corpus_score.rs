//! The project's own scoring of the corpus: a faithful port of shared/score-plan.py (task
//! matching by title similarity, field accuracy, reference F1), asserting the quality bar for
//! each corpus document and printing the scores.

mod common;

use common::score::{bag_f1, score, title_match};
use serde_json::Value;
use std::path::Path;

#[test]
fn corpus_meets_the_quality_bar() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let mut golds: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".gold.json"))
        .collect();
    golds.sort();
    assert!(!golds.is_empty(), "no gold files in {}", dir.display());
    let mut failures = Vec::new();
    for gold_path in golds {
        let name = gold_path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".gold.json")
            .to_string();
        let doc = ["txt", "md", "docx"]
            .iter()
            .map(|e| dir.join(format!("{name}.{e}")))
            .find(|p| p.exists())
            .unwrap_or_else(|| panic!("no document for {name}"));
        let bytes = std::fs::read(&doc).unwrap();
        let plan = kehoach_plan::parse(&bytes, &doc.to_string_lossy())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let pred = serde_json::to_value(&plan).unwrap();
        let gold: Value = serde_json::from_slice(&std::fs::read(&gold_path).unwrap()).unwrap();
        let s = score(&pred, &gold);
        println!(
            "{name}: tasks_f1={:.3} fields={:.3} refs_f1={:.3} (gold {}, predicted {}, matched {})",
            s.tasks_f1, s.fields, s.refs_f1, s.gold, s.predicted, s.matched
        );
        if s.tasks_f1 < 0.95 || s.fields < 0.90 || s.refs_f1 < 0.95 {
            failures.push(format!("{name}: {s:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "below the bar (tasks_f1 ≥ 0.95, fields ≥ 0.90, refs_f1 ≥ 0.95): {failures:#?}"
    );
}

#[test]
fn scorer_port_agrees_on_known_cases() {
    assert!((bag_f1("Sở Thông tin", "sở thông tin") - 1.0).abs() < 1e-9);
    assert_eq!(bag_f1("", "x"), 0.0);
    assert_eq!(
        title_match("a b c d e f g h i j", "a b c d"),
        0.5714285714285715
    );
    assert_eq!(
        title_match("a b c d x y z w v u k l m n o", "a b c d e"),
        0.5
    );
    assert_eq!(
        title_match("Tổ chức hội nghị tổng kết năm", "hội nghị"),
        0.0
    );
    // Same document scored by score-plan.py: tasks_f1 0.667, fields 2/7, refs_f1 0.667.
    let pred = serde_json::json!({"tasks": [{"title": "Tập huấn A", "lead": "Sở X", "partners": "", "targets": [{"count": 1, "per": "week"}], "due": "2024-01-01"}], "references": ["1/QĐ-UBND"]});
    let gold = serde_json::json!({"tasks": [{"title": "Tập huấn A", "lead": "Sở X", "partners": "Sở Y", "targets": [{"count": 1, "per": "week"}], "window": null, "due": null}, {"title": "Khác", "lead": "Sở Z", "partners": "", "targets": []}], "references": ["1/QĐ-UBND", "2/QĐ-UBND"]});
    let s = score(&pred, &gold);
    assert!(
        (s.tasks_f1 - 2.0 / 3.0).abs() < 1e-9
            && (s.fields - 2.0 / 7.0).abs() < 1e-9
            && (s.refs_f1 - 2.0 / 3.0).abs() < 1e-9,
        "{s:?}"
    );
}
