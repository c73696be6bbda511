//! Review of reported activities (issue 19, part 3): the plan office accepts an activity or
//! returns it with a reason; the reporter corrects a returned one and resubmits it. The current
//! state is `activities.review_state`; every decision is a row of `activity_reviews` (the
//! history) and an audit entry, in the transaction of the change. The transitions are
//! `kehoach_core::approval::review`'s; a decision on an activity dated in a locked period is
//! refused (the write path's guard `check_writable`, inside the same transaction).

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::approval::{ReviewDecision, ReviewState, review};

use super::activities::{check_writable, count_review_change};
use super::audit::entry_args;
use super::periods::MAX_REASON_CHARS;
use super::rollups::Arg;
use super::{Change, StoreError, on_pool};

/// One audit entry (the values of `audit::entry_args`).
const AUDIT_ONE: &str = "INSERT INTO audit_log (at, user_id, actor, action, entity, entity_id, \
     before, after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

/// At most this many activities in one decision (a page of the queue).
pub const MAX_REVIEW_BATCH: usize = 200;

/// Which activities the review queue shows.
#[derive(Debug, Clone, Default)]
pub struct ReviewFilter {
    /// Only units in this subtree (`None`: everywhere).
    pub within: Option<i64>,
    pub plan_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub task_id: Option<i64>,
    /// Only activities in this state (`None`: every state).
    pub state: Option<ReviewState>,
    /// Only activities reported by this user.
    pub reported_by: Option<i64>,
    /// At most this many (bounded by [`MAX_REVIEW_BATCH`]).
    pub limit: usize,
}

/// One activity in the review queue, with where it belongs and a glimpse of its evidence.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    pub id: i64,
    pub assignment_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
    pub quantity: f64,
    pub recorded_at: DateTime<Utc>,
    /// pending, accepted or returned.
    pub review_state: String,
    pub plan_id: i64,
    pub plan_title: String,
    pub task_id: i64,
    pub task_ref: String,
    pub task_title: String,
    pub unit_id: i64,
    pub unit_name: String,
    /// The reason of the last decision with one (a return).
    pub last_reason: Option<String>,
    /// The first evidence file's SHA-256 and type (a thumbnail when an image).
    pub file_sha256: Option<String>,
    pub file_type: Option<String>,
    /// The first evidence link.
    pub url: Option<String>,
}

/// One decision in an activity's review history.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewEvent {
    pub id: i64,
    pub activity_id: i64,
    pub decision: String,
    pub state: String,
    pub reason: String,
    pub actor: String,
    pub at: DateTime<Utc>,
}

const QUEUE_SELECT: &str = "SELECT ac.id, ac.assignment_id, ac.occurred_on, ac.kind, ac.title, \
    ac.quantity, ac.recorded_at, \
    CASE ac.review_state WHEN 'rejected' THEN 'returned' ELSE ac.review_state END AS review_state, \
    k.plan_id, p.title AS plan_title, k.id AS task_id, k.ref AS task_ref, k.title AS task_title, \
    a.unit_id, u.name AS unit_name, \
    (SELECT r.reason FROM activity_reviews r WHERE r.activity_id = ac.id AND r.reason <> '' \
       ORDER BY r.id DESC LIMIT 1) AS last_reason, \
    (SELECT e.sha256 FROM evidence e WHERE e.activity_id = ac.id AND e.kind = 'file' \
       ORDER BY e.id LIMIT 1) AS file_sha256, \
    (SELECT e.content_type FROM evidence e WHERE e.activity_id = ac.id AND e.kind = 'file' \
       ORDER BY e.id LIMIT 1) AS file_type, \
    (SELECT e.url FROM evidence e WHERE e.activity_id = ac.id AND e.kind = 'url' \
       ORDER BY e.id LIMIT 1) AS url \
    FROM activities ac JOIN assignments a ON a.id = ac.assignment_id \
    JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
    JOIN units u ON u.id = a.unit_id";

/// The filter's conditions, `$2`.. (`$1` is the subtree root, used only when scoped).
const QUEUE_WHERE: &str = "(CAST($2 AS BIGINT) IS NULL OR k.plan_id = $2) \
    AND (CAST($3 AS BIGINT) IS NULL OR a.unit_id = $3) \
    AND (CAST($4 AS BIGINT) IS NULL OR k.id = $4) \
    AND (CAST($5 AS TEXT) IS NULL OR ac.review_state = $5) \
    AND (CAST($6 AS BIGINT) IS NULL OR ac.reported_by = $6)";

impl super::Store {
    /// The review queue: newest reports first, within the filter.
    pub async fn review_queue(&self, filter: &ReviewFilter) -> Result<Vec<ReviewItem>, StoreError> {
        let limit = filter.limit.clamp(1, MAX_REVIEW_BATCH) as i64;
        let scoped = filter.within.is_some();
        let sql = if scoped {
            format!(
                "{} {QUEUE_SELECT} WHERE a.unit_id IN (SELECT id FROM sub) AND {QUEUE_WHERE} \
                 ORDER BY ac.recorded_at DESC, ac.id DESC LIMIT $7",
                super::scope::SUBTREE
            )
        } else {
            format!(
                "{QUEUE_SELECT} WHERE CAST($1 AS BIGINT) IS NULL AND {QUEUE_WHERE} \
                 ORDER BY ac.recorded_at DESC, ac.id DESC LIMIT $7"
            )
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReviewItem>(&sql)
                .bind(filter.within)
                .bind(filter.plan_id)
                .bind(filter.unit_id)
                .bind(filter.task_id)
                .bind(filter.state.map(|s| s.as_db()))
                .bind(filter.reported_by)
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The ids of a plan's accepted activities (for the evidence pack limited to them).
    pub async fn accepted_activities_of_plan(
        &self,
        plan_id: i64,
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "SELECT ac.id FROM activities ac JOIN assignments a ON a.id = ac.assignment_id \
                 JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1 AND ac.review_state = 'accepted'",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        });
        Ok(ids.into_iter().collect())
    }

    /// An activity's review history, oldest first.
    pub async fn review_history(&self, activity_id: i64) -> Result<Vec<ReviewEvent>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReviewEvent>(
                "SELECT id, activity_id, decision, state, reason, actor, at FROM activity_reviews \
                 WHERE activity_id = $1 ORDER BY id",
            )
            .bind(activity_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Applies one decision to each of `ids`, all or none, in one transaction: each activity's
    /// state moves (`kehoach_core::approval::review`), its history gains a row and the audit log
    /// an entry. Refused, naming the activity: an unknown one, a transition that does not apply,
    /// a return without a reason, an activity dated in a locked period. Returns the new states.
    pub async fn review_activities(
        &self,
        ids: &[i64],
        decision: ReviewDecision,
        reason: &str,
        by: &Change,
    ) -> Result<Vec<(i64, ReviewState)>, StoreError> {
        if ids.is_empty() {
            return Err(StoreError::Invalid(
                "activities: choose at least one".into(),
            ));
        }
        if ids.len() > MAX_REVIEW_BATCH {
            return Err(StoreError::Invalid(format!(
                "activities: at most {MAX_REVIEW_BATCH} at once"
            )));
        }
        let reason = kehoach_core::text::nfc(reason);
        if reason.chars().count() > MAX_REASON_CHARS {
            return Err(StoreError::Invalid(format!(
                "reason: at most {MAX_REASON_CHARS} characters"
            )));
        }
        if decision.needs_reason() && reason.is_empty() {
            return Err(StoreError::Invalid(
                "reason: say what to correct when returning an activity".into(),
            ));
        }
        let now = Utc::now();
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut done = Vec::with_capacity(ids.len());
        // The write path's transaction: its guard (`check_writable`, the period lock) runs in
        // it, so a lock taken on another server meanwhile is honoured.
        let mut tx = self.begin_write().await?;
        let outcome = async {
            for &id in &ids {
                let sql = format!(
                    "SELECT assignment_id, occurred_on, review_state FROM activities WHERE id = $1{}",
                    tx.row_lock(" FOR UPDATE")
                );
                let row: Option<(i64, NaiveDate, String)> =
                    tx.fetch_optional(&sql, &[Arg::I64(id)]).await?;
                let (assignment, date, state) =
                    row.ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
                let from = ReviewState::from_db(&state).ok_or_else(|| {
                    StoreError::Invariant(format!("activity {id} has review state {state:?}"))
                })?;
                let to = review(from, decision)
                    .map_err(|e| StoreError::Invalid(format!("activity {id}: {e}")))?;
                check_writable(&mut tx, &[(assignment, date)]).await?;
                tx.execute(
                    "UPDATE activities SET review_state = $1 WHERE id = $2",
                    &[Arg::Text(to.as_db().to_string()), Arg::I64(id)],
                )
                .await?;
                count_review_change(&mut tx, id, from).await?;
                tx.execute(
                    "INSERT INTO activity_reviews (activity_id, decision, state, reason, user_id, actor, at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    &[
                        Arg::I64(id),
                        Arg::Text(decision.as_str().to_string()),
                        Arg::Text(to.as_str().to_string()),
                        Arg::Text(reason.clone()),
                        Arg::OptI64(by.user_id),
                        Arg::Text(by.actor.clone()),
                        Arg::Time(now),
                    ],
                )
                .await?;
                let entry = entry_args(
                    by,
                    "review",
                    "activity",
                    &id.to_string(),
                    Some(serde_json::json!({"review_state": from.as_str()})),
                    Some(serde_json::json!({
                        "review_state": to.as_str(),
                        "decision": decision.as_str(),
                        "reason": reason,
                    })),
                    now,
                );
                tx.execute(AUDIT_ONE, &entry).await?;
                done.push((id, to));
            }
            Ok::<_, StoreError>(((), true))
        }
        .await;
        tx.end(outcome).await?;
        Ok(done)
    }
}
