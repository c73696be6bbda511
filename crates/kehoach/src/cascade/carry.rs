//! Next year's plan from this year's: dates shifted by whole years, every lead unit re-resolved
//! on the new date through the successors of the 2025 reform.
//!
//! The shipped unit list dates each unit but does not say which unit took an abolished one's
//! place, so the successors are derived here, each rule from a published fact:
//! * provinces: the merger of Resolution 202/2025/QH15 ([`PROVINCE_MERGERS`]);
//! * districts (abolished 1/7/2025): the new communes whose code is one of the district's old
//!   communes' — Decision 19/2025/QĐ-TTg gives a new commune the code of one of the communes
//!   merged into it;
//! * communes: the new commune with the same code, else listed to confirm with the district's
//!   successors as candidates;
//! * agencies: the March 2025 department mergers ([`AGENCY_MERGERS`], Sở TT&TT → Sở KH&CN), then
//!   the same agency under the successor of their administrative unit (a district's people's
//!   committee → the communes' people's committees).
//!
//! Every changed unit is listed for the plan office to confirm; a unit with no successor found
//! is listed "to confirm", never dropped.

use chrono::{Datelike, NaiveDate};
use kehoach_core::units::{Registry, Unit, UnitKind};
use serde::Serialize;

/// Old province code → the new province's name (Resolution 202/2025/QH15, from 1/7/2025).
/// Provinces that continued unchanged keep their record and are not listed.
pub const PROVINCE_MERGERS: &[(&str, &str)] = &[
    ("02", "Tuyên Quang"),
    ("06", "Thái Nguyên"),
    ("10", "Lào Cai"),
    ("15", "Lào Cai"),
    ("17", "Phú Thọ"),
    ("24", "Bắc Ninh"),
    ("26", "Phú Thọ"),
    ("27", "Bắc Ninh"),
    ("30", "Hải Phòng"),
    ("34", "Hưng Yên"),
    ("35", "Ninh Bình"),
    ("36", "Ninh Bình"),
    ("44", "Quảng Trị"),
    ("45", "Quảng Trị"),
    ("49", "Đà Nẵng"),
    ("52", "Gia Lai"),
    ("54", "Đắk Lắk"),
    ("58", "Khánh Hòa"),
    ("60", "Lâm Đồng"),
    ("62", "Quảng Ngãi"),
    ("64", "Gia Lai"),
    ("67", "Lâm Đồng"),
    ("70", "Đồng Nai"),
    ("72", "Tây Ninh"),
    ("74", "Hồ Chí Minh"),
    ("77", "Hồ Chí Minh"),
    ("80", "Tây Ninh"),
    ("82", "Đồng Tháp"),
    ("83", "Vĩnh Long"),
    ("84", "Vĩnh Long"),
    ("87", "Đồng Tháp"),
    ("89", "An Giang"),
    ("91", "An Giang"),
    ("93", "Cần Thơ"),
    ("94", "Cần Thơ"),
    ("95", "Cà Mau"),
];

/// An agency's slug → its successor's slug: the March 2025 mergers of departments and party
/// boards (province and district level), and the July 2025 media merger.
pub const AGENCY_MERGERS: &[(&str, &str)] = &[
    ("STTTT", "SKHCN"),
    ("SKHDT", "STC"),
    ("SNNPTNT", "SNNMT"),
    ("STNMT", "SNNMT"),
    ("SLDTBXH", "SNV"),
    ("SGTVT", "SXD"),
    ("BDT", "SDTTG"),
    ("BTG", "BTGDV"),
    ("BDV", "BTGDV"),
    ("BAO", "BAOPTTH"),
    ("DPTTH", "BAOPTTH"),
    ("PVHTT", "PVHKHTT"),
    ("PLDTBXH", "PNV"),
    ("PTNMT", "PNNMT"),
    ("PNNPTNT", "PNNMT"),
    ("PKTHT", "PKTHTDT"),
    ("PKT", "PKTHTDT"),
    ("PQLDT", "PKTHTDT"),
];

/// A district office → the commune office that took over its work from 1/7/2025.
pub const DISTRICT_TO_COMMUNE: &[(&str, &str)] = &[
    ("UBND", "UBND"),
    ("VP", "VP"),
    ("PVHKHTT", "PVHXH"),
    ("PVHTT", "PVHXH"),
    ("PKTHTDT", "PKT"),
    ("PKT", "PKT"),
    ("TTVHTTTT", "DTT"),
];

/// A unit as listed in a carry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnitRef {
    pub code: String,
    pub name: String,
}

impl UnitRef {
    fn of(u: &Unit) -> Self {
        UnitRef {
            code: u.code.clone(),
            name: u.name.clone(),
        }
    }
}

/// What becomes of a lead unit on the new date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "fate", rename_all = "snake_case")]
pub enum Fate {
    /// Still exists all through the new year.
    Kept,
    /// Gone; these units took its place (to confirm with the others).
    Replaced {
        successors: Vec<UnitRef>,
        rule: String,
    },
    /// Gone (or ending during the year) and no successor is certain: the plan office chooses.
    ToConfirm {
        reason: String,
        candidates: Vec<UnitRef>,
    },
}

/// The same calendar day `years` later (29 February → 28 February).
pub fn shift(d: NaiveDate, years: i32) -> NaiveDate {
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), d.day() - 1))
        .unwrap_or(d)
}

fn slug_after<'a>(code: &'a str, parent: &str) -> Option<&'a str> {
    code.strip_prefix(parent)?.strip_prefix('.')
}

fn lookup<'a>(table: &'a [(&'a str, &'a str)], key: &str) -> Option<&'a str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The administrative units that took `unit`'s place on `on` (empty: none known). `from` is a
/// date on which `unit` was valid.
fn admin_successors<'r>(
    reg: &'r Registry,
    unit: &Unit,
    from: NaiveDate,
    on: NaiveDate,
) -> Vec<&'r Unit> {
    if let Some(same) = reg.get(&unit.code, on)
        && same.valid_from == unit.valid_from
    {
        return vec![same];
    }
    match unit.kind {
        UnitKind::Province => lookup(PROVINCE_MERGERS, &unit.code)
            .map(|name| {
                reg.of_kind(UnitKind::Province, on)
                    .into_iter()
                    .filter(|p| p.short_name == name)
                    .collect()
            })
            .unwrap_or_default(),
        UnitKind::District => {
            let old: Vec<String> = reg
                .children(&unit.code, from)
                .into_iter()
                .filter(|c| c.kind == UnitKind::Commune)
                .map(|c| c.code.clone())
                .collect();
            let mut out: Vec<&Unit> = old
                .iter()
                .filter_map(|c| reg.get(c, on))
                .filter(|c| c.kind == UnitKind::Commune && c.valid_from.is_some())
                .collect();
            out.sort_by(|a, b| a.code.cmp(&b.code));
            out
        }
        UnitKind::Commune => reg
            .get(&unit.code, on)
            .filter(|c| c.kind == UnitKind::Commune)
            .into_iter()
            .collect(),
        UnitKind::Agency => Vec::new(),
    }
}

/// The fate of one lead unit, valid on `from` (the source plan's date), on the carried plan's
/// year starting `on` and ending `until`.
pub fn fate(reg: &Registry, unit: &Unit, from: NaiveDate, on: NaiveDate, until: NaiveDate) -> Fate {
    if unit.valid_on(on) {
        return match unit.valid_to {
            Some(end) if end < until => {
                let next = end.succ_opt().unwrap_or(end);
                let candidates = match fate(reg, unit, from, next, until) {
                    Fate::Replaced { successors, .. } => successors,
                    Fate::ToConfirm { candidates, .. } => candidates,
                    Fate::Kept => Vec::new(),
                };
                Fate::ToConfirm {
                    reason: format!("ends_during_year:{end}"),
                    candidates,
                }
            }
            _ => Fate::Kept,
        };
    }
    if unit.is_admin() {
        let succ = admin_successors(reg, unit, from, on);
        if succ.is_empty() {
            let candidates = reg
                .parent(unit, from)
                .map(|p| admin_successors(reg, p, from, on))
                .unwrap_or_default();
            return Fate::ToConfirm {
                reason: "no_successor".into(),
                candidates: candidates.into_iter().map(UnitRef::of).collect(),
            };
        }
        let rule = match unit.kind {
            UnitKind::Province => "province_merged",
            UnitKind::District => "district_abolished",
            _ => "commune_merged",
        };
        return Fate::Replaced {
            successors: succ.into_iter().map(UnitRef::of).collect(),
            rule: rule.into(),
        };
    }
    // An agency: its administrative unit's successors, its own slug's successor.
    let Some(admin) = admin_of(reg, unit, from) else {
        return Fate::ToConfirm {
            reason: "no_successor".into(),
            candidates: Vec::new(),
        };
    };
    let Some(slug) = slug_after(&unit.code, &admin.code) else {
        return Fate::ToConfirm {
            reason: "no_successor".into(),
            candidates: Vec::new(),
        };
    };
    let (head, rest) = match slug.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (slug, None),
    };
    let merged = lookup(AGENCY_MERGERS, head);
    let new_head = merged.unwrap_or(head);
    let admins: Vec<&Unit> = if admin.valid_on(on) {
        vec![admin]
    } else {
        admin_successors(reg, admin, from, on)
    };
    let mut successors = Vec::new();
    let mut rule = if merged.is_some() {
        "agency_merged"
    } else {
        "unit_replaced"
    };
    for q in &admins {
        let slug = if admin.kind == UnitKind::District && q.kind == UnitKind::Commune {
            rule = "district_abolished";
            lookup(DISTRICT_TO_COMMUNE, new_head).or(lookup(DISTRICT_TO_COMMUNE, head))
        } else {
            Some(new_head)
        };
        let Some(slug) = slug else { continue };
        let code = match rest {
            Some(r) if merged.is_none() => format!("{}.{slug}.{r}", q.code),
            _ => format!("{}.{slug}", q.code),
        };
        if let Some(u) = reg.get(&code, on) {
            successors.push(UnitRef::of(u));
        }
    }
    if successors.is_empty() {
        let candidates = admins
            .iter()
            .filter_map(|q| reg.get(&format!("{}.UBND", q.code), on))
            .map(UnitRef::of)
            .collect();
        return Fate::ToConfirm {
            reason: "no_successor".into(),
            candidates,
        };
    }
    Fate::Replaced {
        successors,
        rule: rule.into(),
    }
}

/// The administrative unit an agency belongs to (walking up agencies under agencies).
fn admin_of<'r>(reg: &'r Registry, unit: &Unit, on: NaiveDate) -> Option<&'r Unit> {
    let mut current = reg.parent(unit, on)?;
    for _ in 0..8 {
        if current.is_admin() {
            return Some(current);
        }
        current = reg.parent(current, on)?;
    }
    None
}

/// The province codes the successors of `units` lie in on `on` (for setting up their agencies
/// before [`fate`] looks them up).
pub fn successor_provinces(
    reg: &Registry,
    units: &[&Unit],
    from: NaiveDate,
    on: NaiveDate,
) -> Vec<String> {
    let mut out = Vec::new();
    for u in units {
        let mut p = Some(*u);
        while let Some(x) = p {
            if x.kind == UnitKind::Province {
                break;
            }
            p = reg.parent(x, from);
        }
        let Some(province) = p else { continue };
        for s in admin_successors(reg, province, from, on) {
            if !out.contains(&s.code) {
                out.push(s.code.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use kehoach_core::units::agencies::standard_agencies;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn registry() -> Registry {
        let mut reg = Registry::builtin().unwrap();
        for (code, on) in [("49", d(2024, 1, 1)), ("48", d(2026, 1, 1))] {
            let province = reg.get(code, on).unwrap().clone();
            let mut wanted = standard_agencies(&province, on);
            for u in reg.descendants(code, on) {
                wanted.extend(standard_agencies(u, on));
            }
            reg.add(wanted);
        }
        reg
    }

    #[test]
    fn quang_nam_units_carried_to_2026() {
        let reg = registry();
        let (from, on, until) = (d(2024, 1, 1), d(2026, 1, 1), d(2026, 12, 31));
        let fate_of = |code: &str| fate(&reg, reg.get(code, from).unwrap(), from, on, until);
        match fate_of("49.STTTT") {
            Fate::Replaced { successors, .. } => assert_eq!(successors[0].code, "48.SKHCN"),
            other => panic!("{other:?}"),
        }
        match fate_of("49") {
            Fate::Replaced { successors, .. } => assert_eq!(successors[0].code, "48"),
            other => panic!("{other:?}"),
        }
        match fate_of("502.UBND") {
            Fate::Replaced { successors, rule } => {
                assert_eq!(rule, "district_abolished");
                assert!(
                    successors.iter().any(|s| s.code == "20341.UBND"),
                    "{successors:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        // A unit still standing is kept.
        assert_eq!(
            fate(&reg, reg.get("48", on).unwrap(), on, on, until),
            Fate::Kept
        );
    }

    #[test]
    fn a_unit_ending_during_the_year_is_to_confirm() {
        let reg = registry();
        let (from, on, until) = (d(2024, 1, 1), d(2025, 1, 1), d(2025, 12, 31));
        match fate(&reg, reg.get("49.STTTT", from).unwrap(), from, on, until) {
            Fate::ToConfirm { reason, candidates } => {
                assert_eq!(reason, "ends_during_year:2025-02-28");
                assert_eq!(candidates[0].code, "49.SKHCN");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dates_shift_by_whole_years() {
        assert_eq!(shift(d(2024, 2, 29), 2), d(2026, 2, 28));
        assert_eq!(shift(d(2024, 11, 15), 2), d(2026, 11, 15));
    }
}
