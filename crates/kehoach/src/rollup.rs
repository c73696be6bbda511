//! National roll-up and heatmaps from the roll-up aggregates (`store/rollups.rs`), for the
//! dashboards and the bench.
//!
//! Same semantics as [`crate::compliance::plan_compliance`] — the engine's period statuses, rates
//! as Σ met ÷ Σ ended, deadline states, paces — but counted per task × province from counters
//! the store keeps current with each activity, instead of evaluating every assignment's
//! tallies. `tests/rollup.rs` checks on both backends that the two agree.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kehoach_core::compliance::{
    Bucket, PeriodReport, PeriodStatus, Tally, Window, deadline_state, pace,
};
use kehoach_core::period::{Per, Period};
use serde::Serialize;

use crate::compliance::Summary;
use crate::store::{RollupData, RollupTaskRow, Store, StoreError};

/// Every plan's compliance on a date, per province and in total.
#[derive(Debug, Serialize)]
pub struct NationalRollup {
    pub at: NaiveDate,
    pub total: Summary,
    pub provinces: Vec<ProvinceRollup>,
}

#[derive(Debug, Serialize)]
pub struct ProvinceRollup {
    /// 0 for assignments of units under no province (central bodies).
    pub province_id: i64,
    pub code: String,
    pub name: String,
    pub summary: Summary,
}

/// The roll-up of every plan (`plan_id` 0) or one, per province, on date `at`.
pub async fn province_tallies(
    store: &Store,
    plan_id: i64,
    at: NaiveDate,
) -> Result<BTreeMap<i64, Tally>, StoreError> {
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for ((_, province), tally) in task_province_tallies(store, plan_id, at).await? {
        *out.entry(province).or_default() += tally;
    }
    Ok(out)
}

/// One plan's roll-up per task on date `at`: each task's summary over all its assignments, as
/// `compliance::plan_compliance` sums it, from the counters instead of every period of every
/// assignment. The plan overview and the task page use it when the caller sees the whole plan.
pub async fn task_tallies(
    store: &Store,
    plan_id: i64,
    at: NaiveDate,
) -> Result<BTreeMap<i64, Tally>, StoreError> {
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for ((task, _), tally) in task_province_tallies(store, plan_id, at).await? {
        *out.entry(task).or_default() += tally;
    }
    Ok(out)
}

/// Every plan's roll-up on date `at` (Σ over its tasks), by plan id, in one read of the
/// counters: the overview's headline per plan for a caller who sees every plan.
pub async fn plan_tallies(
    store: &Store,
    at: NaiveDate,
) -> Result<BTreeMap<i64, Tally>, StoreError> {
    let data = store.rollup_data(0, at).await?;
    let plan_of: HashMap<i64, i64> = data.tasks.iter().map(|t| (t.task_id, t.plan_id)).collect();
    let mut out: BTreeMap<i64, Tally> = BTreeMap::new();
    for ((task, _), tally) in tallies_of(store, &data, at).await? {
        if let Some(&plan) = plan_of.get(&task) {
            *out.entry(plan).or_default() += tally;
        }
    }
    Ok(out)
}

/// Per (task, province): the roll-up of every plan (`plan_id` 0) or one on date `at`.
async fn task_province_tallies(
    store: &Store,
    plan_id: i64,
    at: NaiveDate,
) -> Result<BTreeMap<(i64, i64), Tally>, StoreError> {
    let data = store.rollup_data(plan_id, at).await?;
    tallies_of(store, &data, at).await
}

async fn tallies_of(
    store: &Store,
    data: &RollupData,
    at: NaiveDate,
) -> Result<BTreeMap<(i64, i64), Tally>, StoreError> {
    let mut fallback: HashMap<i64, Vec<(i64, i64, f64, f64)>> = HashMap::new();
    for task in &data.tasks {
        let window = task_window(task, at);
        let has_open_total = data
            .targets
            .iter()
            .any(|t| t.task_id == task.task_id && t.per == "plan");
        if has_open_total && closed(task).is_none() {
            let span = window.span(Per::Plan, at);
            fallback.insert(
                task.task_id,
                store.plan_totals_over(task.task_id, span).await?,
            );
        }
    }
    Ok(evaluate(data, &fallback, at))
}

/// The national roll-up on `at`: per province (sorted by code) and the total, Σ over provinces.
pub async fn national_rollup(store: &Store, at: NaiveDate) -> Result<NationalRollup, StoreError> {
    let tallies = province_tallies(store, 0, at).await?;
    let names = store.province_names().await?;
    let mut total = Tally::default();
    let mut provinces = Vec::with_capacity(tallies.len());
    for (province_id, tally) in tallies {
        total += tally;
        let (code, name) = names
            .get(&province_id)
            .cloned()
            .unwrap_or_else(|| (String::new(), "Trung ương".to_string()));
        provinces.push(ProvinceRollup {
            province_id,
            code,
            name,
            summary: tally.into(),
        });
    }
    provinces.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(NationalRollup {
        at,
        total: total.into(),
        provinces,
    })
}

fn closed(task: &RollupTaskRow) -> Option<Period> {
    crate::store::closed_window(
        task.period_from,
        task.period_to,
        task.window_from,
        task.window_to,
    )
}

/// The effective window, as `compliance::plan_window` and `task_window` make it.
fn task_window(task: &RollupTaskRow, at: NaiveDate) -> Window {
    let plan = Window {
        from: task.period_from.unwrap_or_else(|| {
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&at), 1, 1).expect("1 January exists")
        }),
        to: task.period_to,
    };
    let own = task.window_from.map(|from| Window {
        from,
        to: task.window_to.or(plan.to),
    });
    Window::effective(own, plan)
}

/// `n` copies of `t`.
fn times(t: Tally, n: u64) -> Tally {
    let mut out = Tally::default();
    // Doubling keeps this O(log n) and exact for the integer sums plans count.
    let (mut base, mut n) = (t, n);
    while n > 0 {
        if n & 1 == 1 {
            out += base;
        }
        base += base;
        n >>= 1;
    }
    out
}

fn evaluate(
    data: &RollupData,
    fallback: &HashMap<i64, Vec<(i64, i64, f64, f64)>>,
    at: NaiveDate,
) -> BTreeMap<(i64, i64), Tally> {
    let mut out: BTreeMap<(i64, i64), Tally> = BTreeMap::new();
    // Assignments per (task, province).
    let mut sizes: HashMap<i64, Vec<(i64, u64)>> = HashMap::new();
    for u in &data.units {
        let n = u64::try_from(u.assignments).unwrap_or(0);
        let entry = out.entry((u.task_id, u.province_id)).or_default();
        entry.activity_count += u64::try_from(u.activities).unwrap_or(0);
        if n > 0 {
            sizes.entry(u.task_id).or_default().push((u.province_id, n));
        }
    }
    let mut periods: HashMap<(i64, i64), HashMap<NaiveDate, usize>> = HashMap::new();
    for (i, p) in data.periods.iter().enumerate() {
        periods
            .entry((p.target_id, p.province_id))
            .or_default()
            .insert(p.period_start, i);
    }
    let ended: HashMap<(i64, i64), usize> = data
        .ended
        .iter()
        .enumerate()
        .map(|(i, s)| ((s.target_id, s.province_id), i))
        .collect();
    let mut totals: HashMap<(i64, i64), Vec<(f64, f64)>> = HashMap::new();
    for t in &data.totals {
        totals
            .entry((t.target_id, t.province_id))
            .or_default()
            .push((t.achieved, t.achieved_on_time));
    }
    let mut done: HashMap<(i64, i64), Vec<(NaiveDate, u64)>> = HashMap::new();
    for d in &data.done {
        done.entry((d.task_id, d.province_id))
            .or_default()
            .push((d.done_on, u64::try_from(d.assignments).unwrap_or(0)));
    }
    let mut targets_of: HashMap<i64, Vec<_>> = HashMap::new();
    for t in &data.targets {
        if let Ok(per) = t.per.parse::<Per>() {
            targets_of
                .entry(t.task_id)
                .or_default()
                .push((t.id, per, t.count));
        }
    }
    let empty = HashMap::new();
    for task in &data.tasks {
        let Some(sizes) = sizes.get(&task.task_id) else {
            continue;
        };
        let window = task_window(task, at);
        for &(province, n) in sizes {
            let tally = out.entry((task.task_id, province)).or_default();
            for &(target_id, per, c) in targets_of.get(&task.task_id).into_iter().flatten() {
                let span = window.span(per, at);
                if per.is_recurring() {
                    let rows = periods.get(&(target_id, province)).unwrap_or(&empty);
                    let mut ended_periods = 0u64;
                    let (mut touched, mut met, mut on_time, mut achieved) = (0u64, 0u64, 0u64, 0.0);
                    if let Some(&i) = ended.get(&(target_id, province)) {
                        let s = &data.ended[i];
                        touched += u64::try_from(s.touched).unwrap_or(0);
                        met += u64::try_from(s.met).unwrap_or(0);
                        on_time += u64::try_from(s.met_on_time).unwrap_or(0);
                        achieved += s.achieved;
                    }
                    for p in Period::overlapping(per, span.start, span.end) {
                        let row = rows.get(&p.start).map(|&i| &data.periods[i]);
                        let count = |r: &crate::store::RollupPeriodRow| {
                            (
                                u64::try_from(r.touched).unwrap_or(0),
                                u64::try_from(r.met).unwrap_or(0),
                                u64::try_from(r.met_on_time).unwrap_or(0),
                                r.achieved,
                            )
                        };
                        if p.start > at {
                            tally.statuses.future += n;
                        } else if p.end >= at {
                            let m = row.map_or(0, |r| count(r).1);
                            tally.statuses.met += m;
                            tally.statuses.open += n.saturating_sub(m);
                        } else {
                            ended_periods += 1;
                            // Summed in the database unless it starts before the window.
                            if p.start < window.from
                                && let Some(r) = row
                            {
                                let (t, m, o, a) = count(r);
                                touched += t;
                                met += m;
                                on_time += o;
                                achieved += a;
                            }
                        }
                    }
                    let owed = n * ended_periods;
                    tally.ended += owed;
                    tally.met += met;
                    tally.on_time += on_time;
                    tally.expected_total += c * owed as f64;
                    tally.achieved_total += achieved;
                    tally.statuses.met += met;
                    tally.statuses.partial += touched.saturating_sub(met);
                    tally.statuses.missed += owed.saturating_sub(touched);
                } else {
                    // A plan total: one period, the window, per assignment.
                    let list: Vec<(f64, f64)> = match fallback.get(&task.task_id) {
                        Some(rows) => rows
                            .iter()
                            .filter(|r| r.1 == province)
                            .map(|r| (r.2, r.3))
                            .collect(),
                        None => totals
                            .get(&(target_id, province))
                            .cloned()
                            .unwrap_or_default(),
                    };
                    let zero = n.saturating_sub(list.len() as u64);
                    let mut add = |bucket: Bucket, k: u64| {
                        if k > 0 {
                            let mut one = Tally::of_period(&PeriodReport::new(span, c, bucket, at));
                            one.pace.count(pace(c, span, bucket.achieved, at).state);
                            *tally += times(one, k);
                        }
                    };
                    for (achieved, on_time_achieved) in list {
                        add(
                            Bucket {
                                achieved,
                                on_time_achieved,
                            },
                            1,
                        );
                    }
                    add(Bucket::default(), zero);
                }
            }
            if let Some(due) = task.due {
                let mut counted = 0;
                for &(on, k) in done.get(&(task.task_id, province)).into_iter().flatten() {
                    if on <= at {
                        counted += k;
                        for _ in 0..k {
                            tally.deadlines.count(deadline_state(due, Some(on), at));
                        }
                    }
                }
                for _ in 0..n.saturating_sub(counted) {
                    tally.deadlines.count(deadline_state(due, None, at));
                }
            }
        }
    }
    out
}

/// One province's units × periods for a task: the status of each cell.
#[derive(Debug, Serialize)]
pub struct Heatmap {
    pub task_id: i64,
    pub province_id: i64,
    pub at: NaiveDate,
    pub per: Per,
    pub count: f64,
    pub periods: Vec<Period>,
    pub rows: Vec<HeatmapRow>,
}

#[derive(Debug, Serialize)]
pub struct HeatmapRow {
    pub assignment_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub cells: Vec<PeriodStatus>,
}

/// The heatmap of a task's first recurring target in one province on `at`; `None` when the task
/// has no recurring target.
pub async fn province_heatmap(
    store: &Store,
    task_id: i64,
    province_id: i64,
    at: NaiveDate,
) -> Result<Option<Heatmap>, StoreError> {
    let Some((task, per, count)) = store.heatmap_task(task_id).await? else {
        return Ok(None);
    };
    let window = task_window(&task, at).span(per, at);
    let periods: Vec<Period> = Period::overlapping(per, window.start, window.end).collect();
    let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
        return Ok(None);
    };
    let cells = store
        .heatmap_rows(task_id, province_id, per, first.start, last.start)
        .await?;
    let index: HashMap<NaiveDate, usize> = periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.start, i))
        .collect();
    let mut achieved: Vec<f64> = vec![0.0; periods.len()];
    let rows = cells
        .into_iter()
        .map(|row| {
            achieved.iter_mut().for_each(|a| *a = 0.0);
            for (start, a) in row.cells() {
                if let Some(&i) = index.get(&start) {
                    achieved[i] = a;
                }
            }
            HeatmapRow {
                assignment_id: row.assignment_id,
                unit_code: row.unit_code,
                unit_name: row.unit_name,
                cells: periods
                    .iter()
                    .zip(&achieved)
                    .map(|(p, a)| kehoach_core::compliance::period_status(*p, count, *a, at))
                    .collect(),
            }
        })
        .collect();
    Ok(Some(Heatmap {
        task_id,
        province_id,
        at,
        per,
        count,
        periods,
        rows,
    }))
}
