//! Review of reported activities and approval of a unit's periods: the states, the transitions
//! and the lock rule. Pure; the store keeps the states and calls these to decide.
//!
//! An activity's review: `pending → accepted | returned`; a returned activity is corrected and
//! resubmitted (`returned → pending`); the plan office may change its mind (`accepted →
//! returned`, `returned → accepted`). The database keeps the third state under its original name
//! `rejected` (migration 0001's constraint; rebuilding the activities table to rename it was not
//! worth it), so [`ReviewState::as_db`]/[`ReviewState::from_db`] are the one mapping.
//!
//! A unit's period of work on a plan (a month, quarter, half-year or year): `open → submitted →
//! approved | returned`, `returned → submitted`, `approved → reopened → submitted`. Approval goes
//! up the unit tree — a commune's period is approved by its district (while districts exist),
//! then by the province; an agency's by its province — and the *first* approval already locks
//! it (DHIS2 locks data once approved at any level): no activity dated in it may be added,
//! edited, deleted or change review state until the plan office reopens it.

use chrono::NaiveDate;
use serde::Serialize;

/// An activity's review state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewState {
    Pending,
    Accepted,
    Returned,
}

impl ReviewState {
    /// Every state, in the API's order (its OpenAPI enum is these words).
    pub const ALL: [ReviewState; 3] = [
        ReviewState::Pending,
        ReviewState::Accepted,
        ReviewState::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewState::Pending => "pending",
            ReviewState::Accepted => "accepted",
            ReviewState::Returned => "returned",
        }
    }

    /// The value stored in `activities.review_state`.
    pub fn as_db(self) -> &'static str {
        match self {
            ReviewState::Returned => "rejected",
            other => other.as_str(),
        }
    }

    /// From `activities.review_state` (or the API's words).
    pub fn from_db(s: &str) -> Option<ReviewState> {
        match s {
            "pending" => Some(ReviewState::Pending),
            "accepted" => Some(ReviewState::Accepted),
            "rejected" | "returned" => Some(ReviewState::Returned),
            _ => None,
        }
    }
}

/// What a person does to an activity's review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ReviewDecision {
    /// The plan office confirms it.
    Accept,
    /// The plan office sends it back with a reason.
    Return,
    /// The reporter, having corrected it, asks for review again.
    Resubmit,
}

impl ReviewDecision {
    /// Every decision (the OpenAPI enum is their words).
    pub const ALL: [ReviewDecision; 3] = [
        ReviewDecision::Accept,
        ReviewDecision::Return,
        ReviewDecision::Resubmit,
    ];

    pub fn parse(s: &str) -> Option<ReviewDecision> {
        match s.trim() {
            "accept" => Some(ReviewDecision::Accept),
            "return" => Some(ReviewDecision::Return),
            "resubmit" => Some(ReviewDecision::Resubmit),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewDecision::Accept => "accept",
            ReviewDecision::Return => "return",
            ReviewDecision::Resubmit => "resubmit",
        }
    }

    /// Whether the decision needs a reason.
    pub fn needs_reason(self) -> bool {
        self == ReviewDecision::Return
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("it is {0}: nothing to do")]
    Already(&'static str),
    #[error("only a returned activity can be resubmitted (this one is {0})")]
    NotReturned(&'static str),
    #[error("the period is {from}: it cannot be {action}")]
    Period {
        from: &'static str,
        action: &'static str,
    },
}

/// The review state after `decision`, or why not.
pub fn review(from: ReviewState, decision: ReviewDecision) -> Result<ReviewState, Refused> {
    use ReviewDecision::*;
    use ReviewState::*;
    match (from, decision) {
        (Accepted, Accept) => Err(Refused::Already("accepted")),
        (Returned, Return) => Err(Refused::Already("returned")),
        (_, Accept) => Ok(Accepted),
        (_, Return) => Ok(Returned),
        (Returned, Resubmit) => Ok(Pending),
        (other, Resubmit) => Err(Refused::NotReturned(other.as_str())),
    }
}

/// Whether an activity in this state counts toward the figures, for a plan counting all
/// activities (`accepted_only == false`) or only accepted ones.
pub fn counts(state: ReviewState, accepted_only: bool) -> bool {
    !accepted_only || state == ReviewState::Accepted
}

/// A unit's period's approval state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodState {
    /// Nothing submitted yet (no row).
    Open,
    Submitted,
    Approved,
    Returned,
    Reopened,
}

impl PeriodState {
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodState::Open => "open",
            PeriodState::Submitted => "submitted",
            PeriodState::Approved => "approved",
            PeriodState::Returned => "returned",
            PeriodState::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<PeriodState> {
        [
            PeriodState::Open,
            PeriodState::Submitted,
            PeriodState::Approved,
            PeriodState::Returned,
            PeriodState::Reopened,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }

    /// An approved period refuses writes of activities dated in it.
    pub fn locks(self) -> bool {
        self == PeriodState::Approved
    }
}

/// What a person does to a unit's period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PeriodAction {
    Submit,
    Approve,
    Return,
    Reopen,
}

impl PeriodAction {
    /// Every action (the OpenAPI enum is their words).
    pub const ALL: [PeriodAction; 4] = [
        PeriodAction::Submit,
        PeriodAction::Approve,
        PeriodAction::Return,
        PeriodAction::Reopen,
    ];

    pub fn parse(s: &str) -> Option<PeriodAction> {
        match s.trim() {
            "submit" => Some(PeriodAction::Submit),
            "approve" => Some(PeriodAction::Approve),
            "return" => Some(PeriodAction::Return),
            "reopen" => Some(PeriodAction::Reopen),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodAction::Submit => "submit",
            PeriodAction::Approve => "approve",
            PeriodAction::Return => "return",
            PeriodAction::Reopen => "reopen",
        }
    }

    fn past(self) -> &'static str {
        match self {
            PeriodAction::Submit => "submitted",
            PeriodAction::Approve => "approved",
            PeriodAction::Return => "returned",
            PeriodAction::Reopen => "reopened",
        }
    }

    /// Return and reopen need a reason; a submission's note is optional.
    pub fn needs_reason(self) -> bool {
        matches!(self, PeriodAction::Return | PeriodAction::Reopen)
    }
}

/// Where a period stands on its way up: its state and how many steps of its approval chain are
/// done (0 until the first approval).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodStanding {
    pub state: PeriodState,
    pub steps_done: usize,
}

/// The standing after `action`, given the chain's length and how many steps the approver
/// completes at once (an approver higher up the chain approves the steps below it too: the
/// province may approve a commune's month without waiting for a district). `steps_to` is the
/// 1-based index in the chain of the approver's level (ignored but for approvals).
pub fn transition(
    from: PeriodStanding,
    action: PeriodAction,
    chain_len: usize,
    steps_to: usize,
) -> Result<PeriodStanding, Refused> {
    use PeriodAction::*;
    use PeriodState::*;
    let refused = || Refused::Period {
        from: from.state.as_str(),
        action: action.past(),
    };
    let to = |state, steps_done| PeriodStanding { state, steps_done };
    match (from.state, action) {
        (Open | Returned | Reopened, Submit) => Ok(to(Submitted, 0)),
        (Submitted | Approved, Approve) => {
            let steps = steps_to.clamp(1, chain_len.max(1));
            if steps <= from.steps_done {
                Err(Refused::Already("approved at this level"))
            } else {
                Ok(to(Approved, steps))
            }
        }
        (Submitted, Return) => Ok(to(Returned, 0)),
        (Approved, Reopen) => Ok(to(Reopened, 0)),
        _ => Err(refused()),
    }
}

/// Whether a period ending on `period_end` is locked automatically on `today` by a plan that
/// locks `auto_lock_days` days after a period ends (`None`: never), unless the unit holds an
/// exception running to `exception_until` (inclusive).
pub fn auto_locked(
    period_end: NaiveDate,
    today: NaiveDate,
    auto_lock_days: Option<u32>,
    exception_until: Option<NaiveDate>,
) -> bool {
    let Some(days) = auto_lock_days else {
        return false;
    };
    if exception_until.is_some_and(|until| today <= until) {
        return false;
    }
    period_end
        .checked_add_days(chrono::Days::new(u64::from(days)))
        .is_some_and(|locks_after| today > locks_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn review_moves_and_refuses() {
        use ReviewDecision::*;
        use ReviewState::*;
        assert_eq!(review(Pending, Accept), Ok(Accepted));
        assert_eq!(review(Pending, Return), Ok(Returned));
        assert_eq!(review(Returned, Resubmit), Ok(Pending));
        assert_eq!(review(Accepted, Return), Ok(Returned));
        assert!(review(Pending, Resubmit).is_err());
        assert!(review(Accepted, Accept).is_err());
        for s in [Pending, Accepted, Returned] {
            assert_eq!(ReviewState::from_db(s.as_db()), Some(s));
        }
    }

    #[test]
    fn approval_goes_up_and_locks_from_the_first_step() {
        let open = PeriodStanding {
            state: PeriodState::Open,
            steps_done: 0,
        };
        let submitted = transition(open, PeriodAction::Submit, 2, 0).unwrap();
        let district = transition(submitted, PeriodAction::Approve, 2, 1).unwrap();
        assert!(district.state.locks());
        assert_eq!(district.steps_done, 1);
        let province = transition(district, PeriodAction::Approve, 2, 2).unwrap();
        assert_eq!(province.steps_done, 2);
        assert!(transition(province, PeriodAction::Approve, 2, 2).is_err());
        assert!(transition(district, PeriodAction::Approve, 2, 1).is_err());
        let reopened = transition(province, PeriodAction::Reopen, 2, 0).unwrap();
        assert!(!reopened.state.locks());
        assert!(transition(reopened, PeriodAction::Approve, 2, 2).is_err());
        assert!(transition(open, PeriodAction::Approve, 2, 2).is_err());
        assert!(transition(submitted, PeriodAction::Reopen, 2, 0).is_err());
    }

    #[test]
    fn automatic_lock_after_n_days_unless_excepted() {
        let end = d(2024, 5, 31);
        assert!(!auto_locked(end, d(2024, 6, 10), Some(10), None));
        assert!(auto_locked(end, d(2024, 6, 11), Some(10), None));
        assert!(!auto_locked(
            end,
            d(2024, 6, 11),
            Some(10),
            Some(d(2024, 6, 11))
        ));
        assert!(auto_locked(
            end,
            d(2024, 6, 12),
            Some(10),
            Some(d(2024, 6, 11))
        ));
        assert!(!auto_locked(end, d(2030, 1, 1), None, None));
    }
}
