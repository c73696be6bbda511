//! The one write path of activities: every change to activities, evidence rows, period
//! tallies, assignment summaries, roll-up counters and the audit entries of those goes through
//! the plain async functions of this file, over one [`WriteTx`] (either backend), in this order:
//!
//! 1. read what is changed, locked (`load_specs`: the assignments' task targets, plan grace and
//!    windows, province and done date — always from the database, in the transaction, so an
//!    edit of the plan made by any server is seen by the next write);
//! 2. [`check_writable`]: the one guard, before anything is written;
//! 3. write the rows (activities, evidence);
//! 4. [`apply_fact_changes`]: the engine's `increment()` of each added or taken-back activity,
//!    summed per tally, upserted once per tally; the counters move by the tallies' values
//!    before and after (`rollups::crossings`, the one definition of the counter rules);
//! 5. summaries, audit entries and counter upserts gathered in [`Deferred`] and sent in one call
//!    (a few for a large batch); counters left at zero are then removed;
//! 6. commit.
//!
//! Additions (a 10,000-activity batch of the demo or an import, one API request, or a group of
//! concurrent API requests: group commit, `record_activity`), edits and deletions all take this
//! path; [`count_review_change`] applies or takes back one stored activity's contribution when
//! its review state changes what counts.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::approval::ReviewState;
use kehoach_core::compliance::{ActivityFact, Bucket, Increment, increment};
use kehoach_core::period::{Per, Period, today_in_vietnam};
use kehoach_core::text::{fold, nfc};

use super::super::audit::{AUDIT_INSERT, entry_args};
use super::super::rollups::{
    Arg, Bound, Column, Deferred, MAX_BINDS, Marks, RollupDeltas, RollupSpec, SpecTarget,
    closed_window, delete_emptied_counters, multi_row, placeholders, snap,
};
use super::super::tx::WriteTx;
use super::super::{Change, Closed, StoreError};
use super::{ACTIVITY_COLUMNS, ActivityRow, EvidenceRow, NewActivity, NewEvidence};

/// What the aggregates of one assignment depend on: its task's target periods, its plan's
/// grace, its done date so far, and where its roll-up counters are.
#[derive(Debug, Clone)]
pub(super) struct TallySpec {
    pers: Vec<Per>,
    grace_days: u32,
    done_on: Option<NaiveDate>,
    /// The plan counts only accepted activities (`plans.count_mode`; issue 19): the others are
    /// kept and listed but move no tally, counter or done date.
    accepted_only: bool,
    /// The plan was archived (read-only) on that day.
    archived_on: Option<NaiveDate>,
    /// The unit was removed from the task on that day: nothing after it may be reported.
    closed_on: Option<NaiveDate>,
    /// Something may lock the assignment's periods: its plan has an automatic lock, or a period
    /// of its unit on its plan is approved. Only then does the guard read the locks.
    may_lock: bool,
    rollup: RollupSpec,
}

impl TallySpec {
    /// Whether an activity in `review_state` counts toward this assignment's figures.
    fn counts(&self, review_state: &str) -> bool {
        !self.accepted_only || review_state == ReviewState::Accepted.as_db()
    }
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
    String,
    Option<NaiveDate>,
    Option<NaiveDate>,
    bool,
);

/// The specs query for `n` assignment ids; `lock` is appended (PostgreSQL locks the
/// assignment rows, so concurrent writers to one assignment see each other's done date).
/// SQLite takes the ids as `?, …`; PostgreSQL as one array (`= ANY($1)`), so the text is the
/// same for every group and the statement is prepared once per connection. The last column
/// says whether the lock rule needs reading at all ([`TallySpec::may_lock`]): the write's
/// guard used to ask that of the whole database in a query of its own.
fn specs_sql(n: usize, lock: &str, marks: Marks) -> String {
    let ids = match marks {
        Marks::Question => format!("IN ({})", placeholders(n, marks)),
        Marks::Dollar => "= ANY($1::bigint[])".to_string(),
    };
    format!(
        "SELECT a.id, p.grace_days, p.period_from, p.period_to, k.window_from, k.window_to, k.id, \
         a.province_id, a.done_on, t.id, t.per, t.count, p.count_mode, \
         p.archived_on, a.closed_on, \
         (p.auto_lock_days IS NOT NULL OR EXISTS (SELECT 1 FROM period_approvals pa \
           WHERE pa.plan_id = k.plan_id AND pa.unit_id = a.unit_id AND pa.state = 'approved')) \
         FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
         LEFT JOIN targets t ON t.task_id = k.id WHERE a.id {ids} ORDER BY a.id, t.position{lock}"
    )
}

/// Groups the rows of the specs query by assignment.
fn specs_from_rows(rows: Vec<SpecRow>) -> HashMap<i64, TallySpec> {
    let mut specs: HashMap<i64, TallySpec> = HashMap::new();
    for row in rows {
        let (id, grace, pf, pt, wf, wt, task_id, province_id, done_on, target, per, count, mode) = (
            row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, row.10, row.11,
            row.12,
        );
        let (archived_on, closed_on, may_lock) = (row.13, row.14, row.15);
        let spec = specs.entry(id).or_insert_with(|| TallySpec {
            pers: Vec::new(),
            grace_days: u32::try_from(grace).unwrap_or(0),
            done_on,
            accepted_only: mode == "accepted",
            archived_on,
            closed_on,
            may_lock,
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

/// Per assignment of a batch of additions: how many, the last date, the earliest date of one
/// that completes.
#[derive(Default)]
struct SummaryDelta {
    added: i64,
    last_on: Option<NaiveDate>,
    done_on: Option<NaiveDate>,
}

/// What [`add_in`] wrote: the activities' ids in input order and, for the API's
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

/// The activities' insert (`{}`: the rows of [`activity_args`], see `rollups::multi_row`).
const ACTIVITY_INSERT: &str = "INSERT INTO activities (assignment_id, occurred_on, kind, title, \
     quantity, duration_minutes, attendance, completes, note, reported_by, recorded_at, \
     search_text) {}";

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

/// The evidence insert (`{}`: the rows of [`evidence_args`]), returning the rows.
const EVIDENCE_INSERT: &str = "INSERT INTO evidence (activity_id, kind, url, sha256, file_name, \
     content_type, size_bytes) {} \
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

/// Adds summed changes to their tallies (`{}`: the rows of [`tally_args`]) and returns the
/// tallies' new values.
const TALLY_UPSERT: &str = "INSERT INTO period_tallies (assignment_id, per, period_start, \
     achieved, achieved_on_time) {} ON CONFLICT (assignment_id, per, period_start) \
     DO UPDATE SET achieved = period_tallies.achieved + excluded.achieved, \
     achieved_on_time = period_tallies.achieved_on_time + excluded.achieved_on_time \
     RETURNING assignment_id, per, period_start, achieved, achieved_on_time";

/// Deletes the tallies left at nothing (`{}`: the rows of [`tally_key_args`]).
const TALLY_DELETE: &str = "DELETE FROM period_tallies \
     WHERE (assignment_id, per, period_start) IN ({})";

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
    entry_args(
        by,
        "create",
        "activity",
        &row.id.to_string(),
        None,
        Some(audit_view(row, &serde_json::json!(mine))),
        at,
    )
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

/// How each assignment's summary takes its new activities (`{}`: the rows of [`summary_args`]:
/// id, added, last date, done date). SQLite names a VALUES list's columns only in a WITH;
/// PostgreSQL, whose [`Deferred`] writes are CTEs, takes no WITH inside one.
const SUMMARY_UPDATE_SQLITE: &str = "WITH v (v_id, v_added, v_last, v_done) AS ({}) \
     UPDATE assignments SET activity_count = activity_count + v_added, \
     last_activity_on = CASE WHEN last_activity_on IS NULL OR last_activity_on < v_last \
     THEN v_last ELSE last_activity_on END, \
     done_on = CASE WHEN v_done IS NOT NULL AND (done_on IS NULL OR done_on > v_done) \
     THEN v_done ELSE done_on END \
     FROM v WHERE id = v_id";
const SUMMARY_UPDATE_POSTGRES: &str = "UPDATE assignments SET \
     activity_count = activity_count + v_added, \
     last_activity_on = CASE WHEN last_activity_on IS NULL OR last_activity_on < v_last \
     THEN v_last ELSE last_activity_on END, \
     done_on = CASE WHEN v_done IS NOT NULL AND (done_on IS NULL OR done_on > v_done) \
     THEN v_done ELSE done_on END \
     FROM ({}) AS v (v_id, v_added, v_last, v_done) WHERE id = v_id";

/// The guard every write of activities passes, inside its transaction, before it writes
/// anything: `touched` holds each (assignment, activity date) the write adds, moves, removes or
/// re-counts (an edit: its old and its new date). A date in a locked period (approved, or past
/// the plan's automatic lock; issue 19) is refused with `StoreError::Locked`, read in this
/// transaction, so a lock taken on another server is honoured at once.
pub(crate) async fn check_writable(
    tx: &mut WriteTx,
    touched: &[(i64, NaiveDate)],
) -> Result<(), StoreError> {
    super::super::periods::refuse_locked(tx, touched).await
}

/// [`check_writable`] for a write that has read the specs of the assignments it touches: the
/// lock rule is read only for those whose periods something may lock ([`TallySpec::may_lock`],
/// read with the specs in the same transaction), which is what `check_writable`'s first query
/// asks of the whole database. The rule itself is the same (`periods::refuse_locked_of`).
async fn check_writable_with(
    tx: &mut WriteTx,
    specs: &HashMap<i64, TallySpec>,
    touched: &[(i64, NaiveDate)],
) -> Result<(), StoreError> {
    let lockable: Vec<(i64, NaiveDate)> = touched
        .iter()
        .filter(|(assignment, _)| specs.get(assignment).is_none_or(|s| s.may_lock))
        .copied()
        .collect();
    if lockable.is_empty() {
        return Ok(());
    }
    super::super::periods::refuse_locked_of(tx, &lockable).await
}

/// Refuses a write that touches (assignment, activity date) of an archived plan (read-only), or
/// dated after the day its unit was removed from the task. Activities of a removed unit dated
/// before that day stay: they are its past work and may still be corrected.
fn refuse_closed(
    specs: &HashMap<i64, TallySpec>,
    touched: &[(i64, NaiveDate)],
) -> Result<(), StoreError> {
    for &(assignment, date) in touched {
        let Some(spec) = specs.get(&assignment) else {
            continue;
        };
        if let Some(on) = spec.archived_on {
            return Err(StoreError::Closed(Closed::Archived {
                task_id: spec.rollup.task_id,
                on,
            }));
        }
        if let Some(on) = spec.closed_on
            && date > on
        {
            return Err(StoreError::Closed(Closed::Removed { assignment, on }));
        }
    }
    Ok(())
}

/// Reads the specs of `ids` (PostgreSQL: locking the assignment rows, so concurrent writers to
/// one assignment see each other's done date), one query per 10,000 ids; NotFound for a
/// missing one.
async fn load_specs(tx: &mut WriteTx, ids: &[i64]) -> Result<HashMap<i64, TallySpec>, StoreError> {
    let lock = tx.row_lock(" FOR UPDATE OF a");
    let mut rows: Vec<SpecRow> = Vec::new();
    for chunk in ids.chunks(MAX_BINDS / 3) {
        let sql = specs_sql(chunk.len(), lock, tx.marks());
        let bound = match tx.marks() {
            Marks::Question => Bound::Values(chunk.iter().map(|id| Arg::I64(*id)).collect()),
            Marks::Dollar => Bound::Columns(vec![Column::I64(
                chunk.iter().map(|id| Some(*id)).collect(),
            )]),
        };
        rows.extend(tx.fetch_bound::<SpecRow>(&sql, &bound).await?);
    }
    let specs = specs_from_rows(rows);
    if let Some(missing) = ids.iter().find(|id| !specs.contains_key(id)) {
        return Err(StoreError::NotFound(format!("assignment {missing}")));
    }
    Ok(specs)
}

/// Who reports the i-th activity: `bys[i]`, or `bys[0]` for all.
fn reporter(bys: &[Change], i: usize) -> Result<&Change, StoreError> {
    bys.get(i)
        .or(if bys.len() == 1 { bys.first() } else { None })
        .ok_or_else(|| StoreError::Invariant("an activity without its reporter".into()))
}

/// Inserts `activities` in multi-row statements; their ids in input order and, when
/// `want_rows` (the API's callers), their rows. Ids are handed out in the rows' order (SQLite:
/// max rowid + 1 down the VALUES list, PostgreSQL: the sequence, row by row down the UNNEST of
/// the arrays), so sorting the returned ids lines them
/// up with the input whatever order RETURNING uses. A batch returns ids only: decoding every
/// column of 10,000 rows was ~15 % of the batched ingest's CPU on SQLite.
async fn insert_activities(
    tx: &mut WriteTx,
    activities: &[NewActivity],
    bys: &[Change],
    now: DateTime<Utc>,
    want_rows: bool,
) -> Result<(Vec<i64>, Vec<ActivityRow>), StoreError> {
    let mut rows: Vec<ActivityRow> = Vec::new();
    let mut ids: Vec<i64> = Vec::with_capacity(activities.len());
    let per_chunk = super::super::rollups::rows_per_statement(12);
    for (c, chunk) in activities.chunks(per_chunk).enumerate() {
        let mut args: Vec<Arg> = Vec::with_capacity(chunk.len() * 12);
        for (i, a) in chunk.iter().enumerate() {
            args.extend(activity_args(a, reporter(bys, c * per_chunk + i)?, now));
        }
        let (insert, bound) = multi_row(ACTIVITY_INSERT, 12, &args, tx.marks(), 0)?;
        if want_rows {
            let sql = format!("{insert} RETURNING {ACTIVITY_COLUMNS}");
            rows.extend(tx.fetch_bound::<ActivityRow>(&sql, &bound).await?);
        } else {
            let sql = format!("{insert} RETURNING id");
            ids.extend(
                tx.fetch_bound::<(i64,)>(&sql, &bound)
                    .await?
                    .into_iter()
                    .map(|(id,)| id),
            );
        }
    }
    if want_rows {
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
    Ok((ids, rows))
}

/// Inserts the evidence of `activities`, the i-th activity having `ids[i]`; the evidence
/// rows, by id.
async fn insert_evidence(
    tx: &mut WriteTx,
    ids: &[i64],
    activities: &[NewActivity],
) -> Result<Vec<EvidenceRow>, StoreError> {
    let args: Vec<Arg> = ids
        .iter()
        .zip(activities)
        .flat_map(|(id, a)| a.evidence.iter().flat_map(move |e| evidence_args(*id, e)))
        .collect();
    let mut rows: Vec<EvidenceRow> = Vec::with_capacity(args.len() / 7);
    for chunk in args.chunks(super::super::rollups::rows_per_statement(7) * 7) {
        let (sql, bound) = multi_row(EVIDENCE_INSERT, 7, chunk, tx.marks(), 0)?;
        rows.extend(tx.fetch_bound::<EvidenceRow>(&sql, &bound).await?);
    }
    rows.sort_unstable_by_key(|e| e.id);
    Ok(rows)
}

/// Applies fact changes to `period_tallies` (one multi-row upsert per chunk, each touched tally
/// written once) and collects the roll-up counter moves into `rollups`. Tallies that fall back
/// to nothing are removed (through `deferred`).
async fn apply_fact_changes(
    tx: &mut WriteTx,
    specs: &HashMap<i64, TallySpec>,
    changes: &[FactChange],
    rollups: &mut RollupDeltas,
    deferred: &mut Deferred,
) -> Result<(), StoreError> {
    let sums = sum_increments(specs, changes, rollups);
    let keyed: Vec<_> = sums.iter().collect();
    let mut after: HashMap<TallyKey, (f64, f64)> = HashMap::with_capacity(keyed.len());
    for chunk in keyed.chunks(super::super::rollups::rows_per_statement(5)) {
        let args: Vec<Arg> = chunk
            .iter()
            .flat_map(|(key, (_, bucket))| tally_args(key, bucket))
            .collect();
        let (sql, bound) = multi_row(TALLY_UPSERT, 5, &args, tx.marks(), 0)?;
        for row in tx.fetch_bound::<TallyReturned>(&sql, &bound).await? {
            tally_after(row, &mut after);
        }
    }
    let emptied = tallies_moved(specs, &sums, &after, rollups)?;
    let args: Vec<Arg> = emptied.iter().flat_map(tally_key_args).collect();
    deferred.push(tx, TALLY_DELETE, 3, args).await
}

/// Recomputes one assignment's summary (activity count, last date, done date) from its
/// activities after an edit or deletion, and moves the done counters; the activity count's
/// counter moves by `-removed`.
async fn refresh_summary(
    tx: &mut WriteTx,
    spec: &TallySpec,
    assignment: i64,
    rollups: &mut RollupDeltas,
    removed: i64,
) -> Result<(), StoreError> {
    let done: Option<(Option<NaiveDate>,)> = tx
        .fetch_optional(
            "UPDATE assignments SET \
             activity_count = (SELECT COUNT(*) FROM activities WHERE assignment_id = $1), \
             last_activity_on = (SELECT MAX(occurred_on) FROM activities WHERE assignment_id = $1), \
             done_on = (SELECT MIN(occurred_on) FROM activities WHERE assignment_id = $1 AND completes \
             AND (review_state = 'accepted' OR $2)) \
             WHERE id = $1 RETURNING done_on",
            &[Arg::I64(assignment), Arg::Bool(!spec.accepted_only)],
        )
        .await?;
    let (done,) = done.ok_or_else(|| StoreError::NotFound(format!("assignment {assignment}")))?;
    rollups.done(&spec.rollup, spec.done_on, done);
    if removed != 0 {
        rollups.activities(&spec.rollup, -removed);
    }
    Ok(())
}

/// Sends the deferred writes with the counters' upserts, then removes counters left at zero.
async fn finish(
    tx: &mut WriteTx,
    mut deferred: Deferred,
    rollups: &RollupDeltas,
) -> Result<(), StoreError> {
    deferred.push_rollups(tx, rollups).await?;
    deferred.send(tx).await?;
    delete_emptied_counters(tx, rollups).await
}

/// Adds `activities` (the i-th reported by `bys[i]`, or all by `bys[0]`) with their evidence,
/// tallies, summaries, counters and audit entries: one entry each when `audit_each` (the API),
/// else one for the batch.
async fn add_in(
    tx: &mut WriteTx,
    activities: &[NewActivity],
    bys: &[Change],
    audit_each: bool,
) -> Result<Added, StoreError> {
    if activities.is_empty() {
        return Ok(Added::default());
    }
    let now = Utc::now();
    let specs = load_specs(tx, &distinct_assignments(activities)).await?;
    let touched: Vec<(i64, NaiveDate)> = activities
        .iter()
        .map(|a| (a.assignment_id, a.occurred_on))
        .collect();
    refuse_closed(&specs, &touched)?;
    check_writable_with(tx, &specs, &touched).await?;

    let (ids, rows) = insert_activities(tx, activities, bys, now, audit_each).await?;
    let evidence = insert_evidence(tx, &ids, activities).await?;

    let mut rollups = RollupDeltas::default();
    let mut deferred = Deferred::new(tx.marks());
    // A new activity is pending review: where only accepted ones count, it moves nothing yet.
    let mut changes = additions(activities, now);
    changes.retain(|c| !specs[&c.assignment_id].accepted_only);
    apply_fact_changes(tx, &specs, &changes, &mut rollups, &mut deferred).await?;

    let mut summaries = summaries_of(activities);
    for (assignment, s) in summaries.iter_mut() {
        if specs[assignment].accepted_only {
            s.done_on = None;
        }
    }
    count_summaries(&specs, &summaries, &mut rollups);
    let summary_sql = if tx.is_postgres() {
        SUMMARY_UPDATE_POSTGRES
    } else {
        SUMMARY_UPDATE_SQLITE
    };
    deferred
        .push(tx, summary_sql, 4, summary_args(&summaries))
        .await?;

    if audit_each {
        // One multi-row insert for the group's entries, not one each: on PostgreSQL the
        // folded statement's text then depends on which writes it holds, not on their rows.
        let mut args: Vec<Arg> = Vec::with_capacity(rows.len() * 8);
        for (i, row) in rows.iter().enumerate() {
            args.extend(creation_audit_args(row, &evidence, reporter(bys, i)?, now));
        }
        deferred.push(tx, AUDIT_INSERT, 8, args).await?;
    } else {
        let after = serde_json::json!({
            "count": ids.len(), "first_id": ids[0], "last_id": ids[ids.len() - 1]
        });
        let args = entry_args(
            reporter(bys, 0)?,
            "import",
            "activity",
            &ids[0].to_string(),
            None,
            Some(after),
            now,
        );
        deferred.push(tx, AUDIT_INSERT, 8, args.into()).await?;
    }
    finish(tx, deferred, &rollups).await?;
    Ok(Added {
        ids,
        rows,
        evidence,
    })
}

/// Reads an activity for a change, locked (PostgreSQL; SQLite holds its write lock).
async fn locked_activity(tx: &mut WriteTx, id: i64) -> Result<ActivityRow, StoreError> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1{}",
        tx.row_lock(" FOR UPDATE")
    );
    tx.fetch_optional::<ActivityRow>(&sql, &[Arg::I64(id)])
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))
}

/// Corrects activity `id` to `edited` (see `Store::update_activity`): the row as it now is,
/// and whether anything changed (an edit that changes nothing writes nothing).
async fn edit_in(
    tx: &mut WriteTx,
    id: i64,
    edited: &NewActivity,
    by: &Change,
) -> Result<(ActivityRow, bool), StoreError> {
    let old = locked_activity(tx, id).await?;
    if unchanged(&old, edited) {
        return Ok((old, false));
    }
    let specs = load_specs(tx, &[old.assignment_id]).await?;
    let touched = [
        (old.assignment_id, old.occurred_on),
        (old.assignment_id, edited.occurred_on),
    ];
    refuse_closed(&specs, &touched)?;
    check_writable_with(tx, &specs, &touched).await?;
    let title = nfc(&edited.title);
    let search = fold(&title);
    let new = tx
        .fetch_optional::<ActivityRow>(
            &format!(
                "UPDATE activities SET occurred_on = $1, kind = $2, title = $3, quantity = $4, \
                 duration_minutes = $5, attendance = $6, completes = $7, note = $8, \
                 search_text = $9 WHERE id = $10 RETURNING {ACTIVITY_COLUMNS}"
            ),
            &[
                Arg::Date(edited.occurred_on),
                Arg::Text(nfc(&edited.kind)),
                Arg::Text(title),
                Arg::F64(edited.quantity),
                Arg::OptI64(edited.duration_minutes),
                Arg::OptI64(edited.attendance),
                Arg::Bool(edited.completes),
                Arg::Text(nfc(&edited.note)),
                Arg::Text(search),
                Arg::I64(id),
            ],
        )
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
    let mut rollups = RollupDeltas::default();
    let mut deferred = Deferred::new(tx.marks());
    let changes: Vec<FactChange> = if specs[&old.assignment_id].counts(&old.review_state) {
        vec![
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
        ]
    } else {
        Vec::new()
    };
    apply_fact_changes(tx, &specs, &changes, &mut rollups, &mut deferred).await?;
    refresh_summary(
        tx,
        &specs[&old.assignment_id],
        old.assignment_id,
        &mut rollups,
        0,
    )
    .await?;
    let none = serde_json::Value::Null;
    let args = entry_args(
        by,
        "update",
        "activity",
        &id.to_string(),
        Some(audit_view(&old, &none)),
        Some(audit_view(&new, &none)),
        Utc::now(),
    );
    deferred.push(tx, AUDIT_INSERT, 8, args.into()).await?;
    finish(tx, deferred, &rollups).await?;
    Ok((new, true))
}

/// Removes activity `id` and its evidence rows (see `Store::delete_activity`); the removed row.
async fn delete_in(tx: &mut WriteTx, id: i64, by: &Change) -> Result<ActivityRow, StoreError> {
    let old = locked_activity(tx, id).await?;
    let specs = load_specs(tx, &[old.assignment_id]).await?;
    let touched = [(old.assignment_id, old.occurred_on)];
    refuse_closed(&specs, &touched)?;
    check_writable_with(tx, &specs, &touched).await?;
    let evidence: Vec<EvidenceRow> = tx
        .fetch(
            "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
             FROM evidence WHERE activity_id = $1 ORDER BY id",
            &[Arg::I64(id)],
        )
        .await?;
    tx.execute(
        "DELETE FROM evidence WHERE activity_id = $1",
        &[Arg::I64(id)],
    )
    .await?;
    tx.execute("DELETE FROM activities WHERE id = $1", &[Arg::I64(id)])
        .await?;
    let mut rollups = RollupDeltas::default();
    let mut deferred = Deferred::new(tx.marks());
    let spec = &specs[&old.assignment_id];
    let changes: Vec<FactChange> = if spec.counts(&old.review_state) {
        vec![FactChange {
            assignment_id: old.assignment_id,
            fact: fact_of(&old),
            removed: true,
        }]
    } else {
        Vec::new()
    };
    apply_fact_changes(tx, &specs, &changes, &mut rollups, &mut deferred).await?;
    refresh_summary(tx, spec, old.assignment_id, &mut rollups, 1).await?;
    let args = entry_args(
        by,
        "delete",
        "activity",
        &id.to_string(),
        Some(audit_view(&old, &serde_json::json!(evidence))),
        None,
        Utc::now(),
    );
    deferred.push(tx, AUDIT_INSERT, 8, args.into()).await?;
    finish(tx, deferred, &rollups).await?;
    Ok(old)
}

/// Moves the figures of stored activity `id` after its review state moved from `from` to its
/// current state, in `tx`, after the guard: where its plan counts only accepted activities, an
/// activity accepted now adds its contribution (tallies, the counters that follow them, its
/// assignment's done date) and one no longer accepted takes it back; elsewhere nothing moves.
/// The caller has written the new state and records its own audit entry in `tx`.
pub(crate) async fn count_review_change(
    tx: &mut WriteTx,
    id: i64,
    from: ReviewState,
) -> Result<(), StoreError> {
    let row = locked_activity(tx, id).await?;
    let specs = load_specs(tx, &[row.assignment_id]).await?;
    let spec = &specs[&row.assignment_id];
    let touched = [(row.assignment_id, row.occurred_on)];
    refuse_closed(&specs, &touched)?;
    let (before, after) = (spec.counts(from.as_db()), spec.counts(&row.review_state));
    if before == after {
        return Ok(());
    }
    check_writable_with(tx, &specs, &touched).await?;
    let mut rollups = RollupDeltas::default();
    let mut deferred = Deferred::new(tx.marks());
    let changes = [FactChange {
        assignment_id: row.assignment_id,
        fact: fact_of(&row),
        removed: before,
    }];
    apply_fact_changes(tx, &specs, &changes, &mut rollups, &mut deferred).await?;
    refresh_summary(tx, spec, row.assignment_id, &mut rollups, 0).await?;
    finish(tx, deferred, &rollups).await
}

/// At most this many concurrent API activities are written in one transaction.
const MAX_GROUP: usize = 64;

/// An activity waiting for its group's transaction, and where its caller waits for the answer.
#[derive(Debug)]
pub(in crate::store) struct PendingWrite {
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

impl super::super::Store {
    /// Begins a transaction on the write path (for code that writes with it, in one
    /// transaction: [`count_review_change`], [`check_writable`]).
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        WriteTx::begin(self.db()).await
    }

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

    /// Writes a group of the API's activities, `bys[i]` reporting the i-th, each with its own
    /// audit entry and row back.
    async fn write_api_activities(
        &self,
        activities: &[NewActivity],
        bys: &[Change],
    ) -> Result<(Vec<ActivityRow>, Vec<EvidenceRow>), StoreError> {
        if bys.len() != activities.len() {
            return Err(StoreError::Invariant(
                "an activity without its reporter".into(),
            ));
        }
        let _turn = self.writer_turn().await;
        let mut tx = WriteTx::begin(self.db()).await?;
        let added = add_in(&mut tx, activities, bys, true).await;
        let added = tx.end(added.map(|a| (a, true))).await?;
        Ok((added.rows, added.evidence))
    }

    /// Records many activities in one transaction: all of them, or (on any error) none.
    /// One audit entry describes the batch.
    pub async fn add_activities(
        &self,
        activities: &[NewActivity],
        by: &Change,
    ) -> Result<Vec<i64>, StoreError> {
        if activities.is_empty() {
            return Ok(Vec::new());
        }
        let _turn = self.writer_turn().await;
        let mut tx = WriteTx::begin(self.db()).await?;
        let added = add_in(&mut tx, activities, std::slice::from_ref(by), false).await;
        Ok(tx.end(added.map(|a| (a, true))).await?.ids)
    }

    /// Corrects an activity: its date, kind, title, quantity, duration, attendance, whether it
    /// completes the deliverable, and note, as in `edited` (whose assignment and evidence are
    /// ignored). The tallies, summaries and roll-up counters move from the old values to the new
    /// ones in the same transaction, with an audit entry before → after. When it was recorded
    /// does not change (so on-time counting is the original report's). An edit that changes
    /// nothing writes nothing, not even an audit entry.
    pub async fn update_activity(
        &self,
        id: i64,
        edited: &NewActivity,
        by: &Change,
    ) -> Result<ActivityRow, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = WriteTx::begin(self.db()).await?;
        // Unchanged: the transaction ends unused (rolled back).
        let edited = edit_in(&mut tx, id, edited, by).await;
        tx.end(edited).await
    }

    /// Removes an activity and its evidence rows (the files stay until `kehoach files gc` finds
    /// them unreferenced), moving every aggregate back in the same transaction, with an audit
    /// entry holding what was removed. Returns the removed activity.
    pub async fn delete_activity(&self, id: i64, by: &Change) -> Result<ActivityRow, StoreError> {
        let _turn = self.writer_turn().await;
        let mut tx = WriteTx::begin(self.db()).await?;
        let deleted = delete_in(&mut tx, id, by).await;
        tx.end(deleted.map(|old| (old, true))).await
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::audit::AUDIT_INSERT;
    use super::{
        ACTIVITY_INSERT, EVIDENCE_INSERT, SUMMARY_UPDATE_POSTGRES, SUMMARY_UPDATE_SQLITE,
        TALLY_DELETE, TALLY_UPSERT,
    };

    /// `{}` takes a whole row source (`VALUES …` or `SELECT * FROM UNNEST(…)`), so no template
    /// may say VALUES itself.
    #[test]
    fn multi_row_templates_leave_the_row_source_to_multi_row() {
        for template in [
            ACTIVITY_INSERT,
            EVIDENCE_INSERT,
            TALLY_UPSERT,
            TALLY_DELETE,
            SUMMARY_UPDATE_SQLITE,
            SUMMARY_UPDATE_POSTGRES,
            AUDIT_INSERT,
        ] {
            assert_eq!(template.matches("{}").count(), 1, "{template}");
            assert!(!template.contains("VALUES {}"), "{template}");
        }
    }
}
