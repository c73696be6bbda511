//! Editing a plan after import (issue 19): a task's fields, targets, lead and partner units;
//! adding and removing a task; the plan's header; archiving the plan.
//!
//! Every change goes through [`Store::write_change`], one transaction per change that:
//! - locks the plan (PostgreSQL: its row; SQLite: the write lock of `BEGIN IMMEDIATE`) and
//!   refuses an archived plan;
//! - validates the edit against the plan's period (`plan_edit::validate`, pure);
//! - writes the task only if its version is still the one the edit was made against (an
//!   optimistic version: the later of two concurrent edits is refused, never overwrites);
//! - never deletes an activity, evidence or assignment: a removed lead's assignment (and a
//!   removed task's) is *closed* on the day, its activities and past figures kept;
//! - recomputes the figures of each task it touched from its raw activities
//!   ([`rebuild_task_figures`](Store::write_change)'s one block: period tallies when the task's
//!   target periods changed, assignment summaries, and every roll-up counter of the task, with
//!   the same statements as `Store::rebuild_rollups` limited to the task);
//! - adds one to `plans.revision` (what any cached copy of the plan's specs compares with) and
//!   appends the audit entry, before → after.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::compliance::{ActivityFact, increment};
use kehoach_core::period::{Per, today_in_vietnam};
use kehoach_core::text::fold;

use super::audit::record_audit;
use super::rollups::{
    Arg, PROVINCE_OF_UNIT, bind_args, closed_window, rows_per_statement, values_list,
};
use super::{Change, PlanCounting, StoreError, on_pool};
use crate::plan_edit::{
    EditError, HeaderFields, HeaderView, Problem, TargetView, TaskFields, TaskView, apply,
    apply_header, fields_changed, validate,
};

/// Why an edit was not made.
#[derive(Debug, thiserror::Error)]
pub enum PlanEditError {
    #[error("{0} not found")]
    NotFound(String),
    /// The edit itself is wrong: the field and why. Nothing was changed.
    #[error("{0}")]
    Invalid(#[from] EditError),
    /// The plan is archived: read-only.
    #[error("plan {0} is archived (read-only)")]
    Archived(i64),
    /// The task changed since the version the edit was made against.
    #[error("task {} was changed by someone else (now version {}): {}", .current.id, .current.version, .changed.join(", "))]
    Stale {
        current: Box<TaskView>,
        changed: Vec<&'static str>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for PlanEditError {
    fn from(e: sqlx::Error) -> Self {
        PlanEditError::Store(StoreError::Database(e))
    }
}

/// One change to a plan, as [`Store::write_change`] makes it.
#[derive(Clone, Copy)]
enum Edit<'a> {
    /// An edit of a task (`before`: as read), or a new task (`before` none).
    Task {
        before: Option<&'a TaskView>,
        fields: &'a TaskFields,
    },
    RemoveTask {
        before: &'a TaskView,
    },
    Header {
        fields: &'a HeaderFields,
    },
    Archive,
    /// What the plan counts (`count_mode`) and its automatic lock (`plans.auto_lock_days`).
    Counting {
        before: &'a PlanCounting,
        after: &'a PlanCounting,
    },
}

/// What a change made.
enum Written {
    Task(TaskView),
    Header(HeaderView),
    Archived,
    Counting,
    /// The task's version moved between reading it and locking it.
    Raced,
}

type TaskViewRow = (
    i64,
    i64,
    String,
    String,
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    i64,
);

const TASK_VIEW: &str = "SELECT id, plan_id, ref, title, content, window_from, window_to, due, \
     removed_on, version FROM tasks WHERE id = $1";
const TASK_TARGETS: &str =
    "SELECT count, per, noun FROM targets WHERE task_id = $1 ORDER BY position";
const TASK_LEADS: &str = "SELECT u.code FROM assignments a JOIN units u ON u.id = a.unit_id \
     WHERE a.task_id = $1 AND a.closed_on IS NULL ORDER BY u.code";
const TASK_PARTNERS: &str = "SELECT u.code FROM task_units t JOIN units u ON u.id = t.unit_id \
     WHERE t.task_id = $1 AND t.role = 'partner' ORDER BY u.code";
/// A plan's header as [`HEADER`] reads it.
type HeaderRow = (
    Option<String>,
    Option<NaiveDate>,
    String,
    Option<String>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

const HEADER: &str =
    "SELECT number, issued_on, title, issuer, period_from, period_to FROM plans WHERE id = $1";

/// A task's figures rebuilt from its assignments and their tallies: the statements of
/// `Store::rebuild_rollups`, limited to the task `$1`.
const TASK_COUNTERS: [&str; 8] = [
    "DELETE FROM rollup_units WHERE task_id = $1",
    "DELETE FROM rollup_done WHERE task_id = $1",
    "DELETE FROM rollup_periods WHERE target_id IN (SELECT id FROM targets WHERE task_id = $1)",
    "DELETE FROM rollup_totals WHERE target_id IN (SELECT id FROM targets WHERE task_id = $1)",
    "UPDATE assignments SET \
     activity_count = (SELECT COUNT(*) FROM activities v WHERE v.assignment_id = assignments.id), \
     last_activity_on = (SELECT MAX(occurred_on) FROM activities v WHERE v.assignment_id = assignments.id), \
     done_on = (SELECT MIN(occurred_on) FROM activities v WHERE v.assignment_id = assignments.id AND v.completes \
     AND (v.review_state = 'accepted' OR (SELECT p.count_mode FROM tasks k JOIN plans p ON p.id = k.plan_id \
     WHERE k.id = $1) <> 'accepted')) \
     WHERE task_id = $1",
    "INSERT INTO rollup_units (task_id, province_id, assignments, activities) \
     SELECT task_id, province_id, COUNT(*), SUM(activity_count) FROM assignments \
     WHERE task_id = $1 GROUP BY task_id, province_id",
    "INSERT INTO rollup_done (task_id, province_id, done_on, assignments) \
     SELECT task_id, province_id, done_on, COUNT(*) FROM assignments \
     WHERE task_id = $1 AND done_on IS NOT NULL GROUP BY task_id, province_id, done_on",
    "INSERT INTO rollup_periods (target_id, province_id, period_start, touched, met, met_on_time, achieved) \
     SELECT t.id, a.province_id, pt.period_start, \
     SUM(CASE WHEN pt.achieved > 0 THEN 1 ELSE 0 END), \
     SUM(CASE WHEN pt.achieved >= t.count THEN 1 ELSE 0 END), \
     SUM(CASE WHEN pt.achieved_on_time >= t.count THEN 1 ELSE 0 END), \
     SUM(pt.achieved) \
     FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
     JOIN targets t ON t.task_id = a.task_id AND t.per = pt.per \
     WHERE a.task_id = $1 AND t.per <> 'plan' GROUP BY t.id, a.province_id, pt.period_start",
];

/// The plan-total counters of one target over its closed window ($1 target, $2 task, $3..$4).
const TASK_TOTALS: &str = "INSERT INTO rollup_totals (target_id, assignment_id, province_id, achieved, achieved_on_time) \
     SELECT $1, a.id, a.province_id, SUM(pt.achieved), SUM(pt.achieved_on_time) \
     FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
     WHERE a.task_id = $2 AND pt.per = 'plan' AND pt.period_start >= $3 AND pt.period_start <= $4 \
     GROUP BY a.id, a.province_id";

fn task_view_of(
    row: TaskViewRow,
    targets: Vec<(f64, String, String)>,
    leads: Vec<String>,
    partners: Vec<String>,
) -> TaskView {
    let (id, plan_id, reference, title, content, window_from, window_to, due, removed_on, version) =
        row;
    TaskView {
        id,
        plan_id,
        reference,
        title,
        content,
        window_from,
        window_to,
        due,
        targets: targets
            .into_iter()
            .map(|(count, per, noun)| TargetView { count, per, noun })
            .collect(),
        leads,
        partners,
        removed_on,
        version,
    }
}

/// The distinct target periods of a task: what its tallies are kept for.
fn pers_of(targets: &[TargetView]) -> BTreeSet<String> {
    targets.iter().map(|t| t.per.clone()).collect()
}

impl super::Store {
    /// A task as edits see it.
    pub async fn task_view(&self, task_id: i64) -> Result<Option<TaskView>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            let row: Option<TaskViewRow> = sqlx::query_as(TASK_VIEW)
                .bind(task_id)
                .fetch_optional(pool)
                .await?;
            match row {
                None => None,
                Some(row) => {
                    let targets = sqlx::query_as(TASK_TARGETS)
                        .bind(task_id)
                        .fetch_all(pool)
                        .await?;
                    let leads = sqlx::query_scalar(TASK_LEADS)
                        .bind(task_id)
                        .fetch_all(pool)
                        .await?;
                    let partners = sqlx::query_scalar(TASK_PARTNERS)
                        .bind(task_id)
                        .fetch_all(pool)
                        .await?;
                    Some(task_view_of(row, targets, leads, partners))
                }
            }
        }))
    }

    /// A plan's revision: one more for every change to it (migration 0013).
    pub async fn plan_revision(&self, plan_id: i64) -> Result<i64, StoreError> {
        let row: Option<(i64,)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT revision FROM plans WHERE id = $1")
                .bind(plan_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| r.0)
            .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))
    }

    /// A task's closed assignments (leads removed): unit code, name, the day it was closed.
    pub async fn closed_assignments(
        &self,
        task_id: i64,
    ) -> Result<Vec<(String, String, NaiveDate)>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT u.code, u.name, a.closed_on FROM assignments a JOIN units u ON u.id = a.unit_id \
                 WHERE a.task_id = $1 AND a.closed_on IS NOT NULL ORDER BY u.code",
            )
            .bind(task_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The day a plan was archived, if it was; NotFound for no such plan.
    pub async fn plan_archived_on(&self, plan_id: i64) -> Result<Option<NaiveDate>, StoreError> {
        let row: Option<(Option<NaiveDate>,)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT archived_on FROM plans WHERE id = $1")
                .bind(plan_id)
                .fetch_optional(pool)
                .await?
        });
        row.map(|r| r.0)
            .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))
    }

    /// Edits a task (`expected`: the version the caller edited; `None` edits whatever is
    /// current). An edit that changes nothing writes nothing. On `on`, removed leads' assignments
    /// are closed.
    pub async fn edit_task(
        &self,
        task_id: i64,
        expected: Option<i64>,
        fields: &TaskFields,
        on: NaiveDate,
        by: &Change,
    ) -> Result<TaskView, PlanEditError> {
        // Without a version to hold to, a race with another edit is retried once on the
        // newer version; with one, it is the caller's 409.
        for _ in 0..2 {
            let before = self
                .task_view(task_id)
                .await?
                .ok_or_else(|| PlanEditError::NotFound(format!("task {task_id}")))?;
            if let Some(v) = expected
                && v != before.version
            {
                return Err(self.stale(before, v).await?);
            }
            let edit = Edit::Task {
                before: Some(&before),
                fields,
            };
            match self.write_change(before.plan_id, edit, on, by).await? {
                Written::Task(view) => return Ok(view),
                Written::Raced if expected.is_none() => continue,
                _ => {
                    let current = self
                        .task_view(task_id)
                        .await?
                        .ok_or_else(|| PlanEditError::NotFound(format!("task {task_id}")))?;
                    return Err(self.stale(current, before.version).await?);
                }
            }
        }
        Err(PlanEditError::Store(StoreError::Conflict(format!(
            "task {task_id} is being edited by someone else; try again"
        ))))
    }

    /// Adds a task by hand at the end of the plan; `fields` must hold its ref and title.
    pub async fn add_task(
        &self,
        plan_id: i64,
        fields: &TaskFields,
        on: NaiveDate,
        by: &Change,
    ) -> Result<TaskView, PlanEditError> {
        if fields.reference.is_none() {
            return Err(EditError {
                field: "ref".into(),
                problem: Problem::Empty,
            }
            .into());
        }
        if fields.title.is_none() {
            return Err(EditError {
                field: "title".into(),
                problem: Problem::Empty,
            }
            .into());
        }
        match self
            .write_change(
                plan_id,
                Edit::Task {
                    before: None,
                    fields,
                },
                on,
                by,
            )
            .await?
        {
            Written::Task(view) => Ok(view),
            _ => Err(StoreError::Invariant("adding a task wrote no task".into()).into()),
        }
    }

    /// Removes a task from the plan on `on`: the task and its assignments are closed, nothing is
    /// deleted (activities and past figures stay).
    pub async fn remove_task(
        &self,
        task_id: i64,
        on: NaiveDate,
        by: &Change,
    ) -> Result<TaskView, PlanEditError> {
        for _ in 0..2 {
            let before = self
                .task_view(task_id)
                .await?
                .ok_or_else(|| PlanEditError::NotFound(format!("task {task_id}")))?;
            if before.removed_on.is_some() {
                return Ok(before);
            }
            match self
                .write_change(before.plan_id, Edit::RemoveTask { before: &before }, on, by)
                .await?
            {
                Written::Task(view) => return Ok(view),
                _ => continue,
            }
        }
        Err(PlanEditError::Store(StoreError::Conflict(format!(
            "task {task_id} is being edited by someone else; try again"
        ))))
    }

    /// Edits a plan's header (number, date, title, issuer, period).
    pub async fn edit_plan_header(
        &self,
        plan_id: i64,
        fields: &HeaderFields,
        by: &Change,
    ) -> Result<HeaderView, PlanEditError> {
        let today = today_in_vietnam(Utc::now());
        match self
            .write_change(plan_id, Edit::Header { fields }, today, by)
            .await?
        {
            Written::Header(view) => Ok(view),
            _ => Err(StoreError::Invariant("a header edit wrote no header".into()).into()),
        }
    }

    /// Archives a plan on `on`: read-only from then on, out of "Việc của tôi", still in reports
    /// and search. Archiving an archived plan changes nothing.
    pub async fn archive_plan(
        &self,
        plan_id: i64,
        on: NaiveDate,
        by: &Change,
    ) -> Result<(), PlanEditError> {
        if self.plan_archived_on(plan_id).await?.is_some() {
            return Ok(());
        }
        self.write_change(plan_id, Edit::Archive, on, by).await?;
        Ok(())
    }

    /// Sets what a plan counts and its automatic lock (see `Store::set_plan_counting`): a
    /// change of what counts rebuilds the plan's figures in the same transaction.
    pub(super) async fn write_counting(
        &self,
        plan_id: i64,
        before: &PlanCounting,
        after: &PlanCounting,
        by: &Change,
    ) -> Result<(), PlanEditError> {
        let today = today_in_vietnam(Utc::now());
        self.write_change(plan_id, Edit::Counting { before, after }, today, by)
            .await?;
        Ok(())
    }

    /// The 409 of an edit made against `version` of a task now at `current`: what changed since,
    /// from the audit entry that left that version (none found: every field is named).
    async fn stale(&self, current: TaskView, version: i64) -> Result<PlanEditError, StoreError> {
        let befores: Vec<Option<sqlx::types::Json<TaskView>>> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT before FROM audit_log WHERE entity = 'task' AND entity_id = $1 \
                 AND before IS NOT NULL ORDER BY id",
            )
            .bind(current.id.to_string())
            .fetch_all(pool)
            .await?
        });
        let then = befores
            .into_iter()
            .flatten()
            .map(|j| j.0)
            .find(|v| v.version == version);
        let changed = match &then {
            Some(then) => fields_changed(then, &current),
            None => vec![
                "ref", "title", "content", "window", "due", "targets", "leads", "partners",
            ],
        };
        Ok(PlanEditError::Stale {
            current: Box::new(current),
            changed,
        })
    }

    /// The one transaction of every change to a plan (see the module's documentation).
    async fn write_change(
        &self,
        plan_id: i64,
        edit: Edit<'_>,
        on: NaiveDate,
        by: &Change,
    ) -> Result<Written, PlanEditError> {
        let postgres = self.backend() == super::Backend::Postgres;
        let (begin, lock) = if postgres {
            ("BEGIN", " FOR UPDATE")
        } else {
            ("BEGIN IMMEDIATE", "")
        };
        let marks = self.marks();
        let _turn = self.writer_turn().await;
        let written = on_pool!(self.db(), |pool| {
            let mut tx = pool.begin_with(begin).await?;
            let plan: Option<(Option<NaiveDate>, Option<NaiveDate>, Option<NaiveDate>)> =
                sqlx::query_as(&format!(
                    "SELECT period_from, period_to, archived_on FROM plans WHERE id = $1{lock}"
                ))
                .bind(plan_id)
                .fetch_optional(&mut *tx)
                .await?;
            let (period_from, period_to, archived_on) =
                plan.ok_or_else(|| PlanEditError::NotFound(format!("plan {plan_id}")))?;
            if archived_on.is_some() {
                return Err(PlanEditError::Archived(plan_id));
            }
            // Tasks whose figures must be rebuilt, and whether their tallies must be (their
            // target periods changed) or only the counters.
            let mut rebuild: Vec<(i64, bool)> = Vec::new();
            let (written, audit) = match edit {
                Edit::Archive => {
                    sqlx::query("UPDATE plans SET archived_on = $1 WHERE id = $2")
                        .bind(on)
                        .bind(plan_id)
                        .execute(&mut *tx)
                        .await?;
                    let audit = (
                        "archive",
                        "plan",
                        plan_id,
                        serde_json::json!({ "archived_on": null }),
                        serde_json::json!({ "archived_on": on }),
                    );
                    (Written::Archived, audit)
                }
                Edit::Counting { before, after } => {
                    sqlx::query(
                        "UPDATE plans SET count_mode = $1, auto_lock_days = $2 WHERE id = $3",
                    )
                    .bind(if after.accepted_only {
                        "accepted"
                    } else {
                        "all"
                    })
                    .bind(after.auto_lock_days.map(i64::from))
                    .bind(plan_id)
                    .execute(&mut *tx)
                    .await?;
                    if before.accepted_only != after.accepted_only {
                        // What counts changed: every task's figures, from its raw activities.
                        let tasks: Vec<i64> =
                            sqlx::query_scalar("SELECT id FROM tasks WHERE plan_id = $1")
                                .bind(plan_id)
                                .fetch_all(&mut *tx)
                                .await?;
                        rebuild.extend(tasks.into_iter().map(|t| (t, true)));
                    }
                    let audit = (
                        "update_counting",
                        "plan",
                        plan_id,
                        serde_json::json!(before),
                        serde_json::json!(after),
                    );
                    (Written::Counting, audit)
                }
                Edit::Header { fields } => {
                    let before: HeaderRow = sqlx::query_as(HEADER)
                        .bind(plan_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let before = HeaderView {
                        number: before.0,
                        issued_on: before.1,
                        title: before.2,
                        issuer: before.3,
                        period_from: before.4,
                        period_to: before.5,
                    };
                    let after = apply_header(&before, fields)?;
                    if after == before {
                        return Ok(Written::Header(before));
                    }
                    // A task's window must stay within the plan's period.
                    let outside: Option<String> = sqlx::query_scalar(
                        "SELECT ref FROM tasks WHERE plan_id = $1 AND removed_on IS NULL AND \
                         (($2 IS NOT NULL AND window_from < $2) OR ($3 IS NOT NULL AND window_to > $3)) \
                         ORDER BY position LIMIT 1",
                    )
                    .bind(plan_id)
                    .bind(after.period_from)
                    .bind(after.period_to)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(r) = outside {
                        return Err(EditError {
                            field: "period".into(),
                            problem: Problem::TaskOutside(r),
                        }
                        .into());
                    }
                    let search = fold(&format!(
                        "{} {}",
                        after.number.as_deref().unwrap_or(""),
                        after.title
                    ));
                    sqlx::query(
                        "UPDATE plans SET number = $1, issued_on = $2, title = $3, issuer = $4, \
                         period_from = $5, period_to = $6, search_text = $7 WHERE id = $8",
                    )
                    .bind(&after.number)
                    .bind(after.issued_on)
                    .bind(&after.title)
                    .bind(&after.issuer)
                    .bind(after.period_from)
                    .bind(after.period_to)
                    .bind(search)
                    .bind(plan_id)
                    .execute(&mut *tx)
                    .await?;
                    if (after.period_from, after.period_to)
                        != (before.period_from, before.period_to)
                    {
                        // The plan-total targets' windows follow the plan's period.
                        let tasks: Vec<i64> =
                            sqlx::query_scalar("SELECT id FROM tasks WHERE plan_id = $1")
                                .bind(plan_id)
                                .fetch_all(&mut *tx)
                                .await?;
                        rebuild.extend(tasks.into_iter().map(|t| (t, false)));
                    }
                    let audit = (
                        "update",
                        "plan",
                        plan_id,
                        serde_json::to_value(&before).unwrap_or_default(),
                        serde_json::to_value(&after).unwrap_or_default(),
                    );
                    (Written::Header(after), audit)
                }
                Edit::RemoveTask { before } => {
                    let moved = sqlx::query(
                        "UPDATE tasks SET removed_on = $1, version = version + 1 \
                         WHERE id = $2 AND version = $3",
                    )
                    .bind(on)
                    .bind(before.id)
                    .bind(before.version)
                    .execute(&mut *tx)
                    .await?;
                    if moved.rows_affected() == 0 {
                        return Ok(Written::Raced);
                    }
                    sqlx::query(
                        "UPDATE assignments SET closed_on = $1 WHERE task_id = $2 AND closed_on IS NULL",
                    )
                    .bind(on)
                    .bind(before.id)
                    .execute(&mut *tx)
                    .await?;
                    let mut after = before.clone();
                    after.removed_on = Some(on);
                    after.leads.clear();
                    after.version += 1;
                    let audit = (
                        "remove",
                        "task",
                        before.id,
                        serde_json::to_value(before).unwrap_or_default(),
                        serde_json::to_value(&after).unwrap_or_default(),
                    );
                    (Written::Task(after), audit)
                }
                Edit::Task { before, fields } => {
                    let clean = validate(fields, (period_from, period_to))?;
                    let (task_id, before, after) = match before {
                        Some(before) => {
                            if before.removed_on.is_some() {
                                return Err(EditError {
                                    field: "task".into(),
                                    problem: Problem::Removed(before.removed_on.unwrap_or(on)),
                                }
                                .into());
                            }
                            let after = apply(before, &clean);
                            if after == *before {
                                return Ok(Written::Task(after));
                            }
                            let moved = sqlx::query(
                                "UPDATE tasks SET ref = $1, title = $2, content = $3, window_from = $4, \
                                 window_to = $5, due = $6, search_text = $7, version = version + 1 \
                                 WHERE id = $8 AND version = $9",
                            )
                            .bind(&after.reference)
                            .bind(&after.title)
                            .bind(&after.content)
                            .bind(after.window_from)
                            .bind(after.window_to)
                            .bind(after.due)
                            .bind(fold(&format!("{} {}", after.reference, after.title)))
                            .bind(before.id)
                            .bind(before.version)
                            .execute(&mut *tx)
                            .await?;
                            if moved.rows_affected() == 0 {
                                return Ok(Written::Raced);
                            }
                            (before.id, Some(before.clone()), after)
                        }
                        None => {
                            let empty = TaskView {
                                id: 0,
                                plan_id,
                                reference: String::new(),
                                title: String::new(),
                                content: String::new(),
                                window_from: None,
                                window_to: None,
                                due: None,
                                targets: Vec::new(),
                                leads: Vec::new(),
                                partners: Vec::new(),
                                removed_on: None,
                                version: 0,
                            };
                            let mut after = apply(&empty, &clean);
                            after.version = 0;
                            let task_id: i64 = sqlx::query_scalar(
                                "INSERT INTO tasks (plan_id, position, ref, title, content, lead_text, \
                                 partner_text, window_from, window_to, due, search_text) \
                                 VALUES ($1, (SELECT COALESCE(MAX(position), -1) + 1 FROM tasks WHERE plan_id = $1), \
                                 $2, $3, $4, '', '', $5, $6, $7, $8) RETURNING id",
                            )
                            .bind(plan_id)
                            .bind(&after.reference)
                            .bind(&after.title)
                            .bind(&after.content)
                            .bind(after.window_from)
                            .bind(after.window_to)
                            .bind(after.due)
                            .bind(fold(&format!("{} {}", after.reference, after.title)))
                            .fetch_one(&mut *tx)
                            .await?;
                            after.id = task_id;
                            (task_id, None, after)
                        }
                    };
                    if postgres {
                        // Activity writers lock the assignment rows they write for: a tally
                        // rebuilt here cannot miss one committed meanwhile.
                        sqlx::query("SELECT id FROM assignments WHERE task_id = $1 FOR UPDATE")
                            .bind(task_id)
                            .execute(&mut *tx)
                            .await?;
                    }
                    if let Some(targets) = &clean.targets {
                        // In place by position, so a kept target keeps its id (and counters).
                        let ids: Vec<i64> = sqlx::query_scalar(
                            "SELECT id FROM targets WHERE task_id = $1 ORDER BY position",
                        )
                        .bind(task_id)
                        .fetch_all(&mut *tx)
                        .await?;
                        for (i, t) in targets.iter().enumerate() {
                            match ids.get(i) {
                                Some(id) => {
                                    sqlx::query(
                                        "UPDATE targets SET position = $1, count = $2, per = $3, noun = $4 WHERE id = $5",
                                    )
                                    .bind(i as i64)
                                    .bind(t.count)
                                    .bind(&t.per)
                                    .bind(&t.noun)
                                    .bind(id)
                                    .execute(&mut *tx)
                                    .await?;
                                }
                                None => {
                                    sqlx::query(
                                        "INSERT INTO targets (task_id, position, count, per, noun) VALUES ($1, $2, $3, $4, $5)",
                                    )
                                    .bind(task_id)
                                    .bind(i as i64)
                                    .bind(t.count)
                                    .bind(&t.per)
                                    .bind(&t.noun)
                                    .execute(&mut *tx)
                                    .await?;
                                }
                            }
                        }
                        for id in ids.iter().skip(targets.len()) {
                            sqlx::query("DELETE FROM targets WHERE id = $1")
                                .bind(id)
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                    if let Some(leads) = &clean.leads {
                        let existing: Vec<(i64, i64, Option<NaiveDate>)> = sqlx::query_as(
                            "SELECT id, unit_id, closed_on FROM assignments WHERE task_id = $1",
                        )
                        .bind(task_id)
                        .fetch_all(&mut *tx)
                        .await?;
                        let wanted: BTreeSet<i64> = leads.iter().map(|u| u.id).collect();
                        for (id, unit, closed) in &existing {
                            let change = match (wanted.contains(unit), closed) {
                                (true, Some(_)) => Some(None),
                                (false, None) => Some(Some(on)),
                                _ => None,
                            };
                            if let Some(closed_on) = change {
                                sqlx::query("UPDATE assignments SET closed_on = $1 WHERE id = $2")
                                    .bind(closed_on)
                                    .bind(id)
                                    .execute(&mut *tx)
                                    .await?;
                            }
                        }
                        for unit in &wanted {
                            if existing.iter().any(|(_, u, _)| u == unit) {
                                continue;
                            }
                            let province: Option<i64> = sqlx::query_scalar(PROVINCE_OF_UNIT)
                                .bind(unit)
                                .fetch_optional(&mut *tx)
                                .await?;
                            sqlx::query(
                                "INSERT INTO assignments (task_id, unit_id, province_id) VALUES ($1, $2, $3)",
                            )
                            .bind(task_id)
                            .bind(unit)
                            .bind(province.unwrap_or(0))
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    for (role, units) in [("lead", &clean.leads), ("partner", &clean.partners)] {
                        let Some(units) = units else { continue };
                        sqlx::query("DELETE FROM task_units WHERE task_id = $1 AND role = $2")
                            .bind(task_id)
                            .bind(role)
                            .execute(&mut *tx)
                            .await?;
                        for unit in units {
                            sqlx::query(
                                "INSERT INTO task_units (task_id, unit_id, role, match_kind) \
                                 VALUES ($1, $2, $3, 'manual')",
                            )
                            .bind(task_id)
                            .bind(unit.id)
                            .bind(role)
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                    let tallies = match &before {
                        Some(b) => pers_of(&b.targets) != pers_of(&after.targets),
                        None => true,
                    };
                    rebuild.push((task_id, tallies));
                    let audit = match before {
                        Some(b) => (
                            "update",
                            "task",
                            task_id,
                            serde_json::to_value(&b).unwrap_or_default(),
                            serde_json::to_value(&after).unwrap_or_default(),
                        ),
                        None => (
                            "create",
                            "task",
                            task_id,
                            serde_json::Value::Null,
                            serde_json::to_value(&after).unwrap_or_default(),
                        ),
                    };
                    (Written::Task(after), audit)
                }
            };

            // The figures of every task touched, from its raw activities.
            for (task_id, tallies) in rebuild {
                let spec: (
                    i64,
                    Option<NaiveDate>,
                    Option<NaiveDate>,
                    Option<NaiveDate>,
                    Option<NaiveDate>,
                ) = sqlx::query_as(
                    "SELECT p.grace_days, p.period_from, p.period_to, k.window_from, k.window_to \
                         FROM tasks k JOIN plans p ON p.id = k.plan_id WHERE k.id = $1",
                )
                .bind(task_id)
                .fetch_one(&mut *tx)
                .await?;
                let (grace, pf, pt, wf, wt) = spec;
                let targets: Vec<(i64, String)> = sqlx::query_as(
                    "SELECT id, per FROM targets WHERE task_id = $1 ORDER BY position",
                )
                .bind(task_id)
                .fetch_all(&mut *tx)
                .await?;
                if tallies {
                    sqlx::query(
                        "DELETE FROM period_tallies WHERE assignment_id IN \
                         (SELECT id FROM assignments WHERE task_id = $1)",
                    )
                    .bind(task_id)
                    .execute(&mut *tx)
                    .await?;
                    let pers: BTreeSet<Per> =
                        targets.iter().filter_map(|(_, p)| p.parse().ok()).collect();
                    let facts: Vec<(i64, NaiveDate, DateTime<Utc>, f64, bool)> = sqlx::query_as(
                        "SELECT v.assignment_id, v.occurred_on, v.recorded_at, v.quantity, v.completes \
                         FROM activities v JOIN assignments a ON a.id = v.assignment_id \
                         JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
                         WHERE a.task_id = $1 \
                         AND (p.count_mode <> 'accepted' OR v.review_state = 'accepted')",
                    )
                    .bind(task_id)
                    .fetch_all(&mut *tx)
                    .await?;
                    let grace = u32::try_from(grace).unwrap_or(0);
                    let mut sums: BTreeMap<(i64, Per, NaiveDate), (f64, f64)> = BTreeMap::new();
                    for (assignment, occurred_on, recorded_at, quantity, completes) in facts {
                        let fact = ActivityFact {
                            occurred_on,
                            recorded_on: today_in_vietnam(recorded_at),
                            quantity,
                            completes,
                        };
                        for per in &pers {
                            if let Some(inc) = increment(*per, grace, &fact) {
                                let s = sums
                                    .entry((assignment, *per, inc.period.start))
                                    .or_default();
                                s.0 += inc.bucket.achieved;
                                s.1 += inc.bucket.on_time_achieved;
                            }
                        }
                    }
                    let rows: Vec<_> = sums.into_iter().collect();
                    for chunk in rows.chunks(rows_per_statement(5)) {
                        let sql = format!(
                            "INSERT INTO period_tallies (assignment_id, per, period_start, achieved, \
                             achieved_on_time) VALUES {}",
                            values_list(chunk.len(), 5, marks)
                        );
                        let args: Vec<Arg> = chunk
                            .iter()
                            .flat_map(|((a, per, start), (achieved, on_time))| {
                                [
                                    Arg::I64(*a),
                                    Arg::Text(per.as_str().to_string()),
                                    Arg::Date(*start),
                                    Arg::F64(*achieved),
                                    Arg::F64(*on_time),
                                ]
                            })
                            .collect();
                        bind_args!(sqlx::query(&sql), &args)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
                for statement in TASK_COUNTERS {
                    sqlx::query(statement)
                        .bind(task_id)
                        .execute(&mut *tx)
                        .await?;
                }
                if let Some(window) = closed_window(pf, pt, wf, wt) {
                    for (target, _) in targets.iter().filter(|(_, per)| per == "plan") {
                        sqlx::query(TASK_TOTALS)
                            .bind(target)
                            .bind(task_id)
                            .bind(window.start)
                            .bind(window.end)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            }

            sqlx::query("UPDATE plans SET revision = revision + 1 WHERE id = $1")
                .bind(plan_id)
                .execute(&mut *tx)
                .await?;
            let (action, entity, id, before, after) = audit;
            let before = (!before.is_null()).then_some(before);
            record_audit(&mut *tx, by, action, entity, id, before, Some(after)).await?;
            tx.commit().await?;
            written
        });
        Ok(written)
    }
}
