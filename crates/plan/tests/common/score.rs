//! A faithful port of shared/score-plan.py (task matching by title similarity, field accuracy,
//! reference F1), shared by the corpus suites.

#![allow(dead_code)]

use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use unicode_normalization::UnicodeNormalization;

fn syllables(text: &str) -> Vec<String> {
    let t: String = text.nfc().collect::<String>().to_lowercase();
    t.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn bag_f1(a: &str, b: &str) -> f64 {
    let (ta, tb) = (syllables(a), syllables(b));
    if ta.is_empty() && tb.is_empty() {
        return 1.0;
    }
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let mut ca: HashMap<&str, usize> = HashMap::new();
    let mut cb: HashMap<&str, usize> = HashMap::new();
    for t in &ta {
        *ca.entry(t).or_default() += 1;
    }
    for t in &tb {
        *cb.entry(t).or_default() += 1;
    }
    let common: usize = ca
        .iter()
        .map(|(t, n)| (*n).min(*cb.get(t).unwrap_or(&0)))
        .sum();
    if common == 0 {
        return 0.0;
    }
    let (p, r) = (
        common as f64 / ta.len() as f64,
        common as f64 / tb.len() as f64,
    );
    2.0 * p * r / (p + r)
}

pub fn title_match(pred: &str, gold: &str) -> f64 {
    let dice = bag_f1(pred, gold);
    if dice >= 0.5 {
        return dice;
    }
    let (tp, tg) = (syllables(pred), syllables(gold));
    if !tg.is_empty() && tp.len() <= 3 * tg.len() {
        let mut bag: HashMap<&str, usize> = HashMap::new();
        for t in &tp {
            *bag.entry(t).or_default() += 1;
        }
        let mut hit = 0;
        for t in &tg {
            if let Some(n) = bag.get_mut(t.as_str())
                && *n > 0
            {
                *n -= 1;
                hit += 1;
            }
        }
        if hit as f64 / tg.len() as f64 >= 0.8 {
            return 0.5;
        }
    }
    0.0
}

fn as_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| x.to_string())
            })
            .collect::<Vec<_>>()
            .join("; "),
        Some(Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

/// (count as f64 bits, per) pairs; f64 is compared through its bit pattern like Python floats.
fn target_set(v: Option<&Value>) -> HashSet<(u64, String)> {
    let mut out = HashSet::new();
    for t in v.and_then(Value::as_array).into_iter().flatten() {
        let count = match t.get("count") {
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        if let Some(c) = count {
            let per = t
                .get("per")
                .map(|p| {
                    p.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| p.to_string())
                })
                .unwrap_or_default();
            out.insert((c.to_bits(), per.trim().to_lowercase()));
        }
    }
    out
}

fn set_f1<T: std::hash::Hash + Eq>(a: &HashSet<T>, b: &HashSet<T>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count();
    if common == 0 {
        return 0.0;
    }
    let (p, r) = (
        common as f64 / a.len() as f64,
        common as f64 / b.len() as f64,
    );
    2.0 * p * r / (p + r)
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64() != Some(0.0),
    }
}

fn window_key(v: Option<&Value>) -> Option<(Value, Value)> {
    if !truthy(v) {
        return None;
    }
    let w = v?;
    Some((
        w.get("from").cloned().unwrap_or(Value::Null),
        w.get("to").cloned().unwrap_or(Value::Null),
    ))
}

fn field_scores(pred: &Value, gold: &Value) -> Vec<f64> {
    let mut s = vec![
        bag_f1(&as_text(pred.get("lead")), &as_text(gold.get("lead"))),
        bag_f1(
            &as_text(pred.get("partners")),
            &as_text(gold.get("partners")),
        ),
        set_f1(
            &target_set(pred.get("targets")),
            &target_set(gold.get("targets")),
        ),
    ];
    if truthy(gold.get("window")) || truthy(pred.get("window")) {
        s.push(
            if window_key(pred.get("window")) == window_key(gold.get("window")) {
                1.0
            } else {
                0.0
            },
        );
    }
    if truthy(gold.get("due")) || truthy(pred.get("due")) {
        let norm = |v: Option<&Value>| v.cloned().unwrap_or(Value::Null);
        s.push(if norm(pred.get("due")) == norm(gold.get("due")) {
            1.0
        } else {
            0.0
        });
    }
    s
}

fn norm_ref(r: &Value) -> String {
    let s = r
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| r.to_string());
    s.nfc()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

#[derive(Debug)]
pub struct Score {
    pub tasks_f1: f64,
    pub fields: f64,
    pub refs_f1: f64,
    pub gold: usize,
    pub predicted: usize,
    pub matched: usize,
}

pub fn score(pred: &Value, gold: &Value) -> Score {
    let empty = vec![];
    let gold_tasks = gold
        .get("tasks")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let pred_tasks: Vec<&Value> = pred
        .get("tasks")
        .and_then(Value::as_array)
        .unwrap_or(&empty)
        .iter()
        .filter(|t| !as_text(t.get("lead")).trim().is_empty())
        .collect();
    let title = |t: &Value| {
        t.get("title")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
    for (gi, g) in gold_tasks.iter().enumerate() {
        for (pi, p) in pred_tasks.iter().enumerate() {
            let s = title_match(&title(p), &title(g));
            if s > 0.0 {
                pairs.push((
                    s + 0.25 * bag_f1(&as_text(p.get("lead")), &as_text(g.get("lead"))),
                    gi,
                    pi,
                ));
            }
        }
    }
    // Python sorts tuples descending: by score, then gold index, then predicted index.
    pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(b.2.cmp(&a.2)));
    let (mut g_used, mut p_used) = (BTreeSet::new(), BTreeSet::new());
    let mut matched: HashMap<usize, usize> = HashMap::new();
    for (_, gi, pi) in pairs {
        if g_used.contains(&gi) || p_used.contains(&pi) {
            continue;
        }
        g_used.insert(gi);
        p_used.insert(pi);
        matched.insert(gi, pi);
    }
    let tp = matched.len() as f64;
    let prec = if pred_tasks.is_empty() {
        if gold_tasks.is_empty() { 1.0 } else { 0.0 }
    } else {
        tp / pred_tasks.len() as f64
    };
    let rec = if gold_tasks.is_empty() {
        1.0
    } else {
        tp / gold_tasks.len() as f64
    };
    let tasks_f1 = if prec + rec > 0.0 {
        2.0 * prec * rec / (prec + rec)
    } else {
        0.0
    };
    let (mut total, mut n) = (0.0, 0usize);
    for (gi, g) in gold_tasks.iter().enumerate() {
        let fs = match matched.get(&gi) {
            Some(&pi) => field_scores(pred_tasks[pi], g),
            None => {
                let mut v = vec![0.0; 3];
                if truthy(g.get("window")) {
                    v.push(0.0);
                }
                if truthy(g.get("due")) {
                    v.push(0.0);
                }
                v
            }
        };
        total += fs.iter().sum::<f64>();
        n += fs.len();
    }
    let fields = if n > 0 { total / n as f64 } else { 1.0 };
    let refs = |d: &Value| {
        d.get("references")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(norm_ref).collect::<HashSet<_>>())
            .unwrap_or_default()
    };
    Score {
        tasks_f1,
        fields,
        refs_f1: set_f1(&refs(pred), &refs(gold)),
        gold: gold_tasks.len(),
        predicted: pred_tasks.len(),
        matched: matched.len(),
    }
}
