//! What changed between two plans: tasks added, removed, and for the tasks both have, changed
//! targets and changed leads. Tasks are paired by their folded title, else by the coverage
//! matcher's similarity (a reworded title is the same task).

use std::collections::BTreeSet;

use kehoach_core::text::fold;
use serde::Serialize;

use super::coverage::{self, TaskText};

/// A task as the diff compares it.
#[derive(Debug, Clone, Default)]
pub struct DiffTask {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub content: String,
    /// (count, per, noun).
    pub targets: Vec<(f64, String, String)>,
    /// Lead unit names.
    pub leads: Vec<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskSide {
    pub task_id: i64,
    #[serde(rename = "ref")]
    pub reference: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskChange {
    pub a: TaskSide,
    pub b: TaskSide,
    pub title_changed: bool,
    /// Targets as "count/per noun", before and after, when they differ.
    pub targets_before: Vec<String>,
    pub targets_after: Vec<String>,
    pub leads_added: Vec<String>,
    pub leads_removed: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PlanDiff {
    pub added: Vec<TaskSide>,
    pub removed: Vec<TaskSide>,
    pub changed: Vec<TaskChange>,
    pub unchanged: usize,
}

fn side(t: &DiffTask) -> TaskSide {
    TaskSide {
        task_id: t.id,
        reference: t.reference.clone(),
        title: t.title.clone(),
    }
}

fn target_words(t: &DiffTask) -> Vec<String> {
    let mut v: Vec<String> = t
        .targets
        .iter()
        .map(|(c, p, n)| format!("{c}/{p} {n}").trim().to_string())
        .collect();
    v.sort();
    v
}

fn as_text(t: &DiffTask) -> TaskText {
    TaskText {
        id: t.id,
        title: t.title.clone(),
        content: t.content.clone(),
        targets: t.targets.iter().map(|(c, p, _)| (*c, p.clone())).collect(),
    }
}

/// Pairs the tasks of `a` and `b` one to one and lists the differences.
pub fn diff(a: &[DiffTask], b: &[DiffTask]) -> PlanDiff {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut used_a = BTreeSet::new();
    let mut used_b = BTreeSet::new();
    for (i, ta) in a.iter().enumerate() {
        let key = fold(&ta.title);
        if let Some(j) = b
            .iter()
            .enumerate()
            .position(|(j, tb)| !used_b.contains(&j) && fold(&tb.title) == key)
        {
            pairs.push((i, j));
            used_a.insert(i);
            used_b.insert(j);
        }
    }
    // The rest by similarity, best first, each task once.
    let rest_a: Vec<TaskText> = a
        .iter()
        .enumerate()
        .filter(|(i, _)| !used_a.contains(i))
        .map(|(_, t)| as_text(t))
        .collect();
    let rest_b: Vec<TaskText> = b
        .iter()
        .enumerate()
        .filter(|(j, _)| !used_b.contains(j))
        .map(|(_, t)| as_text(t))
        .collect();
    let mut proposals = coverage::propose(&rest_b, &rest_a);
    proposals.sort_by(|x, y| y.score.total_cmp(&x.score));
    for m in proposals {
        if m.score < 0.5 {
            continue;
        }
        let i = a.iter().position(|t| t.id == m.parent_task_id);
        let j = b.iter().position(|t| t.id == m.child_task_id);
        if let (Some(i), Some(j)) = (i, j)
            && !used_a.contains(&i)
            && !used_b.contains(&j)
        {
            pairs.push((i, j));
            used_a.insert(i);
            used_b.insert(j);
        }
    }
    pairs.sort();
    let mut out = PlanDiff::default();
    for (i, j) in pairs {
        let (ta, tb) = (&a[i], &b[j]);
        let (before, after) = (target_words(ta), target_words(tb));
        let la: BTreeSet<&String> = ta.leads.iter().collect();
        let lb: BTreeSet<&String> = tb.leads.iter().collect();
        let title_changed = fold(&ta.title) != fold(&tb.title);
        let change = TaskChange {
            a: side(ta),
            b: side(tb),
            title_changed,
            targets_before: if before != after {
                before.clone()
            } else {
                Vec::new()
            },
            targets_after: if before != after {
                after.clone()
            } else {
                Vec::new()
            },
            leads_added: lb.difference(&la).map(|s| s.to_string()).collect(),
            leads_removed: la.difference(&lb).map(|s| s.to_string()).collect(),
        };
        if !title_changed
            && before == after
            && change.leads_added.is_empty()
            && change.leads_removed.is_empty()
        {
            out.unchanged += 1;
        } else {
            out.changed.push(change);
        }
    }
    out.removed = a
        .iter()
        .enumerate()
        .filter(|(i, _)| !used_a.contains(i))
        .map(|(_, t)| side(t))
        .collect();
    out.added = b
        .iter()
        .enumerate()
        .filter(|(j, _)| !used_b.contains(j))
        .map(|(_, t)| side(t))
        .collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: i64, title: &str, targets: &[(f64, &str)], leads: &[&str]) -> DiffTask {
        DiffTask {
            id,
            reference: id.to_string(),
            title: title.into(),
            content: String::new(),
            targets: targets
                .iter()
                .map(|(c, p)| (*c, p.to_string(), String::new()))
                .collect(),
            leads: leads.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn added_removed_and_changed_tasks() {
        let a = vec![
            t(
                1,
                "Tuyên truyền trên Báo Quảng Nam",
                &[(1.0, "week")],
                &["Báo Quảng Nam"],
            ),
            t(
                2,
                "Tập huấn chuyển đổi số ngành Công Thương",
                &[(1.0, "plan")],
                &["Sở Công Thương"],
            ),
            t(3, "Hội nghị tổng kết", &[], &["Sở TT&TT"]),
        ];
        let b = vec![
            t(
                11,
                "Tuyên truyền trên Báo Quảng Nam",
                &[(2.0, "week")],
                &["Báo Quảng Nam"],
            ),
            t(13, "Hội nghị tổng kết", &[], &["Sở KH&CN"]),
            t(14, "Cuộc thi tìm hiểu chuyển đổi số", &[], &["Tỉnh Đoàn"]),
        ];
        let d = diff(&a, &b);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].task_id, 14);
        assert_eq!(d.removed[0].task_id, 2);
        assert_eq!(d.changed.len(), 2);
        assert_eq!(d.changed[0].targets_after, vec!["2/week"]);
        assert_eq!(d.changed[1].leads_added, vec!["Sở KH&CN"]);
        assert_eq!(d.unchanged, 0);
        let same = diff(&a, &a);
        assert_eq!(
            (same.unchanged, same.changed.len(), same.added.len()),
            (3, 0, 0)
        );
    }
}
