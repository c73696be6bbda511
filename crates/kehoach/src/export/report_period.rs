//! The period a report covers — a year, a half-year, a quarter or a month — and which of a
//! target's periods and which deadlines belong to it.
//!
//! The rule, in one place: a report evaluates compliance on the day after its period (or today,
//! while the period runs), so every period ending on its last day counts as ended; a target's
//! period belongs to the report when it *ends* within the reported span, so each period is counted
//! in exactly one report of a series (Q1 + Q2 + Q3 + Q4 = the year; a week across New Year belongs
//! to the year it ends in); a deliverable belongs when it is due within the span.

use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::PeriodReport;

/// What a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Year,
    /// 1 or 2.
    Half(u8),
    /// 1 to 4.
    Quarter(u8),
    /// 1 to 12.
    Month(u32),
}

/// The reported span: `from ..= to`, with its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportPeriod {
    pub year: i32,
    pub kind: PeriodKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What `--period` and `period=` accept, for error messages.
pub const PERIOD_FORMS: &str =
    "period: expected a year such as 2024, a half 2024-H1, a quarter 2024-Q3 or a month 2024-05";

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

fn last_of_month(y: i32, m: u32) -> Option<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    date(ny, nm, 1)?.pred_opt()
}

impl ReportPeriod {
    /// The calendar year `year`.
    pub fn year(year: i32) -> ReportPeriod {
        ReportPeriod::of(year, PeriodKind::Year).unwrap_or(ReportPeriod {
            year,
            kind: PeriodKind::Year,
            from: NaiveDate::MIN,
            to: NaiveDate::MAX,
        })
    }

    fn of(year: i32, kind: PeriodKind) -> Option<ReportPeriod> {
        let (first, last) = match kind {
            PeriodKind::Year => (1, 12),
            PeriodKind::Half(h @ 1..=2) => (u32::from(h) * 6 - 5, u32::from(h) * 6),
            PeriodKind::Quarter(q @ 1..=4) => (u32::from(q) * 3 - 2, u32::from(q) * 3),
            PeriodKind::Month(m @ 1..=12) => (m, m),
            _ => return None,
        };
        Some(ReportPeriod {
            year,
            kind,
            from: date(year, first, 1)?,
            to: last_of_month(year, last)?,
        })
    }

    /// What [`ReportPeriod::parse`] reads, as the OpenAPI document states it.
    pub const PATTERN: &'static str =
        "^\\s*(20[0-9]{2}|2100)(-([Hh][12]|[Qq][1-4]|0[1-9]|1[0-2]))?\\s*$";

    /// The schema of a period parameter or field ([`ReportPeriod::PATTERN`]).
    pub fn schema() -> utoipa::openapi::schema::Object {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(Self::PATTERN))
            .build()
    }

    /// [`ReportPeriod::schema`], or null (a body's optional period).
    pub fn nullable_schema() -> utoipa::openapi::schema::Object {
        use utoipa::openapi::schema::{SchemaType, Type};
        let mut schema = Self::schema();
        schema.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
        schema
    }

    /// "2024", "2024-H1", "2024-Q3", "2024-05" (case and spaces ignored).
    pub fn parse(s: &str) -> Result<ReportPeriod, String> {
        let bad = || {
            format!(
                "{PERIOD_FORMS}, got {:?}",
                s.chars().take(40).collect::<String>()
            )
        };
        let t = s.trim().to_ascii_uppercase();
        // The year is four ASCII digits; anything else (a letter of several bytes among them)
        // is refused before slicing.
        let (y, rest) = match t.get(..4) {
            Some(y) if y.bytes().all(|b| b.is_ascii_digit()) => (y, &t[4..]),
            _ => return Err(bad()),
        };
        let year: i32 = y.parse().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) {
            return Err(bad());
        }
        let kind = match rest {
            "" => PeriodKind::Year,
            r => {
                let r = r.strip_prefix('-').ok_or_else(bad)?;
                if let Some(h) = r.strip_prefix('H') {
                    PeriodKind::Half(h.parse().map_err(|_| bad())?)
                } else if let Some(q) = r.strip_prefix('Q') {
                    PeriodKind::Quarter(q.parse().map_err(|_| bad())?)
                } else if r.len() == 2 {
                    PeriodKind::Month(r.parse().map_err(|_| bad())?)
                } else {
                    return Err(bad());
                }
            }
        };
        ReportPeriod::of(year, kind).ok_or_else(bad)
    }

    /// The date compliance is evaluated on: the day after the period, or `today` while the
    /// period runs (so its last periods count as ended once it is over).
    pub fn evaluation_date(&self, today: NaiveDate) -> NaiveDate {
        self.to.succ_opt().unwrap_or(self.to).min(today)
    }

    /// Whether a target's period belongs to this report: it ends within the span.
    pub fn counts(&self, p: &PeriodReport) -> bool {
        self.from <= p.end && p.end <= self.to
    }

    /// Whether a plan-total target's window reaches into the span.
    pub fn overlaps(&self, p: &PeriodReport) -> bool {
        p.start <= self.to && p.end >= self.from
    }

    /// Whether a deadline falls within the span.
    pub fn has_deadline(&self, due: NaiveDate) -> bool {
        self.from <= due && due <= self.to
    }

    /// "năm 2024", "6 tháng đầu năm 2024", "quý III năm 2024", "tháng 5 năm 2024".
    pub fn label(&self) -> String {
        let y = self.year;
        match self.kind {
            PeriodKind::Year => format!("năm {y}"),
            PeriodKind::Half(1) => format!("6 tháng đầu năm {y}"),
            PeriodKind::Half(_) => format!("6 tháng cuối năm {y}"),
            PeriodKind::Quarter(q) => {
                let roman = ["I", "II", "III", "IV"][usize::from(q.clamp(1, 4)) - 1];
                format!("quý {roman} năm {y}")
            }
            PeriodKind::Month(m) => format!("tháng {m} năm {y}"),
        }
    }

    /// The period after this one, as its label ("năm 2025", "quý IV năm 2024").
    pub fn next_label(&self) -> String {
        let next = match self.kind {
            PeriodKind::Year => ReportPeriod::of(self.year + 1, PeriodKind::Year),
            PeriodKind::Half(1) => ReportPeriod::of(self.year, PeriodKind::Half(2)),
            PeriodKind::Half(_) => ReportPeriod::of(self.year + 1, PeriodKind::Half(1)),
            PeriodKind::Quarter(q) if q < 4 => {
                ReportPeriod::of(self.year, PeriodKind::Quarter(q + 1))
            }
            PeriodKind::Quarter(_) => ReportPeriod::of(self.year + 1, PeriodKind::Quarter(1)),
            PeriodKind::Month(m) if m < 12 => ReportPeriod::of(self.year, PeriodKind::Month(m + 1)),
            PeriodKind::Month(_) => ReportPeriod::of(self.year + 1, PeriodKind::Month(1)),
        };
        next.map_or_else(String::new, |p| p.label())
    }

    /// A short tag for file names: "2024", "2024-q3", "2024-h1", "2024-05".
    pub fn tag(&self) -> String {
        let y = self.year;
        match self.kind {
            PeriodKind::Year => y.to_string(),
            PeriodKind::Half(h) => format!("{y}-h{h}"),
            PeriodKind::Quarter(q) => format!("{y}-q{q}"),
            PeriodKind::Month(m) => format!("{y}-{m:02}"),
        }
    }
}

impl From<i32> for ReportPeriod {
    fn from(year: i32) -> ReportPeriod {
        ReportPeriod::year(year)
    }
}

/// The year of a date, for callers that default the period to the current year.
pub fn current(today: NaiveDate) -> ReportPeriod {
    ReportPeriod::year(today.year())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn every_form_parses_to_its_span() {
        let p = ReportPeriod::parse("2024").unwrap();
        assert_eq!((p.from, p.to), (d("2024-01-01"), d("2024-12-31")));
        assert_eq!(p.label(), "năm 2024");
        assert_eq!(p.next_label(), "năm 2025");
        let p = ReportPeriod::parse("2024-q3").unwrap();
        assert_eq!((p.from, p.to), (d("2024-07-01"), d("2024-09-30")));
        assert_eq!(p.label(), "quý III năm 2024");
        let p = ReportPeriod::parse(" 2024-H1 ").unwrap();
        assert_eq!((p.from, p.to), (d("2024-01-01"), d("2024-06-30")));
        assert_eq!(p.label(), "6 tháng đầu năm 2024");
        let p = ReportPeriod::parse("2024-02").unwrap();
        assert_eq!((p.from, p.to), (d("2024-02-01"), d("2024-02-29")));
        assert_eq!(p.label(), "tháng 2 năm 2024");
        assert_eq!(p.tag(), "2024-02");
        for bad in [
            "24", "2024-Q5", "2024-13", "2024-H3", "năm nay", "2024-5", "1999", "",
            // Letters of several bytes where the year's digits or the rest are (found by
            // schemathesis: slicing by bytes panicked).
            "[´þ", "202ñ", "2024ñ", "2024-Qñ", "2024-ñ",
        ] {
            let e = ReportPeriod::parse(bad).unwrap_err();
            assert!(
                e.starts_with("period: expected a year such as 2024"),
                "{bad}: {e}"
            );
        }
    }

    #[test]
    fn the_last_day_counts_as_ended() {
        let p = ReportPeriod::parse("2024").unwrap();
        assert_eq!(p.evaluation_date(d("2026-03-01")), d("2025-01-01"));
        assert_eq!(p.evaluation_date(d("2024-11-04")), d("2024-11-04"));
    }
}
