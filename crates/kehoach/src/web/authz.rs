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

/// The units whose data `user` may see on the pages: `None` for every unit (administrators, plan
/// offices, finance), else the subtree of the user's unit (empty when the user has none).
pub async fn visible_units(
    state: &AppState,
    user: &UserRow,
) -> Result<Option<std::collections::HashSet<i64>>, ApiError> {
    if user.disabled {
        return Ok(Some(Default::default()));
    }
    match user.role {
        Role::Admin | Role::PlanOffice | Role::Finance => Ok(None),
        Role::Reporter | Role::Viewer => match user.unit_id {
            Some(unit) => {
                let Some(row) = state.store.unit(unit).await? else {
                    return Ok(Some(Default::default()));
                };
                // A date the unit is valid on, to find it by its code.
                let on = row
                    .valid_from
                    .or(row.valid_to.and_then(|d| d.pred_opt()))
                    .unwrap_or_else(|| kehoach_core::period::today_in_vietnam(chrono::Utc::now()));
                Ok(Some(
                    state
                        .store
                        .unit_subtree_ids(&row.code, on)
                        .await?
                        .unwrap_or_else(|| std::iter::once(unit).collect()),
                ))
            }
            None => Ok(Some(Default::default())),
        },
    }
}

/// Importing plans and adding units is for administrators and plan offices.
pub fn ensure_may_import(user: &UserRow) -> Result<(), ApiError> {
    if !user.disabled && matches!(user.role, Role::Admin | Role::PlanOffice) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the plan office may import plans and add units".into(),
        ))
    }
}
