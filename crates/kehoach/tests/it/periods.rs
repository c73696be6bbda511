//! Review of activities and approval and locking of periods (issue 19, parts 3–4), on both
//! backends: random sequences of activity writes, reviews, approvals, reopenings and refused
//! locked writes keep every figure equal to a rebuild from the raw activities, and a locked
//! period never changes; the API answers 409 and the CLI exits 2 naming the lock; the approval
//! chain climbs the unit tree.

use crate::common;

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};
use common::fixture::{PlanFixture, day, plan_without_activities};
use common::{Server, admin_token, http, run_cli};
use kehoach::export::report_period::ReportPeriod;
use kehoach::store::{Approver, Change, NewActivity, Store, StoreError};
use kehoach_core::approval::{PeriodAction, ReviewDecision};
use kehoach_core::period::today_in_vietnam;
use serde_json::{Value, json};

/// A small deterministic generator (splitmix64), so a failure replays.
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
        self.next() % n.max(1)
    }
}

/// The tallies and summaries recomputed from the raw activities with the engine's
/// `increment()` (only the accepted ones when the plan counts only those), compared with what
/// the store keeps; and the roll-up counters unchanged by a rebuild from scratch.
async fn check_figures(db: &common::TestDb, store: &Store, plan: i64, what: &str) {
    common::figures::assert_tallies_are_the_activities(store, plan, what).await;
    let counters = |dump: BTreeMap<String, Vec<String>>| -> BTreeMap<String, Vec<String>> {
        dump.into_iter()
            .filter(|(t, _)| t.starts_with("rollup_"))
            .collect()
    };
    let before = counters(db.dump().await);
    store.rebuild_rollups().await.unwrap();
    assert_eq!(
        before,
        counters(db.dump().await),
        "{what}: counters = rebuild"
    );
}

/// What a locked (unit, month) holds: its activities as stored.
async fn month_content(store: &Store, assignments: &[i64], month: &ReportPeriod) -> Vec<String> {
    let mut out = Vec::new();
    for &a in assignments {
        for row in store.activities_of_assignment(a).await.unwrap() {
            if month.from <= row.occurred_on && row.occurred_on <= month.to {
                out.push(serde_json::to_string(&row).unwrap());
            }
        }
    }
    out.sort();
    out
}

fn month(m: u32) -> ReportPeriod {
    ReportPeriod::parse(&format!("2024-{m:02}")).unwrap()
}

fn is_locked(result: &Result<impl std::fmt::Debug, StoreError>) -> bool {
    matches!(result, Err(StoreError::Locked(_)))
}

async fn random_sequence(db: &common::TestDb, seed: u64) {
    let f: PlanFixture = plan_without_activities(db).await;
    let store = &f.store;
    let by = Change::system("test");
    let top = Approver { scope_root: None };
    // The station's two assignments (a weekly target and a deliverable) and the newspaper's.
    let units = [f.station, f.newspaper];
    let mut assignments: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for a in store.assignments_of_plan(f.plan_id).await.unwrap() {
        if units.contains(&a.unit_id) {
            assignments.entry(a.unit_id).or_default().push(a.id);
        }
    }
    let mut rng = Rng(seed);
    let mut ids: Vec<i64> = Vec::new();
    // (unit, month) → what it held when approved.
    let mut locked: BTreeMap<(i64, u32), Vec<String>> = BTreeMap::new();
    let mut refusals = 0;
    for step in 0..60 {
        let unit = units[rng.below(2) as usize];
        let unit_assignments = assignments[&unit].clone();
        let assignment = unit_assignments[rng.below(unit_assignments.len() as u64) as usize];
        let m = 1 + rng.below(4) as u32;
        let date = day(&format!("2024-{m:02}-01")) + Days::new(rng.below(27));
        let is_locked_month = |u: i64, d: NaiveDate| locked.contains_key(&(u, d.month()));
        let what = format!("seed {seed} step {step}");
        match rng.below(8) {
            0 | 1 => {
                let result = store
                    .add_activity(
                        &NewActivity {
                            assignment_id: assignment,
                            occurred_on: date,
                            title: format!("Hoạt động {step}"),
                            quantity: [1.0, 2.0, 0.5][rng.below(3) as usize],
                            ..NewActivity::default()
                        },
                        &by,
                    )
                    .await;
                if is_locked_month(unit, date) {
                    assert!(is_locked(&result), "{what}: add into a locked month");
                    refusals += 1;
                } else {
                    ids.push(result.unwrap().id);
                }
            }
            2 if !ids.is_empty() => {
                let id = ids[rng.below(ids.len() as u64) as usize];
                let row = store.activity(id).await.unwrap().unwrap();
                let owner = store.assignment(row.assignment_id).await.unwrap().unwrap();
                let new_date = if rng.below(2) == 0 {
                    date
                } else {
                    row.occurred_on
                };
                let result = store
                    .update_activity(
                        id,
                        &NewActivity {
                            assignment_id: row.assignment_id,
                            occurred_on: new_date,
                            title: format!("{} (sửa)", row.title),
                            quantity: row.quantity + 1.0,
                            ..NewActivity::default()
                        },
                        &by,
                    )
                    .await;
                if is_locked_month(owner.unit_id, row.occurred_on)
                    || is_locked_month(owner.unit_id, new_date)
                {
                    assert!(is_locked(&result), "{what}: edit in a locked month");
                    refusals += 1;
                } else {
                    result.unwrap();
                }
            }
            3 if !ids.is_empty() => {
                let k = rng.below(ids.len() as u64) as usize;
                let row = store.activity(ids[k]).await.unwrap().unwrap();
                let owner = store.assignment(row.assignment_id).await.unwrap().unwrap();
                let result = store.delete_activity(ids[k], &by).await;
                if is_locked_month(owner.unit_id, row.occurred_on) {
                    assert!(is_locked(&result), "{what}: delete in a locked month");
                    refusals += 1;
                } else {
                    result.unwrap();
                    ids.swap_remove(k);
                }
            }
            4 if !ids.is_empty() => {
                let id = ids[rng.below(ids.len() as u64) as usize];
                let row = store.activity(id).await.unwrap().unwrap();
                let owner = store.assignment(row.assignment_id).await.unwrap().unwrap();
                let decision = match row.review_state.as_str() {
                    "rejected" => ReviewDecision::Resubmit,
                    "accepted" => ReviewDecision::Return,
                    _ if rng.below(2) == 0 => ReviewDecision::Accept,
                    _ => ReviewDecision::Return,
                };
                let result = store
                    .review_activities(&[id], decision, "Thiếu ảnh minh chứng", &by)
                    .await;
                if is_locked_month(owner.unit_id, row.occurred_on) {
                    assert!(is_locked(&result), "{what}: review in a locked month");
                    refusals += 1;
                } else {
                    result.unwrap();
                }
            }
            7 => {
                // Count only accepted activities, or all again: the figures follow at once.
                let accepted_only = store.plan_counting(f.plan_id).await.unwrap().accepted_only;
                store
                    .set_plan_counting(f.plan_id, Some(!accepted_only), None, &by)
                    .await
                    .unwrap();
                check_figures(db, store, f.plan_id, &format!("{what}: counting switched")).await;
            }
            5 => {
                // Submit and approve a month: it locks.
                let p = month(m);
                let _ = store
                    .period_action(f.plan_id, unit, &p, PeriodAction::Submit, "", top, &by)
                    .await;
                if store
                    .approve_period(f.plan_id, unit, &p, top, &by)
                    .await
                    .is_ok()
                {
                    let held = month_content(store, &unit_assignments, &p).await;
                    locked.insert((unit, m), held);
                }
            }
            _ => {
                // Reopen a locked month, with a reason.
                if let Some((&(u, mm), _)) = locked.iter().nth(rng.below(4) as usize) {
                    store
                        .period_action(
                            f.plan_id,
                            u,
                            &month(mm),
                            PeriodAction::Reopen,
                            "Bổ sung số liệu",
                            top,
                            &by,
                        )
                        .await
                        .unwrap();
                    locked.remove(&(u, mm));
                }
            }
        }
        for (&(u, mm), held) in &locked {
            assert_eq!(
                &month_content(store, &assignments[&u], &month(mm)).await,
                held,
                "{what}: locked month {mm} of unit {u} changed"
            );
        }
        if step % 10 == 9 {
            check_figures(db, store, f.plan_id, &what).await;
        }
    }
    check_figures(db, store, f.plan_id, &format!("seed {seed}, end")).await;
    assert!(
        refusals > 0 || locked.is_empty(),
        "seed {seed}: some write met a lock"
    );
    store.close().await;
}

/// An approved month of the station's, with one activity in it: (fixture, assignment, activity).
async fn locked_may(db: &common::TestDb) -> (PlanFixture, i64, i64) {
    let f = plan_without_activities(db).await;
    let by = Change::system("test");
    let assignment = f.assignment("1", f.station).await;
    let row = f
        .store
        .add_activity(
            &NewActivity {
                assignment_id: assignment,
                occurred_on: day("2024-05-06"),
                title: "Chuyên mục tháng 5".into(),
                quantity: 1.0,
                ..NewActivity::default()
            },
            &by,
        )
        .await
        .unwrap();
    let top = Approver { scope_root: None };
    f.store
        .period_action(
            f.plan_id,
            f.station,
            &month(5),
            PeriodAction::Submit,
            "Đủ 4 chương trình",
            top,
            &by,
        )
        .await
        .unwrap();
    let approved = f
        .store
        .approve_period(f.plan_id, f.station, &month(5), top, &by)
        .await
        .unwrap();
    assert_eq!(approved.state, "approved");
    (f, assignment, row.id)
}

on_both_backends! {
    async fn random_writes_reviews_and_approvals_keep_figures_and_locks(db: &common::TestDb) {
        random_sequence(db, 3).await;
    }

    async fn random_writes_reviews_and_approvals_another_sequence(db: &common::TestDb) {
        random_sequence(db, 17).await;
    }

    async fn counting_only_accepted_moves_the_figures_with_each_review(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let store = &f.store;
        let by = Change::system("test");
        let assignment = store
            .assignments_of_plan(f.plan_id)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.unit_id == f.station)
            .unwrap()
            .id;
        let achieved = || async {
            let tallies = store.tallies_of_plan(f.plan_id).await.unwrap();
            tallies.iter().map(|t| t.achieved).sum::<f64>()
        };
        let add = |title: &'static str| {
            let activity = NewActivity {
                assignment_id: assignment,
                occurred_on: day("2024-03-04"),
                title: title.into(),
                quantity: 1.0,
                ..NewActivity::default()
            };
            let by = by.clone();
            async move { store.add_activity(&activity, &by).await }
        };
        let counted = add("Trước khi đổi cách tính").await.unwrap();
        let before = achieved().await;
        assert!(before > 0.0, "by default every report counts");
        // Switching to "only accepted" takes the unreviewed report out at once, and back.
        let (status, _, err) = run_cli(
            db,
            &["plan", "set", &f.plan_id.to_string(), "--count", "accepted"],
        );
        assert_eq!(status, 0, "{err}");
        assert_eq!(achieved().await, 0.0, "a pending report no longer counts");
        let pending = add("Chờ xác nhận").await.unwrap();
        assert_eq!(achieved().await, 0.0, "a new report waits for its review");
        store
            .review_activities(&[counted.id, pending.id], ReviewDecision::Accept, "", &by)
            .await
            .unwrap();
        assert_eq!(achieved().await, 2.0 * before, "accepting both counts both");
        store
            .review_activities(&[pending.id], ReviewDecision::Return, "Thiếu ảnh", &by)
            .await
            .unwrap();
        assert_eq!(achieved().await, before, "a returned report is taken back");
        check_figures(db, store, f.plan_id, "only accepted").await;
        store
            .set_plan_counting(f.plan_id, Some(false), None, &by)
            .await
            .unwrap();
        assert_eq!(achieved().await, 2.0 * before, "counting all again");
        check_figures(db, store, f.plan_id, "all again").await;
        store.close().await;
    }

    async fn a_locked_month_refuses_the_api_and_the_cli(db: &common::TestDb) {
        let (f, assignment, activity) = locked_may(db).await;
        let code = {
            let unit = f.store.unit(f.station).await.unwrap().unwrap();
            unit.code
        };
        let plan = f.plan_id;
        f.store.close().await;
        // The CLI: exit 2, one line naming the lock.
        let (status, _, err) = run_cli(
            db,
            &["activity", "add", "--assignment", &assignment.to_string(), "--date", "2024-05-20", "--title", "Muộn"],
        );
        assert_eq!(status, 2, "{err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
        assert!(err.contains("2024-05") && err.contains("locked"), "{err}");
        let (status, _, err) = run_cli(db, &["activity", "review", &activity.to_string(), "--return", "Sai ngày"]);
        assert_eq!(status, 2, "{err}");
        let (status, _, err) = run_cli(db, &["activity", "delete", &activity.to_string()]);
        assert_eq!(status, 2, "{err}");
        // June is open.
        let (status, _, err) = run_cli(
            db,
            &["activity", "add", "--assignment", &assignment.to_string(), "--date", "2024-06-03", "--title", "Tháng 6"],
        );
        assert_eq!(status, 0, "{err}");
        // The API: 409 {"error"} naming the lock; reopening (with a reason) lets it through.
        let server = Server::start(&db.cli_args());
        let token = admin_token(&db.cli_args());
        let post = |date: &str| {
            http()
                .post(server.url(&format!("/api/v1/assignments/{assignment}/activities")))
                .bearer_auth(&token)
                .json(&json!({"date": date, "title": "Qua API"}))
                .send()
        };
        let refused = post("2024-05-21").await.unwrap();
        assert_eq!(refused.status(), 409);
        let body: Value = refused.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("2024-05"), "{body}");
        let patch = http()
            .patch(server.url(&format!("/api/v1/activities/{activity}")))
            .bearer_auth(&token)
            .json(&json!({"title": "Đổi tên"}))
            .send()
            .await
            .unwrap();
        assert_eq!(patch.status(), 409);
        let review = http()
            .post(server.url("/api/v1/reviews"))
            .bearer_auth(&token)
            .json(&json!({"activity_ids": [activity], "decision": "accept"}))
            .send()
            .await
            .unwrap();
        assert_eq!(review.status(), 409);
        // Reopening needs a reason.
        let periods = server.url(&format!("/api/v1/plans/{plan}/periods"));
        let no_reason = http()
            .post(&periods)
            .bearer_auth(&token)
            .json(&json!({"unit": code, "period": "2024-05", "action": "reopen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_reason.status(), 400);
        let reopened = http()
            .post(&periods)
            .bearer_auth(&token)
            .json(&json!({"unit": code, "period": "2024-05", "action": "reopen", "reason": "Bổ sung"}))
            .send()
            .await
            .unwrap();
        assert_eq!(reopened.status(), 200);
        assert_eq!(post("2024-05-21").await.unwrap().status(), 201);
        // The status, as the CLI prints it.
        let (status, out, err) = run_cli(db, &["period", "status", "--plan", &plan.to_string(), "--json"]);
        assert_eq!(status, 0, "{err}");
        let status: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(status["periods"][0]["state"], "reopened");
        assert_eq!(status["periods"][0]["reason"], "Bổ sung");
    }

    async fn review_moves_states_keeps_history_and_refuses_bad_input(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let by = Change::system("test");
        let assignment = f.assignment("1", f.station).await;
        let row = f
            .store
            .add_activity(
                &NewActivity {
                    assignment_id: assignment,
                    occurred_on: day("2024-03-04"),
                    title: "Chuyên mục".into(),
                    quantity: 1.0,
                    ..NewActivity::default()
                },
                &by,
            )
            .await
            .unwrap();
        let before = db.dump().await;
        // A return without a reason, a resubmission of a pending one, an unknown activity: refused,
        // nothing stored.
        for (ids, decision, reason) in [
            (vec![row.id], ReviewDecision::Return, "  "),
            (vec![row.id], ReviewDecision::Resubmit, ""),
            (vec![row.id, 999_999], ReviewDecision::Accept, ""),
        ] {
            assert!(f.store.review_activities(&ids, decision, reason, &by).await.is_err());
        }
        assert_eq!(before, db.dump().await, "a refused review stores nothing");
        f.store
            .review_activities(&[row.id], ReviewDecision::Return, "Thiếu đường dẫn", &by)
            .await
            .unwrap();
        let queue = f
            .store
            .review_queue(&kehoach::store::ReviewFilter {
                state: Some(kehoach_core::approval::ReviewState::Returned),
                limit: 10,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(queue.len(), 1);
        assert_eq!(queue[0].review_state, "returned");
        assert_eq!(queue[0].last_reason.as_deref(), Some("Thiếu đường dẫn"));
        f.store
            .review_activities(&[row.id], ReviewDecision::Resubmit, "", &by)
            .await
            .unwrap();
        f.store
            .review_activities(&[row.id], ReviewDecision::Accept, "", &by)
            .await
            .unwrap();
        let history: Vec<String> = f
            .store
            .review_history(row.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.state)
            .collect();
        assert_eq!(history, ["returned", "pending", "accepted"]);
        // The CLI: accept an accepted one is refused with one line (exit 2).
        f.store.close().await;
        let (status, _, err) = run_cli(db, &["activity", "review", &row.id.to_string(), "--accept"]);
        assert_eq!(status, 2, "{err}");
        // plan set: bounded.
        let plan = f.plan_id.to_string();
        let (status, _, _) = run_cli(db, &["plan", "set", &plan, "--auto-lock-days", "400"]);
        assert_eq!(status, 2);
        let (status, out, err) = run_cli(db, &["plan", "set", &plan, "--count", "accepted", "--auto-lock-days", "10"]);
        assert_eq!(status, 0, "{err}");
        let set: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(set["accepted_only"], true);
        assert_eq!(set["auto_lock_days"], 10);
        // With an automatic lock of 10 days, 2024 is long locked: a write is refused...
        let (status, _, err) = run_cli(
            db,
            &["activity", "add", "--assignment", &assignment.to_string(), "--date", "2024-03-05", "--title", "Muộn"],
        );
        assert_eq!(status, 2, "{err}");
        assert!(err.contains("automatically"), "{err}");
        // ...until the plan office grants the unit an exception running to today or later.
        let code = {
            let store = db.open().await;
            let code = store.unit(f.station).await.unwrap().unwrap().code;
            store.close().await;
            code
        };
        let until = (today_in_vietnam(chrono::Utc::now()) + Days::new(2)).to_string();
        let (status, _, err) = run_cli(db, &["period", "except", "--plan", &plan, "--unit", &code, "--until", &until]);
        assert_eq!(status, 0, "{err}");
        let (status, _, err) = run_cli(
            db,
            &["activity", "add", "--assignment", &assignment.to_string(), "--date", "2024-03-05", "--title", "Bổ sung"],
        );
        assert_eq!(status, 0, "{err}");
    }

    async fn approval_climbs_the_unit_tree(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let store = &f.store;
        let by = Change::system("test");
        // A province, a district under it and a commune under that, and a plan owned by the
        // province assigning the commune a task.
        let unit = |code: &str, kind: &str, parent: Option<i64>| kehoach::store::NewUnit {
            code: code.into(),
            name: format!("Đơn vị {code}"),
            kind: kind.into(),
            parent_id: parent,
            ..Default::default()
        };
        let province = store.create_unit(&unit("T90", "province", None), &by).await.unwrap().id;
        let district = store.create_unit(&unit("T90.H", "district", Some(province)), &by).await.unwrap().id;
        let commune = store.create_unit(&unit("T90.H.X", "commune", Some(district)), &by).await.unwrap().id;
        let plan = store
            .create_plan(
                &kehoach::store::NewPlan {
                    title: "Kế hoạch tỉnh".into(),
                    context_unit_id: Some(province),
                    period_from: Some(day("2024-01-01")),
                    period_to: Some(day("2024-12-31")),
                    grace_days: 7,
                    source_name: "p.txt".into(),
                    source_sha256: "00".into(),
                    extraction: json!({}),
                    tasks: vec![kehoach::store::NewTask {
                        reference: "1".into(),
                        title: "Loa truyền thanh".into(),
                        lead_text: "UBND xã".into(),
                        leads: vec![(commune, "exact".into())],
                        ..Default::default()
                    }],
                    ..Default::default()
                },
                &by,
            )
            .await
            .unwrap()
            .plan_id;
        let q2 = ReportPeriod::parse("2024-Q2").unwrap();
        let as_unit = |root| Approver { scope_root: Some(root) };
        store
            .period_action(plan, commune, &q2, PeriodAction::Submit, "Quý 2", as_unit(commune), &by)
            .await
            .unwrap();
        // The district approves first (one of two steps): locked already.
        let row = store.approve_period(plan, commune, &q2, as_unit(district), &by).await.unwrap();
        assert_eq!((row.state.as_str(), row.steps_done), ("approved", 1));
        assert_eq!(row.chain_ids(), vec![district, province]);
        assert!(!row.fully_approved());
        // The district cannot approve twice; the commune is not on its own chain.
        assert!(store.approve_period(plan, commune, &q2, as_unit(district), &by).await.is_err());
        assert!(store.approve_period(plan, commune, &q2, as_unit(commune), &by).await.is_err());
        let row = store.approve_period(plan, commune, &q2, as_unit(province), &by).await.unwrap();
        assert!(row.fully_approved());
        let assignment = store.assignments_of_plan(plan).await.unwrap()[0].id;
        let refused = store
            .add_activity(
                &NewActivity {
                    assignment_id: assignment,
                    occurred_on: day("2024-05-02"),
                    title: "Phát thanh".into(),
                    quantity: 1.0,
                    ..NewActivity::default()
                },
                &by,
            )
            .await;
        let Err(StoreError::Locked(lock)) = refused else {
            panic!("a write into an approved quarter: {refused:?}")
        };
        assert_eq!(lock.period, "2024-Q2");
        assert_eq!(lock.reopen_by, "Đơn vị T90");
        store.close().await;
    }
}
