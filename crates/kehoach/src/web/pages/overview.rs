//! `/overview` ("Tổng quan"), the landing page of plan offices, finance, viewers and
//! administrators: the plans in the caller's scope, worst first, each with a headline that says
//! what its percentage is of ("62 % — 310 trên 500 kỳ đã kết thúc đạt chỉ tiêu"); then for one
//! plan (`?plan=ID`; by default the caller's own) its units ranked worst first with their counts
//! and overdue deliverables, the tasks furthest behind, the rate month by month, and links down
//! to the plan, a unit's part of it, the heatmap and the activities.
//!
//! Figures are as of the page's date. Headlines and the trend come from the roll-up counters
//! (`rollup`), the unit ranking from per-unit SQL aggregates (`standings`); a caller who only
//! takes part in a plan sees only its own units, and the headline is theirs.

use std::collections::{BTreeMap, HashSet};

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use chrono::Datelike;
use kehoach_core::compliance::Tally;
use serde::Deserialize;

use super::i18n::Flows;
use super::numbers::count;
use super::svg::progress_bar;
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::{Action, Reach};
use crate::standings::{PlanFacts, UnitStanding, monthly_trend, unit_standings};
use crate::store::PlanRow;
use crate::web::authz::{Authz, Resource, visible_units};
use crate::web::{ApiError, AppState};

/// Units shown before "show every unit".
const WORST_SHOWN: usize = 10;
/// Most units listed at all (a province's plan has a few hundred).
const MAX_UNITS: usize = 2000;
/// Tasks shown under "furthest behind".
const TASKS_SHOWN: usize = 5;
/// Months of the trend.
const TREND_MONTHS: u32 = 12;

#[derive(Deserialize, Default)]
pub struct OverviewQuery {
    #[serde(default)]
    plan: Option<i64>,
    #[serde(default)]
    all: Option<String>,
}

pub struct PlanLine {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub headline: String,
    pub bar: String,
    pub current: bool,
}

pub struct UnitLine {
    pub rank: usize,
    pub name: String,
    pub ended: u64,
    pub met: u64,
    pub missed: u64,
    pub rate: String,
    pub on_time: String,
    pub overdue: u64,
    pub plan_href: String,
    pub activities_href: String,
}

pub struct TrendLine {
    pub month: String,
    pub bar: String,
    pub counts: String,
}

pub struct TaskLine {
    pub id: i64,
    pub label: String,
    pub bar: String,
    pub counts: String,
}

pub struct Detail {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub headline: String,
    pub bar: String,
    pub participant: bool,
    pub units: Vec<UnitLine>,
    pub total_units: usize,
    pub showing_all: bool,
    pub trend: Vec<TrendLine>,
    pub tasks: Vec<TaskLine>,
    /// The plan's report, tables and evidence pack (a participant's: its own part).
    pub downloads: super::exports::Downloads,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    l: Layout,
    f: &'static Flows,
    at: String,
    plans: Vec<PlanLine>,
    detail: Option<Detail>,
    /// The downloads' template asks for it (the calendar form, not shown here).
    csrf: String,
}

/// "62 % — 310 trên 500 kỳ đã kết thúc đạt chỉ tiêu", or that nothing has ended yet.
pub fn headline(f: &Flows, met: u64, ended: u64) -> String {
    if ended == 0 {
        return f.no_ended_periods.to_string();
    }
    format!(
        "{} — {} {} {} {}",
        percent(Some(met as f64 / ended as f64)),
        count(f, met),
        f.of,
        count(f, ended),
        f.ended_periods_met
    )
}

/// "62 %", or "–" without a rate.
pub(crate) fn percent(rate: Option<f64>) -> String {
    match rate {
        // A no-break space: "62 %" never breaks across lines.
        Some(r) => format!("{:.0}\u{a0}%", (r * 100.0).clamp(0.0, 100.0)),
        None => "–".into(),
    }
}

fn rate(met: u64, ended: u64) -> Option<f64> {
    (ended > 0).then(|| met as f64 / ended as f64)
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<OverviewQuery>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let f = page.lang.flows();
    let at = page.today;
    let authz = Authz::of(&state, &page.session.user);
    let root = authz.scope_root().await.map_err(|e| page.error(e))?;
    let plans = state.store.plans_within(root).await.map_err(err)?;
    let visible = visible_units(&state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;

    // Whether the caller sees each plan whole, or only takes part in it.
    let mut whole: HashSet<i64> = HashSet::new();
    for plan in &plans {
        if authz
            .check(Action::ViewPlan, Resource::Plan(plan))
            .await
            .map_err(|e| page.error(e))?
            == Reach::Inside
        {
            whole.insert(plan.id);
        }
    }
    // The headlines: every plan at once for a caller who sees everything; else plan by plan
    // (whole plans from the counters, a participant's part from its units).
    let mut tallies: BTreeMap<i64, (u64, u64)> = BTreeMap::new();
    if root.is_none() {
        for (id, t) in crate::rollup::plan_tallies(&state.store, at)
            .await
            .map_err(err)?
        {
            tallies.insert(id, (t.met, t.ended));
        }
    }
    // The plan looked at: asked for, else the caller's own plan, else the first.
    let chosen = match q.plan {
        Some(id) => Some(
            plans
                .iter()
                .find(|p| p.id == id)
                .ok_or_else(|| page.error(ApiError::NotFound(format!("plan {id} not found"))))?
                .id,
        ),
        None => plans
            .iter()
            .find(|p| root.is_some() && p.context_unit_id == root)
            .or(plans.first())
            .map(|p| p.id),
    };
    let mut detail = None;
    for plan in &plans {
        let is_whole = whole.contains(&plan.id);
        let is_chosen = chosen == Some(plan.id);
        // The plan's roll-up per task, read once: its headline is their sum, and the chosen
        // plan's detail lists its tasks from the same read.
        let mut by_task = None;
        if is_whole && (is_chosen || !tallies.contains_key(&plan.id)) {
            let read = crate::rollup::task_tallies(&state.store, plan.id, at)
                .await
                .map_err(err)?;
            tallies.entry(plan.id).or_insert_with(|| {
                let t = read.values().fold(Tally::default(), |mut sum, t| {
                    sum += *t;
                    sum
                });
                (t.met, t.ended)
            });
            by_task = Some(read);
        }
        if !is_whole || is_chosen {
            let d = plan_detail(
                &state,
                &page,
                plan,
                by_task.filter(|_| is_whole),
                visible.as_ref(),
                &q,
            )
            .await?;
            if !is_whole {
                tallies.insert(plan.id, sum_units(&d.1));
            }
            if is_chosen {
                detail = Some(d.0);
            }
        }
    }
    let mut lines: Vec<(Option<f64>, PlanLine)> = plans
        .iter()
        .map(|p| {
            let (met, ended) = tallies.get(&p.id).copied().unwrap_or((0, 0));
            (
                rate(met, ended),
                PlanLine {
                    id: p.id,
                    number: crate::export::known_plan_number(p.number.as_deref())
                        .unwrap_or_default()
                        .to_string(),
                    title: p.title.clone(),
                    headline: headline(f, met, ended),
                    bar: progress_bar(rate(met, ended), page.t.reporting_rate),
                    current: chosen == Some(p.id),
                },
            )
        })
        .collect();
    // Worst first; plans with nothing ended yet last.
    lines.sort_by(|a, b| {
        (a.0.is_none(), a.0.unwrap_or(0.0), a.1.id)
            .partial_cmp(&(b.0.is_none(), b.0.unwrap_or(0.0), b.1.id))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if let Some(d) = detail.as_mut() {
        let (met, ended) = tallies.get(&d.id).copied().unwrap_or((0, 0));
        d.headline = headline(f, met, ended);
        d.bar = progress_bar(rate(met, ended), page.t.reporting_rate);
    }
    let template = OverviewPage {
        l: page.layout(f.overview),
        f,
        at: dmy(at),
        plans: lines.into_iter().map(|(_, l)| l).collect(),
        detail,
        csrf: page.session.csrf.clone(),
    };
    Ok(render(page.lang, &template))
}

fn sum_units(units: &[UnitStanding]) -> (u64, u64) {
    units
        .iter()
        .fold((0, 0), |(m, e), u| (m + u.met, e + u.ended))
}

/// One plan's ranking, tasks and trend (the headline is filled in by the caller).
/// `by_task` is the plan's roll-up per task when the caller sees the plan whole, else `None`.
async fn plan_detail(
    state: &AppState,
    page: &SignedIn,
    plan: &PlanRow,
    by_task: Option<BTreeMap<i64, Tally>>,
    visible: Option<&HashSet<i64>>,
    q: &OverviewQuery,
) -> Result<(Detail, Vec<UnitStanding>), PageError> {
    let whole = by_task.is_some();
    let err = |e: crate::store::StoreError| page.error(e);
    let at = page.today;
    let f = page.lang.flows();
    let facts = PlanFacts::load(&state.store, plan.clone())
        .await
        .map_err(err)?;
    let standings = unit_standings(&state.store, &facts, at, if whole { None } else { visible })
        .await
        .map_err(err)?;
    let showing_all = q.all.is_some();
    let shown = if showing_all { MAX_UNITS } else { WORST_SHOWN };
    let units = standings
        .iter()
        .take(shown)
        .enumerate()
        .map(|(i, u)| UnitLine {
            rank: i + 1,
            name: u.name.clone(),
            ended: u.ended,
            met: u.met,
            missed: u.missed(),
            rate: percent(u.rate()),
            on_time: percent(u.on_time_rate()),
            overdue: u.overdue,
            plan_href: format!("/plans/{}?unit={}", plan.id, u.unit_id),
            activities_href: format!(
                "/activities?plan={}&unit={}&from={}-01-01&to={at}",
                plan.id,
                u.unit_id,
                at.year()
            ),
        })
        .collect();
    // The trend and the tasks cover the whole plan: only for a caller who sees it whole.
    let (trend, tasks) = if let Some(by_task) = by_task {
        let trend = monthly_trend(&state.store, &facts, at, TREND_MONTHS)
            .await
            .map_err(err)?
            .into_iter()
            .map(|p| TrendLine {
                month: format!("{:02}/{}", p.month.month(), p.month.year()),
                bar: progress_bar(rate(p.met, p.ended), page.t.reporting_rate),
                counts: format!("{}/{}", count(f, p.met), count(f, p.ended)),
            })
            .collect();
        let mut tasks: Vec<(f64, TaskLine)> = facts
            .tasks
            .iter()
            .filter_map(|t| {
                let tally = by_task.get(&t.id)?;
                let r = tally.reporting_rate()?;
                Some((
                    r,
                    TaskLine {
                        id: t.id,
                        label: format!("{} {}", t.reference, t.title),
                        bar: progress_bar(Some(r), page.t.reporting_rate),
                        counts: format!("{}/{}", count(f, tally.met), count(f, tally.ended)),
                    },
                ))
            })
            .collect();
        tasks.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.id.cmp(&b.1.id)));
        (
            trend,
            tasks
                .into_iter()
                .take(TASKS_SHOWN)
                .map(|(_, t)| t)
                .collect(),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    // A participant downloads its own part (the API's rule): its unit's code.
    let own_code = match (whole, page.session.user.unit_id) {
        (false, Some(unit)) => state.store.unit(unit).await.map_err(err)?.map(|u| u.code),
        _ => None,
    };
    let downloads = super::exports::Downloads::new(
        plan.id,
        own_code.as_deref(),
        at.year(),
        None,
        plan.period_to.filter(|end| *end < at),
    );
    Ok((
        Detail {
            downloads,
            id: plan.id,
            number: crate::export::known_plan_number(plan.number.as_deref())
                .unwrap_or_default()
                .to_string(),
            title: plan.title.clone(),
            headline: String::new(),
            bar: String::new(),
            participant: !whole,
            total_units: standings.len(),
            units,
            showing_all,
            trend,
            tasks,
        },
        standings,
    ))
}
