//! Who may do what. For now: who may report activities for an assignment. Kept in one place so
//! the permission rules can be centralised here (issue 7).

use super::{ApiError, AppState};
use crate::store::{AssignmentRow, Role, StoreError, UserRow};

/// Why `user` may not report for `assignment`, or `Ok(())`: administrators and plan offices
/// anywhere; a reporter for its own unit and the units under it; nobody else.
pub async fn may_report_for(
    state: &AppState,
    user: &UserRow,
    assignment: &AssignmentRow,
) -> Result<Result<(), String>, StoreError> {
    if user.disabled {
        return Ok(Err("this account is disabled".into()));
    }
    match user.role {
        Role::Admin | Role::PlanOffice => Ok(Ok(())),
        Role::Reporter => match user.unit_id {
            Some(unit) if state.store.unit_is_within(assignment.unit_id, unit).await? => Ok(Ok(())),
            _ => Ok(Err(format!(
                "assignment {} belongs to {}, not to your unit",
                assignment.id, assignment.unit_name
            ))),
        },
        Role::Finance | Role::Viewer => Ok(Err("your role may not report activities".into())),
    }
}

/// [`may_report_for`] as an HTTP answer: 403 with the reason.
pub async fn ensure_may_report(
    state: &AppState,
    user: &UserRow,
    assignment: &AssignmentRow,
) -> Result<(), ApiError> {
    may_report_for(state, user, assignment)
        .await?
        .map_err(ApiError::Forbidden)
}

/// Whether `user` may see the activities of `assignment`: everyone with a role over all units
/// (administrators, plan offices, finance) anywhere; reporters and viewers within their unit.
pub async fn ensure_may_view(
    state: &AppState,
    user: &UserRow,
    assignment: &AssignmentRow,
) -> Result<(), ApiError> {
    let allowed = match user.role {
        Role::Admin | Role::PlanOffice | Role::Finance => true,
        Role::Reporter | Role::Viewer => match user.unit_id {
            Some(unit) => state.store.unit_is_within(assignment.unit_id, unit).await?,
            None => false,
        },
    };
    if allowed && !user.disabled {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "assignment {} belongs to {}, not to your unit",
            assignment.id, assignment.unit_name
        )))
    }
}

/// Whether `user` may read a plan's reports and exports, for the units under `unit` (or the whole
/// plan when `None`): roles over all units anywhere; reporters and viewers only for their own
/// unit and the units under it, so they must name it.
pub async fn ensure_may_read_plan(
    state: &AppState,
    user: &UserRow,
    unit: Option<i64>,
) -> Result<(), ApiError> {
    if user.disabled {
        return Err(ApiError::Forbidden("this account is disabled".into()));
    }
    match user.role {
        Role::Admin | Role::PlanOffice | Role::Finance => Ok(()),
        Role::Reporter | Role::Viewer => match (user.unit_id, unit) {
            (Some(own), Some(asked)) if state.store.unit_is_within(asked, own).await? => Ok(()),
            _ => Err(ApiError::Forbidden(
                "you may export only your own unit's part of a plan: add unit=<your unit code>"
                    .into(),
            )),
        },
    }
}
