//! A 2024 plan with activities and evidence, for the export suites (report, spreadsheets,
//! evidence pack, calendar, reminders); the same plan without activities, for the tracking suite,
//! which logs its own.

use chrono::{NaiveDate, TimeZone, Utc};
use kehoach::files::FileStore;
use kehoach::store::{
    Change, NewActivity, NewEvidence, NewPlan, NewTarget, NewTask, NewUnit, Store,
};
use kehoach_core::period::Per;

pub fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub struct PlanFixture {
    pub store: Store,
    pub plan_id: i64,
    pub station: i64,
    pub newspaper: i64,
    pub district: i64,
    pub commune: i64,
}

/// Units: a provincial station, a newspaper, a district and a commune under it. Tasks: (1) a weekly
/// programme by the station and the newspaper, (2) a report due 15/11/2024 by the station and the
/// district, with a vague partner left unresolved, (3) 12 articles over the plan by the newspaper,
/// (4) an untargeted duty of the commune, (5) a training held on 10/10/2024 by the district. One
/// assignment per lead: 7. No activities yet.
pub async fn plan_without_activities(db: &super::TestDb) -> PlanFixture {
    let store = db.open().await;
    let by = Change::system("test");
    let unit = |code: &str, name: &str, parent: Option<i64>| NewUnit {
        code: code.into(),
        name: name.into(),
        kind: "agency".into(),
        parent_id: parent,
        ..NewUnit::default()
    };
    let station = store
        .create_unit(
            &unit("T49.DAI", "Đài Phát thanh và Truyền hình tỉnh", None),
            &by,
        )
        .await
        .unwrap()
        .id;
    let newspaper = store
        .create_unit(&unit("T49.BAO", "Báo Thử Nghiệm", None), &by)
        .await
        .unwrap()
        .id;
    let district = store
        .create_unit(&unit("T49.H1", "UBND huyện Sơn Hà", None), &by)
        .await
        .unwrap()
        .id;
    let commune = store
        .create_unit(&unit("T49.H1.X1", "UBND xã Sơn Thủy", Some(district)), &by)
        .await
        .unwrap()
        .id;
    let plan = NewPlan {
        number: Some("3604/KH-UBND".into()),
        title: "Kế hoạch Truyền thông chuyển đổi số năm 2024".into(),
        issuer: Some("UBND tỉnh Thử Nghiệm".into()),
        issued_on: Some(day("2024-01-15")),
        period_from: Some(day("2024-01-01")),
        period_to: Some(day("2024-12-31")),
        grace_days: 7,
        source_name: "plan.txt".into(),
        source_sha256: "00".into(),
        extraction: serde_json::json!({"schema": "kehoach.plan/1"}),
        // Cited twice, as documents do: storing the plan must not trip over the repeat.
        references: vec!["749/QĐ-TTg".into(), "749/QĐ-TTg".into()],
        tasks: vec![
            NewTask {
                reference: "1".into(),
                title: "Chuyên mục chuyển đổi số trên sóng và trên báo".into(),
                lead_text: "Đài PT-TH tỉnh; Báo Thử Nghiệm".into(),
                targets: vec![NewTarget {
                    count: 1.0,
                    per: Per::Week,
                    noun: "chương trình".into(),
                }],
                leads: vec![(station, "exact".into()), (newspaper, "exact".into())],
                ..NewTask::default()
            },
            NewTask {
                reference: "2".into(),
                title: "Báo cáo kết quả thực hiện".into(),
                lead_text: "Đài PT-TH tỉnh; UBND huyện Sơn Hà".into(),
                due: Some(day("2024-11-15")),
                leads: vec![(station, "exact".into()), (district, "exact".into())],
                unresolved: vec![(
                    "partner".into(),
                    "các cơ quan, đơn vị liên quan".into(),
                    "vague".into(),
                )],
                ..NewTask::default()
            },
            NewTask {
                reference: "3".into(),
                title: "Tin, bài về chuyển đổi số".into(),
                lead_text: "Báo Thử Nghiệm".into(),
                targets: vec![NewTarget {
                    count: 12.0,
                    per: Per::Plan,
                    noun: "tin, bài".into(),
                }],
                leads: vec![(newspaper, "exact".into())],
                ..NewTask::default()
            },
            NewTask {
                reference: "4".into(),
                title: "Tuyên truyền trên hệ thống loa truyền thanh cơ sở".into(),
                lead_text: "UBND xã Sơn Thủy".into(),
                leads: vec![(commune, "exact".into())],
                ..NewTask::default()
            },
            NewTask {
                reference: "5".into(),
                title: "Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10".into(),
                lead_text: "UBND huyện Sơn Hà".into(),
                window_from: Some(day("2024-10-01")),
                window_to: Some(day("2024-10-10")),
                due: Some(day("2024-10-10")),
                leads: vec![(district, "exact".into())],
                ..NewTask::default()
            },
        ],
        ..NewPlan::default()
    };
    let created = store.create_plan(&plan, &by).await.unwrap();
    assert_eq!((created.tasks, created.assignments), (5, 7));
    PlanFixture {
        store,
        plan_id: created.plan_id,
        station,
        newspaper,
        district,
        commune,
    }
}

/// [`plan_without_activities`], with a year of activities and evidence: the station's weekly
/// programme (but weeks 10 and 11), the newspaper's first 8 weeks, the report done on time, 5 of
/// the 12 articles, one duty logged, the training held.
pub async fn plan_fixture(db: &super::TestDb) -> PlanFixture {
    let f = plan_without_activities(db).await;
    let by = Change::system("test");
    let (station, newspaper, district, commune) = (f.station, f.newspaper, f.district, f.commune);
    // Where the server keeps them: the database on PostgreSQL, the data directory on SQLite.
    let files = FileStore::for_store(db.data_dir(), 1024 * 1024, &f.store)
        .await
        .unwrap();
    let photo = files
        .store_bytes("ảnh hiện trường.png", b"\x89PNG\r\n\x1a\nstation photo")
        .await
        .unwrap();
    let other_photo = files
        .store_bytes("ảnh hiện trường.png", b"\x89PNG\r\n\x1a\nanother photo")
        .await
        .unwrap();
    let minutes = files
        .store_bytes(
            "biên bản.pdf",
            b"%PDF-1.4\nminutes of the training\n%%EOF\n",
        )
        .await
        .unwrap();
    let recorded = |on: &str| Some(Utc.from_utc_datetime(&day(on).and_hms_opt(3, 0, 0).unwrap()));
    let station_weekly = f.assignment("1", station).await;
    let news_weekly = f.assignment("1", newspaper).await;
    let station_report = f.assignment("2", station).await;
    let news_total = f.assignment("3", newspaper).await;
    let commune_duty = f.assignment("4", commune).await;
    let training = f.assignment("5", district).await;
    let mut activities = Vec::new();
    // The station airs a programme every week of January to October 2024 but weeks 10 and 11,
    // each recorded the next day; the newspaper, only the first 8 weeks.
    let mut week = day("2024-01-03");
    let mut n = 0;
    while week <= day("2024-10-31") {
        n += 1;
        if n != 10 && n != 11 {
            activities.push(NewActivity {
                assignment_id: station_weekly,
                occurred_on: week,
                kind: "broadcast".into(),
                title: format!("Chuyên mục Chuyển đổi số số {n}"),
                quantity: 1.0,
                recorded_at: recorded(&(week + chrono::Days::new(1)).to_string()),
                evidence: if n == 1 {
                    vec![
                        NewEvidence::Url {
                            url: "https://example.vn/chuyen-muc/1".into(),
                        },
                        photo.evidence(),
                    ]
                } else {
                    Vec::new()
                },
                ..NewActivity::default()
            });
        }
        if n <= 8 {
            activities.push(NewActivity {
                assignment_id: news_weekly,
                occurred_on: week,
                title: format!("Trang chuyên đề số {n}"),
                quantity: 1.0,
                recorded_at: recorded(&(week + chrono::Days::new(2)).to_string()),
                evidence: if n == 2 {
                    vec![other_photo.evidence()]
                } else {
                    Vec::new()
                },
                ..NewActivity::default()
            });
        }
        week = week + chrono::Days::new(7);
    }
    activities.push(NewActivity {
        assignment_id: station_report,
        occurred_on: day("2024-11-10"),
        title: "Báo cáo kết quả gửi Sở".into(),
        quantity: 1.0,
        completes: true,
        recorded_at: recorded("2024-11-10"),
        ..NewActivity::default()
    });
    activities.push(NewActivity {
        assignment_id: news_total,
        occurred_on: day("2024-05-20"),
        title: "Loạt bài chuyển đổi số".into(),
        quantity: 5.0,
        recorded_at: recorded("2024-05-21"),
        evidence: vec![NewEvidence::Url {
            url: "https://example.vn/loat-bai".into(),
        }],
        ..NewActivity::default()
    });
    activities.push(NewActivity {
        assignment_id: commune_duty,
        occurred_on: day("2024-06-02"),
        title: "Phát thanh trên loa".into(),
        quantity: 1.0,
        recorded_at: recorded("2024-06-02"),
        ..NewActivity::default()
    });
    activities.push(NewActivity {
        assignment_id: training,
        occurred_on: day("2024-10-10"),
        title: "Tập huấn kỹ năng số".into(),
        quantity: 1.0,
        attendance: Some(120),
        completes: true,
        recorded_at: recorded("2024-10-11"),
        evidence: vec![minutes.evidence()],
        ..NewActivity::default()
    });
    f.store.add_activities(&activities, &by).await.unwrap();
    f
}

impl PlanFixture {
    pub async fn assignment(&self, task_ref: &str, unit_id: i64) -> i64 {
        let tasks = self.store.tasks_of_plan(self.plan_id).await.unwrap();
        let task = tasks.iter().find(|t| t.reference == task_ref).unwrap();
        self.store
            .assignments_of_plan(self.plan_id)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.task_id == task.id && a.unit_id == unit_id)
            .unwrap()
            .id
    }
}
