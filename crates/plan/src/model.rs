//! The extracted plan, in the `kehoach.plan/1` JSON shape (shared/plan-format.md). Field names
//! are the schema's; extra fields (`number`, `issued_on`, `place`, `content`, `section`) are
//! ignored by the scorer and used by the app.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The schema tag written into every plan.
pub const SCHEMA: &str = "kehoach.plan/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub schema: String,
    /// The subject line after "KẾ HOẠCH".
    pub title: String,
    pub issuer: Option<String>,
    /// The plan's own number, e.g. "3604/KH-UBND" (never listed in `references`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_on: Option<Date>,
    /// The place of issue written before the date ("Quảng Nam, ngày …").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    pub period: Option<Span>,
    pub references: Vec<String>,
    pub tasks: Vec<Task>,
    /// What the reader changed or could not read in the source, for the officer to check.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

/// Something in the source the officer should check (`crate::garbled`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Warning {
    /// A U+FFFD replaced by the character that belongs there; `excerpt` shows the result.
    Repaired { replacement: char, excerpt: String },
    /// A U+FFFD left as it is: nothing says which character it was.
    Garbled { excerpt: String },
    /// How many more warnings there were than are listed.
    More { count: usize },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// Outline path, e.g. "II.2.b".
    #[serde(rename = "ref")]
    pub ref_: String,
    pub title: String,
    /// Lead unit text as written.
    pub lead: String,
    /// Partner units as written; "" when none.
    pub partners: String,
    pub targets: Vec<Target>,
    pub window: Option<Span>,
    pub due: Option<Date>,
    /// Body text under the task's heading (without the lead/partner/time lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// Headings above the task, outermost first, joined by " > ".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    pub count: u32,
    pub per: Per,
    /// The noun counted, as written ("chương trình", "lớp").
    pub unit: String,
}

/// The period a target repeats in; `Plan` means a total over the task's whole window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    Day,
    Week,
    Month,
    Quarter,
    Year,
    Plan,
}

impl Per {
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
}

/// A span of days; `to` is None for an open-ended plan ("năm 2022 và những năm tiếp theo").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub from: Date,
    pub to: Option<Date>,
}

/// A calendar date, serialised as "YYYY-MM-DD". Kept dependency-free on purpose: the crate
/// only needs validation, month ends and ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// A valid date, or None (31/2, month 13, years outside 1900..=2200).
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if !(1900..=2200).contains(&year) || !(1..=12).contains(&month) || day == 0 {
            return None;
        }
        (day <= days_in_month(year, month)).then_some(Date { year, month, day })
    }

    /// The last day of the month, e.g. 2024-02 → 2024-02-29.
    pub fn month_end(year: i32, month: u32) -> Option<Date> {
        if !(1..=12).contains(&month) {
            return None;
        }
        Date::new(year, month, days_in_month(year, month))
    }
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut it = s.splitn(3, '-');
        let mut next = || it.next().and_then(|p| p.parse::<i64>().ok());
        match (next(), next(), next()) {
            (Some(y), Some(m), Some(d)) if s.len() == 10 => {
                Date::new(y as i32, m as u32, d as u32).ok_or_else(|| format!("invalid date {s:?}"))
            }
            _ => Err(format!("expected YYYY-MM-DD, got {s:?}")),
        }
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}
