//! The compliance engine: expected vs achieved per assignment and period, deadline states, roll-ups.
//!
//! This is DESIGN.md "Compliance, precisely" as code. It is pure — no clock, no database: every
//! function takes the evaluation date `at` (a civil date in Vietnam, see
//! [`today_in_vietnam`]) and plain facts, so the same numbers
//! come out of the web dashboard, the report generator, the CLI and the tests.
//!
//! # Two paths, one engine
//! The store keeps aggregates current as each activity is written (no nightly batch). For that,
//! each activity is turned into an [`Increment`] of one [`Bucket`] — `(achieved,
//! on_time_achieved)` for the calendar period that contains the activity's date — which the store
//! adds to its per-(assignment, per, period start) row in the same transaction as the insert.
//! Evaluation then reads only those buckets ([`evaluate_target`], [`evaluate_assignment`]). The
//! raw path ([`evaluate_target_facts`], [`evaluate_assignment_facts`]) builds the very same
//! buckets from a list of activities with the very same [`increment`] and then calls the very
//! same evaluation, so the two cannot drift apart.
//!
//! # Decisions where DESIGN.md is silent
//! - **What counts in a period.** A recurring period P that overlaps the window counts whole, and
//!   *every* activity dated (`occurred_on`) in P counts towards it, even one dated just outside the
//!   window: the window only decides which periods are owed.
//! - **Status precedence.** `future` (P starts after `at`) wins over everything, then `met`
//!   (achieved ≥ expected, which a current period can already be), then `open` (P contains `at`
//!   and is not met — even when partly done), then for ended periods `partial` (0 < achieved) or
//!   `missed` (nothing). "Ended" means `P.end < at`: on its last day a period is still open.
//! - **Rates.** Reporting rate = ended periods met ÷ ended periods; on-time rate = ended periods
//!   whose activities *recorded* on or before `P.end + grace days` already reach the expected
//!   count ÷ ended periods. Both are `None` while no period has ended. An ended period counts in
//!   the on-time denominator even while its grace days are still running: it just has not been
//!   met on time *yet*. A period missed at first becomes met (but not on time) when a late
//!   activity dated in it is recorded.
//! - **Plan-total targets** (`per: plan`) are shown as one period, the window itself, with the
//!   same statuses and rates as a recurring period (so they roll up the same way), plus a
//!   [`Pace`]. The elapsed share of the window on day d counts d itself: `(days of W up to and
//!   including d) ÷ (days of W)`, clamped to [0, 1]. Their buckets are per *day*, so that the total
//!   over any window can be read from them; consequently "on time" for a plan total means
//!   "recorded no later than grace days after the activity's own date".
//! - **Open-ended windows** (a plan "năm 2022 và những năm tiếp theo") run to the end of the
//!   period of the target's `per` that contains `at` (or the window's start, if later); for a
//!   plan-total target that period is the calendar year.
//! - **Deliverables.** The done date is the earliest `occurred_on` of an activity marked as
//!   completing the task — the official notion is when the thing was done, not when it was typed
//!   in. A completion dated after `at` has not happened yet as of `at` and is ignored.
//! - **Facts are taken as given.** The caller passes the activities it knows (the store: all those
//!   recorded so far) and rejects activities dated in the future at the door; review state and
//!   evidence checks happen before facts reach the engine.
//! - **Numbers.** Counts and quantities are `f64` because plan-format counts are JSON numbers.
//!   Sums are exact (and so both paths and every roll-up agree to the bit) for integer quantities,
//!   which is what plans count: articles, broadcasts, classes. [`Target::validate`] and
//!   [`ActivityFact::validate`] state what an input must satisfy; the engine never panics on
//!   anything else, it just computes.

use std::collections::{BTreeMap, BTreeSet};
use std::iter::Sum;
use std::ops::{Add, AddAssign};

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::period::{Per, Period, today_in_vietnam};

/// Grace days a plan allows for recording an activity after its period ends, unless it says
/// otherwise.
pub const DEFAULT_GRACE_DAYS: u32 = 7;

/// The largest target count or activity quantity accepted from outside.
pub const MAX_COUNT: f64 = 1_000_000.0;

/// Why an input to the engine is not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ComplianceError {
    #[error("target count must be a number greater than 0 and at most {MAX_COUNT}, got {0}")]
    InvalidCount(f64),
    #[error("activity quantity must be a number from 0 to {MAX_COUNT}, got {0}")]
    InvalidQuantity(f64),
    #[error("window ends ({to}) before it starts ({from})")]
    InvertedWindow { from: NaiveDate, to: NaiveDate },
}

/// A quantified output a task must deliver: `count` of `unit` per `per`, as in `kehoach.plan/1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Target {
    pub count: f64,
    pub per: Per,
    /// The noun counted, as written ("chương trình", "tin, bài"); only carried through.
    #[serde(default)]
    pub unit: String,
}

impl Target {
    pub fn new(count: f64, per: Per, unit: impl Into<String>) -> Target {
        Target {
            count,
            per,
            unit: unit.into(),
        }
    }

    /// A count is finite, greater than 0 and at most [`MAX_COUNT`].
    pub fn validate(&self) -> Result<(), ComplianceError> {
        if self.count.is_finite() && self.count > 0.0 && self.count <= MAX_COUNT {
            Ok(())
        } else {
            Err(ComplianceError::InvalidCount(self.count))
        }
    }
}

/// When a task is to be carried out: `from ..= to`, `to` absent for an open-ended plan.
/// Serialises like a plan-format `period`/`window`: `{"from": "…", "to": "…" | null}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Window {
    pub from: NaiveDate,
    pub to: Option<NaiveDate>,
}

impl Window {
    pub fn closed(from: NaiveDate, to: NaiveDate) -> Window {
        Window { from, to: Some(to) }
    }

    pub fn open(from: NaiveDate) -> Window {
        Window { from, to: None }
    }

    /// The window of a task: its own, else the plan's period. A task window without an end
    /// borrows the plan's end.
    pub fn effective(task: Option<Window>, plan: Window) -> Window {
        match task {
            Some(t) => Window {
                from: t.from,
                to: t.to.or(plan.to),
            },
            None => plan,
        }
    }

    /// `to` is not before `from`.
    pub fn validate(&self) -> Result<(), ComplianceError> {
        match self.to {
            Some(to) if to < self.from => Err(ComplianceError::InvertedWindow {
                from: self.from,
                to,
            }),
            _ => Ok(()),
        }
    }

    /// The concrete span evaluated for a target of kind `per` on date `at`.
    ///
    /// A closed window is itself (normalised if inverted). An open-ended one runs to the end of
    /// the `per` period containing `at` — or containing `from`, if the window has not started
    /// yet; for [`Per::Plan`] that period is the calendar year.
    pub fn span(self, per: Per, at: NaiveDate) -> Period {
        match self.to {
            Some(to) => Period {
                start: self.from,
                end: to,
            }
            .normalized(),
            None => {
                let anchor = at.max(self.from);
                let per = if per == Per::Plan { Per::Year } else { per };
                let end = Period::containing(per, anchor).map_or(anchor, |p| p.end);
                Period {
                    start: self.from,
                    end,
                }
            }
        }
    }
}

/// What the engine needs to know of one activity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ActivityFact {
    /// When the thing was done (the broadcast's air date, the article's publication date).
    pub occurred_on: NaiveDate,
    /// When it was reported, as a civil date in Vietnam (see [`ActivityFact::recorded_at`]).
    pub recorded_on: NaiveDate,
    /// How many of the target's unit it delivers (default 1).
    pub quantity: f64,
    /// Marked as completing the task's deliverable.
    #[serde(default)]
    pub completes: bool,
}

impl ActivityFact {
    /// A fact of quantity 1 that does not complete anything.
    pub fn new(occurred_on: NaiveDate, recorded_on: NaiveDate) -> ActivityFact {
        ActivityFact {
            occurred_on,
            recorded_on,
            quantity: 1.0,
            completes: false,
        }
    }

    /// A fact whose report time is an instant (as the store keeps it); its civil date in Vietnam
    /// is what timeliness is judged on.
    pub fn recorded_at(
        occurred_on: NaiveDate,
        recorded_at: DateTime<Utc>,
        quantity: f64,
        completes: bool,
    ) -> ActivityFact {
        ActivityFact {
            occurred_on,
            recorded_on: today_in_vietnam(recorded_at),
            quantity,
            completes,
        }
    }

    /// A quantity is finite, from 0 to [`MAX_COUNT`].
    pub fn validate(&self) -> Result<(), ComplianceError> {
        if self.quantity.is_finite() && (0.0..=MAX_COUNT).contains(&self.quantity) {
            Ok(())
        } else {
            Err(ComplianceError::InvalidQuantity(self.quantity))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Buckets: the shared currency of the raw path and the store's live aggregates.

/// What one period has received: the sum of quantities dated in it, and the part of that sum
/// recorded in time (no later than grace days after the period's end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Bucket {
    pub achieved: f64,
    pub on_time_achieved: f64,
}

impl Add for Bucket {
    type Output = Bucket;
    fn add(self, other: Bucket) -> Bucket {
        Bucket {
            achieved: self.achieved + other.achieved,
            on_time_achieved: self.on_time_achieved + other.on_time_achieved,
        }
    }
}

impl AddAssign for Bucket {
    fn add_assign(&mut self, other: Bucket) {
        *self = *self + other;
    }
}

impl Sum for Bucket {
    fn sum<I: Iterator<Item = Bucket>>(iter: I) -> Bucket {
        iter.fold(Bucket::default(), Add::add)
    }
}

/// Buckets of one assignment and one `per`, keyed by the start of their period.
pub type Buckets = BTreeMap<NaiveDate, Bucket>;

/// The calendar period that buckets of a target of kind `per` are kept by: `per` itself, and
/// days for plan totals (so that a total over any window can be summed from them).
pub fn bucket_per(per: Per) -> Per {
    if per == Per::Plan { Per::Day } else { per }
}

/// The change one activity makes to the buckets of one target `per`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Increment {
    /// The bucket's period; the store keys its row by `period.start`.
    pub period: Period,
    pub bucket: Bucket,
    /// Recorded on or before the period's end + grace days.
    pub on_time: bool,
}

impl Increment {
    /// The opposite change, to apply when the activity is deleted (or before it is edited).
    pub fn reversed(self) -> Increment {
        let b = self.bucket;
        Increment {
            bucket: Bucket {
                achieved: -b.achieved,
                on_time_achieved: -b.on_time_achieved,
            },
            ..self
        }
    }
}

/// Which bucket an activity increments for a target of kind `per`, by how much, and whether it
/// counts as on time (recorded on or before the bucket period's end + `grace_days`).
///
/// `None` only at the far edges of the calendar, where the period cannot be formed.
///
/// ```
/// use chrono::NaiveDate;
/// use kehoach_core::compliance::{ActivityFact, increment};
/// use kehoach_core::period::Per;
/// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
/// // Aired Sunday 17 Nov 2024, reported the following Monday week + 1 day: 8 days late.
/// let fact = ActivityFact::new(d(2024, 11, 17), d(2024, 11, 25));
/// let inc = increment(Per::Week, 7, &fact).unwrap();
/// assert_eq!(inc.period.start, d(2024, 11, 11));
/// assert_eq!((inc.bucket.achieved, inc.bucket.on_time_achieved), (1.0, 0.0));
/// ```
pub fn increment(per: Per, grace_days: u32, fact: &ActivityFact) -> Option<Increment> {
    let period = Period::containing(bucket_per(per), fact.occurred_on)?;
    let on_time = period
        .end
        .checked_add_days(Days::new(u64::from(grace_days)))
        .is_none_or(|deadline| fact.recorded_on <= deadline);
    let q = fact.quantity;
    Some(Increment {
        period,
        bucket: Bucket {
            achieved: q,
            on_time_achieved: if on_time { q } else { 0.0 },
        },
        on_time,
    })
}

/// Adds an increment to a map of buckets.
pub fn apply_increment(buckets: &mut Buckets, inc: Increment) {
    *buckets.entry(inc.period.start).or_default() += inc.bucket;
}

/// The buckets a list of activities makes for a target of kind `per`.
pub fn buckets_from_facts(per: Per, grace_days: u32, facts: &[ActivityFact]) -> Buckets {
    let mut buckets = Buckets::new();
    for inc in facts.iter().filter_map(|f| increment(per, grace_days, f)) {
        apply_increment(&mut buckets, inc);
    }
    buckets
}

// ---------------------------------------------------------------------------------------------
// Statuses of periods and targets.

/// The state of one period of a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodStatus {
    /// Achieved ≥ expected.
    Met,
    /// Ended with 0 < achieved < expected.
    Partial,
    /// Ended with nothing.
    Missed,
    /// Contains the evaluation date and is not met yet.
    Open,
    /// Starts after the evaluation date.
    Future,
}

impl PeriodStatus {
    /// `"met"`, `"partial"`, `"missed"`, `"open"`, `"future"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodStatus::Met => "met",
            PeriodStatus::Partial => "partial",
            PeriodStatus::Missed => "missed",
            PeriodStatus::Open => "open",
            PeriodStatus::Future => "future",
        }
    }
}

/// The status of `period`, owed `expected` and having received `achieved`, on date `at`.
/// See the module documentation for the order in which the rules apply.
pub fn period_status(period: Period, expected: f64, achieved: f64, at: NaiveDate) -> PeriodStatus {
    if period.start > at {
        PeriodStatus::Future
    } else if achieved >= expected {
        PeriodStatus::Met
    } else if period.end >= at {
        PeriodStatus::Open
    } else if achieved > 0.0 {
        PeriodStatus::Partial
    } else {
        PeriodStatus::Missed
    }
}

/// One period of a target, as the API shows it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PeriodReport {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub expected: f64,
    pub achieved: f64,
    pub status: PeriodStatus,
    /// For an ended period: whether it was met by activities recorded in time. `null` otherwise.
    pub on_time: Option<bool>,
}

impl PeriodReport {
    /// Judges one period from its bucket.
    pub fn new(period: Period, expected: f64, bucket: Bucket, at: NaiveDate) -> PeriodReport {
        let status = period_status(period, expected, bucket.achieved, at);
        let ended = period.end < at;
        let on_time =
            ended.then_some(status == PeriodStatus::Met && bucket.on_time_achieved >= expected);
        PeriodReport {
            start: period.start,
            end: period.end,
            expected,
            achieved: bucket.achieved,
            status,
            on_time,
        }
    }

    pub fn period(&self) -> Period {
        Period {
            start: self.start,
            end: self.end,
        }
    }

    /// True when the period ended before the evaluation date.
    pub fn ended(&self) -> bool {
        self.on_time.is_some()
    }

    /// The short Vietnamese label of the period ("Tuần 05/2024", "T12/2024", …).
    pub fn label(&self) -> String {
        self.period().label()
    }
}

/// How a plan-total target is doing against its pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaceState {
    /// The total is reached.
    Met,
    /// Achieved ≥ count × elapsed share of the window.
    OnTrack,
    Behind,
}

/// A plan-total target's progress on the evaluation date.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Pace {
    pub expected_by_date: f64,
    pub achieved: f64,
    pub state: PaceState,
}

/// The share of `window` elapsed by the end of day `date`: days of the window up to and
/// including `date`, over all its days; 0 before the window, 1 from its last day on.
pub fn elapsed_share(window: Period, date: NaiveDate) -> f64 {
    let w = window.normalized();
    if date < w.start {
        0.0
    } else if date >= w.end {
        1.0
    } else {
        let elapsed = (date - w.start).num_days() + 1;
        elapsed as f64 / w.days() as f64
    }
}

/// The pace of a total `count` over `window` with `achieved` so far, on date `at`.
pub fn pace(count: f64, window: Period, achieved: f64, at: NaiveDate) -> Pace {
    let expected_by_date = count * elapsed_share(window, at);
    let state = if achieved >= count {
        PaceState::Met
    } else if achieved >= expected_by_date {
        PaceState::OnTrack
    } else {
        PaceState::Behind
    };
    Pace {
        expected_by_date,
        achieved,
        state,
    }
}

/// One target of an assignment, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetReport {
    pub count: f64,
    pub per: Per,
    pub unit: String,
    /// Ended periods met ÷ ended periods; `null` before any period has ended.
    pub reporting_rate: Option<f64>,
    /// Ended periods met in time ÷ ended periods; `null` before any period has ended.
    pub on_time_rate: Option<f64>,
    pub periods: Vec<PeriodReport>,
    /// Plan-total targets only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pace: Option<Pace>,
}

impl TargetReport {
    /// The additive summary of this target.
    pub fn tally(&self) -> Tally {
        let mut tally: Tally = self.periods.iter().map(Tally::of_period).sum();
        if let Some(pace) = &self.pace {
            tally.pace.count(pace.state);
        }
        tally
    }
}

/// Evaluates a target from its buckets (kept by [`bucket_per`]`(target.per)`, see [`increment`])
/// over `window` on date `at`.
pub fn evaluate_target(
    target: &Target,
    window: Window,
    buckets: &Buckets,
    at: NaiveDate,
) -> TargetReport {
    let span = window.span(target.per, at);
    let c = target.count;
    let (periods, pace) = if target.per.is_recurring() {
        let periods = Period::overlapping(target.per, span.start, span.end)
            .map(|p| {
                PeriodReport::new(p, c, buckets.get(&p.start).copied().unwrap_or_default(), at)
            })
            .collect();
        (periods, None)
    } else {
        let total: Bucket = buckets.range(span.start..=span.end).map(|(_, b)| *b).sum();
        let pace = pace(c, span, total.achieved, at);
        (vec![PeriodReport::new(span, c, total, at)], Some(pace))
    };
    let mut report = TargetReport {
        count: c,
        per: target.per,
        unit: target.unit.clone(),
        reporting_rate: None,
        on_time_rate: None,
        periods,
        pace,
    };
    let tally = report.tally();
    report.reporting_rate = tally.reporting_rate();
    report.on_time_rate = tally.on_time_rate();
    report
}

/// Evaluates a target straight from activities: [`buckets_from_facts`] then [`evaluate_target`].
pub fn evaluate_target_facts(
    target: &Target,
    window: Window,
    grace_days: u32,
    facts: &[ActivityFact],
    at: NaiveDate,
) -> TargetReport {
    let buckets = buckets_from_facts(target.per, grace_days, facts);
    evaluate_target(target, window, &buckets, at)
}

// ---------------------------------------------------------------------------------------------
// Deliverables.

/// The four official states of a deliverable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineState {
    /// Đã hoàn thành đúng hạn: done ≤ due.
    DoneOnTime,
    /// Đã hoàn thành nhưng quá hạn: done > due.
    DoneLate,
    /// Chưa hoàn thành, còn trong hạn: not done and the date ≤ due.
    NotDoneWithinDeadline,
    /// Chưa hoàn thành, đã quá hạn: not done and the date > due.
    NotDoneOverdue,
}

impl DeadlineState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineState::DoneOnTime => "done_on_time",
            DeadlineState::DoneLate => "done_late",
            DeadlineState::NotDoneWithinDeadline => "not_done_within_deadline",
            DeadlineState::NotDoneOverdue => "not_done_overdue",
        }
    }
}

/// The done date of a deliverable: the earliest `occurred_on` among activities that complete it.
pub fn done_on(facts: &[ActivityFact]) -> Option<NaiveDate> {
    facts
        .iter()
        .filter(|f| f.completes)
        .map(|f| f.occurred_on)
        .min()
}

/// The state on date `at` of a deliverable due on `due`, done on `done_on` (if at all). A done
/// date after `at` has not happened yet as of `at`.
pub fn deadline_state(due: NaiveDate, done_on: Option<NaiveDate>, at: NaiveDate) -> DeadlineState {
    match done_on.filter(|&done| done <= at) {
        Some(done) if done <= due => DeadlineState::DoneOnTime,
        Some(_) => DeadlineState::DoneLate,
        None if at <= due => DeadlineState::NotDoneWithinDeadline,
        None => DeadlineState::NotDoneOverdue,
    }
}

// ---------------------------------------------------------------------------------------------
// Additive counts.

macro_rules! additive {
    ($ty:ident { $($field:ident),* $(,)? }) => {
        impl Add for $ty {
            type Output = $ty;
            fn add(mut self, other: $ty) -> $ty {
                self += other;
                self
            }
        }
        impl AddAssign for $ty {
            fn add_assign(&mut self, other: $ty) {
                $(self.$field += other.$field;)*
            }
        }
        impl Sum for $ty {
            fn sum<I: Iterator<Item = $ty>>(iter: I) -> $ty {
                iter.fold($ty::default(), Add::add)
            }
        }
        impl<'a> Sum<&'a $ty> for $ty {
            fn sum<I: Iterator<Item = &'a $ty>>(iter: I) -> $ty {
                iter.fold($ty::default(), |acc, x| acc + *x)
            }
        }
    };
}

/// How many periods are in each status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusCounts {
    pub met: u64,
    pub partial: u64,
    pub missed: u64,
    pub open: u64,
    pub future: u64,
}
additive!(StatusCounts {
    met,
    partial,
    missed,
    open,
    future
});

impl StatusCounts {
    pub fn count(&mut self, status: PeriodStatus) {
        match status {
            PeriodStatus::Met => self.met += 1,
            PeriodStatus::Partial => self.partial += 1,
            PeriodStatus::Missed => self.missed += 1,
            PeriodStatus::Open => self.open += 1,
            PeriodStatus::Future => self.future += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.met + self.partial + self.missed + self.open + self.future
    }
}

/// How many plan-total targets are in each pace state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaceCounts {
    pub met: u64,
    pub on_track: u64,
    pub behind: u64,
}
additive!(PaceCounts {
    met,
    on_track,
    behind
});

impl PaceCounts {
    pub fn count(&mut self, state: PaceState) {
        match state {
            PaceState::Met => self.met += 1,
            PaceState::OnTrack => self.on_track += 1,
            PaceState::Behind => self.behind += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.met + self.on_track + self.behind
    }
}

/// How many deliverables are in each of the four official states.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DeadlineCounts {
    pub done_on_time: u64,
    pub done_late: u64,
    pub not_done_within_deadline: u64,
    pub not_done_overdue: u64,
}
additive!(DeadlineCounts {
    done_on_time,
    done_late,
    not_done_within_deadline,
    not_done_overdue
});

impl DeadlineCounts {
    pub fn of(state: DeadlineState) -> DeadlineCounts {
        let mut counts = DeadlineCounts::default();
        counts.count(state);
        counts
    }

    pub fn count(&mut self, state: DeadlineState) {
        match state {
            DeadlineState::DoneOnTime => self.done_on_time += 1,
            DeadlineState::DoneLate => self.done_late += 1,
            DeadlineState::NotDoneWithinDeadline => self.not_done_within_deadline += 1,
            DeadlineState::NotDoneOverdue => self.not_done_overdue += 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.done_on_time + self.done_late + self.not_done_within_deadline + self.not_done_overdue
    }

    pub fn done(&self) -> u64 {
        self.done_on_time + self.done_late
    }
}

/// The additive summary of any set of periods, targets, assignments, units or plans.
///
/// Sum tallies, then take rates: a rate rolls up as Σ met ÷ Σ ended, never as a mean of means.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    /// Ended periods met (the reporting rate's numerator).
    pub met: u64,
    /// Ended periods (both rates' denominator).
    pub ended: u64,
    /// Ended periods met by activities recorded in time (the on-time rate's numerator).
    pub on_time: u64,
    /// Σ expected over ended periods.
    pub expected_total: f64,
    /// Σ achieved over ended periods.
    pub achieved_total: f64,
    /// Periods by status, ended or not.
    pub statuses: StatusCounts,
    /// Plan-total targets by pace.
    pub pace: PaceCounts,
    /// Deliverables by state.
    pub deadlines: DeadlineCounts,
    /// Activities recorded.
    pub activity_count: u64,
}
additive!(Tally {
    met,
    ended,
    on_time,
    expected_total,
    achieved_total,
    statuses,
    pace,
    deadlines,
    activity_count,
});

impl Tally {
    /// The tally of one period.
    pub fn of_period(period: &PeriodReport) -> Tally {
        let mut tally = Tally::default();
        tally.statuses.count(period.status);
        if let Some(on_time) = period.on_time {
            tally.ended = 1;
            tally.met = u64::from(period.status == PeriodStatus::Met);
            tally.on_time = u64::from(on_time);
            tally.expected_total = period.expected;
            tally.achieved_total = period.achieved;
        }
        tally
    }

    /// Ended periods met ÷ ended periods, `None` when none has ended.
    pub fn reporting_rate(&self) -> Option<f64> {
        ratio(self.met, self.ended)
    }

    /// Ended periods met in time ÷ ended periods, `None` when none has ended.
    pub fn on_time_rate(&self) -> Option<f64> {
        ratio(self.on_time, self.ended)
    }
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

// ---------------------------------------------------------------------------------------------
// Assignments.

/// What an assignment (task × lead unit) owes: the task's targets, due date and window, and the
/// plan's grace days.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentSpec {
    pub targets: Vec<Target>,
    pub due: Option<NaiveDate>,
    /// The effective window (see [`Window::effective`]).
    pub window: Window,
    pub grace_days: u32,
}

impl AssignmentSpec {
    /// The distinct `per`s of the targets: the bucket series the store keeps for it.
    pub fn pers(&self) -> BTreeSet<Per> {
        self.targets.iter().map(|t| t.per).collect()
    }
}

/// Count and last date of a set of activities; additive (the last date is the latest).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ActivitySummary {
    pub count: u64,
    pub last_on: Option<NaiveDate>,
}

impl ActivitySummary {
    pub fn add_fact(&mut self, fact: &ActivityFact) {
        self.count += 1;
        self.last_on = self.last_on.max(Some(fact.occurred_on));
    }

    pub fn of_facts(facts: &[ActivityFact]) -> ActivitySummary {
        let mut summary = ActivitySummary::default();
        facts.iter().for_each(|f| summary.add_fact(f));
        summary
    }
}

impl Add for ActivitySummary {
    type Output = ActivitySummary;
    fn add(self, other: ActivitySummary) -> ActivitySummary {
        ActivitySummary {
            count: self.count + other.count,
            last_on: self.last_on.max(other.last_on),
        }
    }
}

impl AddAssign for ActivitySummary {
    fn add_assign(&mut self, other: ActivitySummary) {
        *self = *self + other;
    }
}

impl Sum for ActivitySummary {
    fn sum<I: Iterator<Item = ActivitySummary>>(iter: I) -> ActivitySummary {
        iter.fold(ActivitySummary::default(), Add::add)
    }
}

/// Everything the engine needs of an assignment's activities, kept current by the store one
/// activity at a time ([`Aggregates::record`]) or built from a list ([`Aggregates::from_facts`]).
///
/// The buckets depend on the spec's target `per`s and grace days: when either changes, rebuild
/// them from the activities. Deleting an activity subtracts its [`Increment::reversed`]; the done
/// date and last activity date are then recomputed from what is left (a minimum cannot be
/// un-applied).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aggregates {
    /// Buckets per target `per` (see [`bucket_per`]).
    pub buckets: BTreeMap<Per, Buckets>,
    /// Earliest date of a completing activity, whenever it was.
    pub done_on: Option<NaiveDate>,
    pub activity: ActivitySummary,
}

impl Aggregates {
    pub fn from_facts(spec: &AssignmentSpec, facts: &[ActivityFact]) -> Aggregates {
        let mut aggregates = Aggregates::default();
        for per in spec.pers() {
            aggregates
                .buckets
                .insert(per, buckets_from_facts(per, spec.grace_days, facts));
        }
        for fact in facts {
            aggregates.note(fact);
        }
        aggregates
    }

    /// Adds one new activity: exactly what the store does in the activity's transaction.
    pub fn record(&mut self, spec: &AssignmentSpec, fact: &ActivityFact) {
        for per in spec.pers() {
            if let Some(inc) = increment(per, spec.grace_days, fact) {
                apply_increment(self.buckets.entry(per).or_default(), inc);
            }
        }
        self.note(fact);
    }

    fn note(&mut self, fact: &ActivityFact) {
        if fact.completes {
            self.done_on = Some(
                self.done_on
                    .map_or(fact.occurred_on, |d| d.min(fact.occurred_on)),
            );
        }
        self.activity.add_fact(fact);
    }
}

/// One assignment, as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentReport {
    pub targets: Vec<TargetReport>,
    pub due: Option<NaiveDate>,
    /// The done date, when on or before the evaluation date.
    pub done_on: Option<NaiveDate>,
    /// `null` when the task has no due date.
    pub deadline: Option<DeadlineState>,
    pub activity_count: u64,
    pub last_activity_on: Option<NaiveDate>,
}

impl AssignmentReport {
    /// The additive summary of this assignment.
    pub fn tally(&self) -> Tally {
        let mut tally: Tally = self.targets.iter().map(TargetReport::tally).sum();
        if let Some(state) = self.deadline {
            tally.deadlines.count(state);
        }
        tally.activity_count = self.activity_count;
        tally
    }

    /// True when the task has neither target nor due date: only its activity is shown.
    pub fn is_unmeasured(&self) -> bool {
        self.targets.is_empty() && self.due.is_none()
    }
}

/// Evaluates an assignment from its aggregates on date `at`.
pub fn evaluate_assignment(
    spec: &AssignmentSpec,
    aggregates: &Aggregates,
    at: NaiveDate,
) -> AssignmentReport {
    let empty = Buckets::new();
    let targets = spec
        .targets
        .iter()
        .map(|t| {
            evaluate_target(
                t,
                spec.window,
                aggregates.buckets.get(&t.per).unwrap_or(&empty),
                at,
            )
        })
        .collect();
    let done_on = aggregates.done_on.filter(|&d| d <= at);
    AssignmentReport {
        targets,
        due: spec.due,
        done_on,
        deadline: spec.due.map(|due| deadline_state(due, done_on, at)),
        activity_count: aggregates.activity.count,
        last_activity_on: aggregates.activity.last_on,
    }
}

/// Evaluates an assignment straight from its activities.
pub fn evaluate_assignment_facts(
    spec: &AssignmentSpec,
    facts: &[ActivityFact],
    at: NaiveDate,
) -> AssignmentReport {
    evaluate_assignment(spec, &Aggregates::from_facts(spec, facts), at)
}

// ---------------------------------------------------------------------------------------------
// Roll-ups.

/// Sums values by key. Each item names the keys it counts towards (a unit and its ancestors, a
/// task and its plan…); a key named twice by one item counts it once.
///
/// ```
/// use kehoach_core::compliance::{rollup, Tally};
/// let a = Tally { met: 1, ended: 2, ..Tally::default() };
/// let b = Tally { met: 3, ended: 3, ..Tally::default() };
/// let by_key = rollup([(vec!["huyện", "tỉnh"], a), (vec!["tỉnh"], b)]);
/// assert_eq!(by_key["tỉnh"].reporting_rate(), Some(0.8)); // 4 ÷ 5, not (0.5 + 1) ÷ 2
/// ```
pub fn rollup<K, T, Ks, I>(items: I) -> BTreeMap<K, T>
where
    K: Ord,
    T: Clone + Default + AddAssign,
    Ks: IntoIterator<Item = K>,
    I: IntoIterator<Item = (Ks, T)>,
{
    let mut out: BTreeMap<K, T> = BTreeMap::new();
    for (keys, value) in items {
        let keys: BTreeSet<K> = keys.into_iter().collect();
        for key in keys {
            *out.entry(key).or_default() += value.clone();
        }
    }
    out
}

/// Sums values up a tree: each item counts towards its own key and every ancestor given by
/// `parent` (commune → district → province). A cycle in `parent` is cut where it closes.
pub fn rollup_tree<K, T, I, F>(items: I, mut parent: F) -> BTreeMap<K, T>
where
    K: Ord + Clone,
    T: Clone + Default + AddAssign,
    I: IntoIterator<Item = (K, T)>,
    F: FnMut(&K) -> Option<K>,
{
    rollup(items.into_iter().map(|(key, value)| {
        let mut chain = vec![key.clone()];
        let mut seen: BTreeSet<K> = BTreeSet::from([key]);
        while let Some(up) = parent(chain.last().expect("chain starts non-empty")) {
            if !seen.insert(up.clone()) {
                break;
            }
            chain.push(up);
        }
        (chain, value)
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fact(occurred: NaiveDate, recorded: NaiveDate, quantity: f64) -> ActivityFact {
        ActivityFact {
            occurred_on: occurred,
            recorded_on: recorded,
            quantity,
            completes: false,
        }
    }

    fn done(occurred: NaiveDate) -> ActivityFact {
        ActivityFact {
            completes: true,
            ..ActivityFact::new(occurred, occurred)
        }
    }

    fn statuses(report: &TargetReport) -> Vec<PeriodStatus> {
        report.periods.iter().map(|p| p.status).collect()
    }

    #[test]
    fn period_status_covers_every_state() {
        let nov = Period::containing(Per::Month, d(2024, 11, 1)).unwrap();
        let at_after = d(2024, 12, 3);
        assert_eq!(period_status(nov, 2.0, 2.0, at_after), PeriodStatus::Met);
        assert_eq!(period_status(nov, 2.0, 3.0, at_after), PeriodStatus::Met);
        assert_eq!(
            period_status(nov, 2.0, 1.0, at_after),
            PeriodStatus::Partial
        );
        assert_eq!(period_status(nov, 2.0, 0.0, at_after), PeriodStatus::Missed);
        // Current period: open until met, even when partly done; met as soon as reached.
        assert_eq!(
            period_status(nov, 2.0, 0.0, d(2024, 11, 10)),
            PeriodStatus::Open
        );
        assert_eq!(
            period_status(nov, 2.0, 1.0, d(2024, 11, 10)),
            PeriodStatus::Open
        );
        assert_eq!(
            period_status(nov, 2.0, 2.0, d(2024, 11, 10)),
            PeriodStatus::Met
        );
        // Its last day is still current; the day after, it has ended.
        assert_eq!(
            period_status(nov, 2.0, 0.0, d(2024, 11, 30)),
            PeriodStatus::Open
        );
        assert_eq!(
            period_status(nov, 2.0, 0.0, d(2024, 12, 1)),
            PeriodStatus::Missed
        );
        // Its first day is current, the day before it is future — even if (oddly) achieved.
        assert_eq!(
            period_status(nov, 2.0, 0.0, d(2024, 11, 1)),
            PeriodStatus::Open
        );
        assert_eq!(
            period_status(nov, 2.0, 5.0, d(2024, 10, 31)),
            PeriodStatus::Future
        );
    }

    #[test]
    fn deadline_states_around_a_due_date() {
        let due = d(2024, 11, 15);
        assert_eq!(
            deadline_state(due, None, d(2024, 11, 10)),
            DeadlineState::NotDoneWithinDeadline
        );
        assert_eq!(
            deadline_state(due, None, due),
            DeadlineState::NotDoneWithinDeadline
        );
        assert_eq!(
            deadline_state(due, None, d(2024, 11, 16)),
            DeadlineState::NotDoneOverdue
        );
        assert_eq!(
            deadline_state(due, None, d(2024, 11, 20)),
            DeadlineState::NotDoneOverdue
        );
        assert_eq!(
            deadline_state(due, Some(d(2024, 11, 14)), d(2024, 11, 20)),
            DeadlineState::DoneOnTime
        );
        assert_eq!(
            deadline_state(due, Some(due), due),
            DeadlineState::DoneOnTime
        );
        assert_eq!(
            deadline_state(due, Some(d(2024, 11, 18)), d(2024, 11, 20)),
            DeadlineState::DoneLate
        );
        assert_eq!(
            deadline_state(due, Some(d(2024, 11, 16)), d(2024, 11, 16)),
            DeadlineState::DoneLate
        );
        // A completion dated after the evaluation date has not happened yet.
        assert_eq!(
            deadline_state(due, Some(d(2024, 11, 14)), d(2024, 11, 10)),
            DeadlineState::NotDoneWithinDeadline
        );
        assert_eq!(
            deadline_state(due, Some(d(2024, 11, 18)), d(2024, 11, 17)),
            DeadlineState::NotDoneOverdue
        );
    }

    #[test]
    fn done_date_is_the_earliest_completing_activity() {
        let facts = [
            ActivityFact::new(d(2024, 11, 1), d(2024, 11, 1)),
            done(d(2024, 11, 18)),
            ActivityFact {
                recorded_on: d(2024, 11, 30),
                ..done(d(2024, 11, 14))
            },
        ];
        assert_eq!(done_on(&facts), Some(d(2024, 11, 14)));
        assert_eq!(done_on(&facts[..1]), None);
        let spec = AssignmentSpec {
            targets: vec![],
            due: Some(d(2024, 11, 15)),
            window: Window::closed(d(2024, 1, 1), d(2024, 12, 31)),
            grace_days: DEFAULT_GRACE_DAYS,
        };
        // Done (by its occurred date) on the 14th although recorded on the 30th: on time.
        let report = evaluate_assignment_facts(&spec, &facts, d(2024, 12, 1));
        assert_eq!(report.deadline, Some(DeadlineState::DoneOnTime));
        assert_eq!(report.done_on, Some(d(2024, 11, 14)));
        let late = evaluate_assignment_facts(&spec, &facts[..2], d(2024, 12, 1));
        assert_eq!(late.deadline, Some(DeadlineState::DoneLate));
        assert_eq!(
            late.tally().deadlines,
            DeadlineCounts::of(DeadlineState::DoneLate)
        );
    }

    /// "mỗi tuần 01 chương trình" from Monday 4 to Sunday 31 November 2024 (weeks 45–48, and
    /// week 49 from 2 December), evaluated on Wednesday 4 December.
    #[test]
    fn weekly_target_statuses_and_rates() {
        let target = Target::new(1.0, Per::Week, "chương trình");
        let window = Window::closed(d(2024, 11, 4), d(2024, 12, 8));
        let facts = [
            // Week 45: aired Friday, recorded the next Monday: met on time.
            fact(d(2024, 11, 8), d(2024, 11, 11), 1.0),
            // Week 46: aired Sunday 17, recorded 25 November = 17 + 8 days: met, late.
            fact(d(2024, 11, 17), d(2024, 11, 25), 1.0),
            // Week 47: nothing. Week 48: half a programme.
            fact(d(2024, 11, 26), d(2024, 11, 26), 0.5),
            // Week 49 (current): one, exactly at the grace limit of week 48 — irrelevant here.
            fact(d(2024, 12, 3), d(2024, 12, 3), 1.0),
        ];
        let at = d(2024, 12, 4);
        let report = evaluate_target_facts(&target, window, DEFAULT_GRACE_DAYS, &facts, at);
        use PeriodStatus::*;
        assert_eq!(statuses(&report), [Met, Met, Missed, Partial, Met]);
        let on_time: Vec<Option<bool>> = report.periods.iter().map(|p| p.on_time).collect();
        assert_eq!(
            on_time,
            [Some(true), Some(false), Some(false), Some(false), None]
        );
        assert_eq!(report.reporting_rate, Some(0.5));
        assert_eq!(report.on_time_rate, Some(0.25));
        let tally = report.tally();
        assert_eq!((tally.met, tally.ended, tally.on_time), (2, 4, 1));
        assert_eq!((tally.expected_total, tally.achieved_total), (4.0, 2.5));
        assert_eq!(
            tally.statuses,
            StatusCounts {
                met: 3,
                partial: 1,
                missed: 1,
                open: 0,
                future: 0
            }
        );

        // Earlier, on Tuesday 12 November: week 45 ended, week 46 open, the rest future.
        let early = evaluate_target_facts(
            &target,
            window,
            DEFAULT_GRACE_DAYS,
            &facts[..1],
            d(2024, 11, 12),
        );
        assert_eq!(statuses(&early), [Met, Open, Future, Future, Future]);
        assert_eq!(early.reporting_rate, Some(1.0));
        // Before the window: every period future, no rate.
        let before =
            evaluate_target_facts(&target, window, DEFAULT_GRACE_DAYS, &[], d(2024, 10, 1));
        assert_eq!(statuses(&before), [Future; 5]);
        assert_eq!((before.reporting_rate, before.on_time_rate), (None, None));
    }

    #[test]
    fn grace_limit_is_inclusive() {
        let target = Target::new(1.0, Per::Month, "");
        let window = Window::closed(d(2024, 10, 1), d(2024, 10, 31));
        let at = d(2025, 1, 1);
        for (recorded, on_time) in [(d(2024, 11, 7), true), (d(2024, 11, 8), false)] {
            let facts = [fact(d(2024, 10, 31), recorded, 1.0)];
            let r = evaluate_target_facts(&target, window, DEFAULT_GRACE_DAYS, &facts, at);
            assert_eq!(r.periods[0].on_time, Some(on_time), "recorded {recorded}");
            let zero_grace = evaluate_target_facts(&target, window, 0, &facts, at);
            assert_eq!(zero_grace.on_time_rate, Some(0.0));
        }
    }

    #[test]
    fn whole_periods_count_activities_dated_outside_the_window() {
        // Window 25/9–31/10/2024, monthly: September and October are owed in full.
        let target = Target::new(2.0, Per::Month, "tin, bài");
        let window = Window::closed(d(2024, 9, 25), d(2024, 10, 31));
        let facts = [
            fact(d(2024, 9, 2), d(2024, 9, 2), 1.0),
            fact(d(2024, 9, 30), d(2024, 9, 30), 1.0),
        ];
        let r = evaluate_target_facts(&target, window, 7, &facts, d(2024, 11, 15));
        assert_eq!(r.periods.len(), 2);
        assert_eq!(
            (r.periods[0].start, r.periods[0].achieved),
            (d(2024, 9, 1), 2.0)
        );
        assert_eq!(statuses(&r), [PeriodStatus::Met, PeriodStatus::Missed]);
        // An activity in no overlapping period is ignored.
        let r = evaluate_target_facts(
            &target,
            window,
            7,
            &[fact(d(2024, 8, 31), d(2024, 9, 1), 5.0)],
            d(2024, 11, 15),
        );
        assert_eq!(r.tally().achieved_total, 0.0);
    }

    #[test]
    fn open_ended_windows_run_to_the_current_period() {
        let plan = Window::open(d(2022, 1, 1));
        let at = d(2024, 5, 15);
        assert_eq!(
            plan.span(Per::Quarter, at),
            Period {
                start: d(2022, 1, 1),
                end: d(2024, 6, 30)
            }
        );
        assert_eq!(plan.span(Per::Week, at).end, d(2024, 5, 19));
        assert_eq!(plan.span(Per::Plan, at).end, d(2024, 12, 31));
        // Not started yet: up to the end of the first period.
        assert_eq!(
            Window::open(d(2025, 2, 10)).span(Per::Month, at).end,
            d(2025, 2, 28)
        );
        let r = evaluate_target_facts(&Target::new(1.0, Per::Year, ""), plan, 7, &[], at);
        assert_eq!(
            statuses(&r),
            [
                PeriodStatus::Missed,
                PeriodStatus::Missed,
                PeriodStatus::Open
            ]
        );
        // Task windows without an end borrow the plan's.
        let closed_plan = Window::closed(d(2024, 1, 1), d(2024, 12, 31));
        assert_eq!(
            Window::effective(Some(Window::open(d(2024, 7, 1))), closed_plan),
            Window::closed(d(2024, 7, 1), d(2024, 12, 31))
        );
        assert_eq!(Window::effective(None, closed_plan), closed_plan);
        // An inverted window is normalised by the engine and refused by validation.
        let inverted = Window::closed(d(2024, 12, 31), d(2024, 1, 1));
        assert!(inverted.validate().is_err());
        assert_eq!(
            inverted.span(Per::Month, at),
            Period {
                start: d(2024, 1, 1),
                end: d(2024, 12, 31)
            }
        );
    }

    #[test]
    fn plan_total_is_paced_over_the_window() {
        // "Tổ chức 05 lớp" over 2024 (366 days).
        let target = Target::new(5.0, Per::Plan, "lớp");
        let window = Window::closed(d(2024, 1, 1), d(2024, 12, 31));
        let w = window.span(Per::Plan, d(2024, 6, 1));
        assert_eq!(elapsed_share(w, d(2023, 12, 31)), 0.0);
        assert_eq!(elapsed_share(w, d(2024, 1, 1)), 1.0 / 366.0);
        assert_eq!(elapsed_share(w, d(2024, 12, 31)), 1.0);
        assert_eq!(elapsed_share(w, d(2025, 3, 1)), 1.0);
        assert_eq!(
            elapsed_share(Period::day(d(2024, 1, 1)), d(2024, 1, 1)),
            1.0
        );

        let two = [
            fact(d(2024, 3, 5), d(2024, 3, 6), 1.0),
            fact(d(2024, 4, 9), d(2024, 4, 30), 1.0),
        ];
        // 1 July: 183/366 elapsed → 2.5 expected; 2 achieved → behind.
        let r = evaluate_target_facts(&target, window, 7, &two, d(2024, 7, 1));
        let pace = r.pace.unwrap();
        assert_eq!(pace.expected_by_date, 2.5);
        assert_eq!((pace.achieved, pace.state), (2.0, PaceState::Behind));
        assert_eq!(statuses(&r), [PeriodStatus::Open]);
        assert_eq!(r.reporting_rate, None);
        // 1 May: 122/366 → 1.67 expected; on track.
        let r = evaluate_target_facts(&target, window, 7, &two, d(2024, 5, 1));
        assert_eq!(r.pace.unwrap().state, PaceState::OnTrack);
        // Five done: met, even early.
        let five = [fact(d(2024, 3, 5), d(2024, 3, 6), 5.0)];
        let r = evaluate_target_facts(&target, window, 7, &five, d(2024, 5, 1));
        assert_eq!(r.pace.unwrap().state, PaceState::Met);
        assert_eq!(statuses(&r), [PeriodStatus::Met]);
        // After the window: one ended period; the late-recorded class is not on time.
        let r = evaluate_target_facts(&target, window, 7, &two, d(2025, 1, 10));
        assert_eq!(statuses(&r), [PeriodStatus::Partial]);
        assert_eq!(r.reporting_rate, Some(0.0));
        let mut all = five.to_vec();
        all.push(fact(d(2024, 12, 1), d(2025, 1, 5), 1.0));
        let r = evaluate_target_facts(&target, window, 7, &all, d(2025, 1, 10));
        assert_eq!((r.reporting_rate, r.on_time_rate), (Some(1.0), Some(1.0)));
        let late = [fact(d(2024, 3, 5), d(2024, 3, 20), 5.0)];
        let r = evaluate_target_facts(&target, window, 7, &late, d(2025, 1, 10));
        assert_eq!((r.reporting_rate, r.on_time_rate), (Some(1.0), Some(0.0)));
        // Activities outside the window do not count towards a plan total.
        let outside = [fact(d(2023, 12, 31), d(2023, 12, 31), 5.0)];
        let r = evaluate_target_facts(&target, window, 7, &outside, d(2024, 5, 1));
        assert_eq!(r.pace.unwrap().achieved, 0.0);
        assert_eq!(
            r.tally().pace,
            PaceCounts {
                met: 0,
                on_track: 0,
                behind: 1
            }
        );
    }

    #[test]
    fn a_task_with_neither_target_nor_due_shows_activity_only() {
        let spec = AssignmentSpec {
            targets: vec![],
            due: None,
            window: Window::closed(d(2024, 1, 1), d(2024, 12, 31)),
            grace_days: 7,
        };
        let facts = [
            fact(d(2024, 3, 1), d(2024, 3, 1), 1.0),
            fact(d(2024, 5, 2), d(2024, 5, 9), 3.0),
        ];
        let r = evaluate_assignment_facts(&spec, &facts, d(2024, 6, 1));
        assert!(r.is_unmeasured());
        assert_eq!(
            (r.activity_count, r.last_activity_on),
            (2, Some(d(2024, 5, 2)))
        );
        assert_eq!(r.deadline, None);
        let t = r.tally();
        assert_eq!(
            (t.reporting_rate(), t.on_time_rate(), t.activity_count),
            (None, None, 2)
        );
    }

    #[test]
    fn store_increments_match_the_raw_path() {
        let spec = AssignmentSpec {
            targets: vec![
                Target::new(1.0, Per::Week, "chương trình"),
                Target::new(10.0, Per::Year, "bản tin"),
                Target::new(5.0, Per::Plan, "lớp"),
            ],
            due: Some(d(2024, 11, 15)),
            window: Window::closed(d(2024, 1, 1), d(2024, 12, 31)),
            grace_days: 3,
        };
        let facts = [
            fact(d(2024, 1, 3), d(2024, 1, 20), 2.0),
            fact(d(2024, 2, 29), d(2024, 3, 1), 1.0),
            done(d(2024, 11, 18)),
            fact(d(2024, 12, 30), d(2025, 1, 2), 1.0),
        ];
        let mut live = Aggregates::default();
        let junk = fact(d(2024, 6, 6), d(2024, 6, 6), 4.0);
        live.record(&spec, &junk);
        for f in &facts {
            live.record(&spec, f);
        }
        // Deleting the junk activity: apply its reversed increments.
        for per in spec.pers() {
            let inc = increment(per, spec.grace_days, &junk).unwrap();
            apply_increment(live.buckets.get_mut(&per).unwrap(), inc.reversed());
        }
        live.activity.count -= 1;
        let raw = Aggregates::from_facts(&spec, &facts);
        for at in [d(2024, 3, 1), d(2024, 11, 16), d(2025, 2, 1)] {
            assert_eq!(
                evaluate_assignment(&spec, &live, at),
                evaluate_assignment_facts(&spec, &facts, at)
            );
        }
        assert_eq!(raw.done_on, Some(d(2024, 11, 18)));
        // Week 1 of 2025 holds 30 December 2024 and is owed: the window touches it.
        let r = evaluate_assignment(&spec, &raw, d(2025, 2, 1));
        let weeks = &r.targets[0].periods;
        assert_eq!(weeks.len(), 53);
        assert_eq!(weeks.last().unwrap().start, d(2024, 12, 30));
        assert_eq!(weeks.last().unwrap().status, PeriodStatus::Met);
        assert_eq!(r.deadline, Some(DeadlineState::DoneLate));
    }

    #[test]
    fn increments_say_where_and_whether_on_time() {
        let f = fact(d(2024, 12, 31), d(2025, 1, 5), 2.0);
        let week = increment(Per::Week, 7, &f).unwrap();
        assert_eq!(
            week.period,
            Period {
                start: d(2024, 12, 30),
                end: d(2025, 1, 5)
            }
        );
        assert!(week.on_time);
        let quarter = increment(Per::Quarter, 7, &f).unwrap();
        assert_eq!(quarter.period.start, d(2024, 10, 1));
        assert!(quarter.on_time);
        let day = increment(Per::Plan, 4, &f).unwrap();
        assert_eq!(day.period, Period::day(d(2024, 12, 31)));
        assert!(!day.on_time);
        assert_eq!(
            day.bucket,
            Bucket {
                achieved: 2.0,
                on_time_achieved: 0.0
            }
        );
        assert_eq!(day.reversed().bucket + day.bucket, Bucket::default());
        // Grace days past the end of the calendar never overflow.
        let edge = fact(NaiveDate::MAX, NaiveDate::MAX, 1.0);
        assert!(increment(Per::Day, u32::MAX, &edge).unwrap().on_time);
    }

    #[test]
    fn rates_roll_up_as_sums_not_means() {
        let a = Tally {
            met: 1,
            ended: 4,
            on_time: 1,
            ..Tally::default()
        };
        let b = Tally {
            met: 1,
            ended: 1,
            on_time: 0,
            ..Tally::default()
        };
        let sum = a + b;
        assert_eq!(sum.reporting_rate(), Some(0.4));
        assert_eq!(sum.on_time_rate(), Some(0.2));
        assert_eq!([a, b].iter().sum::<Tally>(), sum);
        assert_eq!(Tally::default().reporting_rate(), None);

        // Communes → districts → province.
        let parent = |unit: &&str| match *unit {
            "xã A" | "xã B" => Some("huyện X"),
            "xã C" => Some("huyện Y"),
            "huyện X" | "huyện Y" => Some("tỉnh"),
            _ => None,
        };
        let items = [("xã A", a), ("xã B", b), ("xã C", b), ("huyện X", a)];
        let by_unit = rollup_tree(items, parent);
        assert_eq!(by_unit["huyện X"], a + b + a);
        assert_eq!(by_unit["huyện Y"], b);
        assert_eq!(by_unit["tỉnh"], a + b + b + a);
        assert_eq!(by_unit["xã A"], a);
        // A cycle is cut, not followed forever.
        let cyclic = rollup_tree([(1u32, a)], |k| Some((k + 1) % 3));
        assert_eq!(cyclic.len(), 3);
        assert!(cyclic.values().all(|t| *t == a));
        // Repeated keys in one item count once.
        let once = rollup([(["k", "k"], b)]);
        assert_eq!(once["k"], b);
        let activity = rollup_tree(
            [
                (
                    "xã A",
                    ActivitySummary {
                        count: 2,
                        last_on: Some(d(2024, 1, 1)),
                    },
                ),
                ("xã C", ActivitySummary::default()),
            ],
            parent,
        );
        assert_eq!(
            activity["tỉnh"],
            ActivitySummary {
                count: 2,
                last_on: Some(d(2024, 1, 1))
            }
        );
    }

    #[test]
    fn validation_names_the_problem() {
        assert!(Target::new(1.0, Per::Week, "").validate().is_ok());
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 2e6] {
            let err = Target::new(bad, Per::Week, "").validate().unwrap_err();
            assert!(err.to_string().contains("target count"), "{err}");
        }
        let f = fact(d(2024, 1, 1), d(2024, 1, 1), 0.0);
        assert!(f.validate().is_ok());
        let err = ActivityFact {
            quantity: -1.0,
            ..f
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("quantity"));
    }

    #[test]
    fn recorded_instant_becomes_a_vietnam_date() {
        use chrono::TimeZone;
        let at = Utc.with_ymd_and_hms(2024, 11, 30, 18, 30, 0).unwrap();
        let f = ActivityFact::recorded_at(d(2024, 11, 30), at, 1.0, false);
        assert_eq!(f.recorded_on, d(2024, 12, 1));
    }
}
