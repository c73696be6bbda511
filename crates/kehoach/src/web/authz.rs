//! The HTTP side of permissions: finds where a resource lies relative to the caller's scope (a
//! database question), asks the one policy ([`crate::authz::decide`]) and turns its verdict into
//! an answer (403 with the reason, or 404). Handlers and pages make one call:
//!
//! ```ignore
//! let reach = Authz::of(&state, &user).check(Action::ReportActivity, Resource::Assignment(&a)).await?;
//! ```
//!
//! Listings ask [`Authz::scope`] and let the store filter by it.

use super::{ApiError, AppState};
use crate::authz::{
    Action, Principal, Reach, Scope, Verdict, acts_for_administrative_unit, decide, scope_of,
};
use crate::store::{AssignmentRow, CallerReach, PlanRow, StoreError, UserRow};

/// What an action is about.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// An assignment: owned by its unit.
    Assignment(&'a AssignmentRow),
    /// A plan: owned by its issuing unit (`plans.context_unit_id`); units it assigns tasks to
    /// take part in it.
    Plan(&'a PlanRow),
    /// Something under a unit (a unit to add under a parent); `None` is the top of the tree.
    Unit(Option<i64>),
    /// An evidence file, by its SHA-256: within the scope when an activity in the scope holds it.
    File(&'a str),
    /// Not tied to a unit: only the role matters, and listings are filtered by [`Authz::scope`].
    Anywhere,
}

/// A caller's permissions, for one request.
pub struct Authz<'a> {
    state: &'a AppState,
    user: &'a UserRow,
    /// What was read with the caller (the API's `POST …/activities`), so the check asks the
    /// database nothing more.
    known: Option<CallerReach>,
}

impl<'a> Authz<'a> {
    pub fn of(state: &'a AppState, user: &'a UserRow) -> Self {
        Authz {
            state,
            user,
            known: None,
        }
    }

    /// The same decisions, from what was read with the caller (`known`, of `user`'s unit)
    /// where it answers the question, from the database where it does not.
    pub fn known(state: &'a AppState, user: &'a UserRow, known: Option<CallerReach>) -> Self {
        Authz {
            state,
            user,
            known: known.filter(|k| user.unit_id == Some(k.roots.unit)),
        }
    }

    /// The roots of the caller's unit `unit`: read with the caller, or now.
    async fn roots(&self, unit: i64) -> Result<crate::store::UnitRoots, StoreError> {
        match self.known {
            Some(k) if k.roots.unit == unit => Ok(k.roots),
            _ => self.state.store.unit_roots(unit).await,
        }
    }

    /// Whether assignment `a` lies at or under `root`: read with the caller, or now.
    async fn assignment_within(&self, a: &AssignmentRow, root: i64) -> Result<bool, StoreError> {
        if let Some(k) = self.known
            && k.assignment_id == a.id
        {
            if root == k.roots.unit {
                return Ok(k.within_unit);
            }
            if root == k.roots.administrative {
                return Ok(k.within_administrative);
            }
        }
        self.state.store.unit_is_within(a.unit_id, root).await
    }

    /// What listings may show the caller: its unit's subtree, or for an agency's plan office,
    /// finance or viewer the subtree of the administrative unit the agency belongs to, and for a
    /// people's committee's reporter that of the unit it governs (`Store::work_root_of`).
    pub async fn scope(&self) -> Result<Scope, StoreError> {
        Ok(match scope_of(self.user) {
            Scope::Subtree(unit) if acts_for_administrative_unit(self.user.role) => {
                Scope::Subtree(self.roots(unit).await?.administrative)
            }
            // A people's committee's reporter answers for its administrative unit's agencies.
            Scope::Subtree(unit) => Scope::Subtree(self.roots(unit).await?.work_root()),
            other => other,
        })
    }

    /// The root of the caller's subtree for the store's scoped reads (`None`: everywhere).
    /// A caller with no scope at all is refused here.
    pub async fn scope_root(&self) -> Result<Option<i64>, ApiError> {
        match self.scope().await? {
            Scope::Everywhere => Ok(None),
            Scope::Subtree(root) => Ok(Some(root)),
            Scope::Nothing => Err(ApiError::Forbidden(
                "your account has no unit to read from".into(),
            )),
        }
    }

    /// Where the resource lies, seen from the caller.
    pub async fn reach(&self, resource: Resource<'_>) -> Result<Reach, StoreError> {
        let root = match self.scope().await? {
            Scope::Everywhere => return Ok(Reach::Inside),
            Scope::Nothing => return Ok(Reach::Outside),
            Scope::Subtree(root) => root,
        };
        let store = &self.state.store;
        let inside = |yes: bool| if yes { Reach::Inside } else { Reach::Outside };
        Ok(match resource {
            Resource::Anywhere => Reach::Anywhere,
            Resource::Assignment(a) => inside(self.assignment_within(a, root).await?),
            Resource::Unit(None) => Reach::Outside,
            Resource::Unit(Some(unit)) => inside(store.unit_is_within(unit, root).await?),
            Resource::File(sha256) => inside(
                store
                    .evidence_file_within(sha256, Some(root))
                    .await?
                    .is_some(),
            ),
            Resource::Plan(plan) => {
                let owned = match plan.context_unit_id {
                    Some(owner) => store.unit_is_within(owner, root).await?,
                    None => false,
                };
                if owned {
                    Reach::Inside
                } else if store.plan_has_assignment_within(plan.id, root).await? {
                    Reach::Participant
                } else {
                    Reach::Outside
                }
            }
        })
    }

    /// The decision, without turning it into an HTTP answer (pages may want to hide a button).
    pub async fn verdict(
        &self,
        action: Action,
        resource: Resource<'_>,
    ) -> Result<(Verdict, Reach), StoreError> {
        let reach = self.reach(resource).await?;
        Ok((decide(Principal::of(self.user), action, reach), reach))
    }

    /// Allowed (and where the resource lies, so a handler can show a participant only its part),
    /// or the HTTP refusal: 403 with the reason, or 404 naming `what` when the policy conceals it.
    pub async fn check(&self, action: Action, resource: Resource<'_>) -> Result<Reach, ApiError> {
        let (verdict, reach) = self.verdict(action, resource).await?;
        match verdict {
            Verdict::Allow => Ok(reach),
            Verdict::Forbid(reason) => Err(ApiError::Forbidden(match resource {
                Resource::Anywhere => reason,
                _ => format!("{}: {reason}", describe(resource)),
            })),
            Verdict::Conceal => Err(ApiError::NotFound(format!(
                "{} not found",
                describe(resource)
            ))),
        }
    }
}

fn describe(resource: Resource<'_>) -> String {
    match resource {
        Resource::Assignment(a) => format!("assignment {}", a.id),
        Resource::Plan(p) => format!("plan {}", p.id),
        Resource::Unit(Some(u)) => format!("unit {u}"),
        Resource::Unit(None) => "unit".into(),
        Resource::File(sha) => format!("file {sha}"),
        Resource::Anywhere => "resource".into(),
    }
}

/// Why `user` may not report for `assignment`, or `Ok(())`: administrators anywhere; plan offices
/// and reporters within their unit's subtree; nobody else. (The policy's answer as text, for the
/// import's per-row report.)
pub async fn may_report_for(
    state: &AppState,
    user: &UserRow,
    assignment: &AssignmentRow,
) -> Result<Result<(), String>, StoreError> {
    let authz = Authz::of(state, user);
    let (verdict, _) = authz
        .verdict(Action::ReportActivity, Resource::Assignment(assignment))
        .await?;
    if verdict == Verdict::Allow {
        return Ok(Ok(()));
    }
    // Name the owning unit only to a caller who may see it; to anyone else the assignment is
    // answered exactly like one that does not exist (`activity_import::validate_rows`).
    let (view, _) = authz
        .verdict(Action::ViewActivities, Resource::Assignment(assignment))
        .await?;
    Ok(Err(if view == Verdict::Allow {
        format!(
            "assignment {} belongs to {}, not to your unit",
            assignment.id, assignment.unit_name
        )
    } else {
        format!("no assignment {}", assignment.id)
    }))
}

/// May `user` record activities for `assignment`? 403 with the reason if not.
pub async fn ensure_may_report(
    state: &AppState,
    user: &UserRow,
    assignment: &AssignmentRow,
) -> Result<(), ApiError> {
    Authz::of(state, user)
        .check(Action::ReportActivity, Resource::Assignment(assignment))
        .await
        .map(drop)
}

/// May `user` report activities at all (its role)? 403 if not. Each assignment is then checked
/// with [`ensure_may_report`] or [`may_report_for`].
pub async fn ensure_may_report_somewhere(state: &AppState, user: &UserRow) -> Result<(), ApiError> {
    Authz::of(state, user)
        .check(Action::ReportActivity, Resource::Anywhere)
        .await
        .map(drop)
}

/// May `user` read the activities of `assignment`? 403 with the reason if not.
pub async fn ensure_may_view(
    state: &AppState,
    user: &UserRow,
    assignment: &AssignmentRow,
) -> Result<(), ApiError> {
    Authz::of(state, user)
        .check(Action::ViewActivities, Resource::Assignment(assignment))
        .await
        .map(drop)
}

/// The units whose data `user` may see (for pages that filter lists): `None` for every unit
/// (administrators), else the ids of the caller's scope (empty when it has none).
pub async fn visible_units(
    state: &AppState,
    user: &UserRow,
) -> Result<Option<std::collections::HashSet<i64>>, ApiError> {
    Ok(match Authz::of(state, user).scope().await? {
        Scope::Everywhere => None,
        Scope::Subtree(root) => Some(state.store.subtree_ids(root).await?),
        Scope::Nothing => Some(Default::default()),
    })
}

/// May `user` import plans and add units at all (administrators and plan offices)? 403 if not.
/// Where the plan or unit lies is checked with [`Authz::check`] once it is known.
pub fn ensure_may_import(user: &UserRow) -> Result<(), ApiError> {
    match decide(Principal::of(user), Action::ManagePlan, Reach::Anywhere) {
        Verdict::Allow => Ok(()),
        Verdict::Forbid(reason) => Err(ApiError::Forbidden(reason)),
        Verdict::Conceal => Err(ApiError::Forbidden(
            "only the plan office may import plans and add units".into(),
        )),
    }
}
