//! Activities: what a unit did for an assignment, with its evidence. Each write updates the
//! assignment's live aggregates (period tallies, done date, activity count) in the same
//! transaction, so every read of compliance is current.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::rollups::placeholders;
use super::{StoreError, on_pool};

mod write;
pub(super) use write::PendingWrite;
#[allow(unused_imports)] // used by the review and locking of periods (issue 19)
pub(crate) use write::{check_writable, count_review_change};

#[derive(Debug, Clone, Default)]
pub struct NewActivity {
    pub assignment_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
    pub quantity: f64,
    pub duration_minutes: Option<i64>,
    pub attendance: Option<i64>,
    /// Marks the deliverable of a task with a due date as done.
    pub completes: bool,
    pub note: String,
    pub evidence: Vec<NewEvidence>,
    /// When it was reported, for activities recorded elsewhere first (an import of last month's
    /// sheet, the demo); now when `None`. Decides on-time counting.
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum NewEvidence {
    Url {
        url: String,
    },
    /// A file already written to the content-addressed file store.
    File {
        sha256: String,
        file_name: String,
        content_type: String,
        size_bytes: i64,
    },
}

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct ActivityRow {
    pub id: i64,
    pub assignment_id: i64,
    pub occurred_on: NaiveDate,
    pub kind: String,
    pub title: String,
    pub quantity: f64,
    pub duration_minutes: Option<i64>,
    pub attendance: Option<i64>,
    pub completes: bool,
    pub note: String,
    pub reported_by: Option<i64>,
    pub recorded_at: DateTime<Utc>,
    pub review_state: String,
}

const ACTIVITY_COLUMNS: &str = "id, assignment_id, occurred_on, kind, title, quantity, \
    duration_minutes, attendance, completes, note, reported_by, recorded_at, review_state";

#[derive(Debug, Clone, sqlx::FromRow, Serialize, Deserialize, utoipa::ToSchema)]
pub struct EvidenceRow {
    pub id: i64,
    pub activity_id: i64,
    pub kind: String,
    pub url: Option<String>,
    pub sha256: Option<String>,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
}

/// One live aggregate row: an assignment's achieved quantity in one period.
#[derive(Debug, Clone, sqlx::FromRow, Serialize)]
pub struct TallyRow {
    pub assignment_id: i64,
    pub per: String,
    pub period_start: NaiveDate,
    pub achieved: f64,
    pub achieved_on_time: f64,
}

impl super::Store {
    pub async fn activity(&self, id: i64) -> Result<Option<ActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivityRow>(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// An assignment's activities, newest first.
    pub async fn activities_of_assignment(
        &self,
        assignment_id: i64,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivityRow>(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE assignment_id = $1 ORDER BY occurred_on DESC, id DESC"
            ))
            .bind(assignment_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// An assignment's activities dated within `from..=to` (either end open), latest first; at
    /// most `limit`.
    pub async fn activities_between(
        &self,
        assignment_id: i64,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        limit: i64,
    ) -> Result<Vec<ActivityRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ActivityRow>(&format!(
                "SELECT {ACTIVITY_COLUMNS} FROM activities WHERE assignment_id = $1 \
                 AND ($2 IS NULL OR occurred_on >= $2) AND ($3 IS NULL OR occurred_on <= $3) \
                 ORDER BY occurred_on DESC, id DESC LIMIT $4"
            ))
            .bind(assignment_id)
            .bind(from)
            .bind(to)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The evidence of some activities, by activity then id.
    pub async fn evidence_of_activities(
        &self,
        activity_ids: &[i64],
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        let mut out = Vec::new();
        // Chunks keep the statement under both backends' limits on bound values.
        for chunk in activity_ids.chunks(500) {
            let params = placeholders(chunk.len(), self.marks());
            let sql = format!(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE activity_id IN ({}) ORDER BY activity_id, id",
                params
            );
            out.extend(on_pool!(self.db(), |pool| {
                let mut query = sqlx::query_as::<_, EvidenceRow>(&sql);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.fetch_all(pool).await?
            }));
        }
        Ok(out)
    }

    pub async fn evidence_of_activity(
        &self,
        activity_id: i64,
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE activity_id = $1 ORDER BY id",
            )
            .bind(activity_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Every evidence row of an assignment's activities, in activity then evidence order.
    pub async fn evidence_of_assignment(
        &self,
        assignment_id: i64,
    ) -> Result<Vec<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(
                "SELECT e.id, e.activity_id, e.kind, e.url, e.sha256, e.file_name, e.content_type, e.size_bytes \
                 FROM evidence e JOIN activities a ON a.id = e.activity_id WHERE a.assignment_id = $1 \
                 ORDER BY e.activity_id, e.id",
            )
            .bind(assignment_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The first evidence row that refers to a stored file: its name and type for serving it.
    pub async fn evidence_file(&self, sha256: &str) -> Result<Option<EvidenceRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(
                "SELECT id, activity_id, kind, url, sha256, file_name, content_type, size_bytes \
                 FROM evidence WHERE sha256 = $1 ORDER BY id LIMIT 1",
            )
            .bind(sha256)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The hashes of every stored file some evidence refers to (for `kehoach files gc`).
    pub async fn referenced_files(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let hashes: Vec<String> = on_pool!(self.db(), |pool| {
            // Spending vouchers (budget, migration 0018) are evidence files too.
            sqlx::query_scalar(
                "SELECT sha256 FROM evidence WHERE sha256 IS NOT NULL \
                 UNION SELECT sha256 FROM budget_spending WHERE sha256 IS NOT NULL",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(hashes.into_iter().collect())
    }

    /// Every live aggregate row of a plan's assignments.
    pub async fn tallies_of_plan(&self, plan_id: i64) -> Result<Vec<TallyRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, TallyRow>(
                "SELECT pt.assignment_id, pt.per, pt.period_start, pt.achieved, pt.achieved_on_time \
                 FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
                 JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1",
            )
            .bind(plan_id)
            .fetch_all(pool)
            .await?
        }))
    }
}
