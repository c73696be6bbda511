//! Units in the application: setting up a province's agencies in the store.

use chrono::NaiveDate;
use kehoach_core::units::{Registry, UnitKind, agencies};

use crate::store::{Change, Store, StoreError};

/// The province a unit belongs to (the unit itself when it is one).
pub fn province_of(registry: &Registry, code: &str, on: NaiveDate) -> String {
    let mut current = registry.get(code, on);
    while let Some(unit) = current {
        if unit.kind == UnitKind::Province {
            return unit.code.clone();
        }
        current = registry.parent(unit, on);
    }
    code.to_string()
}

/// Stores the standard agencies valid on `on` of a province and every unit under it, and adds
/// them to `registry` so the caller can resolve against them without reading the store again.
/// Returns how many were new in the store.
pub async fn init_agencies(
    store: &Store,
    registry: &mut Registry,
    province_code: &str,
    on: NaiveDate,
    by: &Change,
) -> Result<usize, StoreError> {
    let Some(province) = registry.get(province_code, on) else {
        return Ok(0);
    };
    let mut wanted = agencies::standard_agencies(province, on);
    for unit in registry.descendants(province_code, on) {
        if unit.is_admin() {
            wanted.extend(agencies::standard_agencies(unit, on));
        }
    }
    // Most imports name a province whose agencies are stored already: storing them again would
    // change nothing, yet cost a scan of every unit and an insert per agency and alias.
    wanted.retain(|unit| !registry.holds(unit));
    if wanted.is_empty() {
        return Ok(0);
    }
    let added = store.insert_units(&wanted, by).await?;
    registry.add(wanted);
    Ok(added)
}
