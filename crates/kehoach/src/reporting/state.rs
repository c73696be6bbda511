//! Where a unit stands on a report request, and the periods requests cover. Pure.
//!
//! A unit's state, in one rule: its latest submission decides (accepted; returned; submitted on
//! time or late by the report's date against the deadline); without one, past the deadline it is
//! overdue, else it has a draft or has not started. The official deadline state is the engine's
//! (`kehoach_core::compliance::deadline_state`) with the date of the submission that counts (the
//! latest one not returned) as the done date — the same date the completing activity carries.
//!
//! Periods follow the data cut-off of Decree 09/2019/NĐ-CP unless calendar periods are asked: a
//! month runs from the 15th of the month before to the 14th, a quarter from the 15th of the month
//! before it to the 14th of its last month, a half-year and a year from 15/12 of the year before
//! (to 14/06 and 14/12).

use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::{DeadlineState, deadline_state};
use serde::Serialize;

use crate::export::report_period::{PeriodKind, ReportPeriod};

/// What a submission has become after review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Review {
    Submitted,
    Returned,
    Accepted,
}

impl Review {
    pub fn as_str(self) -> &'static str {
        match self {
            Review::Submitted => "submitted",
            Review::Returned => "returned",
            Review::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Review> {
        match s {
            "submitted" => Some(Review::Submitted),
            "returned" => Some(Review::Returned),
            "accepted" => Some(Review::Accepted),
            _ => None,
        }
    }
}

/// A unit's state on a request, as the review board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitState {
    NotStarted,
    Draft,
    SubmittedOnTime,
    SubmittedLate,
    Returned,
    Accepted,
    Overdue,
}

impl UnitState {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitState::NotStarted => "not_started",
            UnitState::Draft => "draft",
            UnitState::SubmittedOnTime => "submitted_on_time",
            UnitState::SubmittedLate => "submitted_late",
            UnitState::Returned => "returned",
            UnitState::Accepted => "accepted",
            UnitState::Overdue => "overdue",
        }
    }
}

/// The latest submission of a unit: its review and the report's date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latest {
    pub review: Review,
    pub signed_on: NaiveDate,
}

/// The state of a unit that has (or has not) a draft and a latest submission, on `today`.
pub fn unit_state(
    has_draft: bool,
    latest: Option<Latest>,
    due: NaiveDate,
    today: NaiveDate,
) -> UnitState {
    match latest {
        Some(Latest {
            review: Review::Accepted,
            ..
        }) => UnitState::Accepted,
        Some(Latest {
            review: Review::Returned,
            ..
        }) => UnitState::Returned,
        Some(Latest { signed_on, .. }) if signed_on <= due => UnitState::SubmittedOnTime,
        Some(_) => UnitState::SubmittedLate,
        None if today > due => UnitState::Overdue,
        None if has_draft => UnitState::Draft,
        None => UnitState::NotStarted,
    }
}

/// The official deadline state: the submission that counts (the latest, unless returned) is
/// the done date.
pub fn official_state(latest: Option<Latest>, due: NaiveDate, today: NaiveDate) -> DeadlineState {
    let done = latest
        .filter(|l| l.review != Review::Returned)
        .map(|l| l.signed_on);
    deadline_state(due, done, today)
}

fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The period with the data cut-off of Decree 09/2019/NĐ-CP: from the 15th of the month before
/// its first month to the 14th of its last month. Kind and year (its label) stay.
pub fn with_cut_off(p: ReportPeriod) -> ReportPeriod {
    let first = p.from;
    let before = first.pred_opt().unwrap_or(first);
    let from = ymd(before.year(), before.month(), 15).unwrap_or(p.from);
    let to = ymd(p.to.year(), p.to.month(), 14).unwrap_or(p.to);
    ReportPeriod { from, to, ..p }
}

/// The calendar period after `p`, of the same kind.
pub fn next_calendar(p: ReportPeriod) -> Option<ReportPeriod> {
    let y = p.year;
    let tag = match p.kind {
        PeriodKind::Year => format!("{}", y + 1),
        PeriodKind::Half(1) => format!("{y}-H2"),
        PeriodKind::Half(_) => format!("{}-H1", y + 1),
        PeriodKind::Quarter(q) if q < 4 => format!("{y}-Q{}", q + 1),
        PeriodKind::Quarter(_) => format!("{}-Q1", y + 1),
        PeriodKind::Month(m) if m < 12 => format!("{y}-{:02}", m + 1),
        PeriodKind::Month(_) => format!("{}-01", y + 1),
    };
    ReportPeriod::parse(&tag).ok()
}

/// The kind of a period as stored ("year", "half", "quarter", "month").
pub fn kind_name(kind: PeriodKind) -> &'static str {
    match kind {
        PeriodKind::Year => "year",
        PeriodKind::Half(_) => "half",
        PeriodKind::Quarter(_) => "quarter",
        PeriodKind::Month(_) => "month",
    }
}

/// A stored period back: its calendar tag's kind with the stored span.
pub fn stored_period(tag: &str, from: NaiveDate, to: NaiveDate) -> ReportPeriod {
    match ReportPeriod::parse(tag) {
        Ok(p) => ReportPeriod { from, to, ..p },
        Err(_) => ReportPeriod {
            from,
            to,
            ..ReportPeriod::year(to.year())
        },
    }
}

/// A request's period and deadline, as the upward rule sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub due: NaiveDate,
}

/// Which of the requests of the plan above (those asking the office's unit) a compiled report
/// answers: one whose period overlaps the report's; of those, the deadline nearest on or after
/// the report's own (an office compiles its units' reports before it must answer upward), else
/// the nearest before it. `None` when no period overlaps: the report goes nowhere above.
pub fn upward_choice(own: Span, candidates: &[Span]) -> Option<usize> {
    candidates
        .iter()
        .enumerate()
        .filter(|(_, c)| c.from <= own.to && own.from <= c.to)
        .min_by_key(|(i, c)| {
            let later = c.due >= own.due;
            (!later, (c.due - own.due).num_days().abs(), *i)
        })
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_compiled_report_answers_the_overlapping_request_due_next() {
        let span = |from: &str, to: &str, due: &str| Span {
            from: d(from),
            to: d(to),
            due: d(due),
        };
        let own = span("2023-12-15", "2024-12-14", "2024-11-10");
        let year = span("2023-12-15", "2024-12-14", "2024-11-15");
        let later_year = span("2023-12-15", "2024-12-14", "2024-12-01");
        let earlier = span("2024-09-15", "2024-10-14", "2024-10-20");
        let next_year = span("2024-12-15", "2025-12-14", "2025-11-15");
        assert_eq!(upward_choice(own, &[later_year, year, next_year]), Some(1));
        assert_eq!(
            upward_choice(own, &[earlier]),
            Some(0),
            "due before: still the answer"
        );
        assert_eq!(upward_choice(own, &[earlier, year]), Some(1));
        assert_eq!(upward_choice(own, &[next_year]), None);
        assert_eq!(upward_choice(own, &[]), None);
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn decree_09_cut_off() {
        let span = |t: &str| {
            let p = with_cut_off(ReportPeriod::parse(t).unwrap());
            (p.from, p.to)
        };
        assert_eq!(span("2024-05"), (d("2024-04-15"), d("2024-05-14")));
        assert_eq!(span("2024-01"), (d("2023-12-15"), d("2024-01-14")));
        assert_eq!(span("2024-Q3"), (d("2024-06-15"), d("2024-09-14")));
        assert_eq!(span("2024-H1"), (d("2023-12-15"), d("2024-06-14")));
        assert_eq!(span("2024"), (d("2023-12-15"), d("2024-12-14")));
        assert_eq!(
            next_calendar(ReportPeriod::parse("2024-12").unwrap())
                .unwrap()
                .tag(),
            "2025-01"
        );
        assert_eq!(
            next_calendar(ReportPeriod::parse("2024-Q4").unwrap())
                .unwrap()
                .tag(),
            "2025-q1"
        );
    }

    #[test]
    fn states_follow_the_latest_submission() {
        let due = d("2024-11-15");
        let sub = |review, on: &str| {
            Some(Latest {
                review,
                signed_on: d(on),
            })
        };
        assert_eq!(
            unit_state(false, None, due, d("2024-11-04")),
            UnitState::NotStarted
        );
        assert_eq!(
            unit_state(true, None, due, d("2024-11-04")),
            UnitState::Draft
        );
        assert_eq!(
            unit_state(true, None, due, d("2024-11-16")),
            UnitState::Overdue
        );
        assert_eq!(
            unit_state(
                true,
                sub(Review::Submitted, "2024-11-15"),
                due,
                d("2024-12-01")
            ),
            UnitState::SubmittedOnTime
        );
        assert_eq!(
            unit_state(
                true,
                sub(Review::Submitted, "2024-11-18"),
                due,
                d("2024-12-01")
            ),
            UnitState::SubmittedLate
        );
        assert_eq!(
            unit_state(
                true,
                sub(Review::Returned, "2024-11-10"),
                due,
                d("2024-12-01")
            ),
            UnitState::Returned
        );
        assert_eq!(
            official_state(sub(Review::Returned, "2024-11-10"), due, d("2024-12-01")),
            DeadlineState::NotDoneOverdue
        );
        assert_eq!(
            official_state(sub(Review::Accepted, "2024-11-18"), due, d("2024-12-01")),
            DeadlineState::DoneLate
        );
    }
}
