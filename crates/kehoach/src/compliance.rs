//! Compliance of a stored plan: reads the plan's tasks, targets, assignments and live tallies,
//! and lets the engine of `kehoach-core` evaluate them as of a date. No arithmetic here: this
//! module only gathers facts and shapes the answer.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use kehoach_core::compliance::{
    ActivitySummary, Aggregates, AssignmentSpec, Bucket, DEFAULT_GRACE_DAYS, DeadlineState, Tally,
    Target, TargetReport, Window, evaluate_assignment,
};
use kehoach_core::period::Per;
use serde::Serialize;

use crate::store::{AssignmentRow, AssignmentScope, PlanRow, Store, StoreError, TaskRow};

#[derive(Debug, Serialize)]
pub struct PlanCompliance {
    pub plan_id: i64,
    pub at: NaiveDate,
    /// Σ over every assignment shown: rates are Σ met ÷ Σ ended.
    pub summary: Summary,
    pub tasks: Vec<TaskCompliance>,
}

#[derive(Debug, Serialize)]
pub struct TaskCompliance {
    pub task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub due: Option<NaiveDate>,
    pub summary: Summary,
    pub assignments: Vec<AssignmentCompliance>,
}

#[derive(Debug, Serialize)]
pub struct AssignmentCompliance {
    pub assignment_id: i64,
    pub unit: UnitRef,
    /// One of the four official deadline states, or null when the task has no due date.
    pub state: Option<DeadlineState>,
    pub done_on: Option<NaiveDate>,
    pub activity_count: u64,
    pub last_activity_on: Option<NaiveDate>,
    pub targets: Vec<TargetReport>,
}

#[derive(Debug, Serialize)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub reporting_rate: Option<f64>,
    pub on_time_rate: Option<f64>,
    #[serde(flatten)]
    pub tally: Tally,
}

impl From<Tally> for Summary {
    fn from(tally: Tally) -> Self {
        Summary {
            reporting_rate: tally.reporting_rate(),
            on_time_rate: tally.on_time_rate(),
            tally,
        }
    }
}

/// The window a plan covers; a plan without a start is measured from the start of `at`'s year.
pub fn plan_window(plan: &PlanRow, at: NaiveDate) -> Window {
    let from = plan.period_from.unwrap_or_else(|| {
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&at), 1, 1).expect("1 January exists")
    });
    Window {
        from,
        to: plan.period_to,
    }
}

/// A task's own window within its plan's, as the engine measures it.
pub fn task_window(task: &TaskRow, plan: Window) -> Window {
    let own = task.window_from.map(|from| Window {
        from,
        to: task.window_to.or(plan.to),
    });
    Window::effective(own, plan)
}

/// Evaluates a plan as of `at`, for every assignment or only those of the units in `only_units`.
pub async fn plan_compliance(
    store: &Store,
    plan_id: i64,
    at: NaiveDate,
    only_units: Option<&HashSet<i64>>,
) -> Result<PlanCompliance, StoreError> {
    evaluate(store, plan_id, None, at, only_units).await
}

/// [`plan_compliance`] restricted to one task of the plan: the same report with only that task
/// (none when the plan has no such task). Only the task's assignments and tallies are read, so
/// the task page and a task's heatmap do not evaluate the whole plan.
pub async fn task_compliance(
    store: &Store,
    plan_id: i64,
    task_id: i64,
    at: NaiveDate,
    only_units: Option<&HashSet<i64>>,
) -> Result<PlanCompliance, StoreError> {
    evaluate(store, plan_id, Some(task_id), at, only_units).await
}

async fn evaluate(
    store: &Store,
    plan_id: i64,
    only_task: Option<i64>,
    at: NaiveDate,
    only_units: Option<&HashSet<i64>>,
) -> Result<PlanCompliance, StoreError> {
    let plan = store
        .plan(plan_id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
    let window = plan_window(&plan, at);
    let grace_days = u32::try_from(plan.grace_days).unwrap_or(DEFAULT_GRACE_DAYS);
    let mut tasks = store.tasks_of_plan(plan_id).await?;
    tasks.retain(|t| only_task.is_none_or(|id| t.id == id));
    // The filters go into the reads of assignments and tallies, the large ones: a unit's own
    // work or one task is a few rows of a plan's tens of thousands.
    let unit_list: Option<Vec<i64>> = only_units.map(|units| units.iter().copied().collect());
    let scope = AssignmentScope {
        task: only_task,
        units: unit_list.as_deref(),
    };

    let mut targets: HashMap<i64, Vec<Target>> = HashMap::new();
    for t in store.targets_of_plan(plan_id).await? {
        if only_task.is_some_and(|id| t.task_id != id) {
            continue;
        }
        if let Ok(per) = t.per.parse::<Per>() {
            targets.entry(t.task_id).or_default().push(Target {
                count: t.count,
                per,
                unit: t.noun,
            });
        }
    }
    let mut assignments: HashMap<i64, Vec<AssignmentRow>> = HashMap::new();
    for a in store.assignments_in(plan_id, scope).await? {
        if only_units.is_none_or(|units| units.contains(&a.unit_id)) {
            assignments.entry(a.task_id).or_default().push(a);
        }
    }
    let mut tallies: HashMap<i64, BTreeMap<Per, BTreeMap<NaiveDate, Bucket>>> = HashMap::new();
    for row in store.tallies_in(plan_id, scope).await? {
        if let Ok(per) = row.per.parse::<Per>() {
            tallies
                .entry(row.assignment_id)
                .or_default()
                .entry(per)
                .or_default()
                .insert(
                    row.period_start,
                    Bucket {
                        achieved: row.achieved,
                        on_time_achieved: row.achieved_on_time,
                    },
                );
        }
    }

    let mut plan_tally = Tally::default();
    let mut out_tasks = Vec::with_capacity(tasks.len());
    for task in tasks {
        let spec = AssignmentSpec {
            targets: targets.remove(&task.id).unwrap_or_default(),
            due: task.due,
            window: task_window(&task, window),
            grace_days,
        };
        let mut task_tally = Tally::default();
        let mut out_assignments = Vec::new();
        for a in assignments.remove(&task.id).unwrap_or_default() {
            let aggregates = Aggregates {
                buckets: tallies.remove(&a.id).unwrap_or_default(),
                done_on: a.done_on,
                activity: ActivitySummary {
                    count: u64::try_from(a.activity_count).unwrap_or(0),
                    last_on: a.last_activity_on,
                },
            };
            let report = evaluate_assignment(&spec, &aggregates, at);
            task_tally += report.tally();
            out_assignments.push(AssignmentCompliance {
                assignment_id: a.id,
                unit: UnitRef {
                    code: a.unit_code,
                    name: a.unit_name,
                },
                state: report.deadline,
                done_on: report.done_on,
                activity_count: report.activity_count,
                last_activity_on: report.last_activity_on,
                targets: report.targets,
            });
        }
        plan_tally += task_tally;
        out_tasks.push(TaskCompliance {
            task_id: task.id,
            reference: task.reference,
            title: task.title,
            due: task.due,
            summary: task_tally.into(),
            assignments: out_assignments,
        });
    }
    Ok(PlanCompliance {
        plan_id,
        at,
        summary: plan_tally.into(),
        tasks: out_tasks,
    })
}
