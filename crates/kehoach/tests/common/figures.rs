//! The figures a plan keeps, recomputed from its raw activities: the one oracle of the suites
//! that check the write path against a rebuild.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kehoach::store::{ActivityRow, Store};
use kehoach_core::compliance::{ActivityFact, increment};
use kehoach_core::period::{Per, today_in_vietnam};

/// Recomputes plan `plan`'s period tallies with the engine's `increment()` from the activities
/// that count (only the accepted ones when the plan counts only those) and each assignment's
/// summary (every report; the done date from the ones that count), and asserts the store keeps
/// exactly those.
pub async fn assert_tallies_are_the_activities(store: &Store, plan: i64, what: &str) {
    let targets = store.targets_of_plan(plan).await.unwrap();
    let accepted_only = store.plan_counting(plan).await.unwrap().accepted_only;
    let counts = |row: &ActivityRow| !accepted_only || row.review_state == "accepted";
    let mut expected: BTreeMap<(i64, String, NaiveDate), (f64, f64)> = BTreeMap::new();
    for a in store.assignments_of_plan(plan).await.unwrap() {
        let mut pers: Vec<Per> = targets
            .iter()
            .filter(|t| t.task_id == a.task_id)
            .map(|t| t.per.parse().unwrap())
            .collect();
        pers.sort();
        pers.dedup();
        let activities = store.activities_of_assignment(a.id).await.unwrap();
        for row in activities.iter().filter(|r| counts(r)) {
            let fact = ActivityFact {
                occurred_on: row.occurred_on,
                recorded_on: today_in_vietnam(row.recorded_at),
                quantity: row.quantity,
                completes: row.completes,
            };
            for per in &pers {
                let inc = increment(*per, 7, &fact).unwrap();
                let e = expected
                    .entry((a.id, per.as_str().to_string(), inc.period.start))
                    .or_default();
                e.0 += inc.bucket.achieved;
                e.1 += inc.bucket.on_time_achieved;
            }
        }
        assert_eq!(
            a.activity_count,
            activities.len() as i64,
            "{what}: count of {}",
            a.id
        );
        assert_eq!(
            a.last_activity_on,
            activities.iter().map(|r| r.occurred_on).max(),
            "{what}: last date of {}",
            a.id
        );
        assert_eq!(
            a.done_on,
            activities
                .iter()
                .filter(|r| r.completes && counts(r))
                .map(|r| r.occurred_on)
                .min(),
            "{what}: done date of {}",
            a.id
        );
    }
    let kept: BTreeMap<(i64, String, NaiveDate), (f64, f64)> = store
        .tallies_of_plan(plan)
        .await
        .unwrap()
        .into_iter()
        .map(|t| {
            (
                (t.assignment_id, t.per, t.period_start),
                (t.achieved, t.achieved_on_time),
            )
        })
        .collect();
    assert_eq!(
        kept.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "{what}: plan {plan}: the tallies kept are those of the activities"
    );
    for (key, (a, o)) in &expected {
        let (ka, ko) = kept[key];
        assert!(
            (a - ka).abs() < 1e-9 && (o - ko).abs() < 1e-9,
            "{what}: {key:?}: {ka}/{ko}, expected {a}/{o}"
        );
    }
}
