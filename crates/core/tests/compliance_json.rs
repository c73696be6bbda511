//! The JSON shapes the API embeds: field names, date format, status and state spellings.

use chrono::NaiveDate;
use kehoach_core::compliance::*;
use kehoach_core::period::Per;
use serde_json::json;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

#[test]
fn target_report_shape() {
    let target: Target =
        serde_json::from_value(json!({"count": 1, "per": "month", "unit": "tin, bài"})).unwrap();
    let window = Window::closed(d(2024, 10, 1), d(2024, 12, 31));
    let facts = [ActivityFact::new(d(2024, 10, 20), d(2024, 10, 21))];
    let report =
        evaluate_target_facts(&target, window, DEFAULT_GRACE_DAYS, &facts, d(2024, 11, 15));
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "count": 1.0,
            "per": "month",
            "unit": "tin, bài",
            "reporting_rate": 1.0,
            "on_time_rate": 1.0,
            "periods": [
                {"start": "2024-10-01", "end": "2024-10-31", "expected": 1.0, "achieved": 1.0,
                 "status": "met", "on_time": true},
                {"start": "2024-11-01", "end": "2024-11-30", "expected": 1.0, "achieved": 0.0,
                 "status": "open", "on_time": null},
                {"start": "2024-12-01", "end": "2024-12-31", "expected": 1.0, "achieved": 0.0,
                 "status": "future", "on_time": null}
            ]
        })
    );
    let back: TargetReport =
        serde_json::from_value(serde_json::to_value(&report).unwrap()).unwrap();
    assert_eq!(back, report);
}

#[test]
fn plan_total_report_has_a_pace() {
    let target = Target::new(4.0, Per::Plan, "lớp");
    let window = Window::closed(d(2024, 1, 1), d(2024, 1, 4));
    let report = evaluate_target_facts(&target, window, 7, &[], d(2024, 1, 2));
    let value = serde_json::to_value(&report).unwrap();
    assert_eq!(value["per"], "plan");
    assert_eq!(value["reporting_rate"], json!(null));
    assert_eq!(
        value["pace"],
        json!({"expected_by_date": 2.0, "achieved": 0.0, "state": "behind"})
    );
    assert_eq!(value["periods"][0]["status"], "open");
    // Recurring targets carry no pace at all.
    let weekly = evaluate_target_facts(
        &Target::new(1.0, Per::Week, ""),
        window,
        7,
        &[],
        d(2024, 1, 2),
    );
    assert!(serde_json::to_value(&weekly).unwrap().get("pace").is_none());
}

#[test]
fn every_status_and_state_spelling() {
    let statuses = [
        PeriodStatus::Met,
        PeriodStatus::Partial,
        PeriodStatus::Missed,
        PeriodStatus::Open,
        PeriodStatus::Future,
    ];
    for s in statuses {
        assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
    }
    let states = [
        (DeadlineState::DoneOnTime, "done_on_time"),
        (DeadlineState::DoneLate, "done_late"),
        (
            DeadlineState::NotDoneWithinDeadline,
            "not_done_within_deadline",
        ),
        (DeadlineState::NotDoneOverdue, "not_done_overdue"),
    ];
    for (state, name) in states {
        assert_eq!(serde_json::to_value(state).unwrap(), json!(name));
        assert_eq!(state.as_str(), name);
        assert_eq!(
            serde_json::from_value::<DeadlineState>(json!(name)).unwrap(),
            state
        );
    }
    for (state, name) in [
        (PaceState::Met, "met"),
        (PaceState::OnTrack, "on_track"),
        (PaceState::Behind, "behind"),
    ] {
        assert_eq!(serde_json::to_value(state).unwrap(), json!(name));
    }
}

#[test]
fn assignment_report_shape() {
    let spec = AssignmentSpec {
        targets: vec![],
        due: Some(d(2024, 11, 15)),
        window: serde_json::from_value(json!({"from": "2024-01-01", "to": null})).unwrap(),
        grace_days: DEFAULT_GRACE_DAYS,
    };
    let at = d(2024, 11, 20);
    let report = evaluate_assignment_facts(&spec, &[], at);
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "targets": [],
            "due": "2024-11-15",
            "done_on": null,
            "deadline": "not_done_overdue",
            "activity_count": 0,
            "last_activity_on": null
        })
    );
    let no_due = AssignmentSpec { due: None, ..spec };
    let value = serde_json::to_value(evaluate_assignment_facts(&no_due, &[], at)).unwrap();
    assert_eq!(value["deadline"], json!(null));
}

#[test]
fn facts_and_targets_read_from_json() {
    let fact: ActivityFact = serde_json::from_value(json!({
        "occurred_on": "2024-02-29", "recorded_on": "2024-03-01", "quantity": 2
    }))
    .unwrap();
    assert_eq!(fact.quantity, 2.0);
    assert!(!fact.completes);
    let target: Target = serde_json::from_value(json!({"count": 10, "per": "year"})).unwrap();
    assert_eq!(
        (target.count, target.per, target.unit.as_str()),
        (10.0, Per::Year, "")
    );
    assert!(serde_json::from_value::<Target>(json!({"count": 1, "per": "fortnight"})).is_err());
}
