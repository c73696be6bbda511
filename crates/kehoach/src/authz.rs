//! Who may do what: the one place permissions are decided (pure, no I/O).
//!
//! A decision takes the caller's role, the [`Action`] and where the thing acted on lies relative
//! to the caller's scope — the subtree of the caller's unit — as a [`Reach`]. Finding the reach
//! needs the database (is this unit under that one?); that is `web::authz`'s job, which then asks
//! [`decide`] and turns the [`Verdict`] into an HTTP answer. Nothing else looks at roles.
//!
//! The rules:
//! - an administrator may do everything, everywhere;
//! - a plan office manages plans, units and users and reads everything (activities, files, the
//!   audit log) within its subtree;
//! - a reporter reports and reads activities of the assignments of its unit and of the units under
//!   it (a district's reporter may record what its communes did), and reads the plans it has
//!   assignments in;
//! - finance reads plans, activities, evidence and budgets in its subtree and appraises budget
//!   lines (its only write); a reporter estimates and spends its own unit's budget; the plan
//!   office consolidates, sends and records the approval;
//! - a viewer reads within its subtree;
//! - a disabled account, or one without a unit (other than an administrator), may do nothing.
//!
//! An agency's plan office, finance or viewer acts for the administrative unit the agency belongs
//! to: the provincial Department of Science and Technology *is* the province's plan office, so
//! its scope is the province's subtree ([`acts_for_administrative_unit`]). A reporter's scope is
//! its own unit's subtree: an agency reports for itself only — except a people's committee (UBND),
//! which answers for the unit it governs and so for its agencies (the ward's officer logs the
//! ward radio station's broadcast); `web::authz` finds that root.

use crate::store::Role;

/// Something a caller wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read a plan: its tasks, assignments and compliance.
    ViewPlan,
    /// Import, edit or remove a plan; bind its unresolved unit text.
    ManagePlan,
    /// Read an assignment's activities.
    ViewActivities,
    /// Record (or edit) an activity of an assignment.
    ReportActivity,
    /// Download an evidence file.
    ViewFile,
    /// Search and read units.
    ViewUnits,
    /// Add an agency under a unit.
    ManageUnits,
    /// Add an administrative unit (province, district, commune): they come from the shipped
    /// registry, so only administrators add one.
    ManageAdministrativeUnits,
    /// Read budget lines (a unit its own, the plan office and finance their scope's).
    ViewBudget,
    /// Appraise budget lines and accept settlements: finance's only writes.
    AppraiseBudget,
    /// Read the audit log.
    ViewAudit,
    /// Create, disable users and issue or revoke their tokens.
    ManageUsers,
    // Review and periods (issue 19, parts 3–4).
    /// Accept or return reported activities (within the subtree).
    ReviewActivities,
    /// Submit a unit's period of work on a plan for approval.
    SubmitPeriod,
    /// Approve, return or reopen a unit's period; set a plan's counting and automatic lock;
    /// grant lock exceptions.
    ApprovePeriods,
    // Budget cycle (issue 21).
    /// Draft and submit a unit's estimate, record its spending and settlement.
    EstimateBudget,
    /// Consolidate estimates (return, adjust, send to finance), record the approval, accept
    /// settlements.
    ConsolidateBudget,
}

/// Where the thing acted on lies, seen from the caller's scope (the subtree of its unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Its owning unit is the caller's unit or under it.
    Inside,
    /// A plan owned outside the caller's scope that assigns tasks to units inside it: the caller
    /// may read the plan, and only its own part of it.
    Participant,
    /// Outside the caller's scope.
    Outside,
    /// Not tied to a unit (a listing filtered by scope, the audit log as a whole).
    Anywhere,
}

/// What the caller is, for a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub role: Role,
    pub has_unit: bool,
    pub disabled: bool,
}

impl Principal {
    pub fn of(user: &crate::store::UserRow) -> Self {
        Principal {
            role: user.role,
            has_unit: user.unit_id.is_some(),
            disabled: user.disabled,
        }
    }
}

/// The outcome of a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Refused, and the caller may know why (HTTP 403).
    Forbid(String),
    /// Refused without confirming the thing exists (HTTP 404): for things whose identifiers can
    /// be guessed and whose existence belongs to another unit (plans, evidence files).
    Conceal,
}

/// What a scoped listing may show the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Everything (administrators).
    Everywhere,
    /// The subtree of this unit.
    Subtree(i64),
    /// Nothing.
    Nothing,
}

/// Whether a user of this role attached to an agency takes the scope of the administrative unit
/// (commune, district, province) the agency belongs to.
pub fn acts_for_administrative_unit(role: Role) -> bool {
    matches!(role, Role::PlanOffice | Role::Finance | Role::Viewer)
}

/// The subtree a user's reads and writes are limited to, rooted at the user's own unit (the
/// adapter moves an agency's root up, see [`acts_for_administrative_unit`]).
pub fn scope_of(user: &crate::store::UserRow) -> Scope {
    match (user.disabled, user.role, user.unit_id) {
        (true, _, _) => Scope::Nothing,
        (false, Role::Admin, _) => Scope::Everywhere,
        (false, _, Some(unit)) => Scope::Subtree(unit),
        (false, _, None) => Scope::Nothing,
    }
}

/// The decision: may `who` do `action` on something at `reach`?
pub fn decide(who: Principal, action: Action, reach: Reach) -> Verdict {
    use Action::*;
    use Reach::*;
    use Role::*;
    if who.disabled {
        return Verdict::Forbid("this account is disabled".into());
    }
    if who.role == Admin {
        return Verdict::Allow;
    }
    if !who.has_unit {
        return Verdict::Forbid("your account belongs to no unit".into());
    }
    // What each role may do at all (whatever the reach).
    let role_may = match action {
        ViewPlan | ViewActivities | ViewFile | ViewUnits => true,
        ReportActivity => matches!(who.role, PlanOffice | Reporter),
        ManagePlan | ManageUnits | ManageUsers | ViewAudit => who.role == PlanOffice,
        ManageAdministrativeUnits => false,
        ViewBudget => matches!(who.role, PlanOffice | Finance | Reporter),
        AppraiseBudget => who.role == Finance,
        EstimateBudget => matches!(who.role, PlanOffice | Reporter),
        ConsolidateBudget => who.role == PlanOffice,
        ReviewActivities | ApprovePeriods => who.role == PlanOffice,
        SubmitPeriod => matches!(who.role, PlanOffice | Reporter),
    };
    if !role_may {
        return Verdict::Forbid(format!(
            "your role ({}) may not {}",
            who.role.as_str(),
            describe(action)
        ));
    }
    match (action, reach) {
        (_, Inside | Anywhere) => Verdict::Allow,
        // A unit taking part in another unit's plan reads the plan (its own part is filtered by
        // the handler); it changes nothing of the plan's.
        (ViewPlan, Participant) => Verdict::Allow,
        // Plans and files are looked up by guessable identifiers: another unit's are concealed.
        (ViewPlan | ViewFile | ManagePlan | ViewBudget | AppraiseBudget, _) => Verdict::Conceal,
        (_, Participant | Outside) => Verdict::Forbid(format!(
            "outside your unit: you may not {}",
            describe(action)
        )),
    }
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::ViewPlan => "read this plan",
        Action::ManagePlan => "manage plans",
        Action::ViewActivities => "read these activities",
        Action::ReportActivity => "report activities",
        Action::ViewFile => "read this file",
        Action::ViewUnits => "read units",
        Action::ManageUnits => "add agencies",
        Action::ManageAdministrativeUnits => "add provinces, districts or communes",
        Action::ViewBudget => "read budget lines",
        Action::AppraiseBudget => "appraise budget lines",
        Action::ViewAudit => "read the audit log",
        Action::ManageUsers => "manage users",
        Action::ReviewActivities => "review activities",
        Action::SubmitPeriod => "submit periods",
        Action::ApprovePeriods => "approve or reopen periods",
        Action::EstimateBudget => "estimate or spend this budget",
        Action::ConsolidateBudget => "consolidate or approve budgets",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(role: Role) -> Principal {
        Principal {
            role,
            has_unit: true,
            disabled: false,
        }
    }

    const ROLES: [Role; 5] = [
        Role::Admin,
        Role::PlanOffice,
        Role::Reporter,
        Role::Finance,
        Role::Viewer,
    ];
    const ACTIONS: [Action; 17] = [
        Action::ViewPlan,
        Action::ManagePlan,
        Action::ViewActivities,
        Action::ReportActivity,
        Action::ViewFile,
        Action::ViewUnits,
        Action::ManageUnits,
        Action::ManageAdministrativeUnits,
        Action::ViewBudget,
        Action::AppraiseBudget,
        Action::ViewAudit,
        Action::ManageUsers,
        Action::ReviewActivities,
        Action::SubmitPeriod,
        Action::ApprovePeriods,
        Action::EstimateBudget,
        Action::ConsolidateBudget,
    ];

    #[test]
    fn administrators_may_do_everything_everywhere() {
        for action in ACTIONS {
            for reach in [Reach::Inside, Reach::Outside, Reach::Participant] {
                assert_eq!(decide(who(Role::Admin), action, reach), Verdict::Allow);
            }
        }
    }

    #[test]
    fn disabled_accounts_may_do_nothing() {
        for role in ROLES {
            let p = Principal {
                disabled: true,
                ..who(role)
            };
            for action in ACTIONS {
                assert!(matches!(
                    decide(p, action, Reach::Inside),
                    Verdict::Forbid(_)
                ));
            }
        }
    }

    #[test]
    fn nothing_outside_the_subtree_but_for_administrators() {
        for role in ROLES.into_iter().filter(|r| *r != Role::Admin) {
            for action in ACTIONS {
                assert_ne!(
                    decide(who(role), action, Reach::Outside),
                    Verdict::Allow,
                    "{role:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn who_writes_what_inside() {
        let may = |role, action| decide(who(role), action, Reach::Inside) == Verdict::Allow;
        assert!(may(Role::Reporter, Action::ReportActivity));
        assert!(may(Role::PlanOffice, Action::ReportActivity));
        assert!(!may(Role::Finance, Action::ReportActivity));
        assert!(!may(Role::Viewer, Action::ReportActivity));
        assert!(may(Role::PlanOffice, Action::ManagePlan));
        assert!(may(Role::PlanOffice, Action::ManageUnits));
        assert!(!may(Role::PlanOffice, Action::ManageAdministrativeUnits));
        assert!(!may(Role::Reporter, Action::ManagePlan));
        assert!(may(Role::Finance, Action::AppraiseBudget));
        assert!(!may(Role::PlanOffice, Action::AppraiseBudget));
        // Budget: finance writes only appraisal; the office consolidates; units estimate.
        assert!(!may(Role::Finance, Action::EstimateBudget));
        assert!(!may(Role::Finance, Action::ConsolidateBudget));
        assert!(may(Role::Reporter, Action::EstimateBudget));
        assert!(!may(Role::Reporter, Action::ConsolidateBudget));
        assert!(!may(Role::Reporter, Action::AppraiseBudget));
        assert!(may(Role::PlanOffice, Action::ConsolidateBudget));
        assert!(may(Role::Finance, Action::ViewBudget));
        assert!(!may(Role::Viewer, Action::ViewBudget));
        assert!(may(Role::PlanOffice, Action::ViewAudit));
        assert!(!may(Role::Viewer, Action::ViewAudit));
        for role in ROLES {
            assert!(may(role, Action::ViewPlan) && may(role, Action::ViewActivities));
        }
        assert!(may(Role::PlanOffice, Action::ReviewActivities));
        assert!(!may(Role::Reporter, Action::ReviewActivities));
        assert!(may(Role::Reporter, Action::SubmitPeriod));
        assert!(!may(Role::Reporter, Action::ApprovePeriods));
        assert!(!may(Role::Finance, Action::SubmitPeriod));
    }

    #[test]
    fn a_participant_reads_the_plan_and_changes_nothing_of_it() {
        for role in ROLES.into_iter().filter(|r| *r != Role::Admin) {
            assert_eq!(
                decide(who(role), Action::ViewPlan, Reach::Participant),
                Verdict::Allow
            );
            assert_ne!(
                decide(who(role), Action::ManagePlan, Reach::Participant),
                Verdict::Allow
            );
        }
    }

    #[test]
    fn plans_and_files_of_other_units_are_concealed() {
        for role in [Role::PlanOffice, Role::Reporter, Role::Viewer] {
            assert_eq!(
                decide(who(role), Action::ViewPlan, Reach::Outside),
                Verdict::Conceal
            );
            assert_eq!(
                decide(who(role), Action::ViewFile, Reach::Outside),
                Verdict::Conceal
            );
            assert!(matches!(
                decide(who(role), Action::ViewActivities, Reach::Outside),
                Verdict::Forbid(_)
            ));
        }
    }

    #[test]
    fn no_unit_no_scope() {
        let p = Principal {
            has_unit: false,
            ..who(Role::Viewer)
        };
        assert!(matches!(
            decide(p, Action::ViewPlan, Reach::Inside),
            Verdict::Forbid(_)
        ));
    }
}
