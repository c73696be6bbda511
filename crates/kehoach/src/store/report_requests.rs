//! Rows of the reporting chain (migration 0017): report requests and the units asked, each
//! unit's draft (optimistic version), its submissions (frozen) and their review. Every change
//! commits with its audit entry. `crate::reporting` owns what the JSON columns hold.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;

use super::audit::record_audit;
use super::{Change, StoreError, on_pool};

/// A request as stored.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ReportRequestRow {
    pub id: i64,
    pub plan_id: i64,
    pub task_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub due: NaiveDate,
    /// The calendar tag of the period ("2024", "2024-q3"): its kind and label.
    pub period_kind: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// JSON array of strings.
    pub questions: String,
    pub created_at: DateTime<Utc>,
}

/// A request to store.
#[derive(Debug, Clone)]
pub struct NewReportRequest {
    pub plan_id: i64,
    pub task_id: Option<i64>,
    pub kind: &'static str,
    pub title: String,
    pub due: NaiveDate,
    pub period_kind: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub questions: Vec<String>,
    pub unit_ids: Vec<i64>,
}

/// A unit asked to report.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct RequestUnitRow {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct DraftRow {
    pub request_id: i64,
    pub unit_id: i64,
    /// JSON of `reporting::sections::Sections`.
    pub sections: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct SubmissionRow {
    pub id: i64,
    pub request_id: i64,
    pub unit_id: i64,
    pub number: String,
    pub signed_on: NaiveDate,
    pub signer: String,
    pub sections: String,
    pub figures: String,
    pub docx_sha256: String,
    pub docx_size: i64,
    pub scan_sha256: Option<String>,
    pub scan_size: Option<i64>,
    pub activity_id: Option<i64>,
    pub state: String,
    pub review_reason: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub submitted_at: DateTime<Utc>,
}

const REQUEST_COLUMNS: &str = "id, plan_id, task_id, kind, title, due, period_kind, period_from, \
    period_to, questions, created_at";
const SUBMISSION_COLUMNS: &str = "id, request_id, unit_id, number, signed_on, signer, sections, \
    figures, docx_sha256, docx_size, scan_sha256, scan_size, activity_id, state, review_reason, \
    reviewed_at, submitted_at";

/// A frozen submission to store.
#[derive(Debug, Clone)]
pub struct NewSubmission {
    pub request_id: i64,
    pub unit_id: i64,
    pub number: String,
    pub signed_on: NaiveDate,
    pub signer: String,
    pub sections: String,
    pub figures: String,
    pub docx_sha256: String,
    pub docx_size: i64,
    pub scan: Option<(String, i64)>,
    pub activity_id: Option<i64>,
}

/// What a draft save came to.
#[derive(Debug, Clone)]
pub enum DraftSave {
    Saved(DraftRow),
    /// Someone saved first (or the draft is newer than the version named): theirs, unchanged.
    Stale(Option<DraftRow>),
    /// The unit's report is submitted (waiting for review, or accepted): nothing changes.
    Frozen,
}

/// Why a submission or a review was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainConflict {
    /// The unit's report was accepted: nothing more is taken.
    AlreadyAccepted,
    /// A submission waits for review.
    AlreadySubmitted,
    /// Nothing waits for review.
    NothingToReview,
}

impl super::Store {
    /// Stores a request and the units asked; `None` when it is a plan deliverable already a
    /// request (the task's request is made once).
    pub async fn insert_report_request(
        &self,
        r: &NewReportRequest,
        by: &Change,
    ) -> Result<Option<i64>, StoreError> {
        let questions = serde_json::to_string(&r.questions)
            .map_err(|e| StoreError::Invariant(e.to_string()))?;
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO report_requests (plan_id, task_id, kind, title, due, period_kind, \
                 period_from, period_to, questions, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
                 ON CONFLICT (task_id) DO NOTHING RETURNING id",
            )
            .bind(r.plan_id)
            .bind(r.task_id)
            .bind(r.kind)
            .bind(&r.title)
            .bind(r.due)
            .bind(&r.period_kind)
            .bind(r.period_from)
            .bind(r.period_to)
            .bind(&questions)
            .bind(by.user_id)
            .bind(Utc::now())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            for unit in &r.unit_ids {
                sqlx::query(
                    "INSERT INTO report_request_units (request_id, unit_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(unit)
                .execute(&mut *tx)
                .await?;
            }
            record_audit(
                &mut *tx,
                by,
                "create",
                "report_request",
                id,
                None,
                Some(json!({
                    "plan_id": r.plan_id, "task_id": r.task_id, "kind": r.kind,
                    "title": r.title, "due": r.due, "period": r.period_kind,
                    "from": r.period_from, "to": r.period_to,
                    "questions": r.questions, "units": r.unit_ids,
                })),
            )
            .await?;
            tx.commit().await?;
            Some(id)
        }))
    }

    pub async fn report_request(&self, id: i64) -> Result<Option<ReportRequestRow>, StoreError> {
        let sql = format!("SELECT {REQUEST_COLUMNS} FROM report_requests WHERE id = $1");
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReportRequestRow>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// A plan's requests, by deadline.
    pub async fn report_requests_of_plan(
        &self,
        plan_id: i64,
    ) -> Result<Vec<ReportRequestRow>, StoreError> {
        let sql = format!(
            "SELECT {REQUEST_COLUMNS} FROM report_requests WHERE plan_id = $1 ORDER BY due, id"
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReportRequestRow>(&sql)
                .bind(plan_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The requests asking `unit_id` (a unit's own list), by deadline.
    pub async fn report_requests_of_unit(
        &self,
        unit_id: i64,
    ) -> Result<Vec<ReportRequestRow>, StoreError> {
        let columns: Vec<String> = REQUEST_COLUMNS
            .split(", ")
            .map(|c| format!("r.{}", c.trim()))
            .collect();
        let sql = format!(
            "SELECT {} FROM report_requests r JOIN report_request_units u \
             ON u.request_id = r.id WHERE u.unit_id = $1 ORDER BY r.due, r.id",
            columns.join(", ")
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, ReportRequestRow>(&sql)
                .bind(unit_id)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The units a request asks, by name.
    pub async fn report_request_units(
        &self,
        request_id: i64,
    ) -> Result<Vec<RequestUnitRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, RequestUnitRow>(
                "SELECT u.id AS unit_id, u.code, u.name FROM report_request_units r \
                 JOIN units u ON u.id = r.unit_id WHERE r.request_id = $1 ORDER BY u.name, u.id",
            )
            .bind(request_id)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn report_draft(
        &self,
        request_id: i64,
        unit_id: i64,
    ) -> Result<Option<DraftRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, DraftRow>(
                "SELECT request_id, unit_id, sections, version, updated_at FROM report_drafts \
                 WHERE request_id = $1 AND unit_id = $2",
            )
            .bind(request_id)
            .bind(unit_id)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// The drafts of a request (which units have one).
    pub async fn report_drafts(&self, request_id: i64) -> Result<Vec<DraftRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, DraftRow>(
                "SELECT request_id, unit_id, sections, version, updated_at FROM report_drafts \
                 WHERE request_id = $1",
            )
            .bind(request_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Saves a draft if `expected` is its current version (`None`: there is none yet) and the
    /// unit's report is not submitted; the version goes up by one. Compare-and-set in one
    /// statement, so of two saves naming the same version exactly one wins, on any server.
    pub async fn save_report_draft(
        &self,
        request_id: i64,
        unit_id: i64,
        sections: &str,
        expected: Option<i64>,
        by: &Change,
    ) -> Result<DraftSave, StoreError> {
        const NOT_FROZEN: &str = "NOT EXISTS (SELECT 1 FROM report_submissions s \
            WHERE s.request_id = $1 AND s.unit_id = $2 AND s.state <> 'returned')";
        let now = Utc::now();
        let saved: Option<DraftRow> = on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let row = match expected {
                None => {
                    let sql = format!(
                        "INSERT INTO report_drafts (request_id, unit_id, sections, version, \
                         updated_by, updated_at) SELECT $1, $2, $3, 1, $4, $5 WHERE {NOT_FROZEN} \
                         ON CONFLICT (request_id, unit_id) DO NOTHING \
                         RETURNING request_id, unit_id, sections, version, updated_at"
                    );
                    sqlx::query_as::<_, DraftRow>(&sql)
                        .bind(request_id)
                        .bind(unit_id)
                        .bind(sections)
                        .bind(by.user_id)
                        .bind(now)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                Some(v) => {
                    let sql = format!(
                        "UPDATE report_drafts SET sections = $3, version = version + 1, \
                         updated_by = $4, updated_at = $5 \
                         WHERE request_id = $1 AND unit_id = $2 AND version = $6 AND {NOT_FROZEN} \
                         RETURNING request_id, unit_id, sections, version, updated_at"
                    );
                    sqlx::query_as::<_, DraftRow>(&sql)
                        .bind(request_id)
                        .bind(unit_id)
                        .bind(sections)
                        .bind(by.user_id)
                        .bind(now)
                        .bind(v)
                        .fetch_optional(&mut *tx)
                        .await?
                }
            };
            if let Some(row) = &row {
                record_audit(
                    &mut *tx,
                    by,
                    "save",
                    "report_draft",
                    format!("{request_id}/{unit_id}"),
                    None,
                    Some(json!({ "version": row.version, "sections": sections })),
                )
                .await?;
            }
            tx.commit().await?;
            row
        });
        if let Some(row) = saved {
            return Ok(DraftSave::Saved(row));
        }
        if self.live_submission(request_id, unit_id).await?.is_some() {
            return Ok(DraftSave::Frozen);
        }
        Ok(DraftSave::Stale(
            self.report_draft(request_id, unit_id).await?,
        ))
    }

    /// Every submission of a request, oldest first.
    pub async fn report_submissions(
        &self,
        request_id: i64,
    ) -> Result<Vec<SubmissionRow>, StoreError> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM report_submissions WHERE request_id = $1 ORDER BY id"
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, SubmissionRow>(&sql)
                .bind(request_id)
                .fetch_all(pool)
                .await?
        }))
    }

    pub async fn report_submission(&self, id: i64) -> Result<Option<SubmissionRow>, StoreError> {
        let sql = format!("SELECT {SUBMISSION_COLUMNS} FROM report_submissions WHERE id = $1");
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, SubmissionRow>(&sql)
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The unit's submission that is not returned (waiting for review, or accepted).
    pub async fn live_submission(
        &self,
        request_id: i64,
        unit_id: i64,
    ) -> Result<Option<SubmissionRow>, StoreError> {
        let sql = format!(
            "SELECT {SUBMISSION_COLUMNS} FROM report_submissions \
             WHERE request_id = $1 AND unit_id = $2 AND state <> 'returned'"
        );
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, SubmissionRow>(&sql)
                .bind(request_id)
                .bind(unit_id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Stores a submission, unless one of the unit's waits for review or was accepted.
    pub async fn insert_report_submission(
        &self,
        s: &NewSubmission,
        by: &Change,
    ) -> Result<Result<SubmissionRow, ChainConflict>, StoreError> {
        let sql = format!(
            "INSERT INTO report_submissions (request_id, unit_id, number, signed_on, signer, \
             sections, figures, docx_sha256, docx_size, scan_sha256, scan_size, activity_id, \
             state, submitted_by, submitted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'submitted', $13, $14) \
             RETURNING {SUBMISSION_COLUMNS}"
        );
        let inserted: Result<SubmissionRow, sqlx::Error> = on_pool!(self.db(), |pool| {
            async {
                let mut tx = pool.begin().await?;
                let row = sqlx::query_as::<_, SubmissionRow>(&sql)
                    .bind(s.request_id)
                    .bind(s.unit_id)
                    .bind(&s.number)
                    .bind(s.signed_on)
                    .bind(&s.signer)
                    .bind(&s.sections)
                    .bind(&s.figures)
                    .bind(&s.docx_sha256)
                    .bind(s.docx_size)
                    .bind(s.scan.as_ref().map(|x| x.0.clone()))
                    .bind(s.scan.as_ref().map(|x| x.1))
                    .bind(s.activity_id)
                    .bind(by.user_id)
                    .bind(Utc::now())
                    .fetch_one(&mut *tx)
                    .await?;
                record_audit(
                    &mut *tx,
                    by,
                    "submit",
                    "report_submission",
                    row.id,
                    None,
                    Some(json!({
                        "request_id": s.request_id, "unit_id": s.unit_id, "number": s.number,
                        "signed_on": s.signed_on, "signer": s.signer,
                        "docx_sha256": s.docx_sha256, "scan_sha256": s.scan.as_ref().map(|x| &x.0),
                        "activity_id": s.activity_id,
                    })),
                )
                .await?;
                tx.commit().await?;
                Ok(row)
            }
            .await
        });
        match inserted {
            Ok(row) => Ok(Ok(row)),
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                let live = self.live_submission(s.request_id, s.unit_id).await?;
                Ok(Err(match live.map(|l| l.state) {
                    Some(state) if state == "accepted" => ChainConflict::AlreadyAccepted,
                    _ => ChainConflict::AlreadySubmitted,
                }))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Accepts or returns (with `reason`) the unit's submission waiting for review.
    pub async fn review_report_submission(
        &self,
        request_id: i64,
        unit_id: i64,
        accept: bool,
        reason: Option<&str>,
        by: &Change,
    ) -> Result<Result<SubmissionRow, ChainConflict>, StoreError> {
        let state = if accept { "accepted" } else { "returned" };
        let sql = format!(
            "UPDATE report_submissions SET state = $3, review_reason = $4, reviewed_by = $5, \
             reviewed_at = $6 WHERE request_id = $1 AND unit_id = $2 AND state = 'submitted' \
             RETURNING {SUBMISSION_COLUMNS}"
        );
        let row: Option<SubmissionRow> = on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, SubmissionRow>(&sql)
                .bind(request_id)
                .bind(unit_id)
                .bind(state)
                .bind(reason)
                .bind(by.user_id)
                .bind(Utc::now())
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = &row {
                record_audit(
                    &mut *tx,
                    by,
                    if accept { "accept" } else { "return" },
                    "report_submission",
                    row.id,
                    Some(json!({ "state": "submitted" })),
                    Some(json!({ "state": state, "reason": reason })),
                )
                .await?;
            }
            tx.commit().await?;
            row
        });
        match row {
            Some(row) => Ok(Ok(row)),
            None => Ok(Err(
                match self
                    .live_submission(request_id, unit_id)
                    .await?
                    .map(|l| l.state)
                {
                    Some(s) if s == "accepted" => ChainConflict::AlreadyAccepted,
                    _ => ChainConflict::NothingToReview,
                },
            )),
        }
    }

    /// Files the submissions hold (frozen .docx and signed scans): `kehoach files gc` keeps them.
    pub async fn report_files(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<(String, Option<String>)> = on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, (String, Option<String>)>(
                "SELECT docx_sha256, scan_sha256 FROM report_submissions",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .flat_map(|(d, s)| std::iter::once(d).chain(s))
            .collect())
    }
}
