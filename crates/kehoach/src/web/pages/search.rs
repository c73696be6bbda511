//! `/search?q=…`: plans, tasks and units whose text contains the query, diacritics ignored on
//! both sides (`kehoach_core::text::fold`: "chuyen doi so" finds "chuyển đổi số").

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kehoach_core::text::fold;
use serde::Deserialize;

use super::{Layout, PageError, SignedIn, render};
use crate::web::AppState;
use crate::web::authz::Authz;

/// Longest query searched (longer input is cut, not refused).
const MAX_QUERY_CHARS: usize = 200;
/// Most results per kind.
const LIMIT: usize = 50;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

pub struct Hit {
    pub href: String,
    pub label: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    l: Layout,
    q: String,
    searched: bool,
    plans: Vec<Hit>,
    tasks: Vec<Hit>,
    units: Vec<Hit>,
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(query): Query<SearchQuery>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let q: String = kehoach_core::text::nfc(query.q.trim())
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let key = fold(&q);
    let (mut plans, mut tasks, mut units) = (Vec::new(), Vec::new(), Vec::new());
    if !key.is_empty() {
        // Only what the caller may read: the plans and units of its scope, as the API answers.
        let root = Authz::of(&state, &page.session.user)
            .scope_root()
            .await
            .map_err(|e| page.error(e))?;
        let within = state.store.plans_within(root).await.map_err(err)?;
        let ids: Vec<i64> = within.iter().map(|p| p.id).collect();
        let mut tasks_of = state.store.tasks_of_plans(&ids).await.map_err(err)?;
        for plan in within {
            let number = plan.number.clone().unwrap_or_default();
            if plans.len() < LIMIT && fold(&format!("{number} {}", plan.title)).contains(&key) {
                plans.push(Hit {
                    href: format!("/plans/{}", plan.id),
                    label: format!("{number} {}", plan.title),
                    detail: plan.issuer.clone().unwrap_or_default(),
                });
            }
            if tasks.len() >= LIMIT {
                continue;
            }
            for task in tasks_of.remove(&plan.id).unwrap_or_default() {
                let text = format!("{} {} {}", task.reference, task.title, task.lead_text);
                if tasks.len() < LIMIT && fold(&text).contains(&key) {
                    tasks.push(Hit {
                        href: format!("/tasks/{}", task.id),
                        label: format!("{} {}", task.reference, task.title),
                        detail: number.clone(),
                    });
                }
            }
        }
        for unit in state
            .store
            .search_units_within(&q, page.today, LIMIT as i64, root)
            .await
            .map_err(err)?
        {
            units.push(Hit {
                href: format!("/search?q={}", super::url_encode(&unit.name)),
                label: unit.name,
                detail: unit.code,
            });
        }
    }
    let template = SearchPage {
        l: page.layout(page.t.search),
        searched: !key.is_empty(),
        q,
        plans,
        tasks,
        units,
    };
    Ok(render(page.lang, &template))
}
