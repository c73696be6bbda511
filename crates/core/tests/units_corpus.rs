//! Every lead and partner text of the corpus plans resolves, with nothing unknown that the
//! registry holds.

use chrono::NaiveDate;
use kehoach_core::units::Registry;
use serde_json::Value;

#[test]
fn corpus_texts_resolve() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/units_corpus.json")).expect("fixture");
    let allowed: Vec<&str> = fixture["allowed_unknown"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut reg = Registry::builtin().expect("data");
    let mut failures = Vec::new();
    let mut total = 0;
    for plan in fixture["plans"].as_array().unwrap() {
        let on = NaiveDate::parse_from_str(plan["on"].as_str().unwrap(), "%Y-%m-%d").unwrap();
        let ctx_code = reg
            .find_context(plan["context"].as_str().unwrap(), on)
            .expect("context")
            .code
            .clone();
        let province = {
            let u = reg.get(&ctx_code, on).unwrap();
            u.parent_code.clone().unwrap_or(u.code.clone())
        };
        reg.add_standard_agencies(&province);
        let ctx = reg.get(&ctx_code, on).unwrap().clone();
        for text in plan["texts"].as_array().unwrap() {
            let text = text.as_str().unwrap();
            total += 1;
            let r = reg.resolve(text, &ctx, on);
            if std::env::var("SHOW").is_ok() {
                println!(
                    "{text}\n  -> {} units {:?} vague {:?} unknown {:?}",
                    r.units.len(),
                    r.units
                        .iter()
                        .map(|u| u.code.as_str())
                        .take(40)
                        .collect::<Vec<_>>(),
                    r.vague,
                    r.unknown
                );
            }
            if r.units.is_empty() && r.vague.is_empty() && r.unknown.is_empty() {
                failures.push(format!("{text}: nothing resolved"));
            }
            for u in &r.unknown {
                if !allowed.contains(&u.as_str()) {
                    failures.push(format!("{}: {text}: unknown {u:?}", plan["plan"]));
                }
            }
        }
    }
    assert_eq!(total, 58, "texts in the fixture");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
