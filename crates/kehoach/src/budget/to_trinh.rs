//! The "Tờ trình" that sends a plan's consolidated estimate to finance: the report writer's
//! Decree 30 layout (`export::report_docx`) and header (`export::issuer`, through
//! `export::report_content`), with its own title, body and the consolidated table as Phụ lục.

use chrono::NaiveDate;

use super::{BudgetStatus, fmt};
use crate::export::report::{Appendix, Item, Part, ReportContent, Row};
use crate::export::{ExportError, ReportOverrides, report_content, report_docx, vn};
use crate::store::{BudgetLineRow, PlanRow, Store};
use kehoach_core::budget::{Dong, Source};

/// Who appraises a plan's budget, by the level of the plan's issuer.
pub fn finance_body(context_kind: Option<&str>) -> &'static str {
    match context_kind {
        Some("district") => "Phòng Tài chính - Kế hoạch",
        Some("commune") => "Ban Tài chính xã",
        _ => "Sở Tài chính",
    }
}

/// The .docx of the Tờ trình for `plan`, issued by the unit with `issuer_code` (the plan
/// office; `None`: the plan's issuer), dated `today`.
pub async fn render(
    store: &Store,
    plan: &PlanRow,
    issuer_code: Option<&str>,
    status: &BudgetStatus,
    lines: &[BudgetLineRow],
    today: NaiveDate,
) -> Result<Vec<u8>, ExportError> {
    let year = plan
        .period_from
        .or(plan.issued_on)
        .map(|d| chrono::Datelike::year(&d))
        .unwrap_or(2024);
    let base = report_content(
        store,
        plan.id,
        issuer_code,
        year,
        today,
        &ReportOverrides {
            dated: Some(today),
            ..ReportOverrides::default()
        },
    )
    .await?;
    let context_kind = match plan.context_unit_id {
        Some(id) => store.unit(id).await?.map(|u| u.kind),
        None => None,
    };
    let content = compose(
        base,
        plan,
        status,
        lines,
        finance_body(context_kind.as_deref()),
    );
    Ok(report_docx::render_titled(&content, "TỜ TRÌNH")?)
}

/// The Tờ trình's words over the report's header and signature block.
pub fn compose(
    mut c: ReportContent,
    plan: &PlanRow,
    status: &BudgetStatus,
    lines: &[BudgetLineRow],
    finance: &str,
) -> ReportContent {
    let number = plan.number.clone().unwrap_or_default();
    let plan_name = if number.is_empty() {
        format!("Kế hoạch {}", plan.title)
    } else {
        format!("Kế hoạch số {number}")
    };
    c.number_line = c.number_line.replace("/BC-", "/TTr-");
    c.summary = format!("Về việc thẩm định dự toán kinh phí thực hiện {plan_name}");
    c.recipients = vec![format!("{finance}.")];
    let issued = plan
        .issued_on
        .map(|d| format!(" {}", vn::long_date(d)))
        .unwrap_or_default();
    let issuer = plan.issuer.clone().unwrap_or_default();
    // "Kế hoạch số 3604/KH-UBND ngày … của … về …"; without a number the title says it all.
    let about = if number.is_empty() {
        String::new()
    } else {
        format!(" về {}", plan.title.trim_start_matches("Kế hoạch").trim())
    };
    c.intro = format!(
        "Căn cứ {plan_name}{issued} của {issuer}{about}; trên cơ sở dự toán kinh phí của các cơ \
         quan, đơn vị được giao chủ trì thực hiện nhiệm vụ, cơ quan tổng hợp kính trình {finance} \
         thẩm định dự toán kinh phí như sau:"
    );
    let submitted: Vec<_> = status
        .units
        .iter()
        .filter(|u| u.state == "submitted")
        .collect();
    let missing: Vec<&str> = status
        .units
        .iter()
        .filter(|u| u.state != "submitted")
        .map(|u| u.unit_name.as_str())
        .collect();
    let mut items = vec![Item::Para(format!(
        "Có {}/{} cơ quan, đơn vị chủ trì nhiệm vụ đã gửi dự toán kinh phí (hạn gửi {}).{}",
        submitted.len(),
        status.units.len(),
        vn::short_date(status.deadline),
        if missing.is_empty() {
            String::new()
        } else if missing.len() <= 10 {
            format!(" Chưa gửi: {}.", missing.join(", "))
        } else {
            format!(" Còn {} đơn vị chưa gửi.", missing.len())
        }
    ))];
    items.push(Item::Para(format!(
        "Tổng kinh phí các đơn vị dự toán: {}; tổng kinh phí đề nghị thẩm định: {}.",
        fmt(status.total.estimated),
        fmt(status.total.proposed)
    )));
    // By source of funds.
    let submitted_lines: Vec<&BudgetLineRow> =
        lines.iter().filter(|l| l.state == "submitted").collect();
    let mut by_source = Vec::new();
    for s in Source::ALL {
        let sum = Dong::sum(
            submitted_lines
                .iter()
                .filter(|l| l.source == s.code())
                .map(|l| Dong::new(l.proposed()).unwrap_or_default()),
        )
        .unwrap_or_default();
        if sum.get() > 0 {
            by_source.push(format!("{}: {sum}", s.vietnamese()));
        }
    }
    if !by_source.is_empty() {
        items.push(Item::Para(format!(
            "Theo nguồn kinh phí: {}.",
            by_source.join("; ")
        )));
    }
    c.parts = vec![
        Part {
            heading: "I. TỔNG HỢP DỰ TOÁN KINH PHÍ".into(),
            items,
        },
        Part {
            heading: "II. ĐỀ NGHỊ".into(),
            items: vec![Item::Para(format!(
                "Kính đề nghị {finance} thẩm định nội dung, kinh phí, tham mưu cấp có thẩm quyền \
                 xem xét, phê duyệt phân bổ dự toán để các cơ quan, đơn vị triển khai thực hiện \
                 (chi tiết tại Phụ lục kèm theo)."
            ))],
        },
    ];
    c.closing = format!("Kính trình {finance} xem xét, thẩm định./.");
    c.copies = vec!["- Như trên;".into(), "- Lưu: VT.".into()];

    // Phụ lục: the consolidated table, unit by unit.
    let mut rows = Vec::new();
    let mut n = 0;
    for u in &status.units {
        let unit_lines: Vec<&&BudgetLineRow> = submitted_lines
            .iter()
            .filter(|l| l.unit_id == u.unit_id)
            .collect();
        if unit_lines.is_empty() {
            continue;
        }
        rows.push(Row::Group(format!(
            "{} (cộng: {})",
            u.unit_name,
            fmt(u.total.proposed)
        )));
        for l in unit_lines {
            n += 1;
            rows.push(Row::Cells(vec![
                n.to_string(),
                format!("{} {}", l.task_ref, l.task_title),
                l.content.clone(),
                l.measure.clone(),
                kehoach_core::budget::group_thousands(l.quantity),
                kehoach_core::budget::group_thousands(l.unit_price),
                kehoach_core::budget::group_thousands(l.amount),
                kehoach_core::budget::group_thousands(l.proposed()),
                Source::parse(&l.source)
                    .map(Source::vietnamese)
                    .unwrap_or("")
                    .to_string(),
            ]));
        }
    }
    rows.push(Row::Cells(vec![
        String::new(),
        "TỔNG CỘNG".into(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        kehoach_core::budget::group_thousands(status.total.estimated),
        kehoach_core::budget::group_thousands(status.total.proposed),
        String::new(),
    ]));
    c.appendices = vec![Appendix {
        title: "Phụ lục".into(),
        name: "DỰ TOÁN KINH PHÍ TỔNG HỢP THEO CƠ QUAN, ĐƠN VỊ VÀ NHIỆM VỤ".into(),
        attached: format!("(Kèm theo Tờ trình {})", plan_name_short(&c.number_line)),
        landscape: true,
        widths_mm: vec![10.0, 48.0, 56.0, 16.0, 14.0, 24.0, 26.0, 26.0, 22.0],
        centre_from: 3,
        header: vec![
            "TT".into(),
            "Nhiệm vụ".into(),
            "Nội dung chi".into(),
            "Đơn vị tính".into(),
            "Số lượng".into(),
            "Đơn giá (đồng)".into(),
            "Đơn vị dự toán (đồng)".into(),
            "Đề nghị thẩm định (đồng)".into(),
            "Nguồn kinh phí".into(),
        ],
        rows,
    }];
    c
}

/// "số 12/TTr-STTTT" from "Số: 12/TTr-STTTT"; "số      /TTr-…" while the number is blank.
fn plan_name_short(number_line: &str) -> String {
    let rest = number_line.trim_start_matches("Số:").trim_end();
    format!("số{rest}")
}
