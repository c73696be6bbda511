//! Editing a plan after import (issue 19), on both backends: random edits and activities with
//! every figure checked against a rebuild from the raw activities after each step; validation
//! that names the field and changes nothing; concurrent edits answered 409; removal and archive
//! that delete nothing; an edit through one server and activities through another.

use crate::common;

use std::collections::BTreeMap;

use common::fixture::{day, plan_without_activities};
use common::{Server, TestDb, admin_token, http, run_cli};
use kehoach::plan_edit::{TargetSpec, TaskFields, UnitRef};
use kehoach::store::{Change, Closed, NewActivity, Store, StoreError};
use kehoach_core::compliance::{ActivityFact, increment};
use kehoach_core::period::{Per, today_in_vietnam};
use serde_json::{Value, json};

/// splitmix64: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn day_of_2024(&mut self) -> chrono::NaiveDate {
        day("2024-01-01") + chrono::Days::new(self.below(366))
    }
}

/// Every live figure of a plan that is not derived from the others: period tallies, assignment
/// summaries, and the roll-up counters as the dashboards read them.
async fn figures(store: &Store, plan: i64) -> (Vec<String>, Vec<String>, String) {
    let mut tallies: Vec<String> = store
        .tallies_of_plan(plan)
        .await
        .unwrap()
        .into_iter()
        .map(|t| {
            format!(
                "{} {} {} {:.6} {:.6}",
                t.assignment_id, t.per, t.period_start, t.achieved, t.achieved_on_time
            )
        })
        .collect();
    tallies.sort();
    let summaries = store
        .assignments_of_plan(plan)
        .await
        .unwrap()
        .into_iter()
        .map(|a| {
            format!(
                "{} {} {:?} {:?}",
                a.id, a.activity_count, a.last_activity_on, a.done_on
            )
        })
        .collect();
    let counters = counters(store, plan).await;
    (tallies, summaries, counters)
}

/// The roll-up counters as the dashboards read them, each list in a fixed order (the reads do
/// not order rows, and a task's counters rebuilt by an edit come back in another order).
async fn counters(store: &Store, plan: i64) -> String {
    fn sorted<T: std::fmt::Debug>(rows: &[T]) -> Vec<String> {
        let mut out: Vec<String> = rows.iter().map(|r| format!("{r:?}")).collect();
        out.sort();
        out
    }
    let d = store.rollup_data(plan, day("2024-11-04")).await.unwrap();
    format!(
        "{:#?}",
        [
            sorted(&d.tasks),
            sorted(&d.targets),
            sorted(&d.units),
            sorted(&d.ended),
            sorted(&d.periods),
            sorted(&d.done),
            sorted(&d.totals),
        ]
    )
}

/// The same figures computed from scratch: tallies and summaries from the raw activities with
/// the engine's `increment`, the counters by `Store::rebuild_rollups`.
async fn rebuilt(store: &Store, plan: i64) -> (Vec<String>, Vec<String>, String) {
    let targets = store.targets_of_plan(plan).await.unwrap();
    let grace = store.plan(plan).await.unwrap().unwrap().grace_days as u32;
    let mut sums: BTreeMap<(i64, String, chrono::NaiveDate), (f64, f64)> = BTreeMap::new();
    let mut summaries = Vec::new();
    for a in store.assignments_of_plan(plan).await.unwrap() {
        let mut pers: Vec<Per> = targets
            .iter()
            .filter(|t| t.task_id == a.task_id)
            .map(|t| t.per.parse().unwrap())
            .collect();
        pers.sort();
        pers.dedup();
        let activities = store.activities_of_assignment(a.id).await.unwrap();
        for v in &activities {
            let fact = ActivityFact {
                occurred_on: v.occurred_on,
                recorded_on: today_in_vietnam(v.recorded_at),
                quantity: v.quantity,
                completes: v.completes,
            };
            for per in &pers {
                if let Some(inc) = increment(*per, grace, &fact) {
                    let s = sums
                        .entry((a.id, per.as_str().to_string(), inc.period.start))
                        .or_default();
                    s.0 += inc.bucket.achieved;
                    s.1 += inc.bucket.on_time_achieved;
                }
            }
        }
        let last = activities.iter().map(|v| v.occurred_on).max();
        let done = activities
            .iter()
            .filter(|v| v.completes)
            .map(|v| v.occurred_on)
            .min();
        summaries.push(format!(
            "{} {} {:?} {:?}",
            a.id,
            activities.len(),
            last,
            done
        ));
    }
    let mut tallies: Vec<String> = sums
        .into_iter()
        .filter(|(_, (achieved, _))| achieved.abs() > 1e-9)
        .map(|((a, per, start), (achieved, on_time))| {
            format!("{a} {per} {start} {achieved:.6} {on_time:.6}")
        })
        .collect();
    tallies.sort();
    store.rebuild_rollups().await.unwrap();
    let counters = counters(store, plan).await;
    (tallies, summaries, counters)
}

async fn assert_figures_equal_a_rebuild(store: &Store, plan: i64, step: &str) {
    let live = figures(store, plan).await;
    let scratch = rebuilt(store, plan).await;
    assert_eq!(live.0, scratch.0, "tallies after {step}");
    assert_eq!(live.1, scratch.1, "summaries after {step}");
    assert_eq!(live.2, scratch.2, "roll-up counters after {step}");
}

async fn revision(db: &TestDb, plan: i64) -> i64 {
    let store = db.open().await;
    let r = store.plan_revision(plan).await.unwrap();
    store.close().await;
    r
}

/// An edit of a task, which must be refused (naming the task, changing nothing) when the task was
/// removed from the plan.
async fn edit(
    store: &Store,
    task: i64,
    removed: bool,
    fields: &TaskFields,
    on: chrono::NaiveDate,
    by: &Change,
) {
    match store.edit_task(task, None, fields, on, by).await {
        Ok(_) => assert!(!removed, "a removed task was edited"),
        Err(kehoach::store::PlanEditError::Invalid(e)) if removed => assert_eq!(e.field, "task"),
        Err(e) => panic!("edit of task {task}: {e}"),
    }
}

const PERS: [&str; 6] = ["day", "week", "month", "quarter", "year", "plan"];

on_both_backends! {
    async fn random_edits_and_activities_keep_every_figure_equal_to_a_rebuild(db: &TestDb) {
        let f = plan_without_activities(db).await;
        let store = &f.store;
        let by = Change::system("test");
        let units = [
            UnitRef { id: f.station, code: "T49.DAI".into() },
            UnitRef { id: f.newspaper, code: "T49.BAO".into() },
            UnitRef { id: f.district, code: "T49.H1".into() },
            UnitRef { id: f.commune, code: "T49.H1.X1".into() },
        ];
        let mut rng = Rng(0x5EED_2024);
        let on = day("2024-06-15");
        let mut written = 0;
        for step in 0..40 {
            let tasks = store.tasks_of_plan(f.plan_id).await.unwrap();
            let task = &tasks[rng.below(tasks.len() as u64) as usize];
            let removed = store.task_view(task.id).await.unwrap().unwrap().removed_on.is_some();
            let what = rng.below(10);
            let label = match what {
                0..=3 => {
                    // Activities: a few, on open or closed assignments alike; a closed one takes
                    // past work only (dated up to its closing), and a batch with anything later
                    // is refused whole, naming it.
                    let assignments = store.assignments_of_plan(f.plan_id).await.unwrap();
                    let batch: Vec<NewActivity> = (0..1 + rng.below(4))
                        .map(|_| {
                            let a = &assignments[rng.below(assignments.len() as u64) as usize];
                            NewActivity {
                                assignment_id: a.id,
                                occurred_on: rng.day_of_2024(),
                                title: "Tin bài".into(),
                                quantity: [0.5, 1.0, 2.0, 3.0][rng.below(4) as usize],
                                completes: rng.below(5) == 0,
                                ..NewActivity::default()
                            }
                        })
                        .collect();
                    let mut batch = batch;
                    loop {
                        match store.add_activities(&batch, &by).await {
                            Ok(_) => break,
                            Err(StoreError::Closed(Closed::Removed { assignment, on })) => {
                                let before = batch.len();
                                batch.retain(|a| a.assignment_id != assignment || a.occurred_on <= on);
                                assert!(batch.len() < before, "refused for what the batch holds");
                            }
                            Err(e) => panic!("{e}"),
                        }
                    }
                    written += batch.len();
                    "activities"
                }
                4..=5 => {
                    let targets = (0..rng.below(3))
                        .map(|_| TargetSpec {
                            count: [1.0, 2.0, 3.0, 12.0][rng.below(4) as usize],
                            per: PERS[rng.below(6) as usize].into(),
                            noun: "tin bài".into(),
                        })
                        .collect();
                    let fields = TaskFields { targets: Some(targets), ..TaskFields::default() };
                    edit(store, task.id, removed, &fields, on, &by).await;
                    "targets"
                }
                6 => {
                    let window = match rng.below(3) {
                        0 => None,
                        _ => {
                            let (a, b) = (rng.day_of_2024(), rng.day_of_2024());
                            Some((a.min(b), a.max(b)))
                        }
                    };
                    let fields = TaskFields { window: Some(window), ..TaskFields::default() };
                    edit(store, task.id, removed, &fields, on, &by).await;
                    "window"
                }
                7 => {
                    let leads: Vec<UnitRef> = units
                        .iter()
                        .filter(|_| rng.below(2) == 0)
                        .cloned()
                        .collect();
                    let fields = TaskFields { leads: Some(leads), ..TaskFields::default() };
                    edit(store, task.id, removed, &fields, on, &by).await;
                    "leads"
                }
                8 => {
                    let fields = TaskFields {
                        reference: Some(format!("9.{step}")),
                        title: Some("Nhiệm vụ thêm".into()),
                        targets: Some(vec![TargetSpec { count: 1.0, per: "month".into(), noun: String::new() }]),
                        leads: Some(vec![units[rng.below(4) as usize].clone()]),
                        ..TaskFields::default()
                    };
                    store.add_task(f.plan_id, &fields, on, &by).await.unwrap();
                    "add task"
                }
                _ => {
                    store.remove_task(task.id, on, &by).await.unwrap();
                    "remove task"
                }
            };
            assert_figures_equal_a_rebuild(store, f.plan_id, &format!("step {step} ({label})")).await;
        }
        // Nothing recorded was ever deleted by an edit: every activity is still there.
        let mut count = 0;
        for a in store.assignments_of_plan(f.plan_id).await.unwrap() {
            count += store.activities_of_assignment(a.id).await.unwrap().len();
        }
        assert_eq!(count, written, "every activity written is still stored");
        store.close().await;
    }

    async fn a_refused_edit_names_the_field_and_changes_nothing(db: &TestDb) {
        let f = plan_without_activities(db).await;
        let task = f.store.tasks_of_plan(f.plan_id).await.unwrap()[0].id;
        f.store.close().await;
        let task = task.to_string();
        let before = db.dump().await;
        for (args, field) in [
            (vec!["--target", "0/week"], "targets[0].count"),
            (vec!["--target", "1/fortnight"], "targets[0].per"),
            (vec!["--window", "2023-12-01..2024-03-31"], "window"),
            (vec!["--due", "31/12/2024"], "due"),
            (vec!["--lead", "NO.SUCH.UNIT"], "--lead"),
            (vec!["--title", " "], "title"),
        ] {
            let mut all = vec!["task", "edit", task.as_str()];
            all.extend(args.iter().copied());
            let (code, out, err) = run_cli(db, &all);
            assert_eq!(code, 2, "{args:?}: {out}{err}");
            assert!(err.contains(field), "{args:?} names {field}: {err}");
            assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        }
        assert!(db.dump().await == before, "a refused edit changes nothing");
        // A good one, through the exact interface.
        let (code, out, err) = run_cli(db, &["task", "edit", &task, "--target", "2/tuần/tin bài", "--target", "1/month",
            "--window", "2024-02-01..2024-11-30", "--due", "none", "--lead", "T49.DAI", "--json"]);
        assert_eq!(code, 0, "{err}");
        let view: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(view["targets"], json!([{"count": 2.0, "per": "week", "noun": "tin bài"}, {"count": 1.0, "per": "month", "noun": ""}]));
        assert_eq!(view["leads"], json!(["T49.DAI"]), "the newspaper's assignment is closed");
        assert_eq!(view["version"], 1);
        let store = db.open().await;
        let closed = store.assignments_of_plan(f.plan_id).await.unwrap().len();
        assert_eq!(closed, 7, "closing deletes no assignment");
        let audit = store.audit_entries(Some("task"), 10).await.unwrap();
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].before.as_ref().unwrap().0["leads"], json!(["T49.BAO", "T49.DAI"]));
        assert_eq!(audit[0].after.as_ref().unwrap().0["leads"], json!(["T49.DAI"]));
        store.close().await;
        // Add, remove, archive.
        let plan = f.plan_id.to_string();
        let (code, out, err) = run_cli(db, &["task", "add", "--plan", &plan, "--ref", "6", "--title", "Thêm tay", "--target", "1/month", "--lead", "T49.BAO", "--json"]);
        assert_eq!(code, 0, "{err}");
        let added: Value = serde_json::from_str(&out).unwrap();
        let (code, _, err) = run_cli(db, &["task", "add", "--plan", &plan, "--title", "Không số"]);
        assert_eq!((code, err.contains("ref")), (2, true), "{err}");
        let (code, out, err) = run_cli(db, &["task", "remove", &added["id"].to_string(), "--json"]);
        assert_eq!(code, 0, "{err}");
        assert!(serde_json::from_str::<Value>(&out).unwrap()["removed_on"].is_string());
        let r = revision(db, f.plan_id).await;
        assert_eq!(r, 3, "each edit bumped the plan's revision");
        let (code, out, _) = run_cli(db, &["plan", "archive", &plan]);
        assert_eq!((code, out.trim()), (0, format!("plan {plan}: archived").as_str()));
        let (code, _, err) = run_cli(db, &["task", "edit", &task, "--title", "Sau lưu trữ"]);
        assert_eq!(code, 2);
        assert!(err.contains("archived"), "{err}");
        // An archived plan is read-only for its activities too: one line, exit 2.
        let assignment = {
            let store = db.open().await;
            let a = store.assignments_of_plan(f.plan_id).await.unwrap()[0].id;
            store.close().await;
            a
        };
        let (code, _, err) = run_cli(
            db,
            &["activity", "add", "--assignment", &assignment.to_string(), "--date", "2024-06-03", "--title", "Sau lưu trữ"],
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("archived") && err.trim().lines().count() == 1, "{err}");
    }

    async fn a_later_concurrent_edit_gets_409_with_what_changed(db: &TestDb) {
        let f = plan_without_activities(db).await;
        let task = f.store.tasks_of_plan(f.plan_id).await.unwrap()[0].id;
        f.store.close().await;
        let server = Server::start(&db.cli_args());
        let token = admin_token(&db.cli_args());
        let url = server.url(&format!("/api/v1/tasks/{task}"));
        // Two people read version 0; the first changes the target, the second the title.
        let first = http().patch(&url).bearer_auth(&token)
            .json(&json!({"version": 0, "targets": [{"count": 3, "per": "week"}]}))
            .send().await.unwrap();
        assert_eq!(first.status(), 200);
        let second = http().patch(&url).bearer_auth(&token)
            .json(&json!({"version": 0, "title": "Tiêu đề khác"}))
            .send().await.unwrap();
        assert_eq!(second.status(), 409);
        let body: Value = second.json().await.unwrap();
        assert_eq!(body["changed"], json!(["targets"]), "{body}");
        assert_eq!(body["current"]["version"], 1);
        assert!(body["error"].as_str().unwrap().contains("targets"));
        // Bad input over the API: 400 naming the field.
        let bad = http().patch(&url).bearer_auth(&token)
            .json(&json!({"targets": [{"count": -1, "per": "week"}]}))
            .send().await.unwrap();
        assert_eq!(bad.status(), 400);
        let body: Value = bad.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().starts_with("targets[0].count"), "{body}");
    }
}

/// Part 5 of the issue: an edit through one server, activities through another, figures equal a
/// rebuild. It needs the activity write path's per-process spec cache to compare
/// `plans.revision` (migration 0013) inside its transaction — engineer A's side of the contract,
/// not on main yet: without it server B keeps writing with the targets it cached before the
/// edit (the month's tally misses B's activity). Run with `--ignored` once that lands.
async fn an_edit_on_one_server_is_followed_by_activities_written_on_another(db: &TestDb) {
    let f = plan_without_activities(db).await;
    let assignment = f.assignment("1", f.station).await;
    let task = f.store.tasks_of_plan(f.plan_id).await.unwrap()[0].id;
    f.store.close().await;
    let a = Server::start(&db.cli_args());
    let b = Server::start(&db.cli_args());
    let token = admin_token(&db.cli_args());
    let post = |base: String, date: &'static str| {
        let token = token.clone();
        async move {
            let r = http()
                .post(format!("{base}/api/v1/assignments/{assignment}/activities"))
                .bearer_auth(&token)
                .json(&json!({"date": date, "title": "Phát sóng", "quantity": 1}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
        }
    };
    // B writes first (and keeps what it read of the plan), A changes the targets, B writes
    // again: B's write must follow A's edit.
    post(b.base.clone(), "2024-03-04").await;
    let edit = http()
        .patch(a.url(&format!("/api/v1/tasks/{task}")))
        .bearer_auth(&token)
        .json(&json!({"targets": [{"count": 1, "per": "week"}, {"count": 2, "per": "month"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 200);
    post(b.base.clone(), "2024-03-11").await;
    post(a.base.clone(), "2024-03-18").await;
    let store = db.open().await;
    assert_figures_equal_a_rebuild(&store, f.plan_id, "an edit on A, writes on B").await;
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_sqlite() {
    let db = TestDb::sqlite().await;
    an_edit_on_one_server_is_followed_by_activities_written_on_another(&db).await;
    db.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_postgres() {
    let db = TestDb::postgres().await;
    an_edit_on_one_server_is_followed_by_activities_written_on_another(&db).await;
    db.drop_db().await;
}
