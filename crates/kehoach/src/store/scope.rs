//! Reads limited to a unit's subtree: what the permission adapter (`web::authz`) asks to find
//! where a thing lies, and the scoped listings. `root = None` means everywhere (administrators).

use chrono::NaiveDate;
use kehoach_core::text::fold;

use super::{EvidenceRow, PlanRow, StoreError, UnitRow, on_pool};

/// `sub(id)`: the unit `$1` and every unit under it.
pub(super) const SUBTREE: &str = "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) \
     UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id)";

/// `admin_up(id, kind, parent_id, depth)`: the unit `start` (an SQL expression) and, while the
/// unit reached is an agency, its parent; [`ADMINISTRATIVE_OF_UP`] picks the administrative unit
/// from it. One walk for [`super::Store::unit_roots`] and the API's caller query
/// (`Store::user_and_assignment_by_token_hash`).
pub(super) fn administrative_up(start: &str) -> String {
    format!(
        "admin_up(id, kind, parent_id, depth) AS ( \
           SELECT id, kind, parent_id, 0 FROM units WHERE id = {start} \
           UNION ALL SELECT u.id, u.kind, u.parent_id, admin_up.depth + 1 FROM units u \
           JOIN admin_up ON u.id = admin_up.parent_id WHERE admin_up.kind = 'agency' \
           AND admin_up.depth < 64)"
    )
}

/// The nearest unit of `admin_up` that is not an agency (NULL when there is none).
pub(super) const ADMINISTRATIVE_OF_UP: &str =
    "SELECT id FROM admin_up WHERE kind <> 'agency' ORDER BY depth LIMIT 1";

/// The roots a scope may start from at a unit: the unit itself, and the administrative unit it
/// belongs to (`Store::administrative_unit_of`); whether it is a people's committee, which
/// answers for its administrative unit ([`UnitRoots::work_root`]). Which root a user's scope
/// takes is the permission adapter's rule (`web::authz::Authz::scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitRoots {
    pub unit: i64,
    pub administrative: i64,
    pub committee: bool,
}

impl UnitRoots {
    /// The roots of `unit`, of `kind` and agency `category`, whose administrative unit is
    /// `administrative`.
    pub fn of(unit: i64, kind: &str, category: Option<&str>, administrative: i64) -> Self {
        let committee = kind == "agency"
            && category.and_then(super::registry::parse_category)
                == Some(kehoach_core::units::AgencyCategory::PeopleCommittee);
        UnitRoots {
            unit,
            administrative,
            committee,
        }
    }

    /// The unit whose work this one answers for (`Store::work_root_of`).
    pub fn work_root(&self) -> i64 {
        if self.committee {
            self.administrative
        } else {
            self.unit
        }
    }
}

impl super::Store {
    /// Ids of `root` and every unit under it.
    pub async fn subtree_ids(
        &self,
        root: i64,
    ) -> Result<std::collections::HashSet<i64>, StoreError> {
        let ids: Vec<i64> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(&format!("{SUBTREE} SELECT id FROM sub"))
                .bind(root)
                .fetch_all(pool)
                .await?
        });
        Ok(ids.into_iter().collect())
    }

    /// The unit whose work `unit_id` answers for: a people's committee (UBND) answers for its
    /// administrative unit and the agencies under it (a ward's officer logs the ward radio
    /// station's broadcast), so its administrative unit; any other unit for itself.
    pub async fn work_root_of(&self, unit_id: i64) -> Result<i64, StoreError> {
        Ok(self.unit_roots(unit_id).await?.work_root())
    }

    /// The roots a scope may start from at `unit_id` ([`UnitRoots`]), in one query.
    pub async fn unit_roots(&self, unit_id: i64) -> Result<UnitRoots, StoreError> {
        let row: Option<(String, Option<String>, i64)> = on_pool!(self.db(), |pool| {
            sqlx::query_as(&format!(
                "WITH RECURSIVE {} SELECT u.kind, u.category, COALESCE(({ADMINISTRATIVE_OF_UP}), u.id) \
                 FROM units u WHERE u.id = $1",
                administrative_up("CAST($1 AS BIGINT)")
            ))
            .bind(unit_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(match row {
            Some((kind, category, administrative)) => {
                UnitRoots::of(unit_id, &kind, category.as_deref(), administrative)
            }
            // A unit that is gone answers for itself (as before: no committee, no parent).
            None => UnitRoots::of(unit_id, "", None, unit_id),
        })
    }

    /// The nearest unit at or above `unit_id` that is not an agency (the administrative unit an
    /// agency belongs to); the unit itself when it is not an agency or has no such ancestor.
    pub async fn administrative_unit_of(&self, unit_id: i64) -> Result<i64, StoreError> {
        Ok(self.unit_roots(unit_id).await?.administrative)
    }

    /// Whether the plan assigns a task to a unit within `root`'s subtree.
    pub async fn plan_has_assignment_within(
        &self,
        plan_id: i64,
        root: i64,
    ) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(&format!(
                "{SUBTREE} SELECT a.id FROM assignments a JOIN tasks k ON k.id = a.task_id \
                 WHERE k.plan_id = $2 AND a.unit_id IN (SELECT id FROM sub) LIMIT 1"
            ))
            .bind(root)
            .bind(plan_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }

    /// The plans a scope may read: owned within the subtree, or assigning tasks to a unit in it.
    pub async fn plans_within(&self, root: Option<i64>) -> Result<Vec<PlanRow>, StoreError> {
        let Some(root) = root else {
            return self.plans().await;
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, PlanRow>(&format!(
                "{SUBTREE} SELECT {cols} FROM plans p WHERE p.context_unit_id IN (SELECT id FROM sub) \
                 OR EXISTS (SELECT 1 FROM assignments a JOIN tasks k ON k.id = a.task_id \
                            WHERE k.plan_id = p.id AND a.unit_id IN (SELECT id FROM sub)) \
                 ORDER BY p.id DESC",
                cols = super::plans::PLAN_COLUMNS,
            ))
            .bind(root)
            .fetch_all(pool)
            .await?
        }))
    }

    /// An evidence row for this file whose activity's assignment lies within the subtree (its
    /// name and type, to serve it); `None` when the scope has no such file.
    pub async fn evidence_file_within(
        &self,
        sha256: &str,
        root: Option<i64>,
    ) -> Result<Option<EvidenceRow>, StoreError> {
        let Some(root) = root else {
            return self.evidence_file(sha256).await;
        };
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, EvidenceRow>(&format!(
                "{SUBTREE} SELECT e.id, e.activity_id, e.kind, e.url, e.sha256, e.file_name, \
                 e.content_type, e.size_bytes FROM evidence e \
                 JOIN activities v ON v.id = e.activity_id JOIN assignments a ON a.id = v.assignment_id \
                 WHERE e.sha256 = $2 AND a.unit_id IN (SELECT id FROM sub) ORDER BY e.id LIMIT 1"
            ))
            .bind(root)
            .bind(sha256)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// [`Store::search_units`](super::Store::search_units) limited to a subtree.
    pub async fn search_units_within(
        &self,
        query: &str,
        on: NaiveDate,
        limit: i64,
        root: Option<i64>,
    ) -> Result<Vec<UnitRow>, StoreError> {
        let Some(root) = root else {
            return self.search_units(query, on, limit).await;
        };
        let key = fold(query);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = format!("%{}%", super::units::escape_like(&key));
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitRow>(&format!(
                "{SUBTREE} SELECT {cols} FROM units u WHERE u.id IN (SELECT id FROM sub) \
                 AND (u.valid_from IS NULL OR u.valid_from <= $2) AND (u.valid_to IS NULL OR u.valid_to >= $2) \
                 AND (u.search_text LIKE $3 ESCAPE '\\' \
                 OR u.id IN (SELECT a.unit_id FROM unit_aliases a WHERE a.search_text LIKE $3 ESCAPE '\\')) \
                 ORDER BY (u.search_text = $4) DESC, LENGTH(u.name), u.name LIMIT $5",
                cols = super::units::UNIT_COLUMNS,
            ))
            .bind(root)
            .bind(on)
            .bind(&pattern)
            .bind(&key)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::UnitRoots;

    #[test]
    fn a_peoples_committee_answers_for_its_administrative_unit_any_other_unit_for_itself() {
        let committee = serde_json::to_value(kehoach_core::units::AgencyCategory::PeopleCommittee)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string));
        let roots = UnitRoots::of(7, "agency", committee.as_deref(), 3);
        assert!(roots.committee);
        assert_eq!(roots.work_root(), 3);
        let other = UnitRoots::of(8, "agency", Some("not a category"), 3);
        assert_eq!(other.work_root(), 8);
        assert_eq!(other.administrative, 3);
        // Only an agency is a committee, whatever its category says.
        assert_eq!(
            UnitRoots::of(9, "commune", committee.as_deref(), 9).work_root(),
            9
        );
    }
}
