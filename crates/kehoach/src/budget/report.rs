//! The report's "Kinh phí" part (the report writer leaves it out when a plan has no budget):
//! per task, the allocation, what was spent in the period and the cost per output (spent ÷ the
//! quantity of the task's activities in the period). Pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::fmt;
use crate::export::report::{Item, Part, ReportContent};
use crate::store::{ActivitySumRow, AllocationRow, SpendingRow, TaskRow};
use kehoach_core::budget::Dong;

/// The part's items (under a heading for a report without "II."), or `None` when nothing was
/// allocated or spent.
pub fn kinh_phi_part(
    tasks: &[TaskRow],
    allocations: &[AllocationRow],
    spending: &[SpendingRow],
    sums: &[ActivitySumRow],
    from: NaiveDate,
    to: NaiveDate,
) -> Option<Part> {
    let mut allocated: BTreeMap<i64, Dong> = BTreeMap::new();
    let mut spent: BTreeMap<i64, Dong> = BTreeMap::new();
    let add = |m: &mut BTreeMap<i64, Dong>, task: i64, amount: i64| {
        let e = m.entry(task).or_default();
        *e = e
            .checked_add(Dong::new(amount).unwrap_or_default())
            .unwrap_or(Dong::CEILING);
    };
    for a in allocations {
        add(&mut allocated, a.task_id, a.amount);
    }
    for s in spending
        .iter()
        .filter(|s| s.spent_on >= from && s.spent_on <= to)
    {
        add(&mut spent, s.task_id, s.amount);
    }
    if allocated.is_empty() && spent.is_empty() {
        return None;
    }
    let mut outputs: BTreeMap<i64, f64> = BTreeMap::new();
    for s in sums {
        *outputs.entry(s.task_id).or_default() += s.quantity;
    }
    let total_allocated = Dong::sum(allocated.values().copied()).unwrap_or(Dong::CEILING);
    let total_spent = Dong::sum(spent.values().copied()).unwrap_or(Dong::CEILING);
    let share = if total_allocated.get() > 0 {
        // Per mille in integers, printed with one decimal: no float on the money path.
        let permille = (total_spent.get() as i128 * 1000 + total_allocated.get() as i128 / 2)
            / total_allocated.get() as i128;
        format!(" ({},{}%)", permille / 10, permille % 10)
    } else {
        String::new()
    };
    let mut items = vec![Item::Para(format!(
        "Tổng kinh phí được phân bổ: {total_allocated}; đã chi trong kỳ: {total_spent}{share}."
    ))];
    let mut rows = Vec::new();
    for t in tasks {
        let (a, s) = (allocated.get(&t.id), spent.get(&t.id));
        if a.is_none() && s.is_none() {
            continue;
        }
        let s = s.copied().unwrap_or_default();
        // Outputs are activity quantities (counts of broadcasts, articles, sessions): whole
        // numbers in practice; the cost per output rounds to the đồng.
        let n = outputs.get(&t.id).copied().unwrap_or(0.0).round().max(0.0) as u64;
        let per = s.per(n).map(|d| fmt(d.get())).unwrap_or_else(|| "-".into());
        // The report's small table is TT | text | figure | figure: the cost per output goes
        // with the task's name.
        rows.push(vec![
            (rows.len() + 1).to_string(),
            format!("{} {} (chi phí/sản phẩm: {per})", t.reference, t.title),
            a.map(|d| fmt(d.get())).unwrap_or_else(|| "-".into()),
            fmt(s.get()),
        ]);
    }
    items.push(Item::Table(
        vec![
            "TT".into(),
            "Nhiệm vụ".into(),
            "Được phân bổ".into(),
            "Đã chi".into(),
        ],
        rows,
    ));
    Some(Part {
        heading: "KINH PHÍ THỰC HIỆN".into(),
        items,
    })
}

/// Appends the part's items to "II. Kết quả thực hiện" as its next numbered item ("4. Kinh phí
/// thực hiện"), where a reader of such reports looks for the money; the parts keep their numbers.
/// A report without that part gets the items as a part of their own before the last.
pub fn insert(content: &mut ReportContent, part: Part) {
    let results = content
        .parts
        .iter_mut()
        .find(|p| p.heading.starts_with("II. "));
    match results {
        Some(results) => {
            let n = results
                .items
                .iter()
                .filter(|i| matches!(i, Item::Heading(h) if h.chars().next().is_some_and(|c| c.is_ascii_digit())))
                .count();
            results
                .items
                .push(Item::Heading(format!("{}. Kinh phí thực hiện", n + 1)));
            results.items.extend(part.items);
        }
        None => {
            let at = content.parts.len().saturating_sub(1);
            content.parts.insert(at, part);
        }
    }
}
