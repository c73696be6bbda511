//! `/deadlines`: deliverables not done and overdue, and those due in the next 14 days, over every
//! plan, for the units the user can see, soonest first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use kehoach_core::compliance::{DeadlineState, deadline_state};

use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::Scope;
use crate::web::AppState;
use crate::web::authz::Authz;

/// How far ahead "due soon" looks.
pub const AHEAD_DAYS: i64 = 14;
/// Most items listed per section (the page stays small; the counts are complete).
const MAX_ITEMS: i64 = 300;

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
    let err = |e: crate::store::StoreError| page.error(e);
    let today = page.today;
    let horizon = today + chrono::Duration::days(AHEAD_DAYS);
    let within = match Authz::of(&state, &page.session.user)
        .scope()
        .await
        .map_err(err)?
    {
        Scope::Everywhere => Some(None),
        Scope::Subtree(root) => Some(Some(root)),
        Scope::Nothing => None,
    };
    // Straight from the assignments' done dates (kept current with each activity): the same
    // four-state rule as `compliance`, without evaluating every plan's periods. The totals come
    // from a count per due date, the lists from two bounded reads.
    let (mut overdue, mut soon) = (Vec::new(), Vec::new());
    let (mut overdue_total, mut soon_total) = (0, 0);
    if let Some(root) = within {
        let dues = state
            .store
            .open_deliverable_dues(today, horizon, root)
            .await
            .map_err(err)?;
        let is_overdue = |due| deadline_state(due, None, today) == DeadlineState::NotDoneOverdue;
        for (wanted, list, total) in [
            (true, &mut overdue, &mut overdue_total),
            (false, &mut soon, &mut soon_total),
        ] {
            let dates: Vec<NaiveDate> = dues
                .iter()
                .filter(|(due, _)| is_overdue(*due) == wanted)
                .map(|(due, n)| {
                    *total += usize::try_from(*n).unwrap_or(0);
                    *due
                })
                .collect();
            let (Some(&from), Some(&until)) = (dates.first(), dates.last()) else {
                continue;
            };
            let rows = state
                .store
                .open_deliverables(today, from, until, root, MAX_ITEMS)
                .await
                .map_err(err)?;
            list.extend(
                rows.into_iter()
                    .filter(|row| is_overdue(row.due) == wanted)
                    .map(|row| DeadlineItem {
                        due: dmy(row.due),
                        task_id: row.task_id,
                        task: format!("{} {}", row.reference, row.title),
                        unit: row.unit_name,
                        plan: row.plan_number.unwrap_or(row.plan_title),
                    }),
            );
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
