//! Plans, assignments, activities and live compliance, on both backends.

use crate::common;

use common::fixture::{day, plan_without_activities};
use kehoach::compliance::plan_compliance;
use kehoach::store::{Change, NewActivity, NewEvidence, Store, StoreError};
use serde_json::Value;

fn activity(assignment_id: i64, on: &str) -> NewActivity {
    NewActivity {
        assignment_id,
        occurred_on: day(on),
        title: "Phát sóng chuyên mục".into(),
        quantity: 1.0,
        ..NewActivity::default()
    }
}

async fn compliance_json(store: &Store, plan_id: i64, at: &str) -> Value {
    serde_json::to_value(
        plan_compliance(store, plan_id, day(at), None)
            .await
            .unwrap(),
    )
    .unwrap()
}

fn weeks<'a>(json: &'a Value, task_ref: &str, unit_code: &str) -> &'a Vec<Value> {
    let task = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["ref"] == task_ref)
        .unwrap();
    let a = task["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["unit"]["code"] == unit_code)
        .unwrap();
    a["targets"][0]["periods"].as_array().unwrap()
}

on_both_backends! {
    async fn a_plan_is_stored_whole_with_one_assignment_per_lead(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let plans = f.store.plans().await.unwrap();
        assert_eq!(plans.len(), 1);
        assert_eq!(plans[0].number.as_deref(), Some("3604/KH-UBND"));
        let assignments = f.store.assignments_of_plan(f.plan_id).await.unwrap();
        assert_eq!(assignments.len(), 7);
        let unresolved = f.store.unresolved_of_plan(f.plan_id).await.unwrap();
        assert_eq!(unresolved.len(), 1);
        assert_eq!(unresolved[0].reason, "vague");
    }

    async fn weekly_periods_follow_the_activity_dates(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.station).await;
        let by = Change::system("test");
        // Week 1 (1–7 Jan 2024): one programme → met. Week 2: none → missed. Week 3: the current one.
        f.store.add_activity(&activity(station, "2024-01-03"), &by).await.unwrap();
        // Week 4 half done: a target of 1 with quantity 0.5 → partial once ended.
        f.store.add_activity(&NewActivity { quantity: 0.5, ..activity(station, "2024-01-23") }, &by).await.unwrap();
        let json = compliance_json(&f.store, f.plan_id, "2024-01-17").await;
        let w = weeks(&json, "1", "T49.DAI");
        // 52 ISO weeks of 2024, plus week 1 of 2025 (from Mon 30/12/2024), which overlaps the plan.
        assert_eq!(w.len(), 53, "every ISO week overlapping 2024");
        assert_eq!((w[0]["start"].as_str(), w[0]["status"].as_str()), (Some("2024-01-01"), Some("met")));
        assert_eq!(w[1]["status"], "missed");
        assert_eq!(w[2]["status"], "open");
        assert_eq!(w[3]["status"], "future");
        let later = compliance_json(&f.store, f.plan_id, "2024-02-01").await;
        assert_eq!(weeks(&later, "1", "T49.DAI")[3]["status"], "partial");
        // The other lead owes its own weeks: nothing logged → missed.
        assert_eq!(weeks(&later, "1", "T49.BAO")[0]["status"], "missed");
        // Reporting rate rolls up as Σ met ÷ Σ ended over both assignments (4 ended weeks each).
        let task = &later["tasks"][0];
        assert_eq!(task["summary"]["met"], 1);
        assert_eq!(task["summary"]["ended"], 8);
        assert_eq!(task["summary"]["reporting_rate"], 0.125);
        // Recorded today, long after the 2024 weeks plus grace: not on time.
        assert_eq!(task["assignments"][0]["targets"][0]["on_time_rate"], 0.0);
    }

    async fn a_deliverable_shows_each_official_state_on_its_dates(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let report = f.assignment("2", f.station).await;
        let state = |json: &Value| json["tasks"][1]["assignments"][0]["state"].as_str().unwrap().to_string();
        assert_eq!(state(&compliance_json(&f.store, f.plan_id, "2024-11-10").await), "not_done_within_deadline");
        assert_eq!(state(&compliance_json(&f.store, f.plan_id, "2024-11-20").await), "not_done_overdue");
        let by = Change::system("test");
        f.store.add_activity(&NewActivity { completes: true, ..activity(report, "2024-11-18") }, &by).await.unwrap();
        assert_eq!(state(&compliance_json(&f.store, f.plan_id, "2024-11-20").await), "done_late");
        // An earlier completing activity makes it done on time.
        f.store.add_activity(&NewActivity { completes: true, ..activity(report, "2024-11-14") }, &by).await.unwrap();
        assert_eq!(state(&compliance_json(&f.store, f.plan_id, "2024-11-20").await), "done_on_time");
        // A task with neither target nor due date: count and last date, no rate.
        let json = compliance_json(&f.store, f.plan_id, "2024-11-20").await;
        assert!(json["tasks"][3]["assignments"][0]["state"].is_null());
        assert_eq!(json["tasks"][1]["assignments"][0]["activity_count"], 2);
        assert_eq!(json["tasks"][1]["assignments"][0]["last_activity_on"], "2024-11-18");
    }

    async fn a_bad_batch_stores_nothing(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.station).await;
        let by = Change::system("test");
        let batch = vec![activity(station, "2024-01-03"), activity(station, "2024-01-10"), activity(999_999, "2024-01-10")];
        let err = f.store.add_activities(&batch, &by).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");
        assert!(f.store.activities_of_assignment(station).await.unwrap().is_empty());
        assert!(f.store.tallies_of_plan(f.plan_id).await.unwrap().is_empty(), "no aggregate moved");
        let ids = f.store.add_activities(&batch[..2], &by).await.unwrap();
        assert_eq!(ids.len(), 2);
        let a = f.store.assignment(station).await.unwrap().unwrap();
        assert_eq!(a.activity_count, 2);
    }

    async fn a_write_failing_inside_its_transaction_leaves_nothing_and_later_writes_succeed(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.station).await;
        let by = Change::system("test");
        // A reporter that does not exist fails the activity's insert (a foreign key): inside the
        // write's transaction, next to writes that must still succeed.
        let ghost = Change { user_id: Some(999_999), actor: "ghost".into() };
        let [a3, a4, a5] = ["2024-01-03", "2024-01-04", "2024-01-05"].map(|d| activity(station, d));
        let (bad, first, second) = tokio::join!(
            f.store.record_activity(&a3, &ghost),
            f.store.record_activity(&a4, &by),
            f.store.record_activity(&a5, &by),
        );
        assert!(bad.is_err(), "{bad:?}");
        first.unwrap();
        second.unwrap();
        // Every pooled connection is out of the failed transaction: writes and reads go on.
        for d in 8..=28 {
            f.store.record_activity(&activity(station, &format!("2024-01-{d:02}")), &by).await.unwrap();
            f.store.assignment(station).await.unwrap().unwrap();
        }
        let a = f.store.assignment(station).await.unwrap().unwrap();
        assert_eq!(a.activity_count, 23);
        assert_eq!(f.store.activities_of_assignment(station).await.unwrap().len(), 23);
        assert_eq!(f.store.audit_entries(Some("activity"), 50).await.unwrap().len(), 23, "no audit entry of the failed write");
        let at = day("2024-02-01");
        let live = format!("{:?}", f.store.rollup_data(f.plan_id, at).await.unwrap());
        f.store.rebuild_rollups().await.unwrap();
        assert_eq!(live, format!("{:?}", f.store.rollup_data(f.plan_id, at).await.unwrap()));
    }

    async fn evidence_is_kept_with_the_activity(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.newspaper).await;
        let by = Change::system("test");
        let row = f.store.add_activity(&NewActivity {
            evidence: vec![
                NewEvidence::Url { url: "https://baoquangnam.vn/bai-viet".into() },
                NewEvidence::File { sha256: "ab".repeat(32), file_name: "anh.jpg".into(), content_type: "image/jpeg".into(), size_bytes: 1234 },
            ],
            ..activity(station, "2024-03-05")
        }, &by).await.unwrap();
        let evidence = f.store.evidence_of_activity(row.id).await.unwrap();
        assert_eq!(evidence.len(), 2);
        assert_eq!(evidence[0].url.as_deref(), Some("https://baoquangnam.vn/bai-viet"));
        assert_eq!(evidence[1].size_bytes, Some(1234));
        let audit = f.store.audit_entries(Some("activity"), 5).await.unwrap();
        assert_eq!(audit.len(), 1);
    }

    async fn an_assignments_activities_are_read_by_dates_latest_first_and_bounded(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.newspaper).await;
        let by = Change::system("test");
        // One activity a day through March, every other one with a link.
        let batch: Vec<NewActivity> = (1..=31)
            .map(|d| NewActivity {
                evidence: if d % 2 == 0 {
                    vec![NewEvidence::Url { url: format!("https://example.vn/{d}") }]
                } else {
                    Vec::new()
                },
                ..activity(station, &format!("2024-03-{d:02}"))
            })
            .collect();
        f.store.add_activities(&batch, &by).await.unwrap();
        let dates = |rows: &[kehoach::store::ActivityRow]| -> Vec<String> {
            rows.iter().map(|r| r.occurred_on.to_string()).collect()
        };
        let week = f.store
            .activities_between(station, Some(day("2024-03-04")), Some(day("2024-03-10")), 100)
            .await
            .unwrap();
        assert_eq!(
            dates(&week),
            ["2024-03-10", "2024-03-09", "2024-03-08", "2024-03-07", "2024-03-06", "2024-03-05", "2024-03-04"]
        );
        let latest = f.store.activities_between(station, None, None, 3).await.unwrap();
        assert_eq!(dates(&latest), ["2024-03-31", "2024-03-30", "2024-03-29"]);
        let since = f.store.activities_between(station, Some(day("2024-03-30")), None, 100).await.unwrap();
        assert_eq!(dates(&since), ["2024-03-31", "2024-03-30"]);
        let until = f.store.activities_between(station, None, Some(day("2024-03-01")), 100).await.unwrap();
        assert_eq!(dates(&until), ["2024-03-01"]);
        // Evidence of the ones read, and only theirs.
        let ids: Vec<i64> = week.iter().map(|r| r.id).collect();
        let evidence = f.store.evidence_of_activities(&ids).await.unwrap();
        let urls: Vec<&str> = evidence.iter().filter_map(|e| e.url.as_deref()).collect();
        assert_eq!(urls, ["https://example.vn/4", "https://example.vn/6", "https://example.vn/8", "https://example.vn/10"]);
        assert!(f.store.evidence_of_activities(&[]).await.unwrap().is_empty());
    }

    async fn a_batch_hitting_one_tally_many_times_equals_one_by_one(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.station).await;
        let paper = f.assignment("1", f.newspaper).await;
        let by = Change::system("test");
        // The same dates for both units: many in one week, some late, some in other weeks.
        let dates = ["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-05", "2024-01-07", "2024-01-09", "2024-03-04", "2024-01-03"];
        let recorded = |i: usize| Some(chrono::TimeZone::from_utc_datetime(&chrono::Utc,
            &day(if i.is_multiple_of(3) { "2024-02-20" } else { "2024-01-10" }).and_hms_opt(3, 0, 0).unwrap()));
        let batch: Vec<NewActivity> = dates.iter().enumerate()
            .map(|(i, d)| NewActivity { quantity: 0.5 + i as f64 * 0.25, recorded_at: recorded(i), ..activity(station, d) })
            .collect();
        f.store.add_activities(&batch, &by).await.unwrap();
        for (i, d) in dates.iter().enumerate() {
            f.store.add_activity(&NewActivity { quantity: 0.5 + i as f64 * 0.25, recorded_at: recorded(i), ..activity(paper, d) }, &by).await.unwrap();
        }
        let tallies = f.store.tallies_of_plan(f.plan_id).await.unwrap();
        let of = |a: i64| {
            let mut t: Vec<_> = tallies.iter().filter(|t| t.assignment_id == a)
                .map(|t| (t.per.clone(), t.period_start, t.achieved, t.achieved_on_time)).collect();
            t.sort_by(|x, y| x.partial_cmp(y).unwrap());
            t
        };
        assert_eq!(of(station).len(), 3, "three weeks touched");
        assert_eq!(of(station), of(paper));
        let json = compliance_json(&f.store, f.plan_id, "2024-03-10").await;
        let assignments = &json["tasks"][0]["assignments"];
        assert_eq!(assignments[0]["targets"], assignments[1]["targets"]);
        assert_eq!(assignments[0]["activity_count"], 8);
        // The counters equal a rebuild from the tallies.
        let at = day("2024-03-10");
        let live = format!("{:?}", f.store.rollup_data(f.plan_id, at).await.unwrap());
        f.store.rebuild_rollups().await.unwrap();
        assert_eq!(live, format!("{:?}", f.store.rollup_data(f.plan_id, at).await.unwrap()));
    }

    async fn editing_and_deleting_moves_compliance_back(db: &common::TestDb) {
        let f = plan_without_activities(db).await;
        let station = f.assignment("1", f.station).await;
        let report = f.assignment("2", f.station).await;
        let by = Change::system("test");
        let aired = f.store.add_activity(&activity(station, "2024-01-03"), &by).await.unwrap();
        assert_eq!(weeks(&compliance_json(&f.store, f.plan_id, "2024-01-20").await, "1", "T49.DAI")[0]["status"], "met");
        // Moved to the next week: the first week is missed again, the second met.
        let moved = NewActivity { occurred_on: day("2024-01-10"), ..activity(station, "2024-01-10") };
        let row = f.store.update_activity(aired.id, &moved, &by).await.unwrap();
        assert_eq!(row.occurred_on, day("2024-01-10"));
        assert_eq!(row.recorded_at, aired.recorded_at, "when it was reported stays");
        let json = compliance_json(&f.store, f.plan_id, "2024-01-20").await;
        let w = weeks(&json, "1", "T49.DAI");
        assert_eq!((w[0]["status"].as_str(), w[1]["status"].as_str()), (Some("missed"), Some("met")));
        // A quantity below the weekly count: partial.
        let half = NewActivity { quantity: 0.5, ..moved.clone() };
        f.store.update_activity(aired.id, &half, &by).await.unwrap();
        assert_eq!(weeks(&compliance_json(&f.store, f.plan_id, "2024-01-20").await, "1", "T49.DAI")[1]["status"], "partial");

        // The deliverable: done on time, then the completing activity is removed.
        let state = |json: &Value| json["tasks"][1]["assignments"][0]["state"].as_str().unwrap().to_string();
        let done = f.store.add_activity(&NewActivity { completes: true, ..activity(report, "2024-11-14") }, &by).await.unwrap();
        assert_eq!(state(&compliance_json(&f.store, f.plan_id, "2024-11-20").await), "done_on_time");
        let late = NewActivity { completes: true, ..activity(report, "2024-11-18") };
        f.store.update_activity(done.id, &late, &by).await.unwrap();
        assert_eq!(state(&compliance_json(&f.store, f.plan_id, "2024-11-20").await), "done_late");
        let removed = f.store.delete_activity(done.id, &by).await.unwrap();
        assert_eq!(removed.id, done.id);
        let json = compliance_json(&f.store, f.plan_id, "2024-11-20").await;
        assert_eq!(state(&json), "not_done_overdue");
        assert_eq!(json["tasks"][1]["assignments"][0]["activity_count"], 0);
        assert!(f.store.activity(done.id).await.unwrap().is_none());
        let err = f.store.delete_activity(done.id, &by).await.unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{err:?}");

        // Every change is in the audit log, before → after.
        let audit = f.store.audit_entries(Some("activity"), 10).await.unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, ["delete", "update", "create", "update", "update", "create"]);
        let update = &audit[4];
        assert_eq!(update.before.as_ref().unwrap().0["occurred_on"], "2024-01-03");
        assert_eq!(update.after.as_ref().unwrap().0["occurred_on"], "2024-01-10");
        assert_eq!(audit[0].before.as_ref().unwrap().0["completes"], true);
        assert!(audit[0].after.is_none());
        // And the counters still equal a rebuild.
        let at = day("2024-11-20");
        let live = format!("{:?}", f.store.rollup_data(f.plan_id, at).await.unwrap());
        f.store.rebuild_rollups().await.unwrap();
        assert_eq!(live, format!("{:?}", f.store.rollup_data(f.plan_id, at).await.unwrap()));
    }
}
