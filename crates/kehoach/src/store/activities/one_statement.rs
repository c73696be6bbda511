//! PostgreSQL: a group of API activities written in one statement.
//!
//! The general write path ([`super::super::Store::add_activities`]' inner part) is a
//! transaction of six round trips: BEGIN, the assignments' specs (locked), the activities, the
//! tallies, the summaries with the audit entries and counters, COMMIT. A profile of the API at
//! 5M activities put most of the machine's CPU in PostgreSQL's per-statement work and in the
//! loopback sends of those round trips. Here the same rows are written by one statement of
//! data-modifying CTEs, which PostgreSQL runs as one implicit transaction:
//!
//! - what an assignment's tallies depend on and that never changes after the plan's import
//!   (its task's targets, the plan's grace and windows) comes from a per-process cache, filled
//!   a plan at a time;
//! - what may change (the assignment's province, which a roll-up rebuild re-derives) is read
//!   from the assignment row inside the statement;
//! - the tallies' new values feed the period counters inside the statement: the threshold
//!   crossing of [`super::super::rollups::RollupDeltas::period`], in SQL. `tests/rollup.rs`
//!   checks on PostgreSQL that the counters equal the engine after API writes.
//!
//! Only additions that do not complete a deliverable come here: moving a done date needs the
//! assignment's current one, which the general path reads under a row lock. Nothing else here
//! needs a value read before the write: every counter moves by an upsert that adds to the row
//! as it is when the statement reaches it, so writers in other processes (or an edit in this
//! one) are counted exactly; a lock cycle with one of them is broken by PostgreSQL's deadlock
//! detection, and the group is then written again one activity at a time.

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::text::{fold, nfc};

use super::super::rollups::RollupDeltas;
use super::super::{Change, StoreError};
use super::{
    ACTIVITY_COLUMNS, ActivityRow, EvidenceRow, NewActivity, NewEvidence, additions, audit_view,
    distinct_assignments, sum_increments, summaries_of,
};

// The group's write is one statement of the CTEs below, those a group needs joined by commas
// (a group without evidence or plan totals does without theirs: every part costs PostgreSQL
// executor set-up on each run). Parameters, bound every time: the activities ($1–$14, one
// array element each, in input order), their evidence ($15–$21, `ord` = the activity's
// position from 1), the summaries ($22–$24), the tallies' changes ($25–$29), the period
// counters' inputs ($30–$36: a tally's change with one of its targets) and the plan totals'
// changes ($37–$40).

const INPUT: &str = "input AS ( \
   SELECT * FROM UNNEST($1::int8[], $2::date[], $3::text[], $4::text[], $5::float8[], $6::int8[], \
     $7::int8[], $8::text[], $9::int8[], $10::timestamptz[], $11::text[], $12::text[], $13::text[], \
     $14::timestamptz[]) WITH ORDINALITY AS i(assignment_id, occurred_on, kind, title, quantity, \
     duration_minutes, attendance, note, reported_by, recorded_at, search_text, audit, actor, \
     audit_at, ord))";

/// `{COLUMNS}`: [`ACTIVITY_COLUMNS`]. Ids come from the sequence in input order, so the
/// `numbered` row n is the input's n-th activity.
const ACTIVITIES: &str = "ins AS ( \
   INSERT INTO activities (assignment_id, occurred_on, kind, title, quantity, duration_minutes, \
     attendance, completes, note, reported_by, recorded_at, search_text) \
   SELECT assignment_id, occurred_on, kind, title, quantity, duration_minutes, attendance, FALSE, \
     note, reported_by, recorded_at, search_text FROM input ORDER BY ord \
   RETURNING {COLUMNS}), \
 numbered AS (SELECT ins.*, row_number() OVER (ORDER BY id) AS ord FROM ins)";

/// The evidence rows, and each activity's as the JSON array its audit entry shows.
const EVIDENCE: &str = "ev AS ( \
   INSERT INTO evidence (activity_id, kind, url, sha256, file_name, content_type, size_bytes) \
   SELECT n.id, e.kind, e.url, e.sha256, e.file_name, e.content_type, e.size_bytes \
   FROM UNNEST($15::int8[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], \
     $21::int8[]) WITH ORDINALITY AS e(ord, kind, url, sha256, file_name, content_type, size_bytes, \
     position) \
   JOIN numbered n ON n.ord = e.ord ORDER BY e.position \
   RETURNING id, activity_id, kind, url, sha256, file_name, content_type, size_bytes), \
 evj AS ( \
   SELECT activity_id, jsonb_agg(jsonb_build_object('id', id, 'activity_id', activity_id, \
     'kind', kind, 'url', url, 'sha256', sha256, 'file_name', file_name, \
     'content_type', content_type, 'size_bytes', size_bytes) ORDER BY id) AS evidence \
   FROM ev GROUP BY activity_id)";

/// The audit entries; the view built by the caller holds `"evidence": []`.
const AUDIT: &str = "aud AS ( \
   INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, before, after) \
   SELECT i.audit_at, i.reported_by, i.actor, 'create', 'activity', n.id::text, NULL, \
     i.audit::jsonb \
   FROM numbered n JOIN input i ON i.ord = n.ord ORDER BY n.id)";

const AUDIT_WITH_EVIDENCE: &str = "aud AS ( \
   INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, before, after) \
   SELECT i.audit_at, i.reported_by, i.actor, 'create', 'activity', n.id::text, NULL, \
     jsonb_set(i.audit::jsonb, '{evidence}', COALESCE(j.evidence, '[]'::jsonb)) \
   FROM numbered n JOIN input i ON i.ord = n.ord LEFT JOIN evj j ON j.activity_id = n.id \
   ORDER BY n.id)";

/// The assignments' summaries and activity counters; `summ` also gives each assignment's
/// current province to the counters below.
const SUMMARIES: &str = "summ AS ( \
   UPDATE assignments a SET activity_count = a.activity_count + s.added, \
     last_activity_on = GREATEST(a.last_activity_on, s.last_on) \
   FROM UNNEST($22::int8[], $23::int8[], $24::date[]) AS s(id, added, last_on) \
   WHERE a.id = s.id RETURNING a.id, a.task_id, a.province_id, s.added), \
 ru AS ( \
   INSERT INTO rollup_units (task_id, province_id, activities) \
   SELECT task_id, province_id, SUM(added) FROM summ GROUP BY task_id, province_id ORDER BY 1, 2 \
   ON CONFLICT (task_id, province_id) DO UPDATE \
   SET activities = rollup_units.activities + excluded.activities)";

const TALLIES: &str = "tal AS ( \
   INSERT INTO period_tallies (assignment_id, per, period_start, achieved, achieved_on_time) \
   SELECT * FROM UNNEST($25::int8[], $26::text[], $27::date[], $28::float8[], $29::float8[]) \
   ON CONFLICT (assignment_id, per, period_start) DO UPDATE \
   SET achieved = period_tallies.achieved + excluded.achieved, \
   achieved_on_time = period_tallies.achieved_on_time + excluded.achieved_on_time \
   RETURNING assignment_id, per, period_start, achieved, achieved_on_time)";

/// The period counters: [`RollupDeltas::period`] in SQL. Before and after are snapped to 0
/// under 1e-9 as `snap` does; then every non-zero value is ≥ 1e-9, so "under the smallest
/// positive number" (touched) is "≤ 0".
const PERIOD_COUNTERS: &str = "moves AS ( \
   SELECT m.target_id, a.province_id, m.period_start, m.count, m.inc_achieved, \
     CASE WHEN abs(t.achieved - m.inc_achieved) < 1e-9::float8 THEN 0::float8 \
       ELSE t.achieved - m.inc_achieved END AS b0, \
     CASE WHEN abs(t.achieved_on_time - m.inc_on_time) < 1e-9::float8 THEN 0::float8 \
       ELSE t.achieved_on_time - m.inc_on_time END AS b1, \
     CASE WHEN abs(t.achieved) < 1e-9::float8 THEN 0::float8 ELSE t.achieved END AS a0, \
     CASE WHEN abs(t.achieved_on_time) < 1e-9::float8 THEN 0::float8 \
       ELSE t.achieved_on_time END AS a1 \
   FROM UNNEST($30::int8[], $31::text[], $32::date[], $33::int8[], $34::float8[], $35::float8[], \
     $36::float8[]) AS m(assignment_id, per, period_start, target_id, count, inc_achieved, \
     inc_on_time) \
   JOIN tal t ON t.assignment_id = m.assignment_id AND t.per = m.per \
     AND t.period_start = m.period_start \
   JOIN summ a ON a.id = m.assignment_id), \
 rp AS ( \
   INSERT INTO rollup_periods (target_id, province_id, period_start, touched, met, met_on_time, \
     achieved) \
   SELECT target_id, province_id, period_start, \
     SUM((b0 <= 0 AND a0 > 0)::int - (b0 > 0 AND a0 <= 0)::int), \
     SUM((b0 < count AND a0 >= count)::int - (b0 >= count AND a0 < count)::int), \
     SUM((b1 < count AND a1 >= count)::int - (b1 >= count AND a1 < count)::int), \
     SUM(inc_achieved) \
   FROM moves GROUP BY target_id, province_id, period_start ORDER BY 1, 2, 3 \
   ON CONFLICT (target_id, province_id, period_start) DO UPDATE SET \
   touched = rollup_periods.touched + excluded.touched, \
   met = rollup_periods.met + excluded.met, \
   met_on_time = rollup_periods.met_on_time + excluded.met_on_time, \
   achieved = rollup_periods.achieved + excluded.achieved)";

const PLAN_TOTALS: &str = "rt AS ( \
   INSERT INTO rollup_totals (target_id, assignment_id, province_id, achieved, achieved_on_time) \
   SELECT x.target_id, x.assignment_id, a.province_id, x.achieved, x.on_time \
   FROM UNNEST($37::int8[], $38::int8[], $39::float8[], $40::float8[]) \
     AS x(target_id, assignment_id, achieved, on_time) \
   JOIN summ a ON a.id = x.assignment_id ORDER BY 1, 2 \
   ON CONFLICT (target_id, assignment_id) DO UPDATE SET \
   achieved = rollup_totals.achieved + excluded.achieved, \
   achieved_on_time = rollup_totals.achieved_on_time + excluded.achieved_on_time)";

/// Which parts a group's statement needs.
#[derive(Debug, Clone, Copy)]
struct Parts {
    evidence: bool,
    tallies: bool,
    period_counters: bool,
    plan_totals: bool,
}

/// Every group statement, built once, by [`Parts::index`].
static STATEMENTS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    (0..16)
        .map(|bits: usize| {
            Parts {
                evidence: bits & 1 != 0,
                tallies: bits & 2 != 0,
                period_counters: bits & 4 != 0,
                plan_totals: bits & 8 != 0,
            }
            .build()
        })
        .collect()
});

impl Parts {
    /// The statement (16 texts, each prepared once per connection).
    fn sql(self) -> &'static str {
        &STATEMENTS[self.index()]
    }

    fn index(self) -> usize {
        usize::from(self.evidence)
            | usize::from(self.tallies) << 1
            | usize::from(self.period_counters) << 2
            | usize::from(self.plan_totals) << 3
    }

    fn build(self) -> String {
        let mut ctes = vec![INPUT, ACTIVITIES];
        if self.evidence {
            ctes.extend([EVIDENCE, AUDIT_WITH_EVIDENCE]);
        } else {
            ctes.push(AUDIT);
        }
        ctes.push(SUMMARIES);
        if self.tallies {
            ctes.push(TALLIES);
        }
        if self.tallies && self.period_counters {
            ctes.push(PERIOD_COUNTERS);
        }
        if self.plan_totals {
            ctes.push(PLAN_TOTALS);
        }
        let evidence = if self.evidence {
            "(SELECT j.evidence::text FROM evj j WHERE j.activity_id = n.id)"
        } else {
            "NULL::text"
        };
        format!(
            "WITH {} SELECT {ACTIVITY_COLUMNS}, {evidence} AS evidence_json FROM numbered n ORDER BY n.id",
            ctes.join(", ")
        )
        .replace("{COLUMNS}", ACTIVITY_COLUMNS)
    }
}

/// An activity as written, with its evidence rows as JSON.
#[derive(sqlx::FromRow)]
struct Written {
    #[sqlx(flatten)]
    row: ActivityRow,
    evidence_json: Option<String>,
}

/// The statement's array parameters, a column each.
#[derive(Default)]
struct Columns {
    assignment: Vec<i64>,
    occurred_on: Vec<NaiveDate>,
    kind: Vec<String>,
    title: Vec<String>,
    quantity: Vec<f64>,
    duration: Vec<Option<i64>>,
    attendance: Vec<Option<i64>>,
    note: Vec<String>,
    reported_by: Vec<Option<i64>>,
    recorded_at: Vec<DateTime<Utc>>,
    search: Vec<String>,
    audit: Vec<String>,
    actor: Vec<String>,
    audit_at: Vec<DateTime<Utc>>,
    ev_ord: Vec<i64>,
    ev_kind: Vec<&'static str>,
    ev_url: Vec<Option<String>>,
    ev_sha: Vec<Option<String>>,
    ev_name: Vec<Option<String>>,
    ev_type: Vec<Option<String>>,
    ev_size: Vec<Option<i64>>,
}

/// Whether a group may be written by [`write_group`]: it adds no completion.
pub(super) fn fits(activities: &[NewActivity]) -> bool {
    activities.iter().all(|a| !a.completes)
}

impl super::super::Store {
    /// Writes `activities` (none completes: see [`fits`]), each reported by `bys[i]`, with
    /// their evidence, audit entries, tallies, summaries and counters, in one statement.
    pub(super) async fn write_group(
        &self,
        pool: &sqlx::PgPool,
        activities: &[NewActivity],
        bys: &[Change],
    ) -> Result<(Vec<ActivityRow>, Vec<EvidenceRow>), StoreError> {
        let specs = self.fixed_specs(&distinct_assignments(activities)).await?;
        let now = Utc::now();

        let mut c = Columns::default();
        for (i, a) in activities.iter().enumerate() {
            let by = bys
                .get(i)
                .ok_or_else(|| StoreError::Invariant("an activity without its reporter".into()))?;
            // The row as it will be stored, but for its id: the audit entry's view of it.
            let row = ActivityRow {
                id: 0,
                assignment_id: a.assignment_id,
                occurred_on: a.occurred_on,
                kind: nfc(&a.kind),
                title: nfc(&a.title),
                quantity: a.quantity,
                duration_minutes: a.duration_minutes,
                attendance: a.attendance,
                completes: false,
                note: nfc(&a.note),
                reported_by: by.user_id,
                recorded_at: a.recorded_at.unwrap_or(now),
                review_state: String::new(),
            };
            c.audit
                .push(audit_view(&row, &serde_json::json!([])).to_string());
            c.actor.push(by.actor.clone());
            c.audit_at.push(now);
            c.search.push(fold(&row.title));
            c.assignment.push(row.assignment_id);
            c.occurred_on.push(row.occurred_on);
            c.kind.push(row.kind);
            c.title.push(row.title);
            c.quantity.push(row.quantity);
            c.duration.push(row.duration_minutes);
            c.attendance.push(row.attendance);
            c.note.push(row.note);
            c.reported_by.push(row.reported_by);
            c.recorded_at.push(row.recorded_at);
            for evidence in &a.evidence {
                c.ev_ord.push(i as i64 + 1);
                match evidence {
                    NewEvidence::Url { url } => {
                        c.ev_kind.push("url");
                        c.ev_url.push(Some(url.clone()));
                        c.ev_sha.push(None);
                        c.ev_name.push(None);
                        c.ev_type.push(None);
                        c.ev_size.push(None);
                    }
                    NewEvidence::File {
                        sha256,
                        file_name,
                        content_type,
                        size_bytes,
                    } => {
                        c.ev_kind.push("file");
                        c.ev_url.push(None);
                        c.ev_sha.push(Some(sha256.clone()));
                        c.ev_name.push(Some(file_name.clone()));
                        c.ev_type.push(Some(content_type.clone()));
                        c.ev_size.push(Some(*size_bytes));
                    }
                }
            }
        }
        let changes = additions(activities, now);
        let summaries = summaries_of(activities);

        // The tallies' changes, summed per tally; the plan totals' changes (the province
        // in them is the cache's 0 and is not used: the statement joins the assignment).
        let mut deltas = RollupDeltas::default();
        let sums = sum_increments(&specs, &changes, &mut deltas);
        let (mut t_assignment, mut t_per, mut t_start, mut t_achieved, mut t_on_time) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut m_assignment, mut m_per, mut m_start, mut m_target, mut m_count) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let (mut m_achieved, mut m_on_time) = (Vec::new(), Vec::new());
        for ((assignment, per, start), (_, bucket)) in &sums {
            t_assignment.push(*assignment);
            t_per.push(per.as_str());
            t_start.push(*start);
            t_achieved.push(bucket.achieved);
            t_on_time.push(bucket.on_time_achieved);
            if !per.is_recurring() {
                continue;
            }
            for target in specs[assignment]
                .rollup
                .targets
                .iter()
                .filter(|t| t.per == *per)
            {
                m_assignment.push(*assignment);
                m_per.push(per.as_str());
                m_start.push(*start);
                m_target.push(target.id);
                m_count.push(target.count);
                m_achieved.push(bucket.achieved);
                m_on_time.push(bucket.on_time_achieved);
            }
        }
        let (mut x_target, mut x_assignment, mut x_achieved, mut x_on_time) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for ((target, assignment), (_, achieved, on_time)) in &deltas.totals {
            x_target.push(*target);
            x_assignment.push(*assignment);
            x_achieved.push(*achieved);
            x_on_time.push(*on_time);
        }
        let s_id: Vec<i64> = summaries.keys().copied().collect();
        let s_added: Vec<i64> = summaries.values().map(|s| s.added).collect();
        let s_last: Vec<Option<NaiveDate>> = summaries.values().map(|s| s.last_on).collect();

        let sql = Parts {
            evidence: !c.ev_ord.is_empty(),
            tallies: !t_assignment.is_empty(),
            period_counters: !m_assignment.is_empty(),
            plan_totals: !x_target.is_empty(),
        }
        .sql();
        let written: Vec<Written> = sqlx::query_as(sql)
            .bind(&c.assignment)
            .bind(&c.occurred_on)
            .bind(&c.kind)
            .bind(&c.title)
            .bind(&c.quantity)
            .bind(&c.duration)
            .bind(&c.attendance)
            .bind(&c.note)
            .bind(&c.reported_by)
            .bind(&c.recorded_at)
            .bind(&c.search)
            .bind(&c.audit)
            .bind(&c.actor)
            .bind(&c.audit_at)
            .bind(&c.ev_ord)
            .bind(&c.ev_kind)
            .bind(&c.ev_url)
            .bind(&c.ev_sha)
            .bind(&c.ev_name)
            .bind(&c.ev_type)
            .bind(&c.ev_size)
            .bind(&s_id)
            .bind(&s_added)
            .bind(&s_last)
            .bind(&t_assignment)
            .bind(&t_per)
            .bind(&t_start)
            .bind(&t_achieved)
            .bind(&t_on_time)
            .bind(&m_assignment)
            .bind(&m_per)
            .bind(&m_start)
            .bind(&m_target)
            .bind(&m_count)
            .bind(&m_achieved)
            .bind(&m_on_time)
            .bind(&x_target)
            .bind(&x_assignment)
            .bind(&x_achieved)
            .bind(&x_on_time)
            .fetch_all(pool)
            .await?;
        if written.len() != activities.len() {
            return Err(StoreError::Invariant(format!(
                "{} activities written, {} rows returned",
                activities.len(),
                written.len()
            )));
        }
        let mut rows = Vec::with_capacity(written.len());
        let mut evidence = Vec::new();
        for w in written {
            if let Some(json) = w.evidence_json {
                let mine: Vec<EvidenceRow> = serde_json::from_str(&json).map_err(|e| {
                    StoreError::Invariant(format!("evidence rows of the group write: {e}"))
                })?;
                evidence.extend(mine);
            }
            rows.push(w.row);
        }
        evidence.sort_unstable_by_key(|e| e.id);
        Ok((rows, evidence))
    }
}
