//! `/plans`: the stored plans, newest first, and the way to import one.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::{Layout, PageError, SignedIn, dmy_opt, render};
use crate::web::AppState;
use crate::web::authz::{Authz, ensure_may_import};

pub struct PlanItem {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub issued: String,
    pub period: String,
    /// "Lưu trữ" when the plan is archived (issue 19), else empty.
    pub archived: &'static str,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    l: Layout,
    plans: Vec<PlanItem>,
    may_import: bool,
}

pub fn period_text(from: Option<chrono::NaiveDate>, to: Option<chrono::NaiveDate>) -> String {
    match (from, to) {
        (None, None) => String::new(),
        (f, t) => format!("{} – {}", dmy_opt(f), dmy_opt(t)),
    }
}

pub async fn list(State(state): State<AppState>, page: SignedIn) -> Result<Response, PageError> {
    // The plans the caller may read (its subtree's and those it takes part in), as the API lists.
    let root = Authz::of(&state, &page.session.user)
        .scope_root()
        .await
        .map_err(|e| page.error(e))?;
    let mut plans = state
        .store
        .plans_within(root)
        .await
        .map_err(|e| page.error(e))?;
    plans.sort_by_key(|p| std::cmp::Reverse(p.id));
    let plans = plans
        .into_iter()
        .map(|p| PlanItem {
            id: p.id,
            number: p.number.unwrap_or_default(),
            title: p.title,
            issued: dmy_opt(p.issued_on),
            period: period_text(p.period_from, p.period_to),
            archived: if p.archived_on.is_some() {
                super::i18n::plan_edit_words(page.lang).archived
            } else {
                ""
            },
        })
        .collect();
    let template = PlansPage {
        l: page.layout(page.t.plans),
        plans,
        may_import: ensure_may_import(&page.session.user).is_ok(),
    };
    Ok(render(page.lang, &template))
}
