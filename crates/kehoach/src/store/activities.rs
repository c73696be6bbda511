//! Activities: what a unit did for an assignment, with its evidence. Each write updates the
//! assignment's live aggregates (period tallies, done date, activity count) in the same
//! transaction, so every read of compliance is current.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::compliance::{ActivityFact, Bucket, Increment, increment};
use kehoach_core::period::{Per, Period, today_in_vietnam};
use kehoach_core::text::{fold, nfc};
use serde::{Deserialize, Serialize};

use super::audit::record_audit;
use super::rollups::{
    Arg, FoldedWrites, MAX_BINDS, Marks, RollupDeltas, RollupSpec, SpecTarget, bind_args,
    closed_window, execute_folded, flush_rollups, placeholders, rows_per_statement, snap,
    values_list,
};
use super::{Change, StoreError, on_pool};
use sqlx::{FromRow, Row};

mod one_statement;
mod spec_cache;
mod sqlite_group;
pub(super) use spec_cache::SpecCache;

#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    pub assignment_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
    pub quantity: f64,
    pub duration_minutes: Option<i64>,
    pub attendance: Option<i64>,
    /// Marks the deliverable of a task with a due date as done.
    pub completes: bool,
    pub note: String,
    pub evidence: Vec<NewEvidence>,
    /// When it was reported, for activities recorded elsewhere first (an import of last month's
    /// sheet, the demo); now when `None`. Decides on-time counting.
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum NewEvidence {
    Url {
        url: String,
    },
    /// A file already written to the content-addressed file store.
    File {
        sha256: String,
        file_name: String,
        content_type: String,
        size_bytes: i64,
    },
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ActivityRow {
    pub id: i64,
    pub assignment_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
    pub quantity: f64,
    pub duration_minutes: Option<i64>,
    pub attendance: Option<i64>,
    pub completes: bool,
    pub note: String,
    pub reported_by: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub review_state: String,
}

const ACTIVITY_COLUMNS: &str = "id, assignment_id, occurred_on, kind, title, quantity, \
    duration_minutes, attendance, completes, note, reported_by, recorded_at, review_state";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvidenceRow {
    pub id: i64,
    pub activity_id: i64,
    pub kind: String,
    pub url: Option<String>,
    pub sha256: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
}

/// One live aggregate row: an assignment's achieved quantity in one period.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TallyRow {
    pub assignment_id: i64,
    pub per: String,
    pub period_start: NaiveDate,
    pub achieved: f64,
    pub achieved_on_time: f64,
}

/// What the aggregates of one assignment depend on: its task's target periods, its plan's
/// grace, its done date so far, and where its roll-up counters are.
#[derive(Debug, Clone)]
pub(super) struct TallySpec {
    pers: Vec<Per>,
    grace_days: u32,
    done_on: Option<NaiveDate>,
    rollup: RollupSpec,
}

/// One row of the specs query: an assignment with one of its task's targets (none: NULLs).
type SpecRow = (
    i64,
    i64,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    i64,
    i64,
    Option<NaiveDate>,
    Option<i64>,
    Option<String>,
    Option<f64>,
);

/// The specs query for `n` assignment ids ($1..$n); `lock` is appended (PostgreSQL locks the
/// assignment rows, so concurrent writers to one assignment see each other's done date).
fn specs_sql(n: usize, lock: &str, marks: Marks) -> String {
    format!(
        "SELECT a.id, p.grace_days, p.period_from, p.period_to, k.window_from, k.window_to, k.id, \
         a.province_id, a.done_on, t.id, t.per, t.count \
         FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
         LEFT JOIN targets t ON t.task_id = k.id WHERE a.id IN ({}) ORDER BY a.id, t.position{lock}",
        placeholders(n, marks)
    )
}

/// Groups the rows of the specs query by assignment.
fn specs_from_rows(rows: Vec<SpecRow>) -> HashMap<i64, TallySpec> {
    let mut specs: HashMap<i64, TallySpec> = HashMap::new();
    for (id, grace, pf, pt, wf, wt, task_id, province_id, done_on, target, per, count) in rows {
        let spec = specs.entry(id).or_insert_with(|| TallySpec {
            pers: Vec::new(),
            grace_days: u32::try_from(grace).unwrap_or(0),
            done_on,
            rollup: RollupSpec {
                task_id,
                province_id,
                targets: Vec::new(),
                closed_window: closed_window(pf, pt, wf, wt),
            },
        });
        if let (Some(id), Some(per), Some(count)) = (target, per, count)
            && let Ok(per) = per.parse::<Per>()
        {
            spec.rollup.targets.push(SpecTarget { id, per, count });
            if !spec.pers.contains(&per) {
                spec.pers.push(per);
            }
        }
    }
    for spec in specs.values_mut() {
        spec.pers.sort();
    }
    specs
}

/// One activity's effect on the aggregates: added, or taken back (deleted, or the old side of an
/// edit).
struct FactChange {
    assignment_id: i64,
    fact: ActivityFact,
    removed: bool,
}

/// The summed change of every touched tally (assignment, per, period start) → (period, Σ
/// increments), computed by the engine's `increment()`; plan totals go straight to `rollups`
/// (they need no threshold). Summing first means a batch writes each tally once; the counters
/// stay exact because they depend only on a tally's value before and after.
fn sum_increments(
    specs: &HashMap<i64, TallySpec>,
    changes: &[FactChange],
    rollups: &mut RollupDeltas,
) -> BTreeMap<(i64, Per, NaiveDate), (Period, Bucket)> {
    let mut sums: BTreeMap<(i64, Per, NaiveDate), (Period, Bucket)> = BTreeMap::new();
    for change in changes {
        let spec = &specs[&change.assignment_id];
        for per in &spec.pers {
            let Some(mut inc) = increment(*per, spec.grace_days, &change.fact) else {
                continue;
            };
            if change.removed {
                inc = inc.reversed();
            }
            let sum = sums
                .entry((change.assignment_id, *per, inc.period.start))
                .or_insert((inc.period, Bucket::default()));
            sum.1 += inc.bucket;
            if !per.is_recurring() {
                rollups.total(&spec.rollup, change.assignment_id, &inc);
            }
        }
    }
    sums
}

/// Applies fact changes to `period_tallies` on `$tx` (one multi-row upsert per chunk, each
/// touched tally written once) and collects the roll-up counter moves into `$rollups`.
/// Tallies that fall back to nothing are removed.
macro_rules! apply_fact_changes {
    ($tx:expr, $specs:expr, $changes:expr, $rollups:expr, $marks:expr) => {{
        let marks: Marks = $marks;
        let specs: &HashMap<i64, TallySpec> = $specs;
        let rollups: &mut RollupDeltas = $rollups;
        let sums = sum_increments(specs, $changes, rollups);
        let keyed: Vec<_> = sums.iter().collect();
        let mut after: HashMap<TallyKey, (f64, f64)> = HashMap::with_capacity(keyed.len());
        for chunk in keyed.chunks(rows_per_statement(5)) {
            let sql = TALLY_UPSERT.replacen("{}", &values_list(chunk.len(), 5, marks), 1);
            let args: Vec<Arg> = chunk
                .iter()
                .flat_map(|(key, (_, bucket))| tally_args(key, bucket))
                .collect();
            for row in bind_args!(sqlx::query_as::<_, TallyReturned>(&sql), &args)
                .fetch_all(&mut *$tx)
                .await?
            {
                tally_after(row, &mut after);
            }
        }
        let emptied = tallies_moved(specs, &sums, &after, rollups)?;
        for chunk in emptied.chunks(rows_per_statement(3)) {
            let sql = TALLY_DELETE.replacen("{}", &values_list(chunk.len(), 3, marks), 1);
            let args: Vec<Arg> = chunk.iter().flat_map(tally_key_args).collect();
            bind_args!(sqlx::query(&sql), &args)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// Inserts the evidence of `$activities` on `$conn`, the i-th activity having the i-th id of
/// `$ids`; the evidence rows, by id.
macro_rules! insert_evidence {
    ($conn:expr, $ids:expr, $activities:expr, $marks:expr) => {{
        let activities: &[NewActivity] = $activities;
        let args: Vec<Arg> = $ids
            .zip(activities)
            .flat_map(|(id, a)| a.evidence.iter().flat_map(move |e| evidence_args(id, e)))
            .collect();
        let mut rows: Vec<EvidenceRow> = Vec::with_capacity(args.len() / 7);
        for chunk in args.chunks(rows_per_statement(7) * 7) {
            let sql = EVIDENCE_INSERT.replacen("{}", &values_list(chunk.len() / 7, 7, $marks), 1);
            rows.extend(
                bind_args!(sqlx::query_as::<_, EvidenceRow>(&sql), chunk)
                    .fetch_all(&mut *$conn)
                    .await?,
            );
        }
        rows.sort_unstable_by_key(|e| e.id);
        rows
    }};
}
use insert_evidence;

/// Reads the specs of `$ids` on `$tx`, one query per 10,000 ids; NotFound for a missing one.
macro_rules! load_specs {
    ($tx:expr, $ids:expr, $lock:expr, $marks:expr) => {{
        let ids: &[i64] = $ids;
        let mut rows: Vec<SpecRow> = Vec::new();
        for chunk in ids.chunks(MAX_BINDS / 3) {
            let sql = specs_sql(chunk.len(), $lock, $marks);
            let mut q = sqlx::query_as::<_, SpecRow>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            rows.extend(q.fetch_all(&mut *$tx).await?);
        }
        let specs = specs_from_rows(rows);
        if let Some(missing) = ids.iter().find(|id| !specs.contains_key(id)) {
            return Err(StoreError::NotFound(format!("assignment {missing}")));
        }
        specs
    }};
}

/// Recomputes one assignment's summary (activity count, last date, done date) from its
/// activities after an edit or deletion, and moves the done counters. The activity count's
/// roll-up moves by `$removed_activities`.
macro_rules! refresh_summary {
    ($tx:expr, $spec:expr, $assignment:expr, $rollups:expr, $removed:expr) => {{
        let spec: &TallySpec = $spec;
        let done: Option<NaiveDate> = sqlx::query_scalar(
            "UPDATE assignments SET \
             activity_count = (SELECT COUNT(*) FROM activities WHERE assignment_id = $1), \
             last_activity_on = (SELECT MAX(occurred_on) FROM activities WHERE assignment_id = $1), \
             done_on = (SELECT MIN(occurred_on) FROM activities WHERE assignment_id = $1 AND completes) \
             WHERE id = $1 RETURNING done_on",
        )
        .bind($assignment)
        .fetch_one(&mut *$tx)
        .await?;
        let rollups: &mut RollupDeltas = $rollups;
        rollups.done(&spec.rollup, spec.done_on, done);
        if $removed != 0 {
            rollups.activities(&spec.rollup, -$removed);
        }
    }};
}

/// How each assignment's summary takes its new activities, from `v (v_id, v_added, v_last,
/// v_done)`.
macro_rules! summary_set {
    () => {
        "UPDATE assignments SET activity_count = activity_count + v_added, \
         last_activity_on = CASE WHEN last_activity_on IS NULL OR last_activity_on < v_last \
         THEN v_last ELSE last_activity_on END, \
         done_on = CASE WHEN v_done IS NOT NULL AND (done_on IS NULL OR done_on > v_done) \
         THEN v_done ELSE done_on END "
    };
}

/// Adds each assignment's new activities to its summary (`{}`: the VALUES list of (id, added,
/// last date, done date)). Both backends run it.
const SUMMARY_UPDATE: &str = concat!(
    "WITH v (v_id, v_added, v_last, v_done) AS (VALUES {}) ",
    summary_set!(),
    "FROM v WHERE id = v_id"
);

/// The same inside PostgreSQL's folded write, which takes no WITH inside a CTE (SQLite names a
/// VALUES list's columns only in a WITH).
const SUMMARY_UPDATE_IN_CTE: &str = concat!(
    summary_set!(),
    "FROM (VALUES {}) AS v (v_id, v_added, v_last, v_done) WHERE id = v_id"
);

/// At most this many concurrent API activities are written in one transaction.
const MAX_GROUP: usize = 64;

/// An activity waiting for its group's transaction, and where its caller waits for the answer.
#[derive(Debug)]
pub(super) struct PendingWrite {
    activity: NewActivity,
    by: Change,
    answer: tokio::sync::oneshot::Sender<Result<(ActivityRow, Vec<EvidenceRow>), StoreError>>,
}

/// The one row of a one-activity write.
fn one_row(
    (mut rows, evidence): (Vec<ActivityRow>, Vec<EvidenceRow>),
) -> Result<(ActivityRow, Vec<EvidenceRow>), StoreError> {
    let row = rows
        .pop()
        .ok_or_else(|| StoreError::Invariant("one activity in, no row out".into()))?;
    Ok((row, evidence))
}

/// Per assignment of a batch of additions: how many, the last date, the earliest date of one
/// that completes.
#[derive(Default)]
struct SummaryDelta {
    added: i64,
    last_on: Option<NaiveDate>,
    done_on: Option<NaiveDate>,
}

/// What `Store::add_activities_inner` wrote: the activities' ids in input order and, for the API's
/// writes (`audit_each`), their rows; the evidence rows.
#[derive(Default)]
struct Added {
    ids: Vec<i64>,
    rows: Vec<ActivityRow>,
    evidence: Vec<EvidenceRow>,
}

/// The fact of an activity about to be written (`now`: when it is recorded, unless it says).
fn new_fact(a: &NewActivity, now: DateTime<Utc>) -> ActivityFact {
    ActivityFact {
        occurred_on: a.occurred_on,
        recorded_on: today_in_vietnam(a.recorded_at.unwrap_or(now)),
        quantity: a.quantity,
        completes: a.completes,
    }
}

/// The assignments `activities` are for, each once, in order.
fn distinct_assignments(activities: &[NewActivity]) -> Vec<i64> {
    let mut ids: Vec<i64> = activities.iter().map(|a| a.assignment_id).collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The changes that adding `activities` makes, each recorded `now` unless it says.
fn additions(activities: &[NewActivity], now: DateTime<Utc>) -> Vec<FactChange> {
    activities
        .iter()
        .map(|a| FactChange {
            assignment_id: a.assignment_id,
            fact: new_fact(a, now),
            removed: false,
        })
        .collect()
}

fn fact_of(row: &ActivityRow) -> ActivityFact {
    ActivityFact {
        occurred_on: row.occurred_on,
        recorded_on: today_in_vietnam(row.recorded_at),
        quantity: row.quantity,
        completes: row.completes,
    }
}

/// The audit view of an activity.
fn audit_view(row: &ActivityRow, evidence: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "assignment_id": row.assignment_id, "occurred_on": row.occurred_on, "kind": row.kind,
        "title": row.title, "quantity": row.quantity, "duration_minutes": row.duration_minutes,
        "attendance": row.attendance, "completes": row.completes, "note": row.note,
        "evidence": evidence,
    })
}

/// The activities' insert (`{}`: a VALUES list of [`activity_args`] rows).
const ACTIVITY_INSERT: &str = "INSERT INTO activities (assignment_id, occurred_on, kind, title, \
     quantity, duration_minutes, attendance, completes, note, reported_by, recorded_at, \
     search_text) VALUES {}";

/// One activity's values for [`ACTIVITY_INSERT`]: its text in NFC, with its search key.
fn activity_args(a: &NewActivity, by: &Change, now: DateTime<Utc>) -> [Arg; 12] {
    let title = nfc(&a.title);
    let search = fold(&title);
    [
        Arg::I64(a.assignment_id),
        Arg::Date(a.occurred_on),
        Arg::Text(nfc(&a.kind)),
        Arg::Text(title),
        Arg::F64(a.quantity),
        Arg::OptI64(a.duration_minutes),
        Arg::OptI64(a.attendance),
        Arg::Bool(a.completes),
        Arg::Text(nfc(&a.note)),
        Arg::OptI64(by.user_id),
        Arg::Time(a.recorded_at.unwrap_or(now)),
        Arg::Text(search),
    ]
}

/// The evidence insert (`{}`: a VALUES list of [`evidence_args`] rows), returning the rows.
const EVIDENCE_INSERT: &str = "INSERT INTO evidence (activity_id, kind, url, sha256, file_name, \
     content_type, size_bytes) VALUES {} \
     RETURNING id, activity_id, kind, url, sha256, file_name, content_type, size_bytes";

/// One piece of evidence's values for [`EVIDENCE_INSERT`].
fn evidence_args(activity_id: i64, evidence: &NewEvidence) -> [Arg; 7] {
    match evidence {
        NewEvidence::Url { url } => [
            Arg::I64(activity_id),
            Arg::Text("url".into()),
            Arg::OptText(Some(url.clone())),
            Arg::OptText(None),
            Arg::OptText(None),
            Arg::OptText(None),
            Arg::OptI64(None),
        ],
        NewEvidence::File {
            sha256,
            file_name,
            content_type,
            size_bytes,
        } => [
            Arg::I64(activity_id),
            Arg::Text("file".into()),
            Arg::OptText(None),
            Arg::OptText(Some(sha256.clone())),
            Arg::OptText(Some(file_name.clone())),
            Arg::OptText(Some(content_type.clone())),
            Arg::OptI64(Some(*size_bytes)),
        ],
    }
}

/// A period tally: (assignment, per, period start).
type TallyKey = (i64, Per, NaiveDate);

/// A tally as [`TALLY_UPSERT`] returns it.
type TallyReturned = (i64, String, NaiveDate, f64, f64);

/// Adds summed changes to their tallies (`{}`: a VALUES list of [`tally_args`] rows) and
/// returns the tallies' new values.
const TALLY_UPSERT: &str = "INSERT INTO period_tallies (assignment_id, per, period_start, \
     achieved, achieved_on_time) VALUES {} ON CONFLICT (assignment_id, per, period_start) \
     DO UPDATE SET achieved = period_tallies.achieved + excluded.achieved, \
     achieved_on_time = period_tallies.achieved_on_time + excluded.achieved_on_time \
     RETURNING assignment_id, per, period_start, achieved, achieved_on_time";

/// Deletes the tallies left at nothing (`{}`: a VALUES list of [`tally_key_args`] rows).
const TALLY_DELETE: &str = "DELETE FROM period_tallies \
     WHERE (assignment_id, per, period_start) IN (VALUES {})";

fn tally_key_args((assignment, per, start): &TallyKey) -> [Arg; 3] {
    [
        Arg::I64(*assignment),
        Arg::Text(per.as_str().into()),
        Arg::Date(*start),
    ]
}

/// A tally's summed change, for [`TALLY_UPSERT`].
fn tally_args(key: &TallyKey, change: &Bucket) -> [Arg; 5] {
    let [assignment, per, start] = tally_key_args(key);
    [
        assignment,
        per,
        start,
        Arg::F64(change.achieved),
        Arg::F64(change.on_time_achieved),
    ]
}

/// Keeps a returned tally's new value (achieved, on time) by its key.
fn tally_after(
    (assignment, per, start, achieved, on_time): TallyReturned,
    after: &mut HashMap<TallyKey, (f64, f64)>,
) {
    if let Ok(per) = per.parse::<Per>() {
        after.insert((assignment, per, start), (achieved, on_time));
    }
}

/// Moves the period counters by each changed tally's value before and after its change;
/// returns the tallies left at nothing, which are deleted.
fn tallies_moved(
    specs: &HashMap<i64, TallySpec>,
    sums: &BTreeMap<TallyKey, (Period, Bucket)>,
    after: &HashMap<TallyKey, (f64, f64)>,
    rollups: &mut RollupDeltas,
) -> Result<Vec<TallyKey>, StoreError> {
    let mut emptied = Vec::new();
    for (key, (period, bucket)) in sums {
        let (assignment, per, start) = key;
        let Some(&now) = after.get(key) else {
            return Err(StoreError::Invariant(format!(
                "tally ({assignment}, {per:?}, {start}) not returned by its upsert"
            )));
        };
        if snap(now.0) == 0.0 {
            emptied.push(*key);
        }
        if per.is_recurring() {
            let inc = Increment {
                period: *period,
                bucket: *bucket,
                on_time: false,
            };
            rollups.period(&specs[assignment].rollup, *per, &inc, now);
        }
    }
    Ok(emptied)
}

/// Per assignment, what `activities` add to its summary.
fn summaries_of(activities: &[NewActivity]) -> BTreeMap<i64, SummaryDelta> {
    let mut summaries: BTreeMap<i64, SummaryDelta> = BTreeMap::new();
    for a in activities {
        let s = summaries.entry(a.assignment_id).or_default();
        s.added += 1;
        s.last_on = s.last_on.max(Some(a.occurred_on));
        if a.completes {
            s.done_on = Some(s.done_on.map_or(a.occurred_on, |d| d.min(a.occurred_on)));
        }
    }
    summaries
}

/// The activity and done counters that `summaries` move.
fn count_summaries(
    specs: &HashMap<i64, TallySpec>,
    summaries: &BTreeMap<i64, SummaryDelta>,
    rollups: &mut RollupDeltas,
) {
    for (assignment, s) in summaries {
        let spec = &specs[assignment];
        rollups.activities(&spec.rollup, s.added);
        if let Some(done) = s.done_on {
            let after = spec.done_on.map_or(done, |d| d.min(done));
            rollups.done(&spec.rollup, spec.done_on, Some(after));
        }
    }
}

/// Summaries' values for [`SUMMARY_UPDATE`] (4 a row).
fn summary_args<'a>(summaries: impl IntoIterator<Item = (&'a i64, &'a SummaryDelta)>) -> Vec<Arg> {
    summaries
        .into_iter()
        .flat_map(|(assignment, s)| {
            [
                Arg::I64(*assignment),
                Arg::I64(s.added),
                Arg::OptDate(s.last_on),
                Arg::OptDate(s.done_on),
            ]
        })
        .collect()
}

/// An audit entry (`{}`: a VALUES list of [`creation_audit_args`] rows).
const AUDIT_INSERT: &str = "INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, \
     before, after) VALUES {}";

/// The audit entry of an activity's creation, showing `evidence` (all rows: those of other
/// activities are left out).
fn creation_audit_args(
    row: &ActivityRow,
    evidence: &[EvidenceRow],
    by: &Change,
    at: DateTime<Utc>,
) -> [Arg; 8] {
    let mine: Vec<&EvidenceRow> = evidence
        .iter()
        .filter(|e| e.activity_id == row.id)
        .collect();
    [
        Arg::Time(at),
        Arg::OptI64(by.user_id),
        Arg::Text(by.actor.clone()),
        Arg::Text("create".into()),
        Arg::Text("activity".into()),
        Arg::Text(row.id.to_string()),
        Arg::Json(None),
        Arg::Json(Some(audit_view(row, &serde_json::json!(mine)))),
    ]
}

impl super::Store {
    /// Records one activity with its evidence and an audit entry.
    pub async fn add_activity(
        &self,
        activity: &NewActivity,
        by: &Change,
    ) -> Result<ActivityRow, StoreError> {
        Ok(self.record_activity(activity, by).await?.0)
    }

    /// Records one activity with its evidence and an audit entry; returns both as stored.
    ///
    /// Group commit: the activities of concurrent callers (API requests) that arrive while
    /// another group is being written wait in `pending` and are then written together, in one
    /// transaction, each with its own audit entry; each caller gets its own row back. One
    /// writer at a time made every request pay a whole transaction's round trips (SQLite: a
    /// worker-thread hand-off each) while holding the write lock; a group shares them. If the
    /// group's transaction fails, its activities are written one by one, so a caller gets its
    /// own activity's error and nobody else's.
    ///
    /// The group is written by a task of its own, so a caller that goes away (its client
    /// disconnected) does not cancel the transaction holding other callers' activities; its
    /// own activity is then written all the same, as it would be had it gone away just after
    /// the commit.
    pub async fn record_activity(
        &self,
        activity: &NewActivity,
        by: &Change,
    ) -> Result<(ActivityRow, Vec<EvidenceRow>), StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        self.pending_writes().push(PendingWrite {
            activity: activity.clone(),
            by: by.clone(),
            answer,
        });
        let store = self.clone();
        tokio::spawn(async move { store.write_pending().await });
        answered.await.map_err(|_| {
            StoreError::Invariant("an activity's group write ended without an answer".into())
        })?
    }

    fn pending_writes(&self) -> std::sync::MutexGuard<'_, Vec<PendingWrite>> {
        // Nothing panics while holding it (pushes and drains), but a poisoned list is still
        // a list.
        self.pending
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes the activities waiting in `pending` (at most [`MAX_GROUP`]; every waiting
    /// activity has a task of its own that comes here, so none is left behind).
    async fn write_pending(&self) {
        let _group = self.group_turn.lock().await;
        let group: Vec<PendingWrite> = {
            let mut pending = self.pending_writes();
            let n = pending.len().min(MAX_GROUP);
            pending.drain(..n).collect()
        };
        if group.is_empty() {
            return;
        }
        let (activities, bys): (Vec<NewActivity>, Vec<Change>) = group
            .iter()
            .map(|p| (p.activity.clone(), p.by.clone()))
            .unzip();
        let written = self.write_api_activities(&activities, &bys).await;
        match written {
            Ok((rows, evidence)) if rows.len() == group.len() => {
                for (pending, row) in group.into_iter().zip(rows) {
                    let mine = evidence
                        .iter()
                        .filter(|e| e.activity_id == row.id)
                        .cloned()
                        .collect();
                    let _ = pending.answer.send(Ok((row, mine)));
                }
            }
            Ok(_) | Err(_) if group.len() > 1 => {
                for pending in group {
                    let one = self
                        .write_api_activities(
                            std::slice::from_ref(&pending.activity),
                            std::slice::from_ref(&pending.by),
                        )
                        .await;
                    let _ = pending.answer.send(one.and_then(one_row));
                }
            }
            other => {
                if let Some(pending) = group.into_iter().next() {
                    let _ = pending.answer.send(other.and_then(one_row));
                }
            }
        }
    }

    /// Writes a group of the API's activities, `bys[i]` reporting the i-th: on SQLite in two
    /// calls to the connection's thread ([`sqlite_group`]); on PostgreSQL in one statement
    /// when none completes a deliverable ([`one_statement`]), otherwise by the general path.
    async fn write_api_activities(
        &self,
        activities: &[NewActivity],
        bys: &[Change],
    ) -> Result<(Vec<ActivityRow>, Vec<EvidenceRow>), StoreError> {
        match self.db() {
            super::Db::Sqlite(pool) => {
                let _turn = self.writer_turn().await;
                self.write_group_sqlite(pool, activities, bys).await
            }
            super::Db::Postgres(pool) if one_statement::fits(activities) => {
                self.write_group(pool, activities, bys).await
            }
            super::Db::Postgres(_) => {
                let added = self.add_activities_inner(activities, bys, true).await?;
                Ok((added.rows, added.evidence))
            }
        }
    }

    /// Records many activities in one transaction: all of them, or (on any error) none.
    /// One audit entry describes the batch.
    pub async fn add_activities(
        &self,
        activities: &[NewActivity],
        by: &Change,
    ) -> Result<Vec<i64>, StoreError> {
        let _turn = self.writer_turn().await;
        Ok(self
            .add_activities_inner(activities, std::slice::from_ref(by), false)
            .await?
            .ids)
    }

    fn write_begin(&self) -> (&'static str, &'static str) {
        // SQLite: take the write lock up front. A deferred transaction that reads (the specs)
        // and then writes fails at once with "database is locked" when another writer committed
        // in between; an immediate one waits its turn (busy timeout). PostgreSQL: lock the
        // assignment rows read for their specs.
        match self.backend() {
            super::Backend::Sqlite => ("BEGIN IMMEDIATE", ""),
            super::Backend::Postgres => ("BEGIN", " FOR UPDATE OF a"),
        }
    }

    /// The write path of every addition, batched: one query for the specs of all the batch's
    /// assignments, multi-row inserts for activities and evidence, each touched tally, summary
    /// and roll-up counter written once with the batch's summed change, all in one transaction.
    /// `bys` holds who reports each activity, or one for all. The caller holds the writer's
    /// turn ([`super::Store::writer_turn`]).
    async fn add_activities_inner(
        &self,
        activities: &[NewActivity],
        bys: &[Change],
        audit_each: bool,
    ) -> Result<Added, StoreError> {
        if activities.is_empty() {
            return Ok(Added::default());
        }
        let by_of = |i: usize| -> Result<&Change, StoreError> {
            bys.get(i)
                .or(if bys.len() == 1 { bys.first() } else { None })
                .ok_or_else(|| StoreError::Invariant("an activity without its reporter".into()))
        };
        let now = Utc::now();
        let assignment_ids = distinct_assignments(activities);
        let (begin, lock) = self.write_begin();
        let marks = self.marks();
        let postgres = self.backend() == super::Backend::Postgres;
        let added = on_pool!(self.db(), |pool| {
            let mut tx = pool.begin_with(begin).await?;
            let specs = load_specs!(tx, &assignment_ids, lock, marks);

            // Activities, in multi-row inserts. Ids are handed out in VALUES order (SQLite: max
            // rowid + 1, PostgreSQL: the sequence, row by row), so sorting the returned ids
            // lines them up with the input whatever order RETURNING uses. Only the API's
            // callers get their rows back: a batch returns ids (decoding every column of
            // 10,000 rows was ~15 % of the batched ingest's CPU on SQLite).
            let returning = if audit_each { ACTIVITY_COLUMNS } else { "id" };
            let mut rows: Vec<ActivityRow> = Vec::new();
            let mut ids: Vec<i64> = Vec::with_capacity(activities.len());
            let per_chunk = rows_per_statement(12);
            for (c, chunk) in activities.chunks(per_chunk).enumerate() {
                let sql = format!(
                    "{} RETURNING {returning}",
                    ACTIVITY_INSERT.replacen("{}", &values_list(chunk.len(), 12, marks), 1)
                );
                let mut args: Vec<Arg> = Vec::with_capacity(chunk.len() * 12);
                for (i, a) in chunk.iter().enumerate() {
                    args.extend(activity_args(a, by_of(c * per_chunk + i)?, now));
                }
                for row in bind_args!(sqlx::query(&sql), &args)
                    .fetch_all(&mut *tx)
                    .await?
                {
                    if audit_each {
                        rows.push(ActivityRow::from_row(&row)?);
                    } else {
                        ids.push(row.try_get(0)?);
                    }
                }
            }
            if audit_each {
                rows.sort_unstable_by_key(|r| r.id);
                ids = rows.iter().map(|r| r.id).collect();
            } else {
                ids.sort_unstable();
            }
            if ids.len() != activities.len() {
                return Err(StoreError::Invariant(format!(
                    "{} activities inserted, {} ids returned",
                    activities.len(),
                    ids.len()
                )));
            }

            let evidence_rows = insert_evidence!(&mut *tx, ids.iter().copied(), activities, marks);

            // Tallies and their roll-up counters.
            let mut rollups = RollupDeltas::default();
            let changes = additions(activities, now);
            apply_fact_changes!(tx, &specs, &changes, &mut rollups, marks);

            // Each assignment's summary, once.
            let summaries = summaries_of(activities);
            count_summaries(&specs, &summaries, &mut rollups);
            // The API's activities (one request's, or a group's): the summaries, the audit
            // entries and the counters go to the database in one call, as they need no answer
            // back.
            let fold = audit_each && ids.len() <= MAX_GROUP && !rollups.has_decrements();
            let mut folded = FoldedWrites::new(marks);
            let summaries: Vec<_> = summaries.iter().collect();
            if fold {
                let sql = if postgres {
                    SUMMARY_UPDATE_IN_CTE
                } else {
                    SUMMARY_UPDATE
                };
                folded.push(
                    sql,
                    summaries.len(),
                    summary_args(summaries.iter().copied()),
                );
            }
            for chunk in summaries.chunks(rows_per_statement(4)).filter(|_| !fold) {
                let sql = SUMMARY_UPDATE.replacen("{}", &values_list(chunk.len(), 4, marks), 1);
                let args = summary_args(chunk.iter().copied());
                bind_args!(sqlx::query(&sql), &args)
                    .execute(&mut *tx)
                    .await?;
            }

            if audit_each {
                for (i, row) in rows.iter().enumerate() {
                    let args = creation_audit_args(row, &evidence_rows, by_of(i)?, now);
                    if fold {
                        folded.push(AUDIT_INSERT, 1, args.into());
                    } else {
                        let sql = AUDIT_INSERT.replacen("{}", &values_list(1, 8, marks), 1);
                        bind_args!(sqlx::query(&sql), &args)
                            .execute(&mut *tx)
                            .await?;
                    }
                }
            } else {
                let after = serde_json::json!({"count": ids.len(), "first_id": ids[0], "last_id": ids[ids.len() - 1]});
                record_audit!(
                    &mut *tx,
                    by_of(0)?,
                    "import",
                    "activity",
                    ids[0],
                    None,
                    Some(after)
                )?;
            }
            if fold {
                folded.push_rollups(&rollups);
                execute_folded!(&mut *tx, &folded);
            } else {
                flush_rollups!(tx, &rollups, marks);
            }
            tx.commit().await?;
            Added {
                ids,
                rows,
                evidence: evidence_rows,
            }
        });
        Ok(added)
    }

    /// Corrects an activity: its date, kind, title, quantity, duration, attendance, whether it
    /// completes the deliverable, and note, as in `edited` (whose assignment and evidence are
    /// ignored). The tallies, summaries and roll-up counters move from the old values to the new
    /// ones in the same transaction, with an audit entry before → after. When it was recorded
    /// does not change (so on-time counting is the original report's).
    pub async fn update_activity(
        &self,
        id: i64,
        edited: &NewActivity,
        by: &Change,
    ) -> Result<ActivityRow, StoreError> {
        let (begin, lock) = self.write_begin();
        let marks = self.marks();
        let _turn = self.writer_turn().await;
        let row_lock = if lock.is_empty() { "" } else { " FOR UPDATE" };
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin_with(begin).await?;
            let old: Option<ActivityRow> = sqlx::query_as(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1{row_lock}"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let old = old.ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
            if unchanged(&old, edited) {
                // An edit that changes nothing writes nothing, not even an audit entry (the
                // transaction ends unused).
                return Ok(old);
            }
            let specs = load_specs!(tx, &[old.assignment_id], lock, marks);
            let title = nfc(&edited.title);
            let search = fold(&title);
            let new: ActivityRow = sqlx::query_as(&format!(
                "UPDATE activities SET occurred_on = $1, kind = $2, title = $3, quantity = $4, \
                 duration_minutes = $5, attendance = $6, completes = $7, note = $8, search_text = $9 \
                 WHERE id = $10 RETURNING {ACTIVITY_COLUMNS}"
            ))
            .bind(edited.occurred_on)
            .bind(nfc(&edited.kind))
            .bind(title)
            .bind(edited.quantity)
            .bind(edited.duration_minutes)
            .bind(edited.attendance)
            .bind(edited.completes)
            .bind(nfc(&edited.note))
            .bind(search)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let mut rollups = RollupDeltas::default();
            let changes = [
                FactChange {
                    assignment_id: old.assignment_id,
                    fact: fact_of(&old),
                    removed: true,
                },
                FactChange {
                    assignment_id: new.assignment_id,
                    fact: fact_of(&new),
                    removed: false,
                },
            ];
            apply_fact_changes!(tx, &specs, &changes, &mut rollups, marks);
            refresh_summary!(
                tx,
                &specs[&old.assignment_id],
                old.assignment_id,
                &mut rollups,
                0
            );
            let none = serde_json::Value::Null;
            record_audit!(
                &mut *tx,
                by,
                "update",
                "activity",
                id,
                Some(audit_view(&old, &none)),
                Some(audit_view(&new, &none))
            )?;
            flush_rollups!(tx, &rollups, marks);
            tx.commit().await?;
            new
        }))
    }

    /// Removes an activity and its evidence rows (the files stay until `kehoach files gc` finds
    /// them unreferenced), moving every aggregate back in the same transaction, with an audit
    /// entry holding what was removed. Returns the removed activity.
    pub async fn delete_activity(&self, id: i64, by: &Change) -> Result<ActivityRow, StoreError> {
        let (begin, lock) = self.write_begin();
        let marks = self.marks();
        let _turn = self.writer_turn().await;
        let row_lock = if lock.is_empty() { "" } else { " FOR UPDATE" };
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin_with(begin).await?;
            let old: Option<ActivityRow> = sqlx::query_as(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1{row_lock}"
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let old = old.ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
            let specs = load_specs!(tx, &[old.assignment_id], lock, marks);
            let evidence: Vec<EvidenceRow> = sqlx::query_as(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE activity_id = $1 ORDER BY id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM evidence WHERE activity_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM activities WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let mut rollups = RollupDeltas::default();
            let changes = [FactChange {
                assignment_id: old.assignment_id,
                fact: fact_of(&old),
                removed: true,
            }];
            apply_fact_changes!(tx, &specs, &changes, &mut rollups, marks);
            refresh_summary!(
                tx,
                &specs[&old.assignment_id],
                old.assignment_id,
                &mut rollups,
                1
            );
            record_audit!(
                &mut *tx,
                by,
                "delete",
                "activity",
                id,
                Some(audit_view(&old, &serde_json::json!(evidence))),
                None
            )?;
            flush_rollups!(tx, &rollups, marks);
            tx.commit().await?;
            old
        }))
    }

    pub async fn activity(&self, id: i64) -> Result<Option<ActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivityRow>(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// An assignment's activities, newest first.
    pub async fn activities_of_assignment(
        &self,
        assignment_id: i64,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivityRow>(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE assignment_id = $1 ORDER BY occurred_on DESC, id DESC"
            ))
            .bind(assignment_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// An assignment's activities dated within `from..=to` (either end open), latest first; at
    /// most `limit`.
    pub async fn activities_between(
        &self,
        assignment_id: i64,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        limit: i64,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivityRow>(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE assignment_id = $1 \
                 AND ($2 IS NULL OR occurred_on >= $2) AND ($3 IS NULL OR occurred_on <= $3) \
                 ORDER BY occurred_on DESC, id DESC LIMIT $4"
            ))
            .bind(assignment_id)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The evidence of some activities, by activity then id.
    pub async fn evidence_of_activities(
        &self,
        activity_ids: &[i64],
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        let mut out = Vec::new();
        // Chunks keep the statement under both backends' limits on bound values.
        for chunk in activity_ids.chunks(500) {
            let params = placeholders(chunk.len(), self.marks());
            let sql = format!(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE activity_id IN ({}) ORDER BY activity_id, id",
                params
            );
            out.extend(on_pool!(self.db(), |pool| {
                let mut query = sqlx::query_as::<_, EvidenceRow>(&sql);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.fetch_all(pool).await?
            }));
        }
        Ok(out)
    }

    pub async fn evidence_of_activity(
        &self,
        activity_id: i64,
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE activity_id = $1 ORDER BY id",
            )
            .bind(activity_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every evidence row of an assignment's activities, in activity then evidence order.
    pub async fn evidence_of_assignment(
        &self,
        assignment_id: i64,
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(
                "SELECT e.id, e.activity_id, e.kind, e.url, e.sha256, e.file_name, e.content_type, e.size_bytes \
                 FROM evidence e JOIN activities a ON a.id = e.activity_id WHERE a.assignment_id = $1 \
                 ORDER BY e.activity_id, e.id",
            )
            .bind(assignment_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The first evidence row that refers to a stored file: its name and type for serving it.
    pub async fn evidence_file(&self, sha256: &str) -> Result<Option<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE sha256 = $1 ORDER BY id LIMIT 1",
            )
            .bind(sha256)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The hashes of every stored file some evidence refers to (for `kehoach files gc`).
    pub async fn referenced_files(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let hashes: Vec<String> = on_pool!(self.db(), |pool| {
            // Spending vouchers (budget, migration 0018) are evidence files too.
            sqlx::query_scalar(
                "SELECT sha256 FROM evidence WHERE sha256 IS NOT NULL \
                 UNION SELECT sha256 FROM budget_spending WHERE sha256 IS NOT NULL",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(hashes.into_iter().collect())
    }

    /// Every live aggregate row of a plan's assignments.
    pub async fn tallies_of_plan(&self, plan_id: i64) -> Result<Vec<TallyRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TallyRow>(
                "SELECT pt.assignment_id, pt.per, pt.period_start, pt.achieved, pt.achieved_on_time \
                 FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
                 JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

/// Whether `edited` would store exactly what `old` holds.
fn unchanged(old: &ActivityRow, edited: &NewActivity) -> bool {
    old.occurred_on == edited.occurred_on
        && old.kind == nfc(&edited.kind)
        && old.title == nfc(&edited.title)
        && old.quantity == edited.quantity
        && old.duration_minutes == edited.duration_minutes
        && old.attendance == edited.attendance
        && old.completes == edited.completes
        && old.note == nfc(&edited.note)
}
