//! Editing a plan after import (issue 19), the pure part: what an edit of a task may set, how the
//! command line and the API spell targets and windows, the one validation of an edit against its
//! plan's period, and what an edit changes in a task's view (its audit entry's before → after,
//! and the 409 answer of a stale edit). No I/O: the store applies an edit
//! (`store/plan_edits.rs`), the CLI and the API only parse and call it.

use chrono::NaiveDate;
use kehoach_core::period::Per;
use kehoach_core::text::nfc;
use serde::{Deserialize, Serialize};

/// Bounds of what one edit may hold.
pub const MAX_REF_CHARS: usize = 64;
pub const MAX_TITLE_CHARS: usize = 2_000;
pub const MAX_CONTENT_CHARS: usize = 20_000;
pub const MAX_NOUN_CHARS: usize = 200;
pub const MAX_TARGETS: usize = 20;
pub const MAX_UNITS: usize = 2_000;
/// The largest count a target may ask (a day's target of 100,000 is already absurd).
pub const MAX_COUNT: f64 = 1_000_000.0;

/// A target as an edit gives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetSpec {
    pub count: f64,
    /// day, week, month, quarter, year or plan (also the Vietnamese words).
    pub per: String,
    #[serde(default)]
    pub noun: String,
}

/// A unit an edit names as lead or partner, resolved by the caller from its code.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
pub struct UnitRef {
    pub id: i64,
    pub code: String,
}

/// What an edit of a task sets; `None` leaves a part as it is. Targets, leads and partners given
/// replace the task's.
#[derive(Debug, Clone, Default)]
pub struct TaskFields {
    pub reference: Option<String>,
    pub title: Option<String>,
    pub content: Option<String>,
    /// `Some(None)`: the task has no window of its own (it runs over the plan's period).
    pub window: Option<Option<(NaiveDate, NaiveDate)>>,
    pub due: Option<Option<NaiveDate>>,
    pub targets: Option<Vec<TargetSpec>>,
    pub leads: Option<Vec<UnitRef>>,
    pub partners: Option<Vec<UnitRef>>,
}

/// A target as a task's view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TargetView {
    pub count: f64,
    pub per: String,
    pub noun: String,
}

/// A task as edits see it: what its audit entries hold before and after, and what a stale edit
/// is answered with. Leads are the units with an open assignment; a removed lead's assignment
/// is closed (kept, with its activities).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TaskView {
    pub id: i64,
    pub plan_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub content: String,
    pub window_from: Option<NaiveDate>,
    pub window_to: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub targets: Vec<TargetView>,
    /// Unit codes, sorted.
    pub leads: Vec<String>,
    pub partners: Vec<String>,
    pub removed_on: Option<NaiveDate>,
    /// Every edit of the task adds one; an edit names the version it was made against.
    pub version: i64,
}

/// Why an edit was refused: the field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct EditError {
    /// The field as the API names it (`title`, `targets[1].count`, `window`, `leads`).
    pub field: String,
    pub problem: Problem,
}

/// What is wrong with a field (worded in English here, in Vietnamese by the pages' i18n).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("must not be empty")]
    Empty,
    #[error("is longer than {0} characters")]
    TooLong(usize),
    #[error("'{0}' is not COUNT/PER[/NOUN]")]
    TargetSyntax(String),
    #[error("'{0}' is not a number")]
    NotANumber(String),
    #[error("must be a number greater than 0")]
    NotPositive,
    #[error("must be at most {0}")]
    TooLarge(u64),
    #[error("'{0}' is not one of day, week, month, quarter, year, plan")]
    UnknownPer(String),
    #[error("'{0}' is not a date YYYY-MM-DD")]
    NotADate(String),
    #[error("{0} is not between 2000 and 2100")]
    OutOfYears(String),
    #[error("'{0}' is not FROM..TO")]
    WindowSyntax(String),
    #[error("both ends are needed: FROM..TO")]
    OneEnd,
    #[error("starts ({0}) after it ends ({1})")]
    Reversed(NaiveDate, NaiveDate),
    #[error("starts ({0}) before the plan's period starts ({1})")]
    BeforePlan(NaiveDate, NaiveDate),
    #[error("ends ({0}) after the plan's period ends ({1})")]
    AfterPlan(NaiveDate, NaiveDate),
    #[error("more than {0}")]
    TooMany(usize),
    #[error("was removed from the plan on {0}")]
    Removed(NaiveDate),
    #[error("task {0}'s window would fall outside the plan's period; change it first")]
    TaskOutside(String),
    #[error("no unit has the code '{0}'")]
    UnknownUnit(String),
    #[error("{0} is not within your unit")]
    OutsideScope(String),
}

fn refuse<T>(field: impl Into<String>, problem: Problem) -> Result<T, EditError> {
    Err(EditError {
        field: field.into(),
        problem,
    })
}

/// `COUNT/PER[/NOUN]`, as `task edit --target` takes it: `1/week/tin bài`, `12/month`.
pub fn parse_target(text: &str) -> Result<TargetSpec, EditError> {
    let text = nfc(text);
    let mut parts = text.splitn(3, '/');
    let count = parts.next().unwrap_or("").trim();
    let Some(per) = parts.next() else {
        return refuse("target", Problem::TargetSyntax(text.clone()));
    };
    let Ok(count) = count.replace(',', ".").parse::<f64>() else {
        return refuse("target", Problem::NotANumber(count.to_string()));
    };
    Ok(TargetSpec {
        count,
        per: per.trim().to_string(),
        noun: parts.next().unwrap_or("").trim().to_string(),
    })
}

/// A date `YYYY-MM-DD` within 2000–2100, or `none`.
/// What [`parse_optional_date`] reads for a deadline, as the OpenAPI document states it
/// (`YYYY-MM-DD` from 2000 to 2100, `none` or nothing).
pub const DUE_PATTERN: &str =
    "^\\s*(|[Nn][Oo][Nn][Ee]|(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))\\s*$";
/// What [`parse_window`] reads, as the OpenAPI document states it.
pub const WINDOW_PATTERN: &str = "^\\s*([Nn][Oo][Nn][Ee]|(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\\s*\\.\\.\\s*(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))\\s*$";

/// A string schema with one of the patterns above, or null (both fields are optional):
/// `#[schema(schema_with = …)]`.
pub fn due_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .pattern(Some(DUE_PATTERN))
        .build()
}

pub fn window_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::SchemaType::from_iter([
            utoipa::openapi::schema::Type::String,
            utoipa::openapi::schema::Type::Null,
        ]))
        .pattern(Some(WINDOW_PATTERN))
        .build()
}

pub fn parse_optional_date(field: &str, text: &str) -> Result<Option<NaiveDate>, EditError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") || text.is_empty() {
        return Ok(None);
    }
    match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&chrono::Datelike::year(&d)) => Ok(Some(d)),
        Ok(_) => refuse(field, Problem::OutOfYears(text.to_string())),
        Err(_) => refuse(field, Problem::NotADate(text.to_string())),
    }
}

/// `FROM..TO` (dates `YYYY-MM-DD`), or `none`.
pub fn parse_window(text: &str) -> Result<Option<(NaiveDate, NaiveDate)>, EditError> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let Some((from, to)) = text.split_once("..") else {
        return refuse("window", Problem::WindowSyntax(text.to_string()));
    };
    match (
        parse_optional_date("window", from)?,
        parse_optional_date("window", to)?,
    ) {
        (Some(from), Some(to)) => Ok(Some((from, to))),
        _ => refuse("window", Problem::OneEnd),
    }
}

fn check_text(field: &str, text: &str, max: usize, required: bool) -> Result<String, EditError> {
    let text = nfc(text).trim().to_string();
    if required && text.is_empty() {
        return refuse(field, Problem::Empty);
    }
    if text.chars().count() > max {
        return refuse(field, Problem::TooLong(max));
    }
    Ok(text)
}

fn check_units(field: &str, units: &[UnitRef]) -> Result<Vec<UnitRef>, EditError> {
    if units.len() > MAX_UNITS {
        return refuse(field, Problem::TooMany(MAX_UNITS));
    }
    let mut units = units.to_vec();
    units.sort();
    units.dedup();
    Ok(units)
}

/// The one validation of an edit of a task of a plan running over `plan_period` (either end may
/// be unknown): texts bounded and not empty where needed, every target a count > 0 per a known
/// period, a window within the plan's period. Returns the edit cleaned (NFC, trimmed, units
/// deduplicated, periods spelled the plan format's way).
pub fn validate(
    fields: &TaskFields,
    plan_period: (Option<NaiveDate>, Option<NaiveDate>),
) -> Result<TaskFields, EditError> {
    let mut out = TaskFields {
        window: fields.window,
        due: fields.due,
        ..TaskFields::default()
    };
    if let Some(r) = &fields.reference {
        out.reference = Some(check_text("ref", r, MAX_REF_CHARS, true)?);
    }
    if let Some(t) = &fields.title {
        out.title = Some(check_text("title", t, MAX_TITLE_CHARS, true)?);
    }
    if let Some(c) = &fields.content {
        out.content = Some(check_text("content", c, MAX_CONTENT_CHARS, false)?);
    }
    if let Some(targets) = &fields.targets {
        if targets.len() > MAX_TARGETS {
            return refuse("targets", Problem::TooMany(MAX_TARGETS));
        }
        let mut clean = Vec::with_capacity(targets.len());
        for (i, t) in targets.iter().enumerate() {
            if !t.count.is_finite() || t.count <= 0.0 {
                return refuse(format!("targets[{i}].count"), Problem::NotPositive);
            }
            if t.count > MAX_COUNT {
                return refuse(
                    format!("targets[{i}].count"),
                    Problem::TooLarge(MAX_COUNT as u64),
                );
            }
            let Ok(per) = t.per.parse::<Per>() else {
                return refuse(
                    format!("targets[{i}].per"),
                    Problem::UnknownPer(t.per.clone()),
                );
            };
            clean.push(TargetSpec {
                count: t.count,
                per: per.as_str().to_string(),
                noun: check_text(
                    &format!("targets[{i}].noun"),
                    &t.noun,
                    MAX_NOUN_CHARS,
                    false,
                )?,
            });
        }
        out.targets = Some(clean);
    }
    if let Some(Some((from, to))) = fields.window {
        if from > to {
            return refuse("window", Problem::Reversed(from, to));
        }
        if let Some(pf) = plan_period.0
            && from < pf
        {
            return refuse("window", Problem::BeforePlan(from, pf));
        }
        if let Some(pt) = plan_period.1
            && to > pt
        {
            return refuse("window", Problem::AfterPlan(to, pt));
        }
    }
    if let Some(leads) = &fields.leads {
        out.leads = Some(check_units("leads", leads)?);
    }
    if let Some(partners) = &fields.partners {
        out.partners = Some(check_units("partners", partners)?);
    }
    Ok(out)
}

/// The view after a (validated) edit: the store writes exactly this, so the audit entry's
/// "after" is what an edit meant, and a test can compare it with what the store reads back.
pub fn apply(before: &TaskView, fields: &TaskFields) -> TaskView {
    let mut after = before.clone();
    if let Some(r) = &fields.reference {
        after.reference = r.clone();
    }
    if let Some(t) = &fields.title {
        after.title = t.clone();
    }
    if let Some(c) = &fields.content {
        after.content = c.clone();
    }
    if let Some(w) = fields.window {
        after.window_from = w.map(|w| w.0);
        after.window_to = w.map(|w| w.1);
    }
    if let Some(d) = fields.due {
        after.due = d;
    }
    if let Some(targets) = &fields.targets {
        after.targets = targets
            .iter()
            .map(|t| TargetView {
                count: t.count,
                per: t.per.clone(),
                noun: t.noun.clone(),
            })
            .collect();
    }
    let codes = |units: &[UnitRef]| {
        let mut codes: Vec<String> = units.iter().map(|u| u.code.clone()).collect();
        codes.sort();
        codes.dedup();
        codes
    };
    if let Some(leads) = &fields.leads {
        after.leads = codes(leads);
    }
    if let Some(partners) = &fields.partners {
        after.partners = codes(partners);
    }
    if after != *before {
        after.version = before.version + 1;
    }
    after
}

/// A (validated) edit applied to a task of a plan still waiting for its import's confirmation
/// (the preview's corrections): the same fields as an edit of a stored task.
pub fn apply_to_new_task(task: &mut crate::store::NewTask, fields: &TaskFields) {
    if let Some(r) = &fields.reference {
        task.reference = r.clone();
    }
    if let Some(t) = &fields.title {
        task.title = t.clone();
    }
    if let Some(c) = &fields.content {
        task.content = c.clone();
    }
    if let Some(w) = fields.window {
        task.window_from = w.map(|w| w.0);
        task.window_to = w.map(|w| w.1);
    }
    if let Some(d) = fields.due {
        task.due = d;
    }
    if let Some(targets) = &fields.targets {
        task.targets = targets
            .iter()
            .filter_map(|t| {
                Some(crate::store::NewTarget {
                    count: t.count,
                    per: t.per.parse().ok()?,
                    noun: t.noun.clone(),
                })
            })
            .collect();
    }
    // A unit kept keeps how it matched the document; one added is a manual choice.
    let merge = |old: &[(i64, String)], units: &[UnitRef]| -> Vec<(i64, String)> {
        units
            .iter()
            .map(|u| {
                old.iter()
                    .find(|(id, _)| *id == u.id)
                    .cloned()
                    .unwrap_or((u.id, "manual".into()))
            })
            .collect()
    };
    if let Some(leads) = &fields.leads {
        task.leads = merge(&task.leads, leads);
    }
    if let Some(partners) = &fields.partners {
        task.partners = merge(&task.partners, partners);
    }
}

/// The fields that differ between two views of a task (the 409 of a stale edit lists what
/// changed since the version the caller edited).
pub fn fields_changed(a: &TaskView, b: &TaskView) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut diff = |name: &'static str, differs: bool| {
        if differs {
            out.push(name);
        }
    };
    diff("ref", a.reference != b.reference);
    diff("title", a.title != b.title);
    diff("content", a.content != b.content);
    diff(
        "window",
        (a.window_from, a.window_to) != (b.window_from, b.window_to),
    );
    diff("due", a.due != b.due);
    diff("targets", a.targets != b.targets);
    diff("leads", a.leads != b.leads);
    diff("partners", a.partners != b.partners);
    diff("removed_on", a.removed_on != b.removed_on);
    out
}

/// What a plan's header edit sets; `None` leaves a part as it is.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct HeaderFields {
    pub number: Option<String>,
    /// From 2000 to 2100, as every date of a plan.
    #[schema(schema_with = crate::web::extract::nullable_date_schema)]
    pub issued_on: Option<NaiveDate>,
    pub title: Option<String>,
    pub issuer: Option<String>,
    #[schema(schema_with = crate::web::extract::nullable_date_schema)]
    pub period_from: Option<NaiveDate>,
    #[schema(schema_with = crate::web::extract::nullable_date_schema)]
    pub period_to: Option<NaiveDate>,
}

/// A plan's header as its edits see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HeaderView {
    pub number: Option<String>,
    pub issued_on: Option<NaiveDate>,
    pub title: String,
    pub issuer: Option<String>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
}

/// Validates a header edit and gives the header after it. The store checks on top that every
/// task's window stays within a changed period.
pub fn apply_header(before: &HeaderView, f: &HeaderFields) -> Result<HeaderView, EditError> {
    let mut after = before.clone();
    if let Some(n) = &f.number {
        let n = check_text("number", n, MAX_REF_CHARS, false)?;
        after.number = (!n.is_empty()).then_some(n);
    }
    if let Some(t) = &f.title {
        after.title = check_text("title", t, MAX_TITLE_CHARS, true)?;
    }
    if let Some(i) = &f.issuer {
        let i = check_text("issuer", i, MAX_TITLE_CHARS, false)?;
        after.issuer = (!i.is_empty()).then_some(i);
    }
    for (field, date) in [
        ("issued_on", f.issued_on),
        ("period_from", f.period_from),
        ("period_to", f.period_to),
    ] {
        if let Some(d) = date
            && !(2000..=2100).contains(&chrono::Datelike::year(&d))
        {
            return refuse(field, Problem::OutOfYears(d.to_string()));
        }
    }
    after.issued_on = f.issued_on.or(after.issued_on);
    after.period_from = f.period_from.or(after.period_from);
    after.period_to = f.period_to.or(after.period_to);
    if let (Some(from), Some(to)) = (after.period_from, after.period_to)
        && from > to
    {
        return refuse("period", Problem::Reversed(from, to));
    }
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn targets_parse_and_validate() {
        let t = parse_target("2/tuần/tin bài").unwrap();
        assert_eq!((t.count, t.noun.as_str()), (2.0, "tin bài"));
        let f = TaskFields {
            targets: Some(vec![t]),
            ..Default::default()
        };
        let clean = validate(&f, (None, None)).unwrap();
        assert_eq!(clean.targets.unwrap()[0].per, "week");
        assert!(parse_target("2").is_err());
        assert!(parse_target("x/week").is_err());
        for (bad, field) in [
            ("0/week", "targets[0].count"),
            ("1/fortnight", "targets[0].per"),
        ] {
            let f = TaskFields {
                targets: Some(vec![parse_target(bad).unwrap()]),
                ..Default::default()
            };
            assert_eq!(validate(&f, (None, None)).unwrap_err().field, field);
        }
    }

    #[test]
    fn window_within_the_plan() {
        let period = (Some(d("2024-01-01")), Some(d("2024-12-31")));
        let ok = TaskFields {
            window: Some(parse_window("2024-03-01..2024-06-30").unwrap()),
            ..Default::default()
        };
        assert!(validate(&ok, period).is_ok());
        let early = TaskFields {
            window: Some(parse_window("2023-12-01..2024-06-30").unwrap()),
            ..Default::default()
        };
        let e = validate(&early, period).unwrap_err();
        assert_eq!(e.field, "window");
        assert!(e.to_string().contains("2024-01-01"), "{e}");
        assert_eq!(parse_window("none").unwrap(), None);
        assert!(parse_window("2024-06-30..2024-03-01").is_ok());
        let reversed = TaskFields {
            window: Some(parse_window("2024-06-30..2024-03-01").unwrap()),
            ..Default::default()
        };
        assert!(validate(&reversed, period).is_err());
    }

    #[test]
    fn apply_bumps_the_version_only_on_change() {
        let before = TaskView {
            id: 1,
            plan_id: 1,
            reference: "1".into(),
            title: "A".into(),
            content: String::new(),
            window_from: None,
            window_to: None,
            due: None,
            targets: vec![],
            leads: vec!["X".into()],
            partners: vec![],
            removed_on: None,
            version: 3,
        };
        assert_eq!(apply(&before, &TaskFields::default()), before);
        let after = apply(
            &before,
            &TaskFields {
                title: Some("B".into()),
                ..Default::default()
            },
        );
        assert_eq!(after.version, 4);
        assert_eq!(fields_changed(&before, &after), vec!["title"]);
    }
}
