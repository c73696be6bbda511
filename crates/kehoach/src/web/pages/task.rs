//! `/tasks/{id}`: a task and its assignments, each target's periods as a strip of coloured cells
//! (click a cell for the activities behind it), and each assignment's deadline state. Only the
//! page's assignments (15) are evaluated period by period; the task's summary comes from the
//! roll-up counters when the caller sees all its assignments.

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use kehoach_core::compliance::TargetReport;

use super::cells::{Cell, strip};
use super::i18n::{Lang, cell_text, deadline_name, per_name};
use super::plan::{Chip, chips};
use super::style::deadline_class;
use super::svg::rate_bar;
use super::{Layout, PageError, SignedIn, dmy, dmy_opt, render};
use crate::compliance::task_compliance;
use crate::rollup::task_tallies;
use crate::store::{AssignmentRow, AssignmentScope};
use crate::web::authz::visible_units;
use crate::web::{ApiError, AppState};

/// Assignments per page: a year of weekly cells each keeps the page under 200 KB.
const PER_PAGE: usize = 15;

#[derive(serde::Deserialize, Default)]
pub struct TaskQuery {
    #[serde(default)]
    page: Option<usize>,
}

pub struct TargetStrip {
    pub label: String,
    pub svg: String,
    pub pace: String,
}

pub struct AssignmentItem {
    pub id: i64,
    pub unit: String,
    pub deadline: String,
    pub deadline_class: &'static str,
    pub done_on: String,
    pub activities: u64,
    pub last: String,
    pub strips: Vec<TargetStrip>,
}

#[derive(Template)]
#[template(path = "task.html")]
struct TaskPage {
    l: Layout,
    plan_id: i64,
    plan_title: String,
    id: i64,
    reference: String,
    title: String,
    content: String,
    lead: String,
    partners: String,
    due: String,
    at: String,
    bar: String,
    statuses: Vec<Chip>,
    deadlines: Vec<Chip>,
    assignments: Vec<AssignmentItem>,
    total: usize,
    pages: Vec<super::heatmap::Link>,
    legend: Vec<(&'static str, &'static str)>,
    /// "Sửa nhiệm vụ" for who may edit the plan (issue 19), else empty.
    edit_label: &'static str,
}

/// One target's periods as a strip; each cell links to the activities of its period.
pub fn target_strip(lang: Lang, assignment_id: i64, target: &TargetReport) -> TargetStrip {
    let cells: Vec<Cell> = target
        .periods
        .iter()
        .map(|p| Cell {
            status: p.status,
            text: cell_text(lang, &p.period(), p.status, p.achieved, p.expected),
            href: Some(format!(
                "/activities?assignment={assignment_id}&from={}&to={}",
                p.start, p.end
            )),
        })
        .collect();
    let pace = target
        .pace
        .as_ref()
        .map(|p| {
            format!(
                "{:.0}/{:.0} ({:.1})",
                p.achieved, target.count, p.expected_by_date
            )
        })
        .unwrap_or_default();
    TargetStrip {
        label: format!(
            "{} {}/{}",
            target.count,
            target.unit,
            per_name(lang, target.per)
        ),
        svg: if cells.is_empty() {
            String::new()
        } else {
            strip(&cells)
        },
        pace,
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<TaskQuery>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let not_found = || page.error(ApiError::NotFound(format!("task {id} not found")));
    let task = state
        .store
        .task(id)
        .await
        .map_err(err)?
        .ok_or_else(not_found)?;
    let plan = super::plan::readable_plan(&state, &page, task.plan_id).await?;
    let visible = visible_units(&state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;
    // The task's assignments the caller may see, in the report's order (unit code).
    let all = state
        .store
        .assignments_in(
            plan.id,
            AssignmentScope {
                task: Some(id),
                units: None,
            },
        )
        .await
        .map_err(err)?;
    let seen: Vec<&AssignmentRow> = all
        .iter()
        .filter(|a| visible.as_ref().is_none_or(|v| v.contains(&a.unit_id)))
        .collect();
    let lang = page.lang;
    let total = seen.len();
    let page_count = total.div_ceil(PER_PAGE).max(1);
    let current = q.page.unwrap_or(1).clamp(1, page_count);
    let on_page: Vec<&AssignmentRow> = seen
        .iter()
        .skip((current - 1) * PER_PAGE)
        .take(PER_PAGE)
        .copied()
        .collect();
    let page_units: HashSet<i64> = on_page.iter().map(|a| a.unit_id).collect();
    // The task's summary over every assignment shown: from the roll-up counters when the caller
    // sees them all, so only the page's assignments are evaluated period by period.
    let (t, summary) = if seen.len() == all.len() {
        let summary = task_tallies(&state.store, plan.id, page.today)
            .await
            .map_err(err)?
            .remove(&id)
            .unwrap_or_default();
        let report = task_compliance(&state.store, plan.id, id, page.today, Some(&page_units))
            .await
            .map_err(err)?;
        let t = report.tasks.into_iter().next().ok_or_else(not_found)?;
        (t, summary)
    } else {
        let only: HashSet<i64> = seen.iter().map(|a| a.unit_id).collect();
        let report = task_compliance(&state.store, plan.id, id, page.today, Some(&only))
            .await
            .map_err(err)?;
        let mut t = report.tasks.into_iter().next().ok_or_else(not_found)?;
        let summary = t.summary.tally;
        let page_ids: HashSet<i64> = on_page.iter().map(|a| a.id).collect();
        t.assignments
            .retain(|a| page_ids.contains(&a.assignment_id));
        (t, summary)
    };
    let assignments = t
        .assignments
        .iter()
        .map(|a| AssignmentItem {
            id: a.assignment_id,
            unit: a.unit.name.clone(),
            deadline: a
                .state
                .map(|s| deadline_name(lang, s).to_string())
                .unwrap_or_default(),
            deadline_class: a.state.map(deadline_class).unwrap_or(""),
            done_on: dmy_opt(a.done_on),
            activities: a.activity_count,
            last: dmy_opt(a.last_activity_on),
            strips: a
                .targets
                .iter()
                .map(|target| target_strip(lang, a.assignment_id, target))
                .collect(),
        })
        .collect();
    let (statuses, deadlines) = chips(lang, &summary);
    let edit_label = if super::plan_edit::may_edit(&state, &page, &plan).await {
        super::i18n::plan_edit_words(page.lang).edit_task
    } else {
        ""
    };
    let template = TaskPage {
        edit_label,
        l: page.layout(task.title.clone()),
        plan_id: plan.id,
        plan_title: plan.title,
        id,
        reference: task.reference,
        title: task.title,
        content: task.content,
        lead: task.lead_text,
        partners: task.partner_text,
        due: dmy_opt(task.due),
        at: dmy(page.today),
        bar: rate_bar(summary.reporting_rate(), page.t.reporting_rate),
        statuses,
        deadlines,
        assignments,
        total,
        pages: if page_count > 1 {
            (1..=page_count)
                .map(|n| super::heatmap::Link {
                    label: n.to_string(),
                    href: format!("/tasks/{id}?page={n}"),
                    current: n == current,
                })
                .collect()
        } else {
            Vec::new()
        },
        legend: super::heatmap::legend(lang),
    };
    Ok(render(page.lang, &template))
}
