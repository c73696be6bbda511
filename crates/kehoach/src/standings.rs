//! Who is behind on a plan: its units ranked by reporting rate and on-time rate (worst first,
//! with their counts), their overdue deliverables, and the plan's rate month by month — what the
//! overview page (`/overview`) shows a leader.
//!
//! Cheap at national scale: the ended periods are counted per target from the calendar (the same
//! for every assignment of a task), the met ones per unit by one `GROUP BY` per recurring target
//! over its period tallies (`store/standings.rs`), the trend from the roll-up counters; nothing
//! evaluates assignments period by period. The semantics are the engine's for recurring targets
//! (a period has ended when its last day is before the date; met when achieved ≥ the count; on
//! time when achieved by activities recorded in time ≥ the count), which `tests/web_flows.rs`
//! checks against `compliance::plan_compliance`.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use kehoach_core::period::{Per, Period};

use crate::compliance::{plan_window, task_window};
use crate::store::{AssignmentRow, PlanRow, Store, StoreError, TargetRow, TaskRow};

/// One unit's standing on a plan on a date (recurring targets' ended periods; deliverables).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnitStanding {
    pub unit_id: i64,
    pub name: String,
    /// Ended periods owed (every recurring target of every task assigned to the unit).
    pub ended: u64,
    /// Of those: with something recorded, met, met on time.
    pub touched: u64,
    pub met: u64,
    pub on_time: u64,
    /// Deliverables not done and overdue.
    pub overdue: u64,
    pub activities: u64,
}

impl UnitStanding {
    /// Met ÷ ended; `None` before any period has ended.
    pub fn rate(&self) -> Option<f64> {
        (self.ended > 0).then(|| self.met as f64 / self.ended as f64)
    }

    pub fn on_time_rate(&self) -> Option<f64> {
        (self.ended > 0).then(|| self.on_time as f64 / self.ended as f64)
    }

    /// Ended periods with nothing recorded.
    pub fn missed(&self) -> u64 {
        self.ended.saturating_sub(self.touched)
    }
}

/// The month (its first day) and the periods that ended in it: how many were owed, how many met.
#[derive(Debug, Clone, PartialEq)]
pub struct MonthPoint {
    pub month: NaiveDate,
    pub ended: u64,
    pub met: u64,
}

/// What the standings are computed from: the plan's tasks, targets and assignments.
pub struct PlanFacts {
    pub plan: PlanRow,
    pub tasks: Vec<TaskRow>,
    pub targets: Vec<TargetRow>,
    pub assignments: Vec<AssignmentRow>,
}

impl PlanFacts {
    pub async fn load(store: &Store, plan: PlanRow) -> Result<PlanFacts, StoreError> {
        Ok(PlanFacts {
            tasks: store.tasks_of_plan(plan.id).await?,
            targets: store.targets_of_plan(plan.id).await?,
            assignments: store.assignments_of_plan(plan.id).await?,
            plan,
        })
    }

    /// Each recurring target with the periods of its task's window that ended before `at`.
    fn ended_periods(&self, at: NaiveDate) -> Vec<(&TargetRow, Per, Vec<Period>)> {
        let plan = plan_window(&self.plan, at);
        let tasks: HashMap<i64, &TaskRow> = self.tasks.iter().map(|t| (t.id, t)).collect();
        self.targets
            .iter()
            .filter_map(|target| {
                let per: Per = target.per.parse().ok().filter(|p: &Per| p.is_recurring())?;
                let task = tasks.get(&target.task_id)?;
                let span = task_window(task, plan).span(per, at);
                let periods = Period::overlapping(per, span.start, span.end)
                    .take_while(|p| p.end < at)
                    .collect();
                Some((target, per, periods))
            })
            .collect()
    }
}

/// The units of the plan (those in `visible`, or all), worst first: lowest reporting rate, then
/// lowest on-time rate, then most overdue deliverables; units with nothing ended yet last.
pub async fn unit_standings(
    store: &Store,
    facts: &PlanFacts,
    at: NaiveDate,
    visible: Option<&HashSet<i64>>,
) -> Result<Vec<UnitStanding>, StoreError> {
    let ended = facts.ended_periods(at);
    let mut owed_per_task: HashMap<i64, u64> = HashMap::new();
    for (target, _, periods) in &ended {
        *owed_per_task.entry(target.task_id).or_default() += periods.len() as u64;
    }
    let mut units: HashMap<i64, UnitStanding> = HashMap::new();
    for a in &facts.assignments {
        if visible.is_some_and(|v| !v.contains(&a.unit_id)) {
            continue;
        }
        let unit = units.entry(a.unit_id).or_insert_with(|| UnitStanding {
            unit_id: a.unit_id,
            name: a.unit_name.clone(),
            ..UnitStanding::default()
        });
        unit.ended += owed_per_task.get(&a.task_id).copied().unwrap_or(0);
        unit.activities += u64::try_from(a.activity_count).unwrap_or(0);
    }
    for (target, per, periods) in &ended {
        let (Some(first), Some(last)) = (periods.first(), periods.last()) else {
            continue;
        };
        for row in store
            .unit_period_counts(
                target.task_id,
                per.as_str(),
                target.count,
                first.start,
                last.start,
            )
            .await?
        {
            if let Some(unit) = units.get_mut(&row.unit_id) {
                unit.touched += u64::try_from(row.touched).unwrap_or(0);
                unit.met += u64::try_from(row.met).unwrap_or(0);
                unit.on_time += u64::try_from(row.met_on_time).unwrap_or(0);
            }
        }
    }
    for (unit_id, n) in store.overdue_by_unit(facts.plan.id, at).await? {
        if let Some(unit) = units.get_mut(&unit_id) {
            unit.overdue += u64::try_from(n).unwrap_or(0);
        }
    }
    let mut out: Vec<UnitStanding> = units.into_values().collect();
    out.sort_by(|a, b| {
        let key = |u: &UnitStanding| (u.rate().is_none(), u.rate(), u.on_time_rate());
        let (a_none, a_rate, a_on_time) = key(a);
        let (b_none, b_rate, b_on_time) = key(b);
        a_none
            .cmp(&b_none)
            .then(cmp_rate(a_rate, b_rate))
            .then(cmp_rate(a_on_time, b_on_time))
            .then(b.overdue.cmp(&a.overdue))
            .then(a.name.cmp(&b.name))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    Ok(out)
}

fn cmp_rate(a: Option<f64>, b: Option<f64>) -> std::cmp::Ordering {
    a.unwrap_or(0.0).total_cmp(&b.unwrap_or(0.0))
}

/// The plan's reporting rate by the month its periods ended in, for the `months` months up to
/// `at`'s (oldest first; months in which no period ended are left out), from the roll-up
/// counters: every assignment of the plan.
pub async fn monthly_trend(
    store: &Store,
    facts: &PlanFacts,
    at: NaiveDate,
    months: u32,
) -> Result<Vec<MonthPoint>, StoreError> {
    let mut assigned: HashMap<i64, u64> = HashMap::new();
    for a in &facts.assignments {
        *assigned.entry(a.task_id).or_default() += 1;
    }
    let met: HashMap<(i64, NaiveDate), i64> = store
        .met_per_period(facts.plan.id)
        .await?
        .into_iter()
        .map(|(target, start, met)| ((target, start), met))
        .collect();
    let first_month = |d: NaiveDate| d.with_day(1).expect("day 1 exists");
    let this_month = first_month(at);
    let earliest = (0..months.saturating_sub(1)).fold(this_month, |m, _| {
        first_month(m - chrono::Duration::days(1))
    });
    let mut points: std::collections::BTreeMap<NaiveDate, MonthPoint> = Default::default();
    for (target, _, periods) in facts.ended_periods(at) {
        let n = assigned.get(&target.task_id).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        for p in periods {
            let month = first_month(p.end);
            if month < earliest {
                continue;
            }
            let point = points.entry(month).or_insert(MonthPoint {
                month,
                ended: 0,
                met: 0,
            });
            point.ended += n;
            point.met += met
                .get(&(target.id, p.start))
                .map_or(0, |&m| u64::try_from(m).unwrap_or(0));
        }
    }
    Ok(points.into_values().collect())
}
