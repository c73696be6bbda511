//! Latency of the national roll-up and a province heatmap on the demo data (median of runs),
//! and — on PostgreSQL — of the same figures computed by a plain SQL `GROUP BY` over the raw
//! activities, for comparison. Used by `cargo xtask bench` through `kehoach demo --measure`.

use std::time::Instant;

use chrono::NaiveDate;
use serde::Serialize;

use crate::rollup::{national_rollup, province_heatmap};
use crate::store::{Db, Store, StoreError};

/// Plain SQL roll-up over raw activities, PostgreSQL dialect: per province, ended recurring
/// periods met, met on time (recorded no later than 7 grace days after the period), and ended.
/// Assumes the demo's shape: every task runs over the plan year (`$2` = its first day, `$1` =
/// the evaluation date).
pub const PG_SQL_ROLLUP: &str = include_str!("rollup.sql");

/// Plain SQL heatmap cells: Σ quantity per assignment and week, for one task in one province.
pub const PG_SQL_HEATMAP: &str = include_str!("heatmap.sql");

#[derive(Debug, Serialize)]
pub struct Measured {
    pub backend: String,
    pub at: NaiveDate,
    pub runs: usize,
    pub activities: i64,
    pub rollup_ms: f64,
    pub heatmap_ms: f64,
    pub heatmap_task_id: i64,
    pub heatmap_province_id: i64,
    pub heatmap_rows: usize,
    pub heatmap_periods: usize,
    /// Σ over provinces from the fast roll-up: ended periods met, on time, ended.
    pub rollup_met: u64,
    pub rollup_on_time: u64,
    pub rollup_ended: u64,
    pub reporting_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    /// PostgreSQL only: the plain SQL figures.
    pub sql_rollup_ms: Option<f64>,
    pub sql_heatmap_ms: Option<f64>,
    pub sql_met: Option<i64>,
    pub sql_on_time: Option<i64>,
    pub sql_ended: Option<i64>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// The demo's heatmap subject: task "1" (weekly, every commune radio station) of the province
/// with the most commune stations.
pub async fn heatmap_subject(store: &Store) -> Result<Option<(i64, i64)>, StoreError> {
    let mut best: Option<(i64, i64, i64)> = None;
    for plan in store.plans().await? {
        let tasks = store.tasks_of_plan(plan.id).await?;
        let Some(task) = tasks.iter().find(|t| t.reference == "1") else {
            continue;
        };
        let data = store
            .rollup_data(plan.id, crate::demo::national::as_of())
            .await?;
        for u in data.units.iter().filter(|u| u.task_id == task.id) {
            if best.is_none_or(|b| u.assignments > b.2) {
                best = Some((task.id, u.province_id, u.assignments));
            }
        }
    }
    Ok(best.map(|(t, p, _)| (t, p)))
}

pub async fn measure(store: &Store, runs: usize) -> anyhow::Result<Measured> {
    let runs = runs.clamp(1, 1000);
    let at = crate::demo::national::as_of();
    let (task_id, province_id) = heatmap_subject(store)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no national demo in this database"))?;
    let activities: i64 = crate::store::on_pool!(store.db(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM activities")
            .fetch_one(pool)
            .await?
    });
    // One warm-up of each, then the timed runs.
    let mut rollup = national_rollup(store, at).await?;
    let mut heatmap = province_heatmap(store, task_id, province_id, at).await?;
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        rollup = national_rollup(store, at).await?;
        times.push(ms(t));
    }
    let rollup_ms = median(times);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        heatmap = province_heatmap(store, task_id, province_id, at).await?;
        times.push(ms(t));
    }
    let heatmap_ms = median(times);
    // Where the roll-up's time goes: reading the aggregates vs the rest.
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(store.rollup_data(0, at).await?);
        times.push(ms(t));
    }
    let rollup_read_ms = median(times);
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        std::hint::black_box(store.province_names().await?);
        times.push(ms(t));
    }
    let names_ms = median(times);
    eprintln!("measure: roll-up read {rollup_read_ms:.1} ms, province names {names_ms:.1} ms");
    let heatmap = heatmap.ok_or_else(|| anyhow::anyhow!("task {task_id} has no heatmap"))?;
    let mut out = Measured {
        backend: store.backend().to_string(),
        at,
        runs,
        activities,
        rollup_ms,
        heatmap_ms,
        heatmap_task_id: task_id,
        heatmap_province_id: province_id,
        heatmap_rows: heatmap.rows.len(),
        heatmap_periods: heatmap.periods.len(),
        rollup_met: rollup.total.tally.met,
        rollup_on_time: rollup.total.tally.on_time,
        rollup_ended: rollup.total.tally.ended,
        reporting_rate: rollup.total.reporting_rate,
        on_time_rate: rollup.total.on_time_rate,
        sql_rollup_ms: None,
        sql_heatmap_ms: None,
        sql_met: None,
        sql_on_time: None,
        sql_ended: None,
    };
    if let Db::Postgres(pool) = store.db() {
        let year_start =
            NaiveDate::from_ymd_opt(crate::demo::national::YEAR, 1, 1).expect("valid date");
        let mut times = Vec::with_capacity(runs);
        let mut rows: Vec<(i64, i64, i64, i64)> = Vec::new();
        for _ in 0..runs.min(10) {
            let t = Instant::now();
            rows = sqlx::query_as(PG_SQL_ROLLUP)
                .bind(at)
                .bind(year_start)
                .fetch_all(pool)
                .await?;
            times.push(ms(t));
        }
        out.sql_rollup_ms = Some(median(times));
        out.sql_met = Some(rows.iter().map(|r| r.1).sum());
        out.sql_on_time = Some(rows.iter().map(|r| r.2).sum());
        out.sql_ended = Some(rows.iter().map(|r| r.3).sum());
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let t = Instant::now();
            let cells: Vec<(i64, NaiveDate, f64)> = sqlx::query_as(PG_SQL_HEATMAP)
                .bind(task_id)
                .bind(province_id)
                .fetch_all(pool)
                .await?;
            std::hint::black_box(cells);
            times.push(ms(t));
        }
        out.sql_heatmap_ms = Some(median(times));
    }
    Ok(out)
}
