//! The fast roll-up (counters kept with each activity) equals the engine's evaluation of every
//! assignment (`plan_compliance`), on both backends, on a small random dataset; and so does a
//! rebuild of the counters from the tallies. Also the heatmap agrees with the engine's periods.

use crate::common;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Days, NaiveDate, TimeZone, Utc};
use kehoach::compliance::{plan_compliance, task_compliance};
use kehoach::demo::national::SplitMix64;
use kehoach::rollup::{national_rollup, province_heatmap, province_tallies, task_tallies};
use kehoach::store::{
    ActivityRow, AuditFilter, Change, EvidenceRow, NewActivity, NewEvidence, NewPlan, NewTarget,
    NewTask, Store,
};
use kehoach_core::compliance::Tally;
use kehoach_core::period::Per;
use kehoach_core::units::UnitKind;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn target(count: f64, per: Per) -> NewTarget {
    NewTarget {
        count,
        per,
        noun: "tin".into(),
    }
}

/// How the dataset's activities are written.
#[derive(Clone, Copy, PartialEq)]
enum Writes {
    /// In batches of random sizes (the bulk import's path), some one by one.
    Batches,
    /// Each on its own, a batch's all at once (the API's path: concurrent callers' activities
    /// are written in groups); every fourth with a link as evidence.
    Concurrent,
}

struct Data {
    plans: Vec<i64>,
    /// Province id of each lead unit.
    province_of: HashMap<i64, i64>,
    /// With [`Writes::Concurrent`]: each activity, as asked and as `record_activity` answered.
    written: Vec<(NewActivity, ActivityRow, Vec<EvidenceRow>)>,
}

/// Two plans over units in three provinces (the provinces themselves and some communes): one
/// closed 2026 plan, one open-ended plan with a task window of its own.
async fn dataset(store: &Store, seed: u64, writes: Writes) -> Data {
    let by = Change::system("test");
    let on = day("2026-01-01");
    let registry = store.registry().await.unwrap();
    let ids = store.unit_ids().await.unwrap();
    let id = |u: &kehoach_core::units::Unit| ids[&(u.code.clone(), u.valid_from)];
    let mut province_of = HashMap::new();
    let mut units = Vec::new();
    for province in registry.of_kind(UnitKind::Province, on).into_iter().take(3) {
        province_of.insert(id(province), id(province));
        units.push(id(province));
        for commune in registry
            .descendants(&province.code, on)
            .into_iter()
            .filter(|u| u.kind == UnitKind::Commune)
            .take(4)
        {
            province_of.insert(id(commune), id(province));
            units.push(id(commune));
        }
    }
    let leads = |step: usize| -> Vec<(i64, String)> {
        units
            .iter()
            .step_by(step)
            .map(|u| (*u, "test".to_string()))
            .collect()
    };
    let task = |reference: &str, targets: Vec<NewTarget>, due: Option<&str>, step: usize| NewTask {
        reference: reference.into(),
        title: format!("Nhiệm vụ {reference}"),
        lead_text: "test".into(),
        targets,
        due: due.map(day),
        leads: leads(step),
        ..NewTask::default()
    };
    let closed = NewPlan {
        title: "Kế hoạch 2026".into(),
        period_from: Some(day("2026-01-01")),
        period_to: Some(day("2026-12-31")),
        grace_days: 7,
        source_name: "test".into(),
        source_sha256: "00".into(),
        extraction: serde_json::json!({}),
        tasks: vec![
            task("1", vec![target(1.0, Per::Week)], None, 1),
            task(
                "2",
                vec![target(2.0, Per::Week), target(3.0, Per::Month)],
                None,
                2,
            ),
            task(
                "3",
                vec![target(1.0, Per::Quarter), target(1.0, Per::Year)],
                None,
                1,
            ),
            task("4", vec![target(5.0, Per::Plan)], None, 3),
            task("5", vec![], Some("2026-06-30"), 1),
            task("6", vec![target(2.0, Per::Day)], Some("2026-09-15"), 4),
            task("7", vec![], None, 2),
        ],
        ..NewPlan::default()
    };
    let mut open = closed.clone();
    open.title = "Kế hoạch mở".into();
    open.period_from = Some(day("2026-02-01"));
    open.period_to = None;
    open.tasks = vec![
        task("1", vec![target(1.0, Per::Week)], None, 1),
        task("2", vec![target(4.0, Per::Plan)], Some("2026-05-01"), 2),
        NewTask {
            window_from: Some(day("2026-03-10")),
            window_to: Some(day("2026-08-20")),
            ..task(
                "3",
                vec![target(3.0, Per::Plan), target(1.0, Per::Month)],
                None,
                1,
            )
        },
    ];
    let mut plans = Vec::new();
    let mut assignments = Vec::new();
    for plan in [closed, open] {
        let created = store.create_plan(&plan, &by).await.unwrap();
        plans.push(created.plan_id);
        let tasks = store.tasks_of_plan(created.plan_id).await.unwrap();
        for a in store.assignments_of_plan(created.plan_id).await.unwrap() {
            let due = tasks.iter().find(|t| t.id == a.task_id).unwrap().due;
            assignments.push((a.id, due.is_some()));
        }
    }

    // Activities: random assignments, dates, quantities, recording delays; in batches of
    // random sizes, some one by one.
    let mut rng = SplitMix64::new(seed);
    let start = day("2025-12-28");
    let mut left = 1500;
    let mut written = Vec::new();
    while left > 0 {
        let n = (1 + rng.below(60) as usize).min(left);
        let mut batch = Vec::with_capacity(n);
        for _ in 0..n {
            let (assignment_id, has_due) =
                assignments[rng.below(assignments.len() as u64) as usize];
            let occurred = start + Days::new(rng.below(325));
            let recorded = occurred + Days::new(rng.below(25));
            batch.push(NewActivity {
                assignment_id,
                occurred_on: occurred,
                title: "Hoạt động".into(),
                quantity: (1 + rng.below(3)) as f64,
                completes: has_due && rng.below(6) == 0,
                recorded_at: Some(Utc.from_utc_datetime(&recorded.and_hms_opt(3, 0, 0).unwrap())),
                ..NewActivity::default()
            });
        }
        if writes == Writes::Concurrent {
            let mut callers = tokio::task::JoinSet::new();
            for (i, mut activity) in batch.into_iter().enumerate() {
                if i % 4 == 0 {
                    activity.evidence = vec![NewEvidence::Url {
                        url: format!("https://example.vn/tin/{left}-{i}"),
                    }];
                }
                let (store, by) = (store.clone(), by.clone());
                callers.spawn(async move {
                    let (row, evidence) = store.record_activity(&activity, &by).await.unwrap();
                    (activity, row, evidence)
                });
            }
            while let Some(one) = callers.join_next().await {
                written.push(one.unwrap());
            }
        } else if n == 1 {
            store.add_activity(&batch[0], &by).await.unwrap();
        } else {
            store.add_activities(&batch, &by).await.unwrap();
        }
        left -= n;
    }
    Data {
        plans,
        province_of,
        written,
    }
}

/// What the callers of `record_activity` got back is what the store keeps: each row, its
/// evidence and the audit entry that shows both.
async fn check_written(store: &Store, data: &Data) {
    let filter = AuditFilter {
        entity: Some("activity".into()),
        ..AuditFilter::default()
    };
    let entries = store.audit_log(&filter, true, 100_000).await.unwrap();
    for (activity, row, evidence) in &data.written {
        let kept = store.activity(row.id).await.unwrap().unwrap();
        assert_eq!(json(&kept), json(row), "activity {}", row.id);
        assert_eq!(
            (
                kept.assignment_id,
                kept.occurred_on,
                kept.quantity,
                kept.completes
            ),
            (
                activity.assignment_id,
                activity.occurred_on,
                activity.quantity,
                activity.completes
            )
        );
        let kept_evidence = store.evidence_of_activity(row.id).await.unwrap();
        assert_eq!(json(&kept_evidence), json(evidence), "activity {}", row.id);
        assert_eq!(evidence.len(), activity.evidence.len());
        let mine: Vec<_> = entries
            .iter()
            .filter(|e| e.entity_id == row.id.to_string())
            .collect();
        assert_eq!(mine.len(), 1, "one audit entry for activity {}", row.id);
        assert_eq!(mine[0].action, "create");
        let after = &mine[0].after.as_ref().unwrap().0;
        for field in [
            "assignment_id",
            "occurred_on",
            "title",
            "quantity",
            "completes",
            "note",
        ] {
            assert_eq!(
                after[field],
                json(row)[field],
                "activity {}: audit {field}",
                row.id
            );
        }
        assert_eq!(
            after["evidence"],
            json(evidence),
            "activity {}: audit evidence",
            row.id
        );
    }
}

/// The tallies and assignment summaries recomputed from the activities themselves with the
/// engine's `increment()`, compared with what the store keeps.
async fn check_aggregates_from_scratch(store: &Store, data: &Data, what: &str) {
    for &plan in &data.plans {
        common::figures::assert_tallies_are_the_activities(store, plan, what).await;
    }
}

const DATES: [&str; 6] = [
    "2025-12-31",
    "2026-01-04",
    "2026-03-31",
    "2026-07-01",
    "2026-11-15",
    "2027-02-01",
];

/// The engine's tallies per province of a plan: plan_compliance restricted to each province's
/// units.
async fn engine_by_province(
    store: &Store,
    data: &Data,
    plan: i64,
    at: NaiveDate,
) -> BTreeMap<i64, Tally> {
    let mut by_province: BTreeMap<i64, HashSet<i64>> = BTreeMap::new();
    for (unit, province) in &data.province_of {
        by_province.entry(*province).or_default().insert(*unit);
    }
    let mut out = BTreeMap::new();
    for (province, units) in by_province {
        let report = plan_compliance(store, plan, at, Some(&units))
            .await
            .unwrap();
        out.insert(province, report.summary.tally);
    }
    out
}

async fn check_equal(store: &Store, data: &Data, what: &str) {
    for at in DATES.map(day) {
        let mut national = Tally::default();
        for &plan in &data.plans {
            let engine = plan_compliance(store, plan, at, None).await.unwrap();
            let fast = province_tallies(store, plan, at).await.unwrap();
            let fast_total: Tally = fast.values().sum();
            assert_eq!(
                fast_total, engine.summary.tally,
                "{what}: plan {plan} at {at}"
            );
            // Per task, as the plan overview and the task page read it.
            let per_task = task_tallies(store, plan, at).await.unwrap();
            for task in &engine.tasks {
                assert_eq!(
                    per_task.get(&task.task_id).copied().unwrap_or_default(),
                    task.summary.tally,
                    "{what}: plan {plan} at {at}, task {}",
                    task.task_id
                );
            }
            assert!(
                per_task
                    .keys()
                    .all(|t| engine.tasks.iter().any(|e| e.task_id == *t)),
                "{what}: plan {plan}: a task of another plan in its roll-up"
            );
            let engine_provinces = engine_by_province(store, data, plan, at).await;
            assert_eq!(
                fast, engine_provinces,
                "{what}: plan {plan} at {at}, per province"
            );
            national += fast_total;
        }
        let rollup = national_rollup(store, at).await.unwrap();
        assert_eq!(rollup.total.tally, national, "{what}: national at {at}");
        assert_eq!(rollup.provinces.len(), 3);
    }
}

/// The scoped evaluations (one task; some units, filtered in the store's reads) equal the whole
/// plan's evaluation restricted afterwards.
async fn check_scoped_equal(store: &Store, data: &Data) {
    let mut by_province: BTreeMap<i64, HashSet<i64>> = BTreeMap::new();
    for (unit, province) in &data.province_of {
        by_province.entry(*province).or_default().insert(*unit);
    }
    let scopes: Vec<Option<&HashSet<i64>>> = std::iter::once(None)
        .chain(by_province.values().map(Some))
        .collect();
    for at in DATES.map(day) {
        for &plan in &data.plans {
            let whole = plan_compliance(store, plan, at, None).await.unwrap();
            let unit_of: HashMap<i64, i64> = store
                .assignments_of_plan(plan)
                .await
                .unwrap()
                .into_iter()
                .map(|a| (a.id, a.unit_id))
                .collect();
            for units in &scopes {
                let report = plan_compliance(store, plan, at, *units).await.unwrap();
                // Units: the same assignments' reports as the whole plan's, only theirs.
                let mut sum = Tally::default();
                for (task, whole_task) in report.tasks.iter().zip(&whole.tasks) {
                    assert_eq!(task.task_id, whole_task.task_id);
                    let expected: Vec<_> = whole_task
                        .assignments
                        .iter()
                        .filter(|a| units.is_none_or(|u| u.contains(&unit_of[&a.assignment_id])))
                        .map(json)
                        .collect();
                    let got: Vec<_> = task.assignments.iter().map(json).collect();
                    assert_eq!(got, expected, "plan {plan} at {at}, task {}", task.task_id);
                    sum += task.summary.tally;
                }
                assert_eq!(report.summary.tally, sum);
                // One task: the same as that task of the plan's report, and nothing else.
                for task in &report.tasks {
                    let one = task_compliance(store, plan, task.task_id, at, *units)
                        .await
                        .unwrap();
                    assert_eq!(one.tasks.len(), 1);
                    assert_eq!(json(&one.tasks[0]), json(task), "task {}", task.task_id);
                    assert_eq!(one.summary.tally, task.summary.tally);
                }
            }
            // A task of another plan is not this plan's.
            let other = data.plans.iter().find(|p| **p != plan).copied().unwrap();
            let foreign = store.tasks_of_plan(other).await.unwrap()[0].id;
            let none = task_compliance(store, plan, foreign, at, None)
                .await
                .unwrap();
            assert!(none.tasks.is_empty());
            assert_eq!(none.summary.tally, Tally::default());
        }
    }
}

/// A report part as JSON, to compare parts of reports whole.
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

on_both_backends! {
    async fn scoped_evaluation_equals_whole_plan_restricted(db: &common::TestDb) {
        let store = db.open().await;
        let data = dataset(&store, 13, Writes::Batches).await;
        check_scoped_equal(&store, &data).await;
        store.close().await;
    }

    async fn fast_rollup_equals_engine(db: &common::TestDb) {
        let store = db.open().await;
        let data = dataset(&store, 7, Writes::Batches).await;
        check_aggregates_from_scratch(&store, &data, "live").await;
        check_equal(&store, &data, "live").await;
        // Counters recomputed from the tallies are the same.
        store.rebuild_rollups().await.unwrap();
        check_equal(&store, &data, "rebuilt").await;
        store.close().await;
    }

    async fn concurrent_single_writes_keep_every_aggregate_equal_to_the_engine(db: &common::TestDb) {
        // The API's path: groups of concurrent callers' activities, with evidence, some
        // completing a deliverable.
        let store = db.open().await;
        let data = dataset(&store, 31, Writes::Concurrent).await;
        assert_eq!(data.written.len(), 1500);
        check_written(&store, &data).await;
        check_aggregates_from_scratch(&store, &data, "concurrent").await;
        check_equal(&store, &data, "concurrent").await;
        store.rebuild_rollups().await.unwrap();
        check_equal(&store, &data, "concurrent, rebuilt").await;
        store.close().await;
    }

    async fn heatmap_matches_engine_periods(db: &common::TestDb) {
        let store = db.open().await;
        let data = dataset(&store, 11, Writes::Batches).await;
        let plan = data.plans[0];
        let at = day("2026-07-01");
        let task = store.tasks_of_plan(plan).await.unwrap()[0].id;
        let report = plan_compliance(&store, plan, at, None).await.unwrap();
        let engine = &report.tasks[0];
        let provinces: HashSet<i64> = data.province_of.values().copied().collect();
        let mut rows = 0;
        for province in provinces {
            let heatmap = province_heatmap(&store, task, province, at).await.unwrap().unwrap();
            assert_eq!(heatmap.per, Per::Week);
            for row in &heatmap.rows {
                let a = engine
                    .assignments
                    .iter()
                    .find(|a| a.assignment_id == row.assignment_id)
                    .unwrap();
                let statuses: Vec<_> = a.targets[0].periods.iter().map(|p| p.status).collect();
                assert_eq!(row.cells, statuses, "assignment {}", row.assignment_id);
                rows += 1;
            }
        }
        assert_eq!(rows, engine.assignments.len());
        store.close().await;
    }

    async fn edits_and_deletes_keep_every_aggregate_equal_to_a_rebuild(db: &common::TestDb) {
        let store = db.open().await;
        let data = dataset(&store, 23, Writes::Batches).await;
        let by = Change::system("test");
        let mut ids: Vec<i64> = Vec::new();
        let mut with_due: HashSet<i64> = HashSet::new();
        for &plan in &data.plans {
            let tasks = store.tasks_of_plan(plan).await.unwrap();
            for a in store.assignments_of_plan(plan).await.unwrap() {
                if tasks.iter().any(|t| t.id == a.task_id && t.due.is_some()) {
                    with_due.insert(a.id);
                }
                ids.extend(store.activities_of_assignment(a.id).await.unwrap().iter().map(|r| r.id));
            }
        }
        // Random corrections and removals: dates across period bounds, quantities up and down,
        // completions set and cleared, on activities that may share tallies.
        let mut rng = SplitMix64::new(99);
        let start = day("2025-12-28");
        for step in 0..300u32 {
            let k = rng.below(ids.len() as u64) as usize;
            let id = ids[k];
            if step.is_multiple_of(3) {
                store.delete_activity(id, &by).await.unwrap();
                ids.swap_remove(k);
            } else {
                let row = store.activity(id).await.unwrap().unwrap();
                let edited = NewActivity {
                    assignment_id: row.assignment_id,
                    occurred_on: if rng.below(2) == 0 { start + Days::new(rng.below(325)) } else { row.occurred_on },
                    title: row.title.clone(),
                    quantity: [0.5, 1.0, 2.0, 3.0][rng.below(4) as usize],
                    completes: with_due.contains(&row.assignment_id) && rng.below(3) == 0,
                    ..NewActivity::default()
                };
                store.update_activity(id, &edited, &by).await.unwrap();
            }
        }
        check_aggregates_from_scratch(&store, &data, "after edits").await;
        check_equal(&store, &data, "after edits").await;
        store.rebuild_rollups().await.unwrap();
        check_equal(&store, &data, "after edits, rebuilt").await;
        store.close().await;
    }

    async fn a_write_computes_with_the_plan_as_the_database_holds_it(db: &common::TestDb) {
        // Two servers on one database: a target's count changed (as a plan edit does, with the
        // plan's revision bumped) is used by the next write of either, whatever each wrote
        // before. The write path reads the specs in its transaction: no copy to go stale.
        let (one, other) = (db.open().await, db.open().await);
        let by = Change::system("test");
        let registry = one.registry().await.unwrap();
        let ids = one.unit_ids().await.unwrap();
        let on = day("2026-01-01");
        let province = registry.of_kind(UnitKind::Province, on).into_iter().next().unwrap();
        let unit = ids[&(province.code.clone(), province.valid_from)];
        let plan = NewPlan {
            title: "Kế hoạch sửa sau khi nhập".into(),
            period_from: Some(day("2026-01-01")),
            period_to: Some(day("2026-12-31")),
            grace_days: 7,
            source_name: "test".into(),
            source_sha256: "01".into(),
            extraction: serde_json::json!({}),
            tasks: vec![NewTask {
                reference: "1".into(),
                title: "Tin bài".into(),
                lead_text: "test".into(),
                targets: vec![target(3.0, Per::Month)],
                leads: vec![(unit, "test".into())],
                ..NewTask::default()
            }],
            ..NewPlan::default()
        };
        let plan = one.create_plan(&plan, &by).await.unwrap().plan_id;
        let assignment = one.assignments_of_plan(plan).await.unwrap()[0].id;
        let activity = |d: &str| NewActivity {
            assignment_id: assignment,
            occurred_on: day(d),
            title: "Tin".into(),
            quantity: 1.0,
            recorded_at: Some(Utc.with_ymd_and_hms(2026, 3, 2, 3, 0, 0).unwrap()),
            ..NewActivity::default()
        };
        let met = |store: Store| async move {
            let data = store.rollup_data(plan, day("2026-12-31")).await.unwrap();
            let ended: i64 = data.ended.iter().map(|r| r.met).sum();
            let current: i64 = data.periods.iter().map(|r| r.met).sum();
            ended + current
        };
        // Both servers write once (an API write each): 2 of 3 in January, not met.
        one.record_activity(&activity("2026-01-05"), &by).await.unwrap();
        other.record_activity(&activity("2026-01-06"), &by).await.unwrap();
        assert_eq!(met(one.clone()).await, 0);
        // The plan office lowers the target to 2 a month behind both servers' backs; the
        // counters are then recomputed, as a plan edit does in its transaction.
        db.raw_execute("UPDATE targets SET count = 2").await.unwrap();
        db.raw_execute("UPDATE plans SET revision = revision + 1").await.unwrap();
        one.rebuild_rollups().await.unwrap();
        assert_eq!(met(one.clone()).await, 1);
        // February: one activity on each server reaches the new count, 2, and is counted met.
        one.record_activity(&activity("2026-02-03"), &by).await.unwrap();
        other.record_activity(&activity("2026-02-04"), &by).await.unwrap();
        assert_eq!(met(other.clone()).await, 2, "February met with the new count");
        // The same by the batch path.
        one.add_activities(&[activity("2026-03-03"), activity("2026-03-04")], &by)
            .await
            .unwrap();
        assert_eq!(met(one.clone()).await, 3, "March met with the new count");
        let live = met(one.clone()).await;
        one.rebuild_rollups().await.unwrap();
        assert_eq!(met(one.clone()).await, live, "live counters equal a rebuild");
        one.close().await;
        other.close().await;
    }
}
