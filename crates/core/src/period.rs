//! Calendar periods (ISO weeks, months, quarters, years) in Asia/Ho_Chi_Minh dates.
//!
//! Why a module of its own: every number kehoach shows — "1 chương trình mỗi tuần", the heatmap,
//! the November report — is counted per *calendar* period, and the same date must land in the same
//! period in the importer, the store's live aggregates and the compliance engine. So the rules live
//! here once:
//!
//! - Dates are civil dates in Vietnam (UTC+7 all year, no daylight saving), plain [`NaiveDate`]s.
//!   Turning an instant into such a date is [`today_in_vietnam`]; it takes the instant as an
//!   argument so that everything stays pure and testable.
//! - Weeks are ISO 8601 weeks: Monday to Sunday, numbered within the *ISO week-year* (30 December
//!   2024 is in week 1 of 2025; 2020 has a week 53). Months, quarters and years are the usual ones.
//! - A [`Period`] is an inclusive span of days. It knows nothing of the [`Per`] that made it; its
//!   [`label`](Period::label) recognises the calendar period from the span itself.
//! - [`Per::Plan`] ("a total over the plan's period") has no calendar period: the functions that
//!   need one return `None` for it, and the compliance engine treats it on its own path.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// Vietnam's offset from UTC, in seconds: UTC+7, no daylight saving time.
pub const VIETNAM_UTC_OFFSET_SECS: i32 = 7 * 3600;

/// The fixed offset of Asia/Ho_Chi_Minh.
pub fn vietnam_offset() -> FixedOffset {
    FixedOffset::east_opt(VIETNAM_UTC_OFFSET_SECS).expect("UTC+7 is a valid offset")
}

/// The civil date in Vietnam at the instant `now`.
///
/// ```
/// use chrono::{NaiveDate, TimeZone, Utc};
/// use kehoach_core::period::today_in_vietnam;
/// // 17:00 UTC on 31 December is already New Year's Day in Hà Nội.
/// let now = Utc.with_ymd_and_hms(2024, 12, 31, 17, 0, 0).unwrap();
/// assert_eq!(today_in_vietnam(now), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
/// ```
pub fn today_in_vietnam(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&vietnam_offset()).date_naive()
}

/// How often a target recurs, as written in a plan (`"per"` in `kehoach.plan/1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    /// A total over the whole window of the task (or the plan's period); not a calendar period.
    Plan,
}

impl Per {
    /// Every value, shortest period first.
    pub const ALL: [Per; 6] = [
        Per::Day,
        Per::Week,
        Per::Month,
        Per::Quarter,
        Per::Year,
        Per::Plan,
    ];

    /// The plan-format spelling: `"day"`, `"week"`, … `"plan"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Per::Day => "day",
            Per::Week => "week",
            Per::Month => "month",
            Per::Quarter => "quarter",
            Per::Year => "year",
            Per::Plan => "plan",
        }
    }

    /// The Vietnamese word, for "01 chương trình/tuần": ngày, tuần, tháng, quý, năm, kế hoạch.
    pub fn vi(self) -> &'static str {
        match self {
            Per::Day => "ngày",
            Per::Week => "tuần",
            Per::Month => "tháng",
            Per::Quarter => "quý",
            Per::Year => "năm",
            Per::Plan => "kế hoạch",
        }
    }

    /// True for the calendar periods (everything but [`Per::Plan`]).
    pub fn is_recurring(self) -> bool {
        self != Per::Plan
    }
}

impl fmt::Display for Per {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `per` that is none of the known ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown period \"{0}\": expected one of day, week, month, quarter, year, plan")]
pub struct UnknownPer(pub String);

impl FromStr for Per {
    type Err = UnknownPer;

    /// Accepts the plan-format words in any case, and the Vietnamese words
    /// (ngày, tuần, tháng, quý, năm, kế hoạch) in NFC or NFD.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let folded = crate::text::fold(s);
        let per = match folded.as_str() {
            "day" | "ngay" => Per::Day,
            "week" | "tuan" => Per::Week,
            "month" | "thang" => Per::Month,
            "quarter" | "quy" => Per::Quarter,
            "year" | "nam" => Per::Year,
            "plan" | "ke hoach" => Per::Plan,
            _ => return Err(UnknownPer(s.trim().to_string())),
        };
        Ok(per)
    }
}

/// An inclusive span of civil dates, `start ..= end`. Serialises as
/// `{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}`.
///
/// The fields are public for the sake of plain data; [`Period::new`] checks `start <= end`, and
/// the functions of this crate that receive an inverted period treat it as empty or normalise it
/// (each says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    /// Inclusive: the last day of the period.
    pub end: NaiveDate,
}

impl Period {
    /// The span `start ..= end`, or `None` when `start > end`.
    pub fn new(start: NaiveDate, end: NaiveDate) -> Option<Period> {
        (start <= end).then_some(Period { start, end })
    }

    /// The period of one day.
    pub fn day(date: NaiveDate) -> Period {
        Period {
            start: date,
            end: date,
        }
    }

    /// The same span with `start <= end` (swapping the two if needed).
    pub fn normalized(self) -> Period {
        if self.start <= self.end {
            self
        } else {
            Period {
                start: self.end,
                end: self.start,
            }
        }
    }

    /// The calendar period of kind `per` that contains `date`.
    ///
    /// `None` for [`Per::Plan`] (no calendar period) and at the very edges of chrono's date range.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use kehoach_core::period::{Per, Period};
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let week = Period::containing(Per::Week, d(2025, 1, 1)).unwrap();
    /// assert_eq!((week.start, week.end), (d(2024, 12, 30), d(2025, 1, 5)));
    /// assert_eq!(week.label(), "Tuần 01/2025");
    /// ```
    pub fn containing(per: Per, date: NaiveDate) -> Option<Period> {
        let (start, end) = match per {
            Per::Day => (date, date),
            Per::Week => {
                let back = u64::from(date.weekday().num_days_from_monday());
                let start = date.checked_sub_days(Days::new(back))?;
                (start, start.checked_add_days(Days::new(6))?)
            }
            Per::Month => {
                let start = date.with_day(1)?;
                (start, last_of_month(start)?)
            }
            Per::Quarter => {
                let first_month = (date.month0() / 3) * 3 + 1;
                let start = NaiveDate::from_ymd_opt(date.year(), first_month, 1)?;
                let end = last_of_month(start.checked_add_months(Months::new(2))?)?;
                (start, end)
            }
            Per::Year => (
                NaiveDate::from_ymd_opt(date.year(), 1, 1)?,
                NaiveDate::from_ymd_opt(date.year(), 12, 31)?,
            ),
            Per::Plan => return None,
        };
        Some(Period { start, end })
    }

    /// The period of kind `per` right after this one: the one containing `end + 1 day`.
    pub fn next(self, per: Per) -> Option<Period> {
        Period::containing(per, self.end.succ_opt()?)
    }

    /// The period of kind `per` right before this one: the one containing `start − 1 day`.
    pub fn prev(self, per: Per) -> Option<Period> {
        Period::containing(per, self.start.pred_opt()?)
    }

    /// Every calendar period of kind `per` that overlaps `from ..= to`, in order. Each is whole:
    /// the first may start before `from`, the last may end after `to`.
    ///
    /// Empty when `from > to` or `per` is [`Per::Plan`].
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use kehoach_core::period::{Per, Period};
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// let labels: Vec<String> = Period::overlapping(Per::Month, d(2024, 9, 25), d(2024, 10, 31))
    ///     .map(|p| p.label())
    ///     .collect();
    /// assert_eq!(labels, ["T09/2024", "T10/2024"]);
    /// ```
    pub fn overlapping(per: Per, from: NaiveDate, to: NaiveDate) -> Periods {
        let next = if from <= to {
            Period::containing(per, from)
        } else {
            None
        };
        Periods { per, next, to }
    }

    /// True when `date` is in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// True when the two periods share at least one day.
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start <= other.end && other.start <= self.end
    }

    /// The number of days in the period, both ends included (0 for an inverted period).
    pub fn days(&self) -> i64 {
        ((self.end - self.start).num_days() + 1).max(0)
    }

    /// The kind of calendar period this span is, recognised from its dates: a single day, an ISO
    /// week (Monday to Sunday), a whole month, quarter or year. `None` for any other span.
    pub fn kind(&self) -> Option<Per> {
        [Per::Day, Per::Week, Per::Month, Per::Quarter, Per::Year]
            .into_iter()
            .find(|&per| Period::containing(per, self.start) == Some(*self))
    }

    /// The short Vietnamese label: `"05/11/2024"` (day), `"Tuần 05/2024"` (ISO week and ISO
    /// week-year), `"T12/2024"` (month), `"Q3/2024"` (quarter), `"2024"` (year), and
    /// `"25/09/2024–31/10/2024"` for any other span.
    pub fn label(&self) -> String {
        let s = self.start;
        match self.kind() {
            Some(Per::Day) => s.format("%d/%m/%Y").to_string(),
            Some(Per::Week) => {
                let w = s.iso_week();
                format!("Tuần {:02}/{}", w.week(), w.year())
            }
            Some(Per::Month) => format!("T{:02}/{}", s.month(), s.year()),
            Some(Per::Quarter) => format!("Q{}/{}", s.month0() / 3 + 1, s.year()),
            Some(Per::Year) => s.year().to_string(),
            Some(Per::Plan) | None => {
                format!("{}–{}", s.format("%d/%m/%Y"), self.end.format("%d/%m/%Y"))
            }
        }
    }
}

impl fmt::Display for Period {
    /// The ISO form `2024-01-01..2024-12-31`; see [`Period::label`] for the Vietnamese one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

/// The iterator of [`Period::overlapping`].
#[derive(Debug, Clone)]
pub struct Periods {
    per: Per,
    next: Option<Period>,
    to: NaiveDate,
}

impl Iterator for Periods {
    type Item = Period;

    fn next(&mut self) -> Option<Period> {
        let current = self.next.filter(|p| p.start <= self.to)?;
        self.next = if current.end < self.to {
            current.next(self.per)
        } else {
            None
        };
        Some(current)
    }
}

impl std::iter::FusedIterator for Periods {}

/// The last day of the month of `first` (which is the first of its month).
fn last_of_month(first: NaiveDate) -> Option<NaiveDate> {
    first.checked_add_months(Months::new(1))?.pred_opt()
}

/// Monday of ISO week `week` of ISO week-year `year`, if that week exists.
pub fn iso_week_start(year: i32, week: u32) -> Option<NaiveDate> {
    NaiveDate::from_isoywd_opt(year, week, Weekday::Mon)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn p(per: Per, date: NaiveDate) -> Period {
        Period::containing(per, date).unwrap()
    }

    #[test]
    fn per_round_trips_through_serde_and_strings() {
        for per in Per::ALL {
            let json = serde_json::to_string(&per).unwrap();
            assert_eq!(json, format!("\"{}\"", per.as_str()));
            assert_eq!(per.as_str().parse::<Per>().unwrap(), per);
            assert_eq!(per.to_string().to_uppercase().parse::<Per>().unwrap(), per);
            assert_eq!(per.vi().parse::<Per>().unwrap(), per);
        }
        assert_eq!(" Tuần ".parse::<Per>().unwrap(), Per::Week);
        assert_eq!("quý".parse::<Per>().unwrap(), Per::Quarter);
        let err = "fortnight".parse::<Per>().unwrap_err();
        assert!(err.to_string().contains("fortnight"));
    }

    #[test]
    fn vietnam_date_is_utc_plus_seven() {
        let at = |h| Utc.with_ymd_and_hms(2024, 6, 30, h, 0, 0).unwrap();
        assert_eq!(today_in_vietnam(at(16)), d(2024, 6, 30));
        assert_eq!(today_in_vietnam(at(17)), d(2024, 7, 1));
        assert_eq!(today_in_vietnam(at(0)), d(2024, 6, 30));
        // 23:59:59 local on 30 June is 16:59:59 UTC.
        let edge = Utc.with_ymd_and_hms(2024, 6, 30, 16, 59, 59).unwrap();
        assert_eq!(today_in_vietnam(edge), d(2024, 6, 30));
    }

    #[test]
    fn iso_weeks_start_monday_and_use_the_week_year() {
        // Monday 30 December 2024 opens week 1 of 2025.
        let w = p(Per::Week, d(2024, 12, 30));
        assert_eq!((w.start, w.end), (d(2024, 12, 30), d(2025, 1, 5)));
        assert_eq!(w.label(), "Tuần 01/2025");
        assert_eq!(p(Per::Week, d(2024, 12, 29)).label(), "Tuần 52/2024");
        // 2020 has 53 weeks; 1–3 January 2021 still belong to week 53 of 2020.
        let w53 = p(Per::Week, d(2021, 1, 3));
        assert_eq!((w53.start, w53.end), (d(2020, 12, 28), d(2021, 1, 3)));
        assert_eq!(w53.label(), "Tuần 53/2020");
        assert_eq!(iso_week_start(2020, 53), Some(d(2020, 12, 28)));
        assert_eq!(iso_week_start(2021, 53), None);
        // 1 January 2016 (a Friday) is in week 53 of 2015.
        assert_eq!(p(Per::Week, d(2016, 1, 1)).label(), "Tuần 53/2015");
        // Week 5 label is zero-padded.
        assert_eq!(p(Per::Week, d(2024, 1, 29)).label(), "Tuần 05/2024");
        // Sunday belongs to the week that started six days earlier.
        let sunday = p(Per::Week, d(2024, 11, 17));
        assert_eq!(sunday.start, d(2024, 11, 11));
        assert_eq!(sunday.start.weekday(), Weekday::Mon);
    }

    #[test]
    fn months_quarters_years_and_leap_years() {
        let feb = p(Per::Month, d(2024, 2, 10));
        assert_eq!((feb.start, feb.end), (d(2024, 2, 1), d(2024, 2, 29)));
        assert_eq!(feb.days(), 29);
        assert_eq!(p(Per::Month, d(2023, 2, 28)).end, d(2023, 2, 28));
        assert_eq!(p(Per::Month, d(1900, 2, 1)).end, d(1900, 2, 28));
        assert_eq!(p(Per::Month, d(2000, 2, 1)).end, d(2000, 2, 29));
        assert_eq!(p(Per::Month, d(2024, 12, 31)).label(), "T12/2024");
        assert_eq!(p(Per::Month, d(2024, 1, 1)).label(), "T01/2024");

        let q1 = p(Per::Quarter, d(2024, 3, 31));
        assert_eq!((q1.start, q1.end), (d(2024, 1, 1), d(2024, 3, 31)));
        assert_eq!(q1.days(), 91);
        assert_eq!(p(Per::Quarter, d(2023, 2, 1)).days(), 90);
        let q3 = p(Per::Quarter, d(2024, 7, 1));
        assert_eq!((q3.start, q3.end), (d(2024, 7, 1), d(2024, 9, 30)));
        assert_eq!(q3.label(), "Q3/2024");
        assert_eq!(p(Per::Quarter, d(2024, 9, 30)), q3);
        assert_eq!(p(Per::Quarter, d(2024, 10, 1)).label(), "Q4/2024");
        assert_eq!(p(Per::Quarter, d(2024, 12, 31)).end, d(2024, 12, 31));

        let y = p(Per::Year, d(2024, 6, 15));
        assert_eq!((y.start, y.end), (d(2024, 1, 1), d(2024, 12, 31)));
        assert_eq!(y.days(), 366);
        assert_eq!(p(Per::Year, d(2023, 6, 15)).days(), 365);
        assert_eq!(y.label(), "2024");

        let day = p(Per::Day, d(2024, 11, 5));
        assert_eq!(day, Period::day(d(2024, 11, 5)));
        assert_eq!(day.label(), "05/11/2024");
        assert_eq!(Period::containing(Per::Plan, d(2024, 1, 1)), None);
    }

    #[test]
    fn next_and_prev_cross_boundaries() {
        let dec = p(Per::Month, d(2024, 12, 5));
        assert_eq!(dec.next(Per::Month).unwrap().label(), "T01/2025");
        assert_eq!(dec.prev(Per::Month).unwrap().label(), "T11/2024");
        let q4 = p(Per::Quarter, d(2024, 11, 1));
        assert_eq!(q4.next(Per::Quarter).unwrap().label(), "Q1/2025");
        assert_eq!(q4.prev(Per::Quarter).unwrap().label(), "Q3/2024");
        let w52 = p(Per::Week, d(2020, 12, 21));
        assert_eq!(w52.next(Per::Week).unwrap().label(), "Tuần 53/2020");
        assert_eq!(
            w52.next(Per::Week)
                .unwrap()
                .next(Per::Week)
                .unwrap()
                .label(),
            "Tuần 01/2021"
        );
        assert_eq!(
            p(Per::Day, d(2024, 2, 28)).next(Per::Day).unwrap().start,
            d(2024, 2, 29)
        );
        assert_eq!(
            p(Per::Day, d(2024, 3, 1)).prev(Per::Day).unwrap().start,
            d(2024, 2, 29)
        );
        assert_eq!(
            p(Per::Year, d(2024, 3, 1)).next(Per::Year).unwrap().label(),
            "2025"
        );
        assert_eq!(dec.next(Per::Plan), None);
        let last = Period::day(NaiveDate::MAX);
        assert_eq!(last.next(Per::Day), None);
        assert_eq!(Period::day(NaiveDate::MIN).prev(Per::Day), None);
    }

    #[test]
    fn overlapping_counts_whole_periods() {
        let weeks: Vec<Period> =
            Period::overlapping(Per::Week, d(2024, 9, 25), d(2024, 10, 31)).collect();
        assert_eq!(weeks.len(), 6);
        assert_eq!(weeks[0].start, d(2024, 9, 23));
        assert_eq!(weeks[5].end, d(2024, 11, 3));
        for pair in weeks.windows(2) {
            assert_eq!(pair[0].end.succ_opt().unwrap(), pair[1].start);
        }
        let quarters: Vec<String> =
            Period::overlapping(Per::Quarter, d(2024, 3, 31), d(2024, 4, 1))
                .map(|p| p.label())
                .collect();
        assert_eq!(quarters, ["Q1/2024", "Q2/2024"]);
        let one_day: Vec<Period> =
            Period::overlapping(Per::Year, d(2024, 5, 5), d(2024, 5, 5)).collect();
        assert_eq!(one_day, [p(Per::Year, d(2024, 5, 5))]);
        assert_eq!(
            Period::overlapping(Per::Month, d(2024, 5, 5), d(2024, 5, 4)).count(),
            0
        );
        assert_eq!(
            Period::overlapping(Per::Plan, d(2024, 1, 1), d(2024, 12, 31)).count(),
            0
        );
        assert_eq!(
            Period::overlapping(Per::Day, d(2024, 1, 1), d(2024, 12, 31)).count(),
            366
        );
        assert_eq!(
            Period::overlapping(Per::Week, d(2020, 1, 1), d(2020, 12, 31)).count(),
            53
        );
        // Up to the very last date without overflow.
        let tail: Vec<Period> =
            Period::overlapping(Per::Day, NaiveDate::MAX.pred_opt().unwrap(), NaiveDate::MAX)
                .collect();
        assert_eq!(tail.len(), 2);
    }

    #[test]
    fn kinds_and_labels_of_arbitrary_spans() {
        let span = Period::new(d(2024, 9, 25), d(2024, 10, 31)).unwrap();
        assert_eq!(span.kind(), None);
        assert_eq!(span.label(), "25/09/2024–31/10/2024");
        // Seven days not starting on Monday are not a week.
        assert_eq!(
            Period::new(d(2024, 11, 12), d(2024, 11, 18))
                .unwrap()
                .kind(),
            None
        );
        assert_eq!(
            Period::new(d(2024, 1, 1), d(2024, 3, 31)).unwrap().kind(),
            Some(Per::Quarter)
        );
        assert_eq!(Period::new(d(2024, 1, 2), d(2024, 1, 1)), None);
        let inverted = Period {
            start: d(2024, 1, 2),
            end: d(2024, 1, 1),
        };
        assert_eq!(inverted.days(), 0);
        assert_eq!(
            inverted.normalized(),
            Period {
                start: d(2024, 1, 1),
                end: d(2024, 1, 2)
            }
        );
        assert!(span.contains(d(2024, 10, 31)) && !span.contains(d(2024, 11, 1)));
        assert!(span.overlaps(&p(Per::Month, d(2024, 9, 1))));
        assert!(!span.overlaps(&p(Per::Month, d(2024, 8, 1))));
        assert_eq!(span.to_string(), "2024-09-25..2024-10-31");
        let json = serde_json::to_string(&span).unwrap();
        assert_eq!(json, r#"{"start":"2024-09-25","end":"2024-10-31"}"#);
        assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), span);
    }
}
