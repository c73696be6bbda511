//! A plan's assignments and live tallies limited to one task and/or some units, filtered in
//! the query: the task page, a task's heatmap and a unit's own work need a few assignments of a
//! plan, not the ≈ 30,000 tally rows of a whole province's plan.

use super::plans::ASSIGNMENT_SELECT;
use super::{AssignmentRow, StoreError, TallyRow, on_pool};

/// The most units a scoped read lists in its query; a larger set reads the whole plan (or task)
/// and leaves the unit filter to the caller, so a query stays bounded.
pub const MAX_SCOPED_UNITS: usize = 1000;

/// Which assignments of a plan a read covers.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssignmentScope<'a> {
    /// Only this task's assignments.
    pub task: Option<i64>,
    /// Only the assignments of these units (ignored when more than [`MAX_SCOPED_UNITS`]).
    pub units: Option<&'a [i64]>,
}

impl AssignmentScope<'_> {
    /// The SQL conditions after `k.plan_id = $1`, with the values to bind in order.
    fn conditions(&self) -> (String, Vec<i64>) {
        let mut sql = String::new();
        let mut binds = Vec::new();
        if let Some(task) = self.task {
            binds.push(task);
            sql.push_str(&format!(" AND a.task_id = ${}", binds.len() + 1));
        }
        if let Some(units) = self.units.filter(|u| u.len() <= MAX_SCOPED_UNITS) {
            if units.is_empty() {
                sql.push_str(" AND 1 = 0");
            } else {
                let first = binds.len() + 2;
                let placeholders: Vec<String> = (first..first + units.len())
                    .map(|i| format!("${i}"))
                    .collect();
                sql.push_str(&format!(" AND a.unit_id IN ({})", placeholders.join(", ")));
                binds.extend_from_slice(units);
            }
        }
        (sql, binds)
    }
}

impl super::Store {
    /// The assignments of a plan within `scope`, by task then unit code (as
    /// [`Self::assignments_of_plan`]).
    pub async fn assignments_in(
        &self,
        plan_id: i64,
        scope: AssignmentScope<'_>,
    ) -> Result<Vec<AssignmentRow>, StoreError> {
        let (conditions, binds) = scope.conditions();
        let sql = format!(
            "{ASSIGNMENT_SELECT} JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1{conditions} \
             ORDER BY a.task_id, u.code"
        );
        Ok(on_pool!(self.db(), |pool| {
            let mut query = sqlx::query_as::<_, AssignmentRow>(&sql).bind(plan_id);
            for value in &binds {
                query = query.bind(*value);
            }
            query.fetch_all(pool).await?
        }))
    }

    /// The live aggregate rows of a plan's assignments within `scope` (as
    /// [`Self::tallies_of_plan`]).
    pub async fn tallies_in(
        &self,
        plan_id: i64,
        scope: AssignmentScope<'_>,
    ) -> Result<Vec<TallyRow>, StoreError> {
        let (conditions, binds) = scope.conditions();
        let sql = format!(
            "SELECT pt.assignment_id, pt.per, pt.period_start, pt.achieved, pt.achieved_on_time \
             FROM period_tallies pt JOIN assignments a ON a.id = pt.assignment_id \
             JOIN tasks k ON k.id = a.task_id WHERE k.plan_id = $1{conditions}"
        );
        Ok(on_pool!(self.db(), |pool| {
            let mut query = sqlx::query_as::<_, TallyRow>(&sql).bind(plan_id);
            for value in &binds {
                query = query.bind(*value);
            }
            query.fetch_all(pool).await?
        }))
    }
}
