//! Editing a plan after import (issue 19), as pages: `/tasks/{id}/edit` (a task's ref, title,
//! content, window, deadline, targets, lead and partner units), `/plans/{id}/tasks/new` (a task
//! added by hand), `/tasks/{id}/remove` and `/plans/{id}/archive`. The plan office within its
//! subtree and administrators (`Action::ManagePlan`); the store validates and writes
//! (`store/plan_edits.rs`), a refused edit comes back as the form with what was typed and the
//! message naming the field, in the reader's language.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehoach_core::period::Per;

use super::i18n::{Lang, PlanEditWords, edit_error_text, per_name, plan_edit_words};
use super::{Layout, PageError, SignedIn, render};
use crate::authz::{Action, Verdict};
use crate::plan_edit::{
    EditError, MAX_TARGETS, Problem, TargetSpec, TaskFields, TaskView, UnitRef, parse_optional_date,
};
use crate::store::{AssignmentScope, Change, PlanEditError, PlanRow};
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

/// Empty target rows the form offers for new targets.
const NEW_TARGET_ROWS: usize = 2;

pub struct TargetInput {
    pub count: String,
    pub per: String,
    pub noun: String,
}

pub struct UnitChoice {
    pub code: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "task_edit.html")]
struct TaskEditPage {
    l: Layout,
    w: &'static PlanEditWords,
    /// Where the form posts.
    action: String,
    back: String,
    plan_href: String,
    plan_title: String,
    /// None: a new task.
    task_id: Option<i64>,
    version: i64,
    reference: String,
    title: String,
    content: String,
    window_from: String,
    window_to: String,
    due: String,
    targets: Vec<TargetInput>,
    pers: Vec<(&'static str, &'static str)>,
    leads: Vec<UnitChoice>,
    partners: Vec<UnitChoice>,
    lead_new: String,
    partner_new: String,
    closed: Vec<String>,
    error: String,
    /// The field the error is about (`window`, `targets`, …): the form marks it.
    error_field: String,
}

/// What the form sent. Repeated names (targets, units) come in order, so the form is read as
/// pairs.
#[derive(Default)]
struct Sent {
    csrf: String,
    version: Option<i64>,
    reference: String,
    title: String,
    content: String,
    window_from: String,
    window_to: String,
    due: String,
    counts: Vec<String>,
    pers: Vec<String>,
    nouns: Vec<String>,
    leads: Vec<String>,
    lead_new: String,
    partners: Vec<String>,
    partner_new: String,
}

/// At most this many pairs in a form (targets and units are bounded again by the validation).
const MAX_PAIRS: usize = 5_000;

fn sent(pairs: Vec<(String, String)>) -> Sent {
    let mut s = Sent::default();
    for (k, v) in pairs.into_iter().take(MAX_PAIRS) {
        match k.as_str() {
            "csrf" => s.csrf = v,
            "version" => s.version = v.trim().parse().ok(),
            "ref" => s.reference = v,
            "title" => s.title = v,
            "content" => s.content = v,
            "window_from" => s.window_from = v,
            "window_to" => s.window_to = v,
            "due" => s.due = v,
            "count" => s.counts.push(v),
            "per" => s.pers.push(v),
            "noun" => s.nouns.push(v),
            "lead" => s.leads.push(v),
            "lead_new" => s.lead_new = v,
            "partner" => s.partners.push(v),
            "partner_new" => s.partner_new = v,
            _ => {}
        }
    }
    s
}

fn refused(field: &str, problem: Problem) -> EditError {
    EditError {
        field: field.into(),
        problem,
    }
}

/// The codes ticked plus the codes typed (comma, semicolon or space separated).
fn codes(ticked: &[String], typed: &str) -> Vec<String> {
    let mut out: Vec<String> = ticked.iter().map(|c| c.trim().to_string()).collect();
    out.extend(
        typed
            .split([',', ';', ' ', '\n'])
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string),
    );
    out.retain(|c| !c.is_empty());
    out.sort();
    out.dedup();
    out
}

/// The form's values as an edit: every field the form shows is set (the form shows them all).
async fn fields_of(
    state: &AppState,
    page: &SignedIn,
    s: &Sent,
) -> Result<Result<TaskFields, EditError>, PageError> {
    let mut f = TaskFields {
        reference: Some(s.reference.clone()),
        title: Some(s.title.clone()),
        content: Some(s.content.clone()),
        ..TaskFields::default()
    };
    let from = match parse_optional_date("window", &s.window_from) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    let to = match parse_optional_date("window", &s.window_to) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    };
    f.window = Some(match (from, to) {
        (None, None) => None,
        (Some(a), Some(b)) => Some((a, b)),
        _ => return Ok(Err(refused("window", Problem::OneEnd))),
    });
    f.due = Some(match parse_optional_date("due", &s.due) {
        Ok(d) => d,
        Err(e) => return Ok(Err(e)),
    });
    let mut targets = Vec::new();
    for (i, count) in s.counts.iter().enumerate() {
        let count = count.trim();
        if count.is_empty() {
            continue;
        }
        let field = format!("targets[{}].count", targets.len());
        let Ok(n) = count.replace(',', ".").parse::<f64>() else {
            return Ok(Err(refused(&field, Problem::NotANumber(count.into()))));
        };
        targets.push(TargetSpec {
            count: n,
            per: s.pers.get(i).cloned().unwrap_or_default(),
            noun: s.nouns.get(i).cloned().unwrap_or_default(),
        });
    }
    f.targets = Some(targets);
    for (field, ticked, typed) in [
        ("leads", &s.leads, &s.lead_new),
        ("partners", &s.partners, &s.partner_new),
    ] {
        let wanted = codes(ticked, typed);
        if wanted.len() > crate::plan_edit::MAX_UNITS {
            return Ok(Err(refused(
                field,
                Problem::TooMany(crate::plan_edit::MAX_UNITS),
            )));
        }
        let authz = Authz::of(state, &page.session.user);
        let mut units = Vec::with_capacity(wanted.len());
        for code in wanted {
            let code = kehoach_core::text::nfc(&code);
            let unit = state
                .store
                .unit_by_code_latest(&code, page.today)
                .await
                .map_err(|e| page.error(e))?;
            let Some(unit) = unit else {
                return Ok(Err(refused(field, Problem::UnknownUnit(code))));
            };
            let (verdict, _) = authz
                .verdict(Action::ManagePlan, Resource::Unit(Some(unit.id)))
                .await
                .map_err(|e| page.error(e))?;
            if verdict != Verdict::Allow {
                return Ok(Err(refused(field, Problem::OutsideScope(code))));
            }
            units.push(UnitRef {
                id: unit.id,
                code: unit.code,
            });
        }
        if field == "leads" {
            f.leads = Some(units);
        } else {
            f.partners = Some(units);
        }
    }
    Ok(Ok(f))
}

/// The plan, if the caller manages it: 404 for another unit's, 403 for a role that may not.
async fn managed_plan(state: &AppState, page: &SignedIn, id: i64) -> Result<PlanRow, PageError> {
    let plan = state
        .store
        .plan(id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(ApiError::NotFound(format!("plan {id} not found"))))?;
    Authz::of(state, &page.session.user)
        .check(Action::ManagePlan, Resource::Plan(&plan))
        .await
        .map_err(|e| page.error(e))?;
    Ok(plan)
}

async fn managed_task(
    state: &AppState,
    page: &SignedIn,
    id: i64,
) -> Result<(TaskView, PlanRow), PageError> {
    let task = state
        .store
        .task_view(id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(ApiError::NotFound(format!("task {id} not found"))))?;
    let plan = managed_plan(state, page, task.plan_id).await?;
    Ok((task, plan))
}

fn pers(lang: Lang) -> Vec<(&'static str, &'static str)> {
    Per::ALL
        .iter()
        .map(|p| (p.as_str(), per_name(lang, *p)))
        .collect()
}

fn change_by(page: &SignedIn) -> Change {
    Change {
        user_id: Some(page.session.user.id),
        actor: page.session.user.username.clone(),
    }
}

fn iso(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// The form filled from a task as stored (or empty, for a new task).
async fn form_of(
    state: &AppState,
    page: &SignedIn,
    plan: &PlanRow,
    task: Option<&TaskView>,
) -> Result<TaskEditPage, PageError> {
    let w = plan_edit_words(page.lang);
    let mut leads = Vec::new();
    let mut closed = Vec::new();
    if let Some(task) = task {
        let assignments = state
            .store
            .assignments_in(
                plan.id,
                AssignmentScope {
                    task: Some(task.id),
                    units: None,
                },
            )
            .await
            .map_err(|e| page.error(e))?;
        for a in assignments {
            if task.leads.contains(&a.unit_code) {
                leads.push(UnitChoice {
                    code: a.unit_code,
                    name: a.unit_name,
                    checked: true,
                });
            }
        }
        for (code, name, on) in state
            .store
            .closed_assignments(task.id)
            .await
            .map_err(|e| page.error(e))?
        {
            closed.push(format!(
                "{name} ({code}) – {} {}",
                w.removed_on,
                super::dmy(on)
            ));
        }
    }
    let mut partners = Vec::new();
    for code in task.map(|t| t.partners.clone()).unwrap_or_default() {
        let unit = state
            .store
            .unit_by_code_latest(&code, page.today)
            .await
            .map_err(|e| page.error(e))?;
        partners.push(UnitChoice {
            name: unit.map(|u| u.name).unwrap_or_default(),
            code,
            checked: true,
        });
    }
    let mut targets: Vec<TargetInput> = task
        .map(|t| {
            t.targets
                .iter()
                .map(|x| TargetInput {
                    count: format!("{}", x.count),
                    per: x.per.clone(),
                    noun: x.noun.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let blanks = NEW_TARGET_ROWS.min(MAX_TARGETS.saturating_sub(targets.len()));
    targets.extend((0..blanks).map(|_| TargetInput {
        count: String::new(),
        per: "month".into(),
        noun: String::new(),
    }));
    let (title, action) = match task {
        Some(t) => (w.edit_task, format!("/tasks/{}/edit", t.id)),
        None => (w.add_task, format!("/plans/{}/tasks/new", plan.id)),
    };
    Ok(TaskEditPage {
        l: page.layout(title),
        w,
        action,
        back: match task {
            Some(t) => format!("/tasks/{}", t.id),
            None => format!("/plans/{}", plan.id),
        },
        plan_href: format!("/plans/{}", plan.id),
        plan_title: plan.title.clone(),
        task_id: task.map(|t| t.id),
        version: task.map(|t| t.version).unwrap_or(0),
        reference: task.map(|t| t.reference.clone()).unwrap_or_default(),
        title: task.map(|t| t.title.clone()).unwrap_or_default(),
        content: task.map(|t| t.content.clone()).unwrap_or_default(),
        window_from: iso(task.and_then(|t| t.window_from)),
        window_to: iso(task.and_then(|t| t.window_to)),
        due: iso(task.and_then(|t| t.due)),
        targets,
        pers: pers(page.lang),
        leads,
        partners,
        lead_new: String::new(),
        partner_new: String::new(),
        closed,
        error: String::new(),
        error_field: String::new(),
    })
}

/// The form again with what was typed and why it was refused (400).
fn refill(mut form: TaskEditPage, s: &Sent, message: String, field: &str) -> TaskEditPage {
    form.reference = s.reference.clone();
    form.title = s.title.clone();
    form.content = s.content.clone();
    form.window_from = s.window_from.clone();
    form.window_to = s.window_to.clone();
    form.due = s.due.clone();
    form.targets = s
        .counts
        .iter()
        .enumerate()
        .map(|(i, c)| TargetInput {
            count: c.clone(),
            per: s.pers.get(i).cloned().unwrap_or_default(),
            noun: s.nouns.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    for u in &mut form.leads {
        u.checked = s.leads.contains(&u.code);
    }
    for u in &mut form.partners {
        u.checked = s.partners.contains(&u.code);
    }
    form.lead_new = s.lead_new.clone();
    form.partner_new = s.partner_new.clone();
    form.error = message;
    form.error_field = field
        .split(['[', '.'])
        .next()
        .unwrap_or_default()
        .to_string();
    form
}

fn bad_request(lang: Lang, form: &TaskEditPage) -> Response {
    let mut response = render(lang, form);
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response
}

/// `GET /tasks/{id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (task, plan) = managed_task(&state, &page, id).await?;
    let form = form_of(&state, &page, &plan, Some(&task)).await?;
    Ok(render(page.lang, &form))
}

/// `POST /tasks/{id}/edit`: saved → the task's page; refused → the form with the reason.
pub async fn edit_save(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let s = sent(pairs);
    page.check_csrf(Some(&s.csrf))?;
    let (task, plan) = managed_task(&state, &page, id).await?;
    let fields = match fields_of(&state, &page, &s).await? {
        Ok(f) => f,
        Err(e) => {
            let form = form_of(&state, &page, &plan, Some(&task)).await?;
            let form = refill(form, &s, edit_error_text(page.lang, &e), &e.field);
            return Ok(bad_request(page.lang, &form));
        }
    };
    let result = state
        .store
        .edit_task(id, s.version, &fields, page.today, &change_by(&page))
        .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(PlanEditError::Invalid(e)) => {
            let form = form_of(&state, &page, &plan, Some(&task)).await?;
            let form = refill(form, &s, edit_error_text(page.lang, &e), &e.field);
            Ok(bad_request(page.lang, &form))
        }
        Err(PlanEditError::Stale { current, changed }) => {
            // The latest version, and what changed since the one the form was made from.
            let mut form = form_of(&state, &page, &plan, Some(&current)).await?;
            let w = plan_edit_words(page.lang);
            form.error = w.stale.replace("{}", &changed.join(", "));
            let mut response = render(page.lang, &form);
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(e) => Err(page_error(&page, e)),
    }
}

fn page_error(page: &SignedIn, e: PlanEditError) -> PageError {
    match e {
        PlanEditError::Store(e) => page.error(e),
        PlanEditError::NotFound(what) => {
            page.error(ApiError::NotFound(format!("{what} not found")))
        }
        other => page.error(ApiError::Conflict(other.to_string())),
    }
}

/// `GET /plans/{id}/tasks/new`
pub async fn new_task(
    State(state): State<AppState>,
    page: SignedIn,
    Path(plan_id): Path<i64>,
) -> Result<Response, PageError> {
    let plan = managed_plan(&state, &page, plan_id).await?;
    let form = form_of(&state, &page, &plan, None).await?;
    Ok(render(page.lang, &form))
}

/// `POST /plans/{id}/tasks/new`: added → the new task's page.
pub async fn add(
    State(state): State<AppState>,
    page: SignedIn,
    Path(plan_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let s = sent(pairs);
    page.check_csrf(Some(&s.csrf))?;
    let plan = managed_plan(&state, &page, plan_id).await?;
    let refuse = |e: EditError, form: TaskEditPage| {
        let form = refill(form, &s, edit_error_text(page.lang, &e), &e.field);
        bad_request(page.lang, &form)
    };
    let fields = match fields_of(&state, &page, &s).await? {
        Ok(f) => f,
        Err(e) => return Ok(refuse(e, form_of(&state, &page, &plan, None).await?)),
    };
    match state
        .store
        .add_task(plan_id, &fields, page.today, &change_by(&page))
        .await
    {
        Ok(task) => Ok(Redirect::to(&format!("/tasks/{}", task.id)).into_response()),
        Err(PlanEditError::Invalid(e)) => Ok(refuse(e, form_of(&state, &page, &plan, None).await?)),
        Err(e) => Err(page_error(&page, e)),
    }
}

/// `POST /tasks/{id}/remove`: the task is closed today → the plan's page.
pub async fn remove(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let s = sent(pairs);
    page.check_csrf(Some(&s.csrf))?;
    let (task, _) = managed_task(&state, &page, id).await?;
    state
        .store
        .remove_task(id, page.today, &change_by(&page))
        .await
        .map_err(|e| page_error(&page, e))?;
    Ok(Redirect::to(&format!("/plans/{}", task.plan_id)).into_response())
}

/// `POST /plans/{id}/archive` → the plan's page, marked archived.
pub async fn archive(
    State(state): State<AppState>,
    page: SignedIn,
    Path(plan_id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let s = sent(pairs);
    page.check_csrf(Some(&s.csrf))?;
    managed_plan(&state, &page, plan_id).await?;
    state
        .store
        .archive_plan(plan_id, page.today, &change_by(&page))
        .await
        .map_err(|e| page_error(&page, e))?;
    Ok(Redirect::to(&format!("/plans/{plan_id}")).into_response())
}

/// The pending import `id` of the caller, or 404 (lapsed, confirmed, someone else's).
async fn pending(
    state: &AppState,
    page: &SignedIn,
    id: &str,
) -> Result<crate::pending_import::PendingImport, PageError> {
    crate::web::authz::ensure_may_import(&page.session.user).map_err(|e| page.error(e))?;
    crate::pending_import::load(&state.store, id, page.session.user.id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| {
            page.error(ApiError::NotFound(
                "this import is not waiting any more: upload the document again".into(),
            ))
            .say(page.t.import_gone)
        })
}

/// The units of a task waiting for its import, ticked.
async fn unit_choices(
    state: &AppState,
    page: &SignedIn,
    units: &[(i64, String)],
) -> Result<Vec<UnitChoice>, PageError> {
    let mut out = Vec::with_capacity(units.len());
    for (unit_id, _) in units {
        if let Some(u) = state
            .store
            .unit(*unit_id)
            .await
            .map_err(|e| page.error(e))?
        {
            out.push(UnitChoice {
                code: u.code,
                name: u.name,
                checked: true,
            });
        }
    }
    Ok(out)
}

/// The edit form of task `index` of a pending import.
async fn preview_form(
    state: &AppState,
    page: &SignedIn,
    id: &str,
    index: usize,
    p: &crate::pending_import::PendingImport,
) -> Result<TaskEditPage, PageError> {
    let task = p
        .prepared
        .plan
        .tasks
        .get(index)
        .ok_or_else(|| page.error(ApiError::NotFound(format!("task {index} not found"))))?;
    let w = plan_edit_words(page.lang);
    let leads = unit_choices(state, page, &task.leads).await?;
    let partners = unit_choices(state, page, &task.partners).await?;
    let mut targets: Vec<TargetInput> = task
        .targets
        .iter()
        .map(|x| TargetInput {
            count: format!("{}", x.count),
            per: x.per.as_str().to_string(),
            noun: x.noun.clone(),
        })
        .collect();
    let blanks = NEW_TARGET_ROWS.min(MAX_TARGETS.saturating_sub(targets.len()));
    targets.extend((0..blanks).map(|_| TargetInput {
        count: String::new(),
        per: "month".into(),
        noun: String::new(),
    }));
    let action = format!("/plans/import/{id}/tasks/{index}");
    Ok(TaskEditPage {
        l: page.layout(w.edit_task),
        w,
        action,
        back: format!("/plans/import/{id}"),
        plan_href: format!("/plans/import/{id}"),
        plan_title: p.prepared.plan.title.clone(),
        task_id: None,
        version: 0,
        reference: task.reference.clone(),
        title: task.title.clone(),
        content: task.content.clone(),
        window_from: iso(task.window_from),
        window_to: iso(task.window_to),
        due: iso(task.due),
        targets,
        pers: pers(page.lang),
        leads,
        partners,
        lead_new: String::new(),
        partner_new: String::new(),
        closed: Vec::new(),
        error: String::new(),
        error_field: String::new(),
    })
}

/// `GET /plans/import/{id}/tasks/{index}`: a task of the import's preview, to correct before
/// confirming (the same form as for a stored task).
pub async fn task(
    State(state): State<AppState>,
    page: SignedIn,
    Path((id, index)): Path<(String, usize)>,
) -> Result<Response, PageError> {
    let p = pending(&state, &page, &id).await?;
    let form = preview_form(&state, &page, &id, index, &p).await?;
    Ok(render(page.lang, &form))
}

/// `POST /plans/import/{id}/tasks/{index}`: the corrected task is kept in the pending import →
/// back to its preview; refused → the form with the reason.
pub async fn save(
    State(state): State<AppState>,
    page: SignedIn,
    Path((id, index)): Path<(String, usize)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let s = sent(pairs);
    page.check_csrf(Some(&s.csrf))?;
    let mut p = pending(&state, &page, &id).await?;
    let form = preview_form(&state, &page, &id, index, &p).await?;
    let plan = &p.prepared.plan;
    let checked = match fields_of(&state, &page, &s).await? {
        Ok(f) => crate::plan_edit::validate(&f, (plan.period_from, plan.period_to)),
        Err(e) => Err(e),
    };
    let clean = match checked {
        Ok(clean) => clean,
        Err(e) => {
            let form = refill(form, &s, edit_error_text(page.lang, &e), &e.field);
            return Ok(bad_request(page.lang, &form));
        }
    };
    let named: Vec<i64> = clean
        .leads
        .iter()
        .chain(clean.partners.iter())
        .flatten()
        .map(|u| u.id)
        .collect();
    for unit_id in named {
        if let Some(u) = state.store.unit(unit_id).await.map_err(|e| page.error(e))? {
            p.prepared.unit_names.insert(u.id, u.name);
        }
    }
    if let Some(task) = p.prepared.plan.tasks.get_mut(index) {
        crate::plan_edit::apply_to_new_task(task, &clean);
    }
    let saved = crate::pending_import::save(&state.store, &id, page.session.user.id, &p)
        .await
        .map_err(|e| page.error(e))?;
    if !saved {
        return Err(page
            .error(ApiError::NotFound(
                "this import is not waiting any more: upload the document again".into(),
            ))
            .say(page.t.import_gone));
    }
    Ok(Redirect::to(&format!("/plans/import/{id}")).into_response())
}

/// Whether the caller may edit the plan (the pages show the edit links and buttons only then).
pub async fn may_edit(state: &AppState, page: &SignedIn, plan: &PlanRow) -> bool {
    plan.archived_on.is_none()
        && matches!(
            Authz::of(state, &page.session.user)
                .verdict(Action::ManagePlan, Resource::Plan(plan))
                .await,
            Ok((Verdict::Allow, _))
        )
}

/// The plan page's part of editing: the archived mark, or for who may edit, "add a task" and
/// "archive the plan".
pub struct PlanEditBar {
    pub plan_id: i64,
    pub may_edit: bool,
    /// "Kế hoạch đã lưu trữ ngày …", empty when not archived.
    pub archived: String,
    pub archived_label: &'static str,
    pub add_task: &'static str,
    pub archive: &'static str,
    pub archive_hint: &'static str,
}

impl PlanEditBar {
    pub async fn of(state: &AppState, page: &SignedIn, plan: &PlanRow) -> PlanEditBar {
        let w = plan_edit_words(page.lang);
        PlanEditBar {
            plan_id: plan.id,
            may_edit: may_edit(state, page, plan).await,
            archived: plan
                .archived_on
                .map(|d| format!("{} {}", w.archived_note, super::dmy(d)))
                .unwrap_or_default(),
            archived_label: w.archived,
            add_task: w.add_task,
            archive: w.archive,
            archive_hint: w.archive_hint,
        }
    }
}
