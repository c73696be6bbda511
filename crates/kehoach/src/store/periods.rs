//! Approval and locking of a unit's periods of work on a plan (issue 19, part 4), and the plan
//! settings that go with review: whether figures count every activity or accepted ones only,
//! and the automatic lock N days after a period ends (with per-unit exceptions).
//!
//! The states and transitions are `kehoach_core::approval`'s; this module keeps them
//! (`period_approvals`, migration 0016), each change with its audit entry in one transaction.
//!
//! The lock rule, in one place ([`lock_of`]): an activity of assignment A (plan P, unit U)
//! dated D may not be added, edited, deleted or reviewed while
//! - a period of U on P containing D is approved (at any level of its chain), or
//! - P locks automatically N days after a period ends, the month of D ended more than N days
//!   ago, and U holds no exception running to today or later.
//!
//! Everything it reads is in the database and is read when the write is made ([`LOCK_SQL`],
//! run on the write's own transaction where the write path allows it), so a lock taken through
//! one server is honoured by every other at once.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::approval::{
    PeriodAction, PeriodStanding, PeriodState, Refused, auto_locked, transition,
};
use kehoach_core::period::today_in_vietnam;
use kehoach_core::text::nfc;

use super::audit::record_audit;
use super::rollups::Arg;
use super::tx::WriteTx;
use super::{Change, StoreError, on_pool};
use crate::export::report_period::{PeriodKind, ReportPeriod};

/// The longest reason or note kept.
pub const MAX_REASON_CHARS: usize = 2000;

/// A plan's review and lock settings.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PlanCounting {
    /// Only accepted activities count toward the figures (else all, accepted ones marked).
    pub accepted_only: bool,
    /// Periods lock automatically this many days after they end.
    pub auto_lock_days: Option<u32>,
}

/// Why a write is refused: the period it falls in is locked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PeriodLock {
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// The locked period: 2024, 2024-H1, 2024-Q2 or 2024-05.
    pub period: String,
    /// Locked by the plan's automatic lock, not by an approval.
    pub automatic: bool,
    /// Who may reopen it (or grant an exception): the plan office of this unit.
    pub reopen_by: String,
}

impl std::fmt::Display for PeriodLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let how = if self.automatic {
            "locked automatically after it ended"
        } else {
            "approved and locked"
        };
        write!(
            f,
            "period {} of {} on plan {} is {how}: only the plan office of {} may reopen it",
            self.period, self.unit_name, self.plan_id, self.reopen_by
        )
    }
}

/// A unit's period as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PeriodApprovalRow {
    pub id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// 2024, 2024-H1, 2024-Q2 or 2024-05.
    pub label: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// submitted, approved, returned or reopened.
    pub state: String,
    /// The units that approve it, lowest first (ids, comma-separated).
    pub chain: String,
    /// How many of them have approved it.
    pub steps_done: i64,
    pub note: String,
    pub reason: String,
    pub actor: String,
    pub updated_at: DateTime<Utc>,
}

impl PeriodApprovalRow {
    pub fn chain_ids(&self) -> Vec<i64> {
        parse_chain(&self.chain)
    }

    /// Whether every unit of the chain has approved it.
    pub fn fully_approved(&self) -> bool {
        self.state == "approved" && self.steps_done as usize >= self.chain_ids().len()
    }
}

const APPROVAL_SELECT: &str = "SELECT pa.id, pa.plan_id, pa.unit_id, u.code AS unit_code, \
    u.name AS unit_name, pa.label, pa.period_from, pa.period_to, pa.state, pa.chain, \
    pa.steps_done, pa.note, pa.reason, pa.actor, pa.updated_at \
    FROM period_approvals pa JOIN units u ON u.id = pa.unit_id";

fn parse_chain(chain: &str) -> Vec<i64> {
    chain.split(',').filter_map(|s| s.parse().ok()).collect()
}

/// The canonical text of a period: "2024", "2024-H1", "2024-Q2", "2024-05".
pub fn period_label(p: &ReportPeriod) -> String {
    let y = p.year;
    match p.kind {
        PeriodKind::Year => y.to_string(),
        PeriodKind::Half(h) => format!("{y}-H{h}"),
        PeriodKind::Quarter(q) => format!("{y}-Q{q}"),
        PeriodKind::Month(m) => format!("{y}-{m:02}"),
    }
}

/// What the lock check reads of one assignment: one row per approved period of its unit on its
/// plan (or one row with the period columns NULL).
pub(crate) const LOCK_SQL: &str = "SELECT k.plan_id, a.unit_id, \
    u.name AS unit_name, o.name AS owner_name, p.auto_lock_days, e.until AS exception_until, \
    pa.label AS approved_label, pa.period_from AS approved_from, pa.period_to AS approved_to \
    FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
    JOIN units u ON u.id = a.unit_id LEFT JOIN units o ON o.id = p.context_unit_id \
    LEFT JOIN period_lock_exceptions e ON e.plan_id = k.plan_id AND e.unit_id = a.unit_id \
    LEFT JOIN period_approvals pa ON pa.plan_id = k.plan_id AND pa.unit_id = a.unit_id \
      AND pa.state = 'approved' \
    WHERE a.id = $1";

/// One row of [`LOCK_SQL`].
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LockRow {
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub owner_name: Option<String>,
    pub auto_lock_days: Option<i64>,
    pub exception_until: Option<NaiveDate>,
    pub approved_label: Option<String>,
    pub approved_from: Option<NaiveDate>,
    pub approved_to: Option<NaiveDate>,
}

/// The lock, if any, on an activity dated `date` of the assignment whose [`LOCK_SQL`] rows are
/// `rows`, on `today`. Pure: the one statement of the lock rule.
pub(crate) fn lock_of(rows: &[LockRow], date: NaiveDate, today: NaiveDate) -> Option<PeriodLock> {
    let first = rows.first()?;
    let lock = |period: String, automatic: bool| PeriodLock {
        plan_id: first.plan_id,
        unit_id: first.unit_id,
        unit_name: first.unit_name.clone(),
        period,
        automatic,
        reopen_by: first
            .owner_name
            .clone()
            .unwrap_or_else(|| "the plan's issuer".into()),
    };
    for row in rows {
        if let (Some(label), Some(from), Some(to)) =
            (&row.approved_label, row.approved_from, row.approved_to)
            && from <= date
            && date <= to
        {
            return Some(lock(label.clone(), false));
        }
    }
    let month = ReportPeriod::parse(&date.format("%Y-%m").to_string()).ok()?;
    let days = first.auto_lock_days.and_then(|d| u32::try_from(d).ok());
    auto_locked(month.to, today, days, first.exception_until)
        .then(|| lock(period_label(&month), true))
}

/// Sets up a transaction: SQLite takes the write lock up front (a deferred transaction that
/// reads then writes fails when another writer committed in between).
fn begin_sql(backend: super::Backend) -> &'static str {
    match backend {
        super::Backend::Sqlite => "BEGIN IMMEDIATE",
        super::Backend::Postgres => "BEGIN",
    }
}

fn bounded(text: &str, field: &str) -> Result<String, StoreError> {
    let text = nfc(text);
    if text.chars().count() > MAX_REASON_CHARS {
        return Err(StoreError::Invalid(format!(
            "{field}: at most {MAX_REASON_CHARS} characters"
        )));
    }
    Ok(text)
}

/// Whether anything at all may be locked: an approved period or a plan with an automatic lock.
const ANY_LOCK_SQL: &str = "SELECT CAST(1 AS BIGINT) WHERE EXISTS (SELECT 1 FROM period_approvals \
     WHERE state = 'approved') OR EXISTS (SELECT 1 FROM plans WHERE auto_lock_days IS NOT NULL)";

/// The period lock rule of every write of activities, run inside the write's transaction (by
/// the write path's guard `check_writable`, and so by the review of activities): the first
/// (assignment, activity date) of `touched` in a locked period is refused with
/// [`StoreError::Locked`]. Read in the transaction, so a lock taken on another server is
/// honoured at once.
pub(crate) async fn refuse_locked(
    tx: &mut WriteTx,
    touched: &[(i64, NaiveDate)],
) -> Result<(), StoreError> {
    if touched.is_empty() {
        return Ok(());
    }
    // The common case (nothing approved, no automatic lock) costs one query, not one per
    // assignment.
    let any: Option<(i64,)> = tx.fetch_optional(ANY_LOCK_SQL, &[]).await?;
    if any.is_none() {
        return Ok(());
    }
    refuse_locked_of(tx, touched).await
}

/// [`refuse_locked`] without its first question (whether anything at all may be locked), for
/// a write that knows which of its assignments something may lock (the write path reads that
/// with its specs: `activities::write::check_writable_with`).
pub(crate) async fn refuse_locked_of(
    tx: &mut WriteTx,
    touched: &[(i64, NaiveDate)],
) -> Result<(), StoreError> {
    let today = today_in_vietnam(Utc::now());
    let mut facts: HashMap<i64, Vec<LockRow>> = HashMap::new();
    for &(assignment, date) in touched {
        if let std::collections::hash_map::Entry::Vacant(slot) = facts.entry(assignment) {
            slot.insert(tx.fetch(LOCK_SQL, &[Arg::I64(assignment)]).await?);
        }
        if let Some(lock) = lock_of(&facts[&assignment], date, today) {
            return Err(StoreError::Locked(Box::new(lock)));
        }
    }
    Ok(())
}

/// Who acts on a period, for the approval chain: `None` for an administrator (acts at the top
/// of the chain), else the root of the caller's scope.
#[derive(Debug, Clone, Copy)]
pub struct Approver {
    pub scope_root: Option<i64>,
}

impl super::Store {
    /// The review and lock settings of a plan.
    pub async fn plan_counting(&self, plan_id: i64) -> Result<PlanCounting, StoreError> {
        let row: Option<(String, Option<i64>)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT count_mode, auto_lock_days FROM plans WHERE id = $1")
                .bind(plan_id)
                .fetch_optional(pool)
                .await?
        });
        let (mode, days) = row.ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
        Ok(PlanCounting {
            accepted_only: mode == "accepted",
            auto_lock_days: days.and_then(|d| u32::try_from(d).ok()),
        })
    }

    /// Sets what a plan counts and its automatic lock (`auto_lock_days`: `Some(None)` turns it
    /// off, `None` leaves it), audited.
    ///
    /// Changing what counts rebuilds the plan's figures from its activities in the same
    /// transaction (an archived plan is read-only: refused).
    pub async fn set_plan_counting(
        &self,
        plan_id: i64,
        accepted_only: Option<bool>,
        auto_lock_days: Option<Option<u32>>,
        by: &Change,
    ) -> Result<PlanCounting, StoreError> {
        if let Some(Some(days)) = auto_lock_days
            && days > 366
        {
            return Err(StoreError::Invalid(
                "auto-lock-days: between 0 and 366".into(),
            ));
        }
        let before = self.plan_counting(plan_id).await?;
        let after = PlanCounting {
            accepted_only: accepted_only.unwrap_or(before.accepted_only),
            auto_lock_days: auto_lock_days.unwrap_or(before.auto_lock_days),
        };
        if after == before {
            return Ok(after);
        }
        self.write_counting(plan_id, &before, &after, by)
            .await
            .map_err(|e| match e {
                super::plan_edits::PlanEditError::Store(e) => e,
                super::plan_edits::PlanEditError::NotFound(what) => StoreError::NotFound(what),
                other => StoreError::Conflict(other.to_string()),
            })?;
        Ok(after)
    }

    /// Lets a unit write into a plan's automatically locked periods until `until` (inclusive),
    /// replacing an earlier exception; audited.
    pub async fn grant_lock_exception(
        &self,
        plan_id: i64,
        unit_id: i64,
        until: NaiveDate,
        by: &Change,
    ) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO period_lock_exceptions (plan_id, unit_id, until, granted_by, actor, granted_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (plan_id, unit_id) DO UPDATE SET \
                 until = excluded.until, granted_by = excluded.granted_by, actor = excluded.actor, \
                 granted_at = excluded.granted_at",
            )
            .bind(plan_id)
            .bind(unit_id)
            .bind(until)
            .bind(by.user_id)
            .bind(&by.actor)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            record_audit(
                &mut *tx,
                by,
                "grant_lock_exception",
                "plan",
                plan_id,
                None,
                Some(serde_json::json!({"unit_id": unit_id, "until": until})),
            )
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The lock on each of `writes` (assignment, activity date), if any, read now: the first
    /// lock found is the error. Writes do not call this: the write path's guard
    /// ([`refuse_locked`], from `check_writable`) checks inside each write's transaction. Pages
    /// call it to say, in the reader's words, why a write was refused.
    pub async fn ensure_unlocked(&self, writes: &[(i64, NaiveDate)]) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let outcome = refuse_locked(&mut tx, writes).await;
        tx.rollback().await?;
        outcome
    }

    /// The approval chain of `unit_id`'s periods on a plan starting `from`: the administrative
    /// units above it (an agency's own administrative unit first), lowest first, up to the
    /// plan's owner; a unit that no longer existed on `from` (a district after 1/7/2025) is
    /// skipped. A unit at the top approves its own periods by its plan office.
    async fn approval_chain(
        &self,
        plan_owner: Option<i64>,
        unit_id: i64,
        from: NaiveDate,
    ) -> Result<Vec<i64>, StoreError> {
        let mut chain = Vec::new();
        let mut at = self.unit(unit_id).await?;
        let mut guard = 0;
        // An agency's periods start with its own administrative unit; an administrative
        // unit's with its parent.
        let start_with_self = at.as_ref().is_some_and(|u| u.kind == "agency");
        if !start_with_self {
            at = match at.and_then(|u| u.parent_id) {
                Some(parent) => self.unit(parent).await?,
                None => None,
            };
        }
        while let Some(unit) = at {
            guard += 1;
            if guard > 16 {
                break;
            }
            let existed = unit.valid_to.is_none_or(|to| to >= from);
            if unit.kind != "agency" && existed {
                chain.push(unit.id);
            }
            if Some(unit.id) == plan_owner {
                break;
            }
            at = match unit.parent_id {
                Some(parent) => self.unit(parent).await?,
                None => None,
            };
        }
        if chain.is_empty() {
            chain.push(plan_owner.unwrap_or(unit_id));
        }
        Ok(chain)
    }

    /// A unit's period on a plan, if it was ever submitted.
    pub async fn period_approval(
        &self,
        plan_id: i64,
        unit_id: i64,
        label: &str,
    ) -> Result<Option<PeriodApprovalRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, PeriodApprovalRow>(&format!(
                "{APPROVAL_SELECT} WHERE pa.plan_id = $1 AND pa.unit_id = $2 AND pa.label = $3"
            ))
            .bind(plan_id)
            .bind(unit_id)
            .bind(label)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Every submitted (or since approved, returned, reopened) period of a plan, by unit and
    /// period; `within`: only units in that subtree.
    pub async fn period_approvals(
        &self,
        plan_id: i64,
        within: Option<i64>,
    ) -> Result<Vec<PeriodApprovalRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            match within {
                None => {
                    sqlx::query_as::<_, PeriodApprovalRow>(&format!(
                        "{APPROVAL_SELECT} WHERE pa.plan_id = $1 ORDER BY u.code, pa.period_from, pa.label"
                    ))
                    .bind(plan_id)
                    .fetch_all(pool)
                    .await?
                }
                Some(root) => {
                    sqlx::query_as::<_, PeriodApprovalRow>(&format!(
                        "{} {APPROVAL_SELECT} WHERE pa.plan_id = $2 AND pa.unit_id IN (SELECT id FROM sub) \
                         ORDER BY u.code, pa.period_from, pa.label",
                        super::scope::SUBTREE
                    ))
                    .bind(root)
                    .bind(plan_id)
                    .fetch_all(pool)
                    .await?
                }
            }
        }))
    }

    /// Approves a unit's submitted period on a plan at the approver's level of its chain (and
    /// the levels below it), which locks it. The one entry point for anything that approves a
    /// period — the period pages and API, and the reporting chain (an accepted report approves
    /// the period it covers) — so the lock, the chain and the audit stay one rule.
    pub async fn approve_period(
        &self,
        plan_id: i64,
        unit_id: i64,
        period: &ReportPeriod,
        approver: Approver,
        by: &Change,
    ) -> Result<PeriodApprovalRow, StoreError> {
        self.period_action(
            plan_id,
            unit_id,
            period,
            PeriodAction::Approve,
            "",
            approver,
            by,
        )
        .await
    }

    /// Submits, approves, returns or reopens a unit's period on a plan, with its audit entry,
    /// in one transaction. `text` is the submission's note or the return's or reopening's reason
    /// (required for those). Refusals: [`StoreError::Invalid`] naming what is wrong.
    #[allow(clippy::too_many_arguments)]
    pub async fn period_action(
        &self,
        plan_id: i64,
        unit_id: i64,
        period: &ReportPeriod,
        action: PeriodAction,
        text: &str,
        approver: Approver,
        by: &Change,
    ) -> Result<PeriodApprovalRow, StoreError> {
        let text = bounded(
            text,
            if action.needs_reason() {
                "reason"
            } else {
                "note"
            },
        )?;
        if action.needs_reason() && text.is_empty() {
            return Err(StoreError::Invalid(format!(
                "reason: say why the period is {}",
                match action {
                    PeriodAction::Return => "returned",
                    _ => "reopened",
                }
            )));
        }
        let plan = self
            .plan(plan_id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("plan {plan_id}")))?;
        let label = period_label(period);
        let existing = self.period_approval(plan_id, unit_id, &label).await?;
        let chain = match &existing {
            Some(row) if row.state != "returned" && row.state != "reopened" => row.chain_ids(),
            _ => {
                self.approval_chain(plan.context_unit_id, unit_id, period.from)
                    .await?
            }
        };
        // The approver's level: its place in the chain (administrators act at the top).
        let steps_to = match approver.scope_root {
            None => chain.len(),
            Some(root) => match chain.iter().position(|u| *u == root) {
                Some(i) => i + 1,
                None if matches!(action, PeriodAction::Approve | PeriodAction::Return) => {
                    return Err(StoreError::Invalid(
                        "period: your unit does not approve this unit's periods on this plan"
                            .into(),
                    ));
                }
                None => chain.len(),
            },
        };
        let from = PeriodStanding {
            state: existing
                .as_ref()
                .and_then(|r| PeriodState::parse(&r.state))
                .unwrap_or(PeriodState::Open),
            steps_done: existing.as_ref().map_or(0, |r| r.steps_done as usize),
        };
        let to = transition(from, action, chain.len(), steps_to)
            .map_err(|e: Refused| StoreError::Invalid(format!("period {label}: {e}")))?;
        let chain_text = chain
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let (note, reason) = match action {
            PeriodAction::Submit => (text.clone(), String::new()),
            PeriodAction::Approve => (
                existing
                    .as_ref()
                    .map(|r| r.note.clone())
                    .unwrap_or_default(),
                String::new(),
            ),
            _ => (
                existing
                    .as_ref()
                    .map(|r| r.note.clone())
                    .unwrap_or_default(),
                text.clone(),
            ),
        };
        let now = Utc::now();
        let before = existing
            .as_ref()
            .map(|r| serde_json::json!({"state": r.state, "steps_done": r.steps_done}));
        let after = serde_json::json!({
            "plan_id": plan_id, "unit_id": unit_id, "period": label, "state": to.state.as_str(),
            "steps_done": to.steps_done, "chain": chain_text, "note": note, "reason": reason,
        });
        let begin = begin_sql(self.backend());
        let id: i64 = on_pool!(self.db(), |pool| {
            let mut tx = pool.begin_with(begin).await?;
            // The state read above may have moved: the update names it, so a concurrent change
            // makes this one fail instead of overwriting it.
            let id: Option<i64> = match &existing {
                Some(row) => {
                    sqlx::query_scalar(
                        "UPDATE period_approvals SET state = $1, steps_done = $2, chain = $3, \
                         note = $4, reason = $5, updated_by = $6, actor = $7, updated_at = $8 \
                         WHERE id = $9 AND state = $10 AND steps_done = $11 RETURNING id",
                    )
                    .bind(to.state.as_str())
                    .bind(to.steps_done as i64)
                    .bind(&chain_text)
                    .bind(&note)
                    .bind(&reason)
                    .bind(by.user_id)
                    .bind(&by.actor)
                    .bind(now)
                    .bind(row.id)
                    .bind(&row.state)
                    .bind(row.steps_done)
                    .fetch_optional(&mut *tx)
                    .await?
                }
                None => {
                    sqlx::query_scalar(
                        "INSERT INTO period_approvals (plan_id, unit_id, label, period_from, \
                         period_to, state, chain, steps_done, note, reason, updated_by, actor, \
                         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                         ON CONFLICT (plan_id, unit_id, label) DO NOTHING RETURNING id",
                    )
                    .bind(plan_id)
                    .bind(unit_id)
                    .bind(&label)
                    .bind(period.from)
                    .bind(period.to)
                    .bind(to.state.as_str())
                    .bind(&chain_text)
                    .bind(to.steps_done as i64)
                    .bind(&note)
                    .bind(&reason)
                    .bind(by.user_id)
                    .bind(&by.actor)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?
                }
            };
            let Some(id) = id else {
                return Err(StoreError::Invalid(format!(
                    "period {label}: changed by someone else meanwhile; reload and try again"
                )));
            };
            record_audit(
                &mut *tx,
                by,
                action.as_str(),
                "period",
                id,
                before,
                Some(after),
            )
            .await?;
            tx.commit().await?;
            id
        });
        let row = self
            .period_approval(plan_id, unit_id, &label)
            .await?
            .filter(|r| r.id == id)
            .ok_or_else(|| StoreError::Invariant(format!("period approval {id} vanished")))?;
        Ok(row)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn row(approved: Option<(&str, NaiveDate, NaiveDate)>, auto: Option<i64>) -> LockRow {
        LockRow {
            plan_id: 2,
            unit_id: 3,
            unit_name: "Xã A".into(),
            owner_name: Some("Tỉnh Quảng Nam".into()),
            auto_lock_days: auto,
            exception_until: None,
            approved_label: approved.map(|a| a.0.to_string()),
            approved_from: approved.map(|a| a.1),
            approved_to: approved.map(|a| a.2),
        }
    }

    #[test]
    fn an_approved_period_locks_its_days_only() {
        let rows = [row(Some(("2024-05", d(2024, 5, 1), d(2024, 5, 31))), None)];
        let today = d(2024, 7, 1);
        let lock = lock_of(&rows, d(2024, 5, 31), today).unwrap();
        assert_eq!(lock.period, "2024-05");
        assert!(!lock.automatic);
        assert!(lock.to_string().contains("Tỉnh Quảng Nam"));
        assert!(lock_of(&rows, d(2024, 6, 1), today).is_none());
        assert!(lock_of(&[row(None, None)], d(2024, 5, 3), today).is_none());
    }

    #[test]
    fn the_automatic_lock_names_the_month() {
        let rows = [row(None, Some(10))];
        let lock = lock_of(&rows, d(2024, 5, 3), d(2024, 6, 11)).unwrap();
        assert_eq!(lock.period, "2024-05");
        assert!(lock.automatic);
        assert!(lock_of(&rows, d(2024, 5, 3), d(2024, 6, 10)).is_none());
    }

    #[test]
    fn labels_are_canonical() {
        for s in ["2024", "2024-H1", "2024-Q2", "2024-05"] {
            assert_eq!(period_label(&ReportPeriod::parse(s).unwrap()), s);
        }
    }
}
