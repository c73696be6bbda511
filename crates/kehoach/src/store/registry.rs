//! The unit registry in the database: the shipped administrative units are loaded on first open
//! (and again when the shipped list changes); agencies and user-created units live beside them.
//! [`Store::registry`] reads everything back as the pure `Registry` the resolver works on.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use kehoach_core::text::fold;
use kehoach_core::units::{AdminType, AgencyCategory, Registry, Unit, UnitKind, spans_overlap};
use sha2::{Digest, Sha256};

use super::audit::record_audit;
use super::{Change, StoreError, on_pool};

/// Rows per multi-row INSERT: well under SQLite's and PostgreSQL's bind-parameter limits.
const CHUNK: usize = 400;

const META_KEY: &str = "units_data_sha256";

fn category_str(c: AgencyCategory) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(super) fn parse_category(s: &str) -> Option<AgencyCategory> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

#[derive(sqlx::FromRow)]
struct UnitFull {
    id: i64,
    code: String,
    name: String,
    short_name: String,
    kind: String,
    type_word: Option<String>,
    category: Option<String>,
    parent_code: Option<String>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

impl super::Store {
    /// Loads the shipped administrative units unless this exact list is already loaded.
    /// Returns how many units were added.
    pub async fn ensure_shipped_units(&self) -> Result<usize, StoreError> {
        let data = kehoach_core::units::UNITS_DATA;
        let version: String = Sha256::digest(data.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if self.meta(META_KEY).await?.as_deref() == Some(version.as_str()) {
            return Ok(0);
        }
        let units = kehoach_core::units::parse_units_data(data)
            .map_err(|e| StoreError::Invalid(format!("shipped units data: {e}")))?;
        let added = self.insert_units(&units, &Change::system("system")).await?;
        self.set_meta(META_KEY, &version).await?;
        tracing::info!(added, "administrative units loaded");
        Ok(added)
    }

    /// Inserts units (parents before children, or already stored) with their aliases, skipping
    /// any already present; one audit entry describes the batch.
    pub async fn insert_units(&self, units: &[Unit], by: &Change) -> Result<usize, StoreError> {
        // Parents first: by kind, then by depth within the batch (an agency's office under
        // its department), so every parent id is known when its children are inserted.
        let in_batch: HashMap<&str, &Unit> = units.iter().map(|u| (u.code.as_str(), u)).collect();
        let depth = |unit: &Unit| {
            let mut depth = 0usize;
            let mut current = unit;
            while let Some(parent) = current.parent_code.as_deref().and_then(|c| in_batch.get(c)) {
                depth += 1;
                current = parent;
                if depth > 16 {
                    break; // a cycle in the data: stop rather than loop
                }
            }
            depth
        };
        let mut sorted: Vec<(u8, usize, &Unit)> = units
            .iter()
            .map(|u| (u.kind.level(), depth(u), u))
            .collect();
        sorted.sort_by_key(|(level, depth, _)| (*level, *depth));
        // Parents already stored (e.g. a province when its agencies are added): only their ids
        // and validity spans are needed, not the whole registry.
        type Span = (Option<NaiveDate>, Option<NaiveDate>);
        let mut ids: HashMap<String, Vec<(i64, Span)>> = HashMap::new();
        for (id, code, valid_from, valid_to) in self.unit_spans().await? {
            ids.entry(code)
                .or_default()
                .push((id, (valid_from, valid_to)));
        }
        let now = Utc::now();
        let mut added = 0usize;
        on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            for generation in sorted.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
                let level: Vec<&Unit> = generation.iter().map(|(_, _, u)| *u).collect();
                for chunk in level.chunks(CHUNK) {
                    let mut sql = String::from(
                        "INSERT INTO units (code, name, short_name, kind, type_word, category, parent_id, \
                         valid_from, valid_to, search_text, created_at) VALUES ",
                    );
                    for i in 0..chunk.len() {
                        let b = i * 11;
                        if i > 0 {
                            sql.push(',');
                        }
                        sql.push_str(&format!(
                            "(${},${},${},${},${},${},${},${},${},${},${})",
                            b + 1,
                            b + 2,
                            b + 3,
                            b + 4,
                            b + 5,
                            b + 6,
                            b + 7,
                            b + 8,
                            b + 9,
                            b + 10,
                            b + 11
                        ));
                    }
                    sql.push_str(" ON CONFLICT DO NOTHING");
                    let mut query = sqlx::query(&sql);
                    for unit in chunk {
                        let parent_id = unit.parent_code.as_ref().and_then(|code| {
                            ids.get(code)?
                                .iter()
                                .find(|(_, span)| {
                                    spans_overlap(*span, (unit.valid_from, unit.valid_to))
                                })
                                .map(|(id, _)| *id)
                        });
                        let search = fold(&format!("{} {}", unit.name, unit.aliases.join(" ")));
                        query = query
                            .bind(&unit.code)
                            .bind(&unit.name)
                            .bind(&unit.short_name)
                            .bind(unit.kind.as_str())
                            .bind(unit.admin_type.map(AdminType::code))
                            .bind(unit.category.map(category_str))
                            .bind(parent_id)
                            .bind(unit.valid_from)
                            .bind(unit.valid_to)
                            .bind(search)
                            .bind(now);
                    }
                    added += query.execute(&mut *tx).await?.rows_affected() as usize;
                }
                // Learn the ids of this level, for the next level's parents and for aliases.
                let kind = level[0].kind.as_str();
                let rows: Vec<(i64, String, Option<NaiveDate>)> =
                    sqlx::query_as("SELECT id, code, valid_from FROM units WHERE kind = $1")
                        .bind(kind)
                        .fetch_all(&mut *tx)
                        .await?;
                let by_identity: HashMap<(String, Option<NaiveDate>), i64> = rows
                    .into_iter()
                    .map(|(id, code, from)| ((code, from), id))
                    .collect();
                for unit in &level {
                    if let Some(id) = by_identity.get(&(unit.code.clone(), unit.valid_from)) {
                        let known = ids.entry(unit.code.clone()).or_default();
                        if !known.iter().any(|(k, _)| k == id) {
                            known.push((*id, (unit.valid_from, unit.valid_to)));
                        }
                        for alias in &unit.aliases {
                            sqlx::query(
                                "INSERT INTO unit_aliases (unit_id, alias, search_text) VALUES ($1, $2, $3) \
                                 ON CONFLICT DO NOTHING",
                            )
                            .bind(id)
                            .bind(alias)
                            .bind(fold(alias))
                            .execute(&mut *tx)
                            .await?;
                        }
                    }
                }
            }
            if added > 0 {
                let after = serde_json::json!({"units_added": added});
                record_audit(&mut *tx, by, "import", "unit", "batch", None, Some(after)).await?;
            }
            tx.commit().await?;
        });
        Ok(added)
    }

    /// Every stored unit as the domain's `Unit`, with its database id.
    pub async fn stored_units(&self) -> Result<Vec<(i64, Unit)>, StoreError> {
        let (rows, aliases) = on_pool!(self.db(), |pool| {
            let rows = sqlx::query_as::<_, UnitFull>(
                "SELECT u.id, u.code, u.name, u.short_name, u.kind, u.type_word, u.category, \
                 p.code AS parent_code, u.valid_from, u.valid_to \
                 FROM units u LEFT JOIN units p ON p.id = u.parent_id ORDER BY u.id",
            )
            .fetch_all(pool)
            .await?;
            let aliases: Vec<(i64, String)> =
                sqlx::query_as("SELECT unit_id, alias FROM unit_aliases ORDER BY unit_id")
                    .fetch_all(pool)
                    .await?;
            (rows, aliases)
        });
        let mut alias_map: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, alias) in aliases {
            alias_map.entry(id).or_default().push(alias);
        }
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let kind = UnitKind::parse(&r.kind)?;
                let short_name = if r.short_name.is_empty() {
                    r.name.clone()
                } else {
                    r.short_name
                };
                Some((
                    r.id,
                    Unit {
                        code: r.code,
                        kind,
                        name: r.name,
                        short_name,
                        admin_type: r.type_word.as_deref().and_then(AdminType::from_code),
                        category: r.category.as_deref().and_then(parse_category),
                        parent_code: r.parent_code,
                        valid_from: r.valid_from,
                        valid_to: r.valid_to,
                        aliases: alias_map.remove(&r.id).unwrap_or_default(),
                    },
                ))
            })
            .collect())
    }

    /// The registry of every stored unit, for resolving and listing.
    pub async fn registry(&self) -> Result<Registry, StoreError> {
        Ok(Registry::new(
            self.stored_units().await?.into_iter().map(|(_, u)| u),
        ))
    }

    /// [`Store::registry`] and [`Store::unit_ids`] from one read of the units.
    pub async fn registry_and_ids(
        &self,
    ) -> Result<(Registry, HashMap<(String, Option<NaiveDate>), i64>), StoreError> {
        let units = self.stored_units().await?;
        let ids = units
            .iter()
            .map(|(id, u)| ((u.code.clone(), u.valid_from), *id))
            .collect();
        Ok((Registry::new(units.into_iter().map(|(_, u)| u)), ids))
    }

    /// Id, code and validity span of every stored unit: what binding a parent or a resolved
    /// unit to its row needs, without names and aliases.
    async fn unit_spans(
        &self,
    ) -> Result<Vec<(i64, String, Option<NaiveDate>, Option<NaiveDate>)>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT id, code, valid_from, valid_to FROM units")
                .fetch_all(pool)
                .await?
        }))
    }

    /// Database ids of units by (code, valid_from), for binding resolved units to rows.
    pub async fn unit_ids(&self) -> Result<HashMap<(String, Option<NaiveDate>), i64>, StoreError> {
        let rows: Vec<(i64, String, Option<NaiveDate>)> = on_pool!(self.db(), |pool| {
            sqlx::query_as("SELECT id, code, valid_from FROM units")
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, code, from)| ((code, from), id))
            .collect())
    }
}
