//! Which parent task a child task carries out: proposed by similarity in folded Vietnamese,
//! then confirmed or corrected by the plan office.
//!
//! The score mixes three signals, each cheap and explainable:
//! * the words of the titles (and, with less weight, the first part of the content), weighted
//!   by how rare each syllable is across both plans' tasks — "chuyển đổi số" is in every task
//!   and says nothing;
//! * the channel: "truyền thanh", "cổng thông tin", "10/10", "tập huấn", … named by both (a
//!   bonus) or by one only (a penalty);
//! * the kind of target: a recurring target of the same period on both sides.

use std::collections::{BTreeSet, HashMap};

use kehoach_core::text::fold;

/// A task as the matcher sees it.
#[derive(Debug, Clone, Default)]
pub struct TaskText {
    pub id: i64,
    pub title: String,
    pub content: String,
    /// (count, per) of each target; per is "day" … "year" or "plan".
    pub targets: Vec<(f64, String)>,
}

/// Channels whose naming on both sides says two tasks are the same work: (folded word, the
/// channel it names). Several words name one channel ("pano", "panel", "trực quan").
const CHANNELS: &[(&str, &str)] = &[
    ("truyen thanh", "radio"),
    ("truyen hinh", "radio"),
    ("phat thanh", "radio"),
    ("cong thong tin", "portal"),
    ("trang thong tin", "portal"),
    ("chuyen trang", "portal"),
    ("10/10", "10/10"),
    ("bao ", "press"),
    ("bao chi", "press"),
    ("tap huan", "training"),
    ("boi duong", "training"),
    ("cuoc thi", "contest"),
    ("truc quan", "visual"),
    ("pano", "visual"),
    ("panel", "visual"),
    ("to roi", "visual"),
    ("hoi nghi", "conference"),
    ("so ket", "conference"),
    ("tong ket", "conference"),
    ("dien dan", "forum"),
    ("doi thoai", "forum"),
    ("ke hoach tuyen truyen", "plan"),
    ("kinh phi", "budget"),
    ("du toan", "budget"),
    ("bao cao", "report"),
    ("doan vien", "youth"),
    ("tuoi tre", "youth"),
    ("truong hoc", "school"),
    ("hoc sinh", "school"),
    ("to cong nghe so cong dong", "community"),
];

/// Below this a child task is left unmapped (it carries out nothing of the parent's).
pub const THRESHOLD: f64 = 0.22;

/// Characters of a task's content that count (the rest is detail that dilutes the words).
const CONTENT_CHARS: usize = 400;

fn syllables(text: &str) -> BTreeSet<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric() && c != '/')
        .filter(|w| w.len() > 1 || w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

fn channels(text: &str) -> BTreeSet<&'static str> {
    let t = format!(" {} ", fold(text));
    CHANNELS
        .iter()
        .filter(|(word, _)| t.contains(word))
        .map(|(_, channel)| *channel)
        .collect()
}

struct Prepared {
    title: BTreeSet<String>,
    content: BTreeSet<String>,
    channels: BTreeSet<&'static str>,
    pers: BTreeSet<String>,
}

fn prepare(t: &TaskText) -> Prepared {
    let content: String = t.content.chars().take(CONTENT_CHARS).collect();
    Prepared {
        title: syllables(&t.title),
        content: syllables(&content),
        channels: channels(&t.title),
        pers: t.targets.iter().map(|(_, p)| p.clone()).collect(),
    }
}

/// Weighted overlap of two syllable sets: Σ weight(shared) ÷ Σ weight(smaller side), so a short
/// child title inside a long parent title scores high.
fn overlap(a: &BTreeSet<String>, b: &BTreeSet<String>, idf: &HashMap<String, f64>) -> f64 {
    let w = |s: &String| idf.get(s).copied().unwrap_or(1.0);
    let wa: f64 = a.iter().map(w).sum();
    let wb: f64 = b.iter().map(w).sum();
    let shared: f64 = a.intersection(b).map(w).sum();
    let smaller = wa.min(wb);
    if smaller <= 0.0 {
        return 0.0;
    }
    // Half containment (a short title inside a long one), half Dice (a long parent title that
    // shares a few words with everything does not win by its length).
    0.5 * shared / smaller + shared / (wa + wb)
}

fn score(c: &Prepared, p: &Prepared, idf: &HashMap<String, f64>) -> f64 {
    let title = overlap(&c.title, &p.title, idf);
    let content = overlap(&c.content, &p.content, idf);
    let mut s = 0.75 * title + 0.25 * content.min(title + 0.2);
    let shared = c.channels.intersection(&p.channels).count();
    if shared > 0 {
        s += 0.25;
    } else if !c.channels.is_empty() && !p.channels.is_empty() {
        // Both name their channel, and not the same one: a radio task does not carry out a
        // contest.
        s -= 0.25;
    }
    if !c.pers.is_empty() && !p.pers.is_empty() {
        if c.pers.intersection(&p.pers).next().is_some() {
            s += 0.05;
        } else {
            s -= 0.05;
        }
    }
    s.clamp(0.0, 1.0)
}

/// One proposed mapping.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Mapping {
    pub child_task_id: i64,
    pub parent_task_id: i64,
    pub score: f64,
}

/// For each child task, the parent task it most likely carries out (if any scores at least
/// [`THRESHOLD`]).
pub fn propose(children: &[TaskText], parents: &[TaskText]) -> Vec<Mapping> {
    let cs: Vec<Prepared> = children.iter().map(prepare).collect();
    let ps: Vec<Prepared> = parents.iter().map(prepare).collect();
    // Inverse document frequency over every task of both plans: ln(N / df), at least 0.1.
    let mut df: HashMap<String, f64> = HashMap::new();
    for t in cs.iter().chain(&ps) {
        for s in t.title.union(&t.content) {
            *df.entry(s.clone()).or_default() += 1.0;
        }
    }
    let n = (cs.len() + ps.len()).max(1) as f64;
    let idf: HashMap<String, f64> = df
        .into_iter()
        .map(|(s, d)| (s, (n / d).ln().max(0.1)))
        .collect();
    let mut out = Vec::new();
    for (c, child) in cs.iter().zip(children) {
        let best = ps
            .iter()
            .zip(parents)
            .map(|(p, parent)| (score(c, p, &idf), parent.id))
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        if let Some((s, parent_task_id)) = best
            && s >= THRESHOLD
        {
            out.push(Mapping {
                child_task_id: child.id,
                parent_task_id,
                score: (s * 1000.0).round() / 1000.0,
            });
        }
    }
    out
}

/// A recurring or yearly target as occurrences per year, to compare a child's commitment with
/// its parent's; `None` for plan totals and unknown periods (not comparable across plans of
/// different spans).
fn per_year(count: f64, per: &str) -> Option<f64> {
    let f = match per {
        "day" => 365.0,
        "week" => 52.0,
        "month" => 12.0,
        "quarter" => 4.0,
        "year" => 1.0,
        _ => return None,
    };
    Some(count * f)
}

/// Whether the child commits less than the parent asks: some recurring parent target whose
/// yearly rate is above every comparable child target's (or the child has none comparable
/// while the parent has one).
pub fn commits_less(child: &[(f64, String)], parent: &[(f64, String)]) -> bool {
    let parent_rate = parent
        .iter()
        .filter_map(|(c, p)| per_year(*c, p))
        .fold(None::<f64>, |m, r| Some(m.map_or(r, |m| m.max(r))));
    let Some(parent_rate) = parent_rate else {
        return false;
    };
    let child_rate = child
        .iter()
        .filter_map(|(c, p)| per_year(*c, p))
        .fold(None::<f64>, |m, r| Some(m.map_or(r, |m| m.max(r))));
    child_rate.is_none_or(|c| c + 1e-9 < parent_rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: i64, title: &str, targets: &[(f64, &str)]) -> TaskText {
        TaskText {
            id,
            title: title.into(),
            content: String::new(),
            targets: targets.iter().map(|(c, p)| (*c, p.to_string())).collect(),
        }
    }

    #[test]
    fn channel_words_pick_the_parent_task() {
        let parents = vec![
            t(
                1,
                "Xây dựng, ban hành kế hoạch tuyên truyền về chuyển đổi số",
                &[],
            ),
            t(
                2,
                "Tuyên truyền trên hệ thống Truyền thanh – Truyền hình cấp huyện và truyền thanh cấp xã",
                &[(1.0, "week")],
            ),
            t(
                3,
                "Tuyên truyền trên Chuyên trang Chuyển đổi số, Cổng Thông tin điện tử tỉnh",
                &[(1.0, "week")],
            ),
            t(
                4,
                "Tổ chức các sự kiện ngày chuyển đổi số 10/10 tại cấp huyện",
                &[],
            ),
        ];
        let children = vec![
            t(
                10,
                "Xây dựng, ban hành kế hoạch tuyên truyền về chuyển đổi số",
                &[],
            ),
            t(
                11,
                "Tuyên truyền trên hệ thống đài truyền thanh cơ sở",
                &[(1.0, "month")],
            ),
            t(
                12,
                "Tuyên truyền trên Cổng thông tin điện tử thành phố",
                &[],
            ),
            t(
                13,
                "Tổ chức đối thoại giữa Lãnh đạo thành phố và doanh nghiệp",
                &[],
            ),
        ];
        let m = propose(&children, &parents);
        let of = |c: i64| {
            m.iter()
                .find(|x| x.child_task_id == c)
                .map(|x| x.parent_task_id)
        };
        assert_eq!(of(10), Some(1));
        assert_eq!(of(11), Some(2));
        assert_eq!(of(12), Some(3));
        assert_eq!(of(13), None, "{m:?}");
    }

    #[test]
    fn a_monthly_programme_is_less_than_a_weekly_one() {
        let w = vec![(1.0, "week".to_string())];
        let m = vec![(1.0, "month".to_string())];
        assert!(commits_less(&m, &w));
        assert!(!commits_less(&w, &m));
        assert!(commits_less(&[], &w), "nothing comparable committed");
        assert!(
            !commits_less(&m, &[(5.0, "plan".to_string())]),
            "plan totals are not compared"
        );
    }
}
