//! The budget cycle's tables (migration 0018): estimates per plan × unit (versioned), their
//! lines with the plan office's proposal and finance's appraisal kept beside the unit's figures,
//! the plan's stage and decision, allocations, spending and settlements.
//!
//! Every write checks the state it needs inside its transaction and records its audit entry
//! there (before → after). A refusal by the cycle's rules is the inner `Err(Refusal)`, so the
//! callers can say it in their own words; the outer error is the database's.

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::budget::{Dong, EstimateState, Refusal, Source, Stage};
use serde::Serialize;
use serde_json::json;

use super::audit::record_audit;
use super::{Backend, Change, StoreError, on_pool};

/// A plan's cycle: its stage and, once approved, the decision.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct CycleRow {
    pub plan_id: i64,
    /// estimating, sent or approved.
    pub stage: String,
    pub deadline: Option<NaiveDate>,
    pub sent_at: Option<DateTime<Utc>>,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub approved_at: Option<DateTime<Utc>>,
}

impl CycleRow {
    pub fn stage(&self) -> Stage {
        Stage::parse(&self.stage).unwrap_or(Stage::Estimating)
    }
}

/// One version of a unit's estimate.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct EstimateRow {
    pub id: i64,
    pub plan_id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub version: i64,
    /// draft, submitted or returned.
    pub state: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub returned_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
}

impl EstimateRow {
    pub fn state(&self) -> EstimateState {
        EstimateState::parse(&self.state).unwrap_or(EstimateState::Draft)
    }
}

/// A line with where it belongs (unit, task) and each stage's figure.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct BudgetLineRow {
    pub id: i64,
    pub estimate_id: i64,
    pub version: i64,
    pub state: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub assignment_id: i64,
    pub task_id: i64,
    pub task_ref: String,
    pub task_title: String,
    pub content: String,
    pub measure: String,
    pub quantity: i64,
    /// Whole đồng.
    pub unit_price: i64,
    /// quantity × unit price, whole đồng: the unit's estimate.
    pub amount: i64,
    /// tinh, huyen, xa or khac.
    pub source: String,
    pub basis: String,
    pub note: String,
    /// The plan office's adjusted figure (`None`: the unit's amount stands).
    pub proposed_amount: Option<i64>,
    pub proposal_note: Option<String>,
    /// Finance's appraised figure (`None`: not appraised yet; 0: rejected).
    pub appraised_amount: Option<i64>,
    pub appraisal_comment: Option<String>,
}

impl BudgetLineRow {
    /// What the plan office proposes: its adjustment, else the unit's amount.
    pub fn proposed(&self) -> i64 {
        self.proposed_amount.unwrap_or(self.amount)
    }
}

/// A line to add to a unit's estimate. Text is NFC on the way in.
#[derive(Debug, Clone)]
pub struct NewBudgetLine {
    pub assignment_id: i64,
    pub content: String,
    pub measure: String,
    pub quantity: i64,
    pub unit_price: Dong,
    pub source: Source,
    pub basis: String,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AllocationRow {
    pub assignment_id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub amount: i64,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SpendingRow {
    pub id: i64,
    pub assignment_id: i64,
    pub task_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub spent_on: NaiveDate,
    pub amount: i64,
    pub content: String,
    pub voucher: String,
    pub sha256: Option<String>,
    pub file_name: Option<String>,
}

/// Spending to record. `file` is an evidence file already in the file store.
#[derive(Debug, Clone)]
pub struct NewSpending {
    pub assignment_id: i64,
    pub spent_on: NaiveDate,
    pub amount: Dong,
    pub content: String,
    pub voucher: String,
    pub file: Option<crate::files::StoredFile>,
    pub recorded_by: Option<i64>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SettlementRow {
    pub plan_id: i64,
    pub unit_id: i64,
    pub submitted_at: DateTime<Utc>,
    pub office_accepted_at: Option<DateTime<Utc>>,
    pub finance_accepted_at: Option<DateTime<Utc>>,
}

/// Where an assignment lies: its plan, task and unit.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
struct AssignmentPlace {
    plan_id: i64,
    unit_id: i64,
}

const LINE_SELECT: &str = "SELECT l.id, l.estimate_id, e.version, e.state, e.unit_id, \
    u.code AS unit_code, u.name AS unit_name, l.assignment_id, a.task_id, k.ref AS task_ref, \
    k.title AS task_title, l.content, l.measure, l.quantity, l.unit_price, l.amount, l.source, \
    l.basis, l.note, l.proposed_amount, l.proposal_note, l.appraised_amount, l.appraisal_comment \
    FROM budget_lines l JOIN budget_estimates e ON e.id = l.estimate_id \
    JOIN assignments a ON a.id = l.assignment_id JOIN tasks k ON k.id = a.task_id \
    JOIN units u ON u.id = e.unit_id";

/// Only each unit's newest version.
const CURRENT_ONLY: &str = "e.version = (SELECT MAX(e2.version) FROM budget_estimates e2 \
    WHERE e2.plan_id = e.plan_id AND e2.unit_id = e.unit_id)";

const ESTIMATE_SELECT: &str = "SELECT e.id, e.plan_id, e.unit_id, u.code AS unit_code, \
    u.name AS unit_name, e.version, e.state, e.submitted_at, e.returned_at, e.return_reason \
    FROM budget_estimates e JOIN units u ON u.id = e.unit_id";

const CYCLE_COLUMNS: &str =
    "plan_id, stage, deadline, sent_at, decision_number, decision_date, approved_at";

/// The outcome of a write: done, or refused by the cycle's rules.
pub type Step<T> = Result<T, Refusal>;

fn line_json(l: &BudgetLineRow) -> serde_json::Value {
    serde_json::to_value(l).unwrap_or_default()
}

impl super::Store {
    /// `FOR UPDATE` on PostgreSQL, where two servers may write one plan's cycle at once: the
    /// plan's cycle row is locked first by every budget write, so they take turns. SQLite has one
    /// writer at a time anyway (and this process's writers queue on `writer_turn`).
    fn lock_clause(&self) -> &'static str {
        match self.backend() {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }

    /// A plan's cycle (a plan never touched is estimating, with no decision).
    pub async fn budget_cycle(&self, plan_id: i64) -> Result<CycleRow, StoreError> {
        let row = on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, CycleRow>(&format!(
                "SELECT {CYCLE_COLUMNS} FROM budget_cycles WHERE plan_id = $1"
            ))
            .bind(plan_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.unwrap_or(CycleRow {
            plan_id,
            stage: Stage::Estimating.code().into(),
            deadline: None,
            sent_at: None,
            decision_number: None,
            decision_date: None,
            approved_at: None,
        }))
    }

    /// Every line of a plan: each unit's newest version only, or every version (history).
    pub async fn budget_lines(
        &self,
        plan_id: i64,
        current_only: bool,
    ) -> Result<Vec<BudgetLineRow>, StoreError> {
        let filter = if current_only {
            format!(" AND {CURRENT_ONLY}")
        } else {
            String::new()
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, BudgetLineRow>(&format!(
                "{LINE_SELECT} WHERE e.plan_id = $1{filter} \
                 ORDER BY u.name, e.version, k.position, l.id"
            ))
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn budget_line(&self, id: i64) -> Result<Option<BudgetLineRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, BudgetLineRow>(&format!("{LINE_SELECT} WHERE l.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The plan a budget line belongs to.
    pub async fn plan_of_budget_line(&self, id: i64) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT e.plan_id FROM budget_lines l \
                 JOIN budget_estimates e ON e.id = l.estimate_id WHERE l.id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Every version of every unit's estimate of a plan (history kept: returned versions too).
    pub async fn budget_estimates(&self, plan_id: i64) -> Result<Vec<EstimateRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EstimateRow>(&format!(
                "{ESTIMATE_SELECT} WHERE e.plan_id = $1 ORDER BY u.name, e.unit_id, e.version"
            ))
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn budget_allocations(&self, plan_id: i64) -> Result<Vec<AllocationRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, AllocationRow>(
                "SELECT b.assignment_id, a.task_id, a.unit_id, b.amount FROM budget_allocations b \
                 JOIN assignments a ON a.id = b.assignment_id WHERE b.plan_id = $1 \
                 ORDER BY a.task_id, a.unit_id",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn budget_spending(&self, plan_id: i64) -> Result<Vec<SpendingRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, SpendingRow>(
                "SELECT s.id, s.assignment_id, a.task_id, a.unit_id, u.name AS unit_name, \
                 s.spent_on, s.amount, s.content, s.voucher, s.sha256, s.file_name \
                 FROM budget_spending s JOIN assignments a ON a.id = s.assignment_id \
                 JOIN tasks k ON k.id = a.task_id JOIN units u ON u.id = a.unit_id \
                 WHERE k.plan_id = $1 ORDER BY s.spent_on, s.id",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn budget_settlements(&self, plan_id: i64) -> Result<Vec<SettlementRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, SettlementRow>(
                "SELECT plan_id, unit_id, submitted_at, office_accepted_at, finance_accepted_at \
                 FROM budget_settlements WHERE plan_id = $1 ORDER BY unit_id",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The legal bases written on earlier lines (newest first, distinct, at most 30): the form
    /// suggests them, since units cite the same few circulars again and again.
    pub async fn budget_bases(&self) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT basis FROM budget_lines WHERE basis <> '' \
                 GROUP BY basis ORDER BY MAX(id) DESC LIMIT 30",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// Adds a line to its unit's current estimate, starting version 1 when the unit has none.
    /// Refused once the estimate is submitted (frozen) or the plan's estimate was sent.
    pub async fn add_budget_line(
        &self,
        line: &NewBudgetLine,
        by: &Change,
    ) -> Result<Step<BudgetLineRow>, StoreError> {
        let ids = match self
            .add_budget_lines(std::slice::from_ref(line), by)
            .await?
        {
            Ok(ids) => ids,
            Err(r) => return Ok(Err(r)),
        };
        let id = ids
            .first()
            .copied()
            .ok_or_else(|| StoreError::Invariant("a line added and no id back".into()))?;
        self.budget_line(id)
            .await?
            .map(Ok)
            .ok_or_else(|| StoreError::NotFound(format!("budget line {id}")))
    }

    /// Adds lines (an import's) in one transaction: all of them, or none when one is refused.
    pub async fn add_budget_lines(
        &self,
        lines: &[NewBudgetLine],
        by: &Change,
    ) -> Result<Step<Vec<i64>>, StoreError> {
        let mut amounts = Vec::with_capacity(lines.len());
        for line in lines {
            amounts.push(
                Dong::line_amount(line.quantity, line.unit_price)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?,
            );
        }
        let nfc = kehoach_core::text::nfc;
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let mut ids = Vec::with_capacity(lines.len());
            for (line, amount) in lines.iter().zip(&amounts) {
                let place = sqlx::query_as::<_, AssignmentPlace>(
                    "SELECT k.plan_id, a.unit_id FROM assignments a \
                     JOIN tasks k ON k.id = a.task_id WHERE a.id = $1",
                )
                .bind(line.assignment_id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| {
                    StoreError::NotFound(format!("assignment {}", line.assignment_id))
                })?;
                sqlx::query(
                    "INSERT INTO budget_cycles (plan_id, stage) VALUES ($1, 'estimating') \
                     ON CONFLICT (plan_id) DO NOTHING",
                )
                .bind(place.plan_id)
                .execute(&mut *tx)
                .await?;
                let stage: String = sqlx::query_scalar(&format!(
                    "SELECT stage FROM budget_cycles WHERE plan_id = $1{lock}"
                ))
                .bind(place.plan_id)
                .fetch_one(&mut *tx)
                .await?;
                if stage != Stage::Estimating.code() {
                    return Ok(Err(Refusal::AlreadySent));
                }
                let current = sqlx::query_as::<_, (i64, String)>(
                    "SELECT id, state FROM budget_estimates WHERE plan_id = $1 \
                     AND unit_id = $2 ORDER BY version DESC LIMIT 1",
                )
                .bind(place.plan_id)
                .bind(place.unit_id)
                .fetch_optional(&mut *tx)
                .await?;
                let estimate_id = match current {
                    Some((id, state)) if state == EstimateState::Draft.code() => id,
                    Some(_) => return Ok(Err(Refusal::Frozen)),
                    None => {
                        sqlx::query_scalar::<_, i64>(
                            "INSERT INTO budget_estimates (plan_id, unit_id, version, state, \
                             created_at) VALUES ($1, $2, 1, 'draft', $3) RETURNING id",
                        )
                        .bind(place.plan_id)
                        .bind(place.unit_id)
                        .bind(Utc::now())
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO budget_lines (estimate_id, assignment_id, content, measure, \
                     quantity, unit_price, amount, source, basis, note, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
                )
                .bind(estimate_id)
                .bind(line.assignment_id)
                .bind(nfc(&line.content))
                .bind(nfc(&line.measure))
                .bind(line.quantity)
                .bind(line.unit_price.get())
                .bind(amount.get())
                .bind(line.source.code())
                .bind(nfc(&line.basis))
                .bind(nfc(&line.note))
                .bind(Utc::now())
                .fetch_one(&mut *tx)
                .await?;
                let row =
                    sqlx::query_as::<_, BudgetLineRow>(&format!("{LINE_SELECT} WHERE l.id = $1"))
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                record_audit(
                    &mut *tx,
                    by,
                    "create",
                    "budget_line",
                    id,
                    None,
                    Some(line_json(&row)),
                )
                .await?;
                ids.push(id);
            }
            tx.commit().await?;
            Ok(Ok(ids))
        })
    }

    /// The unit of the plan office that consolidates a plan's budget: an agency directly under
    /// the plan's issuing unit with a plan-office account (the Department that signs the Tờ
    /// trình), by code; `None` when there is none.
    pub async fn plan_office_unit_code(
        &self,
        plan: &crate::store::PlanRow,
        _on: NaiveDate,
    ) -> Result<Option<String>, StoreError> {
        let Some(context) = plan.context_unit_id else {
            return Ok(None);
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT u.code FROM users s JOIN units u ON u.id = s.unit_id \
                 WHERE s.role = 'plan_office' AND NOT s.disabled AND u.parent_id = $1 \
                 AND u.kind = 'agency' ORDER BY s.id LIMIT 1",
            )
            .bind(context)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Removes a line from a draft estimate.
    pub async fn delete_budget_line(&self, id: i64, by: &Change) -> Result<Step<()>, StoreError> {
        let _turn = self.writer_turn().await;
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, BudgetLineRow>(&format!("{LINE_SELECT} WHERE l.id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or_else(|| StoreError::NotFound(format!("budget line {id}")))?;
            if row.state != EstimateState::Draft.code() {
                return Ok(Err(Refusal::Frozen));
            }
            sqlx::query("DELETE FROM budget_lines WHERE id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            record_audit(
                &mut *tx,
                by,
                "delete",
                "budget_line",
                id,
                Some(line_json(&row)),
                None,
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    /// Submits a unit's current (draft) estimate: frozen from now on.
    pub async fn submit_estimate(
        &self,
        plan_id: i64,
        unit_id: i64,
        by: &Change,
    ) -> Result<Step<EstimateRow>, StoreError> {
        self.submit_estimate_at(plan_id, unit_id, Utc::now(), by)
            .await
    }

    /// [`Self::submit_estimate`] as of `at` (the demo's February).
    pub async fn submit_estimate_at(
        &self,
        plan_id: i64,
        unit_id: i64,
        at: DateTime<Utc>,
        by: &Change,
    ) -> Result<Step<EstimateRow>, StoreError> {
        self.estimate_step(plan_id, unit_id, at, by, |e| {
            if e.state() != EstimateState::Draft {
                return Err(Refusal::Frozen);
            }
            Ok("submit")
        })
        .await
    }

    /// Returns a unit's submitted estimate with a reason. The returned version is kept as it was
    /// (history); the unit continues in a new draft version holding a copy of its lines.
    pub async fn return_estimate(
        &self,
        plan_id: i64,
        unit_id: i64,
        reason: &str,
        by: &Change,
    ) -> Result<Step<EstimateRow>, StoreError> {
        let reason = kehoach_core::text::nfc(reason);
        if reason.is_empty() {
            return Ok(Err(Refusal::ReasonRequired));
        }
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let stage: Option<String> = sqlx::query_scalar(&format!(
                "SELECT stage FROM budget_cycles WHERE plan_id = $1{lock}"
            ))
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
            if stage.is_some_and(|s| s != Stage::Estimating.code()) {
                return Ok(Err(Refusal::AlreadySent));
            }
            let current = sqlx::query_as::<_, EstimateRow>(&format!(
                "{ESTIMATE_SELECT} WHERE e.plan_id = $1 AND e.unit_id = $2 \
                 ORDER BY e.version DESC LIMIT 1"
            ))
            .bind(plan_id)
            .bind(unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(current) = current.filter(|e| e.state() == EstimateState::Submitted) else {
                return Ok(Err(Refusal::NotSubmitted));
            };
            let now = Utc::now();
            sqlx::query(
                "UPDATE budget_estimates SET state = 'returned', returned_at = $1, \
                 return_reason = $2 WHERE id = $3",
            )
            .bind(now)
            .bind(&reason)
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
            let next: i64 = sqlx::query_scalar(
                "INSERT INTO budget_estimates (plan_id, unit_id, version, state, created_at) \
                 VALUES ($1, $2, $3, 'draft', $4) RETURNING id",
            )
            .bind(plan_id)
            .bind(unit_id)
            .bind(current.version + 1)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            // The unit's own figures are copied; the office's adjustments belonged to the
            // returned version and stay with it.
            sqlx::query(
                "INSERT INTO budget_lines (estimate_id, assignment_id, content, measure, quantity, \
                 unit_price, amount, source, basis, note, created_at) \
                 SELECT $1, assignment_id, content, measure, quantity, unit_price, amount, source, \
                 basis, note, $2 FROM budget_lines WHERE estimate_id = $3 ORDER BY id",
            )
            .bind(next)
            .bind(now)
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
            let after =
                sqlx::query_as::<_, EstimateRow>(&format!("{ESTIMATE_SELECT} WHERE e.id = $1"))
                    .bind(current.id)
                    .fetch_one(&mut *tx)
                    .await?;
            record_audit(
                &mut *tx,
                by,
                "return",
                "budget_estimate",
                current.id,
                Some(serde_json::to_value(&current).unwrap_or_default()),
                Some(json!({"estimate": after, "next_version": current.version + 1})),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(after))
        })
    }

    /// A step on a unit's current estimate decided by `check` (which names the audit action).
    async fn estimate_step(
        &self,
        plan_id: i64,
        unit_id: i64,
        at: DateTime<Utc>,
        by: &Change,
        check: impl FnOnce(&EstimateRow) -> Result<&'static str, Refusal>,
    ) -> Result<Step<EstimateRow>, StoreError> {
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let stage: Option<String> = sqlx::query_scalar(&format!(
                "SELECT stage FROM budget_cycles WHERE plan_id = $1{lock}"
            ))
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
            if stage.is_some_and(|s| s != Stage::Estimating.code()) {
                return Ok(Err(Refusal::AlreadySent));
            }
            let current = sqlx::query_as::<_, EstimateRow>(&format!(
                "{ESTIMATE_SELECT} WHERE e.plan_id = $1 AND e.unit_id = $2 \
                 ORDER BY e.version DESC LIMIT 1"
            ))
            .bind(plan_id)
            .bind(unit_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(current) = current else {
                return Ok(Err(Refusal::NoLines));
            };
            let action = match check(&current) {
                Ok(a) => a,
                Err(r) => return Ok(Err(r)),
            };
            let lines: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM budget_lines WHERE estimate_id = $1")
                    .bind(current.id)
                    .fetch_one(&mut *tx)
                    .await?;
            if lines == 0 {
                return Ok(Err(Refusal::NoLines));
            }
            sqlx::query(
                "UPDATE budget_estimates SET state = 'submitted', submitted_at = $1 WHERE id = $2",
            )
            .bind(at)
            .bind(current.id)
            .execute(&mut *tx)
            .await?;
            let after =
                sqlx::query_as::<_, EstimateRow>(&format!("{ESTIMATE_SELECT} WHERE e.id = $1"))
                    .bind(current.id)
                    .fetch_one(&mut *tx)
                    .await?;
            record_audit(
                &mut *tx,
                by,
                action,
                "budget_estimate",
                current.id,
                Some(serde_json::to_value(&current).unwrap_or_default()),
                Some(serde_json::to_value(&after).unwrap_or_default()),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(after))
        })
    }

    /// The plan office's figure for a submitted line (the unit's stays as it was).
    pub async fn propose_budget_line(
        &self,
        id: i64,
        amount: Dong,
        note: &str,
        by: &Change,
    ) -> Result<Step<BudgetLineRow>, StoreError> {
        let note = kehoach_core::text::nfc(note);
        self.line_step(id, by, "propose", |line, stage| {
            if stage != Stage::Estimating {
                return Err(Refusal::AlreadySent);
            }
            if line.state != EstimateState::Submitted.code() {
                return Err(Refusal::NotSubmitted);
            }
            Ok((
                "UPDATE budget_lines SET proposed_amount = $1, proposal_note = $2 WHERE id = $3",
                amount.get(),
                note,
            ))
        })
        .await
    }

    /// Finance's appraisal of a line: the amount it agrees to (at most the proposal; 0 rejects)
    /// and a comment, required when the amount is below the proposal. Open once the estimate is
    /// sent, closed once the budget is approved.
    pub async fn appraise_budget_line(
        &self,
        id: i64,
        amount: Dong,
        comment: &str,
        by: &Change,
    ) -> Result<Step<BudgetLineRow>, StoreError> {
        let comment = kehoach_core::text::nfc(comment);
        self.line_step(id, by, "appraise", |line, stage| {
            match stage {
                Stage::Estimating => return Err(Refusal::NotSent),
                Stage::Approved => return Err(Refusal::Approved),
                Stage::Sent => {}
            }
            if line.state != EstimateState::Submitted.code() {
                return Err(Refusal::NotSubmitted);
            }
            if amount.get() > line.proposed() {
                return Err(Refusal::AboveProposed(
                    Dong::new(line.proposed()).unwrap_or_default().to_string(),
                ));
            }
            if amount.get() < line.proposed() && comment.is_empty() {
                return Err(Refusal::ReasonRequired);
            }
            Ok((
                "UPDATE budget_lines SET appraised_amount = $1, appraisal_comment = $2 \
                 WHERE id = $3",
                amount.get(),
                comment,
            ))
        })
        .await
    }

    async fn line_step(
        &self,
        id: i64,
        by: &Change,
        action: &str,
        check: impl FnOnce(&BudgetLineRow, Stage) -> Result<(&'static str, i64, String), Refusal>,
    ) -> Result<Step<BudgetLineRow>, StoreError> {
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let before =
                sqlx::query_as::<_, BudgetLineRow>(&format!("{LINE_SELECT} WHERE l.id = $1"))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("budget line {id}")))?;
            let plan_id: i64 =
                sqlx::query_scalar("SELECT plan_id FROM budget_estimates WHERE id = $1")
                    .bind(before.estimate_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let stage: Option<String> = sqlx::query_scalar(&format!(
                "SELECT stage FROM budget_cycles WHERE plan_id = $1{lock}"
            ))
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
            let stage = stage
                .as_deref()
                .and_then(Stage::parse)
                .unwrap_or(Stage::Estimating);
            let (sql, amount, text) = match check(&before, stage) {
                Ok(x) => x,
                Err(r) => return Ok(Err(r)),
            };
            sqlx::query(sql)
                .bind(amount)
                .bind(text)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let after =
                sqlx::query_as::<_, BudgetLineRow>(&format!("{LINE_SELECT} WHERE l.id = $1"))
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
            record_audit(
                &mut *tx,
                by,
                action,
                "budget_line",
                id,
                Some(line_json(&before)),
                Some(line_json(&after)),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(after))
        })
    }

    /// Sends the consolidated estimate to finance: the submitted estimates are what finance
    /// appraises; units that have not submitted are left out (the consolidation says so).
    pub async fn send_budget(
        &self,
        plan_id: i64,
        by: &Change,
    ) -> Result<Step<CycleRow>, StoreError> {
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO budget_cycles (plan_id, stage) VALUES ($1, 'estimating') \
                 ON CONFLICT (plan_id) DO NOTHING",
            )
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
            let before = sqlx::query_as::<_, CycleRow>(&format!(
                "SELECT {CYCLE_COLUMNS} FROM budget_cycles WHERE plan_id = $1{lock}"
            ))
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await?;
            if before.stage() != Stage::Estimating {
                return Ok(Err(Refusal::AlreadySent));
            }
            let submitted: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM budget_estimates e WHERE e.plan_id = $1 \
                 AND e.state = 'submitted' AND {CURRENT_ONLY}"
            ))
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await?;
            if submitted == 0 {
                return Ok(Err(Refusal::NothingSubmitted));
            }
            sqlx::query("UPDATE budget_cycles SET stage = 'sent', sent_at = $1 WHERE plan_id = $2")
                .bind(Utc::now())
                .bind(plan_id)
                .execute(&mut *tx)
                .await?;
            let after = sqlx::query_as::<_, CycleRow>(&format!(
                "SELECT {CYCLE_COLUMNS} FROM budget_cycles WHERE plan_id = $1"
            ))
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await?;
            record_audit(
                &mut *tx,
                by,
                "send",
                "budget_cycle",
                plan_id,
                Some(serde_json::to_value(&before).unwrap_or_default()),
                Some(serde_json::to_value(&after).unwrap_or_default()),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(after))
        })
    }

    /// Records the People's Committee's decision: each assignment's allocation is the sum of its
    /// appraised lines unless `overrides` names another amount for it. Every submitted line must
    /// be appraised first.
    pub async fn approve_budget(
        &self,
        plan_id: i64,
        decision_number: &str,
        decision_date: NaiveDate,
        overrides: &[(i64, Dong)],
        by: &Change,
    ) -> Result<Step<CycleRow>, StoreError> {
        let number = kehoach_core::text::nfc(decision_number);
        if number.is_empty() || number.chars().count() > 100 {
            return Err(StoreError::Invalid(
                "decision: the decision's number, at most 100 characters".into(),
            ));
        }
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let before = sqlx::query_as::<_, CycleRow>(&format!(
                "SELECT {CYCLE_COLUMNS} FROM budget_cycles WHERE plan_id = $1{lock}"
            ))
            .bind(plan_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(before) = before else {
                return Ok(Err(Refusal::NotSent));
            };
            match before.stage() {
                Stage::Estimating => return Ok(Err(Refusal::NotSent)),
                Stage::Approved => return Ok(Err(Refusal::Approved)),
                Stage::Sent => {}
            }
            let lines = sqlx::query_as::<_, BudgetLineRow>(&format!(
                "{LINE_SELECT} WHERE e.plan_id = $1 AND e.state = 'submitted' AND {CURRENT_ONLY}"
            ))
            .bind(plan_id)
            .fetch_all(&mut *tx)
            .await?;
            let open = lines
                .iter()
                .filter(|l| l.appraised_amount.is_none())
                .count();
            if open > 0 {
                return Ok(Err(Refusal::NotAppraised(open)));
            }
            let mut per_assignment: std::collections::BTreeMap<i64, Dong> = Default::default();
            for l in &lines {
                let sum = per_assignment.entry(l.assignment_id).or_default();
                let add = Dong::new(l.appraised_amount.unwrap_or(0))
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
                *sum = sum
                    .checked_add(add)
                    .map_err(|e| StoreError::Invalid(e.to_string()))?;
            }
            for (assignment, amount) in overrides {
                per_assignment.insert(*assignment, *amount);
            }
            for (assignment, amount) in &per_assignment {
                sqlx::query(
                    "INSERT INTO budget_allocations (assignment_id, plan_id, amount) \
                     VALUES ($1, $2, $3)",
                )
                .bind(*assignment)
                .bind(plan_id)
                .bind(amount.get())
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "UPDATE budget_cycles SET stage = 'approved', decision_number = $1, \
                 decision_date = $2, approved_at = $3 WHERE plan_id = $4",
            )
            .bind(&number)
            .bind(decision_date)
            .bind(Utc::now())
            .bind(plan_id)
            .execute(&mut *tx)
            .await?;
            let after = sqlx::query_as::<_, CycleRow>(&format!(
                "SELECT {CYCLE_COLUMNS} FROM budget_cycles WHERE plan_id = $1"
            ))
            .bind(plan_id)
            .fetch_one(&mut *tx)
            .await?;
            let allocations: Vec<_> = per_assignment
                .iter()
                .map(|(a, d)| json!({"assignment_id": a, "amount": d.get()}))
                .collect();
            record_audit(
                &mut *tx,
                by,
                "approve",
                "budget_cycle",
                plan_id,
                Some(serde_json::to_value(&before).unwrap_or_default()),
                Some(json!({"cycle": after, "allocations": allocations})),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(after))
        })
    }

    /// Records spending against an assignment's allocation. Returns the row and what is left of
    /// the allocation afterwards (negative: overspent — a warning, not a refusal).
    pub async fn record_spending(
        &self,
        s: &NewSpending,
        by: &Change,
    ) -> Result<Step<(SpendingRow, i64)>, StoreError> {
        let content = kehoach_core::text::nfc(&s.content);
        let voucher = kehoach_core::text::nfc(&s.voucher);
        let _turn = self.writer_turn().await;
        let lock = self.lock_clause();
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let place = sqlx::query_as::<_, AssignmentPlace>(
                "SELECT k.plan_id, a.unit_id FROM assignments a JOIN tasks k ON k.id = a.task_id \
                 WHERE a.id = $1",
            )
            .bind(s.assignment_id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("assignment {}", s.assignment_id)))?;
            let stage: Option<String> = sqlx::query_scalar(&format!(
                "SELECT stage FROM budget_cycles WHERE plan_id = $1{lock}"
            ))
            .bind(place.plan_id)
            .fetch_optional(&mut *tx)
            .await?;
            if stage.as_deref() != Some(Stage::Approved.code()) {
                return Ok(Err(Refusal::NotApproved));
            }
            let file = s.file.as_ref();
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO budget_spending (assignment_id, spent_on, amount, content, voucher, \
                 sha256, file_name, content_type, size_bytes, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
            )
            .bind(s.assignment_id)
            .bind(s.spent_on)
            .bind(s.amount.get())
            .bind(&content)
            .bind(&voucher)
            .bind(file.map(|f| f.sha256.clone()))
            .bind(file.map(|f| f.file_name.clone()))
            .bind(file.map(|f| f.content_type.clone()))
            .bind(file.map(|f| f.size_bytes))
            .bind(s.recorded_by)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await?;
            let row = sqlx::query_as::<_, SpendingRow>(
                "SELECT s.id, s.assignment_id, a.task_id, a.unit_id, u.name AS unit_name, \
                 s.spent_on, s.amount, s.content, s.voucher, s.sha256, s.file_name \
                 FROM budget_spending s JOIN assignments a ON a.id = s.assignment_id \
                 JOIN units u ON u.id = a.unit_id WHERE s.id = $1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let allocated: Option<i64> = sqlx::query_scalar(
                "SELECT amount FROM budget_allocations WHERE assignment_id = $1",
            )
            .bind(s.assignment_id)
            .fetch_optional(&mut *tx)
            .await?;
            let spent: Vec<i64> =
                sqlx::query_scalar("SELECT amount FROM budget_spending WHERE assignment_id = $1")
                    .bind(s.assignment_id)
                    .fetch_all(&mut *tx)
                    .await?;
            let spent = Dong::sum(spent.into_iter().map(|a| Dong::new(a).unwrap_or_default()))
                .map_err(|e| StoreError::Invalid(e.to_string()))?;
            let left = Dong::new(allocated.unwrap_or(0))
                .unwrap_or_default()
                .minus(spent);
            record_audit(
                &mut *tx,
                by,
                "create",
                "budget_spending",
                id,
                None,
                Some(serde_json::to_value(&row).unwrap_or_default()),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok((row, left)))
        })
    }

    /// A unit submits its settlement (quyết toán) of a plan's budget.
    pub async fn submit_settlement(
        &self,
        plan_id: i64,
        unit_id: i64,
        by: &Change,
    ) -> Result<Step<()>, StoreError> {
        let _turn = self.writer_turn().await;
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let stage: Option<String> =
                sqlx::query_scalar("SELECT stage FROM budget_cycles WHERE plan_id = $1")
                    .bind(plan_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if stage.as_deref() != Some(Stage::Approved.code()) {
                return Ok(Err(Refusal::NotApproved));
            }
            let done = sqlx::query(
                "INSERT INTO budget_settlements (plan_id, unit_id, submitted_at) \
                 VALUES ($1, $2, $3) ON CONFLICT (plan_id, unit_id) DO NOTHING",
            )
            .bind(plan_id)
            .bind(unit_id)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(Err(Refusal::SettlementExists));
            }
            record_audit(
                &mut *tx,
                by,
                "submit",
                "budget_settlement",
                format!("{plan_id}/{unit_id}"),
                None,
                Some(json!({"plan_id": plan_id, "unit_id": unit_id})),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
    }

    /// The plan office (`by_finance` false) or finance accepts a unit's settlement.
    pub async fn accept_settlement(
        &self,
        plan_id: i64,
        unit_id: i64,
        by_finance: bool,
        by: &Change,
    ) -> Result<Step<()>, StoreError> {
        let column = if by_finance {
            "finance_accepted_at"
        } else {
            "office_accepted_at"
        };
        let _turn = self.writer_turn().await;
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(&format!(
                "UPDATE budget_settlements SET {column} = $1 WHERE plan_id = $2 AND unit_id = $3"
            ))
            .bind(Utc::now())
            .bind(plan_id)
            .bind(unit_id)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                return Ok(Err(Refusal::NoSettlement));
            }
            record_audit(
                &mut *tx,
                by,
                "accept",
                "budget_settlement",
                format!("{plan_id}/{unit_id}"),
                None,
                Some(json!({"plan_id": plan_id, "unit_id": unit_id, "accepted": column})),
            )
            .await?;
            tx.commit().await?;
            Ok(Ok(()))
        })
    }
}
