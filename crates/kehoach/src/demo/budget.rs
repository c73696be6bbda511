//! The demo's budget cycle (issue 21) on the Quảng Nam plan: its lead departments and the radio-TV
//! station estimate in February 2024 (one late, one never), the Department consolidates and
//! sends, finance appraises (one line reduced, one rejected), the approval is recorded on
//! 15/03/2024 and some spending follows, so every page of the cycle has something to show.

use chrono::{NaiveDate, TimeZone, Utc};
use kehoach_core::budget::{Dong, Source};

use crate::store::{Change, NewBudgetLine, NewSpending, Store, StoreError};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

fn money(n: i64) -> Dong {
    Dong::new(n).unwrap_or_default()
}

/// Builds it on `plan_id` (the Quảng Nam plan).
pub async fn build(store: &Store, plan_id: i64, by: &Change) -> Result<(), StoreError> {
    let on = day(2024, 6, 1);
    let province = store.plan(plan_id).await?.and_then(|p| p.context_unit_id);
    let Some(province) = province else {
        return Ok(());
    };
    // The first assignment of each agency directly under the province, station first.
    let mut picked: Vec<(i64, i64)> = Vec::new();
    let station = store.unit_by_code("49.DPTTH", on).await?.map(|u| u.id);
    let assignments = store.assignments_of_plan(plan_id).await?;
    let mut ordered: Vec<_> = assignments.iter().collect();
    ordered.sort_by_key(|a| (Some(a.unit_id) != station, a.task_id));
    for a in ordered {
        if picked.iter().any(|(_, u)| *u == a.unit_id) || picked.len() >= 5 {
            continue;
        }
        if let Some(u) = store.unit(a.unit_id).await?
            && u.kind == "agency"
            && u.parent_id == Some(province)
        {
            picked.push((a.id, a.unit_id));
        }
    }
    let basis = "Thông tư số 40/2017/TT-BTC; Nghị quyết số 20/2017/NQ-HĐND tỉnh";
    let contents: [(&str, &str, i64, i64, Source); 6] = [
        (
            "Sản xuất chuyên mục, phóng sự về chuyển đổi số",
            "chương trình",
            12,
            4_500_000,
            Source::Province,
        ),
        (
            "Thiết kế, in ấn tờ rơi, áp phích",
            "tờ",
            5_000,
            1_200,
            Source::Province,
        ),
        (
            "Tổ chức hội nghị tuyên truyền",
            "hội nghị",
            2,
            18_000_000,
            Source::Province,
        ),
        (
            "Nhuận bút tin, bài",
            "tin bài",
            40,
            650_000,
            Source::Province,
        ),
        (
            "Tập huấn kỹ năng số cho cán bộ",
            "lớp",
            3,
            12_500_000,
            Source::Other,
        ),
        (
            "Thuê đường truyền phát trực tuyến",
            "tháng",
            6,
            2_300_000,
            Source::Province,
        ),
    ];
    let mut line_ids = Vec::new();
    for (i, (assignment, _)) in picked.iter().enumerate() {
        for k in 0..2 {
            let (content, measure, quantity, price, source) =
                contents[(i * 2 + k) % contents.len()];
            let line = NewBudgetLine {
                assignment_id: *assignment,
                content: content.into(),
                measure: measure.into(),
                quantity,
                unit_price: money(price),
                source,
                basis: basis.into(),
                note: String::new(),
            };
            if let Ok(row) = store.add_budget_line(&line, by).await? {
                line_ids.push(row.id);
            }
        }
    }
    // Submissions in February (the last unit never submits; the one before is late, in March).
    let submitting = picked.len().saturating_sub(1);
    for (i, (_, unit)) in picked.iter().take(submitting).enumerate() {
        let at = if i + 1 == submitting {
            Utc.with_ymd_and_hms(2024, 3, 4, 2, 0, 0)
        } else {
            Utc.with_ymd_and_hms(2024, 2, 20 + i as u32, 2, 0, 0)
        }
        .single()
        .unwrap_or_else(Utc::now);
        let _ = store.submit_estimate_at(plan_id, *unit, at, by).await?;
    }
    if store.send_budget(plan_id, by).await?.is_err() {
        return Ok(());
    }
    let lines = store.budget_lines(plan_id, true).await?;
    for (n, l) in lines.iter().filter(|l| l.state == "submitted").enumerate() {
        let (amount, comment) = match n {
            1 => (l.amount * 8 / 10, "Giảm 20% theo định mức chi"),
            3 => (0, "Nội dung trùng với Đề án của tỉnh, không bố trí"),
            _ => (l.amount, ""),
        };
        let _ = store
            .appraise_budget_line(l.id, money(amount), comment, by)
            .await?;
    }
    let _ = store
        .approve_budget(plan_id, "456/QĐ-UBND", day(2024, 3, 15), &[], by)
        .await?;
    let allocations = store.budget_allocations(plan_id).await?;
    for (i, a) in allocations.iter().filter(|a| a.amount > 0).enumerate() {
        let spends: &[(NaiveDate, i64, &str)] = match i % 3 {
            0 => &[
                (day(2024, 4, 12), 45, "Chi thực hiện đợt 1"),
                (day(2024, 8, 20), 40, "Chi thực hiện đợt 2"),
            ],
            1 => &[(day(2024, 6, 5), 60, "Chi thực hiện đợt 1")],
            _ => &[(
                day(2024, 10, 10),
                30,
                "Chi hưởng ứng Ngày Chuyển đổi số 10/10",
            )],
        };
        for (j, (date, percent, content)) in spends.iter().enumerate() {
            let s = NewSpending {
                assignment_id: a.assignment_id,
                spent_on: *date,
                amount: money(a.amount / 100 * percent),
                content: (*content).into(),
                voucher: format!("PC-{:03}", i * 10 + j + 1),
                file: None,
                recorded_by: None,
            };
            let _ = store.record_spending(&s, by).await?;
        }
    }
    Ok(())
}
