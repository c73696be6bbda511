//! Resolving a plan's lead/partner text to units.
//!
//! The text is split into words (folded, abbreviations expanded, separators kept as flags, see
//! `keys`), then read left to right. At each word the longest of these wins:
//! * a **category group**: "các Sở, Ban, ngành", "các Phòng, Ban, Hội, đoàn thể",
//!   "các cơ quan chuyên môn thuộc UBND thành phố" → the departments / mass organisations of the
//!   unit in context;
//! * an **agency name** (longest known name or alias, so "Sở Văn hóa, Thể thao và Du lịch" stays
//!   one name), then optionally a group of administrative units ("UBND các huyện, thị xã, thành
//!   phố", "Đài Truyền thanh các xã, phường", "UBND cấp huyện, cấp xã") → that agency of each; or
//!   a locator ("tỉnh", "thành phố", "huyện Bình Sơn", "của tỉnh", "Quảng Nam") → the agency
//!   under it; else the nearest: under the context unit, then its parent, …;
//! * an **administrative unit** with its type word ("phường Tân Thạnh") → its people's committee,
//!   or a group of them ("các xã, phường, thị trấn");
//! * a **vague** phrase ("các cơ quan, đơn vị, địa phương liên quan") → reported, not assigned.
//!
//! What matches nothing up to the next comma/"và"/semicolon that starts something known is
//! reported as unknown (after a fuzzy try against the agencies around the context) when it is a
//! name (it has a capital); a lowercase description is reported as vague, a bare number (a page
//! number left in the text) not at all. A few verbs
//! between names ("chỉ đạo", "thực hiện", "phối hợp", …) are skipped.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::keys::{COMMA, DASH, SEMI, STOP, VA, Word, key, words};
use super::registry::{TYPE_WORDS, bit};
use super::{AdminType, AgencyCategory, Registry, Unit, UnitKind};

/// How a unit was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    /// By its name.
    Exact,
    /// By an alias or abbreviation.
    Alias,
    /// As a member of a group phrase.
    Group,
    /// By a close spelling.
    Fuzzy,
}

/// One unit a text resolved to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedUnit {
    pub code: String,
    pub name: String,
    pub kind: UnitKind,
    #[serde(rename = "match")]
    pub matched: MatchKind,
    /// Tells apart records that share a code across the 2025 reform.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
}

/// What a text resolved to: units (deduplicated, in text order), vague phrases and names that
/// could not be placed (both as they were written).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resolution {
    pub units: Vec<ResolvedUnit>,
    pub vague: Vec<String>,
    pub unknown: Vec<String>,
}

const SEPARATED: u8 = COMMA | VA | SEMI | STOP;
const BREAK: u8 = SEMI | STOP;
const MAX_SCAN: usize = 600;

/// Verbs and links skipped between names.
const FILLERS: &[&str] = &[
    "chi dao",
    "thuc hien",
    "chu tri",
    "phoi hop voi",
    "phoi hop",
    "tham muu",
    "huong dan",
    "theo doi",
    "cung voi",
    "cung",
    "voi",
    "giup",
];

/// Words vague phrases are made of; a vague phrase has at least one of [`VAGUE_HEADS`].
const VAGUE_WORDS: &[&str] = &[
    "cac", "co", "quan", "don", "vi", "dia", "phuong", "lien", "to", "chuc", "doanh", "nghiep",
    "ca", "nhan", "bao", "chi", "trung", "uong", "khac", "nganh", "huu", "tap", "the", "cap",
    "nhung", "tren", "ban", "doi", "tac", "nguoi", "dan", "tang", "lop", "xa", "hoi",
];
const VAGUE_HEADS: &[&str] = &[
    "co quan",
    "don vi",
    "dia phuong",
    "to chuc",
    "doanh nghiep",
    "ca nhan",
    "bao chi",
    "nganh",
    "doi tac",
    "nguoi dan",
    "tap the",
    "cap",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cat {
    /// "Sở": the province's departments.
    ProvDept,
    /// "Phòng": the district's departments.
    DistDept,
    /// "cơ quan chuyên môn": the departments of the nearest administrative unit.
    Dept,
    Mass,
    Media,
    Enterprise,
    /// "Ban", "ngành": part of a list, names nothing by itself.
    Neutral,
}

const CATEGORY_NOUNS: &[(&str, Cat)] = &[
    ("to chuc chinh tri xa hoi", Cat::Mass),
    ("co quan chuyen mon", Cat::Dept),
    ("co quan bao chi", Cat::Media),
    ("doanh nghiep vien thong", Cat::Enterprise),
    ("doan the", Cat::Mass),
    ("so", Cat::ProvDept),
    ("phong", Cat::DistDept),
    ("hoi", Cat::Mass),
    ("ban", Cat::Neutral),
    ("nganh", Cat::Neutral),
];

enum Item {
    Units(Vec<(u32, MatchKind)>),
    Vague,
    Unknown,
}

struct Resolver<'a> {
    reg: &'a Registry,
    on: NaiveDate,
    text: &'a str,
    w: Vec<Word>,
    /// The context unit and its ancestors, nearest first.
    chain: Vec<u32>,
    out: Resolution,
    seen: HashSet<u32>,
}

fn starts_with_phrase(w: &[Word], i: usize, phrase: &str) -> Option<usize> {
    let mut j = i;
    for (n, part) in phrase.split(' ').enumerate() {
        let word = w.get(j)?;
        if word.w != part || (n > 0 && word.before & BREAK != 0) {
            return None;
        }
        j += 1;
    }
    Some(j)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

impl Registry {
    /// Resolve a plan's lead or partner text, read in the context of `context` (the plan's issuer
    /// unit: a province, district, commune or agency) on `on` (the plan's date).
    pub fn resolve(&self, text: &str, context: &Unit, on: NaiveDate) -> Resolution {
        let nfc = crate::text::nfc(text);
        let mut chain = Vec::new();
        let mut cur: Option<u32> = self.index_of(context);
        if cur.is_none() {
            cur = context
                .parent_code
                .as_deref()
                .and_then(|_| self.parent_idx(context, on));
        }
        while let Some(i) = cur {
            if chain.contains(&i) || chain.len() > 8 {
                break;
            }
            chain.push(i);
            cur = self.parent_idx(&self.units[i as usize], on);
        }
        let mut r = Resolver {
            reg: self,
            on,
            text: &nfc,
            w: words(&nfc),
            chain,
            out: Resolution::default(),
            seen: HashSet::new(),
        };
        r.run();
        r.out
    }
}

impl<'a> Resolver<'a> {
    fn unit(&self, i: u32) -> &'a Unit {
        &self.reg.units[i as usize]
    }

    fn span(&self, from: usize, to: usize) -> String {
        let (s, e) = (self.w[from].start, self.w[to - 1].end);
        self.text[s..e]
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    }

    fn run(&mut self) {
        let n = self.w.len();
        let mut i = 0;
        while i < n {
            if let Some(e) = self.filler(i) {
                i = e;
                continue;
            }
            if let Some((end, item)) = self.item(i) {
                // A name matched up to a dash or "và" that the text continues ("Trung tâm
                // Truyền thông - Văn hóa" + " - Thể thao huyện"): the whole name, its parts in
                // another order, may be one agency; else the match stands.
                let mut longer = None;
                if end < n && self.w[end].before & (DASH | VA) != 0 {
                    let mut j = end + 1;
                    while j <= n && j - end <= 8 {
                        if let Some(u) = self.reordered(i, j) {
                            longer = Some((j, u));
                        }
                        if j == n || self.w[j].before & (COMMA | SEMI | STOP) != 0 {
                            break;
                        }
                        j += 1;
                    }
                }
                if let Some((j, u)) = longer {
                    self.emit(i, j, Item::Units(vec![(u, MatchKind::Fuzzy)]));
                    i = j;
                    continue;
                }
                self.emit(i, end, item);
                i = end;
                continue;
            }
            let mut j = i + 1;
            while j < n {
                let b = self.w[j].before;
                if b & BREAK != 0 || self.filler(j).is_some() {
                    break;
                }
                if b & SEPARATED != 0 && self.item(j).is_some() {
                    break;
                }
                j += 1;
            }
            match self.fuzzy(i, j) {
                Some(u) => self.emit(i, j, Item::Units(vec![(u, MatchKind::Fuzzy)])),
                None => self.emit(i, j, Item::Unknown),
            }
            i = j;
        }
    }

    fn emit(&mut self, from: usize, to: usize, item: Item) {
        match item {
            Item::Units(us) => {
                for (u, m) in us {
                    if self.seen.insert(u) {
                        let unit = self.unit(u);
                        self.out.units.push(ResolvedUnit {
                            code: unit.code.clone(),
                            name: unit.name.clone(),
                            kind: unit.kind,
                            matched: m,
                            valid_from: unit.valid_from,
                        });
                    }
                }
            }
            Item::Vague => {
                let s = self.span(from, to);
                if !self.out.vague.contains(&s) {
                    self.out.vague.push(s);
                }
            }
            Item::Unknown => {
                let s = self.span(from, to);
                // What is no name is not offered as a unit to fix: a bare number (a page number
                // left in the text) is dropped; a lowercase description ("ngân hàng, thương mại
                // điện tử" after a group) is vague, like the group it continues.
                if !s.chars().any(char::is_alphabetic) {
                    return;
                }
                let list = if s.chars().any(char::is_uppercase) {
                    &mut self.out.unknown
                } else {
                    &mut self.out.vague
                };
                if !list.contains(&s) {
                    list.push(s);
                }
            }
        }
    }

    fn filler(&self, i: usize) -> Option<usize> {
        FILLERS
            .iter()
            .find_map(|f| starts_with_phrase(&self.w, i, f))
    }

    /// The longest thing that starts at word `i`.
    fn item(&self, i: usize) -> Option<(usize, Item)> {
        let mut best: Option<(usize, Item)> = None;
        let mut consider = |cand: Option<(usize, Item)>| {
            if let Some((end, item)) = cand {
                let ok = |it: &Item| !matches!(it, Item::Unknown);
                let better = match &best {
                    None => true,
                    Some((bend, bitem)) => end > *bend || (end == *bend && ok(&item) && !ok(bitem)),
                };
                if better {
                    best = Some((end, item));
                }
            }
        };
        consider(self.category_group(i));
        consider(self.agency(i));
        consider(self.admin(i));
        consider(self.vague(i));
        best
    }

    // ---- administrative words ----

    /// A type word at `i` ("huyện", "thị xã", "cấp xã", …): (end, type bits, was "cấp").
    fn level_word(&self, i: usize) -> Option<(usize, u16, bool)> {
        if self.w.get(i)?.w == "cap"
            && let Some(next) = self.w.get(i + 1)
            && next.before & BREAK == 0
        {
            let kind = match next.w.as_str() {
                "tinh" => UnitKind::Province,
                "huyen" => UnitKind::District,
                "xa" => UnitKind::Commune,
                _ => return None,
            };
            let bits = AdminType::ALL
                .iter()
                .filter(|t| t.kind() == kind)
                .fold(0, |a, t| a | bit(*t));
            return Some((i + 2, bits, true));
        }
        for (phrase, types) in TYPE_WORDS {
            if let Some(e) = starts_with_phrase(&self.w, i, phrase) {
                return Some((e, types.iter().fold(0, |a, t| a | bit(*t)), false));
            }
        }
        None
    }

    /// A list of type words ("huyện, thị xã, thành phố"): (end, type bits, count, any "cấp").
    fn level_list(&self, i: usize) -> Option<(usize, u16, usize, bool)> {
        let (mut j, mut bits, mut count, mut cap) = (i, 0u16, 0usize, false);
        while let Some((e, b, c)) = self.level_word(j) {
            if count > 0 && self.w[j].before & (COMMA | VA | DASH) == 0 {
                break;
            }
            if count > 0 && self.w[j].before & BREAK != 0 {
                break;
            }
            // "huyện, Huyện đoàn": a type word that begins a longer unit name ends the list.
            if count > 0 && self.key_matches(j).first().is_some_and(|&(end, _)| end > e) {
                break;
            }
            bits |= b;
            cap |= c;
            count += 1;
            j = e;
        }
        (count > 0).then_some((j, bits, count, cap))
    }

    /// An administrative unit's name at `i` among types `bits` (0 = any): (end, unit).
    /// Units in the context chain first, then under the context's province, then (only with a
    /// type word) anywhere if unique.
    fn admin_name(&self, i: usize, bits: u16) -> Option<(usize, u32)> {
        let reg = self.reg;
        let mut s = String::new();
        let mut found: Vec<(usize, Vec<u32>)> = Vec::new();
        for j in i..self.w.len().min(i + reg.max_admin_words) {
            if j > i {
                if self.w[j].before & BREAK != 0 {
                    break;
                }
                s.push(' ');
            }
            s.push_str(&self.w[j].w);
            if let Some(v) = reg.admin_names.get(s.as_str()) {
                let v: Vec<u32> = v
                    .iter()
                    .copied()
                    .filter(|&u| {
                        let unit = self.unit(u);
                        unit.valid_on(self.on)
                            && (bits == 0 || unit.admin_type.is_some_and(|t| bits & bit(t) != 0))
                    })
                    .collect();
                if !v.is_empty() {
                    found.push((j + 1, v));
                }
            } else if !reg.admin_prefixes.contains(s.as_str()) {
                break;
            }
        }
        for (end, cands) in found.into_iter().rev() {
            if let Some(u) = self.chain.iter().copied().find(|c| cands.contains(c)) {
                return Some((end, u));
            }
            for &anc in &self.chain {
                let code = &self.unit(anc).code;
                let under: Vec<u32> = cands
                    .iter()
                    .copied()
                    .filter(|&c| reg.is_under(c, code, self.on))
                    .collect();
                if under.len() == 1 {
                    return Some((end, under[0]));
                }
                if under.len() > 1 {
                    break;
                }
            }
            if bits != 0 && cands.len() == 1 {
                return Some((end, cands[0]));
            }
        }
        None
    }

    /// A locator after a name: "tỉnh", "thành phố", "huyện Bình Sơn", "của tỉnh", "Quảng Nam",
    /// "trên địa bàn thành phố Tam Kỳ": (end, unit).
    fn locator(&self, i: usize) -> Option<(usize, u32)> {
        let mut j = i;
        for lead in ["tren dia ban", "truc thuoc", "thuoc", "cua"] {
            if let Some(e) = starts_with_phrase(&self.w, j, lead) {
                j = e;
                break;
            }
        }
        if j >= self.w.len() || (j > i && self.w[j].before & BREAK != 0) {
            return None;
        }
        if let Some((e, bits, cap)) = self.level_word(j) {
            if !cap
                && e < self.w.len()
                && self.w[e].before & (SEPARATED | DASH) == 0
                && let Some(found) = self.admin_name(e, bits)
            {
                return Some(found);
            }
            let u = self
                .chain
                .iter()
                .copied()
                .find(|&c| self.unit(c).admin_type.is_some_and(|t| bits & bit(t) != 0))?;
            return Some((e, u));
        }
        self.admin_name(j, 0)
    }

    /// A group of administrative units: "các huyện, thị xã, thành phố", "cấp xã",
    /// "18 huyện, thị xã, thành phố", "xã, phường", optionally "trên địa bàn thành phố Tam Kỳ":
    /// (end, member units).
    fn admin_group(&self, i: usize) -> Option<(usize, Vec<u32>)> {
        let mut j = i;
        let mut explicit = false;
        if self.w.get(j)?.w == "cac" {
            j += 1;
            explicit = true;
        }
        if self
            .w
            .get(j)
            .is_some_and(|w| w.w.chars().all(|c| c.is_ascii_digit()))
        {
            j += 1;
            explicit = true;
        }
        let (mut end, bits, count, cap) = self.level_list(j)?;
        if !(explicit || cap || count >= 2) {
            return None;
        }
        // A name right after the list ("xã Tam Thanh") makes it not a group.
        if end < self.w.len()
            && self.w[end].before & (SEPARATED | DASH) == 0
            && self.admin_name(end, bits).is_some()
        {
            return None;
        }
        let mut root = None;
        if end < self.w.len()
            && let Some((e, u)) = self.locator(end)
            && (e > end + 1 || self.w[end].w != "cua")
        {
            let lead = &self.w[end].w;
            if matches!(lead.as_str(), "tren" | "thuoc" | "truc" | "cua") {
                root = Some(u);
                end = e;
            }
        }
        Some((end, self.group_members(bits, root)))
    }

    fn nearest_admin(&self) -> Option<u32> {
        self.chain
            .iter()
            .copied()
            .find(|&c| self.unit(c).is_admin())
    }

    fn top_province(&self) -> Option<u32> {
        self.chain
            .iter()
            .copied()
            .rfind(|&c| self.unit(c).kind == UnitKind::Province)
    }

    fn group_members(&self, bits: u16, root: Option<u32>) -> Vec<u32> {
        let high = AdminType::ALL
            .iter()
            .any(|t| bits & bit(*t) != 0 && t.kind() != UnitKind::Commune);
        let root = root.or_else(|| {
            if high {
                self.top_province()
            } else {
                self.chain
                    .iter()
                    .copied()
                    .find(|&c| matches!(self.unit(c).kind, UnitKind::District | UnitKind::Province))
            }
        });
        let Some(root) = root else {
            return Vec::new();
        };
        let ru = self.unit(root);
        let mut out = Vec::new();
        if ru.admin_type.is_some_and(|t| bits & bit(t) != 0) {
            out.push(root);
        }
        out.extend(
            self.reg
                .admin_descendants(&ru.code, self.on)
                .into_iter()
                .filter(|&d| self.unit(d).admin_type.is_some_and(|t| bits & bit(t) != 0)),
        );
        out
    }

    // ---- agencies ----

    /// Keys starting at `i`, longest first: (end, key).
    fn key_matches(&self, i: usize) -> Vec<(usize, String)> {
        let reg = self.reg;
        let mut s = String::new();
        let mut out = Vec::new();
        for j in i..self.w.len().min(i + reg.max_key_words) {
            if j > i {
                if self.w[j].before & BREAK != 0 {
                    break;
                }
                s.push(' ');
            }
            s.push_str(&self.w[j].w);
            let known = reg.keys.contains_key(s.as_str());
            if known {
                out.push((j + 1, s.clone()));
            } else if !reg.key_prefixes.contains(s.as_str()) {
                break;
            }
        }
        out.reverse();
        out
    }

    fn match_kind(&self, u: u32, k: &str, words: std::ops::Range<usize>) -> MatchKind {
        let ks = &self.reg.unit_keys[u as usize];
        let abbr = self.w[words].iter().any(|w| w.abbr);
        if !abbr && ks.iter().take(2).any(|x| &**x == k) {
            MatchKind::Exact
        } else {
            MatchKind::Alias
        }
    }

    /// Agencies directly under `parent` (or under its agencies) with key `k`.
    fn under(&self, parent: u32, k: &str, deep: bool) -> Vec<u32> {
        let reg = self.reg;
        let has = |u: u32| reg.unit_keys[u as usize].iter().any(|x| &**x == k);
        let kids = |code: &str| -> Vec<u32> {
            reg.children
                .get(code)
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|&c| self.unit(c).valid_on(self.on))
                        .collect()
                })
                .unwrap_or_default()
        };
        let direct = kids(&self.unit(parent).code);
        let found: Vec<u32> = direct.iter().copied().filter(|&c| has(c)).collect();
        if !found.is_empty() || !deep {
            return found;
        }
        let mut second = Vec::new();
        for c in direct {
            if self.unit(c).kind == UnitKind::Agency {
                second.extend(kids(&self.unit(c).code).into_iter().filter(|&g| has(g)));
            }
        }
        if second.len() == 1 {
            second
        } else {
            Vec::new()
        }
    }

    fn agency(&self, i: usize) -> Option<(usize, Item)> {
        let matches = self.key_matches(i);
        let mut longest = matches.first().map(|m| m.0)?;
        for (kend, k) in &matches {
            let kend = *kend;
            // 1. A group of administrative units after the name.
            let group = self.admin_group(kend).or_else(|| {
                // A single type word with no name, naming no unit of the context chain:
                // "UBND xã" in a district's plan means each commune's.
                let (e, bits, _) = self.level_word(kend)?;
                if e < self.w.len() && self.w[e].before & (SEPARATED | DASH) == 0 {
                    return None;
                }
                let in_chain = self
                    .chain
                    .iter()
                    .any(|&c| self.unit(c).admin_type.is_some_and(|t| bits & bit(t) != 0));
                (!in_chain).then(|| (e, self.group_members(bits, None)))
            });
            if let Some((gend, members)) = group {
                let mut units = Vec::new();
                for m in members {
                    if let Some(&a) = self.under(m, k, false).first() {
                        units.push((a, MatchKind::Group));
                    }
                }
                if !units.is_empty() {
                    return Some((gend, Item::Units(units)));
                }
                longest = longest.max(gend);
                continue;
            }
            // 2. A locator after the name.
            if let Some((lend, loc)) = self.locator(kend) {
                let found = self.under(loc, k, true);
                if !found.is_empty() {
                    let m = self.match_kind(found[0], k, i..kend);
                    return Some((lend, Item::Units(vec![(found[0], m)])));
                }
            }
            // 3. The nearest: under the context, its parent, …
            for &c in &self.chain {
                let found = self.under(c, k, true);
                if !found.is_empty() {
                    let m = self.match_kind(found[0], k, i..kend);
                    return Some((kend, Item::Units(vec![(found[0], m)])));
                }
            }
            // 4. Unique under the context's province, or unique anywhere.
            let cands: Vec<u32> = self.reg.keys[k.as_str()]
                .iter()
                .copied()
                .filter(|&u| self.unit(u).valid_on(self.on))
                .collect();
            if cands.len() <= MAX_SCAN {
                if let Some(top) = self.top_province() {
                    let code = &self.unit(top).code;
                    let under: Vec<u32> = cands
                        .iter()
                        .copied()
                        .filter(|&c| self.reg.is_under(c, code, self.on))
                        .collect();
                    if under.len() == 1 {
                        let m = self.match_kind(under[0], k, i..kend);
                        return Some((kend, Item::Units(vec![(under[0], m)])));
                    }
                }
                if cands.len() == 1 {
                    let m = self.match_kind(cands[0], k, i..kend);
                    return Some((kend, Item::Units(vec![(cands[0], m)])));
                }
            }
        }
        Some((longest, Item::Unknown))
    }

    // ---- administrative units named directly ----

    fn people_committee(&self, u: u32) -> u32 {
        let reg = self.reg;
        reg.children
            .get(&self.unit(u).code)
            .and_then(|v| {
                v.iter().copied().find(|&c| {
                    let cu = self.unit(c);
                    cu.valid_on(self.on) && cu.category == Some(AgencyCategory::PeopleCommittee)
                })
            })
            .unwrap_or(u)
    }

    fn admin(&self, i: usize) -> Option<(usize, Item)> {
        if let Some((end, members)) = self.admin_group(i) {
            if members.is_empty() {
                return Some((end, Item::Unknown));
            }
            let units = members
                .into_iter()
                .map(|m| (self.people_committee(m), MatchKind::Group))
                .collect();
            return Some((end, Item::Units(units)));
        }
        let (e, bits, cap) = self.level_word(i)?;
        if cap || e >= self.w.len() || self.w[e].before & (SEPARATED | DASH) != 0 {
            return None;
        }
        let (end, u) = self.admin_name(e, bits)?;
        Some((
            end,
            Item::Units(vec![(self.people_committee(u), MatchKind::Exact)]),
        ))
    }

    // ---- group phrases and vague phrases ----

    fn category_group(&self, i: usize) -> Option<(usize, Item)> {
        let mut j = i;
        let explicit = self.w.get(j)?.w == "cac";
        if explicit {
            j += 1;
        }
        let mut cats: Vec<Cat> = Vec::new();
        loop {
            if !cats.is_empty()
                && (j >= self.w.len() || self.w[j].before & (COMMA | VA | DASH) == 0)
            {
                break;
            }
            if !cats.is_empty() && self.w[j].before & BREAK != 0 {
                break;
            }
            // "các" may repeat inside the list: "các Sở, ngành và các đoàn thể".
            let k = if !cats.is_empty() && self.w.get(j).is_some_and(|w| w.w == "cac") {
                j + 1
            } else {
                j
            };
            let Some((e, cat)) = CATEGORY_NOUNS
                .iter()
                .find_map(|(p, c)| starts_with_phrase(&self.w, k, p).map(|e| (e, *c)))
            else {
                break;
            };
            cats.push(cat);
            j = e;
        }
        let heads = cats.iter().filter(|c| **c != Cat::Neutral).count();
        if heads == 0 || !(explicit || cats.len() >= 2 || cats == [Cat::Dept]) {
            return None;
        }
        // What follows must be a boundary, a scope or "liên quan".
        let mut root = None;
        let mut end = j;
        if end < self.w.len() && self.w[end].before & SEPARATED == 0 {
            let mut k = end;
            if let Some(e) = starts_with_phrase(&self.w, k, "thuoc uy ban nhan dan") {
                k = e;
            } else if let Some(e) = starts_with_phrase(&self.w, k, "cap") {
                k = e;
            }
            if let Some(e) = starts_with_phrase(&self.w, k, "co lien quan")
                .or_else(|| starts_with_phrase(&self.w, k, "lien quan"))
            {
                return Some((e, Item::Vague));
            }
            match self.locator(k) {
                Some((e, u)) => {
                    root = Some(u);
                    end = e;
                }
                None => return None,
            }
        }
        let prov = self.top_province();
        let dist = self
            .chain
            .iter()
            .copied()
            .find(|&c| self.unit(c).kind == UnitKind::District);
        let dept_root = if cats.contains(&Cat::ProvDept) {
            root.or(prov)
        } else if cats.contains(&Cat::DistDept) {
            root.or(dist)
        } else {
            root.or_else(|| self.nearest_admin())
        };
        let mut units = Vec::new();
        let push_cat =
            |scope: Option<u32>, cat: AgencyCategory, units: &mut Vec<(u32, MatchKind)>| {
                let Some(scope) = scope else { return };
                if let Some(v) = self.reg.children.get(&self.unit(scope).code) {
                    for &c in v {
                        let cu = self.unit(c);
                        if cu.valid_on(self.on) && cu.category == Some(cat) {
                            units.push((c, MatchKind::Group));
                        }
                    }
                }
            };
        let has_dept = cats
            .iter()
            .any(|c| matches!(c, Cat::ProvDept | Cat::DistDept | Cat::Dept));
        if has_dept {
            push_cat(dept_root, AgencyCategory::Department, &mut units);
        }
        if cats.contains(&Cat::Mass) {
            let scope = if has_dept {
                dept_root
            } else {
                root.or_else(|| self.nearest_admin())
            };
            push_cat(scope, AgencyCategory::MassOrg, &mut units);
        }
        if cats.contains(&Cat::Media) {
            push_cat(root.or(prov), AgencyCategory::Media, &mut units);
        }
        if cats.contains(&Cat::Enterprise) {
            push_cat(root.or(prov), AgencyCategory::Enterprise, &mut units);
        }
        if units.is_empty() {
            return Some((end, Item::Unknown));
        }
        Some((end, Item::Units(units)))
    }

    fn vague(&self, i: usize) -> Option<(usize, Item)> {
        let mut j = i;
        let mut head = false;
        while j < self.w.len() {
            if j > i && self.w[j].before & BREAK != 0 {
                break;
            }
            let w = self.w[j].w.as_str();
            if !VAGUE_WORDS.contains(&w) {
                break;
            }
            if w == "cap" && self.level_word(j).is_some_and(|(_, _, cap)| cap) {
                break;
            }
            if VAGUE_HEADS
                .iter()
                .any(|h| starts_with_phrase(&self.w, j, h).is_some())
            {
                head = true;
            }
            j += 1;
        }
        if !head {
            return None;
        }
        // "… trên địa bàn tỉnh", "… cấp huyện", "… của tỉnh".
        if j < self.w.len()
            && self.w[j].before & SEPARATED == 0
            && let Some((e, _)) = self.locator(j)
        {
            j = e;
        } else if let Some((e, _, true)) = self.level_word(j) {
            j = e;
        }
        Some((j, Item::Vague))
    }

    /// A close spelling of an agency's name around the context, for words `from..to`.
    fn fuzzy(&self, from: usize, to: usize) -> Option<u32> {
        let k: String = self.w[from..to]
            .iter()
            .map(|w| w.w.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        if k.len() < 10 {
            return None;
        }
        let max = (k.len() / 12).max(1);
        let mut best: Option<(usize, u32)> = None;
        for &c in &self.chain {
            let Some(kids) = self.reg.children.get(&self.unit(c).code) else {
                continue;
            };
            for &u in kids {
                let unit = self.unit(u);
                if unit.kind != UnitKind::Agency || !unit.valid_on(self.on) {
                    continue;
                }
                for uk in &self.reg.unit_keys[u as usize] {
                    if uk.len().abs_diff(k.len()) > max {
                        continue;
                    }
                    let d = levenshtein(uk, &k);
                    if d <= max && best.is_none_or(|(bd, _)| d < bd) {
                        best = Some((d, u));
                    }
                }
            }
            if best.is_some() {
                break;
            }
        }
        best.map(|b| b.1).or_else(|| self.reordered(from, to))
    }

    /// A name whose parts are written in another order ("Trung tâm Thông tin - Văn hóa - Thể
    /// thao huyện" for "Trung tâm Văn hóa - Thông tin - Thể thao"): the same words as a known
    /// name of an agency around the context, starting with the same word, with at most a level
    /// word ("huyện", "thành phố") after them.
    fn reordered(&self, from: usize, to: usize) -> Option<u32> {
        let mut ws: Vec<&str> = self.w[from..to].iter().map(|w| w.w.as_str()).collect();
        for tail in [
            &["huyen"][..],
            &["tinh"],
            &["quan"],
            &["xa"],
            &["phuong"],
            &["thi", "xa"],
            &["thanh", "pho"],
            &["thi", "tran"],
        ] {
            if ws.len() > tail.len() + 2 && ws.ends_with(tail) {
                ws.truncate(ws.len() - tail.len());
                break;
            }
        }
        if ws.len() < 3 {
            return None;
        }
        let first = ws[0];
        let mut sorted = ws.clone();
        sorted.sort_unstable();
        for &c in &self.chain {
            let Some(kids) = self.reg.children.get(&self.unit(c).code) else {
                continue;
            };
            let found = kids.iter().copied().find(|&u| {
                let unit = self.unit(u);
                unit.kind == UnitKind::Agency
                    && unit.valid_on(self.on)
                    && self.reg.unit_keys[u as usize].iter().any(|uk| {
                        let mut kw: Vec<&str> = uk.split(' ').collect();
                        if kw.first() != Some(&first) || kw.len() != sorted.len() {
                            return false;
                        }
                        kw.sort_unstable();
                        kw == sorted
                    })
            });
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

/// The key of a text (folded words, abbreviations expanded), as the registry indexes names.
pub fn name_key(text: &str) -> String {
    key(text)
}
