//! SQLite: a group of API activities written in two calls to the connection's thread.
//!
//! sqlx runs each SQLite connection on a thread of its own, and every call is a hand-off to
//! that thread and back. `perf record` of the server under `wrk -c4` POSTs (1M activities) put
//! about half of its CPU in the kernel, scheduling those hand-offs, against 4 % in SQLite's own
//! work. The general write path makes six calls a group (BEGIN, the specs, the activities, the
//! tallies, the folded writes, COMMIT). Here the same statements go in two texts of several
//! statements, and sqlx runs each text in one call:
//!
//! 1. `BEGIN IMMEDIATE`; the assignments' province and done date; the activities' insert and
//!    the tallies' upsert, both returning their rows. The tallies' change needs only the
//!    fixed part of the specs, which is cached ([`super::spec_cache`]).
//! 2. The summaries, the audit entries and the counters, whose moves are computed from what
//!    call 1 returned; then `COMMIT`.
//!
//! A group with evidence makes one more call between the two: the audit entries show the
//! evidence rows with their ids. `BEGIN IMMEDIATE` takes SQLite's write lock first, so what
//! call 1 reads (the done date a completion moves) cannot change before the commit.
//!
//! The transaction is opened in SQL rather than by sqlx's `begin`, so it is ended here: on any
//! error the connection rolls back, and is closed instead of going back to the pool when even
//! that fails.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sqlx::{FromRow, Row, SqliteConnection};

use super::super::rollups::{
    Arg, FoldedWrites, Marks, RollupDeltas, bind_args, execute_folded, flush_rollups,
    rows_per_statement, values_list,
};
use super::super::{Change, StoreError};
use super::{
    ACTIVITY_COLUMNS, ACTIVITY_INSERT, AUDIT_INSERT, ActivityRow, EVIDENCE_INSERT, EvidenceRow,
    NewActivity, SUMMARY_UPDATE, TALLY_DELETE, TALLY_UPSERT, TallyKey, TallySpec, activity_args,
    additions, count_summaries, creation_audit_args, distinct_assignments, evidence_args,
    insert_evidence, sum_increments, summaries_of, summary_args, tallies_moved, tally_after,
    tally_args, tally_key_args,
};

/// Call 1's rows carry their statement's tag first: an assignment's current state, an
/// activity, a tally.
const STATE: &str = "SELECT 's', id, province_id, done_on FROM assignments \
     WHERE id IN (SELECT column1 FROM (VALUES {}))";

impl super::super::Store {
    /// Writes `activities`, each reported by `bys[i]`, with their evidence, audit entries,
    /// tallies, summaries and counters, in one transaction of two (with evidence, three) calls.
    /// The caller holds the writer's turn.
    pub(super) async fn write_group_sqlite(
        &self,
        pool: &sqlx::SqlitePool,
        activities: &[NewActivity],
        bys: &[Change],
    ) -> Result<(Vec<ActivityRow>, Vec<EvidenceRow>), StoreError> {
        if bys.len() != activities.len() {
            return Err(StoreError::Invariant(
                "an activity without its reporter".into(),
            ));
        }
        let ids = distinct_assignments(activities);
        let specs = self.fixed_specs(&ids).await?;
        let mut conn = pool.acquire().await?;
        let written = write_on(&mut conn, specs, &ids, activities, bys).await;
        if written.is_err() && sqlx::query("ROLLBACK").execute(&mut *conn).await.is_err() {
            // No transaction left open (BEGIN itself failed), or a connection in an unknown
            // state: either way a new connection is the safe one.
            conn.close_on_drop();
        }
        written
    }
}

async fn write_on(
    conn: &mut SqliteConnection,
    mut specs: HashMap<i64, TallySpec>,
    ids: &[i64],
    activities: &[NewActivity],
    bys: &[Change],
) -> Result<(Vec<ActivityRow>, Vec<EvidenceRow>), StoreError> {
    let now = Utc::now();
    let changes = additions(activities, now);
    // The tallies' change depends on the fixed specs only (the counters' moves, computed
    // below from the current province, are thrown away here).
    let sums = sum_increments(&specs, &changes, &mut RollupDeltas::default());

    let mut first = FoldedWrites::new(Marks::Question);
    first.push("BEGIN IMMEDIATE", 0, Vec::new());
    first.push(
        STATE,
        ids.len(),
        ids.iter().map(|id| Arg::I64(*id)).collect(),
    );
    let args = activities
        .iter()
        .zip(bys)
        .flat_map(|(a, by)| activity_args(a, by, now))
        .collect();
    first.push(
        &format!("{ACTIVITY_INSERT} RETURNING 'a', {ACTIVITY_COLUMNS}"),
        activities.len(),
        args,
    );
    if !sums.is_empty() {
        let args = sums
            .iter()
            .flat_map(|(key, (_, change))| tally_args(key, change))
            .collect();
        first.push(
            &TALLY_UPSERT.replacen("RETURNING ", "RETURNING 't', ", 1),
            sums.len(),
            args,
        );
    }
    let sql = first.sql();
    let returned = bind_args!(sqlx::query(&sql), first.args())
        .fetch_all(&mut *conn)
        .await?;

    let mut rows: Vec<ActivityRow> = Vec::with_capacity(activities.len());
    let mut after: HashMap<TallyKey, (f64, f64)> = HashMap::with_capacity(sums.len());
    let mut current: HashSet<i64> = HashSet::with_capacity(ids.len());
    for row in &returned {
        match row.try_get::<&str, _>(0)? {
            "s" => {
                let id: i64 = row.try_get(1)?;
                if let Some(spec) = specs.get_mut(&id) {
                    spec.rollup.province_id = row.try_get(2)?;
                    spec.done_on = row.try_get(3)?;
                    current.insert(id);
                }
            }
            "a" => rows.push(ActivityRow::from_row(row)?),
            _ => tally_after(
                (
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                    row.try_get(4)?,
                    row.try_get(5)?,
                ),
                &mut after,
            ),
        }
    }
    if let Some(missing) = ids.iter().find(|id| !current.contains(id)) {
        return Err(StoreError::NotFound(format!("assignment {missing}")));
    }
    if rows.len() != activities.len() {
        return Err(StoreError::Invariant(format!(
            "{} activities inserted, {} rows returned",
            activities.len(),
            rows.len()
        )));
    }
    // Ids are handed out in VALUES order: sorted, the rows line up with the input.
    rows.sort_unstable_by_key(|r| r.id);

    let evidence = insert_evidence!(conn, rows.iter().map(|r| r.id), activities, Marks::Question);

    // The counters, now with each assignment's current province and done date.
    let mut rollups = RollupDeltas::default();
    let sums = sum_increments(&specs, &changes, &mut rollups);
    let emptied = tallies_moved(&specs, &sums, &after, &mut rollups)?;
    let summaries = summaries_of(activities);
    count_summaries(&specs, &summaries, &mut rollups);

    let mut second = FoldedWrites::new(Marks::Question);
    second.push(SUMMARY_UPDATE, summaries.len(), summary_args(&summaries));
    for (row, by) in rows.iter().zip(bys) {
        second.push(
            AUDIT_INSERT,
            1,
            creation_audit_args(row, &evidence, by, now).into(),
        );
    }
    if !emptied.is_empty() {
        let args = emptied.iter().flat_map(tally_key_args).collect();
        second.push(TALLY_DELETE, emptied.len(), args);
    }
    // A completion that moves a done date earlier takes a counter down, and a counter at
    // zero is deleted: the general flush does that, in calls of its own.
    let decrements = rollups.has_decrements();
    if !decrements {
        second.push_rollups(&rollups);
        second.push("COMMIT", 0, Vec::new());
    }
    execute_folded!(&mut *conn, &second);
    if decrements {
        flush_rollups!(conn, &rollups, Marks::Question);
        sqlx::query("COMMIT").execute(&mut *conn).await?;
    }
    Ok((rows, evidence))
}
