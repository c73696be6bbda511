//! Plans that implement plans (issue 22): the workflow over the store and the pure rules of
//! `crate::cascade`, shared by the CLI, the API and the pages.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::deadline_state;
use serde::Serialize;

use crate::cascade::carry::{self, Fate, UnitRef};
use crate::cascade::citations::{self, Candidate, LinkRefusal, Proposal};
use crate::cascade::coverage::{self, TaskText};
use crate::cascade::diff::{self, DiffTask, PlanDiff};
use crate::store::{
    AssignmentRow, Change, LinkedPlanRow, NewActivity, NewEvidence, PlanRow, Store, StoreError,
    TargetRow, TaskRow,
};

/// What a link, carry or diff can refuse.
#[derive(Debug, thiserror::Error)]
pub enum CascadeError {
    #[error("plan {0} not found")]
    PlanNotFound(i64),
    #[error(transparent)]
    Refused(#[from] LinkRefusal),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The deliverable a link completed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DeliverableDone {
    pub task_id: i64,
    pub assignment_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub done_on: NaiveDate,
    /// The activity recorded for it, or `None` when the assignment was already done.
    pub activity_id: Option<i64>,
    /// What the date is: "issued_on" (the child's issue date), or "period_from" when the
    /// document gives no issue date (its period's start).
    pub dated_by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinkOutcome {
    pub child_plan_id: i64,
    pub parent_plan_id: i64,
    pub basis: String,
    pub deliverable: Option<DeliverableDone>,
    /// Child tasks mapped to a parent task by the proposal.
    pub coverage_proposed: usize,
}

async fn plan_of(store: &Store, id: i64) -> Result<PlanRow, CascadeError> {
    store.plan(id).await?.ok_or(CascadeError::PlanNotFound(id))
}

/// The owning unit's code and its ancestors' (nearest first), from the store.
async fn unit_chain(store: &Store, unit_id: Option<i64>) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let mut current = unit_id;
    while let Some(id) = current {
        let Some(u) = store.unit(id).await? else {
            break;
        };
        out.push(u.code);
        current = u.parent_id;
        if out.len() > 8 {
            break;
        }
    }
    Ok(out)
}

/// The stored plans `child` may implement, best first (not those already linked).
pub async fn proposals(store: &Store, child: i64) -> Result<Vec<Proposal>, CascadeError> {
    let plan = plan_of(store, child).await?;
    let linked: HashSet<i64> = store
        .linked_plans(child, true)
        .await?
        .into_iter()
        .map(|l| l.plan_id)
        .collect();
    Ok(propose_from(store, Some(child), None, plan.context_unit_id)
        .await?
        .into_iter()
        .filter(|p| !linked.contains(&p.parent_plan_id))
        .collect())
}

/// The stored plans a plan not yet stored (an import's preview) may implement, best first:
/// those whose number its `references` cite, or that cite the same plan, and whose owning unit
/// is its `context_unit_id` or above it.
pub async fn proposals_for_import(
    store: &Store,
    references: &[String],
    context_unit_id: Option<i64>,
) -> Result<Vec<Proposal>, CascadeError> {
    propose_from(store, None, Some(references), context_unit_id).await
}

/// The proposals for plan `child` (its citations read from the store) or for a plan not yet
/// stored (`references` given).
async fn propose_from(
    store: &Store,
    child: Option<i64>,
    references: Option<&[String]>,
    context_unit_id: Option<i64>,
) -> Result<Vec<Proposal>, CascadeError> {
    let (plans, refs) = store.plan_citations().await?;
    let mut by_plan: HashMap<i64, Vec<String>> = HashMap::new();
    for (id, n) in refs {
        by_plan.entry(id).or_default().push(n);
    }
    let candidates: Vec<Candidate> = plans
        .into_iter()
        .map(|p| Candidate {
            plan_id: p.id,
            number: p.number,
            references: by_plan.get(&p.id).cloned().unwrap_or_default(),
            context_code: p.context_code,
        })
        .collect();
    let units = unit_chain(store, context_unit_id).await?;
    let own = match (references, child) {
        (Some(r), _) => r.to_vec(),
        (None, Some(c)) => by_plan.get(&c).cloned().unwrap_or_default(),
        (None, None) => Vec::new(),
    };
    // Stored plan ids start at 1: 0 stands for the plan not stored yet.
    Ok(citations::propose(
        child.unwrap_or(0),
        &own,
        &units,
        &candidates,
    ))
}

/// Whether a plan owned by `context_unit_id`, not stored yet, may be linked under `parent`
/// once stored (the import checks before it stores anything): a new plan makes no cycle, so
/// only the province rule applies.
pub async fn check_import_parent(
    store: &Store,
    context_unit_id: Option<i64>,
    parent: i64,
) -> Result<(), CascadeError> {
    let parent_plan = plan_of(store, parent).await?;
    let child_province = province_code_of(store, context_unit_id).await?;
    let parent_province = province_code_of(store, parent_plan.context_unit_id).await?;
    citations::check_link(
        0,
        parent,
        &[],
        child_province.as_deref(),
        parent_province.as_deref(),
    )?;
    Ok(())
}

/// A plan's province (code), or `None` for a national plan (no owning unit, or a central body).
async fn province_code(store: &Store, plan: &PlanRow) -> Result<Option<String>, StoreError> {
    province_code_of(store, plan.context_unit_id).await
}

/// The province (code) of a plan's owning unit, `None` for a national plan.
async fn province_code_of(store: &Store, owner: Option<i64>) -> Result<Option<String>, StoreError> {
    let Some(unit_id) = owner else {
        return Ok(None);
    };
    let Some(unit) = store.unit(unit_id).await? else {
        return Ok(None);
    };
    if unit.code.starts_with("TW") {
        return Ok(None);
    }
    Ok(match store.province_of_unit(unit_id).await? {
        Some(p) => store.unit(p).await?.map(|u| u.code),
        None => Some(unit.code),
    })
}

/// The parent's "issue your own plan" task and the child issuer's assignment of it: the
/// assignment of the child's owning unit, or of that unit's people's committee.
fn issuer_assignment<'a>(
    tasks: &'a [TaskRow],
    assignments: &'a [AssignmentRow],
    child_unit_code: &str,
) -> Option<(&'a TaskRow, &'a AssignmentRow)> {
    let ubnd = format!("{child_unit_code}.UBND");
    tasks
        .iter()
        .filter(|t| citations::is_issue_plan_task(&t.title))
        .find_map(|t| {
            assignments
                .iter()
                .find(|a| {
                    a.task_id == t.id && (a.unit_code == child_unit_code || a.unit_code == ubnd)
                })
                .map(|a| (t, a))
        })
}

/// Links `child` under `parent`: refused if it would loop or cross provinces (unless the parent
/// is national). Completes the parent's "issue your own plan" deliverable for the child's
/// issuer through the activity write path (dated the child's issue date, the child plan as
/// evidence), and proposes the coverage of the parent's tasks by the child's.
pub async fn link(
    store: &Store,
    child: i64,
    parent: i64,
    by: &Change,
) -> Result<LinkOutcome, CascadeError> {
    let child_plan = plan_of(store, child).await?;
    let parent_plan = plan_of(store, parent).await?;
    let ancestors = store.plan_ancestors(parent).await?;
    let child_province = province_code(store, &child_plan).await?;
    let parent_province = province_code(store, &parent_plan).await?;
    citations::check_link(
        child,
        parent,
        &ancestors,
        child_province.as_deref(),
        parent_province.as_deref(),
    )?;
    let basis = proposals(store, child)
        .await?
        .into_iter()
        .find(|p| p.parent_plan_id == parent)
        .map(|p| p.basis)
        .unwrap_or_default();

    // The deliverable, through the normal write path (tallies, roll-ups, four states).
    let mut deliverable = None;
    let child_unit = match child_plan.context_unit_id {
        Some(id) => store.unit(id).await?,
        None => None,
    };
    // The child's issue date; a document without one (a copy without its header) is dated by
    // the start of its period, and the answer says so.
    let dated = child_plan
        .issued_on
        .map(|d| (d, "issued_on"))
        .or(child_plan.period_from.map(|d| (d, "period_from")));
    if let (Some(unit), Some((issued_on, dated_by))) = (&child_unit, dated) {
        let tasks = store.tasks_of_plan(parent).await?;
        let assignments = store.assignments_of_plan(parent).await?;
        if let Some((task, a)) = issuer_assignment(&tasks, &assignments, &unit.code) {
            let activity_id = if a.done_on.is_some() {
                None
            } else {
                let number = child_plan.number.as_deref().unwrap_or("");
                let activity = NewActivity {
                    assignment_id: a.id,
                    occurred_on: issued_on,
                    kind: "ke_hoach".into(),
                    title: kehoach_core::text::nfc(&format!(
                        "Ban hành Kế hoạch {number} {}",
                        child_plan.title
                    ))
                    .chars()
                    .take(300)
                    .collect(),
                    quantity: 1.0,
                    duration_minutes: None,
                    attendance: None,
                    completes: true,
                    note: format!("plan_link:{child}"),
                    evidence: vec![NewEvidence::Url {
                        url: format!("/plans/{child}"),
                    }],
                    recorded_at: None,
                };
                Some(store.add_activity(&activity, by).await?.id)
            };
            deliverable = Some(DeliverableDone {
                task_id: task.id,
                assignment_id: a.id,
                unit_code: a.unit_code.clone(),
                unit_name: a.unit_name.clone(),
                done_on: a.done_on.unwrap_or(issued_on),
                activity_id,
                dated_by: dated_by.to_string(),
            });
        }
    }
    let activity_id = deliverable.as_ref().and_then(|d| d.activity_id);
    if let Err(e) = store
        .insert_plan_link(child, parent, &basis, activity_id, by)
        .await
    {
        // The link was not made: the activity made for it goes too (its own audit entry).
        if let Some(id) = activity_id {
            store.delete_activity(id, by).await.ok();
        }
        return Err(e.into());
    }
    let coverage_proposed = propose_coverage(store, child, parent, by).await?;
    Ok(LinkOutcome {
        child_plan_id: child,
        parent_plan_id: parent,
        basis,
        deliverable,
        coverage_proposed,
    })
}

/// Removes the link, the child's task links to the parent and the activity the link recorded.
pub async fn unlink(
    store: &Store,
    child: i64,
    parent: i64,
    by: &Change,
) -> Result<(), CascadeError> {
    if let Some(activity) = store.delete_plan_link(child, parent, by).await? {
        match store.delete_activity(activity, by).await {
            Ok(_) | Err(StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

fn task_texts(tasks: &[TaskRow], targets: &[TargetRow]) -> Vec<TaskText> {
    tasks
        .iter()
        .map(|t| TaskText {
            id: t.id,
            title: t.title.clone(),
            content: t.content.clone(),
            targets: targets
                .iter()
                .filter(|g| g.task_id == t.id)
                .map(|g| (g.count, g.per.clone()))
                .collect(),
        })
        .collect()
}

async fn propose_coverage(
    store: &Store,
    child: i64,
    parent: i64,
    by: &Change,
) -> Result<usize, CascadeError> {
    let c = task_texts(
        &store.tasks_of_plan(child).await?,
        &store.targets_of_plan(child).await?,
    );
    let p = task_texts(
        &store.tasks_of_plan(parent).await?,
        &store.targets_of_plan(parent).await?,
    );
    let proposals: Vec<(i64, i64, f64)> = coverage::propose(&c, &p)
        .into_iter()
        .map(|m| (m.child_task_id, m.parent_task_id, m.score))
        .collect();
    Ok(store
        .propose_task_links(child, parent, &proposals, by)
        .await?)
}

/// A unit that owes the parent a plan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwingUnit {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The deliverable's due date: the task's due, else its window's end, else the plan's end.
    pub due: Option<NaiveDate>,
    /// When the deliverable was done (by a link, or an activity marked as completing it).
    pub done_on: Option<NaiveDate>,
    /// done_on_time, done_late, not_done_within_deadline, not_done_overdue, or not_done /
    /// done when there is no due date.
    pub state: String,
    /// The linked plans of this unit (empty: it owes one).
    pub plans: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LinksView {
    pub plan_id: i64,
    pub parents: Vec<LinkedPlanRow>,
    pub children: Vec<LinkedPlanRow>,
    /// Stored plans this one may implement (not yet linked).
    pub proposed_parents: Vec<Proposal>,
    /// The parent's "issue your own plan" task, when it has one.
    pub issue_plan_task_id: Option<i64>,
    /// Every unit assigned that task, with its deadline state and linked plans.
    pub units: Vec<OwingUnit>,
    /// How many of them have no linked plan.
    pub missing: usize,
    /// Each implementing plan's rates over its tasks mapped to this plan's.
    pub children_results: Vec<ChildResults>,
}

/// A plan's parents, children and the units that owe it a plan, on `at`.
pub async fn links(store: &Store, plan_id: i64, at: NaiveDate) -> Result<LinksView, CascadeError> {
    let plan = plan_of(store, plan_id).await?;
    let parents = store.linked_plans(plan_id, true).await?;
    let children = store.linked_plans(plan_id, false).await?;
    let proposed_parents = proposals(store, plan_id).await?;
    let (issue_plan_task_id, units) = owing_units(store, &plan, &children, at).await?;
    let missing = units.iter().filter(|u| u.plans.is_empty()).count();
    let children_results = children_results(store, plan_id, &children, at).await?;
    Ok(LinksView {
        plan_id,
        parents,
        children,
        proposed_parents,
        issue_plan_task_id,
        units,
        missing,
        children_results,
    })
}

/// The plan's "issue your own plan" task (if it has one) and every unit assigned it, with its
/// deadline state on `at` and its linked plans among `children`.
async fn owing_units(
    store: &Store,
    plan: &PlanRow,
    children: &[LinkedPlanRow],
    at: NaiveDate,
) -> Result<(Option<i64>, Vec<OwingUnit>), CascadeError> {
    let tasks = store.tasks_of_plan(plan.id).await?;
    let Some(task) = tasks
        .iter()
        .find(|t| citations::is_issue_plan_task(&t.title))
    else {
        return Ok((None, Vec::new()));
    };
    // The owning unit's code of each child plan: a unit has a plan when a child plan's
    // owning unit is it (or it is that unit's people's committee).
    let mut child_units: Vec<(String, i64)> = Vec::new();
    for c in children {
        if let Some(u) = match c.context_unit_id {
            Some(id) => store.unit(id).await?,
            None => None,
        } {
            child_units.push((u.code, c.plan_id));
        }
    }
    let due = task.due.or(task.window_to).or(plan.period_to);
    let mut units = Vec::new();
    for a in store
        .assignments_of_plan(plan.id)
        .await?
        .into_iter()
        .filter(|a| a.task_id == task.id)
    {
        let plans: Vec<i64> = child_units
            .iter()
            .filter(|(code, _)| a.unit_code == *code || a.unit_code == format!("{code}.UBND"))
            .map(|(_, id)| *id)
            .collect();
        let state = match due {
            Some(due) => deadline_state(due, a.done_on, at).as_str().to_string(),
            None if a.done_on.is_some() => "done".into(),
            None => "not_done".into(),
        };
        units.push(OwingUnit {
            unit_id: a.unit_id,
            unit_code: a.unit_code,
            unit_name: a.unit_name,
            due,
            done_on: a.done_on,
            state,
            plans,
        });
    }
    Ok((Some(task.id), units))
}

/// The units that owe `plan` a plan, have none linked and have not done the deliverable
/// otherwise, with its due date: what the plan office is reminded of.
pub async fn units_without_plan(
    store: &Store,
    plan: &PlanRow,
    at: NaiveDate,
) -> Result<Vec<OwingUnit>, CascadeError> {
    let children = store.linked_plans(plan.id, false).await?;
    let (_, units) = owing_units(store, plan, &children, at).await?;
    Ok(units
        .into_iter()
        .filter(|u| u.plans.is_empty() && u.done_on.is_none())
        .collect())
}

/// How an implementing plan is doing on the tasks mapped to the parent's.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChildResults {
    pub child_plan_id: i64,
    /// Its tasks mapped to a task of the parent.
    pub mapped_tasks: usize,
    /// Ended periods met, ended periods, and those met in time, over those tasks on the date.
    pub met: u64,
    pub ended: u64,
    pub on_time: u64,
    /// met ÷ ended, `None` before any period has ended.
    pub reporting_rate: Option<f64>,
    /// on_time ÷ ended.
    pub on_time_rate: Option<f64>,
}

/// Each child plan's rates over its tasks mapped to the parent's, from the child's own roll-up
/// counters: activities stay with the assignment they were logged against and are read across,
/// never copied.
async fn children_results(
    store: &Store,
    parent: i64,
    children: &[LinkedPlanRow],
    at: NaiveDate,
) -> Result<Vec<ChildResults>, CascadeError> {
    if children.is_empty() {
        return Ok(Vec::new());
    }
    let links = store.task_links_of_parent(parent).await?;
    let mut out = Vec::new();
    for c in children {
        let mapped: HashSet<i64> = links
            .iter()
            .filter(|l| l.child_plan_id == c.plan_id)
            .map(|l| l.child_task_id)
            .collect();
        let tallies = crate::rollup::task_tallies(store, c.plan_id, at).await?;
        let mut sum = kehoach_core::compliance::Tally::default();
        for (task, tally) in tallies {
            if mapped.contains(&task) {
                sum += tally;
            }
        }
        out.push(ChildResults {
            child_plan_id: c.plan_id,
            mapped_tasks: mapped.len(),
            met: sum.met,
            ended: sum.ended,
            on_time: sum.on_time,
            reporting_rate: sum.reporting_rate(),
            on_time_rate: sum.on_time_rate(),
        });
    }
    Ok(out)
}

/// One child task under a parent task.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoveringTask {
    pub child_plan_id: i64,
    pub child_task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    /// "count/per noun".
    pub targets: Vec<String>,
    pub score: f64,
    pub confirmed: bool,
    /// The child commits less than the parent task asks.
    pub less_than_parent: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageRow {
    pub task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub targets: Vec<String>,
    pub children: Vec<CoveringTask>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChildGaps {
    pub child_plan_id: i64,
    pub number: Option<String>,
    pub title: String,
    /// Parent tasks this child plan covers with none of its tasks.
    pub leaves_out: Vec<i64>,
    /// Child tasks mapped to no parent task.
    pub unmapped: Vec<i64>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CoverageView {
    pub plan_id: i64,
    pub tasks: Vec<CoverageRow>,
    pub children: Vec<ChildGaps>,
}

fn target_words(targets: &[TargetRow], task_id: i64) -> Vec<String> {
    targets
        .iter()
        .filter(|g| g.task_id == task_id)
        .map(|g| {
            format!("{}/{} {}", g.count, g.per, g.noun)
                .trim()
                .to_string()
        })
        .collect()
}

fn target_pairs(targets: &[TargetRow], task_id: i64) -> Vec<(f64, String)> {
    targets
        .iter()
        .filter(|g| g.task_id == task_id)
        .map(|g| (g.count, g.per.clone()))
        .collect()
}

/// Per parent task, the child tasks mapped to it by plan; per child plan, what it leaves out.
pub async fn coverage(store: &Store, parent: i64) -> Result<CoverageView, CascadeError> {
    plan_of(store, parent).await?;
    let tasks = store.tasks_of_plan(parent).await?;
    let targets = store.targets_of_plan(parent).await?;
    let links = store.task_links_of_parent(parent).await?;
    let children = store.linked_plans(parent, false).await?;
    type ChildTask = (TaskRow, Vec<(f64, String)>, Vec<String>);
    let mut child_tasks: HashMap<i64, ChildTask> = HashMap::new();
    let mut gaps = Vec::new();
    for c in &children {
        let ts = store.tasks_of_plan(c.plan_id).await?;
        let gs = store.targets_of_plan(c.plan_id).await?;
        let mapped: HashSet<i64> = links
            .iter()
            .filter(|l| l.child_plan_id == c.plan_id)
            .map(|l| l.parent_task_id)
            .collect();
        let mapped_children: HashSet<i64> = links.iter().map(|l| l.child_task_id).collect();
        gaps.push(ChildGaps {
            child_plan_id: c.plan_id,
            number: c.number.clone(),
            title: c.title.clone(),
            leaves_out: tasks
                .iter()
                .filter(|t| !mapped.contains(&t.id))
                .map(|t| t.id)
                .collect(),
            unmapped: ts
                .iter()
                .filter(|t| !mapped_children.contains(&t.id))
                .map(|t| t.id)
                .collect(),
        });
        for t in ts {
            let pairs = target_pairs(&gs, t.id);
            let words = target_words(&gs, t.id);
            child_tasks.insert(t.id, (t, pairs, words));
        }
    }
    let rows = tasks
        .iter()
        .map(|t| {
            let parent_pairs = target_pairs(&targets, t.id);
            let children = links
                .iter()
                .filter(|l| l.parent_task_id == t.id)
                .filter_map(|l| {
                    let (ct, pairs, words) = child_tasks.get(&l.child_task_id)?;
                    Some(CoveringTask {
                        child_plan_id: l.child_plan_id,
                        child_task_id: ct.id,
                        reference: ct.reference.clone(),
                        title: ct.title.clone(),
                        targets: words.clone(),
                        score: l.score,
                        confirmed: l.confirmed,
                        less_than_parent: coverage::commits_less(pairs, &parent_pairs),
                    })
                })
                .collect();
            CoverageRow {
                task_id: t.id,
                reference: t.reference.clone(),
                title: t.title.clone(),
                targets: target_words(&targets, t.id),
                children,
            }
        })
        .collect();
    Ok(CoverageView {
        plan_id: parent,
        tasks: rows,
        children: gaps,
    })
}

/// One lead unit of the source plan and what becomes of it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitFate {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub fate: Fate,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarriedTask {
    pub source_task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
    pub window_from: Option<NaiveDate>,
    pub window_to: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub targets: Vec<String>,
    /// Lead units on the new date: kept ones and successors; those to confirm are listed
    /// in `units` and left out here until the plan office chooses.
    pub leads: Vec<UnitRef>,
    /// Source lead units (codes) whose fate is to confirm.
    pub leads_to_confirm: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarryDraft {
    pub source_plan_id: i64,
    pub year: i32,
    pub title: String,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub tasks: Vec<CarriedTask>,
    /// Every lead unit of the source plan, each once, with its fate.
    pub units: Vec<UnitFate>,
    pub kept: usize,
    pub replaced: usize,
    pub to_confirm: usize,
}

/// Most years a plan is carried forward at once.
const MAX_CARRY_YEARS: i32 = 10;

/// Next year's draft of `plan_id` for `year`. Reads the source, never writes it; may add the
/// standard agencies of the successor provinces on the new date (as an import does).
pub async fn carry(
    store: &Store,
    plan_id: i64,
    year: i32,
    by: &Change,
) -> Result<CarryDraft, CascadeError> {
    let plan = plan_of(store, plan_id).await?;
    let source_year = plan
        .period_from
        .or(plan.issued_on)
        .map(|d| d.year())
        .ok_or_else(|| {
            CascadeError::Invalid(format!(
                "plan {plan_id} has no period or date to carry from"
            ))
        })?;
    let years = year - source_year;
    if !(1..=MAX_CARRY_YEARS).contains(&years) {
        return Err(CascadeError::Invalid(format!(
            "year {year}: a plan of {source_year} is carried to one of the {MAX_CARRY_YEARS} years after it"
        )));
    }
    let from = plan
        .issued_on
        .or(plan.period_from)
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(source_year, 1, 1).unwrap_or_default());
    let on = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| CascadeError::Invalid(format!("year {year}")))?;
    let until = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(on);
    let tasks = store.tasks_of_plan(plan_id).await?;
    let targets = store.targets_of_plan(plan_id).await?;
    let assignments = store.assignments_of_plan(plan_id).await?;
    let mut registry = store.registry().await?;

    let lead_codes: Vec<(String, String)> = {
        let mut seen = BTreeMap::new();
        for a in &assignments {
            seen.entry(a.unit_code.clone())
                .or_insert_with(|| a.unit_name.clone());
        }
        seen.into_iter().collect()
    };
    // The successor provinces' agencies on the new date, as an import of the draft would set up.
    let sources: Vec<kehoach_core::units::Unit> = lead_codes
        .iter()
        .filter_map(|(c, _)| registry.get(c, from).cloned())
        .collect();
    let refs: Vec<&kehoach_core::units::Unit> = sources.iter().collect();
    for province in carry::successor_provinces(&registry, &refs, from, on) {
        crate::units::init_agencies(store, &mut registry, &province, on, by).await?;
    }

    let mut fates: BTreeMap<String, UnitFate> = BTreeMap::new();
    for (code, name) in &lead_codes {
        let fate = match registry.get(code, from) {
            Some(unit) => carry::fate(&registry, unit, from, on, until),
            None => Fate::ToConfirm {
                reason: "unknown_on_source_date".into(),
                candidates: Vec::new(),
            },
        };
        fates.insert(
            code.clone(),
            UnitFate {
                code: code.clone(),
                name: name.clone(),
                fate,
            },
        );
    }
    let carried = tasks
        .iter()
        .map(|t| {
            let mut leads: Vec<UnitRef> = Vec::new();
            let mut leads_to_confirm = Vec::new();
            for a in assignments.iter().filter(|a| a.task_id == t.id) {
                match fates.get(&a.unit_code).map(|f| &f.fate) {
                    Some(Fate::Kept) => leads.push(UnitRef {
                        code: a.unit_code.clone(),
                        name: a.unit_name.clone(),
                    }),
                    Some(Fate::Replaced { successors, .. }) => {
                        for s in successors {
                            if !leads.contains(s) {
                                leads.push(s.clone());
                            }
                        }
                    }
                    _ => leads_to_confirm.push(a.unit_code.clone()),
                }
            }
            CarriedTask {
                source_task_id: t.id,
                reference: t.reference.clone(),
                title: t.title.clone(),
                window_from: t.window_from.map(|d| carry::shift(d, years)),
                window_to: t.window_to.map(|d| carry::shift(d, years)),
                due: t.due.map(|d| carry::shift(d, years)),
                targets: target_words(&targets, t.id),
                leads,
                leads_to_confirm,
            }
        })
        .collect();
    let units: Vec<UnitFate> = fates.into_values().collect();
    let count = |f: fn(&Fate) -> bool| units.iter().filter(|u| f(&u.fate)).count();
    Ok(CarryDraft {
        source_plan_id: plan_id,
        year,
        title: plan
            .title
            .replace(&source_year.to_string(), &year.to_string()),
        period_from: plan.period_from.map(|d| carry::shift(d, years)),
        period_to: plan.period_to.map(|d| carry::shift(d, years)),
        tasks: carried,
        kept: count(|f| matches!(f, Fate::Kept)),
        replaced: count(|f| matches!(f, Fate::Replaced { .. })),
        to_confirm: count(|f| matches!(f, Fate::ToConfirm { .. })),
        units,
    })
}

async fn diff_tasks(store: &Store, plan_id: i64) -> Result<Vec<DiffTask>, CascadeError> {
    plan_of(store, plan_id).await?;
    let tasks = store.tasks_of_plan(plan_id).await?;
    let targets = store.targets_of_plan(plan_id).await?;
    let assignments = store.assignments_of_plan(plan_id).await?;
    Ok(tasks
        .into_iter()
        .map(|t| DiffTask {
            id: t.id,
            targets: targets
                .iter()
                .filter(|g| g.task_id == t.id)
                .map(|g| (g.count, g.per.clone(), g.noun.clone()))
                .collect(),
            leads: assignments
                .iter()
                .filter(|a| a.task_id == t.id)
                .map(|a| a.unit_name.clone())
                .collect(),
            reference: t.reference,
            title: t.title,
            content: t.content,
        })
        .collect())
}

/// Tasks added, removed and changed from plan `a` to plan `b`.
pub async fn plan_diff(store: &Store, a: i64, b: i64) -> Result<PlanDiff, CascadeError> {
    let ta = diff_tasks(store, a).await?;
    let tb = diff_tasks(store, b).await?;
    Ok(diff::diff(&ta, &tb))
}

/// The plan office's word on a child task of a plan linked under `parent`: it carries out
/// `parent_task` (a task of `parent`), or nothing of the parent plan (`None`).
pub async fn map_task(
    store: &Store,
    parent: i64,
    child_task: i64,
    parent_task: Option<i64>,
    by: &Change,
) -> Result<(), CascadeError> {
    plan_of(store, parent).await?;
    let children = store.linked_plans(parent, false).await?;
    let of_child = store
        .task(child_task)
        .await?
        .is_some_and(|t| children.iter().any(|c| c.plan_id == t.plan_id));
    if !of_child {
        return Err(StoreError::NotFound(format!(
            "task {child_task} of a plan implementing plan {parent}"
        ))
        .into());
    }
    Ok(store
        .set_task_link(child_task, parent, parent_task, by)
        .await?)
}

/// Next year's draft of `plan_id` for `year` as an import waiting for its preview, like an
/// uploaded document read and resolved: the tasks with their targets, windows and due dates
/// shifted, each lead unit replaced by its successors on the new date; a lead unit whose fate
/// is to confirm is an unresolved lead of its task (the preview's fixes choose its unit). The
/// owning unit is the source's, or its successor. No number nor issue date: the plan office
/// gives them when the plan is issued. The source is not changed.
pub async fn carry_as_import(
    store: &Store,
    plan_id: i64,
    year: i32,
    by: &Change,
) -> Result<crate::import::Prepared, CascadeError> {
    let draft = carry(store, plan_id, year, by).await?;
    let source = plan_of(store, plan_id).await?;
    let on = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| CascadeError::Invalid(format!("year {year}")))?;
    let until = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(on);
    let from = source.issued_on.or(source.period_from).unwrap_or(on);
    let (registry, ids) = store.registry_and_ids().await?;
    let id_on = |code: &str| {
        registry
            .get(code, on)
            .and_then(|u| ids.get(&(u.code.clone(), u.valid_from)).copied())
    };
    // The owning unit on the new date: kept, else its (first) successor or candidate.
    let context_unit_id = match source.context_unit_id {
        Some(id) => match store.unit(id).await? {
            Some(u) => match registry.get(&u.code, from) {
                Some(unit) => match carry::fate(&registry, unit, from, on, until) {
                    Fate::Kept => id_on(&u.code),
                    Fate::Replaced { successors, .. } => {
                        successors.first().and_then(|s| id_on(&s.code))
                    }
                    Fate::ToConfirm { candidates, .. } => {
                        candidates.first().and_then(|s| id_on(&s.code))
                    }
                },
                None => None,
            },
            None => None,
        },
        None => None,
    };
    let tasks = store.tasks_of_plan(plan_id).await?;
    let targets = store.targets_of_plan(plan_id).await?;
    let name_of: HashMap<&str, &str> = draft
        .units
        .iter()
        .map(|u| (u.code.as_str(), u.name.as_str()))
        .collect();
    let mut unit_names = HashMap::new();
    let mut unresolved = Vec::new();
    let mut new_tasks = Vec::with_capacity(draft.tasks.len());
    for carried in &draft.tasks {
        let Some(t) = tasks.iter().find(|t| t.id == carried.source_task_id) else {
            continue;
        };
        let mut leads = Vec::new();
        for lead in &carried.leads {
            if let Some(id) = id_on(&lead.code) {
                unit_names.entry(id).or_insert_with(|| lead.name.clone());
                if !leads.iter().any(|(x, _)| *x == id) {
                    leads.push((id, "carried".to_string()));
                }
            }
        }
        let mut task_unresolved = Vec::new();
        for code in &carried.leads_to_confirm {
            let text = name_of
                .get(code.as_str())
                .copied()
                .unwrap_or(code)
                .to_string();
            // Stored as "unknown" (the unit named is none on the new date); the preview words it
            // as a successor to confirm.
            task_unresolved.push(("lead".to_string(), text.clone(), "unknown".to_string()));
            unresolved.push(crate::import::UnresolvedText {
                task_ref: t.reference.clone(),
                role: "lead".into(),
                text,
                reason: "to_confirm".into(),
            });
        }
        new_tasks.push(crate::store::NewTask {
            reference: t.reference.clone(),
            title: t.title.clone(),
            content: t.content.clone(),
            lead_text: t.lead_text.clone(),
            partner_text: t.partner_text.clone(),
            window_from: carried.window_from,
            window_to: carried.window_to,
            due: carried.due,
            targets: targets
                .iter()
                .filter(|g| g.task_id == t.id)
                .filter_map(|g| {
                    Some(crate::store::NewTarget {
                        count: g.count,
                        per: g.per.parse().ok()?,
                        noun: g.noun.clone(),
                    })
                })
                .collect(),
            leads,
            partners: Vec::new(),
            unresolved: task_unresolved,
        });
    }
    // The source's extraction keeps the section headings the report words by; it says where
    // the draft came from.
    let mut extraction = store
        .plan_extraction(plan_id)
        .await?
        .unwrap_or(serde_json::Value::Null);
    if let Some(map) = extraction.as_object_mut() {
        map.insert("carried_from".into(), serde_json::json!(plan_id));
        map.insert("carried_to".into(), serde_json::json!(year));
    }
    let source_name = format!("carry-{plan_id}-{year}");
    let plan = crate::store::NewPlan {
        number: None,
        title: draft.title.clone(),
        issuer: source.issuer.clone(),
        issued_on: None,
        period_from: draft.period_from,
        period_to: draft.period_to,
        context_unit_id,
        grace_days: source.grace_days,
        source_sha256: {
            use sha2::Digest;
            sha2::Sha256::digest(source_name.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        },
        source_name,
        source_size: 0,
        extraction,
        references: store.references_of_plan(plan_id).await?,
        tasks: new_tasks,
    };
    Ok(crate::import::Prepared {
        plan,
        unresolved,
        unit_names,
        on,
        context_unit_id,
        warnings: Vec::new(),
    })
}
