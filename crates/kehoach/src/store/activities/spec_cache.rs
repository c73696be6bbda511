//! The fixed part of assignments' specs, cached per process for the API's group writes.
//!
//! What an assignment's tallies depend on and that never changes after its plan's import (its
//! task's targets, the plan's grace and windows) is read once, a plan at a time. What may
//! change is not cached: the assignment's province (a roll-up rebuild re-derives it) and its
//! done date are read by each write, in its transaction. Plans, tasks, targets and
//! assignments are never updated or deleted, so nothing needs to leave the cache; an
//! assignment added later (a unit bound after the import) is a miss, and loaded then.

use std::collections::HashMap;

use super::super::rollups::placeholders;
use super::super::{StoreError, on_pool};
use super::{SpecRow, TallySpec, specs_from_rows};

/// The fixed specs by assignment id (province 0 and no done date).
pub(in crate::store) type SpecCache = std::sync::Mutex<HashMap<i64, TallySpec>>;

/// Beyond this many cached assignments the cache starts again (a national deployment has about
/// 20,000).
const MAX_CACHED: usize = 200_000;

/// The fixed specs of every assignment of the plans of `{}` (assignment ids).
const PLAN_SPECS: &str = "SELECT a.id, p.grace_days, p.period_from, p.period_to, k.window_from, \
     k.window_to, k.id, CAST(0 AS BIGINT), CAST(NULL AS DATE), t.id, t.per, t.count \
     FROM assignments a JOIN tasks k ON k.id = a.task_id JOIN plans p ON p.id = k.plan_id \
     LEFT JOIN targets t ON t.task_id = k.id \
     WHERE k.plan_id IN (SELECT k2.plan_id FROM assignments a2 JOIN tasks k2 ON k2.id = a2.task_id \
     WHERE a2.id IN ({})) ORDER BY a.id, t.position";

impl super::super::Store {
    /// The fixed specs of `ids`, from the cache, loading the plans of the missing ones;
    /// NotFound for an assignment that does not exist.
    pub(super) async fn fixed_specs(
        &self,
        ids: &[i64],
    ) -> Result<HashMap<i64, TallySpec>, StoreError> {
        let missing: Vec<i64> = {
            let cache = self.spec_cache();
            ids.iter()
                .copied()
                .filter(|id| !cache.contains_key(id))
                .collect()
        };
        if !missing.is_empty() {
            let sql = PLAN_SPECS.replacen("{}", &placeholders(missing.len(), self.marks()), 1);
            let rows: Vec<SpecRow> = on_pool!(self.db(), |pool| {
                let mut q = sqlx::query_as(&sql);
                for id in &missing {
                    q = q.bind(*id);
                }
                q.fetch_all(pool).await?
            });
            let loaded = specs_from_rows(rows);
            let mut cache = self.spec_cache();
            if cache.len() + loaded.len() > MAX_CACHED {
                cache.clear();
            }
            cache.extend(loaded);
        }
        let cache = self.spec_cache();
        ids.iter()
            .map(|id| {
                cache
                    .get(id)
                    .cloned()
                    .map(|spec| (*id, spec))
                    .ok_or_else(|| StoreError::NotFound(format!("assignment {id}")))
            })
            .collect()
    }

    fn spec_cache(&self) -> std::sync::MutexGuard<'_, HashMap<i64, TallySpec>> {
        self.spec_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
