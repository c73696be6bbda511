//! Administrative units and agencies, and resolving a plan's unit text to units.
//!
//! * [`UNITS_DATA`] is the shipped list of administrative units (`data/units.tsv`, see
//!   `data/README.md`): the 63 provinces, 696 districts and 10,051 communes valid until
//!   30 June 2025 and the 34 provinces and 3,321 communes valid from 1 July 2025.
//!   [`parse_units_data`] turns it into [`Unit`]s.
//! * [`agencies::standard_agencies`] lists the bodies plans name under a province, a district or
//!   a commune (people's committee, departments, media, party, mass organisations, telecoms);
//!   [`agencies::central_bodies`] a few ministries and national bodies.
//! * [`Registry`] indexes units by code, parent, kind and folded name/alias, looks up a context
//!   unit ([`Registry::find_context`]), searches ([`Registry::search`]) and resolves a plan's
//!   lead/partner text ([`Registry::resolve`]).
//!
//! Identity: a unit is identified by `(code, valid_from)`: codes are reused across the 2025
//! reform for different units, and records with the same code never overlap in time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub mod agencies;
mod keys;
mod registry;
mod resolve;

pub use registry::{ContextError, Registry};
pub use resolve::{MatchKind, Resolution, ResolvedUnit, name_key};

/// The shipped administrative-unit list (`data/units.tsv`), for [`parse_units_data`].
pub const UNITS_DATA: &str = include_str!("../../../data/units.tsv");

/// The first day of the 2025 administrative reform (provinces merged, districts abolished).
pub fn reform_day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).expect("valid date")
}

/// What a unit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    Province,
    District,
    Commune,
    Agency,
}

impl UnitKind {
    /// The name used in JSON and in the database: "province", "district", "commune", "agency".
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::District => "district",
            UnitKind::Commune => "commune",
            UnitKind::Agency => "agency",
        }
    }

    /// The inverse of [`UnitKind::as_str`].
    pub fn parse(s: &str) -> Option<UnitKind> {
        [
            UnitKind::Province,
            UnitKind::District,
            UnitKind::Commune,
            UnitKind::Agency,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// 1 for provinces, 2 for districts, 3 for communes, 4 for agencies.
    pub fn level(self) -> u8 {
        match self {
            UnitKind::Province => 1,
            UnitKind::District => 2,
            UnitKind::Commune => 3,
            UnitKind::Agency => 4,
        }
    }
}

/// The type of an administrative unit, with its type word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdminType {
    /// Tỉnh.
    Tinh,
    /// Thành phố trực thuộc Trung ương.
    Tptw,
    /// Quận.
    Quan,
    /// Huyện.
    Huyen,
    /// Thị xã.
    Thixa,
    /// Thành phố thuộc tỉnh (or thuộc thành phố trực thuộc Trung ương).
    Tp,
    /// Phường.
    Phuong,
    /// Xã.
    Xa,
    /// Thị trấn.
    Thitran,
    /// Đặc khu (from 1 July 2025).
    Dackhu,
}

impl AdminType {
    /// All types, in level order.
    pub const ALL: [AdminType; 10] = [
        AdminType::Tinh,
        AdminType::Tptw,
        AdminType::Quan,
        AdminType::Huyen,
        AdminType::Thixa,
        AdminType::Tp,
        AdminType::Phuong,
        AdminType::Xa,
        AdminType::Thitran,
        AdminType::Dackhu,
    ];

    /// The code used in the data file (`tinh`, `tptw`, …).
    pub fn code(self) -> &'static str {
        match self {
            AdminType::Tinh => "tinh",
            AdminType::Tptw => "tptw",
            AdminType::Quan => "quan",
            AdminType::Huyen => "huyen",
            AdminType::Thixa => "thixa",
            AdminType::Tp => "tp",
            AdminType::Phuong => "phuong",
            AdminType::Xa => "xa",
            AdminType::Thitran => "thitran",
            AdminType::Dackhu => "dackhu",
        }
    }

    pub fn from_code(code: &str) -> Option<AdminType> {
        AdminType::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The word written before the name: "Tỉnh", "Thành phố", "Huyện", "Thị xã", …
    pub fn word(self) -> &'static str {
        match self {
            AdminType::Tinh => "Tỉnh",
            AdminType::Tptw | AdminType::Tp => "Thành phố",
            AdminType::Quan => "Quận",
            AdminType::Huyen => "Huyện",
            AdminType::Thixa => "Thị xã",
            AdminType::Phuong => "Phường",
            AdminType::Xa => "Xã",
            AdminType::Thitran => "Thị trấn",
            AdminType::Dackhu => "Đặc khu",
        }
    }

    /// The type's full label: "Thành phố Trung ương" for a centrally-run city, else [`Self::word`].
    pub fn label(self) -> &'static str {
        match self {
            AdminType::Tptw => "Thành phố Trung ương",
            other => other.word(),
        }
    }

    /// The kind of unit this type is.
    pub fn kind(self) -> UnitKind {
        match self {
            AdminType::Tinh | AdminType::Tptw => UnitKind::Province,
            AdminType::Quan | AdminType::Huyen | AdminType::Thixa | AdminType::Tp => {
                UnitKind::District
            }
            _ => UnitKind::Commune,
        }
    }

    /// The party committee's name at this level: "Tỉnh ủy", "Thành ủy", "Huyện ủy", …
    pub fn party_committee(self) -> &'static str {
        match self {
            AdminType::Tinh => "Tỉnh ủy",
            AdminType::Tptw | AdminType::Tp => "Thành ủy",
            AdminType::Quan => "Quận ủy",
            AdminType::Huyen => "Huyện ủy",
            AdminType::Thixa => "Thị ủy",
            _ => "Đảng ủy",
        }
    }

    /// The youth union's name at this level: "Tỉnh đoàn", "Thành đoàn", "Huyện đoàn", …
    pub fn youth_union(self) -> &'static str {
        match self {
            AdminType::Tinh => "Tỉnh đoàn",
            AdminType::Tptw | AdminType::Tp => "Thành đoàn",
            AdminType::Quan => "Quận đoàn",
            AdminType::Huyen => "Huyện đoàn",
            AdminType::Thixa => "Thị đoàn",
            _ => "Đoàn Thanh niên",
        }
    }
}

/// What an agency is, for group phrases ("các Sở, Ban, ngành", "đoàn thể") and display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgencyCategory {
    /// Ủy ban nhân dân.
    PeopleCommittee,
    /// Sở, Ban, Phòng, Văn phòng, Thanh tra: the specialised bodies of a people's committee.
    Department,
    /// Newspaper, radio-TV station, portal, culture-and-communication centre, commune radio.
    Media,
    /// Party committee and its boards.
    Party,
    /// Fatherland Front, youth union, women's union, labour federation, farmers, veterans, …
    MassOrg,
    /// Telecom and postal enterprises.
    Enterprise,
    /// Anything else (people's council, police, military command, ministries, …).
    Other,
}

/// An administrative unit or an agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    /// Official code: GSO code for administrative units ("49", "502", "20341"); for agencies the
    /// parent's code and a slug ("49.STTTT"), for central bodies "TW." and a slug.
    pub code: String,
    pub kind: UnitKind,
    /// The full official name: "Tỉnh Quảng Nam", "Thành phố Tam Kỳ",
    /// "Sở Thông tin và Truyền thông tỉnh Quảng Nam", "Báo Quảng Nam".
    pub name: String,
    /// The name without the type word or parent: "Quảng Nam", "Tam Kỳ",
    /// "Sở Thông tin và Truyền thông".
    pub short_name: String,
    /// For administrative units: the type (and so its type word).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin_type: Option<AdminType>,
    /// For agencies: what kind of body it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<AgencyCategory>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_code: Option<String>,
    /// First day of validity, inclusive; `None` = since before the data begins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Last day of validity, inclusive; `None` = still valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
    /// Other names and abbreviations ("Sở TT&TT", "Đài PT-TH"), usually without the parent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
}

impl Unit {
    /// Whether the unit exists on `on`.
    pub fn valid_on(&self, on: NaiveDate) -> bool {
        self.valid_from.is_none_or(|f| f <= on) && self.valid_to.is_none_or(|t| on <= t)
    }

    /// Whether the two validity spans share at least one day (codes are reused across time, so
    /// a parent code names the record that overlaps its child).
    pub fn overlaps(&self, other: &Unit) -> bool {
        spans_overlap(
            (self.valid_from, self.valid_to),
            (other.valid_from, other.valid_to),
        )
    }

    /// Whether the unit is a province, district or commune.
    pub fn is_admin(&self) -> bool {
        self.kind != UnitKind::Agency
    }
}

/// Whether two inclusive validity spans `(from, to)` share a day; `None` is an open end.
pub fn spans_overlap(
    a: (Option<NaiveDate>, Option<NaiveDate>),
    b: (Option<NaiveDate>, Option<NaiveDate>),
) -> bool {
    let starts_before_end = |from: Option<NaiveDate>, to: Option<NaiveDate>| match (from, to) {
        (Some(f), Some(t)) => f <= t,
        _ => true,
    };
    starts_before_end(a.0, b.1) && starts_before_end(b.0, a.1)
}

/// A malformed line in the units data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("units data, line {line}: {message}")]
pub struct DataError {
    pub line: usize,
    pub message: String,
}

fn parse_date(s: &str, line: usize) -> Result<Option<NaiveDate>, DataError> {
    if s.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| DataError {
            line,
            message: format!("bad date {s:?} (want YYYY-MM-DD)"),
        })
}

/// Parse the administrative-unit data file (format in `data/README.md`): one unit a line,
/// tab-separated `code kind type name parent valid_from valid_to`; `#` lines are comments.
pub fn parse_units_data(data: &str) -> Result<Vec<Unit>, DataError> {
    let mut units = Vec::with_capacity(data.len() / 38);
    for (i, line) in data.lines().enumerate() {
        let line_no = i + 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let err = |message: String| DataError {
            line: line_no,
            message,
        };
        let mut cols = line.split('\t');
        let mut next = || cols.next().unwrap_or_default().trim();
        let (code, kind, ty, name, parent, from, to) =
            (next(), next(), next(), next(), next(), next(), next());
        if code.is_empty() || name.is_empty() {
            return Err(err(
                "missing code or name (want 7 tab-separated columns)".into()
            ));
        }
        let kind = match kind {
            "P" => UnitKind::Province,
            "D" => UnitKind::District,
            "C" => UnitKind::Commune,
            other => return Err(err(format!("unknown kind {other:?} (want P, D or C)"))),
        };
        let admin_type =
            AdminType::from_code(ty).ok_or_else(|| err(format!("unknown type {ty:?}")))?;
        if admin_type.kind() != kind {
            return Err(err(format!("type {ty:?} does not fit kind {kind:?}")));
        }
        if (kind == UnitKind::Province) != parent.is_empty() {
            return Err(err(
                "a province has no parent; other units must have one".into()
            ));
        }
        let valid_from = parse_date(from, line_no)?;
        let valid_to = parse_date(to, line_no)?;
        if let (Some(f), Some(t)) = (valid_from, valid_to)
            && f > t
        {
            return Err(err("valid_from is after valid_to".into()));
        }
        let short_name = crate::text::nfc(name);
        units.push(Unit {
            code: code.to_string(),
            kind,
            name: format!("{} {}", admin_type.word(), short_name),
            short_name,
            admin_type: Some(admin_type),
            category: None,
            parent_code: (!parent.is_empty()).then(|| parent.to_string()),
            valid_from,
            valid_to,
            aliases: Vec::new(),
        });
    }
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_reports_bad_ones() {
        let units = parse_units_data("# c\n49\tP\ttinh\tQuảng Nam\t\t\t2025-06-30\n").unwrap();
        assert_eq!(units.len(), 1);
        assert_eq!(units[0].name, "Tỉnh Quảng Nam");
        assert_eq!(units[0].valid_to, NaiveDate::from_ymd_opt(2025, 6, 30));
        let e = parse_units_data("49\tX\ttinh\tA\t\t\t\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(parse_units_data("502\tD\ttp\tTam Kỳ\t\t\t\n").is_err());
        assert!(parse_units_data("502\tD\ttp\tTam Kỳ\t49\t2025-13-01\t\n").is_err());
    }
}
