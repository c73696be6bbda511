//! Units in the store: administrative units and agencies, with aliases and validity spans.

use chrono::{NaiveDate, Utc};
use kehoach_core::text::{fold, nfc};

use super::audit::record_audit;
use super::{Change, StoreError, on_pool};

/// A unit as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct UnitRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub type_word: Option<String>,
    pub category: Option<String>,
    pub parent_id: Option<i64>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A unit to create. Text is NFC-normalised and the search key folded on the way in.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub type_word: Option<String>,
    pub category: Option<String>,
    pub parent_id: Option<i64>,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub aliases: Vec<String>,
}

pub(super) const UNIT_COLUMNS: &str =
    "id, code, name, kind, type_word, category, parent_id, valid_from, valid_to";

/// A unit is valid on `on` when `valid_from <= on <= valid_to` (both inclusive, either open),
/// as in `kehoach_core::units::Unit::valid_on`.
const VALID_ON: &str =
    "(valid_from IS NULL OR valid_from <= $2) AND (valid_to IS NULL OR valid_to >= $2)";

impl super::Store {
    /// Creates a unit with its aliases and an audit entry, in one transaction.
    pub async fn create_unit(&self, unit: &NewUnit, by: &Change) -> Result<UnitRow, StoreError> {
        let code = nfc(&unit.code);
        let name = nfc(&unit.name);
        if code.is_empty() || name.is_empty() {
            return Err(StoreError::Invalid("a unit needs a code and a name".into()));
        }
        let search = fold(&name);
        let aliases: Vec<(String, String)> = unit
            .aliases
            .iter()
            .map(|a| nfc(a))
            .filter(|a| !a.is_empty())
            .map(|a| {
                let key = fold(&a);
                (a, key)
            })
            .collect();
        // The audit keeps what was stored (cleaned), not the raw input.
        let after = serde_json::to_value(NewUnit {
            code: code.clone(),
            name: name.clone(),
            aliases: aliases.iter().map(|(a, _)| a.clone()).collect(),
            ..unit.clone()
        })
        .ok();
        let row = on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let row = sqlx::query_as::<_, UnitRow>(&format!(
                "INSERT INTO units (code, name, kind, type_word, category, parent_id, valid_from, \
                 valid_to, search_text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 RETURNING {UNIT_COLUMNS}"
            ))
            .bind(&code)
            .bind(&name)
            .bind(&unit.kind)
            .bind(&unit.type_word)
            .bind(&unit.category)
            .bind(unit.parent_id)
            .bind(unit.valid_from)
            .bind(unit.valid_to)
            .bind(&search)
            .bind(Utc::now())
            .fetch_one(&mut *tx)
            .await
            .map_err(StoreError::conflict_as(format!("unit {code}")))?;
            for (alias, key) in &aliases {
                sqlx::query(
                    "INSERT INTO unit_aliases (unit_id, alias, search_text) VALUES ($1, $2, $3) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(row.id)
                .bind(alias)
                .bind(key)
                .execute(&mut *tx)
                .await?;
            }
            record_audit(&mut *tx, by, "create", "unit", row.id, None, after).await?;
            tx.commit().await?;
            row
        });
        Ok(row)
    }

    /// The unit with this code that is valid on the date.
    /// The unit a code names today or, when none does (a unit the 2025 reform ended), the one
    /// it named last.
    pub async fn unit_by_code_latest(
        &self,
        code: &str,
        today: NaiveDate,
    ) -> Result<Option<UnitRow>, StoreError> {
        if let Some(unit) = self.unit_by_code(code, today).await? {
            return Ok(Some(unit));
        }
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitRow>(&format!(
                "SELECT {UNIT_COLUMNS} FROM units WHERE code = $1 \
                 ORDER BY valid_to IS NULL DESC, valid_to DESC LIMIT 1"
            ))
            .bind(code)
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn unit_by_code(
        &self,
        code: &str,
        on: NaiveDate,
    ) -> Result<Option<UnitRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitRow>(&format!(
                "SELECT {UNIT_COLUMNS} FROM units WHERE code = $1 AND {VALID_ON}"
            ))
            .bind(code)
            .bind(on)
            .fetch_optional(pool)
            .await?
        }))
    }

    pub async fn unit(&self, id: i64) -> Result<Option<UnitRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitRow>(&format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Units valid on the date whose name or an alias contains the query, diacritics ignored
    /// ("da nang" finds "Đà Nẵng"). Exact name matches first, then shorter names.
    pub async fn search_units(
        &self,
        query: &str,
        on: NaiveDate,
        limit: i64,
    ) -> Result<Vec<UnitRow>, StoreError> {
        let key = fold(query);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = format!("%{}%", escape_like(&key));
        // The aliases are searched once (IN), not once per unit (EXISTS): SQLite would otherwise
        // probe the alias index for each of the ~18,000 units.
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, UnitRow>(&format!(
                "SELECT {UNIT_COLUMNS} FROM units u WHERE {VALID_ON} AND (u.search_text LIKE $1 ESCAPE '\\' \
                 OR u.id IN (SELECT a.unit_id FROM unit_aliases a WHERE a.search_text LIKE $1 ESCAPE '\\')) \
                 ORDER BY (u.search_text = $3) DESC, LENGTH(u.name), u.name LIMIT $4"
            ))
            .bind(&pattern)
            .bind(on)
            .bind(&key)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    pub async fn count_units(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM units")
                .fetch_one(pool)
                .await?
        }))
    }
}

/// Escapes LIKE wildcards so user text matches literally.
pub(super) fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl super::Store {
    /// Ids of the unit with this code on the date and of every unit under it (recursive over
    /// `parent_id`); `None` when no such unit exists.
    pub async fn unit_subtree_ids(
        &self,
        code: &str,
        on: NaiveDate,
    ) -> Result<Option<std::collections::HashSet<i64>>, StoreError> {
        let Some(root) = self.unit_by_code(code, on).await? else {
            return Ok(None);
        };
        let ids: Vec<i64> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "WITH RECURSIVE sub(id) AS (SELECT CAST($1 AS BIGINT) UNION SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id) \
                 SELECT id FROM sub",
            )
            .bind(root.id)
            .fetch_all(pool)
            .await?
        });
        Ok(Some(ids.into_iter().collect()))
    }

    /// Whether `unit_id` is `ancestor_id` or lies under it (recursive over `parent_id`).
    pub async fn unit_is_within(&self, unit_id: i64, ancestor_id: i64) -> Result<bool, StoreError> {
        let found: Option<i64> = on_pool!(self.db(), |pool| {
            sqlx::query_scalar(
                "WITH RECURSIVE up(id, depth) AS (SELECT CAST($1 AS BIGINT), 0 UNION ALL \
                 SELECT u.parent_id, up.depth + 1 FROM units u JOIN up ON u.id = up.id \
                 WHERE u.parent_id IS NOT NULL AND up.depth < 64) \
                 SELECT id FROM up WHERE id = $2 LIMIT 1",
            )
            .bind(unit_id)
            .bind(ancestor_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(found.is_some())
    }
}
