//! `/deadlines`: deliverables not done and overdue, and those due in the next 14 days, over every
//! plan, for the units the user can see, soonest first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kehoach_core::compliance::{DeadlineState, deadline_state};

use super::{Layout, PageError, SignedIn, dmy, render};
use crate::web::AppState;
use crate::web::authz::visible_units;

/// How far ahead "due soon" looks.
pub const AHEAD_DAYS: i64 = 14;
/// Most items listed per section (the page stays small; the counts are complete).
const MAX_ITEMS: usize = 300;
/// Most rows read (a bound on the query; the totals count up to it).
const MAX_ROWS: i64 = 100_000;

pub struct DeadlineItem {
    pub due: String,
    pub task_id: i64,
    pub task: String,
    pub unit: String,
    pub plan: String,
}

#[derive(Template)]
#[template(path = "deadlines.html")]
struct DeadlinesPage {
    l: Layout,
    at: String,
    overdue: Vec<DeadlineItem>,
    soon: Vec<DeadlineItem>,
    overdue_total: usize,
    soon_total: usize,
}

pub async fn page(State(state): State<AppState>, page: SignedIn) -> Result<Response, PageError> {
    let visible = visible_units(&state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;
    let today = page.today;
    let horizon = today + chrono::Duration::days(AHEAD_DAYS);
    // Straight from the assignments' done dates (kept current with each activity): the same
    // four-state rule as `compliance`, without evaluating every plan's periods.
    let rows = state
        .store
        .open_deliverables(today, horizon, MAX_ROWS)
        .await
        .map_err(|e| page.error(e))?;
    let (mut overdue, mut soon) = (Vec::new(), Vec::new());
    let (mut overdue_total, mut soon_total) = (0, 0);
    for row in rows {
        if visible.as_ref().is_some_and(|v| !v.contains(&row.unit_id)) {
            continue;
        }
        let item = DeadlineItem {
            due: dmy(row.due),
            task_id: row.task_id,
            task: format!("{} {}", row.reference, row.title),
            unit: row.unit_name,
            plan: row.plan_number.unwrap_or(row.plan_title),
        };
        let (list, total) = match deadline_state(row.due, None, today) {
            DeadlineState::NotDoneOverdue => (&mut overdue, &mut overdue_total),
            _ => (&mut soon, &mut soon_total),
        };
        *total += 1;
        if list.len() < MAX_ITEMS {
            list.push(item);
        }
    }
    let template = DeadlinesPage {
        l: page.layout(page.t.deadlines),
        at: dmy(today),
        overdue,
        soon,
        overdue_total,
        soon_total,
    };
    Ok(render(page.lang, &template))
}
