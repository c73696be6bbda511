//! `/heatmap?plan=P[&task=T][&per=week|month][&year=Y][&page=N]`: units × weeks or months of one
//! year, each cell coloured by the worst status of the unit's periods that overlap it (missed >
//! partial > open > met > future); a click opens the activities behind the cell. Statuses come
//! from `compliance::plan_compliance` as of the page's date, so a new activity shows at once;
//! only the units of the page shown (25 rows) are evaluated.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::PeriodStatus;
use kehoach_core::period::{Per, Period};
use serde::Deserialize;

use super::i18n::{Lang, status_name};
use super::plan::STATUSES;
use super::svg::{Cell, heatmap, status_colour};
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::compliance::{plan_compliance, plan_window, task_compliance};
use crate::web::authz::visible_units;
use crate::web::{ApiError, AppState};

/// Rows per page: a year of weeks for this many units stays well under 200 KB.
const ROWS_PER_PAGE: usize = 25;

#[derive(Deserialize)]
pub struct HeatmapQuery {
    plan: i64,
    #[serde(default)]
    task: Option<i64>,
    #[serde(default)]
    per: Option<String>,
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    page: Option<usize>,
}

pub struct Link {
    pub label: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "heatmap.html")]
struct HeatmapPage {
    l: Layout,
    plan_id: i64,
    plan_title: String,
    task_title: String,
    at: String,
    svg: String,
    pers: Vec<Link>,
    years: Vec<Link>,
    pages: Vec<Link>,
    legend: Vec<(&'static str, &'static str)>,
}

/// The legend of period statuses.
pub fn legend(lang: Lang) -> Vec<(&'static str, &'static str)> {
    STATUSES
        .iter()
        .map(|&s| (status_name(lang, s), status_colour(s)))
        .collect()
}

fn rank(status: PeriodStatus) -> u8 {
    match status {
        PeriodStatus::Future => 0,
        PeriodStatus::Met => 1,
        PeriodStatus::Open => 2,
        PeriodStatus::Partial => 3,
        PeriodStatus::Missed => 4,
    }
}

/// The worse of two statuses for a cell.
pub fn worse(a: PeriodStatus, b: PeriodStatus) -> PeriodStatus {
    if rank(b) > rank(a) { b } else { a }
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<HeatmapQuery>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let plan = super::plan::readable_plan(&state, &page, q.plan).await?;
    let visible = visible_units(&state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;
    // The rows are the units assigned (in the task, or anywhere in the plan) that the caller
    // may see, by name; only the page's units are evaluated, so a page costs the same however
    // many units the plan has.
    let mut units_by_name: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for a in state
        .store
        .assignments_of_plan(plan.id)
        .await
        .map_err(err)?
    {
        if q.task.is_none_or(|t| a.task_id == t)
            && visible.as_ref().is_none_or(|v| v.contains(&a.unit_id))
        {
            let ids = units_by_name.entry(a.unit_name).or_default();
            if !ids.contains(&a.unit_id) {
                ids.push(a.unit_id);
            }
        }
    }
    let total = units_by_name.len();
    let pages = total.div_ceil(ROWS_PER_PAGE).max(1);
    let current = q.page.unwrap_or(1).clamp(1, pages);
    let page_units: Vec<(String, Vec<i64>)> = units_by_name
        .into_iter()
        .skip((current - 1) * ROWS_PER_PAGE)
        .take(ROWS_PER_PAGE)
        .collect();
    let only: HashSet<i64> = page_units
        .iter()
        .flat_map(|(_, ids)| ids)
        .copied()
        .collect();
    let report = match q.task {
        Some(task) => task_compliance(&state.store, plan.id, task, page.today, Some(&only)).await,
        None => plan_compliance(&state.store, plan.id, page.today, Some(&only)).await,
    }
    .map_err(err)?;
    let tasks: Vec<_> = report
        .tasks
        .iter()
        .filter(|t| q.task.is_none_or(|id| t.task_id == id))
        .collect();
    if let Some(id) = q.task
        && tasks.is_empty()
    {
        return Err(page.error(ApiError::NotFound(format!("task {id} not in this plan"))));
    }
    // A task whose own target is weekly opens by week; a plan opens by month.
    let per = match q.per.as_deref() {
        Some("week") => Per::Week,
        Some("month") => Per::Month,
        _ if q.task.is_some()
            && tasks
                .iter()
                .flat_map(|t| &t.assignments)
                .flat_map(|a| &a.targets)
                .any(|t| t.per == Per::Week) =>
        {
            Per::Week
        }
        _ => Per::Month,
    };
    let window = plan_window(&plan, page.today);
    let first_year = window.from.year();
    let last_year = window
        .to
        .map(|d| d.year())
        .unwrap_or(page.today.year())
        .max(first_year);
    let year = q
        .year
        .unwrap_or(page.today.year())
        .clamp(first_year, last_year);
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).expect("1 January exists");
    let year_end = NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December exists");
    let columns: Vec<Period> = Period::overlapping(per, year_start, year_end).collect();

    // unit name → (the unit id its cells link to, one status per column)
    let mut rows: BTreeMap<String, (i64, Vec<Option<PeriodStatus>>)> = page_units
        .iter()
        .map(|(name, ids)| (name.clone(), (ids[0], vec![None; columns.len()])))
        .collect();
    for task in &tasks {
        for a in &task.assignments {
            let Some(row) = rows.get_mut(&a.unit.name) else {
                continue;
            };
            for target in a.targets.iter().filter(|t| t.per.is_recurring()) {
                for p in &target.periods {
                    let period = p.period();
                    for (i, c) in columns.iter().enumerate() {
                        if c.overlaps(&period) {
                            row.1[i] = Some(row.1[i].map_or(p.status, |s| worse(s, p.status)));
                        }
                    }
                }
            }
        }
    }
    let lang = page.lang;
    let task_param = q.task.map(|t| format!("&task={t}")).unwrap_or_default();
    let svg_rows: Vec<(String, Vec<Option<Cell>>)> = rows
        .into_iter()
        .map(|(name, (unit_id, cells))| {
            let cells = cells
                .into_iter()
                .zip(&columns)
                .map(|(status, col)| {
                    status.map(|status| Cell {
                        status,
                        title: String::new(),
                        href: Some(format!(
                            "/activities?plan={}&unit={unit_id}{task_param}&from={}&to={}",
                            plan.id, col.start, col.end
                        )),
                    })
                })
                .collect();
            (name, cells)
        })
        .collect();
    let labels: Vec<String> = columns
        .iter()
        .map(|c| match per {
            Per::Week => format!("{:02}", c.start.iso_week().week()),
            _ => format!("{:02}/{}", c.start.month(), c.start.year() % 100),
        })
        .collect();
    let base = format!("/heatmap?plan={}{task_param}", plan.id);
    let link = |per: Per, year: i32, page: usize| {
        format!("{base}&per={}&year={year}&page={page}", per.as_str())
    };
    let t = page.t;
    let template = HeatmapPage {
        l: page.layout(format!("{} · {}", t.heatmap, plan.title)),
        plan_id: plan.id,
        plan_title: plan.title.clone(),
        task_title: tasks
            .first()
            .filter(|_| q.task.is_some())
            .map(|t| format!("{} {}", t.reference, t.title))
            .unwrap_or_default(),
        at: dmy(page.today),
        svg: heatmap(
            &labels,
            &svg_rows,
            columns.iter().position(|c| c.contains(page.today)),
        ),
        pers: [(Per::Week, t.by_week), (Per::Month, t.by_month)]
            .into_iter()
            .map(|(p, label)| Link {
                label: label.into(),
                href: link(p, year, 1),
                current: p == per,
            })
            .collect(),
        years: (first_year..=last_year)
            .map(|y| Link {
                label: y.to_string(),
                href: link(per, y, 1),
                current: y == year,
            })
            .collect(),
        pages: if pages > 1 {
            (1..=pages)
                .map(|n| Link {
                    label: n.to_string(),
                    href: link(per, year, n),
                    current: n == current,
                })
                .collect()
        } else {
            Vec::new()
        },
        legend: legend(lang),
    };
    Ok(render(lang, &template))
}
