//! `/deadlines[?plan=P][&unit=U|&unit_q=text][&state=S][&page=N]`: deliverables grouped by task,
//! one row per task with how many units and its worst state (days overdue shown), newest due
//! date first; each row opens (`<details>`, no script needed) to its units and their states.
//! By default the deliverables not done; filters by plan, unit (a type-ahead search within the
//! caller's subtree) and state. Only what the caller's subtree holds is counted and listed.
//!
//! Counts and rows come from SQL over the assignments' done dates (kept current with each
//! activity): the same four-state rule as `compliance`, without evaluating any period.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::NaiveDate;
use kehoach_core::compliance::{DeadlineState, deadline_state};
use serde::Deserialize;

use super::i18n::{Flows, deadline_name};
use super::style::deadline_class;
use super::unit_picker::{Choice, UnitPicker, subtree_matches, with_params};
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::Scope;
use crate::store::{DeadlineFilter, DeadlineScope, DeadlineTask};
use crate::web::AppState;
use crate::web::authz::Authz;

/// Tasks per page.
const TASKS_PER_PAGE: i64 = 20;
/// Units listed under one task (the counts are complete; the task page has them all).
const UNITS_PER_TASK: usize = 50;

#[derive(Deserialize, Default)]
pub struct DeadlinesQuery {
    #[serde(default)]
    plan: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    unit_q: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    page: Option<i64>,
}

/// The states worst first: what "the worst state" of a task means.
const SEVERITY: [DeadlineState; 4] = [
    DeadlineState::NotDoneOverdue,
    DeadlineState::DoneLate,
    DeadlineState::NotDoneWithinDeadline,
    DeadlineState::DoneOnTime,
];

fn severity(state: DeadlineState) -> usize {
    SEVERITY.iter().position(|s| *s == state).unwrap_or(0)
}

fn filter_of(state: &str) -> DeadlineFilter {
    match state {
        "not_done_overdue" => DeadlineFilter::Overdue,
        "not_done_within_deadline" => DeadlineFilter::WithinDeadline,
        "done_late" => DeadlineFilter::DoneLate,
        "done_on_time" => DeadlineFilter::DoneOnTime,
        "any" => DeadlineFilter::Any,
        _ => DeadlineFilter::Open,
    }
}

/// The worst state among a task's counts.
pub fn worst_state(task: &DeadlineTask) -> DeadlineState {
    let count = |s: DeadlineState| match s {
        DeadlineState::NotDoneOverdue => task.overdue,
        DeadlineState::DoneLate => task.done_late,
        DeadlineState::NotDoneWithinDeadline => task.within_deadline,
        DeadlineState::DoneOnTime => task.done_on_time,
    };
    SEVERITY
        .into_iter()
        .find(|s| count(*s) > 0)
        .unwrap_or(DeadlineState::DoneOnTime)
}

pub struct StateCount {
    pub class: &'static str,
    pub name: &'static str,
    pub count: i64,
}

pub struct UnitLine {
    pub name: String,
    pub class: &'static str,
    pub state: &'static str,
    pub done: String,
}

pub struct TaskGroup {
    pub task_id: i64,
    pub task: String,
    pub plan_id: i64,
    pub plan: String,
    pub due: String,
    pub units: i64,
    pub worst_class: &'static str,
    pub worst: &'static str,
    /// Days since the due date when the worst state is overdue.
    pub days_overdue: Option<i64>,
    pub states: Vec<StateCount>,
    pub unit_lines: Vec<UnitLine>,
    pub more_units: i64,
}

pub struct Option_ {
    pub value: String,
    pub name: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    l: Layout,
    f: &'static Flows,
    at: String,
    plans: Vec<Option_>,
    states: Vec<Option_>,
    picker: UnitPicker,
    tasks: Vec<TaskGroup>,
    total: i64,
    prev_href: String,
    next_href: String,
    page_label: String,
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<DeadlinesQuery>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let f = page.lang.flows();
    let lang = page.lang;
    let today = page.today;
    let authz = Authz::of(&state, &page.session.user);
    let within = match authz.scope().await.map_err(err)? {
        Scope::Everywhere => Some(None),
        Scope::Subtree(root) => Some(Some(root)),
        Scope::Nothing => None,
    };
    let root = within.flatten();
    let plans = state.store.plans_within(root).await.map_err(err)?;
    let plan = q
        .plan
        .as_deref()
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|id| plans.iter().any(|p| p.id == *id));
    // The unit: chosen by id (within the caller's subtree), or searched by name.
    let chosen = match q.unit.as_deref().and_then(|u| u.parse::<i64>().ok()) {
        Some(id) if within.is_some() => match state.store.unit(id).await.map_err(err)? {
            Some(u)
                if root.is_none()
                    || state
                        .store
                        .unit_is_within(u.id, root.unwrap_or(0))
                        .await
                        .map_err(err)? =>
            {
                Some(Choice {
                    id: u.id,
                    name: u.name,
                })
            }
            _ => None,
        },
        _ => None,
    };
    let typed = q.unit_q.clone().unwrap_or_default();
    let found = if chosen.is_none() && !typed.trim().is_empty() && within.is_some() {
        subtree_matches(&state, &page, &typed).await?
    } else {
        Vec::new()
    };
    let picker = UnitPicker::new(&page.path, chosen, &typed, found, "/units/suggest".into());
    let state_param = q.state.clone().unwrap_or_default();
    let scope = DeadlineScope {
        within: root,
        plan,
        unit: picker.selected_id(),
        filter: filter_of(&state_param),
        at: today,
    };
    let current = q.page.unwrap_or(1).max(1);
    let (mut tasks, mut total) = (Vec::new(), 0);
    if within.is_some() {
        total = state
            .store
            .count_deadline_tasks(&scope)
            .await
            .map_err(err)?;
        let rows = state
            .store
            .deadline_tasks(&scope, TASKS_PER_PAGE, (current - 1) * TASKS_PER_PAGE)
            .await
            .map_err(err)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.task_id).collect();
        let mut units: HashMap<i64, Vec<(usize, UnitLine)>> = HashMap::new();
        let dues: HashMap<i64, NaiveDate> = rows.iter().map(|r| (r.task_id, r.due)).collect();
        for u in state
            .store
            .deadline_units(&scope, &ids)
            .await
            .map_err(err)?
        {
            let due = dues.get(&u.task_id).copied().unwrap_or(today);
            let s = deadline_state(due, u.done_on.filter(|d| *d <= today), today);
            units.entry(u.task_id).or_default().push((
                severity(s),
                UnitLine {
                    name: u.unit_name,
                    class: deadline_class(s),
                    state: deadline_name(lang, s),
                    done: u
                        .done_on
                        .filter(|d| *d <= today)
                        .map(dmy)
                        .unwrap_or_default(),
                },
            ));
        }
        for row in rows {
            let worst = worst_state(&row);
            let mut lines = units.remove(&row.task_id).unwrap_or_default();
            // Worst first, then by name (the read's order); a stable sort keeps the names'.
            lines.sort_by_key(|(s, _)| *s);
            let more = (lines.len() as i64 - UNITS_PER_TASK as i64).max(0);
            let states = SEVERITY
                .into_iter()
                .map(|s| StateCount {
                    class: deadline_class(s),
                    name: deadline_name(lang, s),
                    count: match s {
                        DeadlineState::NotDoneOverdue => row.overdue,
                        DeadlineState::DoneLate => row.done_late,
                        DeadlineState::NotDoneWithinDeadline => row.within_deadline,
                        DeadlineState::DoneOnTime => row.done_on_time,
                    },
                })
                .filter(|c| c.count > 0)
                .collect();
            tasks.push(TaskGroup {
                task_id: row.task_id,
                task: format!("{} {}", row.reference, row.title),
                plan_id: row.plan_id,
                plan: row.plan_number.clone().unwrap_or(row.plan_title.clone()),
                due: dmy(row.due),
                units: row.units,
                worst_class: deadline_class(worst),
                worst: deadline_name(lang, worst),
                days_overdue: (worst == DeadlineState::NotDoneOverdue)
                    .then(|| (today - row.due).num_days()),
                states,
                unit_lines: lines
                    .into_iter()
                    .take(UNITS_PER_TASK)
                    .map(|(_, l)| l)
                    .collect(),
                more_units: more,
            });
        }
    }
    let pages = (total + TASKS_PER_PAGE - 1) / TASKS_PER_PAGE;
    let page_href = |n: i64| with_params(&page.path, &[("page", &n.to_string())], &["lang"]);
    let state_options = [("", f.all_open), ("any", f.any_state)]
        .into_iter()
        .chain(
            SEVERITY
                .into_iter()
                .map(|s| (s.as_str(), deadline_name(lang, s))),
        )
        .map(|(value, name)| Option_ {
            value: value.to_string(),
            name: name.to_string(),
            selected: state_param == value,
        })
        .collect();
    let template = DeadlinesPage {
        l: page.layout(page.t.deadlines),
        f,
        at: dmy(today),
        plans: plans
            .iter()
            .map(|p| Option_ {
                value: p.id.to_string(),
                name: p.number.clone().unwrap_or_else(|| p.title.clone()),
                selected: plan == Some(p.id),
            })
            .collect(),
        states: state_options,
        picker,
        tasks,
        total,
        prev_href: if current > 1 {
            page_href(current - 1)
        } else {
            String::new()
        },
        next_href: if current < pages {
            page_href(current + 1)
        } else {
            String::new()
        },
        page_label: format!("{current}/{}", pages.max(1)),
    };
    Ok(render(lang, &template))
}
