//! The budget workbook (rust_xlsxwriter): one sheet per table — the estimate lines, the
//! consolidation per unit and task, the appraisal, the allocations, the spending. Pure: data in,
//! bytes out.
//!
//! Amounts are whole đồng written as numbers so the sheet can sum them; every amount is at most
//! 10^15, below 2^53, so the spreadsheet's double holds it exactly.

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::BudgetStatus;
use crate::store::{BudgetLineRow, SpendingRow};
use kehoach_core::budget::Source;

/// What the workbook holds.
pub struct BudgetBook<'a> {
    /// "Kế hoạch số 3604/KH-UBND …".
    pub title: &'a str,
    pub status: &'a BudgetStatus,
    pub lines: &'a [BudgetLineRow],
    pub spending: &'a [SpendingRow],
}

const HEADER_ROW: u32 = 2;

fn header(
    ws: &mut Worksheet,
    title: &str,
    sheet: &str,
    cols: &[(&str, f64)],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold().set_font_size(13);
    ws.write_string_with_format(0, 0, sheet, &bold)?;
    ws.write_string_with_format(1, 0, title, &Format::new().set_italic())?;
    let h = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border(FormatBorder::Thin);
    for (i, (name, width)) in cols.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, i as u16, *name, &h)?;
        ws.set_column_width(i as u16, *width)?;
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(())
}

fn money_format() -> Format {
    Format::new().set_num_format("#,##0")
}

fn amount(ws: &mut Worksheet, row: u32, col: u16, value: i64) -> Result<(), XlsxError> {
    ws.write_number_with_format(row, col, value as f64, &money_format())?;
    Ok(())
}

fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<(), XlsxError> {
    let v: String = value.chars().take(32_000).collect();
    ws.write_string(row, col, v)?;
    Ok(())
}

fn source_name(code: &str) -> &'static str {
    Source::parse(code).map(Source::vietnamese).unwrap_or("")
}

fn state_vi(state: &str) -> &'static str {
    match state {
        "draft" => "Đang lập",
        "submitted" => "Đã gửi",
        "returned" => "Trả lại",
        _ => "Chưa lập",
    }
}

/// The workbook's bytes.
pub fn workbook(b: &BudgetBook<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();

    // 1. Dự toán: every current line, as units wrote them.
    let ws = wb.add_worksheet().set_name("Dự toán")?;
    header(
        ws,
        b.title,
        "Dự toán kinh phí của các đơn vị",
        &[
            ("Mã dòng", 9.0),
            ("Đơn vị", 28.0),
            ("Nhiệm vụ", 30.0),
            ("Nội dung chi", 36.0),
            ("Đơn vị tính", 11.0),
            ("Số lượng", 9.0),
            ("Đơn giá (đồng)", 14.0),
            ("Thành tiền (đồng)", 16.0),
            ("Nguồn kinh phí", 16.0),
            ("Căn cứ", 28.0),
            ("Ghi chú", 20.0),
            ("Lần lập", 8.0),
            ("Trạng thái", 11.0),
        ],
    )?;
    for (i, l) in b.lines.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        ws.write_number(r, 0, l.id as f64)?;
        text(ws, r, 1, &l.unit_name)?;
        text(ws, r, 2, &format!("{} {}", l.task_ref, l.task_title))?;
        text(ws, r, 3, &l.content)?;
        text(ws, r, 4, &l.measure)?;
        ws.write_number(r, 5, l.quantity as f64)?;
        amount(ws, r, 6, l.unit_price)?;
        amount(ws, r, 7, l.amount)?;
        text(ws, r, 8, source_name(&l.source))?;
        text(ws, r, 9, &l.basis)?;
        text(ws, r, 10, &l.note)?;
        ws.write_number(r, 11, l.version as f64)?;
        text(ws, r, 12, state_vi(&l.state))?;
    }

    // 2. Tổng hợp: per unit and task, every stage.
    let ws = wb.add_worksheet().set_name("Tổng hợp")?;
    header(
        ws,
        b.title,
        "Tổng hợp dự toán theo đơn vị và nhiệm vụ",
        &[
            ("Đơn vị", 30.0),
            ("Trạng thái dự toán", 14.0),
            ("Nhiệm vụ", 36.0),
            ("Dự toán (đồng)", 15.0),
            ("Đề nghị (đồng)", 15.0),
            ("Thẩm định (đồng)", 15.0),
            ("Phê duyệt (đồng)", 15.0),
            ("Đã chi (đồng)", 15.0),
            ("Còn lại (đồng)", 15.0),
        ],
    )?;
    let bold_money = money_format().set_bold();
    let bold = Format::new().set_bold();
    let mut r = HEADER_ROW + 1;
    for u in &b.status.units {
        for t in &u.tasks {
            text(ws, r, 0, &u.unit_name)?;
            text(ws, r, 1, state_vi(&u.state))?;
            text(ws, r, 2, &format!("{} {}", t.task_ref, t.task_title))?;
            let f = &t.figures;
            for (c, v) in [
                f.estimated,
                f.proposed,
                f.appraised,
                f.approved,
                f.spent,
                f.left(),
            ]
            .into_iter()
            .enumerate()
            {
                amount(ws, r, 3 + c as u16, v)?;
            }
            r += 1;
        }
        ws.write_string_with_format(r, 0, format!("Cộng {}", u.unit_name), &bold)?;
        text(ws, r, 1, state_vi(&u.state))?;
        let f = &u.total;
        for (c, v) in [
            f.estimated,
            f.proposed,
            f.appraised,
            f.approved,
            f.spent,
            f.left(),
        ]
        .into_iter()
        .enumerate()
        {
            ws.write_number_with_format(r, 3 + c as u16, v as f64, &bold_money)?;
        }
        r += 1;
    }
    ws.write_string_with_format(r, 0, "TỔNG CỘNG", &bold)?;
    let f = &b.status.total;
    for (c, v) in [
        f.estimated,
        f.proposed,
        f.appraised,
        f.approved,
        f.spent,
        f.left(),
    ]
    .into_iter()
    .enumerate()
    {
        ws.write_number_with_format(r, 3 + c as u16, v as f64, &bold_money)?;
    }

    // 3. Thẩm định: line by line, proposal and appraisal side by side.
    let ws = wb.add_worksheet().set_name("Thẩm định")?;
    header(
        ws,
        b.title,
        "Kết quả thẩm định từng dòng dự toán",
        &[
            ("Mã dòng", 9.0),
            ("Đơn vị", 28.0),
            ("Nội dung chi", 36.0),
            ("Dự toán (đồng)", 15.0),
            ("Đề nghị (đồng)", 15.0),
            ("Ý kiến cơ quan tổng hợp", 24.0),
            ("Thẩm định (đồng)", 15.0),
            ("Ý kiến thẩm định", 30.0),
        ],
    )?;
    for (i, l) in b
        .lines
        .iter()
        .filter(|l| l.state == "submitted")
        .enumerate()
    {
        let r = HEADER_ROW + 1 + i as u32;
        ws.write_number(r, 0, l.id as f64)?;
        text(ws, r, 1, &l.unit_name)?;
        text(ws, r, 2, &l.content)?;
        amount(ws, r, 3, l.amount)?;
        amount(ws, r, 4, l.proposed())?;
        text(ws, r, 5, l.proposal_note.as_deref().unwrap_or(""))?;
        match l.appraised_amount {
            Some(a) => amount(ws, r, 6, a)?,
            None => text(ws, r, 6, "Chưa thẩm định")?,
        }
        text(ws, r, 7, l.appraisal_comment.as_deref().unwrap_or(""))?;
    }

    // 4. Phân bổ: the allocations per unit and task.
    let ws = wb.add_worksheet().set_name("Phân bổ")?;
    let decision = match (&b.status.decision_number, b.status.decision_date) {
        (Some(n), Some(d)) => format!("Quyết định số {n} ngày {}", d.format("%d/%m/%Y")),
        _ => "Chưa có quyết định phê duyệt".into(),
    };
    header(
        ws,
        &decision,
        "Kinh phí được phân bổ",
        &[
            ("Đơn vị", 30.0),
            ("Nhiệm vụ", 40.0),
            ("Phân bổ (đồng)", 16.0),
            ("Đã chi (đồng)", 16.0),
            ("Còn lại (đồng)", 16.0),
        ],
    )?;
    let mut r = HEADER_ROW + 1;
    for u in &b.status.units {
        for t in u
            .tasks
            .iter()
            .filter(|t| t.figures.approved > 0 || t.figures.spent > 0)
        {
            text(ws, r, 0, &u.unit_name)?;
            text(ws, r, 1, &format!("{} {}", t.task_ref, t.task_title))?;
            amount(ws, r, 2, t.figures.approved)?;
            amount(ws, r, 3, t.figures.spent)?;
            amount(ws, r, 4, t.figures.left())?;
            r += 1;
        }
    }

    // 5. Chi: every spending.
    let ws = wb.add_worksheet().set_name("Chi")?;
    header(
        ws,
        b.title,
        "Tình hình chi",
        &[
            ("Ngày chi", 11.0),
            ("Đơn vị", 28.0),
            ("Mã giao việc", 10.0),
            ("Nội dung", 36.0),
            ("Số tiền (đồng)", 15.0),
            ("Số chứng từ", 14.0),
            ("Tệp chứng từ", 24.0),
        ],
    )?;
    for (i, s) in b.spending.iter().enumerate() {
        let r = HEADER_ROW + 1 + i as u32;
        text(ws, r, 0, &s.spent_on.format("%d/%m/%Y").to_string())?;
        text(ws, r, 1, &s.unit_name)?;
        ws.write_number(r, 2, s.assignment_id as f64)?;
        text(ws, r, 3, &s.content)?;
        amount(ws, r, 4, s.amount)?;
        text(ws, r, 5, &s.voucher)?;
        text(ws, r, 6, s.file_name.as_deref().unwrap_or(""))?;
    }
    wb.save_to_buffer()
}
