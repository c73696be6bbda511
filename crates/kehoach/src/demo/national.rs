//! `kehoach demo --scale national`: a synthetic country for measuring kehoach at scale.
//!
//! The 34 provinces and 3,321 communes valid after the 2025 reform (already in the store), each
//! province's standard agencies plus every commune's radio station (Đài Truyền thanh xã), one
//! 2026 plan per province with [`TASKS`] (weekly items for every commune radio station,
//! monthly/quarterly items for departments and media, plan totals, deliverables with due dates,
//! one unmeasured task), and N activities dated from 1 January 2026 to [`as_of`], chronologically,
//! written through the store's real write path ([`Store::add_activities`]) in batches.
//!
//! Everything is deterministic given the seed: assignments, dates, quantities and the recording
//! delay of each activity (recorded 0–10 days after it happened, never after [`as_of`]'s
//! following day — the data describes 2026 as seen on the as-of date, whenever it is generated).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use kehoach_core::period::Per;
use kehoach_core::units::{AgencyCategory, Unit, UnitKind, agencies};

use crate::store::{Change, NewActivity, NewPlan, NewTarget, NewTask, Store, StoreError};

/// The plan year.
pub const YEAR: i32 = 2026;
/// Marks a database that holds the national demo.
pub const META_KEY: &str = "demo_national";

/// The last day activities are dated: the demo's "today", at which the bench evaluates.
pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, 11, 15).expect("valid date")
}

fn year_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, 1, 1).expect("valid date")
}

fn year_end() -> NaiveDate {
    NaiveDate::from_ymd_opt(YEAR, 12, 31).expect("valid date")
}

/// splitmix64: tiny, fast and good enough to spread synthetic data.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Who leads a demo task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// Every commune's radio station.
    CommuneRadio,
    /// The province's departments (Sở, Ban…).
    Departments,
    /// The province's media (newspaper, radio-TV station, portal).
    Media,
    /// The provincial Department of Science and Technology (the plan office).
    Science,
}

/// (ref, title, lead, targets, due month/day, activity weight per assignment)
type TaskDef = (
    &'static str,
    &'static str,
    Lead,
    &'static [(f64, Per, &'static str)],
    Option<(u32, u32)>,
    u32,
);

#[rustfmt::skip]
const TASKS: &[TaskDef] = &[
    ("1", "Phát sóng chuyên mục chuyển đổi số trên hệ thống truyền thanh cơ sở", Lead::CommuneRadio, &[(1.0, Per::Week, "chuyên mục")], None, 40),
    ("2", "Phát tin, bài về chuyển đổi số, Đề án 06 trên loa truyền thanh", Lead::CommuneRadio, &[(2.0, Per::Week, "tin, bài")], None, 70),
    ("3", "Tuyên truyền kỹ năng số trên trang mạng xã hội của xã", Lead::CommuneRadio, &[(4.0, Per::Month, "bài đăng")], None, 40),
    ("4", "Hướng dẫn người dân sử dụng dịch vụ công trực tuyến", Lead::CommuneRadio, &[(1.0, Per::Quarter, "buổi")], None, 6),
    ("5", "Cập nhật danh sách Tổ công nghệ số cộng đồng", Lead::CommuneRadio, &[], Some((3, 31)), 1),
    ("6", "Đăng tin, bài về chuyển đổi số trên cổng thông tin điện tử của ngành", Lead::Departments, &[(2.0, Per::Month, "tin, bài")], None, 30),
    ("7", "Báo cáo kết quả truyền thông chuyển đổi số hằng quý", Lead::Departments, &[(1.0, Per::Quarter, "báo cáo")], None, 5),
    ("8", "Tổ chức hội nghị, tập huấn chuyển đổi số cho cán bộ, công chức", Lead::Departments, &[(2.0, Per::Plan, "hội nghị")], None, 3),
    ("9", "Báo cáo sơ kết 6 tháng thực hiện kế hoạch", Lead::Departments, &[], Some((6, 30)), 1),
    ("10", "Báo cáo kết quả thực hiện kế hoạch năm 2026", Lead::Departments, &[], Some((11, 20)), 1),
    ("11", "Phối hợp cung cấp thông tin cho cơ quan báo chí", Lead::Departments, &[], None, 4),
    ("12", "Sản xuất, phát sóng chương trình chuyển đổi số trên truyền hình", Lead::Media, &[(1.0, Per::Week, "chương trình")], None, 60),
    ("13", "Đăng tải tin, bài chuyên mục chuyển đổi số", Lead::Media, &[(4.0, Per::Month, "tin, bài")], None, 60),
    ("14", "Sản xuất phóng sự chuyên đề về chuyển đổi số", Lead::Media, &[(12.0, Per::Plan, "phóng sự")], None, 14),
    ("15", "Xây dựng chuyên trang chuyển đổi số", Lead::Media, &[], Some((3, 31)), 1),
    ("16", "Tổ chức Ngày Chuyển đổi số tỉnh (10/10)", Lead::Science, &[], Some((10, 10)), 2),
    ("17", "Hướng dẫn, đôn đốc các đơn vị triển khai kế hoạch", Lead::Science, &[(1.0, Per::Month, "văn bản")], None, 16),
    ("18", "Tổ chức cuộc thi tìm hiểu về chuyển đổi số", Lead::Science, &[(1.0, Per::Plan, "cuộc thi")], None, 2),
    ("19", "Tổng hợp báo cáo UBND tỉnh, Bộ Khoa học và Công nghệ", Lead::Science, &[(1.0, Per::Quarter, "báo cáo")], None, 5),
    ("20", "Khảo sát mức độ nhận thức về chuyển đổi số của người dân", Lead::Science, &[(1.0, Per::Year, "khảo sát")], None, 1),
];

/// What building the demo made, and how fast it ingested.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Built {
    pub provinces: usize,
    pub communes: usize,
    pub units_added: usize,
    pub plans: usize,
    pub assignments: usize,
    pub activities: u64,
    pub batch: usize,
    pub setup_seconds: f64,
    pub ingest_seconds: f64,
    pub activities_per_second: f64,
}

/// Options of the national demo.
#[derive(Debug, Clone)]
pub struct Options {
    pub activities: u64,
    pub seed: u64,
    pub batch: usize,
}

/// One assignment activities are drawn for: its id, the task's weight, whether it completes a
/// deliverable, and the unit's diligence (how much of its share it actually does).
#[derive(Debug, Clone, Copy)]
struct Slot {
    assignment_id: i64,
    completes: bool,
    diligence: f64,
}

/// Builds the demo: agencies, plans, then activities. `progress(done, total, seconds)` is called
/// after each batch.
pub async fn build(
    store: &Store,
    options: &Options,
    mut progress: impl FnMut(u64, u64, f64),
) -> Result<Built, StoreError> {
    let started = Instant::now();
    let by = Change::system("demo");
    let on = year_start();
    let mut rng = SplitMix64::new(options.seed);
    let registry = store.registry().await?;

    // Units: each province's standard agencies, and each commune's radio station.
    let provinces: Vec<&Unit> = registry.of_kind(UnitKind::Province, on);
    let mut wanted: Vec<Unit> = Vec::new();
    let mut communes = 0;
    for province in &provinces {
        wanted.extend(agencies::standard_agencies(province, on));
        for unit in registry.descendants(&province.code, on) {
            if unit.kind == UnitKind::Commune {
                communes += 1;
                wanted.extend(
                    agencies::standard_agencies(unit, on)
                        .into_iter()
                        .filter(|a| a.code.ends_with(".DTT")),
                );
            }
        }
    }
    let units_added = store.insert_units(&wanted, &by).await?;
    let ids = store.unit_ids().await?;
    let id_of = |u: &Unit| ids.get(&(u.code.clone(), u.valid_from)).copied();
    let mut by_parent: HashMap<&str, Vec<&Unit>> = HashMap::new();
    for u in &wanted {
        if let Some(p) = u.parent_code.as_deref() {
            by_parent.entry(p).or_default().push(u);
        }
    }

    // Plans.
    let mut slots: Vec<(Slot, u32)> = Vec::new();
    let mut assignments = 0;
    for (i, province) in provinces.iter().enumerate() {
        let leads_of = |lead: Lead| -> Vec<i64> {
            let mut out: Vec<&Unit> = match lead {
                Lead::CommuneRadio => registry
                    .descendants(&province.code, on)
                    .into_iter()
                    .filter(|u| u.kind == UnitKind::Commune)
                    .flat_map(|c| by_parent.get(c.code.as_str()).cloned().unwrap_or_default())
                    .collect(),
                Lead::Departments => province_agencies(&by_parent, province)
                    .filter(|u| u.category == Some(AgencyCategory::Department))
                    .collect(),
                Lead::Media => province_agencies(&by_parent, province)
                    .filter(|u| u.category == Some(AgencyCategory::Media))
                    .collect(),
                Lead::Science => province_agencies(&by_parent, province)
                    .filter(|u| u.code.ends_with(".SKHCN"))
                    .collect(),
            };
            out.sort_by(|a, b| a.code.cmp(&b.code));
            out.into_iter().filter_map(id_of).collect()
        };
        let mut tasks = Vec::with_capacity(TASKS.len());
        for (reference, title, lead, targets, due, _) in TASKS {
            tasks.push(NewTask {
                reference: reference.to_string(),
                title: title.to_string(),
                content: String::new(),
                lead_text: format!("{lead:?}"),
                due: due.and_then(|(m, d)| NaiveDate::from_ymd_opt(YEAR, m, d)),
                targets: targets
                    .iter()
                    .map(|(count, per, noun)| NewTarget {
                        count: *count,
                        per: *per,
                        noun: noun.to_string(),
                    })
                    .collect(),
                leads: leads_of(*lead)
                    .into_iter()
                    .map(|id| (id, "demo".to_string()))
                    .collect(),
                ..NewTask::default()
            });
        }
        let number = format!("{}/KH-UBND", 100 + i);
        let plan = NewPlan {
            number: Some(number),
            title: format!(
                "Kế hoạch truyền thông chuyển đổi số năm {YEAR} của {}",
                province.name
            ),
            issuer: Some(format!("UBND {}", province.name)),
            issued_on: NaiveDate::from_ymd_opt(YEAR - 1, 12, 20),
            period_from: Some(year_start()),
            period_to: Some(year_end()),
            context_unit_id: id_of(province),
            grace_days: 7,
            source_name: "demo:national".into(),
            source_sha256: format!("demo-{}", options.seed),
            extraction: serde_json::json!({"demo": "national", "seed": options.seed}),
            tasks,
            ..NewPlan::default()
        };
        let created = store.create_plan(&plan, &by).await?;
        assignments += created.assignments;
        // Slots, in the order the assignments were made (task by task, unit by code).
        let stored = store.assignments_of_plan(created.plan_id).await?;
        let task_ids = store.tasks_of_plan(created.plan_id).await?;
        for a in stored {
            let Some(position) = task_ids.iter().position(|t| t.id == a.task_id) else {
                continue;
            };
            let (_, _, _, _, due, weight) = TASKS[position];
            // Diligence: most units do most of their share, some hardly anything.
            let r = rng.unit();
            let diligence = 1.0 - r * r * r;
            slots.push((
                Slot {
                    assignment_id: a.id,
                    completes: due.is_some(),
                    diligence,
                },
                weight,
            ));
        }
    }
    store
        .set_meta(
            META_KEY,
            &format!("seed={} activities={}", options.seed, options.activities),
        )
        .await?;
    let setup_seconds = started.elapsed().as_secs_f64();

    // Activities: a weighted draw of assignments (weights by task, scaled by diligence),
    // chronological dates over 1 January .. as_of.
    let cumulative: Vec<f64> = slots
        .iter()
        .scan(0.0, |acc, (slot, w)| {
            *acc += f64::from(*w) * slot.diligence;
            Some(*acc)
        })
        .collect();
    let total_weight = cumulative.last().copied().unwrap_or(0.0);
    let days = (as_of() - year_start()).num_days() as u64 + 1;
    let n = options.activities;
    let batch = options.batch.max(1);
    let ingest = Instant::now();
    let mut done = 0u64;
    let mut buffer: Vec<NewActivity> = Vec::with_capacity(batch);
    let now = Utc::now();
    while done < n && total_weight > 0.0 {
        buffer.clear();
        while buffer.len() < batch && done + (buffer.len() as u64) < n {
            let i = done + buffer.len() as u64;
            let day = i * days / n.max(1);
            let occurred = year_start() + Days::new(day);
            let x = rng.unit() * total_weight;
            let k = cumulative.partition_point(|&c| c <= x).min(slots.len() - 1);
            let slot = slots[k].0;
            let delay = rng.below(11);
            let recorded_on = (occurred + Days::new(delay)).min(as_of() + Days::new(1));
            let recorded_at = vietnam_noon(recorded_on).min(now);
            buffer.push(NewActivity {
                assignment_id: slot.assignment_id,
                occurred_on: occurred,
                kind: String::new(),
                title: format!("Hoạt động {}", i + 1),
                quantity: 1.0,
                completes: slot.completes,
                recorded_at: Some(recorded_at),
                ..NewActivity::default()
            });
        }
        store.add_activities(&buffer, &by).await?;
        done += buffer.len() as u64;
        progress(done, n, ingest.elapsed().as_secs_f64());
    }
    let ingest_seconds = ingest.elapsed().as_secs_f64();
    // A year of activities arrived in minutes: let the database catch up on what autovacuum
    // does over that year (statistics, visibility of old pages for index-only scans).
    store.after_bulk_load().await?;
    Ok(Built {
        provinces: provinces.len(),
        communes,
        units_added,
        plans: provinces.len(),
        assignments,
        activities: done,
        batch,
        setup_seconds,
        ingest_seconds,
        activities_per_second: done as f64 / ingest_seconds.max(1e-9),
    })
}

fn province_agencies<'a>(
    by_parent: &'a HashMap<&str, Vec<&'a Unit>>,
    province: &Unit,
) -> impl Iterator<Item = &'a Unit> {
    by_parent
        .get(province.code.as_str())
        .into_iter()
        .flatten()
        .copied()
}

/// Noon in Vietnam on `day`, as an instant.
fn vietnam_noon(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_hms_opt(12, 0, 0).expect("valid time");
    kehoach_core::period::vietnam_offset()
        .from_local_datetime(&local)
        .single()
        .expect("fixed offset")
        .with_timezone(&Utc)
}
