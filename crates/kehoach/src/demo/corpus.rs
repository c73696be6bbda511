//! The demo of `kehoach serve --demo`: the three plans of the corpus (Quảng Nam 2024, Tam Kỳ city
//! 2021–2025, Đắk Nông 2022) imported through the real importer, their provinces' agencies, demo
//! accounts, and deterministic activities spread so that every period status (met, partial,
//! missed, open, future) and each of the four deadline states shows on [`DEMO_TODAY`].
//!
//! The demo evaluates on 4 November 2024 (a Monday): inside the Quảng Nam plan's year, with one
//! deliverable already due (29/02/2024) and one due within 14 days (15/11/2024), Tam Kỳ's plan
//! running to 2025 (future periods), and the weeks of November still open.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use kehoach_core::compliance::PeriodStatus;
use kehoach_core::period::Per;

use crate::compliance::plan_compliance;
use crate::store::{Change, NewActivity, NewEvidence, Role, Store, StoreError};

/// The date the demo's pages evaluate on.
pub fn demo_today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 11, 4).expect("a valid date")
}

/// The corpus plans shipped with the binary: (file name, bytes).
pub const PLANS: [(&str, &[u8]); 3] = [
    (
        "quangnam-2024.txt",
        include_bytes!("plans/quangnam-2024.txt"),
    ),
    (
        "tamky-2021-2025.md",
        include_bytes!("plans/tamky-2021-2025.md"),
    ),
    ("daknong-2022.md", include_bytes!("plans/daknong-2022.md")),
];

/// The demo accounts' password (printed at start-up, shown on the sign-in page in demo mode).
pub const DEMO_PASSWORD: &str = "demo";

const BUILT_KEY: &str = "demo_corpus_built";

/// splitmix64: the same input gives the same choice on every run.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn hash(a: i64, b: i64) -> u64 {
    mix(mix(a as u64) ^ (b as u64))
}

/// When an activity was reported: a few days after it happened (some beyond the grace days, so
/// the on-time rate differs from the met rate), never after the demo's today.
fn recorded(occurred: NaiveDate, h: u64) -> chrono::DateTime<Utc> {
    let day = (occurred + chrono::Duration::days((h % 12) as i64)).min(demo_today());
    Utc.from_utc_datetime(&day.and_hms_opt(3, 0, 0).expect("a valid time"))
}

/// Builds the demo in `store` unless it is there already; returns the demo accounts
/// (username, what it is).
pub async fn build(store: &Store) -> anyhow::Result<Vec<(String, String)>> {
    let by = Change::system("demo");
    if store.meta(BUILT_KEY).await?.is_none() {
        let mut plan_ids = Vec::new();
        for (name, bytes) in PLANS {
            let imported = crate::import::import_plan(store, bytes, name, None, &by)
                .await
                .map_err(|e| anyhow::anyhow!("demo plan {name}: {e}"))?;
            plan_ids.push(imported.plan_id);
        }
        let commune = demo_commune(store, &plan_ids).await?;
        let activities = activities(store, &plan_ids, commune).await?;
        for chunk in activities.chunks(5_000) {
            store.add_activities(chunk, &by).await?;
        }
        create_users(store, commune, &by).await?;
        // Plans that implement plans (issue 22): the Tam Kỳ plan implements the Quảng Nam plan
        // (both carry out 3604/KH-UBND), so the province plan shows who has issued a plan and
        // the coverage of its tasks.
        if let [province, city, ..] = plan_ids[..] {
            crate::plan_links::link(store, city, province, &by)
                .await
                .map_err(|e| anyhow::anyhow!("demo plan link: {e}"))?;
        }
        // Budget cycle (issue 21): on the Quảng Nam plan.
        if let Some(&plan) = plan_ids.first() {
            super::budget::build(store, plan, &by).await?;
        }
        store.set_meta(BUILT_KEY, "1").await?;
    }
    accounts(store).await
}

/// The demo accounts as they are in the store.
async fn accounts(store: &Store) -> anyhow::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (name, what) in [
        ("quantri", "Quản trị hệ thống"),
        ("sotttt", "Cơ quan chủ trì kế hoạch"),
        ("daiptth", "Đơn vị báo cáo"),
        ("xa", "Đơn vị báo cáo cấp xã"),
        ("taichinh", "Cơ quan tài chính"),
    ] {
        if let Some(user) = store.user_by_name(name).await? {
            let unit = match user.unit_id {
                Some(id) => store.unit(id).await?.map(|u| u.name).unwrap_or_default(),
                None => String::new(),
            };
            let text = if unit.is_empty() {
                what.to_string()
            } else {
                format!("{what}: {unit}")
            };
            out.push((name.to_string(), text));
        }
    }
    Ok(out)
}

/// The unit of the `xa` account: a commune's people's committee with work in the Tam Kỳ city plan
/// (and so in the province's).
async fn demo_commune(store: &Store, plan_ids: &[i64]) -> Result<Option<i64>, StoreError> {
    let Some(&city_plan) = plan_ids.get(1) else {
        return Ok(None);
    };
    for a in store.assignments_of_plan(city_plan).await? {
        if let Some(u) = store.unit(a.unit_id).await?
            && let Some(parent) = u.parent_id
            && store
                .unit(parent)
                .await?
                .is_some_and(|p| p.kind == "commune")
        {
            return Ok(Some(u.id));
        }
    }
    Ok(None)
}

async fn create_users(store: &Store, commune: Option<i64>, by: &Change) -> anyhow::Result<()> {
    let hash = tokio::task::spawn_blocking(|| crate::auth::hash_password(DEMO_PASSWORD)).await??;
    let on = NaiveDate::from_ymd_opt(2024, 6, 1).expect("a valid date");
    let unit_id = |code: &'static str| async move {
        store.unit_by_code(code, on).await.map(|u| u.map(|u| u.id))
    };
    let office = unit_id("49.STTTT").await?;
    let station = unit_id("49.DPTTH").await?;
    let finance = unit_id("49.STC").await?;
    for (name, display, unit, role) in [
        ("quantri", "Quản trị", None, Role::Admin),
        ("sotttt", "Sở TT&TT Quảng Nam", office, Role::PlanOffice),
        ("daiptth", "Đài PT-TH Quảng Nam", station, Role::Reporter),
        ("xa", "Cán bộ xã", commune, Role::Reporter),
        ("taichinh", "Sở Tài chính Quảng Nam", finance, Role::Finance),
    ] {
        match store
            .create_user(name, display, unit, role, &hash, by)
            .await
        {
            Ok(_) | Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// The demo's activities, chosen per assignment and period by hash: some units report; of their
/// periods ended since July 2024 about 60 % are met, 20 % partial and 20 % missed; the current periods stay open. Deliverables are done on time, done late, or not
/// done (overdue or still within the deadline, by their due date).
async fn activities(
    store: &Store,
    plan_ids: &[i64],
    demo_commune: Option<i64>,
) -> Result<Vec<NewActivity>, StoreError> {
    let today = demo_today();
    // Periods before this stay missed: the demo shows who fell behind earlier in the year.
    let since = NaiveDate::from_ymd_opt(today.year(), 7, 1).expect("a valid date");
    let mut out = Vec::new();
    for &plan in plan_ids {
        // Which assignments report at all: every other provincial agency, one local unit (of a
        // district or commune) in twelve, and always the demo reporters' units.
        let mut reporting = std::collections::HashSet::new();
        for a in store.assignments_of_plan(plan).await? {
            let parent_kind = match store.unit(a.unit_id).await? {
                Some(u) => match u.parent_id {
                    Some(p) => store.unit(p).await?.map(|p| p.kind).unwrap_or_default(),
                    None => String::new(),
                },
                None => String::new(),
            };
            let local = parent_kind == "commune" || parent_kind == "district";
            let chosen = if local {
                hash(a.unit_id, 0).is_multiple_of(12)
            } else {
                hash(a.unit_id, 0).is_multiple_of(2)
            };
            if chosen || a.unit_code == "49.DPTTH" || Some(a.unit_id) == demo_commune {
                reporting.insert(a.id);
            }
        }
        let report = plan_compliance(store, plan, today, None).await?;
        for task in &report.tasks {
            for a in &task.assignments {
                let id = a.assignment_id;
                if !reporting.contains(&id) {
                    continue;
                }
                for target in &a.targets {
                    if target.per.is_recurring() {
                        for p in &target.periods {
                            if p.status != PeriodStatus::Missed || p.start < since {
                                continue;
                            }
                            let h = hash(id, p.start.num_days_from_ce() as i64);
                            let quantity = match h % 10 {
                                0..=5 => target.count,
                                6 | 7 if target.count >= 2.0 => (target.count - 1.0).floor(),
                                6 | 7 => 0.5,
                                _ => continue,
                            };
                            let occurred = p.start + chrono::Duration::days((h % 5) as i64);
                            let occurred = occurred.min(p.end);
                            out.push(activity(id, occurred, quantity, false, h, &target.unit));
                        }
                    } else if target.per == Per::Plan {
                        // A plan total: a few contributions spread over the year.
                        for month in 1..=today.month().saturating_sub(1) {
                            let h = hash(id, i64::from(month) + 1000);
                            if h.is_multiple_of(3) {
                                let day = NaiveDate::from_ymd_opt(today.year(), month, 10)
                                    .expect("a valid date");
                                let quantity = (target.count / 12.0).ceil().max(1.0);
                                out.push(activity(id, day, quantity, false, h, &target.unit));
                            }
                        }
                    }
                }
                if let Some(due) = task.due {
                    let h = hash(id, 7);
                    let done = match h % 4 {
                        0 => Some(due - chrono::Duration::days(10)),
                        1 => Some(due + chrono::Duration::days(20)).filter(|d| *d <= today),
                        _ => None,
                    };
                    if let Some(day) = done.filter(|d| *d <= today) {
                        out.push(activity(id, day, 1.0, true, h, "báo cáo"));
                    }
                }
            }
        }
    }
    Ok(out)
}

fn activity(
    assignment_id: i64,
    occurred_on: NaiveDate,
    quantity: f64,
    completes: bool,
    h: u64,
    noun: &str,
) -> NewActivity {
    NewActivity {
        assignment_id,
        occurred_on,
        kind: String::new(),
        title: format!(
            "{} ngày {}",
            capitalise(noun),
            occurred_on.format("%d/%m/%Y")
        ),
        quantity,
        completes,
        attendance: h.is_multiple_of(7).then_some(20 + (h % 80) as i64),
        evidence: vec![NewEvidence::Url {
            url: format!("https://example.gov.vn/tin-tuc/{assignment_id}-{occurred_on}"),
        }],
        recorded_at: Some(recorded(occurred_on, h >> 8)),
        ..NewActivity::default()
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => "Hoạt động".into(),
    }
}
