//! The in-memory registry of units, with its indexes.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::keys::key;
use super::{AdminType, DataError, UNITS_DATA, Unit, UnitKind, agencies, parse_units_data};

/// All known units (administrative units, agencies, user-created units), indexed by code, parent,
/// kind and folded name/alias. Records with the same code are told apart by their validity.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub(super) units: Vec<Unit>,
    pub(super) by_code: HashMap<String, Vec<u32>>,
    pub(super) children: HashMap<String, Vec<u32>>,
    pub(super) by_kind: [Vec<u32>; 4],
    /// Per unit: its keys; `[0]` is the name's, `[1]` the short name's, then the aliases'.
    pub(super) unit_keys: Vec<Vec<Box<str>>>,
    /// Agency names and aliases → agencies.
    pub(super) keys: HashMap<Box<str>, Vec<u32>>,
    pub(super) key_prefixes: HashSet<Box<str>>,
    pub(super) max_key_words: usize,
    /// Administrative units' short names → units.
    pub(super) admin_names: HashMap<Box<str>, Vec<u32>>,
    pub(super) admin_prefixes: HashSet<Box<str>>,
    pub(super) max_admin_words: usize,
}

/// The context unit named in a command or a plan could not be found, or is ambiguous.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContextError {
    #[error("no unit named {text:?} on {on}")]
    NotFound { text: String, on: NaiveDate },
    #[error("{text:?} is ambiguous on {on}; candidates: {}", candidates.join("; "))]
    Ambiguous {
        text: String,
        on: NaiveDate,
        /// Each as "Xã Tam Kỳ (10801, Huyện Kim Thành, Tỉnh Hải Dương)".
        candidates: Vec<String>,
    },
}

fn add_prefixes(set: &mut HashSet<Box<str>>, key: &str) -> usize {
    let mut n = 1;
    for (i, c) in key.char_indices() {
        if c == ' ' {
            n += 1;
            if !set.contains(&key[..i]) {
                set.insert(key[..i].into());
            }
        }
    }
    n
}

impl Registry {
    /// A registry of `units`.
    pub fn new(units: impl IntoIterator<Item = Unit>) -> Registry {
        let mut r = Registry::default();
        r.add(units);
        r
    }

    /// The shipped administrative units ([`UNITS_DATA`]) and the central bodies, without
    /// province/district/commune agencies (add them with [`Registry::add_standard_agencies`]).
    pub fn builtin() -> Result<Registry, DataError> {
        let mut units = parse_units_data(UNITS_DATA)?;
        units.extend(agencies::central_bodies());
        Ok(Registry::new(units))
    }

    /// Add units (and index them). A unit with the same code and `valid_from` as one already
    /// held is skipped.
    pub fn add(&mut self, units: impl IntoIterator<Item = Unit>) {
        for unit in units {
            if self.by_code.get(&unit.code).is_some_and(|v| {
                v.iter()
                    .any(|&i| self.units[i as usize].valid_from == unit.valid_from)
            }) {
                continue;
            }
            let idx = self.units.len() as u32;
            let mut ks: Vec<Box<str>> = Vec::with_capacity(2 + unit.aliases.len());
            let name_key: Box<str> = key(&unit.name).into();
            let short_key: Box<str> = key(&unit.short_name).into();
            ks.push(name_key);
            ks.push(short_key);
            for a in &unit.aliases {
                let k: Box<str> = key(a).into();
                if !k.is_empty() && !ks.contains(&k) {
                    ks.push(k);
                }
            }
            if unit.is_admin() {
                let k = ks[1].clone();
                let n = add_prefixes(&mut self.admin_prefixes, &k);
                self.max_admin_words = self.max_admin_words.max(n);
                self.admin_names.entry(k).or_default().push(idx);
            } else {
                let mut uniq: Vec<&Box<str>> = Vec::with_capacity(ks.len());
                for k in &ks {
                    if k.is_empty() || uniq.contains(&k) {
                        continue;
                    }
                    uniq.push(k);
                    let n = add_prefixes(&mut self.key_prefixes, k);
                    self.max_key_words = self.max_key_words.max(n);
                    self.keys.entry(k.clone()).or_default().push(idx);
                }
            }
            self.unit_keys.push(ks);
            self.by_code.entry(unit.code.clone()).or_default().push(idx);
            if let Some(p) = &unit.parent_code {
                self.children.entry(p.clone()).or_default().push(idx);
            }
            self.by_kind[unit.kind.level() as usize - 1].push(idx);
            self.units.push(unit);
        }
    }

    /// Add the standard agencies ([`agencies::all_standard_agencies`]) of every record with
    /// `code` and of all their administrative descendants, over all time.
    /// Returns how many were added.
    pub fn add_standard_agencies(&mut self, code: &str) -> usize {
        let before = self.units.len();
        let mut stack: Vec<u32> = self.by_code.get(code).cloned().unwrap_or_default();
        let mut seen: HashSet<u32> = HashSet::new();
        let mut new = Vec::new();
        while let Some(i) = stack.pop() {
            if !seen.insert(i) {
                continue;
            }
            let u = &self.units[i as usize];
            if !u.is_admin() {
                continue;
            }
            new.extend(agencies::all_standard_agencies(u));
            if let Some(ch) = self.children.get(&u.code) {
                for &c in ch {
                    let cu = &self.units[c as usize];
                    if cu.is_admin() && cu.overlaps(u) {
                        stack.push(c);
                    }
                }
            }
        }
        self.add(new);
        self.units.len() - before
    }

    /// Add the standard agencies of every province, district and commune (about 70,000 units).
    pub fn add_all_standard_agencies(&mut self) -> usize {
        let mut new = Vec::new();
        for u in &self.units {
            if u.is_admin() {
                new.extend(agencies::all_standard_agencies(u));
            }
        }
        let before = self.units.len();
        self.add(new);
        self.units.len() - before
    }

    /// Every unit held.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Whether a record with `unit`'s code and start of validity is held with every one of
    /// `unit`'s aliases (storing `unit` again would then change nothing).
    pub fn holds(&self, unit: &Unit) -> bool {
        self.by_code.get(&unit.code).is_some_and(|records| {
            records.iter().any(|&i| {
                let held = &self.units[i as usize];
                held.valid_from == unit.valid_from
                    && unit.aliases.iter().all(|a| held.aliases.contains(a))
            })
        })
    }

    /// The unit with `code` valid on `on`.
    pub fn get(&self, code: &str, on: NaiveDate) -> Option<&Unit> {
        self.by_code
            .get(code)?
            .iter()
            .map(|&i| &self.units[i as usize])
            .find(|u| u.valid_on(on))
    }

    /// The units directly under `code` valid on `on`.
    pub fn children(&self, code: &str, on: NaiveDate) -> Vec<&Unit> {
        self.children
            .get(code)
            .map(|v| {
                v.iter()
                    .map(|&i| &self.units[i as usize])
                    .filter(|u| u.valid_on(on))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The units of `kind` valid on `on`.
    pub fn of_kind(&self, kind: UnitKind, on: NaiveDate) -> Vec<&Unit> {
        self.by_kind[kind.level() as usize - 1]
            .iter()
            .map(|&i| &self.units[i as usize])
            .filter(|u| u.valid_on(on))
            .collect()
    }

    /// The administrative units under `code` (children, grandchildren) valid on `on`.
    pub fn descendants(&self, code: &str, on: NaiveDate) -> Vec<&Unit> {
        self.admin_descendants(code, on)
            .into_iter()
            .map(|i| &self.units[i as usize])
            .collect()
    }

    pub(super) fn admin_descendants(&self, code: &str, on: NaiveDate) -> Vec<u32> {
        let mut out = Vec::new();
        let mut stack = vec![code.to_string()];
        while let Some(c) = stack.pop() {
            if let Some(ch) = self.children.get(&c) {
                for &i in ch {
                    let u = &self.units[i as usize];
                    if u.is_admin() && u.valid_on(on) {
                        out.push(i);
                        stack.push(u.code.clone());
                    }
                }
            }
        }
        out
    }

    /// The parent of `unit` on `on` (or, failing that, any record of the parent code).
    pub fn parent(&self, unit: &Unit, on: NaiveDate) -> Option<&Unit> {
        self.parent_idx(unit, on).map(|i| &self.units[i as usize])
    }

    pub(super) fn parent_idx(&self, unit: &Unit, on: NaiveDate) -> Option<u32> {
        let v = self.by_code.get(unit.parent_code.as_deref()?)?;
        v.iter()
            .copied()
            .find(|&i| self.units[i as usize].valid_on(on))
            .or_else(|| {
                v.iter()
                    .copied()
                    .find(|&i| self.units[i as usize].overlaps(unit))
            })
            .or_else(|| v.first().copied())
    }

    /// The index of `unit` in this registry (same code and `valid_from`), if held.
    pub(super) fn index_of(&self, unit: &Unit) -> Option<u32> {
        self.by_code
            .get(&unit.code)?
            .iter()
            .copied()
            .find(|&i| self.units[i as usize].valid_from == unit.valid_from)
    }

    /// "Xã Tam Kỳ (10801, Huyện Kim Thành, Tỉnh Hải Dương)".
    pub fn describe(&self, unit: &Unit, on: NaiveDate) -> String {
        let mut s = format!("{} ({}", unit.name, unit.code);
        let mut cur = self.parent(unit, on);
        let mut depth = 0;
        while let Some(p) = cur {
            s.push_str(", ");
            s.push_str(&p.name);
            cur = self.parent(p, on);
            depth += 1;
            if depth > 5 {
                break;
            }
        }
        s.push(')');
        s
    }

    pub(super) fn is_under(&self, idx: u32, ancestor: &str, on: NaiveDate) -> bool {
        let mut cur = &self.units[idx as usize];
        for _ in 0..6 {
            match self.parent_idx(cur, on) {
                Some(p) => {
                    cur = &self.units[p as usize];
                    if cur.code == ancestor {
                        return true;
                    }
                }
                None => return false,
            }
        }
        false
    }

    /// Find the unit a command or plan names as its context: a code ("49"), a name with or
    /// without its type word ("Quảng Nam", "tỉnh Quảng Nam", "thành phố Tam Kỳ",
    /// "UBND huyện Bình Sơn"), optionally qualified by an ancestor ("Tam Kỳ, Quảng Nam",
    /// "thành phố Tam Kỳ (Quảng Nam)"), or an agency's full name. A bare name shared by a
    /// province and smaller units means the province; other ties are [`ContextError::Ambiguous`].
    pub fn find_context(&self, text: &str, on: NaiveDate) -> Result<&Unit, ContextError> {
        let text = crate::text::nfc(text);
        let not_found = || ContextError::NotFound {
            text: text.clone(),
            on,
        };
        if text.is_empty() {
            return Err(not_found());
        }
        if !text.contains(char::is_whitespace)
            && text.chars().any(|c| c.is_ascii_digit())
            && let Some(u) = self.get(&text, on)
        {
            return Ok(u);
        }
        let mut parts = text
            .split([',', '(', ')'])
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let main = parts.next().unwrap_or_default();
        let qualifiers: Vec<String> = parts.map(|q| strip_type(&key(q)).1).collect();

        let mut cands: Vec<u32> = Vec::new();
        let main_key = key(main);
        let (types, name_key) = strip_type(&main_key);
        if let Some(v) = self.admin_names.get(name_key.as_str()) {
            cands.extend(v.iter().copied().filter(|&i| {
                let u = &self.units[i as usize];
                u.valid_on(on) && (types == 0 || u.admin_type.is_some_and(|t| types & bit(t) != 0))
            }));
        }
        if cands.is_empty()
            && let Some(v) = self.keys.get(main_key.as_str())
        {
            cands.extend(
                v.iter()
                    .copied()
                    .filter(|&i| self.units[i as usize].valid_on(on)),
            );
        }
        if !qualifiers.is_empty() {
            cands.retain(|&i| {
                qualifiers.iter().all(|q| {
                    let mut cur = &self.units[i as usize];
                    for _ in 0..6 {
                        match self.parent(cur, on) {
                            Some(p) if key(&p.short_name) == *q => return true,
                            Some(p) => cur = p,
                            None => return false,
                        }
                    }
                    false
                })
            });
        }
        if cands.len() > 1 && types == 0 {
            let provinces: Vec<u32> = cands
                .iter()
                .copied()
                .filter(|&i| self.units[i as usize].kind == UnitKind::Province)
                .collect();
            if provinces.len() == 1 {
                cands = provinces;
            }
        }
        match cands.len() {
            0 => Err(not_found()),
            1 => Ok(&self.units[cands[0] as usize]),
            _ => Err(ContextError::Ambiguous {
                text: text.clone(),
                on,
                candidates: cands
                    .iter()
                    .map(|&i| self.describe(&self.units[i as usize], on))
                    .collect(),
            }),
        }
    }

    /// Diacritic-insensitive search over names and aliases of the units valid on `on`
    /// ("da nang" finds "Đà Nẵng"). Ranked: exact name, then name prefix, then every query word
    /// a word prefix, then substring; within a rank provinces before districts, communes and
    /// agencies, shorter names first.
    pub fn search(&self, query: &str, on: NaiveDate) -> Vec<&Unit> {
        let q = key(query);
        if q.is_empty() {
            return Vec::new();
        }
        let qwords: Vec<&str> = q.split(' ').collect();
        let mut hits: Vec<(u8, u8, usize, u32)> = Vec::new();
        for (i, u) in self.units.iter().enumerate() {
            if !u.valid_on(on) {
                continue;
            }
            let mut best = u8::MAX;
            for k in &self.unit_keys[i] {
                let k: &str = k;
                let score = if k == q {
                    0
                } else if k.starts_with(q.as_str())
                    && k.as_bytes().get(q.len()).is_none_or(|b| *b == b' ')
                {
                    1
                } else if qwords
                    .iter()
                    .all(|w| k.split(' ').any(|kw| kw.starts_with(w)))
                {
                    2
                } else if k.contains(q.as_str()) {
                    3
                } else {
                    continue;
                };
                best = best.min(score);
            }
            if best != u8::MAX {
                hits.push((best, u.kind.level(), u.name.chars().count(), i as u32));
            }
        }
        hits.sort_unstable_by(|a, b| {
            (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)).then_with(|| {
                self.units[a.3 as usize]
                    .code
                    .cmp(&self.units[b.3 as usize].code)
            })
        });
        hits.into_iter()
            .map(|h| &self.units[h.3 as usize])
            .collect()
    }
}

pub(super) fn bit(t: AdminType) -> u16 {
    1 << (t as u16)
}

/// Type words, folded, and the types they name.
pub(super) const TYPE_WORDS: &[(&str, &[AdminType])] = &[
    ("thanh pho", &[AdminType::Tp, AdminType::Tptw]),
    ("thi xa", &[AdminType::Thixa]),
    ("thi tran", &[AdminType::Thitran]),
    ("dac khu", &[AdminType::Dackhu]),
    ("tinh", &[AdminType::Tinh]),
    ("quan", &[AdminType::Quan]),
    ("huyen", &[AdminType::Huyen]),
    ("xa", &[AdminType::Xa]),
    ("phuong", &[AdminType::Phuong]),
];

/// Split a leading "uy ban nhan dan" and type word off a key: (type bits, rest).
fn strip_type(k: &str) -> (u16, String) {
    let mut k = k;
    if let Some(rest) = k.strip_prefix("uy ban nhan dan ") {
        k = rest;
    }
    for (w, types) in TYPE_WORDS {
        if let Some(rest) = k.strip_prefix(w).and_then(|r| r.strip_prefix(' ')) {
            return (types.iter().fold(0, |a, t| a | bit(*t)), rest.to_string());
        }
    }
    (0, k.to_string())
}
