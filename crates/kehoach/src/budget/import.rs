//! Estimate lines from an .xlsx sheet (calamine): every row is checked (fields as
//! [`super::LineInput`] checks them, the assignment must exist) before any is stored, and every
//! bad row is named. The archive is bounded like the activity import's (`check_zip`).

use std::collections::HashMap;
use std::io::Cursor;
use std::path::Path;

use super::LineInput;
use crate::store::{NewBudgetLine, Store, StoreError};

/// Largest sheet and most lines in one import.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;
pub const MAX_ROWS: usize = 5_000;

/// The columns, by their API names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Assignment,
    Content,
    Measure,
    Quantity,
    Price,
    Source,
    Basis,
    Note,
}

/// A header in either language, case and diacritics ignored.
pub fn match_header(header: &str) -> Option<Column> {
    let key: String = kehoach_core::text::fold(header)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Some(match key.as_str() {
        "assignmentid" | "assignment" | "magiaoviec" => Column::Assignment,
        "content" | "noidungchi" | "noidung" => Column::Content,
        "measure" | "donvitinh" | "dvt" => Column::Measure,
        "quantity" | "soluong" => Column::Quantity,
        "price" | "dongia" | "dongiadong" => Column::Price,
        "source" | "nguonkinhphi" | "nguon" => Column::Source,
        "basis" | "cancu" => Column::Basis,
        "note" | "ghichu" => Column::Note,
        _ => return None,
    })
}

/// One data row: its number in the sheet and its cells as text.
#[derive(Debug, Clone)]
pub struct Row {
    pub row: usize,
    pub cells: HashMap<Column, String>,
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.len() > MAX_BYTES {
        return Err(format!("{}: larger than {MAX_BYTES} bytes", path.display()));
    }
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The rows of the first sheet, under a header row naming the columns.
pub fn read_sheet(bytes: &[u8]) -> Result<Vec<Row>, String> {
    use calamine::{Data, Reader, Xlsx};
    if bytes.len() as u64 > MAX_BYTES {
        return Err(format!("the file is larger than {MAX_BYTES} bytes"));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err("not an .xlsx file".into());
    }
    crate::activity_import::check_zip(bytes).map_err(|e| e.to_string())?;
    let bad = |e: calamine::XlsxError| format!("not a readable .xlsx file: {e}");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| "the workbook has no sheet".to_string())?
        .map_err(bad)?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut header: Vec<Option<Column>> = Vec::new();
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let number = first_row as usize + i + 1;
        let texts: Vec<String> = std::iter::repeat_n(String::new(), first_col as usize)
            .chain(cells.iter().map(|c| match c {
                Data::Empty => String::new(),
                Data::String(s) => s.trim().to_string(),
                Data::Int(n) => n.to_string(),
                // Whole numbers only are exact money; a fraction is left for the field's check
                // to refuse ("1,5").
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
                Data::Float(f) => f.to_string().replace('.', ","),
                other => other.to_string(),
            }))
            .collect();
        if texts.iter().all(String::is_empty) {
            continue;
        }
        if header.is_empty() {
            header = texts.iter().map(|t| match_header(t)).collect();
            for needed in [
                Column::Assignment,
                Column::Content,
                Column::Measure,
                Column::Quantity,
                Column::Price,
                Column::Source,
            ] {
                if !header.contains(&Some(needed)) {
                    return Err(format!(
                        "the header row lacks a column: {:?} (mã giao việc, nội dung chi, đơn vị tính, số lượng, đơn giá, nguồn kinh phí)",
                        needed
                    ));
                }
            }
            continue;
        }
        if rows.len() >= MAX_ROWS {
            return Err(format!("more than {MAX_ROWS} rows"));
        }
        let cells = header
            .iter()
            .zip(texts)
            .filter_map(|(h, t)| h.map(|c| (c, t)))
            .collect();
        rows.push(Row { row: number, cells });
    }
    if header.is_empty() {
        return Err("the sheet is empty".into());
    }
    Ok(rows)
}

/// Every row as a line, or the problems of every bad row (row number, message).
pub async fn validate(
    store: &Store,
    rows: &[Row],
) -> Result<Result<Vec<NewBudgetLine>, Vec<(usize, String)>>, StoreError> {
    let mut lines = Vec::new();
    let mut bad = Vec::new();
    if rows.is_empty() {
        bad.push((0, "no data rows".to_string()));
    }
    for r in rows {
        let cell = |c: Column| r.cells.get(&c).cloned().unwrap_or_default();
        let assignment = cell(Column::Assignment).trim().parse::<i64>().ok();
        let mut problems = Vec::new();
        match assignment {
            None => problems.push("mã giao việc: không phải số".to_string()),
            Some(id) if store.assignment(id).await?.is_none() => {
                problems.push(format!("mã giao việc: không có giao việc {id}"))
            }
            Some(_) => {}
        }
        let input = LineInput {
            content: cell(Column::Content),
            measure: cell(Column::Measure),
            quantity: cell(Column::Quantity),
            price: cell(Column::Price),
            source: cell(Column::Source),
            basis: cell(Column::Basis),
            note: cell(Column::Note),
        };
        match input.parse(assignment.unwrap_or(0)) {
            Ok(line) if problems.is_empty() => lines.push(line),
            Ok(_) => {}
            Err(errors) => problems.extend(errors.iter().map(|e| e.message.clone())),
        }
        if !problems.is_empty() {
            bad.push((r.row, problems.join("; ")));
        }
    }
    Ok(if bad.is_empty() { Ok(lines) } else { Err(bad) })
}
