//! Tasks from tables: an appendix "Danh mục nhiệm vụ" with columns like
//! STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian | Sản phẩm.
//! The header may take two rows ("Đơn vị thực hiện" over "Chủ trì" | "Phối hợp").

use super::dates::{self, Context};
use super::lower;
use super::targets::find_targets;
use super::units_text::trim_value;
use crate::model::{Target, Task};
use crate::read::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns {
    title: usize,
    lead: usize,
    partners: Option<usize>,
    time: Option<usize>,
    time_is_due: bool,
    reference: Option<usize>,
    product: Option<usize>,
    header_rows: usize,
}

fn row_texts(t: &Table, r: usize) -> Vec<String> {
    t.rows
        .get(r)
        .map(|row| row.iter().map(|c| lower(&c.text())).collect())
        .unwrap_or_default()
}

fn match_header(h: &[String]) -> Option<Columns> {
    let has = |s: &str, words: &[&str]| words.iter().any(|w| s.contains(w));
    let lead = h.iter().position(|s| s.contains("chủ trì")).or_else(|| {
        h.iter().position(|s| {
            has(
                s,
                &["thực hiện", "trách nhiệm", "phụ trách", "đơn vị", "cơ quan"],
            ) && !has(
                s,
                &[
                    "thời gian",
                    "phối hợp",
                    "kinh phí",
                    "kết quả",
                    "sản phẩm",
                    "nội dung",
                ],
            )
        })
    })?;
    let title = h.iter().enumerate().position(|(i, s)| {
        i != lead
            && has(
                s,
                &[
                    "nội dung",
                    "nhiệm vụ",
                    "hoạt động",
                    "công việc",
                    "tên chương trình",
                    "chương trình",
                    "giải pháp",
                ],
            )
            && !has(
                s,
                &[
                    "chủ trì",
                    "phối hợp",
                    "thời gian",
                    "kinh phí",
                    "kết quả",
                    "sản phẩm",
                ],
            )
    })?;
    let partners = h
        .iter()
        .enumerate()
        .position(|(i, s)| i != lead && s.contains("phối hợp"));
    let time = h
        .iter()
        .position(|s| has(s, &["thời gian", "tiến độ", "thời hạn"]));
    let time_is_due = time.is_some_and(|i| has(&h[i], &["hoàn thành", "thời hạn"]));
    let reference = h.iter().position(|s| {
        matches!(
            s.trim().trim_end_matches('.'),
            "stt" | "tt" | "số tt" | "số thứ tự"
        )
    });
    let product = h.iter().enumerate().position(|(i, s)| {
        i != title
            && has(
                s,
                &["sản phẩm", "kết quả", "chỉ tiêu", "số lượng", "tần suất"],
            )
    });
    Some(Columns {
        title,
        lead,
        partners,
        time,
        time_is_due,
        reference,
        product,
        header_rows: 0,
    })
}

/// The task columns of a table, or None when it is not a task table.
pub fn columns(t: &Table) -> Option<Columns> {
    for r in 0..t.rows.len().min(4) {
        let h = row_texts(t, r);
        let Some(mut cols) = match_header(&h) else {
            continue;
        };
        cols.header_rows = r + 1;
        // A second header row: "Đơn vị thực hiện" spanning "Chủ trì" | "Phối hợp".
        let next = row_texts(t, r + 1);
        if next
            .iter()
            .any(|s| s.contains("chủ trì") || s.contains("phối hợp"))
        {
            let combined: Vec<String> = h
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{s} {}", next.get(i).map(String::as_str).unwrap_or("")))
                .collect();
            if let Some(mut c2) = match_header(&combined) {
                c2.header_rows = r + 2;
                cols = c2;
            }
        }
        return Some(cols);
    }
    None
}

/// Tasks from a task table's rows. Rows without a lead are group headings: they give refs.
pub fn extract(t: &Table, cols: &Columns, ctx: &Context) -> Vec<Task> {
    let mut out = Vec::new();
    let mut group: Option<(String, String)> = None;
    for (r, row) in t.rows.iter().enumerate().skip(cols.header_rows) {
        let cell = |i: Option<usize>| {
            i.and_then(|i| row.get(i))
                .map(|c| trim_value(&c.text()))
                .unwrap_or_default()
        };
        let texts: Vec<String> = row
            .iter()
            .map(|c| c.text())
            .filter(|s| !s.trim().is_empty())
            .collect();
        if texts.is_empty() {
            continue;
        }
        let title_cell = row
            .get(cols.title)
            .map(|c| c.lines.clone())
            .unwrap_or_default();
        let lead = cell(Some(cols.lead));
        let reference = cell(cols.reference).trim_end_matches('.').to_string();
        let spanning = texts.iter().all(|s| *s == texts[0]);
        if spanning
            || lead.is_empty()
            || title_cell.is_empty()
            || row.get(cols.lead).is_some_and(|c| c.lines == title_cell)
        {
            let heading = trim_value(&texts[0]);
            group = Some((reference.clone(), heading));
            continue;
        }
        let title = trim_value(title_cell.first().map(String::as_str).unwrap_or(""));
        let content: Vec<String> = title_cell.iter().skip(1).cloned().collect();
        let time = cell(cols.time);
        let product = cell(cols.product);
        let mut targets: Vec<Target> = Vec::new();
        for text in std::iter::once(&title)
            .chain(content.iter())
            .chain([&product, &time])
        {
            for x in find_targets(text) {
                if !targets.contains(&x) {
                    targets.push(x);
                }
            }
        }
        let (mut window, mut due) = dates::parse_time_value(&time, ctx, cols.time_is_due);
        if window.is_none() && due.is_none() {
            let all = format!("{title} {}", content.join(" "));
            due = dates::find_due(&all, ctx);
            window = dates::find_window(&all, ctx);
        }
        let ref_ = match (&group, reference.is_empty()) {
            (_, false) => reference,
            (Some((g, _)), true) if !g.is_empty() => format!("{g}.{}", r + 1 - cols.header_rows),
            _ => format!("PL.{}", r + 1 - cols.header_rows),
        };
        out.push(Task {
            ref_,
            title,
            lead,
            partners: cell(cols.partners),
            targets,
            window,
            due,
            content: (!content.is_empty()).then(|| content.join("\n")),
            section: group
                .as_ref()
                .map(|(_, h)| h.clone())
                .filter(|h| !h.is_empty()),
        });
    }
    out
}
