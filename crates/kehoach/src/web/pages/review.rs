//! `/review` ("Duyệt báo cáo"): the plan office's queue of reported activities within its
//! subtree, newest first, filtered by plan, unit, task and state, each with its evidence (image
//! thumbnails, files, links); accept or return one (with a reason) or several at once. The
//! decision goes through `web::api::review::review_as`, as the API's.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehoach_core::approval::ReviewDecision;
use serde::Deserialize;

use super::i18n::{ReviewWords, locked_text, review_words};
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::Action;
use crate::store::{ReviewFilter, StoreError};
use crate::web::api::review::{parse_state, review_as};
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

/// Activities shown at once (and decided at once, at most).
const PAGE: usize = 50;

pub struct Item {
    pub id: i64,
    pub date: String,
    pub title: String,
    pub quantity: String,
    pub reported: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub plan: String,
    pub plan_id: i64,
    pub task: String,
    pub task_id: i64,
    pub unit: String,
    pub unit_id: i64,
    pub reason: String,
    /// The first evidence file: its download and, for an image, its thumbnail.
    pub file: String,
    pub thumb: String,
    /// The first evidence link (only http(s)).
    pub url: String,
}

pub struct PlanChoice {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    l: Layout,
    w: &'static ReviewWords,
    message: String,
    error: String,
    plans: Vec<PlanChoice>,
    state: String,
    unit: Option<i64>,
    task: Option<i64>,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize, Default)]
pub struct ReviewQuery {
    #[serde(default)]
    plan: Option<String>,
    #[serde(default)]
    unit: Option<i64>,
    #[serde(default)]
    task: Option<i64>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

fn state_class(state: &str) -> &'static str {
    match state {
        "accepted" => "st-met",
        "returned" | "rejected" => "st-missed",
        _ => "st-open",
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<ReviewQuery>,
) -> Result<Response, PageError> {
    let message = if q.done.is_some() {
        review_words(page.lang).reviewed
    } else {
        ""
    };
    build(&state, &page, &q, message, String::new(), StatusCode::OK).await
}

async fn build(
    state: &AppState,
    page: &SignedIn,
    q: &ReviewQuery,
    message: &str,
    error: String,
    status: StatusCode,
) -> Result<Response, PageError> {
    let user = &page.session.user;
    let w = review_words(page.lang);
    let authz = Authz::of(state, user);
    authz
        .check(Action::ReviewActivities, Resource::Anywhere)
        .await
        .map_err(|e| page.error(e))?;
    let root = authz.scope_root().await.map_err(|e| page.error(e))?;
    let plan_id = q.plan.as_deref().and_then(|p| p.trim().parse::<i64>().ok());
    let review_state =
        parse_state(q.state.as_deref().filter(|s| !s.is_empty())).map_err(|e| page.error(e))?;
    let filter = ReviewFilter {
        within: root,
        plan_id,
        unit_id: q.unit,
        task_id: q.task,
        state: review_state,
        reported_by: None,
        limit: PAGE,
    };
    let rows = state
        .store
        .review_queue(&filter)
        .await
        .map_err(|e| page.error(e))?;
    let plans = state
        .store
        .plans_within(root)
        .await
        .map_err(|e| page.error(e))?
        .into_iter()
        .map(|p| PlanChoice {
            selected: Some(p.id) == plan_id,
            id: p.id,
            label: p.number.clone().unwrap_or_else(|| p.title.clone()),
        })
        .collect();
    let items = rows
        .into_iter()
        .map(|r| {
            let image = r
                .file_type
                .as_deref()
                .is_some_and(|t| t.starts_with("image/"));
            let file = r
                .file_sha256
                .as_deref()
                .map(|sha| format!("/files/{sha}"))
                .unwrap_or_default();
            Item {
                id: r.id,
                date: dmy(r.occurred_on),
                title: r.title,
                quantity: super::i18n::number(r.quantity),
                reported: r
                    .recorded_at
                    .with_timezone(&kehoach_core::period::vietnam_offset())
                    .format("%d/%m/%Y %H:%M")
                    .to_string(),
                state: w.review_state(&r.review_state),
                state_class: state_class(&r.review_state),
                plan: r.plan_title,
                plan_id: r.plan_id,
                task: format!("{} {}", r.task_ref, r.task_title),
                task_id: r.task_id,
                unit: r.unit_name,
                unit_id: r.unit_id,
                reason: r.last_reason.unwrap_or_default(),
                thumb: if image {
                    format!("{file}/thumb")
                } else {
                    String::new()
                },
                file,
                url: r
                    .url
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let template = ReviewPage {
        l: page.layout(w.review_title),
        w,
        message: message.into(),
        error,
        plans,
        state: q.state.clone().unwrap_or_else(|| "pending".into()),
        unit: q.unit,
        task: q.task,
        items,
    };
    let mut response = render(page.lang, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// The page's answer to a refused decision: the queue again with the reason on top (a locked
/// period said in the reader's words), or an error page for what the form cannot fix.
pub(super) fn refusal_text(page: &SignedIn, e: &ApiError) -> String {
    match e {
        ApiError::BadRequest(msg) if msg.starts_with("reason:") => {
            review_words(page.lang).reason_required.to_string()
        }
        other => other.to_string(),
    }
}

/// `POST /review`: the form's pairs (repeated `id`s for the selected activities; `one` =
/// `accept:ID` / `return:ID` for a single item's buttons with `reason_ID`; `bulk` = `accept` /
/// `return` with `reason`).
pub async fn decide(
    State(state): State<AppState>,
    page: SignedIn,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    page.check_csrf(field("csrf"))?;
    let w = review_words(page.lang);
    let bad = |msg: String| page.error(ApiError::BadRequest(msg));
    let (ids, decision, reason): (Vec<i64>, &str, String) = match (field("one"), field("bulk")) {
        (Some(one), _) => {
            let (decision, id) = one
                .split_once(':')
                .ok_or_else(|| bad("one: expected accept:ID or return:ID".into()))?;
            let id: i64 = id
                .parse()
                .map_err(|_| bad("one: expected accept:ID or return:ID".into()))?;
            let reason = field(&format!("reason_{id}"))
                .filter(|r| !r.trim().is_empty())
                .or(field("reason"))
                .unwrap_or("")
                .to_string();
            (vec![id], decision, reason)
        }
        (None, Some(bulk)) => {
            let ids: Vec<i64> = pairs
                .iter()
                .filter(|(k, _)| k == "id")
                .filter_map(|(_, v)| v.parse().ok())
                .take(PAGE + 1)
                .collect();
            (ids, bulk, field("reason").unwrap_or("").to_string())
        }
        (None, None) => return Err(bad("form: no decision".into())),
    };
    let decision = match ReviewDecision::parse(decision) {
        Some(d @ (ReviewDecision::Accept | ReviewDecision::Return)) => d,
        _ => return Err(bad("decision: expected accept or return".into())),
    };
    // The queue the form came from, kept for the answer.
    let back = ReviewQuery {
        plan: field("f_plan").map(str::to_string),
        unit: field("f_unit").and_then(|u| u.parse().ok()),
        task: field("f_task").and_then(|t| t.parse().ok()),
        state: field("f_state").map(str::to_string),
        done: None,
    };
    if ids.is_empty() {
        return build(
            &state,
            &page,
            &back,
            "",
            w.choose_some.into(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    match review_as(&state, &page.session.user, &ids, decision, &reason).await {
        Ok(_) => {
            let mut to = String::from("/review?done=1");
            for (k, v) in [
                ("plan", back.plan.clone()),
                ("unit", back.unit.map(|u| u.to_string())),
                ("task", back.task.map(|t| t.to_string())),
                ("state", back.state.clone()),
            ] {
                if let Some(v) = v.filter(|v| !v.is_empty()) {
                    to.push_str(&format!("&{k}={}", super::url_encode(&v)));
                }
            }
            Ok(Redirect::to(&to).into_response())
        }
        Err(ApiError::Conflict(_)) => {
            // Re-read the lock to say it in the reader's words.
            let text = match state
                .store
                .ensure_unlocked(&lock_keys(&state, &ids).await)
                .await
            {
                Err(StoreError::Locked(lock)) => locked_text(page.lang, &lock),
                _ => w.choose_some.to_string(),
            };
            build(&state, &page, &back, "", text, StatusCode::CONFLICT).await
        }
        Err(e @ (ApiError::BadRequest(_) | ApiError::NotFound(_))) => {
            let text = refusal_text(&page, &e);
            let status = e.status();
            build(&state, &page, &back, "", text, status).await
        }
        Err(e) => Err(page.error(e)),
    }
}

/// (assignment, date) of each activity, for re-reading a lock.
pub(super) async fn lock_keys(state: &AppState, ids: &[i64]) -> Vec<(i64, chrono::NaiveDate)> {
    let mut keys = Vec::new();
    for &id in ids {
        if let Ok(Some(a)) = state.store.activity(id).await {
            keys.push((a.assignment_id, a.occurred_on));
        }
    }
    keys
}
