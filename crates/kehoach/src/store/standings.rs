//! The aggregates behind the overview (`crate::standings`): per unit, how many of a recurring
//! target's ended periods it touched, met and met on time (a `GROUP BY` over one task's period
//! tallies, never a row per period), its overdue deliverables, and per period the roll-up
//! counters' `met` summed over provinces (the plan's monthly trend).

use chrono::NaiveDate;

use super::{StoreError, on_pool};

/// One unit's periods of one target, among those asked for: touched (something recorded), met
/// (achieved ≥ the target count) and met on time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnitPeriodCounts {
    pub unit_id: i64,
    pub touched: i64,
    pub met: i64,
    pub met_on_time: i64,
}

impl super::Store {
    /// For task `task_id`'s periods of kind `per` starting in `from..=to`, per unit: how many
    /// have something recorded, reach `count`, reach it on time.
    pub async fn unit_period_counts(
        &self,
        task_id: i64,
        per: &str,
        count: f64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<UnitPeriodCounts>, StoreError> {
        let sql = "SELECT a.unit_id, CAST(COUNT(*) AS BIGINT) AS touched, \
             CAST(SUM(CASE WHEN t.achieved >= $3 THEN 1 ELSE 0 END) AS BIGINT) AS met, \
             CAST(SUM(CASE WHEN t.achieved_on_time >= $3 THEN 1 ELSE 0 END) AS BIGINT) AS met_on_time \
             FROM assignments a JOIN period_tallies t ON t.assignment_id = a.id \
             WHERE a.task_id = $1 AND t.per = $2 AND t.period_start >= $4 AND t.period_start <= $5 \
             AND t.achieved > 0 GROUP BY a.unit_id";
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitPeriodCounts>(sql)
                .bind(task_id)
                .bind(per)
                .bind(count)
                .bind(from)
                .bind(to)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Per unit, the deliverables of plan `plan_id` not done and overdue on `at`.
    pub async fn overdue_by_unit(
        &self,
        plan_id: i64,
        at: NaiveDate,
    ) -> Result<Vec<(i64, i64)>, StoreError> {
        let sql = "SELECT a.unit_id, CAST(COUNT(*) AS BIGINT) FROM assignments a \
             JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1 AND k.due IS NOT NULL \
             AND k.due < $2 AND (a.done_on IS NULL OR a.done_on > $2) GROUP BY a.unit_id";
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, (i64, i64)>(sql)
                .bind(plan_id)
                .bind(at)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Per recurring target of plan `plan_id` and period start: the assignments that met it
    /// (the roll-up counters, summed over provinces).
    pub async fn met_per_period(
        &self,
        plan_id: i64,
    ) -> Result<Vec<(i64, NaiveDate, i64)>, StoreError> {
        let sql = "SELECT r.target_id, r.period_start, CAST(SUM(r.met) AS BIGINT) \
             FROM rollup_periods r JOIN targets g ON g.id = r.target_id \
             JOIN tasks k ON k.id = g.task_id WHERE k.plan_id = $1 \
             GROUP BY r.target_id, r.period_start";
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, (i64, NaiveDate, i64)>(sql)
                .bind(plan_id)
                .fetch_all(pool)
                .await?
        }))
    }
}
