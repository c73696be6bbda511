//! The one place an activity from outside is validated: the CLI, the JSON and multipart API and
//! the bulk import all build an [`ActivityInput`] of raw text and turn it into a [`NewActivity`]
//! with [`ActivityInput::parse`], which names the field of every problem.

use chrono::NaiveDate;
use kehoach_core::text::nfc;

use crate::files::MAX_FILES_PER_ACTIVITY;
use crate::store::{ActivityRow, NewActivity, NewEvidence};

/// Largest quantity one activity may claim.
pub const MAX_QUANTITY: f64 = 1_000_000.0;
pub const MAX_TITLE_CHARS: usize = 500;
pub const MAX_URLS: usize = 20;
pub const MAX_URL_BYTES: usize = 2000;
pub const MAX_NOTE_CHARS: usize = 5000;
pub const MAX_KIND_CHARS: usize = 100;
/// Bounds of the whole-number fields (a year of minutes; a large rally's attendance).
pub const MAX_DURATION_MINUTES: i64 = 525_600;
pub const MAX_ATTENDANCE: i64 = 10_000_000;

/// An activity as it arrives: text, not yet trusted. Absent and empty are the same.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityInput {
    pub date: Option<String>,
    pub title: Option<String>,
    pub kind: Option<String>,
    pub quantity: Option<String>,
    pub duration_minutes: Option<String>,
    pub attendance: Option<String>,
    pub urls: Vec<String>,
    pub completes: Option<String>,
    pub note: Option<String>,
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem of an input, joined for a one-line message.
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ActivityInput {
    /// Sets a field by its API name (`url` and `urls` add links, separated by whitespace);
    /// `false` for a name that is not a field.
    pub fn set(&mut self, field: &str, value: String) -> bool {
        match field {
            "date" => self.date = Some(value),
            "title" => self.title = Some(value),
            "kind" => self.kind = Some(value),
            "quantity" => self.quantity = Some(value),
            "duration_minutes" => self.duration_minutes = Some(value),
            "attendance" => self.attendance = Some(value),
            "completes" => self.completes = Some(value),
            "note" => self.note = Some(value),
            "url" | "urls" => self
                .urls
                .extend(value.split_whitespace().map(str::to_string)),
            _ => return false,
        }
        true
    }

    /// Reads the JSON body of the API: strings, numbers and booleans are all accepted as the
    /// field's text; `urls` is a list of strings.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, Vec<FieldError>> {
        let Some(object) = value.as_object() else {
            return Err(vec![FieldError {
                field: "body",
                message: "a JSON object".into(),
            }]);
        };
        let mut input = ActivityInput::default();
        let mut errors = Vec::new();
        for (key, value) in object {
            if key == "urls" {
                match value {
                    serde_json::Value::Array(items) => {
                        for item in items {
                            match item.as_str() {
                                Some(url) => input.urls.push(url.to_string()),
                                None => errors.push(FieldError {
                                    field: "urls",
                                    message: "a list of strings".into(),
                                }),
                            }
                        }
                    }
                    serde_json::Value::Null => {}
                    _ => errors.push(FieldError {
                        field: "urls",
                        message: "a list of strings".into(),
                    }),
                }
                continue;
            }
            // Text fields take text only, as the OpenAPI document says (`"title": false` is a
            // mistake, not the title "false"); numbers and booleans go to their own fields.
            let text_only = matches!(key.as_str(), "date" | "title" | "kind" | "note");
            // `completes` is a JSON boolean, as the document says: `0` or `"no"` there is a
            // mistake to name, not a word to read (forms and sheets still take "x", "có"…).
            if key == "completes"
                && !matches!(value, serde_json::Value::Bool(_) | serde_json::Value::Null)
            {
                errors.push(FieldError {
                    field: field_name(key),
                    message: "true or false".into(),
                });
                continue;
            }
            let text = match value {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) if text_only => {
                    errors.push(FieldError {
                        field: field_name(key),
                        message: "a string".into(),
                    });
                    continue;
                }
                // A JSON number is never ambiguous: written with the decimal comma, `1.125`
                // reads as one and an eighth, not as the text "1.125" (see `parse_number`).
                serde_json::Value::Number(n) => Some(n.to_string().replace('.', ",")),
                serde_json::Value::Bool(b) => Some(b.to_string()),
                serde_json::Value::Null => None,
                _ => {
                    errors.push(FieldError {
                        field: field_name(key),
                        message: "a string or a number".into(),
                    });
                    continue;
                }
            };
            if let Some(text) = text
                && (key == "url" || !input.set(key, text))
            {
                errors.push(FieldError {
                    field: "body",
                    message: format!("unknown field {key:?}"),
                });
            }
        }
        if errors.is_empty() {
            Ok(input)
        } else {
            Err(errors)
        }
    }

    /// The stored activity as input, the starting point of an edit (evidence is not edited).
    pub fn from_row(row: &ActivityRow) -> Self {
        ActivityInput {
            date: Some(row.occurred_on.to_string()),
            title: Some(row.title.clone()),
            kind: Some(row.kind.clone()),
            quantity: Some(row.quantity.to_string()),
            duration_minutes: row.duration_minutes.map(|n| n.to_string()),
            attendance: row.attendance.map(|n| n.to_string()),
            urls: Vec::new(),
            completes: Some(row.completes.to_string()),
            note: Some(row.note.clone()),
        }
    }

    /// Replaces the fields `patch` gives (an empty text clears an optional field). Links are
    /// evidence and are not edited: `Err` names them when the patch has some.
    pub fn overlay(&mut self, patch: ActivityInput) -> Result<(), Vec<FieldError>> {
        if !patch.urls.is_empty() {
            return Err(vec![FieldError {
                field: "urls",
                message: "evidence cannot be edited; delete the activity and record it again"
                    .into(),
            }]);
        }
        let fields = [
            (&mut self.date, patch.date),
            (&mut self.title, patch.title),
            (&mut self.kind, patch.kind),
            (&mut self.quantity, patch.quantity),
            (&mut self.duration_minutes, patch.duration_minutes),
            (&mut self.attendance, patch.attendance),
            (&mut self.completes, patch.completes),
            (&mut self.note, patch.note),
        ];
        for (field, value) in fields {
            if value.is_some() {
                *field = value;
            }
        }
        Ok(())
    }

    /// Validates everything and builds the activity; `today` is the date in Vietnam (no future
    /// dates), `files` the evidence files already stored.
    pub fn parse(
        &self,
        assignment_id: i64,
        today: NaiveDate,
        files: Vec<NewEvidence>,
    ) -> Result<NewActivity, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut error =
            |field: &'static str, message: String| errors.push(FieldError { field, message });

        let occurred_on = match given(&self.date) {
            None => {
                error("date", "required (YYYY-MM-DD)".into());
                None
            }
            Some(text) => match parse_date(text) {
                Ok(date) if date > today => {
                    error("date", format!("{date} is in the future"));
                    None
                }
                Ok(date) => Some(date),
                Err(message) => {
                    error("date", message);
                    None
                }
            },
        };

        let title = nfc(self.title.as_deref().unwrap_or(""));
        let title_chars = title.chars().count();
        if title_chars == 0 {
            error("title", "required".into());
        } else if title_chars > MAX_TITLE_CHARS {
            error(
                "title",
                format!("at most {MAX_TITLE_CHARS} characters (has {title_chars})"),
            );
        }

        let kind = nfc(self.kind.as_deref().unwrap_or(""));
        if kind.chars().count() > MAX_KIND_CHARS {
            error("kind", format!("at most {MAX_KIND_CHARS} characters"));
        }

        let quantity = match given(&self.quantity) {
            None => 1.0,
            Some(text) => match parse_number(text) {
                Ok(Some(q)) if q > 0.0 && q <= MAX_QUANTITY => q,
                Err(ambiguous) => {
                    error("quantity", ambiguous);
                    1.0
                }
                _ => {
                    error(
                        "quantity",
                        format!("{text:?}: a number more than 0 and at most {MAX_QUANTITY}"),
                    );
                    1.0
                }
            },
        };

        let mut whole = |field: &'static str, value: &Option<String>, max: i64| match given(value) {
            None => None,
            Some(text) => match parse_number(text) {
                Ok(Some(n)) if n.fract() == 0.0 && (0.0..=max as f64).contains(&n) => {
                    Some(n as i64)
                }
                Err(ambiguous) => {
                    error(field, ambiguous);
                    None
                }
                _ => {
                    error(field, format!("{text:?}: a whole number from 0 to {max}"));
                    None
                }
            },
        };
        let duration_minutes = whole(
            "duration_minutes",
            &self.duration_minutes,
            MAX_DURATION_MINUTES,
        );
        let attendance = whole("attendance", &self.attendance, MAX_ATTENDANCE);

        let completes = match given(&self.completes) {
            None => false,
            Some(text) => parse_bool(text).unwrap_or_else(|| {
                error(
                    "completes",
                    format!("{text:?}: yes/no (x, 1, có, true or empty)"),
                );
                false
            }),
        };

        let note = nfc(self.note.as_deref().unwrap_or(""));
        if note.chars().count() > MAX_NOTE_CHARS {
            error("note", format!("at most {MAX_NOTE_CHARS} characters"));
        }

        if self.urls.len() > MAX_URLS {
            error(
                "urls",
                format!("at most {MAX_URLS} links (has {})", self.urls.len()),
            );
        }
        let mut evidence = Vec::new();
        for url in &self.urls {
            let url = url.trim();
            match check_url(url) {
                Ok(()) => evidence.push(NewEvidence::Url {
                    url: url.to_string(),
                }),
                Err(message) => error("urls", message),
            }
        }
        if files.len() > MAX_FILES_PER_ACTIVITY {
            error(
                "file",
                format!(
                    "at most {MAX_FILES_PER_ACTIVITY} files (has {})",
                    files.len()
                ),
            );
        }
        evidence.extend(files);

        match occurred_on {
            Some(occurred_on) if errors.is_empty() => Ok(NewActivity {
                assignment_id,
                occurred_on,
                kind,
                title,
                quantity,
                duration_minutes,
                attendance,
                completes,
                note,
                evidence,
                // Input from outside is recorded now; only generated demo data back-dates it.
                recorded_at: None,
            }),
            _ => Err(errors),
        }
    }
}

/// The field name as a `'static` string for the known fields of the API.
fn field_name(key: &str) -> &'static str {
    match key {
        "date" => "date",
        "title" => "title",
        "kind" => "kind",
        "quantity" => "quantity",
        "duration_minutes" => "duration_minutes",
        "attendance" => "attendance",
        "completes" => "completes",
        "note" => "note",
        "urls" => "urls",
        _ => "body",
    }
}

/// A date as people write it here: `YYYY-MM-DD` or `dd/mm/yyyy` (also `d/m/yyyy`, `dd-mm-yyyy`,
/// `dd.mm.yyyy`). Impossible dates (2024-02-31) are refused.
pub fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let bad = || format!("{text:?}: a date as YYYY-MM-DD or dd/mm/yyyy");
    let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) || p.len() > 4)
    {
        return Err(bad());
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let (y, m, d) = if parts[0].len() == 4 && text.contains('-') {
        (number(parts[0])?, number(parts[1])?, number(parts[2])?)
    } else if parts[2].len() == 4 {
        (number(parts[2])?, number(parts[1])?, number(parts[0])?)
    } else {
        return Err(bad());
    };
    if !(2000..=2100).contains(&y) {
        return Err(format!("{text:?}: a date from the years 2000 to 2100"));
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
        .ok_or_else(|| format!("{text:?}: no such day ({y:04}-{m:02}-{d:02} does not exist)"))
}

/// A number as written here. In Vietnamese `,` is the decimal mark and `.` groups thousands
/// (`1.500.000`, `1.500,5`); `1,5` and `1.5` are both one and a half. A lone `.` followed by
/// exactly three digits (`1.500`) is 1,500 to a Vietnamese reader and 1.5 to a spreadsheet in
/// English, so it is refused as ambiguous (`Err` says how to write it) rather than guessed.
/// `Ok(None)`: not a number.
fn parse_number(text: &str) -> Result<Option<f64>, String> {
    let text = text.trim();
    let dots = text.matches('.').count();
    let commas = text.matches(',').count();
    let grouped = |s: &str| {
        let mut groups = s.split('.');
        let head = groups.next().unwrap_or("");
        (1..=3).contains(&head.len())
            && head.bytes().all(|b| b.is_ascii_digit())
            && groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
    };
    let normalised = match (dots, commas) {
        // 1.500 (one dot, three digits after, a whole part that could be a thousands group).
        (1, 0) if grouped(text) && !text.starts_with('0') => {
            return Err(format!(
                "{text:?} is ambiguous: write {} for the whole number, or {} for the decimal",
                text.replace('.', ""),
                text.replace('.', ",")
            ));
        }
        // 1.500.000, 1.500,5: dots group thousands.
        (2.., 0) | (1.., 1) if grouped(text.split(',').next().unwrap_or("")) => {
            text.replace('.', "").replace(',', ".")
        }
        (_, 0) => text.to_string(),
        (0, 1) => text.replace(',', "."),
        _ => return Ok(None),
    };
    Ok(normalised.parse::<f64>().ok().filter(|n| n.is_finite()))
}

/// Yes/no as a sheet or form says it.
pub fn parse_bool(text: &str) -> Option<bool> {
    match kehoach_core::text::fold(text).as_str() {
        "x" | "yes" | "y" | "1" | "true" | "co" | "on" | "da hoan thanh" => Some(true),
        "" | "no" | "n" | "0" | "false" | "khong" | "off" => Some(false),
        _ => None,
    }
}

fn check_url(url: &str) -> Result<(), String> {
    let short: String = url.chars().take(60).collect();
    if url.len() > MAX_URL_BYTES {
        return Err(format!("{short:?}…: at most {MAX_URL_BYTES} bytes"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    if host.is_none_or(str::is_empty) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("{short:?}: an http:// or https:// link"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2024, 6, 30).unwrap()
    }

    fn input(date: &str, title: &str) -> ActivityInput {
        ActivityInput {
            date: Some(date.into()),
            title: Some(title.into()),
            ..ActivityInput::default()
        }
    }

    #[test]
    fn dates_in_both_spellings_and_impossible_ones_refused() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(parse_date("2024-01-04"), Ok(d(2024, 1, 4)));
        assert_eq!(parse_date("04/01/2024"), Ok(d(2024, 1, 4)));
        assert_eq!(parse_date("4/1/2024"), Ok(d(2024, 1, 4)));
        assert_eq!(parse_date(" 29.02.2024 "), Ok(d(2024, 2, 29)));
        assert!(
            parse_date("2024-02-31")
                .unwrap_err()
                .contains("no such day")
        );
        assert!(
            parse_date("31/02/2024")
                .unwrap_err()
                .contains("no such day")
        );
        assert!(parse_date("2023-02-29").is_err());
        assert!(parse_date("2024/01/04x").is_err());
        assert!(parse_date("01/04/24").is_err());
        assert!(parse_date("").is_err());
        assert!(parse_date("0001-01-01").is_err());
    }

    #[test]
    fn a_good_input_becomes_an_activity() {
        let mut i = input("2024-01-04", " Chuyên mục số 1 ");
        i.quantity = Some("1,5".into());
        i.attendance = Some("120".into());
        i.completes = Some("Có".into());
        i.set("urls", "https://a.vn/1  http://b.vn/2".into());
        let a = i.parse(7, today(), vec![]).unwrap();
        assert_eq!(a.assignment_id, 7);
        assert_eq!(a.title, "Chuyên mục số 1");
        assert_eq!(a.quantity, 1.5);
        assert_eq!(a.attendance, Some(120));
        assert!(a.completes);
        assert_eq!(a.evidence.len(), 2);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut i = input("2024-02-31", "");
        i.quantity = Some("0".into());
        i.duration_minutes = Some("-5".into());
        i.completes = Some("maybe".into());
        i.urls = vec![
            "javascript:alert(1)".into(),
            format!("https://a.vn/{}", "x".repeat(2000)),
        ];
        let errors = i.parse(1, today(), vec![]).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "date",
                "title",
                "quantity",
                "duration_minutes",
                "completes",
                "urls",
                "urls"
            ]
        );
        assert!(describe(&errors).starts_with("date: \"2024-02-31\": no such day"));
        let future = input("2024-07-01", "x")
            .parse(1, today(), vec![])
            .unwrap_err();
        assert_eq!(future[0].field, "date");
        assert!(future[0].message.contains("future"));
        let mut many = input("2024-01-01", "x");
        many.urls = (0..21).map(|n| format!("https://a.vn/{n}")).collect();
        assert_eq!(many.parse(1, today(), vec![]).unwrap_err()[0].field, "urls");
        let long = input("2024-01-01", &"a".repeat(501));
        assert_eq!(
            long.parse(1, today(), vec![]).unwrap_err()[0].field,
            "title"
        );
        let mut big = input("2024-01-01", "x");
        big.quantity = Some("1000001".into());
        assert_eq!(
            big.parse(1, today(), vec![]).unwrap_err()[0].field,
            "quantity"
        );
    }

    #[test]
    fn json_bodies_name_their_fields() {
        let body = serde_json::json!({"date": "2024-01-04", "title": "A", "quantity": 2,
            "completes": true, "urls": ["https://a.vn"], "attendance": null});
        let i = ActivityInput::from_json(&body).unwrap();
        assert_eq!(i.quantity.as_deref(), Some("2"));
        assert_eq!(i.completes.as_deref(), Some("true"));
        let a = i.parse(1, today(), vec![]).unwrap();
        assert_eq!(a.quantity, 2.0);
        assert!(a.completes);
        let bad = ActivityInput::from_json(&serde_json::json!({"titel": "A", "urls": "x"}));
        let message = describe(&bad.unwrap_err());
        assert!(message.contains("unknown field \"titel\""), "{message}");
        assert!(message.contains("urls: a list of strings"), "{message}");
        for not_a_boolean in [serde_json::json!(0), serde_json::json!("có")] {
            let body = serde_json::json!({"date": "2024-01-04", "title": "A",
                "completes": not_a_boolean});
            let message = describe(&ActivityInput::from_json(&body).unwrap_err());
            assert!(message.contains("completes: true or false"), "{message}");
        }
    }
}
