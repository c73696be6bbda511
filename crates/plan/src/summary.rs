//! A readable summary of a plan for `kehoach plan parse FILE` (without --json).

use crate::model::{Per, Plan, Span};
use std::fmt::Write;

fn per_vi(p: Per) -> &'static str {
    match p {
        Per::Day => "ngày",
        Per::Week => "tuần",
        Per::Month => "tháng",
        Per::Quarter => "quý",
        Per::Year => "năm",
        Per::Plan => "cả kế hoạch",
    }
}

fn span(s: &Span) -> String {
    match s.to {
        Some(to) => format!("{} → {}", s.from, to),
        None => format!("{} → (không thời hạn / open)", s.from),
    }
}

/// Vietnamese first, English after the slash.
pub fn summary(plan: &Plan) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Kế hoạch / Plan: {}", plan.title);
    if let Some(i) = &plan.issuer {
        let _ = writeln!(s, "Cơ quan ban hành / Issuer: {i}");
    }
    if let Some(n) = &plan.number {
        let _ = writeln!(s, "Số / Number: {n}");
    }
    if let Some(d) = &plan.issued_on {
        let _ = writeln!(
            s,
            "Ngày ban hành / Issued: {d}{}",
            plan.place
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default()
        );
    }
    if let Some(p) = &plan.period {
        let _ = writeln!(s, "Thời gian / Period: {}", span(p));
    }
    if !plan.references.is_empty() {
        let _ = writeln!(
            s,
            "Văn bản căn cứ / References ({}): {}",
            plan.references.len(),
            plan.references.join(", ")
        );
    }
    let _ = writeln!(s, "Nhiệm vụ / Tasks: {}", plan.tasks.len());
    for t in &plan.tasks {
        let _ = writeln!(s, "\n  [{}] {}", t.ref_, t.title);
        let _ = writeln!(s, "      Chủ trì / Lead: {}", t.lead);
        if !t.partners.is_empty() {
            let _ = writeln!(s, "      Phối hợp / Partners: {}", t.partners);
        }
        if !t.targets.is_empty() {
            let ts: Vec<String> = t
                .targets
                .iter()
                .map(|x| format!("{} {} / {}", x.count, x.unit, per_vi(x.per)))
                .collect();
            let _ = writeln!(s, "      Chỉ tiêu / Targets: {}", ts.join("; "));
        }
        if let Some(w) = &t.window {
            let _ = writeln!(s, "      Thời gian / Window: {}", span(w));
        }
        if let Some(d) = &t.due {
            let _ = writeln!(s, "      Hạn / Due: {d}");
        }
    }
    s
}
