//! The reporting chain's pages (issue 20):
//! - `/reports`: the requests the caller sees (a unit: those asking it; a plan office: its plans');
//! - `/plans/{id}/reports`: a plan's requests, and the plan office's form for a new one;
//! - `/reports/{id}`: the board — every unit asked, its state and official deadline state, and
//!   the plan office's compiled report;
//! - `/reports/{id}/units/{unit}`: a unit's draft (its sections to edit, its live figures, the
//!   .docx, submission), or once submitted the frozen report beside the live figures with the
//!   plan office's accept / return form. The plan office's own unit there is the compiled report.
//!   `…/autosave` takes the same form from the page's script as the person types (JSON answers).
//!
//! Access is the API's (`web/api/report_requests.rs`); the words are `i18n::Reporting`.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::i18n::{Reporting, chain_error};
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::{Action, Reach, Verdict};
use crate::reporting::{self, AddRequest, ChainError, sections::Sections, state::UnitState};
use crate::store::ReportRequestRow;
use crate::web::api::report_requests::{
    change_of, checked_author, docx_response, ensure_manages, read_part, readable_plan,
    readable_request, visible_requests, visible_status,
};
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

/// The chip class of a unit's state (the stylesheet's deadline colours).
fn state_class(s: UnitState) -> &'static str {
    match s {
        UnitState::Accepted | UnitState::SubmittedOnTime => "dl-done_on_time",
        UnitState::SubmittedLate => "dl-done_late",
        UnitState::Overdue => "dl-not_done_overdue",
        UnitState::Returned => "st-partial",
        UnitState::NotStarted | UnitState::Draft => "dl-not_done_within_deadline",
    }
}

#[derive(Default)]
pub struct RequestLine {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub due: String,
    pub period: String,
    pub href: String,
}

fn line(r: &ReportRequestRow, t: &Reporting) -> RequestLine {
    RequestLine {
        id: r.id,
        title: r.title.clone(),
        kind: t.kind(&r.kind),
        due: dmy(r.due),
        period: format!("{} – {}", dmy(r.period_from), dmy(r.period_to)),
        href: format!("/reports/{}", r.id),
    }
}

#[derive(Template)]
#[template(path = "report_requests.html")]
struct RequestsPage {
    l: Layout,
    r: &'static Reporting,
    heading: String,
    requests: Vec<RequestLine>,
    /// The plan whose form is shown (plan office), else 0.
    form_plan: i64,
    error: String,
    form: NewRequestForm,
}

/// `GET /reports`: the requests the caller sees across its plans.
pub async fn mine(State(state): State<AppState>, signed: SignedIn) -> Result<Response, PageError> {
    let user = &signed.session.user;
    let r = signed.lang.reporting();
    let root = Authz::of(&state, user)
        .scope_root()
        .await
        .map_err(|e| signed.error(e))?;
    let plans = state
        .store
        .plans_within(root)
        .await
        .map_err(|e| signed.error(e))?;
    let participating = match root {
        Some(root) => {
            let units = state
                .store
                .subtree_ids(root)
                .await
                .map_err(|e| signed.error(e))?;
            let ids: Vec<i64> = units.into_iter().take(1000).collect();
            state
                .store
                .plans_with_units(&ids)
                .await
                .map_err(|e| signed.error(e))?
        }
        None => Vec::new(),
    };
    let mut plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
    for id in participating {
        if !plan_ids.contains(&id) {
            plan_ids.push(id);
        }
    }
    let mut requests = Vec::new();
    for id in plan_ids.into_iter().take(200) {
        let Ok((plan, reach)) = readable_plan(&state, user, id).await else {
            continue;
        };
        for req in visible_requests(&state, user, &plan, reach)
            .await
            .map_err(|e| signed.error(e))?
        {
            requests.push(line(&req, r));
        }
    }
    let page = RequestsPage {
        l: signed.layout(r.requests),
        r,
        heading: r.requests.into(),
        requests,
        form_plan: 0,
        error: String::new(),
        form: NewRequestForm::default(),
    };
    Ok(render(signed.lang, &page))
}

async fn plan_page(
    state: &AppState,
    signed: &SignedIn,
    plan_id: i64,
    error: String,
    form: NewRequestForm,
) -> Result<Response, PageError> {
    let user = &signed.session.user;
    let r = signed.lang.reporting();
    let (plan, reach) = readable_plan(state, user, plan_id)
        .await
        .map_err(|e| signed.error(e))?;
    let requests = visible_requests(state, user, &plan, reach)
        .await
        .map_err(|e| signed.error(e))?
        .iter()
        .map(|q| line(q, r))
        .collect();
    let manages = ensure_manages(state, user, &plan).await.is_ok();
    let page = RequestsPage {
        l: signed.layout(format!("{} — {}", r.requests, plan.title)),
        r,
        heading: format!("{} — {}", r.requests, plan.title),
        requests,
        form_plan: if manages { plan.id } else { 0 },
        error,
        form,
    };
    let status = if page.error.is_empty() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    Ok((status, render(signed.lang, &page)).into_response())
}

/// `GET /plans/{id}/reports`.
pub async fn of_plan(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    plan_page(
        &state,
        &signed,
        id,
        String::new(),
        NewRequestForm::default(),
    )
    .await
}

#[derive(Deserialize, Default, Clone)]
pub struct NewRequestForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub due: String,
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub repeat: String,
    #[serde(default)]
    pub units: String,
    #[serde(default)]
    pub questions: String,
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// `POST /plans/{id}/reports`: a new request (plan office).
pub async fn add(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<NewRequestForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let user = &signed.session.user;
    let (plan, _) = readable_plan(&state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    ensure_manages(&state, user, &plan)
        .await
        .map_err(|e| signed.error(e))?;
    let Some(due) = super::form_date(&form.due) else {
        let message = chain_error(
            signed.lang,
            &ChainError::BadInput("due: a date, dd/mm/yyyy".into()),
        );
        return plan_page(&state, &signed, id, message, form).await;
    };
    let repeat = form.repeat.trim().parse::<usize>().unwrap_or(1);
    let add = AddRequest {
        plan_id: plan.id,
        title: form.title.clone(),
        due,
        period: Some(form.period.trim().to_string()).filter(|p| !p.is_empty()),
        calendar: form.calendar.is_some(),
        repeat,
        units: lines(&form.units),
        questions: lines(&form.questions),
    };
    match reporting::add_request(&state.store, &add, &change_of(user)).await {
        Ok(ids) => Ok(Redirect::to(&format!(
            "/reports/{}",
            ids.first().copied().unwrap_or_default()
        ))
        .into_response()),
        Err(e @ (ChainError::BadInput(_) | ChainError::Section(_))) => {
            let message = chain_error(signed.lang, &e);
            plan_page(&state, &signed, id, message, form).await
        }
        Err(e) => Err(signed.error(e)),
    }
}

pub struct BoardLine {
    pub name: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub deadline: String,
    pub deadline_class: String,
    pub document: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "report_board.html")]
struct BoardPage {
    l: Layout,
    r: &'static Reporting,
    request: RequestLine,
    plan_title: String,
    questions: Vec<String>,
    units: Vec<BoardLine>,
    /// The compiled report's page, for the plan office.
    compiled_href: String,
}

/// `GET /reports/{id}`: the board.
pub async fn board(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let user = &signed.session.user;
    let r = signed.lang.reporting();
    let (req, plan, reach) = readable_request(&state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    let status = visible_status(&state, user, &req, reach, signed.today)
        .await
        .map_err(|e| signed.error(e))?;
    let units = status
        .units
        .iter()
        .map(|u| BoardLine {
            name: u.name.clone(),
            state: r.unit_state(u.state),
            state_class: state_class(u.state),
            deadline: super::i18n::deadline_name(signed.lang, u.official).to_string(),
            deadline_class: super::style::deadline_class(u.official).to_string(),
            document: u
                .submission
                .as_ref()
                .map(|s| format!("{}, {}", s.number, dmy(s.signed_on)))
                .unwrap_or_default(),
            href: format!("/reports/{}/units/{}", req.id, u.unit_id),
        })
        .collect();
    let compiled_href = match (reach, plan.context_unit_id) {
        (Reach::Inside, Some(office)) if ensure_manages(&state, user, &plan).await.is_ok() => {
            format!("/reports/{}/units/{office}", req.id)
        }
        _ => String::new(),
    };
    let page = BoardPage {
        l: signed.layout(req.title.clone()),
        r,
        request: line(&req, r),
        plan_title: plan.title.clone(),
        questions: status.questions.clone(),
        units,
        compiled_href,
    };
    Ok(render(signed.lang, &page))
}

pub struct Figure {
    pub label: String,
    pub live: String,
    pub submitted: String,
}

pub struct PastSubmission {
    pub document: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "report_draft.html")]
struct DraftPage {
    l: Layout,
    r: &'static Reporting,
    request: RequestLine,
    /// The request above a compiled report answers (its title empty when none).
    upward: RequestLine,
    unit_name: String,
    unit_id: i64,
    compiled: bool,
    questions: Vec<(usize, String, String)>,
    sections: Sections,
    version: String,
    editable: bool,
    may_review: bool,
    /// The submission waiting or accepted: "12/BC, 10/11/2024 — Lê Văn A".
    submitted: String,
    submitted_state: String,
    figures: Vec<Figure>,
    history: Vec<PastSubmission>,
    flash: String,
    error: String,
    /// Someone else's saved version after a stale save; the page keeps an empty, hidden copy
    /// of its card for the autosave script to fill.
    theirs: Sections,
    show_theirs: bool,
    today: String,
}

fn figures_of(tallies: &[kehoach_core::compliance::Tally], r: &Reporting) -> Vec<(String, String)> {
    let total: kehoach_core::compliance::Tally = tallies.iter().copied().sum();
    let d = total.deadlines;
    vec![
        (
            r.targets.to_string(),
            format!("{}/{} {}", total.met, total.ended, r.met),
        ),
        (
            r.deliverables.to_string(),
            format!("{} + {} / {}", d.done_on_time, d.done_late, d.total()),
        ),
    ]
}

#[derive(Default)]
struct Shown {
    flash: String,
    error: String,
    typed: Option<Sections>,
    theirs: Option<Sections>,
}

async fn draft_page(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
    unit: i64,
    shown: Shown,
) -> Result<Response, PageError> {
    let user = &signed.session.user;
    let r = signed.lang.reporting();
    let (req, plan, _) = readable_request(state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    let author = checked_author(state, user, &req, unit, Action::ViewActivities)
        .await
        .map_err(|e| signed.error(e))?;
    let may_edit = Authz::of(state, user)
        .verdict(Action::ReportActivity, Resource::Unit(Some(unit)))
        .await
        .map_err(|e| signed.error(e))?
        .0
        == Verdict::Allow;
    let may_review = !author.compiled && ensure_manages(state, user, &plan).await.is_ok();
    let d = reporting::draft(&state.store, &req, author, signed.today)
        .await
        .map_err(|e| signed.error(e))?;
    // A compiled report sent up is reviewed above: its history is there.
    let (history_of, history_unit) = match &d.upward {
        Some(up) => (up.request.id, up.unit_id),
        None => (req.id, unit),
    };
    let subs: Vec<_> = state
        .store
        .report_submissions(history_of)
        .await
        .map_err(|e| signed.error(e))?
        .into_iter()
        .filter(|s| s.unit_id == history_unit)
        .collect();
    let live: Vec<_> = d.content.figures.iter().map(|f| f.tally).collect();
    let frozen: Vec<kehoach_core::compliance::Tally> = d
        .submitted
        .as_ref()
        .and_then(|s| serde_json::from_str::<serde_json::Value>(&s.figures).ok())
        .and_then(|v| v.get("tasks").cloned())
        .and_then(|t| t.as_array().cloned())
        .map(|tasks| {
            tasks
                .iter()
                .filter_map(|t| serde_json::from_value(t.get("tally")?.clone()).ok())
                .collect()
        })
        .unwrap_or_default();
    let frozen_lines = figures_of(&frozen, r);
    let figures = figures_of(&live, r)
        .into_iter()
        .enumerate()
        .map(|(i, (label, live))| Figure {
            label,
            live,
            submitted: if d.submitted.is_some() {
                frozen_lines[i].1.clone()
            } else {
                String::new()
            },
        })
        .collect();
    let questions_list = reporting::questions_of(&req);
    let sections = shown.typed.clone().unwrap_or_else(|| d.sections.clone());
    let questions = questions_list
        .iter()
        .enumerate()
        .map(|(i, q)| {
            (
                i + 1,
                q.clone(),
                sections.answers.get(i).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let history = subs
        .iter()
        .filter(|s| s.state == "returned")
        .map(|s| PastSubmission {
            document: format!("{}, {}", s.number, dmy(s.signed_on)),
            reason: s.review_reason.clone().unwrap_or_default(),
        })
        .collect();
    let (submitted, submitted_state) = match &d.submitted {
        Some(s) => (
            format!("{}, {} — {}", s.number, dmy(s.signed_on), s.signer),
            if s.state == "accepted" {
                r.st_accepted.to_string()
            } else {
                String::new()
            },
        ),
        None => (String::new(), String::new()),
    };
    let upward = d
        .upward
        .as_ref()
        .map(|up| line(&up.request, r))
        .unwrap_or_default();
    let title = format!("{} {}", r.draft_of, d.author.unit.name);
    let page = DraftPage {
        l: signed.layout(title),
        r,
        request: line(&req, r),
        upward,
        unit_name: d.author.unit.name.clone(),
        unit_id: unit,
        compiled: d.author.compiled,
        questions,
        sections,
        version: d.version.map(|v| v.to_string()).unwrap_or_default(),
        editable: d.submitted.is_none() && may_edit,
        may_review: may_review && d.submitted.as_ref().is_some_and(|s| s.state == "submitted"),
        submitted,
        submitted_state,
        figures,
        history,
        flash: shown.flash,
        error: shown.error.clone(),
        show_theirs: shown.theirs.is_some(),
        theirs: shown.theirs.unwrap_or_default(),
        today: signed.today.format("%Y-%m-%d").to_string(),
    };
    let status = if shown.error.is_empty() {
        axum::http::StatusCode::OK
    } else if page.show_theirs {
        axum::http::StatusCode::CONFLICT
    } else {
        axum::http::StatusCode::BAD_REQUEST
    };
    Ok((status, render(signed.lang, &page)).into_response())
}

/// `GET /reports/{id}/units/{unit}`.
pub async fn draft(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, unit)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    draft_page(&state, &signed, id, unit, Shown::default()).await
}

#[derive(Deserialize, Default)]
pub struct SaveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    results: String,
    #[serde(default)]
    shortcomings: String,
    #[serde(default)]
    proposals: String,
    /// answer_1 … answer_20, gathered by `answers`.
    #[serde(flatten)]
    rest: std::collections::HashMap<String, String>,
}

/// The request and the author whose draft the caller may edit, and the sections and version
/// the form carries (the save button's and the script's saves alike).
async fn typed_draft(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
    unit: i64,
    form: SaveForm,
) -> Result<(ReportRequestRow, reporting::Author, Sections, Option<i64>), PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let user = &signed.session.user;
    let (req, _, _) = readable_request(state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    let author = checked_author(state, user, &req, unit, Action::ReportActivity)
        .await
        .map_err(|e| signed.error(e))?;
    let asked = reporting::questions_of(&req).len();
    let mut answers = Vec::new();
    for i in 1..=asked.min(crate::reporting::sections::MAX_QUESTIONS) {
        answers.push(
            form.rest
                .get(&format!("answer_{i}"))
                .cloned()
                .unwrap_or_default(),
        );
    }
    let typed = Sections {
        results: form.results,
        shortcomings: form.shortcomings,
        proposals: form.proposals,
        answers,
    };
    let expected = form.version.trim().parse::<i64>().ok();
    Ok((req, author, typed, expected))
}

/// `POST /reports/{id}/units/{unit}`: saves the sections (the version the page was loaded with).
pub async fn save(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, unit)): Path<(i64, i64)>,
    Form(form): Form<SaveForm>,
) -> Result<Response, PageError> {
    let (req, author, typed, expected) = typed_draft(&state, &signed, id, unit, form).await?;
    let user = &signed.session.user;
    let r = signed.lang.reporting();
    match reporting::save_draft(
        &state.store,
        &req,
        &author,
        &typed,
        expected,
        &change_of(user),
    )
    .await
    {
        Ok(row) => {
            let shown = Shown {
                flash: format!("{} {}", r.saved, row.version),
                ..Shown::default()
            };
            draft_page(&state, &signed, id, unit, shown).await
        }
        Err(ChainError::Stale(theirs)) => {
            let shown = Shown {
                error: r.stale.to_string(),
                theirs: theirs.map(|d| serde_json::from_str(&d.sections).unwrap_or_default()),
                typed: Some(typed),
                ..Shown::default()
            };
            draft_page(&state, &signed, id, unit, shown).await
        }
        Err(e @ (ChainError::Section(_) | ChainError::BadInput(_) | ChainError::Conflict(_))) => {
            let shown = Shown {
                error: chain_error(signed.lang, &e),
                typed: Some(typed),
                ..Shown::default()
            };
            draft_page(&state, &signed, id, unit, shown).await
        }
        Err(e) => Err(signed.error(e)),
    }
}

/// `POST /reports/{id}/units/{unit}/autosave`: the draft page's script saving the same form a
/// few seconds after each change, answered as JSON for the script: 200 `{version, message}`;
/// 409 `{error, draft: {version, sections}}` when someone else saved first (their version, for
/// the page to show beside what was typed — nothing is overwritten), or `{error}` once the
/// report is submitted; 400 `{error}` naming a refused section. Errors of access are the
/// pages' own (the script only tells the person the draft was not saved).
pub async fn autosave(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, unit)): Path<(i64, i64)>,
    Form(form): Form<SaveForm>,
) -> Result<Response, PageError> {
    use axum::Json;
    use axum::http::StatusCode;
    let (req, author, typed, expected) = typed_draft(&state, &signed, id, unit, form).await?;
    let r = signed.lang.reporting();
    let saved = reporting::save_draft(
        &state.store,
        &req,
        &author,
        &typed,
        expected,
        &change_of(&signed.session.user),
    )
    .await;
    let (status, body) = match saved {
        Ok(row) => (
            StatusCode::OK,
            serde_json::json!({
                "version": row.version,
                "message": format!("{} {}", r.autosaved, row.version),
            }),
        ),
        Err(ChainError::Stale(theirs)) => (
            StatusCode::CONFLICT,
            serde_json::json!({
                "error": r.autosave_stale,
                "draft": theirs.map(|d| serde_json::json!({
                    "version": d.version,
                    "sections": serde_json::from_str::<Sections>(&d.sections).unwrap_or_default(),
                })),
            }),
        ),
        Err(e @ ChainError::Conflict(_)) => (
            StatusCode::CONFLICT,
            serde_json::json!({ "error": chain_error(signed.lang, &e) }),
        ),
        Err(e @ (ChainError::Section(_) | ChainError::BadInput(_))) => (
            StatusCode::BAD_REQUEST,
            serde_json::json!({ "error": chain_error(signed.lang, &e) }),
        ),
        Err(e) => return Err(signed.error(e)),
    };
    Ok((status, Json(body)).into_response())
}

/// `POST /reports/{id}/units/{unit}/submit` (multipart: the CSRF token first, then the fields
/// and the optional signed scan).
pub async fn submit(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, unit)): Path<(i64, i64)>,
    request: Request,
) -> Result<Response, PageError> {
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|e| signed.error(ApiError::BadRequest(e.body_text())))?;
    let mut csrf_ok = false;
    let (mut number, mut date, mut signer) = (String::new(), String::new(), String::new());
    let mut scan: Option<(String, Vec<u8>)> = None;
    let limit = state.files.max_bytes();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| signed.error(ApiError::BadRequest(e.body_text())))?
    {
        let name = field.name().unwrap_or("").to_string();
        if !csrf_ok && name != "csrf" {
            // A forged form stores nothing: the token comes before anything else.
            signed.check_csrf(None)?;
        }
        if name == "scan" {
            let file_name = field.file_name().unwrap_or("scan.pdf").to_string();
            let bytes = read_part(&mut field, "scan", limit)
                .await
                .map_err(|e| signed.error(e))?;
            if !bytes.is_empty() {
                scan = Some((file_name, bytes));
            }
            continue;
        }
        let text = field
            .text()
            .await
            .map_err(|e| signed.error(ApiError::BadRequest(e.body_text())))?;
        let text: String = text.chars().take(1000).collect();
        match name.as_str() {
            "csrf" => {
                signed.check_csrf(Some(&text))?;
                csrf_ok = true;
            }
            "number" => number = text,
            "date" => date = text,
            "signer" => signer = text,
            _ => {}
        }
    }
    if !csrf_ok {
        signed.check_csrf(None)?;
    }
    let user = &signed.session.user;
    let (req, _, _) = readable_request(&state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    let author = checked_author(&state, user, &req, unit, Action::ReportActivity)
        .await
        .map_err(|e| signed.error(e))?;
    let refuse = |e: ChainError| Shown {
        error: chain_error(signed.lang, &e),
        ..Shown::default()
    };
    let Some(date) = super::form_date(&date) else {
        let shown = refuse(ChainError::BadInput("date: a date".into()));
        return draft_page(&state, &signed, id, unit, shown).await;
    };
    let submit = reporting::Submit {
        number,
        date,
        signer,
        scan,
    };
    match reporting::submit(
        &state.store,
        &state.files,
        &req,
        &author,
        &submit,
        signed.today,
        &change_of(user),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}/units/{unit}")).into_response()),
        Err(e @ (ChainError::BadInput(_) | ChainError::Conflict(_) | ChainError::File(_))) => {
            let shown = refuse(e);
            draft_page(&state, &signed, id, unit, shown).await
        }
        Err(e) => Err(signed.error(e)),
    }
}

#[derive(Deserialize, Default)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /reports/{id}/units/{unit}/review`: accept, or return with a reason (plan office).
pub async fn review(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, unit)): Path<(i64, i64)>,
    Form(form): Form<ReviewForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let user = &signed.session.user;
    let (req, plan, _) = readable_request(&state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    ensure_manages(&state, user, &plan)
        .await
        .map_err(|e| signed.error(e))?;
    let author = checked_author(&state, user, &req, unit, Action::ViewActivities)
        .await
        .map_err(|e| signed.error(e))?;
    let accept = form.decision == "accept";
    let reason = Some(form.reason.as_str()).filter(|r| !accept && !r.trim().is_empty());
    match reporting::review(
        &state.store,
        &req,
        &author,
        accept,
        reason,
        &change_of(user),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/reports/{id}")).into_response()),
        Err(e @ (ChainError::BadInput(_) | ChainError::Conflict(_))) => {
            let shown = Shown {
                error: chain_error(signed.lang, &e),
                ..Shown::default()
            };
            draft_page(&state, &signed, id, unit, shown).await
        }
        Err(e) => Err(signed.error(e)),
    }
}

/// `GET /reports/{id}/units/{unit}/report.docx`: the draft (or the frozen report) as .docx.
pub async fn docx(
    State(state): State<AppState>,
    signed: SignedIn,
    Path((id, unit)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let user = &signed.session.user;
    let (req, _, _) = readable_request(&state, user, id)
        .await
        .map_err(|e| signed.error(e))?;
    let author = checked_author(&state, user, &req, unit, Action::ViewActivities)
        .await
        .map_err(|e| signed.error(e))?;
    let code = author.unit.code.clone();
    let d = reporting::draft(&state.store, &req, author, signed.today)
        .await
        .map_err(|e| signed.error(e))?;
    let bytes = reporting::draft_docx(&state.files, &d)
        .await
        .map_err(|e| signed.error(e))?;
    Ok(docx_response(bytes, &format!("bao-cao-{id}-{code}.docx")))
}
