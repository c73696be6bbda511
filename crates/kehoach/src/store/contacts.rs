//! Per-unit settings of the calendars and reminders (migration 0008): the hashed secret of a
//! unit's calendar URL, its e-mail address, and the reminders already sent.

use chrono::{NaiveDate, Utc};

use super::{StoreError, UnitRow, on_pool};

/// A unit with the address its reminders go to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitContact {
    pub unit_id: i64,
    pub code: String,
    pub name: String,
    pub email: String,
}

/// An assignment as the calendar and the reminders see it: the task's dates with its plan.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitAssignmentRow {
    pub assignment_id: i64,
    pub unit_id: i64,
    pub plan_id: i64,
    pub plan_number: Option<String>,
    pub plan_title: String,
    pub plan_issued_on: Option<NaiveDate>,
    pub plan_from: Option<NaiveDate>,
    pub plan_to: Option<NaiveDate>,
    pub task_id: i64,
    pub task_reference: String,
    pub task_title: String,
    pub window_from: Option<NaiveDate>,
    pub window_to: Option<NaiveDate>,
    pub due: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

/// A recurring target of one of a unit's tasks.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct UnitTargetRow {
    pub task_id: i64,
    pub count: f64,
    /// `day`, `week`, `month`, `quarter` or `year`.
    pub per: String,
    pub noun: String,
}

const UNIT_ASSIGNMENT_SELECT: &str = "SELECT a.id AS assignment_id, a.unit_id, p.id AS plan_id, \
    p.number AS plan_number, p.title AS plan_title, p.issued_on AS plan_issued_on, p.period_from AS plan_from, p.period_to AS plan_to, k.id AS task_id, \
    k.ref AS task_reference, k.title AS task_title, k.window_from, k.window_to, k.due, a.done_on \
    FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id";

impl super::Store {
    /// Sets (or replaces: the old URL stops working) the hash of a unit's calendar secret.
    pub async fn set_calendar_secret(
        &self,
        unit_id: i64,
        secret_hash: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query(
                "INSERT INTO calendar_feeds (unit_id, secret_hash, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (unit_id) DO UPDATE SET secret_hash = excluded.secret_hash, \
                 created_at = excluded.created_at",
            )
            .bind(unit_id)
            .bind(secret_hash)
            .bind(Utc::now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The unit whose calendar secret hashes to `secret_hash`.
    pub async fn unit_by_calendar_secret(
        &self,
        secret_hash: &str,
    ) -> Result<Option<UnitRow>, StoreError> {
        let id: Option<i64> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar("SELECT unit_id FROM calendar_feeds WHERE secret_hash = $1")
                .bind(secret_hash)
                .fetch_optional(pool)
                .await?
        });
        match id {
            Some(id) => self.unit(id).await,
            None => Ok(None),
        }
    }

    /// Sets a unit's reminder address.
    pub async fn set_unit_email(&self, unit_id: i64, email: &str) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query(
                "INSERT INTO unit_contacts (unit_id, email, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (unit_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at",
            )
            .bind(unit_id)
            .bind(email)
            .bind(Utc::now())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Every unit with a reminder address, by code.
    pub async fn unit_contacts(&self) -> Result<Vec<UnitContact>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitContact>(
                "SELECT c.unit_id, u.code, u.name, c.email FROM unit_contacts c \
                 JOIN units u ON u.id = c.unit_id ORDER BY u.code, u.id",
            )
            .fetch_all(pool)
            .await?
        }))
    }

    /// The assignments of a unit across every plan, by plan then task order.
    pub async fn assignments_of_unit(
        &self,
        unit_id: i64,
    ) -> Result<Vec<UnitAssignmentRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitAssignmentRow>(&format!(
                "{UNIT_ASSIGNMENT_SELECT} WHERE a.unit_id = $1 ORDER BY p.id, k.position"
            ))
            .bind(unit_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The recurring targets (per day, week, month, quarter or year) of a unit's assignments,
    /// for the calendar's reminder events: (task id, count, per, noun), by task and position.
    pub async fn recurring_targets_of_unit(
        &self,
        unit_id: i64,
    ) -> Result<Vec<UnitTargetRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitTargetRow>(
                "SELECT t.task_id, t.count, t.per, t.noun FROM targets t \
                 JOIN assignments a ON a.task_id = t.task_id \
                 WHERE a.unit_id = $1 AND t.per <> 'plan' ORDER BY t.task_id, t.position",
            )
            .bind(unit_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Claims `items` for `unit_id` on `day`: returns those not claimed before (by this or any
    /// other server). The unique key decides, so a race sends each item once.
    pub async fn claim_reminders(
        &self,
        unit_id: i64,
        items: &[String],
        day: NaiveDate,
    ) -> Result<Vec<String>, StoreError> {
        let mut claimed = Vec::new();
        for item in items {
            let inserted = on_pool!(self.db(), |pool| {
                sqlx::query(
                    "INSERT INTO reminders_sent (unit_id, item, day, sent_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(unit_id)
                .bind(item)
                .bind(day)
                .bind(Utc::now())
                .execute(pool)
                .await?
                .rows_affected()
            });
            if inserted == 1 {
                claimed.push(item.clone());
            }
        }
        Ok(claimed)
    }

    /// Gives back claims whose mail could not be sent, so the next run tries again.
    pub async fn release_reminders(
        &self,
        unit_id: i64,
        items: &[String],
        day: NaiveDate,
    ) -> Result<(), StoreError> {
        for item in items {
            on_pool!(self.db(), |pool| {
                sqlx::query(
                    "DELETE FROM reminders_sent WHERE unit_id = $1 AND item = $2 AND day = $3",
                )
                .bind(unit_id)
                .bind(item)
                .bind(day)
                .execute(pool)
                .await?;
            });
        }
        Ok(())
    }
}
