//! `/plans/{id}/cascade`: the plans a plan implements (and proposed ones, to confirm or pick
//! another), the plans implementing it, the units that still owe it a plan with their deadline
//! state, and the coverage of its tasks by the implementing plans' tasks (confirm or correct);
//! `/plans/{id}/carry?year=`: next year's draft with every lead unit's fate. Over
//! `crate::plan_links`; permissions from `authz::decide` (`ViewPlan` to read, `ManagePlan` to
//! link, map or carry).

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;

use super::i18n::{Cascade, deadline_name};
use super::plan::readable_plan;
use super::{Layout, PageError, SignedIn, dmy, dmy_opt, render};
use crate::authz::{Action, Verdict};
use crate::cascade::carry::Fate;
use crate::cascade::citations::LinkRefusal;
use crate::plan_links::{self, CarryDraft, CascadeError, CoverageView, LinksView};
use crate::store::{PlanRow, StoreError};
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

/// Units shown in the "owe a plan" table before "and N more".
const OWING_SHOWN: usize = 60;

pub struct PlanItem {
    pub id: i64,
    pub label: String,
    pub note: String,
}

/// An implementing plan with its rates over the tasks mapped to this plan's.
pub struct ChildItem {
    pub id: i64,
    pub label: String,
    pub note: String,
    pub mapped: usize,
    pub reporting: String,
    pub on_time: String,
    /// No period of the mapped tasks has ended yet.
    pub no_rate: bool,
}

pub struct OwingItem {
    pub name: String,
    pub state: String,
    pub class: &'static str,
    pub plans: Vec<i64>,
}

pub struct ChildTaskItem {
    pub plan_label: String,
    pub task_id: i64,
    pub label: String,
    pub targets: String,
    pub less: bool,
    pub confirmed: bool,
}

pub struct CoverageItem {
    pub task_id: i64,
    pub label: String,
    pub targets: String,
    pub children: Vec<ChildTaskItem>,
}

pub struct GapItem {
    pub plan_label: String,
    pub left_out: Vec<String>,
}

pub struct TaskOption {
    pub id: i64,
    pub label: String,
}

#[derive(Template)]
#[template(path = "cascade.html")]
struct CascadePage {
    l: Layout,
    c: &'static Cascade,
    id: i64,
    heading: String,
    manage: bool,
    parents: Vec<PlanItem>,
    proposed: Vec<PlanItem>,
    others: Vec<PlanItem>,
    children: Vec<ChildItem>,
    has_issue_task: bool,
    owing: Vec<OwingItem>,
    owing_total: usize,
    missing: usize,
    more: usize,
    coverage: Vec<CoverageItem>,
    gaps: Vec<GapItem>,
    task_options: Vec<TaskOption>,
    next_year: i32,
    message: String,
}

/// "30/KH-UBND – title", or the title alone.
pub(crate) fn label(number: Option<&str>, title: &str) -> String {
    match number {
        Some(n) if !n.is_empty() => format!("{n} – {title}"),
        _ => title.to_string(),
    }
}

/// Whether the signed-in user may change the plan (link, map, carry): the policy's answer.
async fn may_manage(state: &AppState, page: &SignedIn, plan: &PlanRow) -> Result<bool, PageError> {
    let (verdict, _) = Authz::of(state, &page.session.user)
        .verdict(Action::ManagePlan, Resource::Plan(plan))
        .await
        .map_err(|e| page.error(e))?;
    Ok(matches!(verdict, Verdict::Allow))
}

/// What went wrong, in the page's words.
pub(crate) fn say(page: &SignedIn, e: CascadeError) -> PageError {
    let c = page.lang.cascade();
    let detail = match &e {
        CascadeError::Refused(LinkRefusal::Cycle { .. }) => Some(c.err_cycle),
        CascadeError::Refused(LinkRefusal::OtherProvince { .. }) => Some(c.err_province),
        CascadeError::Refused(LinkRefusal::SelfLink) => Some(c.err_self),
        CascadeError::Store(StoreError::Conflict(_)) => Some(c.err_exists),
        CascadeError::Invalid(_) => Some(c.err_year),
        _ => None,
    };
    let err = page.error(ApiError::from(e));
    match detail {
        Some(d) => err.say(d),
        None => err,
    }
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    done: String,
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, PageError> {
    let plan = readable_plan(&state, &page, id).await?;
    let manage = may_manage(&state, &page, &plan).await?;
    let c = page.lang.cascade();
    let view: LinksView = plan_links::links(&state.store, id, page.today)
        .await
        .map_err(|e| say(&page, e))?;
    let cov: CoverageView = plan_links::coverage(&state.store, id)
        .await
        .map_err(|e| say(&page, e))?;
    let err = |e: StoreError| page.error(e);

    // Plans the caller may read, to link to by hand.
    let root = Authz::of(&state, &page.session.user)
        .scope_root()
        .await
        .map_err(|e| page.error(e))?;
    let readable = state.store.plans_within(root).await.map_err(err)?;
    let title_of = |pid: i64| {
        readable
            .iter()
            .find(|p| p.id == pid)
            .map(|p| label(p.number.as_deref(), &p.title))
            .unwrap_or_else(|| format!("#{pid}"))
    };
    let parents: Vec<PlanItem> = view
        .parents
        .iter()
        .map(|p| PlanItem {
            id: p.plan_id,
            label: label(p.number.as_deref(), &p.title),
            note: if p.basis.is_empty() {
                String::new()
            } else {
                format!("{} {}", c.both_cite, p.basis)
            },
        })
        .collect();
    let proposed: Vec<PlanItem> = view
        .proposed_parents
        .iter()
        .filter(|p| readable.iter().any(|r| r.id == p.parent_plan_id))
        .map(|p| PlanItem {
            id: p.parent_plan_id,
            label: title_of(p.parent_plan_id),
            note: format!(
                "{} {}",
                if p.direct { c.cites } else { c.both_cite },
                p.basis
            ),
        })
        .collect();
    let others: Vec<PlanItem> = readable
        .iter()
        .filter(|p| p.id != id && !view.parents.iter().any(|x| x.plan_id == p.id))
        .map(|p| PlanItem {
            id: p.id,
            label: label(p.number.as_deref(), &p.title),
            note: String::new(),
        })
        .collect();
    let children: Vec<ChildItem> = view
        .children
        .iter()
        .map(|p| {
            let results = view
                .children_results
                .iter()
                .find(|r| r.child_plan_id == p.plan_id);
            let rate = |r: Option<f64>| super::overview::percent(r);
            ChildItem {
                id: p.plan_id,
                label: label(p.number.as_deref(), &p.title),
                note: p.issued_on.map(dmy).unwrap_or_default(),
                mapped: results.map(|r| r.mapped_tasks).unwrap_or(0),
                reporting: rate(results.and_then(|r| r.reporting_rate)),
                on_time: rate(results.and_then(|r| r.on_time_rate)),
                no_rate: results.is_none_or(|r| r.ended == 0),
            }
        })
        .collect();

    // Units that have linked a plan first (a few; they would fall past the cut of hundreds of
    // communes owing one), then those without; the deadline state in words and colour.
    let mut units = view.units.clone();
    units.sort_by_key(|u| (u.plans.is_empty(), u.unit_name.clone()));
    let owing: Vec<OwingItem> = units
        .iter()
        .take(OWING_SHOWN)
        .map(|u| {
            let state = super::plan::DEADLINES
                .iter()
                .find(|s| s.as_str() == u.state);
            OwingItem {
                name: u.unit_name.clone(),
                state: match state {
                    Some(s) => deadline_name(page.lang, *s).to_string(),
                    None if u.state == "done" => c.done.to_string(),
                    None => c.not_done.to_string(),
                },
                class: state
                    .map(|s| super::style::deadline_class(*s))
                    .unwrap_or(""),
                plans: u.plans.clone(),
            }
        })
        .collect();

    // Coverage: each parent task with the child tasks mapped to it, side by side.
    let child_label = |pid: i64| {
        view.children
            .iter()
            .find(|x| x.plan_id == pid)
            .map(|x| x.number.clone().unwrap_or_else(|| format!("#{pid}")))
            .unwrap_or_else(|| format!("#{pid}"))
    };
    let coverage: Vec<CoverageItem> = cov
        .tasks
        .iter()
        .map(|row| CoverageItem {
            task_id: row.task_id,
            label: format!("{} {}", row.reference, row.title),
            targets: row.targets.join("; "),
            children: row
                .children
                .iter()
                .map(|ch| ChildTaskItem {
                    plan_label: child_label(ch.child_plan_id),
                    task_id: ch.child_task_id,
                    label: format!("{} {}", ch.reference, ch.title),
                    targets: ch.targets.join("; "),
                    less: ch.less_than_parent,
                    confirmed: ch.confirmed,
                })
                .collect(),
        })
        .collect();
    let ref_of = |tid: i64| {
        cov.tasks
            .iter()
            .find(|r| r.task_id == tid)
            .map(|r| format!("{} {}", r.reference, r.title))
            .unwrap_or_default()
    };
    let gaps: Vec<GapItem> = cov
        .children
        .iter()
        .map(|g| GapItem {
            plan_label: label(g.number.as_deref(), &g.title),
            left_out: g.leaves_out.iter().map(|t| ref_of(*t)).collect(),
        })
        .collect();
    let task_options: Vec<TaskOption> = cov
        .tasks
        .iter()
        .map(|r| TaskOption {
            id: r.task_id,
            label: format!("{} {}", r.reference, r.title)
                .chars()
                .take(90)
                .collect(),
        })
        .collect();
    let next_year = plan
        .period_to
        .or(plan.period_from)
        .or(plan.issued_on)
        .map(|d| d.year() + 1)
        .unwrap_or(page.today.year() + 1);
    let message = match query.done.as_str() {
        "linked" | "unlinked" | "mapped" => c.saved.to_string(),
        _ => String::new(),
    };
    let heading = label(plan.number.as_deref(), &plan.title);
    Ok(render(
        page.lang,
        &CascadePage {
            l: page.layout(format!("{} – {heading}", c.title)),
            c,
            id,
            heading,
            manage,
            parents,
            proposed,
            others,
            children,
            has_issue_task: view.issue_plan_task_id.is_some(),
            owing_total: view.units.len(),
            missing: view.missing,
            more: view.units.len().saturating_sub(OWING_SHOWN),
            owing,
            coverage,
            gaps,
            task_options,
            next_year,
            message,
        },
    ))
}

#[derive(Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    parent: String,
}

/// Plan `id` if the signed-in user may read it and manage it (link, map, carry): the one check
/// of this page's changes.
async fn managed_plan(
    state: &AppState,
    page: &SignedIn,
    id: i64,
) -> Result<crate::store::PlanRow, PageError> {
    let plan = readable_plan(state, page, id).await?;
    Authz::of(state, &page.session.user)
        .check(Action::ManagePlan, Resource::Plan(&plan))
        .await
        .map_err(|e| page.error(e))?;
    Ok(plan)
}

/// `POST /plans/{id}/cascade/link` and `/unlink`: the plan office confirms a proposed parent,
/// picks another, or removes a link.
pub async fn link(
    state: State<AppState>,
    page: SignedIn,
    id: Path<i64>,
    form: Form<LinkForm>,
) -> Result<Response, PageError> {
    change_link(state, page, id, form, false).await
}

pub async fn unlink(
    state: State<AppState>,
    page: SignedIn,
    id: Path<i64>,
    form: Form<LinkForm>,
) -> Result<Response, PageError> {
    change_link(state, page, id, form, true).await
}

async fn change_link(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<LinkForm>,
    remove: bool,
) -> Result<Response, PageError> {
    page.check_csrf(Some(&form.csrf))?;
    let c = page.lang.cascade();
    managed_plan(&state, &page, id).await?;
    let Ok(parent) = form.parent.trim().parse::<i64>() else {
        return Err(page
            .error(ApiError::BadRequest("parent: choose a plan".into()))
            .say(c.err_choose_plan));
    };
    readable_plan(&state, &page, parent).await?;
    let by = super::account::change_by(&page);
    if remove {
        plan_links::unlink(&state.store, id, parent, &by)
            .await
            .map_err(|e| say(&page, e))?;
        Ok(Redirect::to(&format!("/plans/{id}/cascade?done=unlinked")).into_response())
    } else {
        plan_links::link(&state.store, id, parent, &by)
            .await
            .map_err(|e| say(&page, e))?;
        Ok(Redirect::to(&format!("/plans/{id}/cascade?done=linked")).into_response())
    }
}

#[derive(Deserialize)]
pub struct MapForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    task: String,
    /// A parent task id, or "" for none of the parent's.
    #[serde(default)]
    to: String,
}

/// `POST /plans/{id}/cascade/map`: the parent's plan office confirms or corrects which of its
/// tasks a child task carries out.
pub async fn map(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<MapForm>,
) -> Result<Response, PageError> {
    page.check_csrf(Some(&form.csrf))?;
    let c = page.lang.cascade();
    managed_plan(&state, &page, id).await?;
    let bad = |what: &str| {
        page.error(ApiError::BadRequest(format!("{what}: not a task")))
            .say(c.err_task)
    };
    let task: i64 = form.task.trim().parse().map_err(|_| bad("task"))?;
    let to: Option<i64> = match form.to.trim() {
        "" => None,
        s => Some(s.parse().map_err(|_| bad("to"))?),
    };
    let by = super::account::change_by(&page);
    plan_links::map_task(&state.store, id, task, to, &by)
        .await
        .map_err(|e| match e {
            CascadeError::Store(StoreError::NotFound(_)) => bad("task"),
            e => say(&page, e),
        })?;
    Ok(Redirect::to(&format!(
        "/plans/{id}/cascade?done=mapped#task-{}",
        to.unwrap_or(0)
    ))
    .into_response())
}

pub struct FateItem {
    pub code: String,
    pub name: String,
    pub kind: &'static str,
    pub class: &'static str,
    pub why: String,
    pub units: String,
}

pub struct CarriedItem {
    pub label: String,
    pub dates: String,
    pub targets: String,
    pub leads: String,
    pub to_confirm: usize,
}

#[derive(Template)]
#[template(path = "carry.html")]
struct CarryPage {
    l: Layout,
    c: &'static Cascade,
    id: i64,
    heading: String,
    draft_title: String,
    year: i32,
    kept: usize,
    replaced: usize,
    to_confirm: usize,
    fates: Vec<FateItem>,
    tasks: Vec<CarriedItem>,
}

#[derive(Deserialize)]
pub struct CarryQuery {
    #[serde(default)]
    year: String,
}

/// `GET /plans/{id}/carry?year=`: the draft and every lead unit's fate.
pub async fn carry(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Query(query): Query<CarryQuery>,
) -> Result<Response, PageError> {
    let c = page.lang.cascade();
    let plan = managed_plan(&state, &page, id).await?;
    let Ok(year) = query.year.trim().parse::<i32>() else {
        return Err(page
            .error(ApiError::BadRequest("year: a year".into()))
            .say(c.err_year));
    };
    let by = super::account::change_by(&page);
    let draft: CarryDraft = plan_links::carry(&state.store, id, year, &by)
        .await
        .map_err(|e| say(&page, e))?;
    let names = |v: &[crate::cascade::carry::UnitRef]| {
        v.iter()
            .map(|u| u.name.clone())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut fates: Vec<FateItem> = draft
        .units
        .iter()
        .map(|u| {
            let (kind, class, why, units) = match &u.fate {
                Fate::Kept => (c.kept, "fate-kept", String::new(), String::new()),
                Fate::Replaced { successors, rule } => (
                    c.replaced,
                    "fate-replaced",
                    match rule.as_str() {
                        "province_merged" => c.rule_province,
                        "district_abolished" => c.rule_district,
                        "commune_merged" => c.rule_commune,
                        "agency_merged" => c.rule_agency,
                        _ => c.rule_unit,
                    }
                    .to_string(),
                    names(successors),
                ),
                Fate::ToConfirm { reason, candidates } => (
                    c.to_confirm,
                    "fate-confirm",
                    match reason.split_once(':') {
                        Some(("ends_during_year", d)) => format!(
                            "{} {}",
                            c.reason_ends,
                            d.parse().map(dmy).unwrap_or_else(|_| d.to_string())
                        ),
                        _ if reason == "unknown_on_source_date" => c.reason_unknown.to_string(),
                        _ => c.reason_no_successor.to_string(),
                    },
                    names(candidates),
                ),
            };
            FateItem {
                code: u.code.clone(),
                name: u.name.clone(),
                kind,
                class,
                why,
                units,
            }
        })
        .collect();
    // To confirm first, then replaced, then kept: what needs the plan office's eye on top.
    fates.sort_by_key(|f| match f.class {
        "fate-confirm" => 0,
        "fate-replaced" => 1,
        _ => 2,
    });
    let tasks = draft
        .tasks
        .iter()
        .map(|t| CarriedItem {
            label: format!("{} {}", t.reference, t.title),
            dates: match (t.window_from, t.window_to, t.due) {
                (Some(f), Some(to), _) => format!("{} – {}", dmy(f), dmy(to)),
                (_, _, Some(d)) => dmy(d),
                _ => String::new(),
            },
            targets: t.targets.join("; "),
            leads: names(&t.leads),
            to_confirm: t.leads_to_confirm.len(),
        })
        .collect();
    let heading = label(plan.number.as_deref(), &plan.title);
    Ok(render(
        page.lang,
        &CarryPage {
            l: page.layout(format!("{} {year} – {heading}", c.draft_for)),
            c,
            id,
            heading,
            draft_title: format!(
                "{} ({} – {})",
                draft.title,
                dmy_opt(draft.period_from),
                dmy_opt(draft.period_to)
            ),
            year,
            kept: draft.kept,
            replaced: draft.replaced,
            to_confirm: draft.to_confirm,
            fates,
            tasks,
        },
    ))
}

#[derive(Deserialize)]
pub struct CarryImportForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    year: String,
}

/// `POST /plans/{id}/carry`: the draft of `year` waits as an import of the caller's, and the
/// import preview opens on it (units to confirm as unresolved leads, each task to correct,
/// the parent plan to choose), to be confirmed like an uploaded document.
pub async fn carry_import(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CarryImportForm>,
) -> Result<Response, PageError> {
    page.check_csrf(Some(&form.csrf))?;
    let c = page.lang.cascade();
    let plan = managed_plan(&state, &page, id).await?;
    let Ok(year) = form.year.trim().parse::<i32>() else {
        return Err(page
            .error(ApiError::BadRequest("year: a year".into()))
            .say(c.err_year));
    };
    let by = super::account::change_by(&page);
    let prepared = plan_links::carry_as_import(&state.store, id, year, &by)
        .await
        .map_err(|e| say(&page, e))?;
    let pending = crate::pending_import::PendingImport {
        file_name: format!("{} ({year})", label(plan.number.as_deref(), &plan.title))
            .chars()
            .take(200)
            .collect(),
        prepared,
        fixed: Vec::new(),
    };
    let pid = crate::pending_import::create(&state.store, page.session.user.id, &pending)
        .await
        .map_err(|e| page.error(e))?;
    Ok(Redirect::to(&format!("/plans/import/{pid}")).into_response())
}
