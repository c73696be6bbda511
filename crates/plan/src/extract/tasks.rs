//! Tasks from the body text: the outline tree, then the two ways plans assign work.
//!
//! The outline: every paragraph with a marker ("II.", "2.", "a)", "b.1.", "*", "-", "+") or a
//! heading style is a node; a marker kind already open on the stack closes everything opened
//! after it (a sibling), a new kind opens a child. Plain paragraphs hang under the innermost
//! open node. This recovers the nesting without knowing in advance which marker a plan uses for
//! which level — plans disagree.
//!
//! Task-first: a "Đơn vị chủ trì: …" line belongs to the nearest enclosing item that is not
//! itself a label or the content of a label ("- Nội dung:" and its sub-bullets): that item is
//! the task.
//!
//! Unit-first: inside "Tổ chức thực hiện" (or "Trách nhiệm …"), a heading naming a unit is
//! followed by its duties: each bullet is a task led by that unit, or each paragraph when there
//! are no bullets.

use super::dates::{self, Context};
use super::targets::find_targets;
use super::units_text::{self, LabelKind, Labelled};
use super::{Line, lower};
use crate::markers::{MarkerKind, parse_marker};
use crate::model::{Date, Span, Target, Task};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Marker(MarkerKind),
    Heading(u8),
    /// An ALL CAPS line without a number: a section title.
    Caps,
    /// "Sở Thông tin và Truyền thông:" on its own line: a unit heading without a number.
    UnitColon,
}

#[derive(Debug)]
struct Node {
    /// Text without the marker.
    text: String,
    /// Text as written (with the marker).
    full: String,
    kind: Option<Kind>,
    label: String,
    parent: Option<usize>,
    children: Vec<usize>,
    labelled: Labelled,
}

impl Node {
    /// The paragraph starts with a label ("Nội dung:", "Đơn vị chủ trì:").
    fn is_label(&self) -> bool {
        self.labelled.head.is_empty() && !self.labelled.labels.is_empty()
    }
    fn has_task_labels(&self) -> bool {
        self.labelled
            .labels
            .iter()
            .any(|(k, _)| *k != LabelKind::Content)
    }
    fn is_bullet(&self) -> bool {
        matches!(self.kind, Some(Kind::Marker(MarkerKind::Bullet(_))))
    }
}

fn is_caps_heading(t: &str) -> bool {
    let mut letters = 0;
    for c in t.chars() {
        if c.is_lowercase() {
            return false;
        }
        letters += usize::from(c.is_uppercase());
    }
    letters >= 4 && t.split_whitespace().count() <= 14
}

fn build(lines: &[Line]) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::with_capacity(lines.len());
    let mut stack: Vec<usize> = Vec::new();
    for line in lines {
        let full = line.text.trim();
        let (kind, label, text) = match parse_marker(full) {
            Some(m) => (
                Some(Kind::Marker(m.kind)),
                m.label,
                full[m.len.min(full.len())..].trim(),
            ),
            None => {
                let k = if let Some(h) = line.heading {
                    Some(Kind::Heading(h))
                } else if is_caps_heading(full) {
                    Some(Kind::Caps)
                } else if (full.ends_with(':')
                    && full.split_whitespace().count() <= 15
                    && units_text::classify_label(full.trim_end_matches(':')).is_none()
                    && units_text::looks_like_unit(full))
                    || units_text::inline_unit(full).is_some()
                {
                    // "Sở Tài chính:" alone, or "Sở Tài chính: chủ trì …": a unit heading.
                    Some(Kind::UnitColon)
                } else {
                    None
                };
                (k, String::new(), full)
            }
        };
        let labelled = units_text::split_labels(text);
        let idx = nodes.len();
        let parent = match kind {
            None => stack.last().copied(),
            Some(k) => {
                if let Some(pos) = stack.iter().position(|&n| same_level(nodes[n].kind, k)) {
                    stack.truncate(pos);
                } else if k == Kind::Caps {
                    stack.clear();
                } else if k == Kind::Marker(MarkerKind::Roman) {
                    // A Roman section closes everything but unnumbered headings above it.
                    while stack.last().is_some_and(|&n| {
                        !matches!(nodes[n].kind, Some(Kind::Heading(_) | Kind::Caps))
                    }) {
                        stack.pop();
                    }
                }
                let p = stack.last().copied();
                stack.push(idx);
                p
            }
        };
        if let Some(p) = parent {
            nodes[p].children.push(idx);
        }
        nodes.push(Node {
            text: text.to_string(),
            full: full.to_string(),
            kind,
            label,
            parent,
            children: Vec::new(),
            labelled,
        });
    }
    nodes
}

fn same_level(open: Option<Kind>, new: Kind) -> bool {
    match (open, new) {
        (Some(Kind::Heading(a)), Kind::Heading(b)) => a >= b,
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

struct Acc {
    leads: Vec<String>,
    partners: Vec<String>,
    times: Vec<(String, bool)>,
}

/// Extracts tasks from body lines. `unit_first` enables the responsibilities section (off for
/// appendices).
pub fn extract(lines: &[Line], ctx: &Context, unit_first: bool) -> Vec<Task> {
    let nodes = build(lines);
    let mut acc: BTreeMap<usize, Acc> = BTreeMap::new();
    for (i, n) in nodes.iter().enumerate() {
        if !n.has_task_labels() {
            continue;
        }
        let title = if n.is_label() {
            title_ancestor(&nodes, i)
        } else {
            Some(i)
        };
        let Some(t) = title else { continue };
        let a = acc.entry(t).or_insert(Acc {
            leads: vec![],
            partners: vec![],
            times: vec![],
        });
        for (k, v) in &n.labelled.labels {
            let value = if v.is_empty() {
                children_text(&nodes, i)
            } else {
                v.clone()
            };
            match k {
                LabelKind::Lead if !value.is_empty() => a.leads.push(value),
                LabelKind::Partner if !value.is_empty() => a.partners.push(value),
                LabelKind::Time { completion } => a.times.push((value, *completion)),
                _ => {}
            }
        }
    }
    acc.retain(|_, a| !a.leads.is_empty());
    let mut out: Vec<(usize, Task)> = Vec::new();
    for (&t, a) in &acc {
        out.push((t, task_first(&nodes, t, a, &acc, ctx)));
    }
    if unit_first {
        let mut w = UnitWalk {
            nodes: &nodes,
            titles: &acc,
            ctx,
            out: Vec::new(),
        };
        let mut i = 0;
        while i < nodes.len() {
            if is_zone(&nodes[i]) {
                w.walk(i, None);
                i = last_descendant(&nodes, i) + 1;
            } else {
                i += 1;
            }
        }
        out.extend(w.out);
    }
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, t)| t).collect()
}

fn in_label(nodes: &[Node], mut n: usize) -> bool {
    loop {
        if nodes[n].is_label() {
            return true;
        }
        match nodes[n].parent {
            Some(p) => n = p,
            None => return false,
        }
    }
}

fn title_ancestor(nodes: &[Node], n: usize) -> Option<usize> {
    let mut cur = nodes[n].parent;
    while let Some(c) = cur {
        if !in_label(nodes, c) {
            return Some(c);
        }
        cur = nodes[c].parent;
    }
    None
}

fn children_text(nodes: &[Node], n: usize) -> String {
    nodes[n]
        .children
        .iter()
        .map(|&c| units_text::trim_value(&nodes[c].text))
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

fn last_descendant(nodes: &[Node], n: usize) -> usize {
    let mut cur = n;
    while let Some(&c) = nodes[cur].children.last() {
        cur = c;
    }
    cur
}

/// "1.1" under "1", "b.1" under "b": the child's label already holds the parent's.
fn ref_of(nodes: &[Node], n: usize) -> String {
    let mut path = Vec::new();
    let mut cur = Some(n);
    while let Some(c) = cur {
        path.push(c);
        cur = nodes[c].parent;
    }
    path.reverse();
    let mut segs: Vec<String> = Vec::new();
    for &c in &path {
        let node = &nodes[c];
        let seg = match node.kind {
            Some(Kind::Marker(MarkerKind::Bullet(_)) | Kind::UnitColon) | None => {
                let siblings: Vec<usize> = match node.parent {
                    Some(p) => nodes[p].children.clone(),
                    None => (0..nodes.len())
                        .filter(|&i| nodes[i].parent.is_none())
                        .collect(),
                };
                let same = siblings
                    .iter()
                    .filter(|&&s| nodes[s].kind == node.kind && !nodes[s].is_label());
                let count = same.clone().count();
                if node.kind.is_none() && count <= 1 {
                    continue;
                }
                (same.take_while(|&&s| s != c).count() + 1).to_string()
            }
            Some(Kind::Marker(_)) => node.label.clone(),
            _ => continue,
        };
        if let Some(last) = segs.last()
            && seg.starts_with(&format!("{last}."))
        {
            segs.pop();
        }
        segs.push(seg);
    }
    segs.join(".")
}

fn section_of(nodes: &[Node], n: usize) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = nodes[n].parent;
    while let Some(c) = cur {
        parts.push(nodes[c].full.clone());
        cur = nodes[c].parent;
    }
    parts.reverse();
    (!parts.is_empty()).then(|| parts.join(" > "))
}

fn task_first(
    nodes: &[Node],
    t: usize,
    a: &Acc,
    titles: &BTreeMap<usize, Acc>,
    ctx: &Context,
) -> Task {
    let node = &nodes[t];
    let title = units_text::trim_value(node.labelled.head.trim_end_matches(':'));
    // Content: the subtree, minus other tasks and the lead/partner/time lines.
    let mut content: Vec<String> = Vec::new();
    let mut stack: Vec<usize> = node.children.iter().rev().copied().collect();
    while let Some(c) = stack.pop() {
        let n = &nodes[c];
        if titles.contains_key(&c) || (n.is_label() && n.has_task_labels()) {
            continue;
        }
        let text = match n.labelled.labels.first() {
            Some((LabelKind::Content, v)) if n.is_label() => v.clone(),
            _ => n.text.clone(),
        };
        if !text.is_empty() {
            content.push(if n.kind.is_some() && n.label.len() <= 3 && n.is_bullet() {
                format!("{} {}", n.label, text)
            } else {
                text
            });
        }
        stack.extend(n.children.iter().rev().copied());
    }
    let mut targets: Vec<Target> = Vec::new();
    let mut add = |ts: Vec<Target>| {
        for x in ts {
            if !targets.contains(&x) {
                targets.push(x);
            }
        }
    };
    add(find_targets(&title));
    for c in &content {
        add(find_targets(c));
    }
    let mut window: Option<Span> = None;
    let mut due: Option<Date> = None;
    for (v, completion) in &a.times {
        add(find_targets(v));
        let (w, d) = dates::parse_time_value(v, ctx, *completion);
        window = window.or(w);
        due = due.or(d);
    }
    if window.is_none() && due.is_none() {
        let all = std::iter::once(title.as_str())
            .chain(content.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        due = dates::find_due(&all, ctx);
        window = dates::find_window(&all, ctx);
    }
    Task {
        ref_: ref_of(nodes, t),
        title,
        lead: dedup_join(&a.leads),
        partners: dedup_join(&a.partners),
        targets,
        window,
        due,
        content: (!content.is_empty()).then(|| content.join("\n")),
        section: section_of(nodes, t),
    }
}

/// Joins unit texts with "; ", each once, in first-seen order. Linear: a hostile document can
/// attach thousands of unit lines to one item.
fn dedup_join(v: &[String]) -> String {
    let mut seen = std::collections::HashSet::with_capacity(v.len());
    let out: Vec<&str> = v
        .iter()
        .map(String::as_str)
        .filter(|s| seen.insert(*s))
        .collect();
    out.join("; ")
}

const ZONE_STARTS: &[&str] = &[
    "tổ chức thực hiện",
    "trách nhiệm",
    "phân công",
    "tổ chức triển khai",
    "giao nhiệm vụ",
    "nhiệm vụ của các",
    "nhiệm vụ cụ thể của các",
];

fn is_zone(n: &Node) -> bool {
    let heading = matches!(
        n.kind,
        Some(
            Kind::Marker(MarkerKind::Roman | MarkerKind::UpperLetter | MarkerKind::Arabic(1))
                | Kind::Heading(_)
                | Kind::Caps
        )
    );
    let l = lower(&n.text);
    heading
        && ZONE_STARTS.iter().any(|z| l.starts_with(z))
        && n.text.split_whitespace().count() <= 14
}

struct UnitWalk<'a> {
    nodes: &'a [Node],
    titles: &'a BTreeMap<usize, Acc>,
    ctx: &'a Context,
    out: Vec<(usize, Task)>,
}

impl UnitWalk<'_> {
    fn walk(&mut self, n: usize, unit: Option<&str>) {
        let children = self.nodes[n].children.clone();
        // Paragraph duties are numbered only when a unit has several.
        for c in children {
            let node = &self.nodes[c];
            if self.titles.contains_key(&c) || node.has_task_labels() {
                continue;
            }
            let heading_like = matches!(node.kind, Some(Kind::Marker(k)) if !matches!(k, MarkerKind::Bullet(_)))
                || matches!(
                    node.kind,
                    Some(Kind::Heading(_) | Kind::Caps | Kind::UnitColon)
                );
            if heading_like {
                if let Some((u, inline)) = units_text::inline_unit(&node.text) {
                    if !inline.is_empty() {
                        self.duty(c, &u, &inline);
                    }
                    self.walk(c, Some(&u));
                    continue;
                }
                if units_text::looks_like_unit(&node.text)
                    && node.text.split_whitespace().count() <= 30
                    && !node.text.trim_end().ends_with('.')
                {
                    let u = units_text::clean_unit(&node.text);
                    self.walk(c, Some(&u));
                    continue;
                }
                match unit {
                    Some(u) if node.text.trim_end().ends_with(':') && !node.children.is_empty() => {
                        self.walk(c, Some(u))
                    }
                    Some(u) => {
                        let text = self.with_sub_items(c);
                        self.duty(c, u, &text);
                    }
                    None => self.walk(c, None),
                }
                continue;
            }
            if let Some((u, inline)) = units_text::inline_unit(&node.text) {
                if !inline.is_empty() {
                    self.duty(
                        c,
                        &u,
                        &self
                            .with_sub_items(c)
                            .split_once(':')
                            .map(|x| x.1.trim().to_string())
                            .unwrap_or(inline),
                    );
                } else {
                    self.walk(c, Some(&u));
                }
                continue;
            }
            let Some(u) = unit else {
                self.walk(c, None);
                continue;
            };
            if node.is_bullet() {
                let text = self.with_sub_items(c);
                self.duty(c, u, &text);
            } else {
                let t = node.text.trim();
                // "(Đính kèm Phụ lục …)" and "… như sau:" introduce, they assign nothing.
                if t.starts_with('(') || t.ends_with(':') || t.split_whitespace().count() < 3 {
                    continue;
                }
                self.duty(c, u, t);
            }
        }
    }

    /// A duty's text with its sub-items ("- Về kinh phí: + Các Sở … + UBND …"); plain
    /// paragraphs hanging under it are notes, not part of the duty.
    fn with_sub_items(&self, n: usize) -> String {
        let mut parts = vec![self.nodes[n].text.clone()];
        let mut stack: Vec<usize> = self.nodes[n].children.iter().rev().copied().collect();
        while let Some(c) = stack.pop() {
            let node = &self.nodes[c];
            if node.kind.is_some() {
                parts.push(node.full.clone());
                stack.extend(node.children.iter().rev().copied());
            }
        }
        parts.join(" ")
    }

    fn duty(&mut self, n: usize, unit: &str, text: &str) {
        let title = text.trim().to_string();
        if title.is_empty() || unit.is_empty() {
            return;
        }
        let task = Task {
            ref_: ref_of(self.nodes, n),
            lead: unit.to_string(),
            partners: units_text::partners_in_duty(&title),
            targets: find_targets(&title),
            window: dates::find_window(&title, self.ctx),
            due: dates::find_due(&title, self.ctx),
            content: None,
            section: section_of(self.nodes, n),
            title,
        };
        self.out.push((n, task));
    }
}
