//! The .xlsx exports (rust_xlsxwriter): the compliance table (units × periods, a status and a
//! colour per cell, one sheet per kind of period, and a summary sheet), and the activities with
//! their evidence links. Pure: data in, workbook bytes out.
//!
//! Every sheet stands on its own when printed or forwarded: a title row, a row with the date the
//! figures are as of (and, on the period sheets, the colours' legend), the table's header on
//! [`HEADER_ROW`] repeated on each printed page, A4 landscape fitted to the page's width.

use kehoach_core::compliance::{DeadlineState, PeriodStatus};
use kehoach_core::period::Per;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use super::ActivityRecord;
use crate::compliance::PlanCompliance;
use crate::store::EvidenceRow;

/// Excel's limit on the text of one cell.
const MAX_CELL_CHARS: usize = 32_000;
/// Excel's limits on a hyperlink's length and on hyperlinks per sheet.
const MAX_URL_CHARS: usize = 2_000;
const MAX_LINKS_PER_SHEET: usize = 60_000;

/// The Vietnamese word of a period status, as the cells show it.
pub fn status_vi(status: PeriodStatus) -> &'static str {
    match status {
        PeriodStatus::Met => "Đạt",
        PeriodStatus::Partial => "Chưa đủ",
        PeriodStatus::Missed => "Không thực hiện",
        PeriodStatus::Open => "Đang diễn ra",
        PeriodStatus::Future => "Chưa đến",
    }
}

/// The fill of a status cell: green met, amber partial, red missed, blue open, grey future.
pub fn status_colour(status: PeriodStatus) -> u32 {
    match status {
        PeriodStatus::Met => 0xC6EFCE,
        PeriodStatus::Partial => 0xFFEB9C,
        PeriodStatus::Missed => 0xFFC7CE,
        PeriodStatus::Open => 0xDDEBF7,
        PeriodStatus::Future => 0xF2F2F2,
    }
}

pub fn deadline_vi(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::DoneOnTime => "Đã hoàn thành đúng hạn",
        DeadlineState::DoneLate => "Đã hoàn thành nhưng quá hạn",
        DeadlineState::NotDoneWithinDeadline => "Chưa hoàn thành, còn trong hạn",
        DeadlineState::NotDoneOverdue => "Chưa hoàn thành, đã quá hạn",
    }
}

fn sheet_name(per: Per) -> &'static str {
    match per {
        Per::Day => "Theo ngày",
        Per::Week => "Theo tuần",
        Per::Month => "Theo tháng",
        Per::Quarter => "Theo quý",
        Per::Year => "Theo năm",
        Per::Plan => "Cả kế hoạch",
    }
}

/// The row of a sheet's table header: the title and the date line are above it.
pub const HEADER_ROW: u32 = 2;

/// The two lines above a sheet's table: what it is, and as of when.
#[derive(Debug, Clone, Default)]
pub struct Heading {
    /// "Theo dõi thực hiện Kế hoạch truyền thông chuyển đổi số tỉnh Quảng Nam năm 2024".
    pub title: String,
    /// "Số liệu đánh giá ngày 20/11/2024".
    pub note: String,
}

/// Writes the title and the note above the table, and sets the page up for print.
fn write_heading(ws: &mut Worksheet, h: &Heading, last_col: u16) -> Result<(), XlsxError> {
    let title = Format::new().set_bold().set_font_size(14);
    let note = Format::new().set_italic();
    ws.merge_range(0, 0, 0, last_col.max(1), &cell_text(&h.title), &title)?;
    ws.write_string_with_format(1, 0, cell_text(&h.note), &note)?;
    ws.set_landscape();
    // A4.
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(HEADER_ROW, HEADER_ROW)?;
    Ok(())
}

fn cell_text(s: &str) -> String {
    if s.len() <= MAX_CELL_CHARS {
        s.to_string()
    } else {
        s.chars().take(MAX_CELL_CHARS).collect()
    }
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_background_color(Color::RGB(0xD9D9D9))
        .set_border(rust_xlsxwriter::FormatBorder::Thin)
}

fn write_header(ws: &mut Worksheet, headers: &[&str], widths: &[f64]) -> Result<(), XlsxError> {
    let h = header_format();
    for (col, name) in headers.iter().enumerate() {
        ws.write_string_with_format(HEADER_ROW, col as u16, *name, &h)?;
        if let Some(&w) = widths.get(col) {
            ws.set_column_width(col as u16, w)?;
        }
    }
    ws.set_freeze_panes(HEADER_ROW + 1, 0)?;
    Ok(())
}

fn date(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    use chrono::Datelike;
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )
}

/// The column header of a period: its label and, for a week, its dates ("Tuần 05/2024
/// 29/01–04/02").
fn period_header(p: &kehoach_core::compliance::PeriodReport) -> String {
    match p.period().kind() {
        Some(Per::Week) => format!(
            "{}\n{}–{}",
            p.label(),
            p.start.format("%d/%m"),
            p.end.format("%d/%m")
        ),
        _ => p.label(),
    }
}

/// The compliance workbook: "Tổng hợp" (one row per assignment: periods met of ended, rates,
/// deadline state, activities) and one sheet per kind of period with the units × periods table,
/// its columns the periods that end in `year` (the year asked for: a 2024 book has no "Tuần
/// 01/2025"); the summary counts those periods and that year's deadlines only.
pub fn compliance_workbook(
    c: &PlanCompliance,
    heading: &Heading,
    year: i32,
) -> Result<Vec<u8>, XlsxError> {
    let year = super::report_period::ReportPeriod::year(year);
    let mut wb = Workbook::new();
    let percent = Format::new().set_num_format("0.0%");
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");

    let ws = wb.add_worksheet();
    ws.set_name("Tổng hợp")?;
    write_heading(ws, heading, 12)?;
    write_header(
        ws,
        &[
            "TT",
            "Mã NV",
            "Nhiệm vụ",
            "Mã đơn vị",
            "Đơn vị chủ trì",
            "Chỉ tiêu",
            "Kỳ đạt",
            "Kỳ đã kết thúc",
            "Tỷ lệ đạt",
            "Tỷ lệ đúng hạn",
            "Hạn hoàn thành",
            "Tình trạng",
            "Số hoạt động",
        ],
        &[
            5.0, 8.0, 40.0, 12.0, 30.0, 24.0, 8.0, 10.0, 10.0, 10.0, 12.0, 28.0, 10.0,
        ],
    )?;
    let mut row = HEADER_ROW + 1;
    let mut n = 0u32;
    for task in &c.tasks {
        for a in &task.assignments {
            n += 1;
            let tally: kehoach_core::compliance::Tally = a
                .targets
                .iter()
                .flat_map(|t| &t.periods)
                .filter(|p| year.counts(p))
                .map(kehoach_core::compliance::Tally::of_period)
                .sum();
            let targets = a
                .targets
                .iter()
                .map(|t| {
                    format!(
                        "{} {}/{}",
                        super::vn::number(t.count, 2),
                        t.unit,
                        t.per.vi()
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            ws.write_number(row, 0, f64::from(n))?;
            ws.write_string(row, 1, cell_text(&task.reference))?;
            ws.write_string(row, 2, cell_text(&task.title))?;
            ws.write_string(row, 3, cell_text(&a.unit.code))?;
            ws.write_string(row, 4, cell_text(&a.unit.name))?;
            ws.write_string(row, 5, cell_text(&targets))?;
            ws.write_number(row, 6, tally.met as f64)?;
            ws.write_number(row, 7, tally.ended as f64)?;
            if let Some(r) = tally.reporting_rate() {
                ws.write_number_with_format(row, 8, r, &percent)?;
            }
            if let Some(r) = tally.on_time_rate() {
                ws.write_number_with_format(row, 9, r, &percent)?;
            }
            // A deadline of another year is that year's business.
            if let Some(due) = task.due.filter(|&d| year.has_deadline(d)) {
                ws.write_datetime_with_format(row, 10, date(due)?, &date_fmt)?;
                if let Some(state) = a.state {
                    ws.write_string(row, 11, deadline_vi(state))?;
                }
            }
            ws.write_number(row, 12, a.activity_count as f64)?;
            row += 1;
        }
    }
    if row > HEADER_ROW + 1 {
        ws.autofilter(HEADER_ROW, 0, row - 1, 12)?;
    }

    for per in Per::ALL.into_iter().filter(|p| p.is_recurring()) {
        // The columns: every period of this kind that any target shows, in date order.
        let mut periods: Vec<(chrono::NaiveDate, String)> = c
            .tasks
            .iter()
            .flat_map(|t| &t.assignments)
            .flat_map(|a| &a.targets)
            .filter(|t| t.per == per)
            .flat_map(|t| {
                t.periods
                    .iter()
                    .filter(|p| year.counts(p))
                    .map(|p| (p.start, period_header(p)))
            })
            .collect();
        if periods.is_empty() {
            continue;
        }
        periods.sort();
        periods.dedup();
        let column_of: std::collections::HashMap<chrono::NaiveDate, u16> = periods
            .iter()
            .enumerate()
            .map(|(i, (start, _))| (*start, 5 + i as u16))
            .collect();
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(per))?;
        write_heading(ws, heading, 4 + periods.len() as u16)?;
        let mut headers = vec![
            "Mã NV",
            "Nhiệm vụ",
            "Mã đơn vị",
            "Đơn vị chủ trì",
            "Chỉ tiêu",
        ];
        headers.extend(periods.iter().map(|(_, l)| l.as_str()));
        let mut widths = vec![8.0, 36.0, 12.0, 28.0, 18.0];
        widths.extend(std::iter::repeat_n(12.0, periods.len()));
        write_header(ws, &headers, &widths)?;
        ws.set_freeze_panes(HEADER_ROW + 1, 5)?;
        ws.set_row_height(HEADER_ROW, 30)?;
        let formats: std::collections::HashMap<PeriodStatus, Format> = [
            PeriodStatus::Met,
            PeriodStatus::Partial,
            PeriodStatus::Missed,
            PeriodStatus::Open,
            PeriodStatus::Future,
        ]
        .into_iter()
        .map(|s| {
            (
                s,
                Format::new()
                    .set_background_color(Color::RGB(status_colour(s)))
                    .set_align(FormatAlign::Center)
                    .set_border(rust_xlsxwriter::FormatBorder::Thin),
            )
        })
        .collect();
        // The legend, on the date's row: each status in its colour.
        ws.write_string(1, 3, "Chú thích:")?;
        for (i, s) in [
            PeriodStatus::Met,
            PeriodStatus::Partial,
            PeriodStatus::Missed,
            PeriodStatus::Open,
            PeriodStatus::Future,
        ]
        .into_iter()
        .enumerate()
        {
            ws.write_string_with_format(1, 4 + i as u16, status_vi(s), &formats[&s])?;
        }
        let mut row = HEADER_ROW + 1;
        for task in &c.tasks {
            for a in &task.assignments {
                for t in a.targets.iter().filter(|t| t.per == per) {
                    ws.write_string(row, 0, cell_text(&task.reference))?;
                    ws.write_string(row, 1, cell_text(&task.title))?;
                    ws.write_string(row, 2, cell_text(&a.unit.code))?;
                    ws.write_string(row, 3, cell_text(&a.unit.name))?;
                    ws.write_string(
                        row,
                        4,
                        cell_text(&format!("{} {}", super::vn::number(t.count, 2), t.unit)),
                    )?;
                    for p in &t.periods {
                        if let Some(&col) = column_of.get(&p.start) {
                            ws.write_string_with_format(
                                row,
                                col,
                                status_vi(p.status),
                                &formats[&p.status],
                            )?;
                        }
                    }
                    row += 1;
                }
            }
        }
    }
    wb.save_to_buffer()
}

/// How an evidence file is named in a sheet: its original name in the activities export, its
/// path inside the archive in the evidence pack.
pub type FileLabel<'a> = &'a dyn Fn(&EvidenceRow) -> String;

/// The activities workbook: one row per activity with its task, unit, date, quantity, links and
/// files.
pub fn activities_workbook(
    records: &[ActivityRecord],
    file_label: FileLabel,
    heading: &Heading,
    link_files: bool,
) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Hoạt động")?;
    write_heading(ws, heading, 14)?;
    activities_sheet(ws, records, file_label, link_files)?;
    wb.save_to_buffer()
}

/// The columns of the activities sheet, in order.
pub const ACTIVITY_HEADERS: [&str; 15] = [
    "TT",
    "Mã NV",
    "Nhiệm vụ",
    "Mã đơn vị",
    "Đơn vị",
    "Ngày thực hiện",
    "Loại",
    "Nội dung",
    "Số lượng",
    "Thời lượng (phút)",
    "Số người tham dự",
    "Hoàn thành nhiệm vụ",
    "Ngày ghi nhận",
    "Liên kết",
    "Tệp minh chứng",
];

/// Writes the activities sheet (also the index sheet of the evidence pack, where `link_files`
/// makes each activity's first file a link relative to the index, so that it opens from the
/// extracted folder).
pub fn activities_sheet(
    ws: &mut Worksheet,
    records: &[ActivityRecord],
    file_label: FileLabel,
    link_files: bool,
) -> Result<(), XlsxError> {
    write_header(
        ws,
        &ACTIVITY_HEADERS,
        &[
            5.0, 8.0, 36.0, 12.0, 28.0, 12.0, 12.0, 40.0, 9.0, 10.0, 10.0, 10.0, 12.0, 40.0, 40.0,
        ],
    )?;
    let date_fmt = Format::new().set_num_format("dd/mm/yyyy");
    let wrap = Format::new().set_text_wrap();
    let mut links = 0usize;
    for (i, r) in records.iter().enumerate() {
        let row = u32::try_from(i)
            .ok()
            .and_then(|i| i.checked_add(HEADER_ROW + 1))
            .ok_or(XlsxError::RowColumnLimitError)?;
        let a = &r.activity;
        ws.write_number(row, 0, (i + 1) as f64)?;
        ws.write_string(row, 1, cell_text(&a.task_reference))?;
        ws.write_string(row, 2, cell_text(&a.task_title))?;
        ws.write_string(row, 3, cell_text(&a.unit_code))?;
        ws.write_string(row, 4, cell_text(&a.unit_name))?;
        ws.write_datetime_with_format(row, 5, date(a.occurred_on)?, &date_fmt)?;
        // The kind the unit gave, else the channel its task's title tells.
        let kind = if a.kind.trim().is_empty() {
            super::channels::classify("", None, &a.task_title)
                .noun()
                .to_string()
        } else {
            a.kind.clone()
        };
        ws.write_string(row, 6, cell_text(&kind))?;
        ws.write_string(row, 7, cell_text(&a.title))?;
        ws.write_number(row, 8, a.quantity)?;
        if let Some(m) = a.duration_minutes {
            ws.write_number(row, 9, m as f64)?;
        }
        if let Some(n) = a.attendance {
            ws.write_number(row, 10, n as f64)?;
        }
        ws.write_string(row, 11, if a.completes { "Có" } else { "" })?;
        let recorded = kehoach_core::period::today_in_vietnam(a.recorded_at);
        ws.write_datetime_with_format(row, 12, date(recorded)?, &date_fmt)?;
        let urls: Vec<&str> = r.evidence.iter().filter_map(|e| e.url.as_deref()).collect();
        match urls.as_slice() {
            [] => {}
            // One link is clickable; several are listed one per line.
            [one]
                if one.len() <= MAX_URL_CHARS
                    && links < MAX_LINKS_PER_SHEET
                    && ws.write_url(row, 13, *one).is_ok() =>
            {
                links += 1;
            }
            many => {
                ws.write_string_with_format(row, 13, cell_text(&many.join("\n")), &wrap)?;
            }
        }
        let files: Vec<String> = r
            .evidence
            .iter()
            .filter(|e| e.sha256.is_some())
            .map(file_label)
            .collect();
        let linkable = link_files
            && links < MAX_LINKS_PER_SHEET
            && files
                .first()
                // A missing file is labelled "… (thiếu tệp trong kho)": nothing to open.
                .is_some_and(|f| f.len() <= MAX_URL_CHARS && !f.ends_with(')'));
        if linkable {
            // "file:///" and a relative path: stored relative (rust_xlsxwriter drops the prefix).
            let first = &files[0];
            ws.write_url_with_text(
                row,
                14,
                format!("file:///{first}").as_str(),
                files.join("\n"),
            )?;
            links += 1;
        } else if !files.is_empty() {
            ws.write_string_with_format(row, 14, cell_text(&files.join("\n")), &wrap)?;
        }
    }
    if !records.is_empty() {
        let last = (records.len() as u32)
            .saturating_add(HEADER_ROW)
            .min(1_048_575);
        ws.autofilter(HEADER_ROW, 0, last, 14)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_a_word_and_a_distinct_colour() {
        let all = [
            PeriodStatus::Met,
            PeriodStatus::Partial,
            PeriodStatus::Missed,
            PeriodStatus::Open,
            PeriodStatus::Future,
        ];
        let colours: std::collections::HashSet<u32> =
            all.iter().map(|&s| status_colour(s)).collect();
        assert_eq!(colours.len(), all.len());
        assert_eq!(status_vi(PeriodStatus::Missed), "Không thực hiện");
    }

    #[test]
    fn long_text_is_cut_to_what_a_cell_holds() {
        assert_eq!(
            cell_text(&"ạ".repeat(40_000)).chars().count(),
            MAX_CELL_CHARS
        );
        assert_eq!(cell_text("ngắn"), "ngắn");
    }
}
