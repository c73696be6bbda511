//! Roll-up aggregates: counts per task × province (and per recurring target × province ×
//! period) that national dashboards read instead of every assignment's tallies.
//!
//! They are kept current exactly like `period_tallies`: in the transaction of each activity
//! write ([`RollupDeltas`], filled by `add_activities` and flushed before its commit) and of each
//! plan write (assignment counts). A counter of `rollup_periods` moves when an assignment's
//! period tally *crosses* a threshold — from nothing to something (`touched`), from below the
//! target count to it (`met`), and the same for the part recorded in time (`met_on_time`) — so it
//! always equals the number of assignments whose tally is past that threshold. Quantities are
//! positive, so tallies only grow and each threshold is crossed at most once.
//!
//! A database migrated from before these tables is filled once from the tallies at start-up
//! ([`super::Store::ensure_rollups`]); [`super::Store::rebuild_rollups`] recomputes them from the
//! tallies at any time (the tests compare both).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kehoach_core::compliance::Increment;
use kehoach_core::period::{Per, Period};

use super::tx::WriteTx;
use super::{StoreError, on_pool};

const META_KEY: &str = "rollups_version";
const VERSION: &str = "1";

/// Finds the province a unit lies in (itself, for a province); 0 when none.
pub(crate) const PROVINCE_OF_UNIT: &str = "WITH RECURSIVE up(id, parent_id, kind, depth) AS ( \
     SELECT id, parent_id, kind, 0 FROM units WHERE id = $1 \
     UNION ALL SELECT u.id, u.parent_id, u.kind, up.depth + 1 FROM units u JOIN up ON u.id = up.parent_id \
     WHERE up.depth < 16) \
     SELECT id FROM up WHERE kind = 'province' ORDER BY depth LIMIT 1";

/// One target of an assignment, as the roll-ups need it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpecTarget {
    pub id: i64,
    pub per: Per,
    pub count: f64,
}

/// What an activity of an assignment changes in the roll-ups.
#[derive(Debug, Clone)]
pub(crate) struct RollupSpec {
    pub task_id: i64,
    pub province_id: i64,
    pub targets: Vec<SpecTarget>,
    /// The window of a plan-total target, when it does not depend on the evaluation date.
    pub closed_window: Option<Period>,
}

/// The window of a task whose both ends are known (the plan's period, or the task's own window,
/// borrowing the plan's end): the span every plan-total target of the task is measured over.
/// `None` when the span depends on the evaluation date (no start, or no end).
pub fn closed_window(
    plan_from: Option<NaiveDate>,
    plan_to: Option<NaiveDate>,
    task_from: Option<NaiveDate>,
    task_to: Option<NaiveDate>,
) -> Option<Period> {
    let (from, to) = match task_from {
        Some(from) => (from, task_to.or(plan_to)?),
        None => (plan_from?, plan_to?),
    };
    Some(
        Period {
            start: from,
            end: to,
        }
        .normalized(),
    )
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PeriodDelta {
    pub touched: i64,
    pub met: i64,
    pub met_on_time: i64,
    pub achieved: f64,
}

/// Changes to the roll-ups collected over one transaction's activities, written by
/// [`Deferred::push_rollups`] before it commits.
#[derive(Debug, Default)]
pub(crate) struct RollupDeltas {
    pub activities: BTreeMap<(i64, i64), i64>,
    pub periods: BTreeMap<(i64, i64, NaiveDate), PeriodDelta>,
    pub done: BTreeMap<(i64, i64, NaiveDate), i64>,
    pub totals: BTreeMap<(i64, i64), (i64, f64, f64)>,
}

impl RollupDeltas {
    /// `n` activities added to (or, negative, removed from) an assignment.
    pub fn activities(&mut self, spec: &RollupSpec, n: i64) {
        *self
            .activities
            .entry((spec.task_id, spec.province_id))
            .or_default() += n;
    }

    /// A change `inc` (the sum of a transaction's increments, positive or negative) of the
    /// assignment's `per` tally, which now holds `after` (achieved, achieved on time). A counter
    /// moves up when the tally crosses its threshold upwards, and down when it falls below it.
    pub fn period(&mut self, spec: &RollupSpec, per: Per, inc: &Increment, after: (f64, f64)) {
        let before = (
            after.0 - inc.bucket.achieved,
            after.1 - inc.bucket.on_time_achieved,
        );
        for t in spec.targets.iter().filter(|t| t.per == per) {
            let [touched, met, met_on_time] = crossings(before, after, t.count);
            let d = self
                .periods
                .entry((t.id, spec.province_id, inc.period.start))
                .or_default();
            d.touched += touched;
            d.met += met;
            d.met_on_time += met_on_time;
            d.achieved += inc.bucket.achieved;
        }
    }

    /// One activity's day increment (or its reversal), for the plan-total targets of a closed
    /// window.
    pub fn total(&mut self, spec: &RollupSpec, assignment_id: i64, inc: &Increment) {
        let Some(window) = spec.closed_window else {
            return;
        };
        if !window.contains(inc.period.start) {
            return;
        }
        for t in spec.targets.iter().filter(|t| t.per == Per::Plan) {
            let e =
                self.totals
                    .entry((t.id, assignment_id))
                    .or_insert((spec.province_id, 0.0, 0.0));
            e.1 += inc.bucket.achieved;
            e.2 += inc.bucket.on_time_achieved;
        }
    }

    /// An assignment's done date moved from `before` to `after` (either may be none: an
    /// activity that completes was added, or the last one removed).
    pub fn done(&mut self, spec: &RollupSpec, before: Option<NaiveDate>, after: Option<NaiveDate>) {
        if before == after {
            return;
        }
        if let Some(b) = before {
            *self
                .done
                .entry((spec.task_id, spec.province_id, b))
                .or_default() -= 1;
        }
        if let Some(a) = after {
            *self
                .done
                .entry((spec.task_id, spec.province_id, a))
                .or_default() += 1;
        }
    }

    pub fn has_decrements(&self) -> bool {
        self.activities.values().any(|n| *n < 0)
            || self.done.values().any(|n| *n < 0)
            || self
                .periods
                .values()
                .any(|d| d.touched < 0 || d.achieved < 0.0)
            || self.totals.values().any(|t| t.1 < 0.0)
    }
}

/// A tally that went back to (about) nothing is nothing: sums of float quantities added and
/// removed again may leave 1e-17 behind, which must not count as "touched".
pub(crate) fn snap(x: f64) -> f64 {
    if x.abs() < 1e-9 { 0.0 } else { x }
}

/// What a period tally (achieved, achieved on time) means for a target of `count` per period:
/// whether it counts as touched, met, and met on time (each 0 or 1). The one definition of the
/// period counters: `rollup_periods` holds, per target × province × period, the sum of these
/// over the assignments (`rebuild` recomputes the same sums in SQL, as the check).
pub(crate) fn counts((achieved, on_time): (f64, f64), count: f64) -> [i64; 3] {
    let (achieved, on_time) = (snap(achieved), snap(on_time));
    [
        i64::from(achieved > 0.0),
        i64::from(achieved >= count),
        i64::from(on_time >= count),
    ]
}

/// How a tally's change from `before` to `after` moves a target's counters: +1 where it
/// crosses a threshold upwards, -1 where it falls back below it.
pub(crate) fn crossings(before: (f64, f64), after: (f64, f64), count: f64) -> [i64; 3] {
    let (b, a) = (counts(before, count), counts(after, count));
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

/// At most this many bind parameters in one statement: under SQLite's 32,766 and PostgreSQL's
/// 65,535.
pub(crate) const MAX_BINDS: usize = 30_000;
/// At most this many rows in one multi-row statement (a few sizes, so prepared statements are
/// reused from the cache).
pub(crate) const MAX_ROWS: usize = 1_000;

/// How many rows of `columns` values fit in one statement.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (MAX_BINDS / columns).clamp(1, MAX_ROWS)
}

/// How a multi-row statement writes its parameters. SQLite looks a numbered parameter's name
/// up by a linear walk (`sqlite3_bind_parameter_name`), which makes binding n of them O(n²):
/// 12,000 parameters took most of a batch's time. Plain `?` is positional and costs nothing.
/// PostgreSQL needs `$N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marks {
    Dollar,
    Question,
}

impl Marks {
    fn push(self, sql: &mut String, n: usize) {
        match self {
            Marks::Dollar => {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
            Marks::Question => sql.push('?'),
        }
    }
}

/// `($1, $2), ($3, $4), …` (or `(?, ?), …`): `rows` tuples of `columns` parameters.
pub(crate) fn values_list(rows: usize, columns: usize, marks: Marks) -> String {
    let mut sql = String::with_capacity(rows * columns * 6);
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            marks.push(&mut sql, r * columns + c + 1);
        }
        sql.push(')');
    }
    sql
}

/// `$1, $2, …, $n` (or `?, ?, …`).
pub(crate) fn placeholders(n: usize, marks: Marks) -> String {
    let mut sql = String::with_capacity(n * 6);
    for i in 1..=n {
        if i > 1 {
            sql.push_str(", ");
        }
        marks.push(&mut sql, i);
    }
    sql
}

/// After decrements (edits, deletions), the counter rows left at zero are removed, so the
/// counters equal a rebuild from the tallies row for row. Run after the counters' upserts have
/// been sent ([`Deferred::send`]): only edits and deletions get here, touching a few keys each.
pub(crate) async fn delete_emptied_counters(
    tx: &mut WriteTx,
    deltas: &RollupDeltas,
) -> Result<(), StoreError> {
    if !deltas.has_decrements() {
        return Ok(());
    }
    for (task, province, on) in deltas.done.keys() {
        tx.execute(
            "DELETE FROM rollup_done WHERE task_id = $1 AND province_id = $2 AND done_on = $3 \
             AND assignments = 0",
            &[Arg::I64(*task), Arg::I64(*province), Arg::Date(*on)],
        )
        .await?;
    }
    for (target, province, start) in deltas.periods.keys() {
        tx.execute(
            "DELETE FROM rollup_periods WHERE target_id = $1 AND province_id = $2 \
             AND period_start = $3 AND touched = 0 AND met = 0 AND met_on_time = 0 \
             AND achieved > -1e-9 AND achieved < 1e-9",
            &[Arg::I64(*target), Arg::I64(*province), Arg::Date(*start)],
        )
        .await?;
    }
    for (target, assignment) in deltas.totals.keys() {
        tx.execute(
            "DELETE FROM rollup_totals WHERE target_id = $1 AND assignment_id = $2 \
             AND achieved > -1e-9 AND achieved < 1e-9",
            &[Arg::I64(*target), Arg::I64(*assignment)],
        )
        .await?;
    }
    Ok(())
}

/// One bound value of a [`FoldedWrites`] statement.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    I64(i64),
    OptI64(Option<i64>),
    F64(f64),
    Date(NaiveDate),
    OptDate(Option<NaiveDate>),
    Text(String),
    OptText(Option<String>),
    Bool(bool),
    Json(Option<serde_json::Value>),
    Time(chrono::DateTime<chrono::Utc>),
}

/// Binds `$args` (a slice of [`Arg`], outliving the query) to the query `$q`, in order.
macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        use $crate::store::rollups::Arg;
        let mut q = $q;
        for arg in $args {
            q = match arg {
                Arg::I64(v) => q.bind(*v),
                Arg::OptI64(v) => q.bind(*v),
                Arg::F64(v) => q.bind(*v),
                Arg::Date(v) => q.bind(*v),
                Arg::OptDate(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.as_str()),
                Arg::OptText(v) => q.bind(v.as_deref()),
                Arg::Bool(v) => q.bind(*v),
                Arg::Json(v) => q.bind(v.as_ref().map(sqlx::types::Json)),
                Arg::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}
pub(crate) use bind_args;

/// One column of a multi-row statement's values, bound on PostgreSQL as one array and read
/// back with `UNNEST` (see [`multi_row`]).
#[derive(Debug, Clone)]
pub(crate) enum Column {
    I64(Vec<Option<i64>>),
    F64(Vec<f64>),
    Date(Vec<Option<NaiveDate>>),
    Text(Vec<Option<String>>),
    Bool(Vec<bool>),
    Json(Vec<Option<sqlx::types::Json<serde_json::Value>>>),
    Time(Vec<chrono::DateTime<chrono::Utc>>),
}

impl Column {
    /// An empty column for values like `first`.
    fn like(first: &Arg) -> Column {
        match first {
            Arg::I64(_) | Arg::OptI64(_) => Column::I64(Vec::new()),
            Arg::F64(_) => Column::F64(Vec::new()),
            Arg::Date(_) | Arg::OptDate(_) => Column::Date(Vec::new()),
            Arg::Text(_) | Arg::OptText(_) => Column::Text(Vec::new()),
            Arg::Bool(_) => Column::Bool(Vec::new()),
            Arg::Json(_) => Column::Json(Vec::new()),
            Arg::Time(_) => Column::Time(Vec::new()),
        }
    }

    /// Appends `arg`; false when it is not of this column's type.
    fn push(&mut self, arg: &Arg) -> bool {
        match (self, arg) {
            (Column::I64(c), Arg::I64(v)) => c.push(Some(*v)),
            (Column::I64(c), Arg::OptI64(v)) => c.push(*v),
            (Column::F64(c), Arg::F64(v)) => c.push(*v),
            (Column::Date(c), Arg::Date(v)) => c.push(Some(*v)),
            (Column::Date(c), Arg::OptDate(v)) => c.push(*v),
            (Column::Text(c), Arg::Text(v)) => c.push(Some(v.clone())),
            (Column::Text(c), Arg::OptText(v)) => c.push(v.clone()),
            (Column::Bool(c), Arg::Bool(v)) => c.push(*v),
            (Column::Json(c), Arg::Json(v)) => c.push(v.clone().map(sqlx::types::Json)),
            (Column::Time(c), Arg::Time(v)) => c.push(*v),
            _ => return false,
        }
        true
    }

    /// The PostgreSQL type of the column's array.
    fn array_type(&self) -> &'static str {
        match self {
            Column::I64(_) => "bigint[]",
            Column::F64(_) => "float8[]",
            Column::Date(_) => "date[]",
            Column::Text(_) => "text[]",
            Column::Bool(_) => "boolean[]",
            Column::Json(_) => "jsonb[]",
            Column::Time(_) => "timestamptz[]",
        }
    }

    /// Binds the column as one parameter of a PostgreSQL statement.
    pub fn bind_to<'q>(
        &'q self,
        q: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
        match self {
            Column::I64(v) => q.bind(v),
            Column::F64(v) => q.bind(v),
            Column::Date(v) => q.bind(v),
            Column::Text(v) => q.bind(v),
            Column::Bool(v) => q.bind(v),
            Column::Json(v) => q.bind(v),
            Column::Time(v) => q.bind(v),
        }
    }

    /// Binds the column as one parameter of a PostgreSQL query.
    pub fn bind<'q, O>(
        &'q self,
        q: sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::QueryAs<'q, sqlx::Postgres, O, sqlx::postgres::PgArguments> {
        match self {
            Column::I64(v) => q.bind(v),
            Column::F64(v) => q.bind(v),
            Column::Date(v) => q.bind(v),
            Column::Text(v) => q.bind(v),
            Column::Bool(v) => q.bind(v),
            Column::Json(v) => q.bind(v),
            Column::Time(v) => q.bind(v),
        }
    }
}

/// The values of a statement as its backend binds them: one parameter a value, or (PostgreSQL's
/// multi-row statements) one array a column.
#[derive(Debug, Clone)]
pub(crate) enum Bound {
    Values(Vec<Arg>),
    Columns(Vec<Column>),
}

impl Bound {
    pub fn empty(marks: Marks) -> Bound {
        match marks {
            Marks::Question => Bound::Values(Vec::new()),
            Marks::Dollar => Bound::Columns(Vec::new()),
        }
    }

    /// How many parameters the statement has so far.
    pub fn params(&self) -> usize {
        match self {
            Bound::Values(v) => v.len(),
            Bound::Columns(c) => c.len(),
        }
    }

    fn extend(&mut self, more: Bound) -> Result<(), StoreError> {
        match (self, more) {
            (Bound::Values(v), Bound::Values(m)) => v.extend(m),
            (Bound::Columns(c), Bound::Columns(m)) => c.extend(m),
            _ => {
                return Err(StoreError::Invariant(
                    "values and columns in one statement".into(),
                ));
            }
        }
        Ok(())
    }
}

/// Fills the `{}` of `template` with the rows of `args` (`columns` values a row), parameters
/// numbered after `offset`: SQLite `VALUES (?, …), …`, one parameter a value (plain `?`: see
/// [`Marks`]); PostgreSQL `SELECT * FROM UNNEST($1::bigint[], …)`, one array a column, so the
/// statement's text is the same whatever the number of rows and PostgreSQL parses and plans it
/// once per connection (sqlx's statement cache) — with a VALUES list a group of n API requests
/// was a new statement for each n, and the folded writes' text was new nearly every group
/// (157 texts in 384 groups, each parsed, described and planned: one more round trip each).
pub(crate) fn multi_row(
    template: &str,
    columns: usize,
    args: &[Arg],
    marks: Marks,
    offset: usize,
) -> Result<(String, Bound), StoreError> {
    let columns = columns.max(1);
    let rows = args.len() / columns;
    if rows == 0 || rows * columns != args.len() {
        return Err(StoreError::Invariant(format!(
            "{} values do not make rows of {columns}",
            args.len()
        )));
    }
    match marks {
        Marks::Question => Ok((
            template.replacen(
                "{}",
                &format!("VALUES {}", values_list(rows, columns, marks)),
                1,
            ),
            Bound::Values(args.to_vec()),
        )),
        Marks::Dollar => {
            let mut cols: Vec<Column> = args[..columns].iter().map(Column::like).collect();
            for row in args.chunks(columns) {
                for (col, arg) in cols.iter_mut().zip(row) {
                    if !col.push(arg) {
                        return Err(StoreError::Invariant(format!(
                            "a value of another type in column {} of a multi-row statement",
                            col.array_type()
                        )));
                    }
                }
            }
            let mut source = String::from("SELECT * FROM UNNEST(");
            for (i, col) in cols.iter().enumerate() {
                if i > 0 {
                    source.push_str(", ");
                }
                source.push_str(&format!("${}::{}", offset + i + 1, col.array_type()));
            }
            source.push(')');
            Ok((template.replacen("{}", &source, 1), Bound::Columns(cols)))
        }
    }
}

/// Writes whose results nobody reads (a summary update, an audit entry, counter upserts) sent
/// to the database at once: one round trip instead of one each.
///
/// PostgreSQL: one statement of data-modifying CTEs (PostgreSQL runs every data-modifying CTE
/// to completion, referenced or not, in the statement's transaction). SQLite has no
/// data-modifying CTEs, but sqlx runs a text of several `;`-separated statements in one call to
/// its connection's worker thread, handing each statement the next `?` arguments in order; each
/// call is two thread wake-ups, which a profile of the API showed costing more than SQLite's
/// work itself.
#[derive(Debug)]
pub(crate) struct FoldedWrites {
    ctes: Vec<String>,
    bound: Bound,
    /// How many values (not parameters) are gathered: what bounds a statement's size.
    values: usize,
    marks: Marks,
}

impl FoldedWrites {
    pub fn new(marks: Marks) -> Self {
        FoldedWrites {
            ctes: Vec::new(),
            bound: Bound::empty(marks),
            values: 0,
            marks,
        }
    }

    /// Adds one write; `sql` holds `{}` where its rows go ([`multi_row`]), `columns` values a
    /// row.
    pub fn push(&mut self, sql: &str, columns: usize, args: &[Arg]) -> Result<(), StoreError> {
        let (sql, bound) = multi_row(sql, columns, args, self.marks, self.bound.params())?;
        self.ctes.push(sql);
        self.bound.extend(bound)?;
        self.values += args.len();
        Ok(())
    }

    /// PostgreSQL's one statement: `WITH w1 AS (…), w2 AS (…) SELECT 1`; SQLite's statements,
    /// `…; …`.
    pub fn sql(&self) -> String {
        if self.marks == Marks::Question {
            return self.ctes.join("; ");
        }
        let mut sql = String::from("WITH ");
        for (i, cte) in self.ctes.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("w{i} AS ({cte})"));
        }
        sql.push_str(" SELECT 1");
        sql
    }

    pub fn is_empty(&self) -> bool {
        self.ctes.is_empty()
    }

    pub fn bound(&self) -> &Bound {
        &self.bound
    }
}

/// Writes whose results nobody reads (summaries, audit entries, counters, emptied tallies),
/// gathered into [`FoldedWrites`] and sent in as few calls as the bind limit allows: an API
/// group's in one call, a 10,000-activity batch's in a few.
pub(crate) struct Deferred {
    folded: FoldedWrites,
}

impl Deferred {
    pub fn new(marks: Marks) -> Self {
        Deferred {
            folded: FoldedWrites::new(marks),
        }
    }

    /// Adds the rows of `args` (`columns` values a row) to `sql` (`{}`: where the VALUES list
    /// goes), in statements of at most [`rows_per_statement`] rows; sends what is gathered
    /// first whenever the next statement would pass [`MAX_BINDS`].
    pub async fn push(
        &mut self,
        tx: &mut WriteTx,
        sql: &str,
        columns: usize,
        args: Vec<Arg>,
    ) -> Result<(), StoreError> {
        if args.is_empty() {
            return Ok(());
        }
        for chunk in args.chunks(rows_per_statement(columns) * columns) {
            if self.folded.values + chunk.len() > MAX_BINDS {
                self.send(tx).await?;
            }
            self.folded.push(sql, columns, chunk)?;
        }
        Ok(())
    }

    /// Adds the counter upserts of `deltas`.
    pub async fn push_rollups(
        &mut self,
        tx: &mut WriteTx,
        deltas: &RollupDeltas,
    ) -> Result<(), StoreError> {
        for (sql, columns, args) in rollup_upserts(deltas) {
            self.push(tx, sql, columns, args).await?;
        }
        Ok(())
    }

    /// Sends what is gathered, in one call.
    pub async fn send(&mut self, tx: &mut WriteTx) -> Result<(), StoreError> {
        if !self.folded.is_empty() {
            let folded = std::mem::replace(&mut self.folded, FoldedWrites::new(tx.marks()));
            tx.execute_bound(&folded.sql(), folded.bound()).await?;
        }
        Ok(())
    }
}

/// The counter upserts that `deltas` make: (statement, values a row, values). Each table's
/// keys come from one map, so no two statements touch one row (PostgreSQL's folded CTEs must
/// not); counters only ever add.
fn rollup_upserts(deltas: &RollupDeltas) -> Vec<(&'static str, usize, Vec<Arg>)> {
    let mut out = Vec::new();
    let units: Vec<_> = deltas.activities.iter().filter(|(_, n)| **n != 0).collect();
    if !units.is_empty() {
        let args = units
            .iter()
            .flat_map(|((task, province), n)| [Arg::I64(*task), Arg::I64(*province), Arg::I64(**n)])
            .collect();
        out.push((
            "INSERT INTO rollup_units (task_id, province_id, activities) {} \
             ON CONFLICT (task_id, province_id) DO UPDATE \
             SET activities = rollup_units.activities + excluded.activities",
            3,
            args,
        ));
    }
    if !deltas.periods.is_empty() {
        let args = deltas
            .periods
            .iter()
            .flat_map(|((target, province, start), d)| {
                [
                    Arg::I64(*target),
                    Arg::I64(*province),
                    Arg::Date(*start),
                    Arg::I64(d.touched),
                    Arg::I64(d.met),
                    Arg::I64(d.met_on_time),
                    Arg::F64(d.achieved),
                ]
            })
            .collect();
        out.push((
            "INSERT INTO rollup_periods (target_id, province_id, period_start, touched, met, met_on_time, achieved) \
             {} ON CONFLICT (target_id, province_id, period_start) DO UPDATE SET \
             touched = rollup_periods.touched + excluded.touched, \
             met = rollup_periods.met + excluded.met, \
             met_on_time = rollup_periods.met_on_time + excluded.met_on_time, \
             achieved = rollup_periods.achieved + excluded.achieved",
            7,
            args,
        ));
    }
    let done: Vec<_> = deltas.done.iter().filter(|(_, n)| **n != 0).collect();
    if !done.is_empty() {
        let args = done
            .iter()
            .flat_map(|((task, province, on), n)| {
                [
                    Arg::I64(*task),
                    Arg::I64(*province),
                    Arg::Date(*on),
                    Arg::I64(**n),
                ]
            })
            .collect();
        out.push((
            "INSERT INTO rollup_done (task_id, province_id, done_on, assignments) {} \
             ON CONFLICT (task_id, province_id, done_on) DO UPDATE \
             SET assignments = rollup_done.assignments + excluded.assignments",
            4,
            args,
        ));
    }
    if !deltas.totals.is_empty() {
        let args = deltas
            .totals
            .iter()
            .flat_map(|((target, assignment), (province, achieved, on_time))| {
                [
                    Arg::I64(*target),
                    Arg::I64(*assignment),
                    Arg::I64(*province),
                    Arg::F64(*achieved),
                    Arg::F64(*on_time),
                ]
            })
            .collect();
        out.push((
            "INSERT INTO rollup_totals (target_id, assignment_id, province_id, achieved, achieved_on_time) \
             {} ON CONFLICT (target_id, assignment_id) DO UPDATE SET \
             achieved = rollup_totals.achieved + excluded.achieved, \
             achieved_on_time = rollup_totals.achieved_on_time + excluded.achieved_on_time",
            5,
            args,
        ));
    }
    out
}

/// A plan-total target with its task and the plan's and task's window ends.
type PlanTargetWindow = (
    i64,
    i64,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

/// A task with what a roll-up needs to evaluate it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupTaskRow {
    pub task_id: i64,
    pub plan_id: i64,
    pub grace_days: i64,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub window_from: Option<NaiveDate>,
    pub window_to: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupTargetRow {
    pub id: i64,
    pub task_id: i64,
    pub count: f64,
    pub per: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupUnitsRow {
    pub task_id: i64,
    pub province_id: i64,
    pub assignments: i64,
    pub activities: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupPeriodRow {
    pub target_id: i64,
    pub province_id: i64,
    pub period_start: NaiveDate,
    pub touched: i64,
    pub met: i64,
    pub met_on_time: i64,
    pub achieved: f64,
}

/// Sums over several periods of one target and province.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupPeriodSums {
    pub target_id: i64,
    pub province_id: i64,
    pub touched: i64,
    pub met: i64,
    pub met_on_time: i64,
    pub achieved: f64,
}

/// For each `per`, the start of the period containing the evaluation date: a period has ended
/// exactly when it starts before that. Bound as $3..$7; $2 is the start of a plan without one.
struct Cuts {
    default_from: NaiveDate,
    day: NaiveDate,
    week: NaiveDate,
    month: NaiveDate,
    quarter: NaiveDate,
    year: NaiveDate,
}

impl Cuts {
    fn new(at: NaiveDate) -> Cuts {
        let start = |per| Period::containing(per, at).map_or(at, |p| p.start);
        let year = start(Per::Year);
        Cuts {
            default_from: year,
            day: at,
            week: start(Per::Week),
            month: start(Per::Month),
            quarter: start(Per::Quarter),
            year,
        }
    }
}

/// The rows of `rollup_periods` of the plan $1 (0: every plan), with their task and plan.
const PERIODS_FROM: &str = "FROM rollup_periods r JOIN targets t ON t.id = r.target_id \
     JOIN tasks k ON k.id = t.task_id JOIN plans p ON p.id = k.plan_id WHERE ($1 = 0 OR k.plan_id = $1)";
/// The first day of a task's window (as `rollup::task_window` makes it).
const WINDOW_FROM: &str = "COALESCE(k.window_from, p.period_from, $2)";
/// The last day of a task's window, NULL when open-ended.
const WINDOW_TO: &str = "(CASE WHEN k.window_from IS NULL THEN p.period_to ELSE COALESCE(k.window_to, p.period_to) END)";
/// The start of the target's current period.
const CUT: &str = "(CASE t.per WHEN 'day' THEN $3 WHEN 'week' THEN $4 WHEN 'month' THEN $5 \
     WHEN 'quarter' THEN $6 ELSE $7 END)";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupDoneRow {
    pub task_id: i64,
    pub province_id: i64,
    pub done_on: NaiveDate,
    pub assignments: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RollupTotalRow {
    pub target_id: i64,
    pub assignment_id: i64,
    pub province_id: i64,
    pub achieved: f64,
    pub achieved_on_time: f64,
}

/// One row of a heatmap: an assignment, its unit, and its tallies of the periods asked for
/// (period start, achieved), read as one row per unit rather than one per cell.
#[derive(Debug, Clone)]
pub struct HeatmapRow {
    pub assignment_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub cells: Vec<(NaiveDate, f64)>,
}

impl HeatmapRow {
    /// The (period start, achieved) pairs.
    pub fn cells(&self) -> impl Iterator<Item = (NaiveDate, f64)> + '_ {
        self.cells.iter().copied()
    }
}

/// SQLite's cells: "start=achieved" joined by commas.
fn parse_cells(cells: Option<&str>) -> Vec<(NaiveDate, f64)> {
    cells
        .unwrap_or("")
        .split(',')
        .filter_map(|cell| {
            let (start, achieved) = cell.split_once('=')?;
            Some((start.parse().ok()?, achieved.parse().ok()?))
        })
        .collect()
}

/// Everything a roll-up reads, for every plan or one (`plan_id` 0 = every plan).
#[derive(Debug, Clone, Default)]
pub struct RollupData {
    pub tasks: Vec<RollupTaskRow>,
    pub targets: Vec<RollupTargetRow>,
    pub units: Vec<RollupUnitsRow>,
    /// Per target × province: sums over the ended periods that start within the window.
    pub ended: Vec<RollupPeriodSums>,
    /// The other periods up to the evaluation date, one by one: those starting before the
    /// window (the first period may start before it and still overlap it) and the current ones.
    pub periods: Vec<RollupPeriodRow>,
    pub done: Vec<RollupDoneRow>,
    pub totals: Vec<RollupTotalRow>,
}

impl super::Store {
    pub(crate) fn marks(&self) -> Marks {
        match self.backend() {
            super::Backend::Sqlite => Marks::Question,
            super::Backend::Postgres => Marks::Dollar,
        }
    }

    /// Reads the roll-up aggregates of one plan (or all, with `plan_id` 0) for evaluation on
    /// `at`: ended periods summed per target and province in the database, the others (up to
    /// `at`; later ones are all future) row by row. So the rows read do not grow with time or
    /// activities, only with targets × provinces.
    pub async fn rollup_data(&self, plan_id: i64, at: NaiveDate) -> Result<RollupData, StoreError> {
        let cuts = Cuts::new(at);
        Ok(on_pool!(self.db(), |pool| {
            // One connection for the six reads.
            let mut conn = pool.acquire().await?;
            let tasks = sqlx::query_as::<_, RollupTaskRow>(
                "SELECT k.id AS task_id, k.plan_id, p.grace_days, p.period_from, p.period_to, \
                 k.window_from, k.window_to, k.due FROM tasks k JOIN plans p ON p.id = k.plan_id \
                 WHERE ($1 = 0 OR k.plan_id = $1) ORDER BY k.id",
            )
            .bind(plan_id)
            .fetch_all(&mut *conn)
            .await?;
            let targets = sqlx::query_as::<_, RollupTargetRow>(
                "SELECT t.id, t.task_id, t.count, t.per FROM targets t JOIN tasks k ON k.id = t.task_id \
                 WHERE ($1 = 0 OR k.plan_id = $1) ORDER BY t.task_id, t.position",
            )
            .bind(plan_id)
            .fetch_all(&mut *conn)
            .await?;
            let units = sqlx::query_as::<_, RollupUnitsRow>(
                "SELECT r.task_id, r.province_id, r.assignments, r.activities FROM rollup_units r \
                 JOIN tasks k ON k.id = r.task_id WHERE ($1 = 0 OR k.plan_id = $1)",
            )
            .bind(plan_id)
            .fetch_all(&mut *conn)
            .await?;
            let ended = sqlx::query_as::<_, RollupPeriodSums>(&format!(
                "SELECT r.target_id, r.province_id, CAST(SUM(r.touched) AS BIGINT) AS touched, \
                 CAST(SUM(r.met) AS BIGINT) AS met, CAST(SUM(r.met_on_time) AS BIGINT) AS met_on_time, \
                 SUM(r.achieved) AS achieved {PERIODS_FROM} \
                 AND r.period_start >= {WINDOW_FROM} \
                 AND ({WINDOW_TO} IS NULL OR r.period_start <= {WINDOW_TO}) \
                 AND r.period_start < {CUT} \
                 GROUP BY r.target_id, r.province_id"
            ))
            .bind(plan_id)
            .bind(cuts.default_from)
            .bind(cuts.day)
            .bind(cuts.week)
            .bind(cuts.month)
            .bind(cuts.quarter)
            .bind(cuts.year)
            .fetch_all(&mut *conn)
            .await?;
            let periods = sqlx::query_as::<_, RollupPeriodRow>(&format!(
                "SELECT r.target_id, r.province_id, r.period_start, r.touched, r.met, r.met_on_time, r.achieved \
                 {PERIODS_FROM} AND r.period_start <= $3 \
                 AND (r.period_start < {WINDOW_FROM} OR r.period_start >= {CUT})"
            ))
            .bind(plan_id)
            .bind(cuts.default_from)
            .bind(cuts.day)
            .bind(cuts.week)
            .bind(cuts.month)
            .bind(cuts.quarter)
            .bind(cuts.year)
            .fetch_all(&mut *conn)
            .await?;
            let done = sqlx::query_as::<_, RollupDoneRow>(
                "SELECT r.task_id, r.province_id, r.done_on, r.assignments FROM rollup_done r \
                 JOIN tasks k ON k.id = r.task_id WHERE ($1 = 0 OR k.plan_id = $1) AND r.assignments <> 0",
            )
            .bind(plan_id)
            .fetch_all(&mut *conn)
            .await?;
            let totals = sqlx::query_as::<_, RollupTotalRow>(
                "SELECT r.target_id, r.assignment_id, r.province_id, r.achieved, r.achieved_on_time \
                 FROM rollup_totals r JOIN targets t ON t.id = r.target_id JOIN tasks k ON k.id = t.task_id \
                 WHERE ($1 = 0 OR k.plan_id = $1)",
            )
            .bind(plan_id)
            .fetch_all(&mut *conn)
            .await?;
            RollupData {
                tasks,
                targets,
                units,
                ended,
                periods,
                done,
                totals,
            }
        }))
    }

    /// Per-assignment totals of a plan-total target's day tallies over `window`, for the
    /// targets whose window is not closed (their totals depend on the evaluation date).
    pub async fn plan_totals_over(
        &self,
        task_id: i64,
        window: Period,
    ) -> Result<Vec<(i64, i64, f64, f64)>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, (i64, i64, f64, f64)>(
                "SELECT a.id, a.province_id, SUM(pt.achieved), SUM(pt.achieved_on_time) \
                 FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
                 WHERE a.task_id = $1 AND pt.per = 'plan' AND pt.period_start >= $2 AND pt.period_start <= $3 \
                 GROUP BY a.id, a.province_id",
            )
            .bind(task_id)
            .bind(window.start)
            .bind(window.end)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The assignments of a task in a province with their tallies of `per` periods starting in
    /// `from ..= to`, one row per assignment, by unit code. PostgreSQL sends the cells as two
    /// arrays (binary, no number formatting); SQLite as one text.
    pub async fn heatmap_rows(
        &self,
        task_id: i64,
        province_id: i64,
        per: Per,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeatmapRow>, StoreError> {
        const SQL: &str = "SELECT a.id, u.id, u.code, u.name, {cells} \
             FROM assignments a JOIN units u ON u.id = a.unit_id \
             LEFT JOIN period_tallies pt ON pt.assignment_id = a.id AND pt.per = $3 \
             AND pt.period_start >= $4 AND pt.period_start <= $5 \
             WHERE a.task_id = $1 AND a.province_id = $2 \
             GROUP BY a.id, u.id, u.code, u.name ORDER BY u.code";
        Ok(match self.db() {
            super::Db::Sqlite(pool) => {
                let rows: Vec<(i64, i64, String, String, Option<String>)> =
                    sqlx::query_as(&SQL.replace(
                        "{cells}",
                        "group_concat(pt.period_start || '=' || pt.achieved, ',')",
                    ))
                    .bind(task_id)
                    .bind(province_id)
                    .bind(per.as_str())
                    .bind(from)
                    .bind(to)
                    .fetch_all(pool)
                    .await?;
                rows.into_iter()
                    .map(
                        |(assignment_id, unit_id, unit_code, unit_name, cells)| HeatmapRow {
                            assignment_id,
                            unit_id,
                            unit_code,
                            unit_name,
                            cells: parse_cells(cells.as_deref()),
                        },
                    )
                    .collect()
            }
            super::Db::Postgres(pool) => {
                type Row = (
                    i64,
                    i64,
                    String,
                    String,
                    Option<Vec<NaiveDate>>,
                    Option<Vec<f64>>,
                );
                let rows: Vec<Row> = sqlx::query_as(&SQL.replace(
                    "{cells}",
                    "array_agg(pt.period_start) FILTER (WHERE pt.period_start IS NOT NULL), \
                     array_agg(pt.achieved) FILTER (WHERE pt.period_start IS NOT NULL)",
                ))
                .bind(task_id)
                .bind(province_id)
                .bind(per.as_str())
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?;
                rows.into_iter()
                    .map(
                        |(assignment_id, unit_id, unit_code, unit_name, starts, achieved)| {
                            HeatmapRow {
                                assignment_id,
                                unit_id,
                                unit_code,
                                unit_name,
                                cells: starts
                                    .unwrap_or_default()
                                    .into_iter()
                                    .zip(achieved.unwrap_or_default())
                                    .collect(),
                            }
                        },
                    )
                    .collect()
            }
        })
    }

    /// A task with its first recurring target (per, count), for heatmaps: one query.
    pub async fn heatmap_task(
        &self,
        task_id: i64,
    ) -> Result<Option<(RollupTaskRow, Per, f64)>, StoreError> {
        type Row = (
            i64,
            i64,
            i64,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<NaiveDate>,
            Option<String>,
            Option<f64>,
        );
        let rows: Vec<Row> = on_pool!(self.db(), |pool| {
            sqlx::query_as(
                "SELECT k.id, k.plan_id, p.grace_days, p.period_from, p.period_to, \
                 k.window_from, k.window_to, k.due, t.per, t.count \
                 FROM tasks k JOIN plans p ON p.id = k.plan_id LEFT JOIN targets t ON t.task_id = k.id \
                 WHERE k.id = $1 ORDER BY t.position",
            )
            .bind(task_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().find_map(
            |(
                task_id,
                plan_id,
                grace_days,
                period_from,
                period_to,
                window_from,
                window_to,
                due,
                per,
                count,
            )| {
                let per: Per = per?.parse().ok()?;
                per.is_recurring().then_some((
                    RollupTaskRow {
                        task_id,
                        plan_id,
                        grace_days,
                        period_from,
                        period_to,
                        window_from,
                        window_to,
                        due,
                    },
                    per,
                    count?,
                ))
            },
        ))
    }

    /// Provinces by id: (code, name).
    pub async fn province_names(&self) -> Result<HashMap<i64, (String, String)>, StoreError> {
        let rows: Vec<(i64, String, String)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT id, code, name FROM units WHERE kind = 'province'")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, code, name)| (id, (code, name)))
            .collect())
    }

    /// Fills the roll-ups once, when the database predates them.
    pub async fn ensure_rollups(&self) -> Result<(), StoreError> {
        if self.meta(META_KEY).await?.as_deref() == Some(VERSION) {
            return Ok(());
        }
        self.rebuild(true).await
    }

    /// Recomputes every roll-up (and each assignment's province) from the assignments and their
    /// period tallies, in one transaction.
    pub async fn rebuild_rollups(&self) -> Result<(), StoreError> {
        self.rebuild(false).await
    }

    async fn rebuild(&self, only_if_missing: bool) -> Result<(), StoreError> {
        let postgres = self.backend() == super::Backend::Postgres;
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            if postgres {
                // Several servers starting on one database: one fills, the others then see it.
                sqlx::query("SELECT pg_advisory_xact_lock(7243001)")
                    .execute(&mut *tx)
                    .await?;
            }
            if only_if_missing {
                let version: Option<String> =
                    sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
                        .bind(META_KEY)
                        .fetch_optional(&mut *tx)
                        .await?;
                if version.as_deref() == Some(VERSION) {
                    tx.commit().await?;
                    return Ok(());
                }
            }
            let units: Vec<i64> =
                sqlx::query_scalar("SELECT DISTINCT unit_id FROM assignments ORDER BY unit_id")
                    .fetch_all(&mut *tx)
                    .await?;
            for unit in units {
                let province: Option<i64> = sqlx::query_scalar(PROVINCE_OF_UNIT)
                    .bind(unit)
                    .fetch_optional(&mut *tx)
                    .await?;
                sqlx::query("UPDATE assignments SET province_id = $1 WHERE unit_id = $2")
                    .bind(province.unwrap_or(0))
                    .bind(unit)
                    .execute(&mut *tx)
                    .await?;
            }
            for table in [
                "rollup_units",
                "rollup_periods",
                "rollup_done",
                "rollup_totals",
            ] {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "INSERT INTO rollup_units (task_id, province_id, assignments, activities) \
                 SELECT task_id, province_id, COUNT(*), SUM(activity_count) FROM assignments \
                 GROUP BY task_id, province_id",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO rollup_done (task_id, province_id, done_on, assignments) \
                 SELECT task_id, province_id, done_on, COUNT(*) FROM assignments \
                 WHERE done_on IS NOT NULL GROUP BY task_id, province_id, done_on",
            )
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO rollup_periods (target_id, province_id, period_start, touched, met, met_on_time, achieved) \
                 SELECT t.id, a.province_id, pt.period_start, \
                 SUM(CASE WHEN pt.achieved > 0 THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN pt.achieved >= t.count THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN pt.achieved_on_time >= t.count THEN 1 ELSE 0 END), \
                 SUM(pt.achieved) \
                 FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
                 JOIN targets t ON t.task_id = a.task_id AND t.per = pt.per \
                 WHERE t.per <> 'plan' GROUP BY t.id, a.province_id, pt.period_start",
            )
            .execute(&mut *tx)
            .await?;
            let plan_targets: Vec<PlanTargetWindow> =
                sqlx::query_as(
                    "SELECT t.id, k.id, p.period_from, p.period_to, k.window_from, k.window_to \
                     FROM targets t JOIN tasks k ON k.id = t.task_id JOIN plans p ON p.id = k.plan_id \
                     WHERE t.per = 'plan'",
                )
                .fetch_all(&mut *tx)
                .await?;
            for (target, task, pf, pt, wf, wt) in plan_targets {
                let Some(window) = closed_window(pf, pt, wf, wt) else {
                    continue;
                };
                sqlx::query(
                    "INSERT INTO rollup_totals (target_id, assignment_id, province_id, achieved, achieved_on_time) \
                     SELECT $1, a.id, a.province_id, SUM(pt.achieved), SUM(pt.achieved_on_time) \
                     FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
                     WHERE a.task_id = $2 AND pt.per = 'plan' AND pt.period_start >= $3 AND pt.period_start <= $4 \
                     GROUP BY a.id, a.province_id",
                )
                .bind(target)
                .bind(task)
                .bind(window.start)
                .bind(window.end)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(META_KEY)
            .bind(VERSION)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{Arg, Bound, Column, FoldedWrites, Marks, counts, crossings, multi_row};

    fn rows(n: i64) -> Vec<Arg> {
        (0..n)
            .flat_map(|i| [Arg::I64(i), Arg::OptText(None), Arg::Text(format!("t{i}"))])
            .collect()
    }

    #[test]
    fn postgres_multi_row_statements_have_one_text_whatever_their_rows() {
        let template = "INSERT INTO x (a, b, c) {}";
        let (one, _) = multi_row(template, 3, &rows(1), Marks::Dollar, 0).unwrap();
        let (many, bound) = multi_row(template, 3, &rows(7), Marks::Dollar, 0).unwrap();
        assert_eq!(one, many);
        assert_eq!(
            many,
            "INSERT INTO x (a, b, c) SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[])"
        );
        let Bound::Columns(columns) = bound else {
            panic!("PostgreSQL binds columns");
        };
        assert_eq!(columns.len(), 3);
        assert!(matches!(&columns[0], Column::I64(v) if v.len() == 7 && v[6] == Some(6)));
        assert!(matches!(&columns[1], Column::Text(v) if v.iter().all(Option::is_none)));
        assert!(matches!(&columns[2], Column::Text(v) if v[3].as_deref() == Some("t3")));
        // SQLite keeps its VALUES list of plain marks.
        let (sqlite, bound) = multi_row(template, 3, &rows(2), Marks::Question, 0).unwrap();
        assert_eq!(
            sqlite,
            "INSERT INTO x (a, b, c) VALUES (?, ?, ?), (?, ?, ?)"
        );
        assert!(matches!(bound, Bound::Values(v) if v.len() == 6));
    }

    #[test]
    fn folded_writes_number_each_writes_arrays_after_the_last() {
        let mut folded = FoldedWrites::new(Marks::Dollar);
        folded
            .push("INSERT INTO x (a, b, c) {}", 3, &rows(2))
            .unwrap();
        folded
            .push("DELETE FROM y WHERE (a, b, c) IN ({})", 3, &rows(5))
            .unwrap();
        assert_eq!(
            folded.sql(),
            "WITH w0 AS (INSERT INTO x (a, b, c) SELECT * FROM UNNEST($1::bigint[], $2::text[], \
             $3::text[])), w1 AS (DELETE FROM y WHERE (a, b, c) IN (SELECT * FROM \
             UNNEST($4::bigint[], $5::text[], $6::text[]))) SELECT 1"
        );
        assert_eq!(folded.bound().params(), 6);
    }

    #[test]
    fn counter_upserts_leave_the_row_source_to_multi_row() {
        let mut deltas = super::RollupDeltas::default();
        deltas.activities.insert((1, 2), 1);
        deltas.done.insert((1, 2, chrono::NaiveDate::MIN), 1);
        deltas.periods.insert(
            (1, 2, chrono::NaiveDate::MIN),
            super::PeriodDelta {
                touched: 1,
                met: 0,
                met_on_time: 0,
                achieved: 1.0,
            },
        );
        deltas.totals.insert((1, 2), (3, 1.0, 1.0));
        assert_eq!(super::rollup_upserts(&deltas).len(), 4);
        for (sql, _, _) in super::rollup_upserts(&deltas) {
            assert!(!sql.contains("VALUES {}"), "{sql}");
        }
    }

    #[test]
    fn a_column_of_mixed_types_or_a_partial_row_is_refused() {
        let mixed = [Arg::I64(1), Arg::Text("x".into())];
        assert!(multi_row("{}", 1, &mixed, Marks::Dollar, 0).is_err());
        assert!(multi_row("{}", 3, &rows(1)[..2], Marks::Dollar, 0).is_err());
        assert!(multi_row("{}", 3, &[], Marks::Question, 0).is_err());
    }

    #[test]
    fn a_tally_counts_as_touched_met_and_met_on_time_by_its_thresholds() {
        assert_eq!(counts((0.0, 0.0), 2.0), [0, 0, 0]);
        assert_eq!(counts((1.0, 0.0), 2.0), [1, 0, 0]);
        assert_eq!(counts((2.0, 1.0), 2.0), [1, 1, 0]);
        assert_eq!(counts((3.0, 2.0), 2.0), [1, 1, 1]);
        // What float sums of added and removed quantities leave behind is nothing.
        assert_eq!(counts((1e-17, 1e-17), 2.0), [0, 0, 0]);
    }

    #[test]
    fn counters_move_only_when_a_threshold_is_crossed() {
        assert_eq!(crossings((0.0, 0.0), (1.0, 1.0), 2.0), [1, 0, 0]);
        assert_eq!(crossings((1.0, 1.0), (2.0, 1.0), 2.0), [0, 1, 0]);
        assert_eq!(crossings((2.0, 1.0), (5.0, 5.0), 2.0), [0, 0, 1]);
        assert_eq!(crossings((5.0, 5.0), (6.0, 6.0), 2.0), [0, 0, 0]);
        // Taken back (an edit or a deletion): the same thresholds, downwards.
        assert_eq!(crossings((2.0, 2.0), (0.0, 0.0), 2.0), [-1, -1, -1]);
        assert_eq!(crossings((3.0, 0.0), (1.0, 0.0), 2.0), [0, -1, 0]);
    }
}
