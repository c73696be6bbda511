//! Activities: what a unit did for an assignment, with its evidence. Each write updates the
//! assignment's live aggregates (period tallies, done date, activity count) in the same
//! transaction, so every read of compliance is current.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use kehoach_core::compliance::{ActivityFact, increment};
use kehoach_core::period::{Per, today_in_vietnam};
use kehoach_core::text::{fold, nfc};
use serde::Serialize;

use super::audit::record_audit;
use super::rollups::{RollupDeltas, RollupSpec, SpecTarget, closed_window, flush_rollups};
use super::{Change, StoreError, on_pool};

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

#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
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

/// What the tallies of one assignment depend on: its task's target periods and its plan's grace.
#[derive(Debug, Clone)]
struct TallySpec {
    pers: Vec<Per>,
    grace_days: u32,
    rollup: RollupSpec,
}

impl super::Store {
    /// Records one activity with its evidence and an audit entry.
    pub async fn add_activity(
        &self,
        activity: &NewActivity,
        by: &Change,
    ) -> Result<ActivityRow, StoreError> {
        let mut ids = self
            .add_activities_inner(std::slice::from_ref(activity), by, true)
            .await?;
        let id = ids.pop().expect("one activity in, one id out");
        self.activity(id)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))
    }

    /// Records many activities in one transaction: all of them, or (on any error) none.
    /// One audit entry describes the batch.
    pub async fn add_activities(
        &self,
        activities: &[NewActivity],
        by: &Change,
    ) -> Result<Vec<i64>, StoreError> {
        self.add_activities_inner(activities, by, false).await
    }

    async fn add_activities_inner(
        &self,
        activities: &[NewActivity],
        by: &Change,
        audit_each: bool,
    ) -> Result<Vec<i64>, StoreError> {
        let now = Utc::now();
        let mut ids = Vec::with_capacity(activities.len());
        // SQLite: take the write lock up front. A deferred transaction that reads (the specs)
        // and then writes fails at once with "database is locked" when another writer committed
        // in between; an immediate one waits its turn (busy timeout).
        let begin = match self.backend() {
            super::Backend::Sqlite => "BEGIN IMMEDIATE",
            super::Backend::Postgres => "BEGIN",
        };
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin_with(begin).await?;
            let mut specs: HashMap<i64, TallySpec> = HashMap::new();
            let mut rollups = RollupDeltas::default();
            for activity in activities {
                let spec = match specs.get(&activity.assignment_id) {
                    Some(spec) => spec.clone(),
                    None => {
                        type SpecRow = (
                            i64,
                            Option<NaiveDate>,
                            Option<NaiveDate>,
                            Option<NaiveDate>,
                            Option<NaiveDate>,
                            i64,
                            i64,
                        );
                        let row: Option<SpecRow> = sqlx::query_as(
                            "SELECT p.grace_days, p.period_from, p.period_to, k.window_from, k.window_to, k.id, a.province_id \
                             FROM assignments a JOIN tasks k ON k.id = a.task_id \
                             JOIN plans p ON p.id = k.plan_id WHERE a.id = $1",
                        )
                        .bind(activity.assignment_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                        let Some((grace, pf, pt, wf, wt, task_id, province_id)) = row else {
                            return Err(StoreError::NotFound(format!(
                                "assignment {}",
                                activity.assignment_id
                            )));
                        };
                        let targets: Vec<(i64, String, f64)> = sqlx::query_as(
                            "SELECT id, per, count FROM targets WHERE task_id = $1 ORDER BY position",
                        )
                        .bind(task_id)
                        .fetch_all(&mut *tx)
                        .await?;
                        let targets: Vec<SpecTarget> = targets
                            .into_iter()
                            .filter_map(|(id, per, count)| {
                                Some(SpecTarget {
                                    id,
                                    per: per.parse().ok()?,
                                    count,
                                })
                            })
                            .collect();
                        let mut pers: Vec<Per> = targets.iter().map(|t| t.per).collect();
                        pers.sort();
                        pers.dedup();
                        let spec = TallySpec {
                            pers,
                            grace_days: u32::try_from(grace).unwrap_or(0),
                            rollup: RollupSpec {
                                task_id,
                                province_id,
                                targets,
                                closed_window: closed_window(pf, pt, wf, wt),
                            },
                        };
                        specs.insert(activity.assignment_id, spec.clone());
                        spec
                    }
                };
                let title = nfc(&activity.title);
                let recorded_at = activity.recorded_at.unwrap_or(now);
                let recorded_on = today_in_vietnam(recorded_at);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO activities (assignment_id, occurred_on, kind, title, quantity, duration_minutes, \
                     attendance, completes, note, reported_by, recorded_at, search_text) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(activity.assignment_id)
                .bind(activity.occurred_on)
                .bind(nfc(&activity.kind))
                .bind(&title)
                .bind(activity.quantity)
                .bind(activity.duration_minutes)
                .bind(activity.attendance)
                .bind(activity.completes)
                .bind(nfc(&activity.note))
                .bind(by.user_id)
                .bind(recorded_at)
                .bind(fold(&title))
                .fetch_one(&mut *tx)
                .await?;
                for evidence in &activity.evidence {
                    let (kind, url, sha, name, content_type, size) = match evidence {
                        NewEvidence::Url { url } => {
                            ("url", Some(url.as_str()), None, None, None, None)
                        }
                        NewEvidence::File {
                            sha256,
                            file_name,
                            content_type,
                            size_bytes,
                        } => (
                            "file",
                            None,
                            Some(sha256.as_str()),
                            Some(file_name.as_str()),
                            Some(content_type.as_str()),
                            Some(*size_bytes),
                        ),
                    };
                    sqlx::query(
                        "INSERT INTO evidence (activity_id, kind, url, sha256, file_name, content_type, size_bytes) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(kind)
                    .bind(url)
                    .bind(sha)
                    .bind(name)
                    .bind(content_type)
                    .bind(size)
                    .execute(&mut *tx)
                    .await?;
                }
                // The live aggregates, computed by the same engine code that reads them.
                let fact = ActivityFact {
                    occurred_on: activity.occurred_on,
                    recorded_on,
                    quantity: activity.quantity,
                    completes: activity.completes,
                };
                for per in &spec.pers {
                    if let Some(inc) = increment(*per, spec.grace_days, &fact) {
                        let after: (f64, f64) = sqlx::query_as(
                            "INSERT INTO period_tallies (assignment_id, per, period_start, achieved, achieved_on_time) \
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (assignment_id, per, period_start) DO UPDATE \
                             SET achieved = period_tallies.achieved + excluded.achieved, \
                             achieved_on_time = period_tallies.achieved_on_time + excluded.achieved_on_time \
                             RETURNING achieved, achieved_on_time",
                        )
                        .bind(activity.assignment_id)
                        .bind(per.as_str())
                        .bind(inc.period.start)
                        .bind(inc.bucket.achieved)
                        .bind(inc.bucket.on_time_achieved)
                        .fetch_one(&mut *tx)
                        .await?;
                        if per.is_recurring() {
                            rollups.period(&spec.rollup, *per, &inc, after);
                        } else {
                            rollups.total(&spec.rollup, activity.assignment_id, &inc);
                        }
                    }
                }
                if activity.completes {
                    let before: Option<NaiveDate> =
                        sqlx::query_scalar("SELECT done_on FROM assignments WHERE id = $1")
                            .bind(activity.assignment_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    let after =
                        before.map_or(activity.occurred_on, |d| d.min(activity.occurred_on));
                    rollups.done(&spec.rollup, before, after);
                }
                rollups.activity(&spec.rollup);
                sqlx::query(
                    "UPDATE assignments SET activity_count = activity_count + 1, \
                     last_activity_on = CASE WHEN last_activity_on IS NULL OR last_activity_on < $1 THEN $1 ELSE last_activity_on END, \
                     done_on = CASE WHEN $2 AND (done_on IS NULL OR done_on > $1) THEN $1 ELSE done_on END \
                     WHERE id = $3",
                )
                .bind(activity.occurred_on)
                .bind(activity.completes)
                .bind(activity.assignment_id)
                .execute(&mut *tx)
                .await?;
                if audit_each {
                    let after = serde_json::json!({
                        "assignment_id": activity.assignment_id, "occurred_on": activity.occurred_on,
                        "title": title, "quantity": activity.quantity, "completes": activity.completes,
                        "evidence": activity.evidence,
                    });
                    record_audit!(&mut *tx, by, "create", "activity", id, None, Some(after))?;
                }
                ids.push(id);
            }
            if !audit_each && !ids.is_empty() {
                let after = serde_json::json!({"count": ids.len(), "first_id": ids[0], "last_id": ids[ids.len() - 1]});
                record_audit!(
                    &mut *tx,
                    by,
                    "import",
                    "activity",
                    ids[0],
                    None,
                    Some(after)
                )?;
            }
            flush_rollups!(tx, &rollups);
            tx.commit().await?;
        });
        Ok(ids)
    }

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
