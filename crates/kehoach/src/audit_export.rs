//! The audit log as CSV (`GET /api/v1/audit.csv`, `kehoach audit export`), and the day range both
//! filter by. Pure: entries in, bytes out.
//!
//! Cells are safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a tab or a
//! carriage return would be read as a formula (CSV injection), so it gets a leading `'`.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use crate::store::AuditEntry;

/// The header row, in the order of [`row`].
pub const HEADER: [&str; 9] = [
    "id",
    "at",
    "actor",
    "user_id",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
];

/// A cell a spreadsheet shows as text, never evaluates.
pub fn safe_cell(text: &str) -> Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// One entry as CSV cells (already made safe).
pub fn row(entry: &AuditEntry) -> [String; 9] {
    let json = |v: &Option<sqlx::types::Json<serde_json::Value>>| {
        v.as_ref().map(|j| j.0.to_string()).unwrap_or_default()
    };
    [
        entry.id.to_string(),
        entry
            .at
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        entry.actor.clone(),
        entry.user_id.map(|i| i.to_string()).unwrap_or_default(),
        entry.action.clone(),
        entry.entity.clone(),
        entry.entity_id.clone(),
        json(&entry.before),
        json(&entry.after),
    ]
    .map(|cell| safe_cell(&cell).into_owned())
}

/// Writes CSV rows (RFC 4180 quoting) to `out`; the header when `header`.
pub fn write_csv<W: std::io::Write>(
    out: W,
    entries: &[AuditEntry],
    header: bool,
) -> std::io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(out);
    let io = |e: csv::Error| std::io::Error::other(e.to_string());
    if header {
        writer.write_record(HEADER).map_err(io)?;
    }
    for entry in entries {
        writer.write_record(row(entry)).map_err(io)?;
    }
    writer.flush()
}

/// Vietnam's offset from UTC (no daylight saving).
fn vietnam() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(7 * 3600).expect("a valid offset")
}

/// Start (inclusive) and end (exclusive) instants; `None` is open.
pub type InstantRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The instants bounding the days `from` to `to` (both inclusive) in Vietnam time: `from` at
/// 00:00 inclusive, the day after `to` at 00:00 exclusive.
pub fn day_range(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<InstantRange, String> {
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(format!("from: {f} is after to ({t})"));
    }
    let start = |d: NaiveDate| {
        vietnam()
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .single()
            .map(|t| t.with_timezone(&Utc))
    };
    let to_end = match to {
        Some(t) => Some(
            t.succ_opt()
                .and_then(start)
                .ok_or_else(|| format!("to: {t} is out of range"))?,
        ),
        None => None,
    };
    let from_start = match from {
        Some(f) => Some(start(f).ok_or_else(|| format!("from: {f} is out of range"))?),
        None => None,
    };
    Ok((from_start, to_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        for bad in [
            "=1+1",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "=HYPERLINK(\"x\")",
        ] {
            assert!(safe_cell(bad).starts_with('\''), "{bad}");
        }
        for fine in ["Sở KH&CN", "{\"a\":1}", "", "1", "'quoted"] {
            assert_eq!(safe_cell(fine), fine);
        }
    }

    #[test]
    fn csv_quotes_and_defuses() {
        let entry = AuditEntry {
            id: 1,
            at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
            user_id: Some(7),
            actor: "=cmd|' /C calc'!A0".into(),
            action: "create".into(),
            entity: "activity".into(),
            entity_id: "12".into(),
            before: None,
            after: Some(sqlx::types::Json(
                serde_json::json!({"title": "a, \"b\"\nc"}),
            )),
        };
        let mut out = Vec::new();
        write_csv(&mut out, &[entry], true).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(&record[2], "'=cmd|' /C calc'!A0");
        assert_eq!(&record[1], "2026-01-02T03:04:05.000Z");
        let after: serde_json::Value = serde_json::from_str(&record[8]).unwrap();
        assert_eq!(after["title"], "a, \"b\"\nc");
    }

    #[test]
    fn days_are_vietnam_days() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let (from, to) = day_range(Some(d("2026-03-01")), Some(d("2026-03-01"))).unwrap();
        assert_eq!(
            from.unwrap(),
            Utc.with_ymd_and_hms(2026, 2, 28, 17, 0, 0).unwrap()
        );
        assert_eq!(
            to.unwrap(),
            Utc.with_ymd_and_hms(2026, 3, 1, 17, 0, 0).unwrap()
        );
        assert!(day_range(Some(d("2026-03-02")), Some(d("2026-03-01"))).is_err());
    }
}
