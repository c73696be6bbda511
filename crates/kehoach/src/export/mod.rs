//! What leaves kehoach as files: the year-end report (.docx), the .xlsx tables, the DTI evidence
//! pack (.zip), the calendar feed (.ics) — and, in `reminders/`, the daily e-mail digest.
//!
//! Each format is one module whose core is pure (content in, bytes or text out); this module
//! gathers the facts from the store for them and is the only part here that does I/O.

pub mod channels;
pub mod evidence_pack;
pub mod ics;
pub mod issuer;
pub mod report;
pub mod report_docx;
pub mod report_period;
pub mod vn;
pub mod wordml;
pub mod xlsx;

use std::collections::HashSet;

use chrono::NaiveDate;

use crate::compliance::plan_compliance;
use crate::store::{EvidenceRow, PlanActivityRow, PlanRow, Store, StoreError};

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// What the caller asked for does not exist (a plan, a unit).
    #[error("{0}")]
    NotFound(String),
    /// What the caller gave is not acceptable (a period, a date).
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("writing the archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("writing the spreadsheet: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// Reading an evidence file (`evidence_store.rs`).
    #[error("{0}")]
    File(#[from] crate::files::FileError),
}

/// A plan's number when one is known: the importer keeps what the header shows, which for a
/// draft or a badly scanned header is "-", "…" or "   /KH-UBND" — no number to cite ("số -").
/// A number has a digit.
pub fn known_plan_number(number: Option<&str>) -> Option<&str> {
    number
        .map(str::trim)
        .filter(|n| n.chars().any(|c| c.is_ascii_digit()))
}

/// A plan, limited (or not) to a unit and the units under it.
pub struct Scope {
    pub plan: PlanRow,
    /// The unit's name when limited.
    pub unit_name: Option<String>,
    pub only_units: Option<HashSet<i64>>,
    /// The unit that answers for the scope: the unit asked for, or — for a People's Committee —
    /// its administrative unit, so that a district's report includes its communes.
    pub unit_id: Option<i64>,
}

/// The unit of code `code` for an export of `plan`, with the date it was found on: the unit valid
/// on `on`, or else the one valid when the plan was issued (or began) — a plan's units may since
/// have been merged or renamed (a 2024 plan read after the 2025 mergers), and its reports are
/// still asked for by the codes they had.
pub async fn plan_unit(
    store: &Store,
    plan: &PlanRow,
    code: &str,
    on: NaiveDate,
) -> Result<Option<(crate::store::UnitRow, NaiveDate)>, StoreError> {
    for date in [Some(on), plan.issued_on, plan.period_from]
        .into_iter()
        .flatten()
    {
        if let Some(row) = store.unit_by_code(code, date).await? {
            return Ok(Some((row, date)));
        }
    }
    Ok(None)
}

/// Reads the plan and, when `unit` is given, the ids of that unit's subtree on `on`. A People's
/// Committee stands for its administrative unit: its scope is the district (province, commune)
/// with everything under it; any other agency's is itself (and its own divisions).
pub async fn scope(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    on: NaiveDate,
) -> Result<Scope, ExportError> {
    let plan = store
        .plan(plan_id)
        .await?
        .ok_or_else(|| ExportError::NotFound(format!("plan {plan_id} not found")))?;
    let (unit_name, only_units, unit_id) = match unit {
        Some(code) => {
            let (row, found_on) = plan_unit(store, &plan, code, on).await?.ok_or_else(|| {
                ExportError::BadInput(format!("unit: no unit with code {code} on {on}"))
            })?;
            let mut root = row.clone();
            if row.category.as_deref() == Some("people_committee")
                && let Some(parent) = row.parent_id
                && let Some(admin) = store.unit(parent).await?
            {
                root = admin;
            }
            let ids = store
                .unit_subtree_ids(&root.code, found_on)
                .await?
                .unwrap_or_default();
            (Some(root.name.clone()), Some(ids), Some(root.id))
        }
        None => (None, None, None),
    };
    Ok(Scope {
        plan,
        unit_name,
        only_units,
        unit_id,
    })
}

/// What a caller may set on a report beyond plan, unit and year; `None` keeps the default of
/// [`report::ReportOptions::defaults`].
#[derive(Debug, Clone, Default)]
pub struct ReportOverrides {
    pub at: Option<NaiveDate>,
    pub dated: Option<NaiveDate>,
    pub parent_body: Option<String>,
    pub issuing_body: Option<String>,
    pub number: Option<u32>,
    pub code: Option<String>,
    pub place: Option<String>,
    pub recipients: Vec<String>,
    pub copies: Vec<String>,
    pub authority: Vec<String>,
    pub signer: Option<String>,
}

/// Longest text accepted for one report field from outside.
const MAX_FIELD_CHARS: usize = 300;

fn field(name: &str, value: &Option<String>) -> Result<Option<String>, ExportError> {
    match value {
        Some(v) if v.chars().count() > MAX_FIELD_CHARS => Err(ExportError::BadInput(format!(
            "{name}: longer than {MAX_FIELD_CHARS} characters"
        ))),
        Some(v) => Ok(Some(kehoach_core::text::nfc(v.trim()))),
        None => Ok(None),
    }
}

fn list(name: &str, values: &[String]) -> Result<Vec<String>, ExportError> {
    if values.len() > 20 {
        return Err(ExportError::BadInput(format!("{name}: at most 20 lines")));
    }
    values
        .iter()
        .map(|v| field(name, &Some(v.clone())).map(Option::unwrap_or_default))
        .collect()
}

/// The report of a plan (optionally a unit and its subtree) over `period` (a year, or a
/// [`report_period::ReportPeriod`]): its content and its .docx bytes.
pub async fn report_docx(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    period: impl Into<report_period::ReportPeriod>,
    today: NaiveDate,
    overrides: &ReportOverrides,
) -> Result<(report::ReportContent, Vec<u8>), ExportError> {
    let content = report_content(store, plan_id, unit, period, today, overrides).await?;
    let bytes = report_docx::render(&content)?;
    Ok((content, bytes))
}

/// The issuer of a report: the scope's unit, or the plan's issuer (its administrative unit),
/// with the administrative units above it.
async fn issuer_of(store: &Store, scope: &Scope) -> Result<Option<issuer::Issuer>, ExportError> {
    let Some(id) = scope.unit_id.or(scope.plan.context_unit_id) else {
        return Ok(None);
    };
    let Some(unit) = store.report_unit(id).await? else {
        return Ok(None);
    };
    let body = |u: &crate::store::ReportUnitRow| issuer::Body {
        name: u.name.clone(),
        short_name: u.short_name.clone(),
        kind: u.kind.clone(),
        type_word: u.type_word.clone(),
        category: u.category.clone(),
    };
    // Up the tree: the first administrative unit is the locality, the next the upper level.
    let mut admins = Vec::new();
    let mut next = Some(unit.clone());
    let mut guard = 0;
    while let Some(u) = next {
        if u.kind != "agency" {
            admins.push(body(&u));
        }
        guard += 1;
        next = match u.parent_id {
            Some(p) if guard < 8 => store.report_unit(p).await?,
            _ => None,
        };
    }
    let province = admins.iter().find(|b| b.kind == "province").cloned();
    Ok(Some(issuer::Issuer {
        unit: body(&unit),
        locality: admins.first().cloned(),
        upper: admins.get(1).cloned(),
        province: province.filter(|p| admins.first() != Some(p)),
    }))
}

/// Whom a unit's report on the plan goes to (`issuer::plan_office_of` its issuing unit on
/// `on`); `None` when the plan has no issuing unit.
pub async fn plan_office_name(
    store: &Store,
    plan: &crate::store::PlanRow,
    on: NaiveDate,
) -> Result<Option<String>, ExportError> {
    let Some(id) = plan.context_unit_id else {
        return Ok(None);
    };
    Ok(store.report_unit(id).await?.map(|u| {
        issuer::plan_office_of(
            &issuer::Body {
                name: u.name,
                short_name: u.short_name,
                kind: u.kind,
                type_word: u.type_word,
                category: u.category,
            },
            on,
        )
    }))
}

/// The worded report, before layout.
pub async fn report_content(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    period: impl Into<report_period::ReportPeriod>,
    today: NaiveDate,
    o: &ReportOverrides,
) -> Result<report::ReportContent, ExportError> {
    let period = period.into();
    let scope = scope(store, plan_id, unit, today).await?;
    let plan_issuer = scope.plan.issuer.clone().unwrap_or_default();
    let dated = o.dated.unwrap_or(today);
    let issuer = issuer_of(store, &scope).await?;
    let (header, prose) = match &issuer {
        Some(i) => (i.header(&plan_issuer, dated), i.prose_name()),
        None => {
            // No unit known: what the plan's issuer text says.
            let body = if scope.unit_name.is_some() {
                scope.unit_name.clone().unwrap_or_default()
            } else {
                plan_issuer.clone()
            };
            (
                issuer::Header {
                    parent_body: String::new(),
                    code: issuer::abbreviation(&body),
                    place: issuer::place_of(&plan_issuer),
                    recipients: vec![issuer::ministry(dated).to_string()],
                    authority: issuer::authority_for(&body),
                    issuing_body: body.clone(),
                },
                issuer::expand_ubnd(&body),
            )
        }
    };
    let scope_phrase = match (&issuer, scope.unit_id) {
        (Some(i), Some(_)) if i.unit.kind != "agency" => {
            Some(format!("trên địa bàn {}", issuer::place_phrase(&i.unit)))
        }
        (_, Some(_)) => Some("của đơn vị".to_string()),
        _ => None,
    };
    let mut options = report::ReportOptions {
        period,
        at: period.evaluation_date(today),
        dated,
        parent_body: header.parent_body,
        issuing_body: header.issuing_body,
        issuer_prose: prose,
        number: None,
        code: header.code,
        place: header.place,
        recipients: header.recipients,
        copies: Vec::new(),
        authority: header.authority,
        signer: String::new(),
        scope: scope_phrase,
    };
    if let Some(at) = o.at {
        options.at = at;
    }
    if let Some(v) = field("parent", &o.parent_body)? {
        options.parent_body = v;
    }
    if let Some(v) = field("issuer", &o.issuing_body)? {
        options.code = issuer::abbreviation(&v);
        options.authority = issuer::authority_for(&v);
        options.issuer_prose = issuer::expand_ubnd(&v);
        options.issuing_body = v;
    }
    if let Some(v) = field("code", &o.code)? {
        options.code = v;
    }
    if let Some(v) = field("place", &o.place)? {
        options.place = v;
    }
    if let Some(v) = field("signer", &o.signer)? {
        options.signer = v;
    }
    options.number = o.number.or(options.number);
    if !o.recipients.is_empty() {
        options.recipients = list("to", &o.recipients)?;
    }
    options.copies = list("cc", &o.copies)?;
    if !o.authority.is_empty() {
        options.authority = list("authority", &o.authority)?;
    }
    let only = scope.only_units.as_ref();
    let compliance = plan_compliance(store, plan_id, options.at, only).await?;
    let tasks = store.tasks_of_plan(plan_id).await?;
    let sections = store.task_sections(plan_id).await?;
    let mut units = store.assignment_units(plan_id).await?;
    let mut sums = store.activity_sums(plan_id, period.from, period.to).await?;
    let mut completions = store.completions(plan_id, period.from, period.to).await?;
    let mut child_plans = match scope.plan.number.as_deref() {
        Some(n) if !n.trim().is_empty() => store.child_plans(plan_id, n).await?,
        _ => Vec::new(),
    };
    if let Some(only) = only {
        units.retain(|u| only.contains(&u.id));
        sums.retain(|s| only.contains(&s.unit_id));
        completions.retain(|c| only.contains(&c.unit_id));
        child_plans.retain(|c| c.context_unit_id.is_some_and(|id| only.contains(&id)));
    }
    let facts = report::ReportFacts {
        tasks: &tasks,
        sections: &sections,
        units: &units,
        sums: &sums,
        completions: &completions,
        child_plans: &child_plans,
    };
    let mut content = report::build(&scope.plan, &compliance, facts, &options);
    // Budget cycle (issue 21): the "Kinh phí" part, when something was allocated or spent.
    let mut allocations = store.budget_allocations(plan_id).await?;
    let mut spending = store.budget_spending(plan_id).await?;
    if let Some(only) = only {
        allocations.retain(|a| only.contains(&a.unit_id));
        spending.retain(|s| only.contains(&s.unit_id));
    }
    if let Some(part) = crate::budget::report::kinh_phi_part(
        &tasks,
        &allocations,
        &spending,
        &sums,
        period.from,
        period.to,
    ) {
        crate::budget::report::insert(&mut content, part);
    }
    Ok(content)
}

/// An activity with its evidence (URLs and files).
#[derive(Debug, Clone)]
pub struct ActivityRecord {
    pub activity: PlanActivityRow,
    pub evidence: Vec<EvidenceRow>,
}

/// Pairs activities with their evidence (both in activity order from the store).
pub fn with_evidence(
    activities: Vec<PlanActivityRow>,
    evidence: Vec<EvidenceRow>,
) -> Vec<ActivityRecord> {
    let mut by_activity: std::collections::HashMap<i64, Vec<EvidenceRow>> =
        std::collections::HashMap::new();
    for e in evidence {
        by_activity.entry(e.activity_id).or_default().push(e);
    }
    activities
        .into_iter()
        .map(|activity| ActivityRecord {
            evidence: by_activity.remove(&activity.id).unwrap_or_default(),
            activity,
        })
        .collect()
}

/// The span of a report year, or every date when none is given.
pub fn year_span(year: Option<i32>) -> (NaiveDate, NaiveDate) {
    let min = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a date");
    let max = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a date");
    match year {
        Some(y) => (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(min),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(max),
        ),
        None => (min, max),
    }
}

/// A plan's activities (of a unit's subtree, dated in `year`) with their evidence.
pub async fn activity_records(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<(Scope, Vec<ActivityRecord>), ExportError> {
    let scope = scope(store, plan_id, unit, today).await?;
    let (from, to) = year_span(year);
    let mut activities = store.activities_of_plan(plan_id, from, to).await?;
    if let Some(units) = &scope.only_units {
        activities.retain(|a| units.contains(&a.unit_id));
    }
    let evidence = store.evidence_of_plan(plan_id, from, to).await?;
    Ok((scope, with_evidence(activities, evidence)))
}

/// The activities workbook of a plan (a unit's subtree, a year).
pub async fn activities_xlsx(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    year: Option<i32>,
    today: NaiveDate,
) -> Result<Vec<u8>, ExportError> {
    let (scope, records) = activity_records(store, plan_id, unit, year, today).await?;
    let label = |e: &EvidenceRow| e.file_name.clone().unwrap_or_else(|| "tệp".into());
    let heading = activities_heading(&scope, year, today);
    Ok(xlsx::activities_workbook(
        &records, &label, &heading, false,
    )?)
}

/// "Hoạt động và minh chứng — Kế hoạch …", "Năm 2024 · Đơn vị: … · Xuất ngày 20/11/2024".
fn activities_heading(scope: &Scope, year: Option<i32>, today: NaiveDate) -> xlsx::Heading {
    let mut note = Vec::new();
    if let Some(y) = year {
        note.push(format!("Năm {y}"));
    }
    if let Some(u) = &scope.unit_name {
        note.push(format!("Đơn vị: {u} và các đơn vị trực thuộc"));
    }
    note.push(format!("Xuất ngày {}", vn::short_date(today)));
    xlsx::Heading {
        title: format!("Hoạt động và minh chứng — {}", plan_name(&scope.plan)),
        note: note.join(" · "),
    }
}

/// "Kế hoạch số 25/KH-UBND: Truyền thông …" or the title alone (never "Kế hoạch Kế hoạch").
fn plan_name(plan: &PlanRow) -> String {
    let (title, _) = kehoach_core::text::mend_lost_chars(plan.title.trim());
    let title = if kehoach_core::text::fold(&title).starts_with("ke hoach") {
        title
    } else {
        format!("Kế hoạch {title}")
    };
    match known_plan_number(plan.number.as_deref()) {
        Some(n) => format!("{title} (số {n})"),
        None => title,
    }
}

/// The date a table of `year` is evaluated on when none is asked: the day after the year (its
/// last periods ended), or today while the year runs.
pub fn year_evaluation_date(year: Option<i32>, today: NaiveDate) -> NaiveDate {
    year.and_then(|y| NaiveDate::from_ymd_opt(y + 1, 1, 1))
        .map_or(today, |after| after.min(today))
}

/// The compliance workbook of a plan (a unit's subtree) on `at`, its periods those of `year`
/// (default: the year of `at`).
pub async fn compliance_xlsx(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    at: NaiveDate,
    year: Option<i32>,
) -> Result<Vec<u8>, ExportError> {
    let scope = scope(store, plan_id, unit, at).await?;
    let compliance = plan_compliance(store, plan_id, at, scope.only_units.as_ref()).await?;
    let year = year.unwrap_or_else(|| chrono::Datelike::year(&at));
    let mut note = format!(
        "Số liệu đánh giá ngày {} (các kỳ kết thúc trước ngày này đã được tính)",
        vn::short_date(at)
    );
    if let Some(u) = &scope.unit_name {
        note.push_str(&format!(" · Đơn vị: {u} và các đơn vị trực thuộc"));
    }
    let heading = xlsx::Heading {
        title: format!("Theo dõi thực hiện {}", plan_name(&scope.plan)),
        note,
    };
    Ok(xlsx::compliance_workbook(&compliance, &heading, year)?)
}

/// Writes the evidence pack of a plan (a unit's subtree, a year; `accepted_only`: only the
/// activities the plan office accepted) to `out`, off the async threads (it copies files).
#[allow(clippy::too_many_arguments)]
pub async fn evidence_pack(
    store: &Store,
    files: &crate::files::FileStore,
    plan_id: i64,
    unit: Option<&str>,
    year: Option<i32>,
    today: NaiveDate,
    accepted_only: bool,
    out: std::fs::File,
) -> Result<(evidence_pack::PackSummary, std::fs::File), ExportError> {
    let (scope, mut records) = activity_records(store, plan_id, unit, year, today).await?;
    if accepted_only {
        let accepted = store.accepted_activities_of_plan(plan_id).await?;
        records.retain(|r| accepted.contains(&r.activity.id));
    }
    let heading = activities_heading(&scope, year, today);
    let files = files.clone();
    tokio::task::spawn_blocking(move || {
        let mut out = std::io::BufWriter::new(out);
        let summary = evidence_pack::write_pack(&mut out, &records, &files, &heading)?;
        let file = out
            .into_inner()
            .map_err(|e| ExportError::Io(e.into_error()))?;
        Ok((summary, file))
    })
    .await
    .map_err(|e| ExportError::Io(std::io::Error::other(e)))?
}

/// The calendar feed of a unit: its assignments' deadlines, windows and named days.
pub async fn unit_calendar(
    store: &Store,
    unit: &crate::store::UnitRow,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<String, ExportError> {
    let assignments = store.assignments_of_unit(unit.id).await?;
    let targets = store.recurring_targets_of_unit(unit.id).await?;
    Ok(ics::calendar(
        &unit.name,
        &ics::events(&assignments, &targets),
        now,
    ))
}
