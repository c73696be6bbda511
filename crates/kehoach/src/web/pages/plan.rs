//! `/plans/{id}`: the plan overview. Each task with its lead, targets, a progress bar (periods met
//! ÷ ended), its periods by status and its deliverables by the four official deadline states;
//! filters by unit and by status. Figures come from `compliance::plan_compliance` as of the
//! page's date.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kehoach_core::compliance::{DeadlineState, PeriodStatus, Tally};
use serde::Deserialize;

use super::i18n::{Lang, deadline_name, per_name, status_name};
use super::plans::period_text;
use super::svg::{deadline_colour, progress_bar, status_colour};
use super::{Layout, PageError, SignedIn, dmy, dmy_opt, render};
use crate::authz::Action;
use crate::compliance::plan_compliance;
use crate::store::{PlanRow, TargetRow};
use crate::web::authz::{Authz, Resource, visible_units};
use crate::web::{ApiError, AppState};

/// A count shown as a coloured chip.
pub struct Chip {
    pub name: &'static str,
    pub count: u64,
    pub colour: &'static str,
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
            colour: status_colour(s),
            class: s.as_str(),
        })
        .filter(|c| c.count > 0)
        .collect();
    let deadlines = DEADLINES
        .iter()
        .map(|&s| Chip {
            name: deadline_name(lang, s),
            count: deadline_count(tally, s),
            colour: deadline_colour(s),
            class: s.as_str(),
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

pub struct UnitOption {
    pub id: i64,
    pub name: String,
    pub selected: bool,
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
    units: Vec<UnitOption>,
    status_options: Vec<StatusOption>,
}

#[derive(Deserialize, Default)]
pub struct Filters {
    #[serde(default)]
    unit: Option<String>,
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
    let mut unit_names: BTreeMap<String, i64> = BTreeMap::new();
    for a in &assignments {
        if visible.as_ref().is_none_or(|v| v.contains(&a.unit_id)) {
            unit_names.insert(a.unit_name.clone(), a.unit_id);
        }
    }
    let only: Option<HashSet<i64>> = match (unit_filter, &visible) {
        (Some(u), Some(v)) => Some(v.iter().copied().filter(|x| *x == u).collect()),
        (Some(u), None) => Some(std::iter::once(u).collect()),
        (None, v) => v.clone(),
    };
    let report = plan_compliance(&state.store, id, page.today, only.as_ref())
        .await
        .map_err(err)?;
    let tasks_rows = state.store.tasks_of_plan(id).await.map_err(err)?;
    let targets = state.store.targets_of_plan(id).await.map_err(err)?;
    let mut targets_by_task: HashMap<i64, Vec<&TargetRow>> = HashMap::new();
    for t in &targets {
        targets_by_task.entry(t.task_id).or_default().push(t);
    }
    let lead_of: HashMap<i64, &str> = tasks_rows
        .iter()
        .map(|t| (t.id, t.lead_text.as_str()))
        .collect();

    let lang = page.lang;
    let tasks = report
        .tasks
        .iter()
        // Filtered to some units (or a unit's own user): only the tasks they have.
        .filter(|t| only.is_none() || !t.assignments.is_empty())
        .filter(|t| filters.status.is_empty() || has_status(&t.summary.tally, &filters.status))
        .map(|t| {
            let (statuses, deadlines) = chips(lang, &t.summary.tally);
            TaskItem {
                id: t.task_id,
                reference: t.reference.clone(),
                title: t.title.clone(),
                lead: lead_of.get(&t.task_id).unwrap_or(&"").to_string(),
                assigned: t.assignments.len(),
                targets: targets_text(
                    lang,
                    targets_by_task
                        .get(&t.task_id)
                        .map(Vec::as_slice)
                        .unwrap_or(&[]),
                ),
                due: dmy_opt(t.due),
                bar: progress_bar(t.summary.reporting_rate),
                statuses,
                deadlines,
                activities: t.summary.tally.activity_count,
            }
        })
        .collect();
    let (statuses, deadlines) = chips(lang, &report.summary.tally);
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
    let template = PlanPage {
        l: page.layout(plan.title.clone()),
        id,
        number: plan.number.unwrap_or_default(),
        title: plan.title,
        period: period_text(plan.period_from, plan.period_to),
        at: dmy(page.today),
        bar: progress_bar(report.summary.reporting_rate),
        statuses,
        deadlines,
        tasks,
        units: unit_names
            .into_iter()
            .map(|(name, uid)| UnitOption {
                id: uid,
                name,
                selected: unit_filter == Some(uid),
            })
            .collect(),
        status_options,
    };
    Ok(render(page.lang, &template))
}
