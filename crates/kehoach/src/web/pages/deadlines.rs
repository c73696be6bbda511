//! `/deadlines`: deliverables not done and overdue, and those due in the next 14 days, over every
//! plan the user can see, soonest first.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kehoach_core::compliance::DeadlineState;

use super::{Layout, PageError, SignedIn, dmy, render};
use crate::compliance::plan_compliance;
use crate::web::AppState;
use crate::web::authz::visible_units;

/// How far ahead "due soon" looks.
pub const AHEAD_DAYS: i64 = 14;
/// Most items listed per section (the page stays small; the counts are complete).
const MAX_ITEMS: usize = 300;

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
    let visible = visible_units(&state, &page.session.user)
        .await
        .map_err(|e| page.error(e))?;
    let today = page.today;
    let horizon = today + chrono::Duration::days(AHEAD_DAYS);
    let mut overdue = Vec::new();
    let mut soon = Vec::new();
    for plan in state.store.plans().await.map_err(err)? {
        let report = plan_compliance(&state.store, plan.id, today, visible.as_ref())
            .await
            .map_err(err)?;
        for task in &report.tasks {
            let Some(due) = task.due else { continue };
            for a in &task.assignments {
                let item = || {
                    (
                        due,
                        DeadlineItem {
                            due: dmy(due),
                            task_id: task.task_id,
                            task: format!("{} {}", task.reference, task.title),
                            unit: a.unit.name.clone(),
                            plan: plan.number.clone().unwrap_or_else(|| plan.title.clone()),
                        },
                    )
                };
                match a.state {
                    Some(DeadlineState::NotDoneOverdue) => overdue.push(item()),
                    Some(DeadlineState::NotDoneWithinDeadline) if due <= horizon => {
                        soon.push(item())
                    }
                    _ => {}
                }
            }
        }
    }
    overdue.sort_by_key(|(d, _)| *d);
    soon.sort_by_key(|(d, _)| *d);
    let (overdue_total, soon_total) = (overdue.len(), soon.len());
    overdue.truncate(MAX_ITEMS);
    soon.truncate(MAX_ITEMS);
    let template = DeadlinesPage {
        l: page.layout(page.t.deadlines),
        at: dmy(today),
        overdue: overdue.into_iter().map(|(_, i)| i).collect(),
        soon: soon.into_iter().map(|(_, i)| i).collect(),
        overdue_total,
        soon_total,
    };
    Ok(render(page.lang, &template))
}
