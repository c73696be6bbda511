//! `/my-work` ("Việc của tôi"): a reporting unit's work. What is due this week (the open periods
//! of its recurring targets, deliverables due within 7 days or overdue), a one-tap form to log an
//! activity (date, title, link, a photo or file from the phone, attendance) and what was logged.
//! The form posts multipart to `/my-work/log`, validated by `activity_input` and stored through
//! `files.rs` exactly as the API's `POST /assignments/{id}/activities`.

use askama::Template;
use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use kehoach_core::compliance::{DeadlineState, PeriodStatus};
use serde::Deserialize;

use super::i18n::{activity_field_error, deadline_name, file_problem_text, status_name};
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::activity_input::ActivityInput;
use crate::compliance::plan_compliance;
use crate::files::{FileError, MAX_FILES_PER_ACTIVITY, StoredFile};
use crate::store::Change;
use crate::web::authz::ensure_may_report;
use crate::web::{ApiError, AppState};

/// Largest text field of the form.
const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Most recent activities shown.
const RECENT: usize = 20;

pub struct DueItem {
    pub assignment_id: i64,
    pub plan: String,
    pub task: String,
    pub unit: String,
    pub what: String,
    pub state: String,
    /// The state's class (`style.rs`).
    pub class: &'static str,
    /// The task's heatmap, where this period's cell is.
    pub heatmap: String,
}

/// An assignment the form may log for: its task in full (wrapped, never cut), its plan and unit.
pub struct AssignmentOption {
    pub id: i64,
    pub task: String,
    pub context: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "my_work.html")]
struct MyWorkPage {
    l: Layout,
    today: String,
    today_iso: String,
    message: String,
    error: String,
    /// What was typed, shown again after an error.
    typed: Typed,
    /// (field, message) of each field in error, shown next to the field.
    field_errors: Vec<(&'static str, String)>,
    has_unit: bool,
    due: Vec<DueItem>,
    options: Vec<AssignmentOption>,
    /// Whether an item was tapped (its form opens with it chosen, the others folded away).
    tapped: bool,
    older_overdue: usize,
    logged: Vec<super::activities::ActivityItem>,
    /// Review (issue 19): the unit's activities the plan office returned, with the reason.
    w: &'static super::i18n::ReviewWords,
    returned: Vec<Returned>,
}

/// A returned activity, to correct and resubmit.
pub struct Returned {
    pub id: i64,
    pub date: String,
    pub date_iso: String,
    pub title: String,
    pub task: String,
    pub unit: String,
    pub reason: String,
}

impl MyWorkPage {
    /// The error of `field`, or "" (the template shows it next to the field).
    fn error_of(&self, field: &str) -> &str {
        self.field_errors
            .iter()
            .find(|(f, _)| *f == field)
            .map_or("", |(_, m)| m.as_str())
    }
}

/// The form's fields as typed (the date empty: today's is shown).
#[derive(Default)]
struct Typed {
    date: String,
    title: String,
    url: String,
    attendance: String,
    completes: bool,
}

impl Typed {
    fn of(input: &ActivityInput) -> Typed {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        Typed {
            date: text(&input.date),
            title: text(&input.title),
            url: input.urls.join(" "),
            attendance: text(&input.attendance),
            completes: input.completes.as_deref() == Some("true"),
        }
    }
}

/// A form sent back with errors: the summary shown at the top, each field's message, and
/// what was typed.
#[derive(Default)]
struct Sent {
    summary: String,
    field_errors: Vec<(&'static str, String)>,
    typed: Typed,
}

#[derive(Deserialize, Default)]
pub struct MyWorkQuery {
    #[serde(default)]
    assignment: Option<i64>,
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    resubmitted: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<MyWorkQuery>,
) -> Result<Response, PageError> {
    let message = if q.resubmitted.is_some() {
        super::i18n::review_words(page.lang).resubmitted
    } else if q.saved.is_some() {
        page.t.saved
    } else {
        ""
    };
    build(
        &state,
        &page,
        q.assignment,
        message,
        Sent::default(),
        StatusCode::OK,
    )
    .await
}

async fn build(
    state: &AppState,
    page: &SignedIn,
    selected: Option<i64>,
    message: &str,
    sent: Sent,
    status: StatusCode,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let user = &page.session.user;
    let lang = page.lang;
    let today = page.today;
    let mut due = Vec::new();
    let mut options = Vec::new();
    let mut logged: Vec<(chrono::NaiveDate, i64, super::activities::ActivityItem)> = Vec::new();
    // My work is my unit's and its sub-units' (a district station records for its communes):
    // not everything the account may read — a provincial plan office reads the whole province,
    // but its own work is the department's. An account without a unit (an administrator) has none.
    let mut older_overdue = 0usize;
    let mut returned = Vec::new();
    if let Some(unit) = user.unit_id {
        // Returned activities first: what the plan office wants corrected.
        let root = state.store.work_root_of(unit).await.map_err(err)?;
        let filter = crate::store::ReviewFilter {
            within: Some(root),
            state: Some(kehoach_core::approval::ReviewState::Returned),
            limit: RECENT,
            ..Default::default()
        };
        for r in state.store.review_queue(&filter).await.map_err(err)? {
            returned.push(Returned {
                id: r.id,
                date: dmy(r.occurred_on),
                date_iso: r.occurred_on.to_string(),
                title: r.title,
                task: format!("{} {}", r.task_ref, r.task_title),
                unit: r.unit_name,
                reason: r.last_reason.unwrap_or_default(),
            });
        }
    }
    if let Some(unit) = user.unit_id {
        // A people's committee's work is its commune's: the ward radio station's too.
        let root = state.store.work_root_of(unit).await.map_err(err)?;
        let units = state.store.subtree_ids(root).await.map_err(err)?;
        // Only the plans that give the unit work (all of them for a very large subtree).
        let ids: Vec<i64> = units.iter().copied().collect();
        let wanted: Option<std::collections::HashSet<i64>> = if ids.len() <= 1000 {
            Some(
                state
                    .store
                    .plans_with_units(&ids)
                    .await
                    .map_err(err)?
                    .into_iter()
                    .collect(),
            )
        } else {
            None
        };
        for plan in state.store.plans().await.map_err(err)? {
            // An archived plan asks nothing more of anyone (issue 19).
            if wanted.as_ref().is_some_and(|w| !w.contains(&plan.id)) || plan.archived_on.is_some()
            {
                continue;
            }
            let report = plan_compliance(&state.store, plan.id, today, Some(&units))
                .await
                .map_err(err)?;
            let plan_label = plan.number.clone().unwrap_or_else(|| plan.title.clone());
            for task in &report.tasks {
                let task_label = format!("{} {}", task.reference, task.title);
                for a in &task.assignments {
                    options.push(AssignmentOption {
                        id: a.assignment_id,
                        task: task_label.clone(),
                        context: format!("{} · {}", plan_label, a.unit.name),
                        selected: selected == Some(a.assignment_id),
                    });
                    for target in &a.targets {
                        for p in target
                            .periods
                            .iter()
                            .filter(|p| p.status == PeriodStatus::Open)
                        {
                            due.push(DueItem {
                                assignment_id: a.assignment_id,
                                plan: plan_label.clone(),
                                task: task_label.clone(),
                                unit: a.unit.name.clone(),
                                what: format!(
                                    "{}: {}/{} {}",
                                    p.period().label(),
                                    p.achieved,
                                    p.expected,
                                    target.unit
                                ),
                                state: status_name(lang, p.status).into(),
                                class: super::style::status_class(p.status),
                                heatmap: format!(
                                    "/heatmap?plan={}&task={}&per={}&year={}",
                                    plan.id,
                                    task.task_id,
                                    if target.per == kehoach_core::period::Per::Week {
                                        "week"
                                    } else {
                                        "month"
                                    },
                                    p.start.year()
                                ),
                            });
                        }
                    }
                    if let (Some(state_now), Some(due_on)) = (a.state, task.due) {
                        let soon = due_on <= today + chrono::Duration::days(7);
                        // "This week" is this year's: older overdue items are counted and left
                        // to `/deadlines`.
                        let old = due_on.year() < today.year();
                        if state_now == DeadlineState::NotDoneOverdue && old {
                            older_overdue += 1;
                        } else if state_now == DeadlineState::NotDoneOverdue
                            || (state_now == DeadlineState::NotDoneWithinDeadline && soon)
                        {
                            due.push(DueItem {
                                assignment_id: a.assignment_id,
                                plan: plan_label.clone(),
                                task: task_label.clone(),
                                unit: a.unit.name.clone(),
                                what: format!("{} {}", page.t.due, dmy(due_on)),
                                state: deadline_name(lang, state_now).into(),
                                class: super::style::deadline_class(state_now),
                                heatmap: format!("/tasks/{}", task.task_id),
                            });
                        }
                    }
                    if a.activity_count > 0 {
                        // Only the latest few of each assignment can be among the latest shown.
                        logged.extend(
                            super::activities::listed(
                                state,
                                lang,
                                a.assignment_id,
                                (None, None),
                                RECENT,
                                "",
                                &task_label,
                            )
                            .await
                            .map_err(err)?,
                        );
                    }
                }
            }
        }
    }
    logged.sort_by_key(|item| std::cmp::Reverse((item.0, item.1)));
    logged.truncate(RECENT);
    let template = MyWorkPage {
        l: page.layout(page.t.my_work),
        today: dmy(today),
        today_iso: today.to_string(),
        message: message.into(),
        error: sent.summary,
        typed: sent.typed,
        field_errors: sent.field_errors,
        has_unit: user.unit_id.is_some(),
        due,
        tapped: options.iter().any(|o| o.selected),
        options,
        older_overdue,
        logged: logged.into_iter().map(|(_, _, l)| l).collect(),
        w: super::i18n::review_words(lang),
        returned,
    };
    let mut response = render(lang, &template);
    *response.status_mut() = status;
    Ok(response)
}

fn form_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("request body: too large".into())
    } else {
        ApiError::BadRequest(format!("form: {}", e.body_text()))
    }
}

/// What went wrong with an uploaded file: said next to the file field, the rest of the form kept.
pub(super) enum FileProblem {
    /// The store refused it (size, type, empty, name).
    Refused(FileError),
    /// More than [`MAX_FILES_PER_ACTIVITY`].
    TooMany,
    /// The whole request went over the route's body limit.
    BodyTooLarge,
}

/// `POST /my-work/log`: the CSRF token must come before any file (the form puts it first), so a
/// forged request stores nothing.
pub async fn log(
    State(state): State<AppState>,
    page: SignedIn,
    request: Request,
) -> Result<Response, PageError> {
    // As the API does: files are written while the form streams in, so a request that ends in
    // anything but a stored activity takes its new files away again.
    let mut stored: Vec<StoredFile> = Vec::new();
    let result = log_from(&state, &page, request, &mut stored).await;
    let saved = matches!(&result, Ok(response) if response.status().is_redirection());
    if !saved {
        crate::web::api::discard_files(&state, &stored).await;
    }
    result
}

async fn log_from(
    state: &AppState,
    page: &SignedIn,
    request: Request,
    stored: &mut Vec<StoredFile>,
) -> Result<Response, PageError> {
    let mut multipart = Multipart::from_request(request, state)
        .await
        .map_err(|e| page.error(ApiError::BadRequest(e.body_text())))?;
    let mut csrf_ok = false;
    let mut assignment: Option<String> = None;
    let mut input = ActivityInput::default();
    // The first problem with a file; the form goes on being read (later files skipped) so that
    // what was typed can be shown again with the problem next to the file field.
    let mut file_problem: Option<FileProblem> = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE && csrf_ok => {
                file_problem.get_or_insert(FileProblem::BodyTooLarge);
                break;
            }
            Err(e) => return Err(page.error(form_error(e))),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            if !csrf_ok && let Err(refused) = page.check_csrf(None) {
                // Read (and drop) the rest of the form before answering: HTTP/1.1 closes a
                // connection whose request was not read, and the client would see a reset
                // instead of the refusal. The route's body limit bounds this.
                while let Ok(Some(_)) = field.chunk().await {}
                drop(field);
                while let Ok(Some(mut rest)) = multipart.next_field().await {
                    while let Ok(Some(_)) = rest.chunk().await {}
                }
                return Err(refused);
            }
            // An empty file input still sends a part with no name and no bytes: skip it; so is
            // every file after one that failed.
            let file_name = field.file_name().unwrap_or("").to_string();
            if file_name.is_empty() || file_problem.is_some() {
                if let Err(e) = drain(&mut field).await {
                    file_problem.get_or_insert(e);
                    break;
                }
                continue;
            }
            if stored.len() >= MAX_FILES_PER_ACTIVITY {
                file_problem = Some(FileProblem::TooMany);
                if drain(&mut field).await.is_err() {
                    break;
                }
                continue;
            }
            match store_file(state, &mut field, &file_name).await {
                Ok(file) => stored.push(file),
                Err(StoreProblem::File(e)) => {
                    file_problem = Some(e);
                    if drain(&mut field).await.is_err() {
                        break;
                    }
                }
                Err(StoreProblem::Page(e)) => return Err(page.error(e)),
            }
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| page.error(form_error(e)))? {
            if bytes.len() + chunk.len() > MAX_FIELD_BYTES {
                return Err(page.error(ApiError::BadRequest(format!(
                    "{name}: at most {MAX_FIELD_BYTES} bytes"
                ))));
            }
            bytes.extend_from_slice(&chunk);
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| page.error(ApiError::BadRequest(format!("{name}: not UTF-8 text"))))?;
        match name.as_str() {
            "csrf" => {
                page.check_csrf(Some(&text))?;
                csrf_ok = true;
            }
            "assignment" => assignment = Some(text),
            // An unchecked box sends nothing; a checked one "on".
            "completes" => {
                input.set("completes", if text == "on" { "true".into() } else { text });
            }
            _ => {
                if !input.set(&name, text) {
                    return Err(page.error(ApiError::BadRequest(format!(
                        "form: unknown field {name:?}"
                    ))));
                }
            }
        }
    }
    if !csrf_ok {
        page.check_csrf(None)?;
    }
    let selected = assignment
        .as_deref()
        .and_then(|a| a.trim().parse::<i64>().ok());
    if let Some(problem) = file_problem {
        let message = file_problem_text(page.lang, &problem, state.files.max_bytes());
        let sent = Sent {
            summary: message.clone(),
            field_errors: vec![("file", message)],
            typed: Typed::of(&input),
        };
        let status = match problem {
            FileProblem::Refused(FileError::TooLarge { .. }) | FileProblem::BodyTooLarge => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            FileProblem::Refused(FileError::Unsupported { .. }) => {
                StatusCode::UNSUPPORTED_MEDIA_TYPE
            }
            _ => StatusCode::BAD_REQUEST,
        };
        return build(state, page, selected, "", sent, status).await;
    }
    let Some(id) = selected else {
        let sent = Sent {
            summary: page.t.assignment_required.into(),
            field_errors: vec![("assignment", page.t.assignment_required.into())],
            typed: Typed::of(&input),
        };
        return build(state, page, None, "", sent, StatusCode::BAD_REQUEST).await;
    };
    let row = state
        .store
        .assignment(id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(ApiError::NotFound(format!("assignment {id} not found"))))?;
    ensure_may_report(state, &page.session.user, &row)
        .await
        .map_err(|e| page.error(e))?;
    // The date field sends YYYY-MM-DD; dd/mm/yyyy typed by hand is accepted too (parse_date).
    let evidence = stored.iter().map(StoredFile::evidence).collect();
    let activity = match input.parse(id, page.today, evidence) {
        Ok(a) => a,
        Err(errors) => {
            let sent = Sent {
                summary: super::i18n::activity_errors(page.lang, &errors),
                field_errors: errors
                    .iter()
                    .map(|e| {
                        let field = if e.field == "urls" { "url" } else { e.field };
                        (field, activity_field_error(page.lang, e.field).to_string())
                    })
                    .collect(),
                typed: Typed::of(&input),
            };
            return build(state, page, Some(id), "", sent, StatusCode::BAD_REQUEST).await;
        }
    };
    let by = Change {
        user_id: Some(page.session.user.id),
        actor: page.session.user.username.clone(),
    };
    match state.store.add_activity(&activity, &by).await {
        Ok(_) => {}
        // A locked period, an archived plan, a removed unit: the form again, saying why.
        Err(e @ (crate::store::StoreError::Locked(_) | crate::store::StoreError::Closed(_))) => {
            let text = refusal_text(page.lang, &e);
            let sent = Sent {
                summary: text.clone(),
                field_errors: vec![("date", text)],
                typed: Typed::of(&input),
            };
            return build(state, page, Some(id), "", sent, StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(page.error(e)),
    }
    Ok(Redirect::to(&format!("/my-work?saved=1&assignment={id}")).into_response())
}

#[derive(Deserialize)]
pub struct ResubmitForm {
    #[serde(default)]
    csrf: String,
    id: i64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

/// `POST /my-work/resubmit`: a returned activity, corrected (its title and date as typed), is
/// sent again for review (→ pending). The correction and the resubmission are checked as the
/// API's: who may report for it, the activity's fields, the period lock.
pub async fn resubmit(
    State(state): State<AppState>,
    page: SignedIn,
    axum::Form(form): axum::Form<ResubmitForm>,
) -> Result<Response, PageError> {
    page.check_csrf(Some(&form.csrf))?;
    let user = &page.session.user;
    let row = state
        .store
        .activity(form.id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| {
            page.error(ApiError::NotFound(format!(
                "activity {} not found",
                form.id
            )))
        })?;
    let assignment = state
        .store
        .assignment(row.assignment_id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| {
            page.error(ApiError::NotFound(format!(
                "activity {} not found",
                form.id
            )))
        })?;
    ensure_may_report(&state, user, &assignment)
        .await
        .map_err(|e| page.error(e))?;
    let refused = |e: &crate::store::StoreError| Sent {
        summary: refusal_text(page.lang, e),
        ..Sent::default()
    };
    // The correction, when something was changed.
    let mut input = ActivityInput::from_row(&row);
    let patch = ActivityInput {
        title: form.title.clone().filter(|t| !t.trim().is_empty()),
        date: form.date.clone().filter(|d| !d.trim().is_empty()),
        ..ActivityInput::default()
    };
    let edited = input
        .overlay(patch)
        .and_then(|()| input.parse(row.assignment_id, page.today, Vec::new()));
    let edited = match edited {
        Ok(edited) => edited,
        Err(errors) => {
            let sent = Sent {
                summary: super::i18n::activity_errors(page.lang, &errors),
                ..Sent::default()
            };
            return build(&state, &page, None, "", sent, StatusCode::BAD_REQUEST).await;
        }
    };
    let by = Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    };
    if edited.title != row.title || edited.occurred_on != row.occurred_on {
        match state.store.update_activity(row.id, &edited, &by).await {
            Ok(_) => {}
            Err(
                e @ (crate::store::StoreError::Locked(_) | crate::store::StoreError::Closed(_)),
            ) => {
                return build(&state, &page, None, "", refused(&e), StatusCode::CONFLICT).await;
            }
            Err(e) => return Err(page.error(e)),
        }
    }
    match state
        .store
        .review_activities(
            &[row.id],
            kehoach_core::approval::ReviewDecision::Resubmit,
            "",
            &by,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/my-work?resubmitted=1").into_response()),
        Err(e @ (crate::store::StoreError::Locked(_) | crate::store::StoreError::Closed(_))) => {
            build(&state, &page, None, "", refused(&e), StatusCode::CONFLICT).await
        }
        Err(e) => Err(page.error(e)),
    }
}

/// Why a write of activities was refused (a locked period, an archived plan, a removed unit),
/// in the reader's words.
fn refusal_text(lang: super::i18n::Lang, e: &crate::store::StoreError) -> String {
    match e {
        crate::store::StoreError::Locked(lock) => super::i18n::locked_text(lang, lock),
        crate::store::StoreError::Closed(why) => super::i18n::closed_text(lang, why),
        other => other.to_string(),
    }
}

/// Reads a form part to its end, storing nothing.
async fn drain(field: &mut axum::extract::multipart::Field<'_>) -> Result<(), FileProblem> {
    loop {
        match field.chunk().await {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(()),
            Err(_) => return Err(FileProblem::BodyTooLarge),
        }
    }
}

enum StoreProblem {
    /// Said next to the file field.
    File(FileProblem),
    /// Not the file's fault (the store's disk): an error page.
    Page(ApiError),
}

/// Streams one file part into the store.
async fn store_file(
    state: &AppState,
    field: &mut axum::extract::multipart::Field<'_>,
    file_name: &str,
) -> Result<StoredFile, StoreProblem> {
    let refused = |e: FileError| match e {
        FileError::Io(_) | FileError::Store(_) => StoreProblem::Page(e.into()),
        e => StoreProblem::File(FileProblem::Refused(e)),
    };
    let mut writer = state.files.writer(file_name).map_err(refused)?;
    loop {
        match field.chunk().await {
            Ok(Some(chunk)) => {
                tokio::task::block_in_place(|| writer.write(&chunk)).map_err(refused)?
            }
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(StoreProblem::File(FileProblem::BodyTooLarge));
            }
            Err(e) => return Err(StoreProblem::Page(form_error(e))),
        }
    }
    writer.finish().await.map_err(refused)
}
