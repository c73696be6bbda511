//! `/heatmap?plan=P[&task=T][&per=week|month|quarter|year][&year=Y][&page=N]`: units × periods
//! (weeks, months or quarters of one year, or the years of the plan), a table whose unit column
//! stays put while the cells scroll. Statuses are the engine's (`compliance::plan_compliance` as
//! of the page's date), so a new activity shows at once; only the units of the page shown are
//! evaluated.
//!
//! A cell holds the unit's periods that *start* in its column, of targets recurring at the
//! column's granularity or finer (a weekly target's weeks in a month; a yearly target only in the
//! year view): so a column after the page's date holds only future periods, and the column of
//! the date holds the current one. Its status is the worst of them (missed > partial > open >
//! met > future), its figures their sums. `tests/heatmap.rs` checks every cell of a page against
//! the compliance API on the same date.

use std::collections::{BTreeMap, HashMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::PeriodStatus;
use kehoach_core::period::{Per, Period};
use serde::Deserialize;

use super::cells::{Cell, Column, Row, abbreviate, heatmap};
use super::i18n::{Lang, cell_text, period_name, status_name};
use super::plan::STATUSES;
use super::style::status_class;
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::compliance::{plan_compliance, plan_window, task_compliance};
use crate::web::authz::visible_units;
use crate::web::{ApiError, AppState};

/// Rows per page: a year of weeks for this many units stays under 200 KB.
const ROWS_PER_PAGE: usize = 20;

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
    table: String,
    /// No unit the caller may see is assigned.
    empty: bool,
    /// Units, but no period of this view in this year (e.g. only yearly targets by week).
    no_cells: bool,
    /// Some targets recur less often than the view shows (seen only in a coarser view).
    coarser: bool,
    pers: Vec<Link>,
    years: Vec<Link>,
    pages: Vec<Link>,
    legend: Vec<(&'static str, &'static str)>,
}

/// The legend of period statuses: (name, class).
pub fn legend(lang: Lang) -> Vec<(&'static str, &'static str)> {
    STATUSES
        .iter()
        .map(|&s| (status_name(lang, s), status_class(s)))
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

/// What a cell sums up: its worst status and the sums of achieved and expected.
#[derive(Clone, Copy)]
struct Acc {
    status: PeriodStatus,
    achieved: f64,
    expected: f64,
}

/// The views offered, finest first.
const VIEWS: [Per; 4] = [Per::Week, Per::Month, Per::Quarter, Per::Year];

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
    // may see, by name then code; only the page's units are evaluated, so a page costs the same
    // however many units the plan has.
    let mut units: BTreeMap<(String, String), i64> = BTreeMap::new();
    let mut unit_of_assignment: HashMap<i64, i64> = HashMap::new();
    for a in state
        .store
        .assignments_of_plan(plan.id)
        .await
        .map_err(err)?
    {
        if q.task.is_none_or(|t| a.task_id == t)
            && visible.as_ref().is_none_or(|v| v.contains(&a.unit_id))
        {
            unit_of_assignment.insert(a.id, a.unit_id);
            units.insert((a.unit_name, a.unit_code), a.unit_id);
        }
    }
    let total = units.len();
    let pages = total.div_ceil(ROWS_PER_PAGE).max(1);
    let current = q.page.unwrap_or(1).clamp(1, pages);
    let page_units: Vec<((String, String), i64)> = units
        .into_iter()
        .skip((current - 1) * ROWS_PER_PAGE)
        .take(ROWS_PER_PAGE)
        .collect();
    let only: HashSet<i64> = page_units.iter().map(|(_, id)| *id).collect();
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
    if q.task.is_some() && tasks.is_empty() {
        return Err(page.error(ApiError::NotFound(page.t.task_not_in_plan.into())));
    }
    let recurring: Vec<Per> = tasks
        .iter()
        .flat_map(|t| &t.assignments)
        .flat_map(|a| &a.targets)
        .map(|t| t.per)
        .filter(|p| p.is_recurring())
        .collect();
    // A task opens at its finest target (a day's counts by week); a plan by month.
    let per = match q.per.as_deref().and_then(|p| p.parse::<Per>().ok()) {
        Some(p) if VIEWS.contains(&p) => p,
        _ if q.task.is_some() => recurring
            .iter()
            .min()
            .copied()
            .unwrap_or(Per::Month)
            .max(Per::Week),
        _ => Per::Month,
    };
    let coarser = recurring.iter().any(|p| *p > per);
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
    let (from, to) = if per == Per::Year {
        (
            NaiveDate::from_ymd_opt(first_year, 1, 1),
            NaiveDate::from_ymd_opt(last_year, 12, 31),
        )
    } else {
        (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        )
    };
    let (Some(from), Some(to)) = (from, to) else {
        return Err(page.error(ApiError::BadRequest(page.t.bad_year.into())));
    };
    let columns: Vec<Period> = Period::overlapping(per, from, to).collect();

    // unit id → one accumulator per column
    let mut cells: HashMap<i64, Vec<Option<Acc>>> = page_units
        .iter()
        .map(|(_, id)| (*id, vec![None; columns.len()]))
        .collect();
    for task in &tasks {
        for a in &task.assignments {
            let Some(row) = unit_of_assignment
                .get(&a.assignment_id)
                .and_then(|u| cells.get_mut(u))
            else {
                continue;
            };
            for target in a
                .targets
                .iter()
                .filter(|t| t.per.is_recurring() && t.per <= per)
            {
                for p in &target.periods {
                    // The column its period starts in (columns are in order and contiguous).
                    let Some(i) = columns.iter().position(|c| c.contains(p.start)) else {
                        continue;
                    };
                    let acc = row[i].get_or_insert(Acc {
                        status: p.status,
                        achieved: 0.0,
                        expected: 0.0,
                    });
                    acc.status = worse(acc.status, p.status);
                    acc.achieved += p.achieved;
                    acc.expected += p.expected;
                }
            }
        }
    }
    let lang = page.lang;
    let task_param = q.task.map(|t| format!("&task={t}")).unwrap_or_default();
    let rows: Vec<Row> = page_units
        .into_iter()
        .map(|((name, code), unit_id)| {
            let accs = cells.remove(&unit_id).unwrap_or_default();
            let cells = accs
                .into_iter()
                .zip(&columns)
                .map(|(acc, col)| {
                    acc.map(|acc| Cell {
                        status: acc.status,
                        text: cell_text(lang, col, acc.status, acc.achieved, acc.expected),
                        // Nothing can be behind a future cell.
                        href: (acc.status != PeriodStatus::Future).then(|| {
                            format!(
                                "/activities?plan={}&unit={unit_id}{task_param}&from={}&to={}",
                                plan.id, col.start, col.end
                            )
                        }),
                    })
                })
                .collect();
            Row {
                label: abbreviate(&name),
                full: name,
                code,
                cells,
            }
        })
        .collect();
    let heading: Vec<Column> = columns
        .iter()
        .map(|c| Column {
            label: match per {
                Per::Week => format!("{:02}", c.start.iso_week().week()),
                Per::Month => format!("{:02}", c.start.month()),
                Per::Quarter => format!("Q{}", c.start.month0() / 3 + 1),
                _ => c.start.year().to_string(),
            },
            full: period_name(lang, c),
            from: c.start,
        })
        .collect();
    let base = format!("/heatmap?plan={}{task_param}", plan.id);
    let link = |per: Per, year: i32, page: usize| {
        format!("{base}&per={}&year={year}&page={page}", per.as_str())
    };
    let t = page.t;
    let task_title = tasks
        .first()
        .filter(|_| q.task.is_some())
        .map(|t| format!("{} {}", t.reference, t.title))
        .unwrap_or_default();
    let caption = format!(
        "{}: {} · {} {}",
        t.heatmap,
        if task_title.is_empty() {
            &plan.title
        } else {
            &task_title
        },
        t.as_of,
        dmy(page.today)
    );
    let template = HeatmapPage {
        l: page.layout(format!("{} · {}", t.heatmap, plan.title)),
        plan_id: plan.id,
        plan_title: plan.title.clone(),
        task_title,
        at: dmy(page.today),
        empty: rows.is_empty(),
        // Only when every unit is on this page: another page may have periods.
        no_cells: pages == 1 && rows.iter().all(|r| r.cells.iter().all(Option::is_none)),
        table: heatmap(
            &caption,
            t.unit,
            per.as_str(),
            &heading,
            &rows,
            columns.iter().position(|c| c.contains(page.today)),
        ),
        coarser,
        pers: VIEWS
            .iter()
            .map(|&p| Link {
                label: t.view_per(p).into(),
                href: link(p, year, 1),
                current: p == per,
            })
            .collect(),
        years: if per == Per::Year {
            Vec::new()
        } else {
            (first_year..=last_year)
                .map(|y| Link {
                    label: y.to_string(),
                    href: link(per, y, 1),
                    current: y == year,
                })
                .collect()
        },
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
