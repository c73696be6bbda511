//! `/plans/{id}/periods` ("Phê duyệt kỳ"): where each unit's periods of work on a plan stand —
//! a unit × month table of the year and every submitted period with its approval level — and
//! the form to submit (a unit), approve, return or reopen (the plan office). Actions go through
//! `web::api::periods::period_as`, as the API's.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use kehoach_core::approval::PeriodAction;
use serde::Deserialize;

use super::i18n::{ReviewWords, review_words};
use super::plan::readable_plan;
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::{Action, Principal, Reach, Verdict, decide};
use crate::store::{PeriodApprovalRow, PlanRow, StoreError};
use crate::web::api::periods::{period_as, period_of_plan, unit_of_plan};
use crate::web::authz::Authz;
use crate::web::{ApiError, AppState};

/// Most units in the month table (a province's plan has a few hundred assignments' units): those
/// with a submitted period first, then by name. The form's list has them all.
const MAX_UNITS: usize = 300;
/// Most units in the form's list.
const MAX_CHOICES: usize = 5000;

pub struct UnitRowView {
    pub name: String,
    /// One per month of the year: the state's name and its class ("" when nothing was
    /// submitted: the cell shows a dash).
    pub months: Vec<(String, &'static str)>,
}

pub struct UnitChoice {
    pub code: String,
    pub name: String,
}

pub struct ApprovalView {
    pub unit_name: String,
    pub period: String,
    pub state: &'static str,
    pub state_class: &'static str,
    pub level: String,
    pub note: String,
    pub reason: String,
    pub by: String,
    pub at: String,
}

#[derive(Template)]
#[template(path = "periods.html")]
struct PeriodsPage {
    l: Layout,
    w: &'static ReviewWords,
    plan_id: i64,
    plan_label: String,
    year: i32,
    months: Vec<String>,
    counting: String,
    auto_lock: String,
    message: String,
    error: String,
    units: Vec<UnitRowView>,
    choices: Vec<UnitChoice>,
    approvals: Vec<ApprovalView>,
    may_approve: bool,
    may_submit: bool,
    typed_unit: String,
    typed_period: String,
}

#[derive(Debug, Deserialize, Default)]
pub struct PeriodsQuery {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    saved: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct PeriodForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

fn state_class(state: &str) -> &'static str {
    match state {
        "approved" => "st-met",
        "submitted" => "st-open",
        "returned" => "st-missed",
        "reopened" => "st-partial",
        _ => "st-future",
    }
}

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Query(q): Query<PeriodsQuery>,
) -> Result<Response, PageError> {
    let plan = readable_plan(&state, &page, id).await?;
    let message = if q.saved.is_some() {
        review_words(page.lang).period_saved
    } else {
        ""
    };
    build(
        &state,
        &page,
        &plan,
        q.year,
        message,
        String::new(),
        ("", ""),
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn build(
    state: &AppState,
    page: &SignedIn,
    plan: &PlanRow,
    year: Option<i32>,
    message: &str,
    error: String,
    typed: (&str, &str),
    status: StatusCode,
) -> Result<Response, PageError> {
    let err = |e: StoreError| page.error(e);
    let w = review_words(page.lang);
    let user = &page.session.user;
    let root = Authz::of(state, user)
        .scope_root()
        .await
        .map_err(|e| page.error(e))?;
    // The year shown: the asked one, else today's, kept within the plan's span.
    let first = plan.period_from.map_or(2000, |d| d.year());
    let last = plan.period_to.map_or(2100, |d| d.year());
    let year = year
        .unwrap_or_else(|| page.today.year())
        .clamp(first.min(last), last.max(first));
    let approvals = state
        .store
        .period_approvals(plan.id, root)
        .await
        .map_err(err)?;
    let visible = crate::web::authz::visible_units(state, user)
        .await
        .map_err(|e| page.error(e))?;
    let mut unit_list: Vec<(String, String, i64)> = state
        .store
        .assignments_of_plan(plan.id)
        .await
        .map_err(err)?
        .into_iter()
        .filter(|a| visible.as_ref().is_none_or(|v| v.contains(&a.unit_id)))
        .map(|a| (a.unit_code, a.unit_name, a.unit_id))
        .collect();
    unit_list.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    unit_list.dedup();
    let choices: Vec<UnitChoice> = unit_list
        .iter()
        .take(MAX_CHOICES)
        .map(|(code, name, _)| UnitChoice {
            code: code.clone(),
            name: name.clone(),
        })
        .collect();
    // Units with a submitted period first (stable: by name within each group).
    unit_list.sort_by_key(|(_, _, id)| !approvals.iter().any(|a| a.unit_id == *id));
    unit_list.truncate(MAX_UNITS);
    let units = unit_list
        .iter()
        .map(|(_, name, unit_id)| UnitRowView {
            name: name.clone(),
            months: (1..=12)
                .map(|m| {
                    let label = format!("{year}-{m:02}");
                    // A month stands as its own submission, or as the year's, half's or
                    // quarter's that contains it when approved.
                    let own = approvals
                        .iter()
                        .find(|a| a.unit_id == *unit_id && a.label == label);
                    let covering = approvals.iter().find(|a| {
                        a.unit_id == *unit_id
                            && a.state == "approved"
                            && a.period_from.year() == year
                            && a.period_from.month() <= m
                            && a.period_to.month() >= m
                    });
                    match own.or(covering) {
                        Some(a) => (w.period_state(&a.state).to_string(), state_class(&a.state)),
                        None => (w.st_open.to_string(), ""),
                    }
                })
                .collect(),
        })
        .collect();
    let approvals = approvals.iter().map(|a| view(w, a)).collect();
    let counting = state.store.plan_counting(plan.id).await.map_err(err)?;
    let who = Principal::of(user);
    let may = |action| decide(who, action, Reach::Anywhere) == Verdict::Allow;
    let template = PeriodsPage {
        l: page.layout(w.periods_title),
        w,
        plan_id: plan.id,
        plan_label: plan.number.clone().unwrap_or_else(|| plan.title.clone()),
        year,
        months: (1..=12).map(|m| format!("{m:02}")).collect(),
        counting: if counting.accepted_only {
            w.counting_accepted
        } else {
            w.counting_all
        }
        .into(),
        auto_lock: counting
            .auto_lock_days
            .map(|d| format!("{}: {d} {}", w.auto_lock, w.days))
            .unwrap_or_default(),
        message: message.into(),
        error,
        units,
        choices,
        approvals,
        may_approve: may(Action::ApprovePeriods),
        may_submit: may(Action::SubmitPeriod),
        typed_unit: typed.0.into(),
        typed_period: typed.1.into(),
    };
    let mut response = render(page.lang, &template);
    *response.status_mut() = status;
    Ok(response)
}

fn view(w: &ReviewWords, a: &PeriodApprovalRow) -> ApprovalView {
    let chain = a.chain_ids().len();
    ApprovalView {
        unit_name: a.unit_name.clone(),
        period: a.label.clone(),
        state: w.period_state(&a.state),
        state_class: state_class(&a.state),
        level: format!("{}/{}", a.steps_done, chain),
        note: a.note.clone(),
        reason: a.reason.clone(),
        by: a.actor.clone(),
        at: dmy(a
            .updated_at
            .with_timezone(&kehoach_core::period::vietnam_offset())
            .date_naive()),
    }
}

/// `POST /plans/{id}/periods`: submit, approve, return or reopen a unit's period.
pub async fn act(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<PeriodForm>,
) -> Result<Response, PageError> {
    page.check_csrf(Some(&form.csrf))?;
    let plan = readable_plan(&state, &page, id).await?;
    let again = |error: String, status: StatusCode| {
        let state = &state;
        let page = &page;
        let plan = &plan;
        let unit = form.unit.clone();
        let period = form.period.clone();
        async move { build(state, page, plan, None, "", error, (&unit, &period), status).await }
    };
    let Some(action) = PeriodAction::parse(&form.action) else {
        return again(
            "action: submit, approve, return, reopen".into(),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let mut acted_on: Option<(String, i64, String)> = None;
    let result = async {
        let period = period_of_plan(&plan, &form.period)?;
        let unit = unit_of_plan(&state, &plan, &form.unit, period.from).await?;
        acted_on = Some((
            crate::store::periods::period_label(&period),
            unit.id,
            unit.name.clone(),
        ));
        period_as(
            &state,
            &page.session.user,
            &plan,
            &unit,
            &period,
            action,
            &form.reason,
        )
        .await
    }
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/plans/{id}/periods?saved=1")).into_response()),
        Err(e @ ApiError::BadRequest(_)) => {
            let w = review_words(page.lang);
            let text = match &e {
                ApiError::BadRequest(m) if m.starts_with("reason:") => w.reason_required.into(),
                ApiError::BadRequest(m) if m.starts_with("period:") && acted_on.is_none() => {
                    format!("{} — {}", w.period, w.period_hint)
                }
                ApiError::BadRequest(m) => match &acted_on {
                    // A transition that does not apply, or an approver off the chain.
                    Some((label, unit_id, unit_name)) => {
                        let current = state
                            .store
                            .period_approval(plan.id, *unit_id, label)
                            .await
                            .map_err(|e| page.error(e))?;
                        super::i18n::period_refused(
                            page.lang,
                            label,
                            unit_name,
                            current.as_ref().map(|r| r.state.as_str()),
                            action,
                            m.contains("does not approve"),
                        )
                    }
                    None => m.clone(),
                },
                other => other.to_string(),
            };
            again(text, StatusCode::BAD_REQUEST).await
        }
        Err(e @ ApiError::Forbidden(_)) => again(e.to_string(), StatusCode::FORBIDDEN).await,
        Err(e) => Err(page.error(e)),
    }
}
