//! The reporting chain (issue 20): report requests, each unit's draft written from its own data,
//! submission (frozen), review by the plan office, and the plan office's compiled report.
//!
//! `sections` (what a unit may write), `state` (where a unit stands; Decree 09 periods) and
//! `compose` (the unit's words put into the report, the compiled report) are pure. This module
//! is the only part that reads and writes the store and the file store for them; the CLI, the
//! API and the pages call it.
//!
//! A unit's draft is the period report `export::report_content` words for that unit and the
//! request's period, with the unit's sections in it: its figures stay live until it submits.
//! Submitting freezes the .docx in the content-addressed file store (`files.rs`), records the
//! sections and figures, and — when the request is a deliverable of the plan — records the
//! completing activity of the unit's assignment, dated the report's date, through the one write
//! path of activities (so the engine's deadline state follows). Returning a report removes that
//! activity again (the deliverable is not done until a report is accepted or resubmitted).
//!
//! A compiled report goes up the chain: when the plan implements another plan whose request
//! asks the office's unit (`upward_of`), submitting the compiled report records it as that
//! unit's submission there — reviewed by the plan office above, completing its deliverable —
//! and the compiled draft stays frozen while that submission lives.

pub mod compose;
pub mod sections;
pub mod state;

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::DeadlineState;
use kehoach_core::text::{fold, nfc};
use serde::Serialize;

use crate::export::report::ReportContent;
use crate::export::report_period::ReportPeriod;
use crate::export::{ExportError, ReportOverrides};
use crate::files::{FileError, FileStore};
use crate::store::{
    ChainConflict, Change, DraftRow, DraftSave, NewActivity, NewReportRequest, NewSubmission,
    PlanRow, ReportRequestRow, Store, StoreError, SubmissionRow, UnitRow,
};
use sections::{SectionError, Sections};
use state::{Latest, Review, UnitState};

/// Longest title of a request, document number and signer's name.
pub const MAX_TITLE_CHARS: usize = 300;
const MAX_NUMBER_CHARS: usize = 50;
const MAX_SIGNER_CHARS: usize = 100;
const MAX_REASON_CHARS: usize = 2_000;
/// Most units one request asks, and most periods a recurring request makes at once.
pub const MAX_REQUEST_UNITS: usize = 2_000;
pub const MAX_RECURRING: usize = 24;

/// Why a step of the chain was refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum ChainError {
    #[error("{0}")]
    NotFound(String),
    /// A field the caller gave, named.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Section(#[from] SectionError),
    /// The state of the chain does not allow it (a second submission after acceptance,
    /// reviewing what waits for nothing): HTTP 409.
    #[error("{0}")]
    Conflict(String),
    /// Someone else saved the draft first: theirs is returned, nothing was lost.
    #[error("the draft was changed by someone else (now version {})", .0.as_ref().map_or(0, |d| d.version))]
    Stale(Option<DraftRow>),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    File(#[from] FileError),
}

impl ChainError {
    fn conflict(c: ChainConflict) -> ChainError {
        ChainError::Conflict(
            match c {
                ChainConflict::AlreadyAccepted => {
                    "this unit's report was accepted: nothing more can be submitted"
                }
                ChainConflict::AlreadySubmitted => {
                    "this unit's report is submitted and waits for review"
                }
                ChainConflict::NothingToReview => "no submission of this unit waits for review",
            }
            .into(),
        )
    }
}

fn bounded(name: &str, value: &str, max: usize, required: bool) -> Result<String, ChainError> {
    if value.chars().count() > max {
        return Err(ChainError::BadInput(format!(
            "{name}: longer than {max} characters"
        )));
    }
    let v = nfc(value.trim());
    if required && v.is_empty() {
        return Err(ChainError::BadInput(format!("{name}: required")));
    }
    Ok(v)
}

/// The request's period as a report period (its stored span, its kind's label).
pub fn period_of(r: &ReportRequestRow) -> ReportPeriod {
    state::stored_period(&r.period_kind, r.period_from, r.period_to)
}

pub fn questions_of(r: &ReportRequestRow) -> Vec<String> {
    serde_json::from_str(&r.questions).unwrap_or_default()
}

async fn plan_of(store: &Store, plan_id: i64) -> Result<PlanRow, ChainError> {
    store
        .plan(plan_id)
        .await?
        .ok_or_else(|| ChainError::NotFound(format!("plan {plan_id} not found")))
}

pub async fn request(store: &Store, id: i64) -> Result<ReportRequestRow, ChainError> {
    store
        .report_request(id)
        .await?
        .ok_or_else(|| ChainError::NotFound(format!("report request {id} not found")))
}

// ---------------------------------------------------------------------------------------------
// Requests.

/// What the plan office asks for by hand.
#[derive(Debug, Clone, Default)]
pub struct AddRequest {
    pub plan_id: i64,
    pub title: String,
    pub due: NaiveDate,
    /// "2024", "2024-H1", "2024-Q3", "2024-05"; default: the year of the deadline.
    pub period: Option<String>,
    /// Calendar periods instead of Decree 09's data cut-off.
    pub calendar: bool,
    /// Make this many consecutive periods (a recurring request), each due as long after its
    /// period as the first; 1 (or 0) for one request.
    pub repeat: usize,
    /// Unit codes; empty: the plan's lead units.
    pub units: Vec<String>,
    pub questions: Vec<String>,
}

/// Stores the request (or the series) and returns the ids, first period first.
pub async fn add_request(
    store: &Store,
    a: &AddRequest,
    by: &Change,
) -> Result<Vec<i64>, ChainError> {
    let plan = plan_of(store, a.plan_id).await?;
    let title = bounded("title", &a.title, MAX_TITLE_CHARS, true)?;
    if !(2000..=2100).contains(&a.due.year()) {
        return Err(ChainError::BadInput(
            "due: a date between 2000 and 2100".into(),
        ));
    }
    let questions = sections::clean_questions(&a.questions)?;
    if a.units.len() > MAX_REQUEST_UNITS {
        return Err(ChainError::BadInput(format!(
            "unit: at most {MAX_REQUEST_UNITS} units"
        )));
    }
    if a.repeat > MAX_RECURRING {
        return Err(ChainError::BadInput(format!(
            "repeat: at most {MAX_RECURRING} periods"
        )));
    }
    let mut unit_ids = Vec::new();
    for code in &a.units {
        let code = code.trim();
        let (unit, _) = crate::export::plan_unit(store, &plan, code, a.due)
            .await?
            .ok_or_else(|| ChainError::BadInput(format!("unit: no unit with code {code}")))?;
        if !unit_ids.contains(&unit.id) {
            unit_ids.push(unit.id);
        }
    }
    if unit_ids.is_empty() {
        unit_ids = lead_units(store, plan.id).await?;
    }
    if unit_ids.is_empty() {
        return Err(ChainError::BadInput(
            "unit: the plan has no lead units; name the units asked".into(),
        ));
    }
    let first = match &a.period {
        Some(p) => ReportPeriod::parse(p).map_err(ChainError::BadInput)?,
        None => ReportPeriod::year(a.due.year()),
    };
    let span = |p: ReportPeriod| {
        if a.calendar {
            p
        } else {
            state::with_cut_off(p)
        }
    };
    let lag = a.due - span(first).to;
    let mut ids = Vec::new();
    let mut period = Some(first);
    for _ in 0..a.repeat.max(1) {
        let Some(p) = period else { break };
        let s = span(p);
        let new = NewReportRequest {
            plan_id: plan.id,
            task_id: None,
            kind: if a.repeat > 1 { "recurring" } else { "ad_hoc" },
            title: title.clone(),
            due: s.to + lag,
            period_kind: p.tag(),
            period_from: s.from,
            period_to: s.to,
            questions: questions.clone(),
            unit_ids: unit_ids.clone(),
        };
        if let Some(id) = store.insert_report_request(&new, by).await? {
            ids.push(id);
        }
        period = state::next_calendar(p);
    }
    Ok(ids)
}

/// The plan's lead units (every unit with an assignment), in assignment order.
async fn lead_units(store: &Store, plan_id: i64) -> Result<Vec<i64>, ChainError> {
    let mut ids = Vec::new();
    for a in store.assignments_of_plan(plan_id).await? {
        if !ids.contains(&a.unit_id) {
            ids.push(a.unit_id);
        }
    }
    Ok(ids)
}

/// Whether a task is one of the plan's report deliverables: it has a deadline and asks for a
/// report ("báo cáo" in its title).
pub fn is_report_deliverable(title: &str, due: Option<NaiveDate>) -> bool {
    // Among the title's first words: "Báo cáo kết quả …", "Thực hiện báo cáo, đánh giá …" — not
    // a budget task that mentions reporting to the authority somewhere in its text.
    let opening: Vec<String> = fold(title)
        .split_whitespace()
        .take(6)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .collect();
    due.is_some() && opening.windows(2).any(|w| w[0] == "bao" && w[1] == "cao")
}

/// Makes each report deliverable of the plan a request (once): its lead units report to the
/// plan office by its deadline, over the year of the deadline (Decree 09 cut-off).
pub async fn ensure_plan_requests(store: &Store, plan_id: i64) -> Result<(), ChainError> {
    let tasks = store.tasks_of_plan(plan_id).await?;
    let deliverables: Vec<_> = tasks
        .iter()
        .filter(|t| is_report_deliverable(&t.title, t.due))
        .collect();
    if deliverables.is_empty() {
        return Ok(());
    }
    let existing: Vec<Option<i64>> = store
        .report_requests_of_plan(plan_id)
        .await?
        .into_iter()
        .map(|r| r.task_id)
        .collect();
    let assignments = store.assignments_of_plan(plan_id).await?;
    for t in deliverables {
        let Some(due) = t.due else { continue };
        if existing.contains(&Some(t.id)) {
            continue;
        }
        let unit_ids: Vec<i64> = assignments
            .iter()
            .filter(|a| a.task_id == t.id)
            .map(|a| a.unit_id)
            .collect();
        if unit_ids.is_empty() {
            continue;
        }
        let p = state::with_cut_off(ReportPeriod::year(due.year()));
        let title: String = t.title.chars().take(MAX_TITLE_CHARS).collect();
        store
            .insert_report_request(
                &NewReportRequest {
                    plan_id,
                    task_id: Some(t.id),
                    kind: "deliverable",
                    title,
                    due,
                    period_kind: p.tag(),
                    period_from: p.from,
                    period_to: p.to,
                    questions: Vec::new(),
                    unit_ids,
                },
                &Change::system("reporting"),
            )
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Where each unit stands.

/// One unit on a request's board.
#[derive(Debug, Clone, Serialize)]
pub struct UnitStatus {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub state: UnitState,
    /// The official deadline state (the engine's four).
    pub deadline_state: &'static str,
    #[serde(skip)]
    pub official: DeadlineState,
    pub draft_version: Option<i64>,
    /// The latest submission, if any.
    pub submission: Option<SubmissionSummary>,
    /// Earlier submissions (returned), oldest first.
    pub history: Vec<SubmissionSummary>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubmissionSummary {
    pub id: i64,
    pub number: String,
    pub signed_on: NaiveDate,
    pub signer: String,
    pub state: String,
    pub reason: Option<String>,
    pub docx_sha256: String,
    pub scan_sha256: Option<String>,
}

impl From<&SubmissionRow> for SubmissionSummary {
    fn from(s: &SubmissionRow) -> Self {
        SubmissionSummary {
            id: s.id,
            number: s.number.clone(),
            signed_on: s.signed_on,
            signer: s.signer.clone(),
            state: s.state.clone(),
            reason: s.review_reason.clone(),
            docx_sha256: s.docx_sha256.clone(),
            scan_sha256: s.scan_sha256.clone(),
        }
    }
}

fn latest_of(s: &SubmissionRow) -> Latest {
    Latest {
        review: Review::parse(&s.state).unwrap_or(Review::Submitted),
        signed_on: s.signed_on,
    }
}

/// A request's board.
#[derive(Debug, Clone, Serialize)]
pub struct RequestStatus {
    pub request: ReportRequestRow,
    pub questions: Vec<String>,
    pub units: Vec<UnitStatus>,
}

/// Every unit asked, with its state and its official deadline state on `today`.
pub async fn status(
    store: &Store,
    request_id: i64,
    today: NaiveDate,
) -> Result<RequestStatus, ChainError> {
    let r = request(store, request_id).await?;
    let units = store.report_request_units(r.id).await?;
    let drafts: HashMap<i64, i64> = store
        .report_drafts(r.id)
        .await?
        .into_iter()
        .map(|d| (d.unit_id, d.version))
        .collect();
    let mut subs: HashMap<i64, Vec<SubmissionRow>> = HashMap::new();
    for s in store.report_submissions(r.id).await? {
        subs.entry(s.unit_id).or_default().push(s);
    }
    let units = units
        .into_iter()
        .map(|u| {
            let mine = subs.remove(&u.unit_id).unwrap_or_default();
            let latest = mine.last();
            let l = latest.map(latest_of);
            UnitStatus {
                unit_id: u.unit_id,
                code: u.code,
                name: u.name,
                state: state::unit_state(drafts.contains_key(&u.unit_id), l, r.due, today),
                deadline_state: state::official_state(l, r.due, today).as_str(),
                official: state::official_state(l, r.due, today),
                draft_version: drafts.get(&u.unit_id).copied(),
                submission: latest.map(SubmissionSummary::from),
                history: mine
                    .iter()
                    .take(mine.len().saturating_sub(1))
                    .map(SubmissionSummary::from)
                    .collect(),
            }
        })
        .collect();
    Ok(RequestStatus {
        questions: questions_of(&r),
        request: r,
        units,
    })
}

// ---------------------------------------------------------------------------------------------
// Drafts.

/// Who a draft is for: a unit asked, or the plan office itself (its compiled report).
#[derive(Debug, Clone)]
pub struct Author {
    pub unit: UnitRow,
    /// The plan office's compiled report, not a unit's.
    pub compiled: bool,
}

/// The unit of `code` as an author of `r`'s reports: one of the units asked, or the plan's
/// office (for the compiled report).
pub async fn author(store: &Store, r: &ReportRequestRow, code: &str) -> Result<Author, ChainError> {
    let plan = plan_of(store, r.plan_id).await?;
    let code = code.trim();
    let (unit, _) = crate::export::plan_unit(store, &plan, code, r.due)
        .await?
        .ok_or_else(|| ChainError::BadInput(format!("unit: no unit with code {code}")))?;
    author_of(store, r, &plan, unit).await
}

pub async fn author_by_id(
    store: &Store,
    r: &ReportRequestRow,
    unit_id: i64,
) -> Result<Author, ChainError> {
    let plan = plan_of(store, r.plan_id).await?;
    let unit = store
        .unit(unit_id)
        .await?
        .ok_or_else(|| ChainError::NotFound(format!("unit {unit_id} not found")))?;
    author_of(store, r, &plan, unit).await
}

async fn author_of(
    store: &Store,
    r: &ReportRequestRow,
    plan: &PlanRow,
    unit: UnitRow,
) -> Result<Author, ChainError> {
    let asked = store
        .report_request_units(r.id)
        .await?
        .iter()
        .any(|u| u.unit_id == unit.id);
    if asked {
        return Ok(Author {
            unit,
            compiled: false,
        });
    }
    if plan.context_unit_id == Some(unit.id) {
        return Ok(Author {
            unit,
            compiled: true,
        });
    }
    Err(ChainError::BadInput(format!(
        "unit: {} is not asked by report request {}",
        unit.code, r.id
    )))
}

/// A draft as its author sees it: the sections, their version, and the report they make.
pub struct Draft {
    pub request: ReportRequestRow,
    pub author: Author,
    pub sections: Sections,
    /// `None` until first saved.
    pub version: Option<i64>,
    pub content: ReportContent,
    /// The live submission (waiting or accepted) when there is one: the draft is then frozen.
    /// For a compiled report sent up, the submission to the request above.
    pub submitted: Option<SubmissionRow>,
    /// The request of the plan above that this compiled report answers, if any.
    pub upward: Option<Upward>,
}

/// Where a compiled report goes when its plan implements another plan: the request of that
/// plan asking the office's unit (a district's compiled report is the district's submission
/// to the province's request).
#[derive(Debug, Clone)]
pub struct Upward {
    pub request: ReportRequestRow,
    /// The unit asked above: the office's own unit, or the one answering for the same work
    /// (the district and its people's committee).
    pub unit_id: i64,
}

/// The request above a compiled report of `r` (see [`Upward`]): among the requests of the
/// plans `r`'s plan implements (their report deliverables made requests first), those asking a
/// unit that answers for the same work as the office (`Store::work_root_of`: the district
/// itself, or its people's committee — a province asks "UBND thành phố Tam Kỳ" of the plan
/// issued by the city), the one `state::upward_choice` picks. `None` for a unit's own report.
pub async fn upward_of(
    store: &Store,
    r: &ReportRequestRow,
    author: &Author,
) -> Result<Option<Upward>, ChainError> {
    if !author.compiled {
        return Ok(None);
    }
    let parents = store.linked_plans(r.plan_id, true).await?;
    if parents.is_empty() {
        return Ok(None);
    }
    let office = author.unit.id;
    let root = store.work_root_of(office).await?;
    let mut stands_for: HashMap<i64, bool> = HashMap::from([(office, true), (root, true)]);
    let mut candidates = Vec::new();
    for p in &parents {
        ensure_plan_requests(store, p.plan_id).await?;
        for request in store.report_requests_of_plan(p.plan_id).await? {
            let mut asked = None;
            for u in store.report_request_units(request.id).await? {
                let same = match stands_for.get(&u.unit_id) {
                    Some(&same) => same,
                    None => {
                        let same = store.work_root_of(u.unit_id).await? == root;
                        stands_for.insert(u.unit_id, same);
                        same
                    }
                };
                // The office's own unit first, when it is asked itself.
                if same && (asked.is_none() || u.unit_id == office) {
                    asked = Some(u.unit_id);
                }
            }
            if let Some(unit_id) = asked {
                candidates.push(Upward { request, unit_id });
            }
        }
    }
    let span = |q: &ReportRequestRow| state::Span {
        from: q.period_from,
        to: q.period_to,
        due: q.due,
    };
    let spans: Vec<state::Span> = candidates.iter().map(|c| span(&c.request)).collect();
    Ok(state::upward_choice(span(r), &spans).map(|i| candidates.swap_remove(i)))
}

fn sections_of(json: &str) -> Sections {
    serde_json::from_str(json).unwrap_or_default()
}

/// The draft of `author` for `r`, its report worded from live figures on `today`.
pub async fn draft(
    store: &Store,
    r: &ReportRequestRow,
    author: Author,
    today: NaiveDate,
) -> Result<Draft, ChainError> {
    let saved = store.report_draft(r.id, author.unit.id).await?;
    let sections = saved
        .as_ref()
        .map(|d| sections_of(&d.sections))
        .unwrap_or_default();
    let upward = upward_of(store, r, &author).await?;
    let submitted = match &upward {
        Some(up) => store.live_submission(up.request.id, up.unit_id).await?,
        None => store.live_submission(r.id, author.unit.id).await?,
    };
    let content = content(
        store,
        r,
        &author,
        &sections,
        today,
        &ReportOverrides::default(),
    )
    .await?;
    Ok(Draft {
        request: r.clone(),
        author,
        sections,
        version: saved.map(|d| d.version),
        content,
        submitted,
        upward,
    })
}

/// The report of `author` with `sections`: a unit's own report, or the compiled one.
pub async fn content(
    store: &Store,
    r: &ReportRequestRow,
    author: &Author,
    sections: &Sections,
    today: NaiveDate,
    overrides: &ReportOverrides,
) -> Result<ReportContent, ChainError> {
    let period = period_of(r);
    let questions = questions_of(r);
    if !author.compiled {
        // A unit reports to the office that asked it, not up its own tree.
        let mut overrides = overrides.clone();
        if overrides.recipients.is_empty() {
            let plan = plan_of(store, r.plan_id).await?;
            let on = overrides.dated.unwrap_or(today);
            // The office's own report goes up its tree as usual.
            overrides.recipients = crate::export::plan_office_name(store, &plan, on)
                .await?
                .filter(|office| fold(office) != fold(&author.unit.name))
                .into_iter()
                .collect();
        }
        let base = crate::export::report_content(
            store,
            r.plan_id,
            Some(&author.unit.code),
            period,
            today,
            &overrides,
        )
        .await?;
        return Ok(compose::with_sections(base, sections, &questions));
    }
    let base =
        crate::export::report_content(store, r.plan_id, None, period, today, overrides).await?;
    let own = compose::with_sections(base, sections, &questions);
    let reported = reported(store, r, today).await?;
    let as_of = overrides.dated.unwrap_or(today);
    Ok(compose::compiled(own, &reported, r.due, as_of))
}

/// The units asked, for the compiled report: state, the submission that counts, the areas of
/// the plan they lead tasks in, and the sections of an accepted report.
async fn reported(
    store: &Store,
    r: &ReportRequestRow,
    today: NaiveDate,
) -> Result<Vec<compose::Reported>, ChainError> {
    let board = status(store, r.id, today).await?;
    let subs: HashMap<i64, SubmissionRow> = store
        .report_submissions(r.id)
        .await?
        .into_iter()
        .filter(|s| s.state != "returned")
        .map(|s| (s.unit_id, s))
        .collect();
    let tasks = store.tasks_of_plan(r.plan_id).await?;
    let areas_of_task = store.task_sections(r.plan_id).await?;
    let task_area: HashMap<i64, String> = tasks
        .iter()
        .filter_map(|t| {
            areas_of_task
                .get(&nfc(&t.reference))
                .map(|s| (t.id, s.replace(" > ", " — ")))
        })
        .collect();
    let assignments = store.assignments_of_plan(r.plan_id).await?;
    Ok(board
        .units
        .iter()
        .map(|u| {
            let s = subs.get(&u.unit_id);
            let mut areas: Vec<String> = Vec::new();
            for a in assignments.iter().filter(|a| a.unit_id == u.unit_id) {
                if let Some(area) = task_area.get(&a.task_id)
                    && !areas.contains(area)
                {
                    areas.push(area.clone());
                }
            }
            compose::Reported {
                unit_name: u.name.clone(),
                state: u.state,
                submission: s.map(|s| (s.number.clone(), s.signed_on, s.signer.clone())),
                areas,
                accepted: s
                    .filter(|s| s.state == "accepted")
                    .map(|s| sections_of(&s.sections)),
            }
        })
        .collect())
}

/// The .docx of a draft: the frozen one once submitted, else worded now.
pub async fn draft_docx(files: &FileStore, d: &Draft) -> Result<Vec<u8>, ChainError> {
    if let Some(s) = &d.submitted {
        return frozen_docx(files, s).await;
    }
    Ok(crate::export::report_docx::render(&d.content).map_err(ExportError::from)?)
}

/// The frozen .docx of a submission, from the file store (the directory or the database).
pub async fn frozen_docx(files: &FileStore, s: &SubmissionRow) -> Result<Vec<u8>, ChainError> {
    let (files, sha) = (files.clone(), s.docx_sha256.clone());
    let not_found = ChainError::NotFound(format!("file {sha}"));
    let read = tokio::task::spawn_blocking(move || -> Result<Option<Vec<u8>>, FileError> {
        let Some(mut reader) = files.open_blocking(&sha)? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut reader, &mut bytes).map_err(FileError::Io)?;
        Ok(Some(bytes))
    })
    .await
    .map_err(|e| ChainError::File(FileError::Io(std::io::Error::other(e))))?;
    read.map_err(ChainError::File)?.ok_or(not_found)
}

/// Saves a draft's sections if `expected` is its current version (`None` for the first save).
pub async fn save_draft(
    store: &Store,
    r: &ReportRequestRow,
    author: &Author,
    sections: &Sections,
    expected: Option<i64>,
    by: &Change,
) -> Result<DraftRow, ChainError> {
    let cleaned = sections.cleaned(questions_of(r).len())?;
    if let Some(up) = upward_of(store, r, author).await?
        && store
            .live_submission(up.request.id, up.unit_id)
            .await?
            .is_some()
    {
        return Err(ChainError::Conflict(
            "this report is submitted: it can no longer be edited".into(),
        ));
    }
    let json = serde_json::to_string(&cleaned).map_err(|e| StoreError::Invariant(e.to_string()))?;
    match store
        .save_report_draft(r.id, author.unit.id, &json, expected, by)
        .await?
    {
        DraftSave::Saved(row) => Ok(row),
        DraftSave::Stale(theirs) => Err(ChainError::Stale(theirs)),
        DraftSave::Frozen => Err(ChainError::Conflict(
            "this report is submitted: it can no longer be edited".into(),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Submission and review.

/// What the unit gives when it submits.
#[derive(Debug, Clone)]
pub struct Submit {
    pub number: String,
    pub date: NaiveDate,
    pub signer: String,
    /// The signed scan: its file name and bytes (must be a PDF).
    pub scan: Option<(String, Vec<u8>)>,
}

/// Freezes the author's report and records it: the .docx (and the scan) in the file store, the
/// sections and figures in the submission, the completing activity of a deliverable.
pub async fn submit(
    store: &Store,
    files: &FileStore,
    r: &ReportRequestRow,
    author: &Author,
    s: &Submit,
    today: NaiveDate,
    by: &Change,
) -> Result<SubmissionRow, ChainError> {
    let number = bounded("number", &s.number, MAX_NUMBER_CHARS, true)?;
    let signer = bounded("signer", &s.signer, MAX_SIGNER_CHARS, true)?;
    if s.date > today || s.date.year() < 2000 {
        return Err(ChainError::BadInput(
            "date: the report's date, not after today".into(),
        ));
    }
    // Where the report is recorded: a compiled report answering a request of the plan above
    // is that request's submission from the office's unit (reviewed there, completing its
    // deliverable); anything else is the request's own.
    let (target, recorded_by) = match upward_of(store, r, author).await? {
        Some(up) => {
            let asked = author_by_id(store, &up.request, up.unit_id).await?;
            (up.request, asked)
        }
        None => (r.clone(), author.clone()),
    };
    if let Some(live) = store
        .live_submission(target.id, recorded_by.unit.id)
        .await?
    {
        return Err(ChainError::conflict(if live.state == "accepted" {
            ChainConflict::AlreadyAccepted
        } else {
            ChainConflict::AlreadySubmitted
        }));
    }
    // The scan first: a refused file stores nothing else.
    let scan = match &s.scan {
        Some((name, bytes)) => {
            let kind = crate::files::sniff(bytes, name)
                .map_err(|e| ChainError::BadInput(format!("scan: {e}")))?;
            if kind != "application/pdf" {
                return Err(ChainError::BadInput("scan: must be a PDF file".into()));
            }
            Some(files.store_bytes(name, bytes).await?)
        }
        None => None,
    };
    let sections = store
        .report_draft(r.id, author.unit.id)
        .await?
        .map(|d| sections_of(&d.sections))
        .unwrap_or_default();
    let overrides = ReportOverrides {
        dated: Some(s.date),
        signer: Some(signer.clone()),
        number: number.parse().ok(),
        ..ReportOverrides::default()
    };
    let mut content = content(store, r, author, &sections, today, &overrides).await?;
    if number.parse::<u32>().is_err() {
        content.number_line = format!("Số: {number}");
    }
    let docx = crate::export::report_docx::render(&content).map_err(ExportError::from)?;
    let name = format!(
        "bao-cao-{}-{}.docx",
        r.id,
        fold(&author.unit.code).replace('.', "-")
    );
    let stored = files.for_generated().store_bytes(&name, &docx).await?;
    let figures = serde_json::json!({
        "at": period_of(r).evaluation_date(today),
        "tasks": content.figures.iter().map(|f| serde_json::json!({
            "task_id": f.task_id, "tally": f.tally,
        })).collect::<Vec<_>>(),
    });
    // The completing activity of the unit's assignment of the deliverable.
    let activity = match target.task_id {
        Some(task_id) if !recorded_by.compiled => {
            let assignment = store
                .assignments_of_plan(target.plan_id)
                .await?
                .into_iter()
                .find(|a| a.task_id == task_id && a.unit_id == recorded_by.unit.id);
            match assignment {
                Some(a) => {
                    let mut evidence = vec![stored.evidence()];
                    evidence.extend(scan.as_ref().map(|f| f.evidence()));
                    let row = store
                        .add_activity(
                            &NewActivity {
                                assignment_id: a.id,
                                occurred_on: s.date,
                                kind: "báo cáo".into(),
                                title: format!("Báo cáo số {number}"),
                                quantity: 1.0,
                                duration_minutes: None,
                                attendance: None,
                                completes: true,
                                note: format!("Gửi qua kehoach; người ký: {signer}"),
                                evidence,
                                recorded_at: None,
                            },
                            by,
                        )
                        .await?;
                    Some(row.id)
                }
                None => None,
            }
        }
        _ => None,
    };
    // Sent up, the sections answer the questions of the request above.
    let recorded_sections = if target.id == r.id {
        sections
    } else {
        sections.for_questions(&questions_of(r), &questions_of(&target))
    };
    let new = NewSubmission {
        request_id: target.id,
        unit_id: recorded_by.unit.id,
        number,
        signed_on: s.date,
        signer,
        sections: serde_json::to_string(&recorded_sections)
            .map_err(|e| StoreError::Invariant(e.to_string()))?,
        figures: figures.to_string(),
        docx_sha256: stored.sha256.clone(),
        docx_size: stored.size_bytes,
        scan: scan.as_ref().map(|f| (f.sha256.clone(), f.size_bytes)),
        activity_id: activity,
    };
    match store.insert_report_submission(&new, by).await? {
        Ok(row) => Ok(row),
        Err(conflict) => {
            // Another submission won the race: take back the activity this one recorded.
            if let Some(id) = activity {
                store.delete_activity(id, by).await?;
            }
            Err(ChainError::conflict(conflict))
        }
    }
}

/// Accepts the author's waiting submission, or returns it with a reason.
pub async fn review(
    store: &Store,
    r: &ReportRequestRow,
    author: &Author,
    accept: bool,
    reason: Option<&str>,
    by: &Change,
) -> Result<SubmissionRow, ChainError> {
    let reason = match reason {
        Some(text) => Some(bounded("reason", text, MAX_REASON_CHARS, true)?),
        None if accept => None,
        None => {
            return Err(ChainError::BadInput(
                "reason: required to return a report".into(),
            ));
        }
    };
    let row = store
        .review_report_submission(r.id, author.unit.id, accept, reason.as_deref(), by)
        .await?
        .map_err(ChainError::conflict)?;
    if accept {
        lock_accepted_period(store, r, author, by).await?;
    } else if let Some(activity) = row.activity_id {
        // A returned report does not complete the deliverable; the resubmission will.
        match store.delete_activity(activity, by).await {
            Ok(_) | Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(row)
}

/// Accepting a unit's report approves and locks its data for the request's period, so the
/// figures of an accepted report never drift: the unit's period on the plan is submitted (when
/// it was not) and approved by `Store::approve_period` at the top of its approval chain (the
/// plan office accepting the report is the plan's owner). A request whose dates are not one
/// calendar month, quarter, half-year or year locks nothing (a period is one of those); a
/// period already approved stays as it is. The compiled report locks nothing.
async fn lock_accepted_period(
    store: &Store,
    r: &ReportRequestRow,
    author: &Author,
    by: &Change,
) -> Result<(), ChainError> {
    use crate::store::Approver;
    use kehoach_core::approval::PeriodAction;
    if author.compiled {
        return Ok(());
    }
    let Some(period) = calendar_period(r.period_from, r.period_to) else {
        return Ok(());
    };
    let label = crate::store::periods::period_label(&period);
    let unit = author.unit.id;
    let top = Approver { scope_root: None };
    let existing = store.period_approval(r.plan_id, unit, &label).await?;
    match existing.as_ref().map(|row| row.state.as_str()) {
        Some("approved") => return Ok(()),
        Some("submitted") => {}
        _ => {
            store
                .period_action(r.plan_id, unit, &period, PeriodAction::Submit, "", top, by)
                .await?;
        }
    }
    store
        .approve_period(r.plan_id, unit, &period, top, by)
        .await?;
    Ok(())
}

/// The calendar period (month, quarter, half-year, year) running exactly `from`..=`to`.
fn calendar_period(from: NaiveDate, to: NaiveDate) -> Option<ReportPeriod> {
    let y = from.year();
    let mut tags = vec![y.to_string(), format!("{y}-H1"), format!("{y}-H2")];
    tags.extend((1..=4).map(|q| format!("{y}-Q{q}")));
    tags.extend((1..=12).map(|m| format!("{y}-{m:02}")));
    tags.into_iter()
        .filter_map(|t| ReportPeriod::parse(&t).ok())
        .find(|p| p.from == from && p.to == to)
}

/// The compiled report of a request: the plan office's draft.
pub async fn compiled_draft(
    store: &Store,
    r: &ReportRequestRow,
    today: NaiveDate,
) -> Result<Draft, ChainError> {
    let plan = plan_of(store, r.plan_id).await?;
    let office = plan
        .context_unit_id
        .ok_or_else(|| ChainError::NotFound("the plan has no issuing unit".into()))?;
    let author = author_by_id(store, r, office).await?;
    draft(store, r, author, today).await
}

// ---------------------------------------------------------------------------------------------
// Reminders (the daily digest, `reminders/`).

/// The digest's items of a plan's requests on `at`: to each unit asked, an ad-hoc or recurring
/// request it has not submitted that is overdue or due within `days` (a plan deliverable's
/// request is reminded through its task already, and a submission completes that task); to the
/// plan office, each submission waiting for its review.
pub async fn reminder_items(
    store: &Store,
    plan_id: i64,
    at: NaiveDate,
    days: u32,
) -> Result<Vec<(i64, crate::reminders::digest::Item)>, StoreError> {
    use crate::reminders::digest::{Item, ItemKind};
    let horizon = at
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .unwrap_or(at);
    let office = store.plan(plan_id).await?.and_then(|p| p.context_unit_id);
    let mut out = Vec::new();
    for r in store.report_requests_of_plan(plan_id).await? {
        let subs = store.report_submissions(r.id).await?;
        if let Some(office) = office {
            for s in subs.iter().filter(|s| s.state == "submitted") {
                let unit = store
                    .unit(s.unit_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                out.push((
                    office,
                    Item {
                        kind: ItemKind::ReportToReview,
                        key: format!("report-review:{}", s.id),
                        text: format!(
                            "“{}”: {unit} đã gửi Báo cáo số {} ngày {}.",
                            r.title,
                            s.number,
                            crate::export::vn::short_date(s.signed_on)
                        ),
                    },
                ));
            }
        }
        if r.kind == "deliverable" || r.due > horizon {
            continue;
        }
        for u in store.report_request_units(r.id).await? {
            if subs
                .iter()
                .any(|s| s.unit_id == u.unit_id && s.state != "returned")
            {
                continue;
            }
            let overdue = r.due < at;
            out.push((
                u.unit_id,
                Item {
                    kind: if overdue {
                        ItemKind::Overdue
                    } else {
                        ItemKind::DueSoon
                    },
                    key: format!(
                        "report:{}:{}",
                        r.id,
                        if overdue { "overdue" } else { "due" }
                    ),
                    text: format!(
                        "Chưa gửi báo cáo: “{}”, hạn {}.",
                        r.title,
                        crate::export::vn::short_date(r.due)
                    ),
                },
            ));
        }
    }
    Ok(out)
}
