//! `/plans/{id}`: the plan overview. Each task with its lead, targets, a progress bar (periods met
//! ÷ ended), its periods by status and its deliverables by the four official deadline states;
//! filters by unit and by status. Figures are as of the page's date: from the roll-up counters
//! (`rollup::task_tallies`) when the caller sees the whole plan, else from
//! `compliance::plan_compliance` over the assignments shown — the two agree (`tests/rollup.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kehoach_core::compliance::{DeadlineState, PeriodStatus, Tally};
use serde::Deserialize;

use super::i18n::{Lang, deadline_name, per_name, status_name};
use super::plans::period_text;
use super::style::{deadline_class, status_class};
use super::svg::rate_bar;
use super::{Layout, PageError, SignedIn, dmy, dmy_opt, render};
use crate::authz::Action;
use crate::compliance::plan_compliance;
use crate::rollup::task_tallies;
use crate::store::{AssignmentRow, PlanRow, TargetRow};
use crate::web::authz::{Authz, Resource, visible_units};
use crate::web::{ApiError, AppState};

/// A count shown as a chip: its name and count, coloured by class (`style.rs`).
pub struct Chip {
    pub name: &'static str,
    pub count: u64,
    pub class: &'static str,
}

pub const STATUSES: [PeriodStatus; 5] = [
    PeriodStatus::Met,
    PeriodStatus::Partial,
    PeriodStatus::Missed,
    PeriodStatus::Open,
    PeriodStatus::Future,
];

pub const DEADLINES: [DeadlineState; 4] = [
    DeadlineState::DoneOnTime,
    DeadlineState::DoneLate,
    DeadlineState::NotDoneWithinDeadline,
    DeadlineState::NotDoneOverdue,
];

fn status_count(tally: &Tally, status: PeriodStatus) -> u64 {
    let s = &tally.statuses;
    match status {
        PeriodStatus::Met => s.met,
        PeriodStatus::Partial => s.partial,
        PeriodStatus::Missed => s.missed,
        PeriodStatus::Open => s.open,
        PeriodStatus::Future => s.future,
    }
}

fn deadline_count(tally: &Tally, state: DeadlineState) -> u64 {
    let d = &tally.deadlines;
    match state {
        DeadlineState::DoneOnTime => d.done_on_time,
        DeadlineState::DoneLate => d.done_late,
        DeadlineState::NotDoneWithinDeadline => d.not_done_within_deadline,
        DeadlineState::NotDoneOverdue => d.not_done_overdue,
    }
}

/// The non-zero status and deadline counts of a tally, as chips.
pub fn chips(lang: Lang, tally: &Tally) -> (Vec<Chip>, Vec<Chip>) {
    let statuses = STATUSES
        .iter()
        .map(|&s| Chip {
            name: status_name(lang, s),
            count: status_count(tally, s),
            class: status_class(s),
        })
        .filter(|c| c.count > 0)
        .collect();
    let deadlines = DEADLINES
        .iter()
        .map(|&s| Chip {
            name: deadline_name(lang, s),
            count: deadline_count(tally, s),
            class: deadline_class(s),
        })
        .filter(|c| c.count > 0)
        .collect();
    (statuses, deadlines)
}

/// "01 chương trình/tuần", a task's targets in words.
pub fn targets_text(lang: Lang, targets: &[&TargetRow]) -> String {
    targets
        .iter()
        .map(|t| {
            let per = t
                .per
                .parse()
                .map(|p| per_name(lang, p))
                .unwrap_or(t.per.as_str());
            format!("{} {}/{}", t.count, t.noun, per)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

pub struct TaskItem {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub assigned: usize,
    pub targets: String,
    pub due: String,
    pub bar: String,
    pub statuses: Vec<Chip>,
    pub deadlines: Vec<Chip>,
    pub activities: u64,
}

pub struct StatusOption {
    pub value: &'static str,
    pub name: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    l: Layout,
    id: i64,
    number: String,
    title: String,
    period: String,
    at: String,
    bar: String,
    statuses: Vec<Chip>,
    deadlines: Vec<Chip>,
    tasks: Vec<TaskItem>,
    picker: super::unit_picker::UnitPicker,
    status_options: Vec<StatusOption>,
    f: &'static super::i18n::Flows,
    downloads: super::exports::Downloads,
    csrf: String,
    /// The link to the plan's links, coverage and carry (issue 22).
    cascade_link: &'static str,
    /// The plans implementing this one, and their word, for the link to their results.
    children_count: usize,
    children_word: &'static str,
    /// Editing after import (issue 19): the archived mark, "add a task", "archive".
    edit: super::plan_edit::PlanEditBar,
}

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    unit: Option<String>,
    /// A unit's name typed in the picker (diacritics optional).
    #[serde(default)]
    unit_q: Option<String>,
    #[serde(default)]
    status: String,
}

/// Whether a tally has anything of the chosen status (a period status or a deadline state).
fn has_status(tally: &Tally, status: &str) -> bool {
    if let Some(s) = STATUSES.iter().find(|s| s.as_str() == status) {
        return status_count(tally, *s) > 0;
    }
    if let Some(s) = DEADLINES.iter().find(|s| s.as_str() == status) {
        return deadline_count(tally, *s) > 0;
    }
    true
}

/// The plan, when it exists and the caller may read it: the one policy decides
/// (`web::authz::Authz::check`), so another unit's plan is a 404 here as in the API. The pages
/// then show a participant only its own part (`visible_units`).
pub async fn readable_plan(
    state: &AppState,
    page: &SignedIn,
    id: i64,
) -> Result<PlanRow, PageError> {
    let plan = state
        .store
        .plan(id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(ApiError::NotFound(format!("plan {id} not found"))))?;
    Authz::of(state, &page.session.user)
        .check(Action::ViewPlan, Resource::Plan(&plan))
        .await
        .map_err(|e| page.error(e))?;
    Ok(plan)
}

pub async fn overview(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Query(filters): Query<Filters>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let plan = readable_plan(&state, &page, id).await?;
    let visible = visible_units(&state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;
    let unit_filter: Option<i64> = filters
        .unit
        .as_deref()
        .filter(|u| !u.is_empty())
        .and_then(|u| u.parse().ok());

    // The unit choices: every unit assigned in the plan that the user may see.
    let assignments = state.store.assignments_of_plan(id).await.map_err(err)?;
    let seen: Vec<&AssignmentRow> = assignments
        .iter()
        .filter(|a| visible.as_ref().is_none_or(|v| v.contains(&a.unit_id)))
        .collect();
    let sees_whole_plan = seen.len() == assignments.len();
    let unit_names: BTreeMap<&str, i64> = seen
        .iter()
        .map(|a| (a.unit_name.as_str(), a.unit_id))
        .collect();
    // A unit's exact name typed in the picker (as its suggestions fill it in) chooses it.
    let typed = filters.unit_q.clone().unwrap_or_default();
    let unit_filter = unit_filter.or_else(|| unit_names.get(typed.trim()).copied());
    let shown: Vec<&AssignmentRow> = seen
        .iter()
        .copied()
        .filter(|a| unit_filter.is_none_or(|u| a.unit_id == u))
        .collect();
    let mut assigned: HashMap<i64, usize> = HashMap::new();
    for a in &shown {
        *assigned.entry(a.task_id).or_default() += 1;
    }
    // Each task's summary: from the roll-up counters when the whole plan is shown (their cost
    // does not grow with the plan's assignments × periods), else by evaluating only the
    // assignments shown.
    let restricted = unit_filter.is_some() || !sees_whole_plan;
    let summaries: HashMap<i64, Tally> = if restricted {
        let only: HashSet<i64> = shown.iter().map(|a| a.unit_id).collect();
        plan_compliance(&state.store, id, page.today, Some(&only))
            .await
            .map_err(err)?
            .tasks
            .into_iter()
            .map(|t| (t.task_id, t.summary.tally))
            .collect()
    } else {
        task_tallies(&state.store, id, page.today)
            .await
            .map_err(err)?
            .into_iter()
            .collect()
    };
    let tasks_rows = state.store.tasks_of_plan(id).await.map_err(err)?;
    let targets = state.store.targets_of_plan(id).await.map_err(err)?;
    let mut targets_by_task: HashMap<i64, Vec<&TargetRow>> = HashMap::new();
    for t in &targets {
        targets_by_task.entry(t.task_id).or_default().push(t);
    }

    let lang = page.lang;
    let none = Tally::default();
    let mut plan_tally = Tally::default();
    let mut tasks = Vec::new();
    for task in &tasks_rows {
        let count = assigned.get(&task.id).copied().unwrap_or(0);
        // Filtered to some units (or a unit's own user): only the tasks they have.
        if restricted && count == 0 {
            continue;
        }
        let tally = summaries.get(&task.id).unwrap_or(&none);
        plan_tally += *tally;
        if !filters.status.is_empty() && !has_status(tally, &filters.status) {
            continue;
        }
        let (statuses, deadlines) = chips(lang, tally);
        tasks.push(TaskItem {
            id: task.id,
            reference: task.reference.clone(),
            title: task.title.clone(),
            lead: task.lead_text.clone(),
            assigned: count,
            targets: targets_text(
                lang,
                targets_by_task
                    .get(&task.id)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]),
            ),
            due: dmy_opt(task.due),
            // No ended period (or no target): no bar, rather than an empty one.
            bar: rate_bar(tally.reporting_rate(), page.t.reporting_rate),
            statuses,
            deadlines,
            activities: tally.activity_count,
        });
    }
    let (statuses, deadlines) = chips(lang, &plan_tally);
    let status_options = STATUSES
        .iter()
        .map(|s| (s.as_str(), status_name(lang, *s)))
        .chain(
            DEADLINES
                .iter()
                .map(|s| (s.as_str(), deadline_name(lang, *s))),
        )
        .map(|(value, name)| StatusOption {
            value,
            name,
            selected: filters.status == value,
        })
        .collect();
    // The downloads: the whole plan, or the unit shown — the one filtered by, or the caller's
    // own when it only takes part in the plan (it may export only its own part).
    let download_unit = match unit_filter {
        Some(u) => Some(u),
        None if !sees_whole_plan => page.session.user.unit_id,
        None => None,
    };
    let download_code = match download_unit {
        Some(u) => state.store.unit(u).await.map_err(err)?.map(|u| u.code),
        None => None,
    };
    let downloads = super::exports::Downloads::new(
        id,
        download_code.as_deref(),
        chrono::Datelike::year(&page.today),
        download_unit,
        plan.period_to.filter(|end| *end < page.today),
    );
    // The unit picker searches the plan's units the caller sees.
    let selected = unit_filter.and_then(|u| {
        unit_names
            .iter()
            .find(|(_, id)| **id == u)
            .map(|(name, id)| super::unit_picker::Choice {
                id: *id,
                name: name.to_string(),
            })
    });
    let found = if selected.is_none() {
        super::unit_picker::matching(unit_names.iter().map(|(n, id)| (*id, *n)), &typed)
    } else {
        Vec::new()
    };
    let picker = super::unit_picker::UnitPicker::new(
        &page.path,
        selected,
        &typed,
        found,
        format!("/units/suggest?plan={id}"),
    );
    let edit = super::plan_edit::PlanEditBar::of(&state, &page, &plan).await;
    let children_count = state
        .store
        .linked_plans(id, false)
        .await
        .map_err(|e| page.error(e))?
        .len();
    let template = PlanPage {
        edit,
        l: page.layout(plan.title.clone()),
        f: page.lang.flows(),
        cascade_link: page.lang.cascade().open,
        children_count,
        children_word: page.lang.cascade().implementing_count,
        downloads,
        csrf: page.session.csrf.clone(),
        id,
        number: plan.number.unwrap_or_default(),
        title: plan.title,
        period: period_text(plan.period_from, plan.period_to),
        at: dmy(page.today),
        bar: rate_bar(plan_tally.reporting_rate(), page.t.reporting_rate),
        statuses,
        deadlines,
        tasks,
        picker,
        status_options,
    };
    Ok(render(page.lang, &template))
}
