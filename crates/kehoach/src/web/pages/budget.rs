//! `/plans/{id}/budget`: the budget cycle of a plan on one page, each role its part. A unit
//! drafts estimate lines for its assignments and submits them; the plan office sees every unit
//! (who has not submitted, the deadline's state), returns an estimate with a reason, adjusts
//! its proposal per line, sends the consolidation to finance and records the approval; finance
//! appraises line by line; after approval units record spending and submit their settlement,
//! which the plan office and finance accept. Downloads: the workbook and the Tờ trình.
//!
//! Who may do what is `authz::decide` (actions `ViewBudget`, `EstimateBudget`,
//! `ConsolidateBudget`, `AppraiseBudget`); the state rules are the store's (`Refusal`).

use std::collections::HashSet;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehoach_core::budget::{Dong, Refusal, Source, Stage};
use kehoach_core::compliance::deadline_state;
use serde::Deserialize;

use super::i18n::{BudgetWords, Lang, deadline_name};
use super::style::deadline_class;
use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::{Action, Principal, Reach, Verdict, decide};
use crate::budget::{self, LineInput, SpendingInput, fmt};
use crate::store::{NewSpending, PlanRow, Step};
use crate::web::api::budget::{budget_scope, change_of};
use crate::web::authz::{Authz, Resource, visible_units};
use crate::web::{ApiError, AppState};

#[derive(Template)]
#[template(path = "budget.html")]
struct BudgetPage {
    l: Layout,
    w: &'static BudgetWords,
    plan_id: i64,
    plan_title: String,
    stage: &'static str,
    deadline: String,
    decision: String,
    ok: String,
    error: String,
    units: Vec<UnitView>,
    /// The office's view folds the units that have not started into one line (most of a
    /// province's units early in the year): their names, their count's words and the deadline
    /// state they share.
    not_started: NotStartedView,
    total: FiguresView,
    lines: Vec<LineView>,
    spending: Vec<SpendView>,
    /// Assignments the caller may estimate for (id, label), while units estimate.
    estimate_choices: Vec<(i64, String)>,
    /// Assignments the caller may record spending on, once approved.
    spend_choices: Vec<(i64, String)>,
    sources: Vec<(&'static str, &'static str)>,
    bases: Vec<String>,
    may_send: bool,
    may_approve: bool,
    /// The form's values after an error (content, measure, quantity, price, basis, note).
    form: LineInput,
    today: String,
}

struct FiguresView {
    estimated: String,
    proposed: String,
    appraised: String,
    approved: String,
    spent: String,
    left: String,
    over: bool,
}

impl FiguresView {
    fn of(f: &budget::Figures) -> Self {
        FiguresView {
            estimated: fmt(f.estimated),
            proposed: fmt(f.proposed),
            appraised: fmt(f.appraised),
            approved: fmt(f.approved),
            spent: fmt(f.spent),
            left: fmt(f.left()),
            over: f.left() < 0,
        }
    }
}

struct UnitView {
    unit_id: i64,
    name: String,
    state: &'static str,
    version: String,
    deadline_name: &'static str,
    deadline_class: &'static str,
    return_reason: String,
    figures: FiguresView,
    settlement: &'static str,
    may_submit: bool,
    may_return: bool,
    may_settle: bool,
    may_accept: bool,
}

#[derive(Default)]
struct NotStartedView {
    names: String,
    count: String,
    deadline_name: &'static str,
    deadline_class: &'static str,
}

struct LineView {
    id: i64,
    unit: String,
    task: String,
    content: String,
    measure: String,
    quantity: String,
    price: String,
    amount: String,
    source: &'static str,
    basis: String,
    note: String,
    proposed: String,
    adjusted: bool,
    proposal_note: String,
    appraised: String,
    comment: String,
    state: &'static str,
    may_propose: bool,
    may_appraise: bool,
}

struct SpendView {
    date: String,
    unit: String,
    content: String,
    amount: String,
    voucher: String,
}

fn state_name(w: &BudgetWords, state: &str) -> &'static str {
    match state {
        "draft" => w.state_draft,
        "submitted" => w.state_submitted,
        "returned" => w.state_returned,
        _ => w.state_none,
    }
}

fn source_name(w: &BudgetWords, code: &str) -> &'static str {
    match Source::parse(code) {
        Some(Source::Province) => w.source_tinh,
        Some(Source::District) => w.source_huyen,
        Some(Source::Commune) => w.source_xa,
        Some(Source::Other) => w.source_khac,
        None => "",
    }
}

fn settlement_name(w: &BudgetWords, s: &str) -> &'static str {
    match s {
        "submitted" => w.settle_submitted,
        "accepted_by_office" => w.settle_office,
        "accepted_by_finance" => w.settle_finance,
        "accepted" => w.settle_accepted,
        _ => w.settle_none,
    }
}

/// The policy's answer for the caller on something at `reach`.
fn may(signed: &SignedIn, action: Action, reach: Reach) -> bool {
    decide(Principal::of(&signed.session.user), action, reach) == Verdict::Allow
}

/// The plan, if the caller may read its budget, and which units' part (`None`: all).
async fn budget_plan(
    state: &AppState,
    signed: &SignedIn,
    id: i64,
) -> Result<(PlanRow, Option<HashSet<i64>>), PageError> {
    let plan = super::plan::readable_plan(state, signed, id).await?;
    let only = budget_scope(state, &signed.session.user, &plan)
        .await
        .map_err(|e| signed.error(e))?;
    Ok((plan, only))
}

/// Where the caller stands on the plan as a whole (the plan office's and finance's steps).
async fn plan_reach(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
) -> Result<Reach, PageError> {
    Authz::of(state, &signed.session.user)
        .reach(Resource::Plan(plan))
        .await
        .map_err(|e| signed.error(e))
}

/// Refuses (403/404 as the policy says) a step on the whole plan.
async fn check_plan(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
    action: Action,
) -> Result<(), PageError> {
    Authz::of(state, &signed.session.user)
        .check(action, Resource::Plan(plan))
        .await
        .map(drop)
        .map_err(|e| signed.error(e))
}

/// Refuses a unit's step (submit, settle) unless the unit is within the caller's scope.
async fn check_unit(
    state: &AppState,
    signed: &SignedIn,
    unit: i64,
    action: Action,
) -> Result<(), PageError> {
    Authz::of(state, &signed.session.user)
        .check(action, Resource::Unit(Some(unit)))
        .await
        .map(drop)
        .map_err(|e| signed.error(e))
}

#[derive(Deserialize, Default)]
pub struct Done {
    #[serde(default)]
    done: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Query(done): Query<Done>,
) -> Result<Response, PageError> {
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    let ok = if done.done.is_some() {
        signed.lang.budget().saved.to_string()
    } else {
        String::new()
    };
    show(
        &state,
        &signed,
        &plan,
        only,
        ok,
        String::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
    only: Option<HashSet<i64>>,
    ok: String,
    error: String,
    form: Option<LineInput>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| signed.error(e);
    let w = signed.lang.budget();
    let store = &state.store;
    let st = budget::status(store, plan, only.as_ref(), signed.today)
        .await
        .map_err(err)?;
    let cycle = store.budget_cycle(plan.id).await.map_err(err)?;
    let stage = cycle.stage();
    let reach = plan_reach(state, signed, plan).await?;
    let consolidate = may(signed, Action::ConsolidateBudget, reach);
    let appraise = may(signed, Action::AppraiseBudget, reach);
    // The units whose own steps the caller may take (estimate, spend, settle).
    let visible = visible_units(state, &signed.session.user)
        .await
        .map_err(|e| signed.error(e))?;
    let inside = |unit: i64| {
        if visible.as_ref().is_none_or(|v| v.contains(&unit)) {
            Reach::Inside
        } else {
            Reach::Outside
        }
    };
    let estimates = |unit: i64| may(signed, Action::EstimateBudget, inside(unit));

    // A unit's own view keeps its row whatever its state; the office's view of every unit lists
    // the units that have started and folds the others.
    let fold = only.is_none();
    let mut not_started = NotStartedView::default();
    let folded: Vec<&str> = st
        .units
        .iter()
        .filter(|u| fold && u.not_started())
        .map(|u| u.unit_name.as_str())
        .collect();
    if !folded.is_empty() {
        let dl = deadline_state(st.deadline, None, signed.today);
        let noun = if folded.len() == 1 {
            w.unit_one
        } else {
            w.unit_many
        };
        not_started = NotStartedView {
            names: folded.join(" · "),
            count: format!("{} {noun}", folded.len()),
            deadline_name: deadline_name(signed.lang, dl),
            deadline_class: deadline_class(dl),
        };
    }
    let units: Vec<UnitView> = st
        .units
        .iter()
        .filter(|u| !(fold && u.not_started()))
        .map(|u| {
            let dl = deadline_state(st.deadline, u.submitted_on, signed.today);
            UnitView {
                unit_id: u.unit_id,
                name: u.unit_name.clone(),
                state: state_name(w, &u.state),
                version: u.version.map(|v| v.to_string()).unwrap_or_default(),
                deadline_name: deadline_name(signed.lang, dl),
                deadline_class: deadline_class(dl),
                return_reason: u.return_reason.clone().unwrap_or_default(),
                figures: FiguresView::of(&u.total),
                settlement: settlement_name(w, &u.settlement),
                may_submit: stage == Stage::Estimating
                    && u.state == "draft"
                    && estimates(u.unit_id),
                may_return: stage == Stage::Estimating && u.state == "submitted" && consolidate,
                may_settle: stage == Stage::Approved
                    && u.settlement == "none"
                    && u.total.approved > 0
                    && estimates(u.unit_id),
                may_accept: u.settlement != "none"
                    && u.settlement != "accepted"
                    && ((consolidate && u.settlement != "accepted_by_office")
                        || (appraise && u.settlement != "accepted_by_finance")),
            }
        })
        .collect();

    let mut lines = store.budget_lines(plan.id, true).await.map_err(err)?;
    let mut allocations = store.budget_allocations(plan.id).await.map_err(err)?;
    let mut spending = store.budget_spending(plan.id).await.map_err(err)?;
    budget::restrict(only.as_ref(), &mut lines, &mut allocations, &mut spending);
    let lines: Vec<LineView> = lines
        .iter()
        .map(|l| LineView {
            id: l.id,
            unit: l.unit_name.clone(),
            task: format!("{} {}", l.task_ref, l.task_title),
            content: l.content.clone(),
            measure: l.measure.clone(),
            quantity: kehoach_core::budget::group_thousands(l.quantity),
            price: fmt(l.unit_price),
            amount: fmt(l.amount),
            source: source_name(w, &l.source),
            basis: l.basis.clone(),
            note: l.note.clone(),
            proposed: fmt(l.proposed()),
            adjusted: l.proposed_amount.is_some(),
            proposal_note: l.proposal_note.clone().unwrap_or_default(),
            appraised: l.appraised_amount.map(fmt).unwrap_or_default(),
            comment: l.appraisal_comment.clone().unwrap_or_default(),
            state: state_name(w, &l.state),
            may_propose: stage == Stage::Estimating && l.state == "submitted" && consolidate,
            may_appraise: stage == Stage::Sent && l.state == "submitted" && appraise,
        })
        .collect();

    let assignments = store.assignments_of_plan(plan.id).await.map_err(err)?;
    let tasks = store.tasks_of_plan(plan.id).await.map_err(err)?;
    let label = |a: &crate::store::AssignmentRow| {
        let task = tasks.iter().find(|t| t.id == a.task_id);
        let title: String = task
            .map(|t| format!("{} {}", t.reference, t.title))
            .unwrap_or_default()
            .chars()
            .take(90)
            .collect();
        format!("{title} — {}", a.unit_name)
    };
    let unit_frozen = |unit: i64| {
        st.units
            .iter()
            .any(|u| u.unit_id == unit && u.state == "submitted")
    };
    let estimate_choices = if stage == Stage::Estimating {
        assignments
            .iter()
            .filter(|a| only.as_ref().is_none_or(|o| o.contains(&a.unit_id)))
            .filter(|a| estimates(a.unit_id) && !unit_frozen(a.unit_id))
            .map(|a| (a.id, label(a)))
            .collect()
    } else {
        Vec::new()
    };
    let spend_choices = if stage == Stage::Approved {
        assignments
            .iter()
            .filter(|a| allocations.iter().any(|x| x.assignment_id == a.id))
            .filter(|a| estimates(a.unit_id))
            .map(|a| (a.id, label(a)))
            .collect()
    } else {
        Vec::new()
    };
    let spending = spending
        .iter()
        .map(|s| SpendView {
            date: dmy(s.spent_on),
            unit: s.unit_name.clone(),
            content: s.content.clone(),
            amount: fmt(s.amount),
            voucher: s.voucher.clone(),
        })
        .collect();
    let submitted = st.units.iter().any(|u| u.state == "submitted");
    let template = BudgetPage {
        l: signed.layout(format!("{} — {}", w.title, budget::plan_title(plan))),
        w,
        plan_id: plan.id,
        plan_title: budget::plan_title(plan),
        stage: match stage {
            Stage::Estimating => w.stage_estimating,
            Stage::Sent => w.stage_sent,
            Stage::Approved => w.stage_approved,
        },
        deadline: dmy(st.deadline),
        decision: match (&st.decision_number, st.decision_date) {
            (Some(n), Some(d)) => format!("{n} — {}", dmy(d)),
            _ => String::new(),
        },
        ok,
        error,
        total: FiguresView::of(&st.total),
        units,
        not_started,
        lines,
        spending,
        estimate_choices,
        spend_choices,
        sources: Source::ALL
            .into_iter()
            .map(|s| (s.code(), source_name(w, s.code())))
            .collect(),
        bases: store.budget_bases().await.map_err(err)?,
        may_send: stage == Stage::Estimating && consolidate && submitted,
        may_approve: stage == Stage::Sent && consolidate,
        form: form.unwrap_or_default(),
        today: signed.today.format("%Y-%m-%d").to_string(),
    };
    let mut response = render(signed.lang, &template);
    *response.status_mut() = status;
    Ok(response)
}

/// Back to the page, saying it worked.
fn saved(plan: i64) -> Response {
    Redirect::to(&format!("/plans/{plan}/budget?done=1")).into_response()
}

/// The page again with a refusal of the cycle's rules (409), in the page's language.
async fn refused(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
    only: Option<HashSet<i64>>,
    r: Refusal,
) -> Result<Response, PageError> {
    let message = match signed.lang {
        Lang::Vi => r.vietnamese(),
        Lang::En => r.to_string(),
    };
    show(
        state,
        signed,
        plan,
        only,
        String::new(),
        message,
        None,
        StatusCode::CONFLICT,
    )
    .await
}

/// The page again with a field's problem (400).
async fn bad_input(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
    only: Option<HashSet<i64>>,
    message: String,
    form: Option<LineInput>,
) -> Result<Response, PageError> {
    show(
        state,
        signed,
        plan,
        only,
        String::new(),
        message,
        form,
        StatusCode::BAD_REQUEST,
    )
    .await
}

async fn finish<T>(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
    only: Option<HashSet<i64>>,
    step: Result<Step<T>, crate::store::StoreError>,
) -> Result<Response, PageError> {
    match step {
        Ok(Ok(_)) => Ok(saved(plan.id)),
        Ok(Err(r)) => refused(state, signed, plan, only, r).await,
        Err(crate::store::StoreError::Invalid(m)) => {
            bad_input(state, signed, plan, only, m, None).await
        }
        Err(e) => Err(signed.error(e)),
    }
}

#[derive(Deserialize)]
pub struct LineForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assignment: String,
    #[serde(flatten)]
    line: LineInput,
}

/// `POST /plans/{id}/budget/lines`: a line of the caller's unit's estimate.
pub async fn add_line(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<LineForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    let Some(assignment) = form
        .assignment
        .trim()
        .parse::<i64>()
        .ok()
        .map(|a| state.store.assignment(a))
    else {
        Authz::of(&state, &signed.session.user)
            .check(Action::EstimateBudget, Resource::Anywhere)
            .await
            .map_err(|e| signed.error(e))?;
        let w = signed.lang.budget();
        return bad_input(
            &state,
            &signed,
            &plan,
            only,
            w.assignment.to_string(),
            Some(form.line),
        )
        .await;
    };
    let assignment = assignment
        .await
        .map_err(|e| signed.error(e))?
        .ok_or_else(|| signed.error(ApiError::NotFound("assignment not found".into())))?;
    ensure_in_plan(&state, &signed, &plan, assignment.task_id).await?;
    Authz::of(&state, &signed.session.user)
        .check(Action::EstimateBudget, Resource::Assignment(&assignment))
        .await
        .map_err(|e| signed.error(e))?;
    let line = match form.line.parse(assignment.id) {
        Ok(l) => l,
        Err(e) => {
            return bad_input(
                &state,
                &signed,
                &plan,
                only,
                budget::describe(&e),
                Some(form.line),
            )
            .await;
        }
    };
    let step = state
        .store
        .add_budget_line(&line, &change_of(&signed.session.user))
        .await;
    finish(&state, &signed, &plan, only, step).await
}

/// An assignment id from a form may be any plan's: it must be one of this plan's tasks'.
async fn ensure_in_plan(
    state: &AppState,
    signed: &SignedIn,
    plan: &PlanRow,
    task_id: i64,
) -> Result<(), PageError> {
    let tasks = state
        .store
        .tasks_of_plan(plan.id)
        .await
        .map_err(|e| signed.error(e))?;
    if tasks.iter().any(|t| t.id == task_id) {
        Ok(())
    } else {
        Err(signed.error(ApiError::NotFound("assignment not found".into())))
    }
}

#[derive(Deserialize)]
pub struct UnitForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    unit: i64,
    #[serde(default)]
    reason: String,
}

/// `POST /plans/{id}/budget/submit`: a unit submits its estimate.
pub async fn submit(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    check_unit(&state, &signed, form.unit, Action::EstimateBudget).await?;
    let step = state
        .store
        .submit_estimate(plan.id, form.unit, &change_of(&signed.session.user))
        .await;
    finish(&state, &signed, &plan, only, step).await
}

/// `POST /plans/{id}/budget/return`: the plan office returns a unit's estimate with a reason.
pub async fn return_estimate(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    check_plan(&state, &signed, &plan, Action::ConsolidateBudget).await?;
    if form.reason.chars().count() > budget::MAX_TEXT {
        let w = signed.lang.budget();
        return bad_input(&state, &signed, &plan, only, w.reason.to_string(), None).await;
    }
    let step = state
        .store
        .return_estimate(
            plan.id,
            form.unit,
            &form.reason,
            &change_of(&signed.session.user),
        )
        .await;
    finish(&state, &signed, &plan, only, step).await
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /plans/{id}/budget/send`: the consolidation goes to finance.
pub async fn send(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    check_plan(&state, &signed, &plan, Action::ConsolidateBudget).await?;
    let step = state
        .store
        .send_budget(plan.id, &change_of(&signed.session.user))
        .await;
    finish(&state, &signed, &plan, only, step).await
}

#[derive(Deserialize)]
pub struct ApproveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    #[serde(default)]
    date: String,
}

/// `POST /plans/{id}/budget/approve`: the decision's number and date; allocations follow.
pub async fn approve(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<ApproveForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    check_plan(&state, &signed, &plan, Action::ConsolidateBudget).await?;
    let w = signed.lang.budget();
    let number = kehoach_core::text::nfc(&form.decision);
    if number.is_empty() || number.chars().count() > 100 {
        let m = format!("{}: 1–100", w.decision_number);
        return bad_input(&state, &signed, &plan, only, m, None).await;
    }
    let date = match budget::date_field("date", &form.date) {
        Ok(d) => d,
        Err(e) => {
            let m = format!("{}: {}", w.decision_date, e.message);
            return bad_input(&state, &signed, &plan, only, m, None).await;
        }
    };
    let step = state
        .store
        .approve_budget(
            plan.id,
            &number,
            date,
            &[],
            &change_of(&signed.session.user),
        )
        .await;
    finish(&state, &signed, &plan, only, step).await
}

#[derive(Deserialize)]
pub struct AmountForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    comment: String,
}

/// The plan a line belongs to, readable by the caller.
async fn line_plan(
    state: &AppState,
    signed: &SignedIn,
    line: i64,
) -> Result<(PlanRow, Option<HashSet<i64>>), PageError> {
    let plan_id = state
        .store
        .plan_of_budget_line(line)
        .await
        .map_err(|e| signed.error(e))?
        .ok_or_else(|| signed.error(ApiError::NotFound(format!("budget line {line} not found"))))?;
    budget_plan(state, signed, plan_id).await
}

async fn amount_step(
    state: &AppState,
    signed: &SignedIn,
    line: i64,
    form: &AmountForm,
    action: Action,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = line_plan(state, signed, line).await?;
    check_plan(state, signed, &plan, action).await?;
    let w = signed.lang.budget();
    if form.comment.chars().count() > budget::MAX_TEXT {
        let m = format!("{}: ≤ {}", w.comment, budget::MAX_TEXT);
        return bad_input(state, signed, &plan, only, m, None).await;
    }
    let amount: Dong = match budget::amount_field("amount", &form.amount) {
        Ok(a) => a,
        Err(e) => {
            let m = format!("{}: {}", w.amount, e.message);
            return bad_input(state, signed, &plan, only, m, None).await;
        }
    };
    let by = change_of(&signed.session.user);
    let step = if action == Action::AppraiseBudget {
        state
            .store
            .appraise_budget_line(line, amount, &form.comment, &by)
            .await
    } else {
        state
            .store
            .propose_budget_line(line, amount, &form.comment, &by)
            .await
    };
    finish(state, signed, &plan, only, step).await
}

/// `POST /budget-lines/{id}/propose`: the plan office's figure for a line.
pub async fn propose(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AmountForm>,
) -> Result<Response, PageError> {
    amount_step(&state, &signed, id, &form, Action::ConsolidateBudget).await
}

/// `POST /budget-lines/{id}/appraise`: finance's figure and comment for a line.
pub async fn appraise(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<AmountForm>,
) -> Result<Response, PageError> {
    amount_step(&state, &signed, id, &form, Action::AppraiseBudget).await
}

#[derive(Deserialize)]
pub struct SpendForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    assignment: String,
    #[serde(flatten)]
    spending: SpendingInput,
}

/// `POST /plans/{id}/budget/spend`: spending against an allocation (warned when over).
pub async fn spend(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<SpendForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    let w = signed.lang.budget();
    let assignment = match form.assignment.trim().parse::<i64>() {
        Ok(a) => state
            .store
            .assignment(a)
            .await
            .map_err(|e| signed.error(e))?,
        Err(_) => None,
    };
    let Some(assignment) = assignment else {
        Authz::of(&state, &signed.session.user)
            .check(Action::EstimateBudget, Resource::Anywhere)
            .await
            .map_err(|e| signed.error(e))?;
        return bad_input(&state, &signed, &plan, only, w.assignment.to_string(), None).await;
    };
    Authz::of(&state, &signed.session.user)
        .check(Action::EstimateBudget, Resource::Assignment(&assignment))
        .await
        .map_err(|e| signed.error(e))?;
    ensure_in_plan(&state, &signed, &plan, assignment.task_id).await?;
    let fields = match form.spending.parse(signed.today) {
        Ok(f) => f,
        Err(e) => {
            return bad_input(&state, &signed, &plan, only, budget::describe(&e), None).await;
        }
    };
    let spending = NewSpending {
        assignment_id: assignment.id,
        spent_on: fields.spent_on,
        amount: fields.amount,
        content: fields.content,
        voucher: fields.voucher,
        file: None,
        recorded_by: Some(signed.session.user.id),
    };
    match state
        .store
        .record_spending(&spending, &change_of(&signed.session.user))
        .await
    {
        Ok(Ok((_, left))) if left < 0 => {
            let m = format!("{} {}", w.over_warning, fmt(left.saturating_neg()));
            show(
                &state,
                &signed,
                &plan,
                only,
                w.saved.to_string(),
                m,
                None,
                StatusCode::OK,
            )
            .await
        }
        other => finish(&state, &signed, &plan, only, other).await,
    }
}

/// `POST /plans/{id}/budget/settle`: a unit submits its settlement.
pub async fn settle(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    check_unit(&state, &signed, form.unit, Action::EstimateBudget).await?;
    let step = state
        .store
        .submit_settlement(plan.id, form.unit, &change_of(&signed.session.user))
        .await;
    finish(&state, &signed, &plan, only, step).await
}

/// `POST /plans/{id}/budget/accept`: the plan office or finance accepts a unit's settlement.
pub async fn accept(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<UnitForm>,
) -> Result<Response, PageError> {
    signed.check_csrf(Some(&form.csrf))?;
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    let reach = plan_reach(&state, &signed, &plan).await?;
    let by_finance = may(&signed, Action::AppraiseBudget, reach);
    let action = if by_finance {
        Action::AppraiseBudget
    } else {
        Action::ConsolidateBudget
    };
    check_plan(&state, &signed, &plan, action).await?;
    let step = state
        .store
        .accept_settlement(
            plan.id,
            form.unit,
            by_finance,
            &change_of(&signed.session.user),
        )
        .await;
    finish(&state, &signed, &plan, only, step).await
}

/// `GET /plans/{id}/budget.xlsx`: every table of the caller's part.
pub async fn workbook(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    let err = |e: crate::store::StoreError| signed.error(e);
    let st = budget::status(&state.store, &plan, only.as_ref(), signed.today)
        .await
        .map_err(err)?;
    let mut lines = state.store.budget_lines(plan.id, true).await.map_err(err)?;
    let mut allocations = state.store.budget_allocations(plan.id).await.map_err(err)?;
    let mut spending = state.store.budget_spending(plan.id).await.map_err(err)?;
    budget::restrict(only.as_ref(), &mut lines, &mut allocations, &mut spending);
    let title = budget::plan_title(&plan);
    let bytes = budget::xlsx::workbook(&budget::xlsx::BudgetBook {
        title: &title,
        status: &st,
        lines: &lines,
        spending: &spending,
    })
    .map_err(|e| signed.error(ApiError::Internal(e.into())))?;
    Ok(crate::web::api::exports::attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &format!("kinh-phi-ke-hoach-{id}.xlsx"),
    ))
}

/// `GET /plans/{id}/to-trinh.docx`: the Tờ trình to finance (the plan office and finance).
pub async fn to_trinh(
    State(state): State<AppState>,
    signed: SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (plan, only) = budget_plan(&state, &signed, id).await?;
    if only.is_some() {
        // A unit taking part sees its own lines, not the consolidation.
        return Err(signed.error(ApiError::NotFound(format!("plan {id} not found"))));
    }
    let err = |e: crate::store::StoreError| signed.error(e);
    let st = budget::status(&state.store, &plan, None, signed.today)
        .await
        .map_err(err)?;
    let lines = state.store.budget_lines(plan.id, true).await.map_err(err)?;
    let issuer = state
        .store
        .plan_office_unit_code(&plan, signed.today)
        .await
        .map_err(err)?;
    let bytes = budget::to_trinh::render(
        &state.store,
        &plan,
        issuer.as_deref(),
        &st,
        &lines,
        signed.today,
    )
    .await
    .map_err(|e| signed.error(ApiError::from(e)))?;
    Ok(crate::web::api::exports::attachment(
        bytes,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("to-trinh-kinh-phi-ke-hoach-{id}.docx"),
    ))
}
