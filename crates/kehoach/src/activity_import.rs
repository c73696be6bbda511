//! Bulk import of activities from a sheet (.xlsx or .csv): one activity per row, columns named
//! in Vietnamese or English. Every row is validated first ([`crate::activity_input`]); the rows
//! are stored all together or, when any is bad, not at all, with a report naming each bad row by
//! its number in the sheet.

use std::collections::HashMap;
use std::io::Cursor;

use chrono::NaiveDate;
use serde::Serialize;

use crate::activity_input::{ActivityInput, FieldError};
use crate::store::{AssignmentRow, NewActivity, Store, StoreError};

/// Largest sheet accepted.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;
/// Most activity rows in one import.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// The columns of an import sheet, by their API names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Assignment,
    Date,
    Title,
    Quantity,
    Kind,
    Url,
    Completes,
    Attendance,
    Duration,
    Note,
}

impl Column {
    pub fn name(self) -> &'static str {
        match self {
            Column::Assignment => "assignment_id",
            Column::Date => "date",
            Column::Title => "title",
            Column::Quantity => "quantity",
            Column::Kind => "kind",
            Column::Url => "url",
            Column::Completes => "completes",
            Column::Attendance => "attendance",
            Column::Duration => "duration_minutes",
            Column::Note => "note",
        }
    }
}

/// The column a header names, in English or Vietnamese, ignoring case, diacritics, spaces,
/// underscores and punctuation ("Số lượng", "so_luong", "SỐ LƯỢNG" are all `quantity`).
pub fn match_header(header: &str) -> Option<Column> {
    let key: String = kehoach_core::text::fold(header)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    Some(match key.as_str() {
        "assignmentid" | "assignment" | "magiaoviec" => Column::Assignment,
        "date" | "ngay" | "ngaythuchien" => Column::Date,
        "title" | "tieude" => Column::Title,
        "quantity" | "soluong" => Column::Quantity,
        "kind" | "loai" => Column::Kind,
        "url" | "urls" | "duongdan" | "link" => Column::Url,
        "completes" | "hoanthanh" => Column::Completes,
        "attendance" | "songuoithamdu" => Column::Attendance,
        "durationminutes" | "duration" | "thoiluongphut" | "thoiluong" => Column::Duration,
        "note" | "ghichu" => Column::Note,
        _ => return None,
    })
}

/// A row of the sheet as read: its number as the user sees it (1 = the first line) and its cells
/// by column, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row: usize,
    pub cells: HashMap<Column, String>,
}

/// The problems of one row.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowReport {
    pub row: usize,
    pub errors: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file as a whole cannot be read (format, size, header).
    #[error("{0}")]
    File(String),
    /// Some rows are bad; nothing was stored.
    #[error("{} of {total} rows have errors; nothing was imported", rows.len())]
    Rows { rows: Vec<RowReport>, total: usize },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reads the rows of a .xlsx (first sheet) or .csv (UTF-8; `,` or `;` separated) file.
pub fn read_sheet(bytes: &[u8], file_name: &str) -> Result<Vec<SheetRow>, ImportError> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(ImportError::File(format!(
            "the file is larger than {MAX_IMPORT_BYTES} bytes"
        )));
    }
    let grid = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes)?
    } else if file_name.to_lowercase().ends_with(".xlsx") {
        return Err(ImportError::File("not a readable .xlsx file".into()));
    } else {
        read_csv(bytes)?
    };
    rows_of_grid(grid)
}

/// (row number, cells as text) for every line of the sheet.
type Grid = Vec<(usize, Vec<Cell>)>;

#[derive(Debug, Clone, PartialEq)]
enum Cell {
    Text(String),
    /// A cell Excel stores as a date.
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.trim().to_string(),
            Cell::Date(d) => d.format("%Y-%m-%d").to_string(),
        }
    }
}

/// Most entries an .xlsx archive may have, and the most it may unpack to.
const MAX_XLSX_ENTRIES: usize = 2000;
const MAX_XLSX_UNPACKED_BYTES: u64 = 200 * 1024 * 1024;

/// Refuses an archive with more entries or unpacked bytes than a sheet of [`MAX_IMPORT_ROWS`]
/// rows needs, before calamine reads it. The declared sizes are checked first (cheap), then
/// every entry is actually inflated into a counter that stops one byte past the limit: an
/// archive whose headers understate its sizes (a zip bomb) is caught by what it really
/// unpacks to, and the inflating never goes past the limit.
pub(crate) fn check_zip(bytes: &[u8]) -> Result<(), ImportError> {
    let bad =
        |e: zip::result::ZipError| ImportError::File(format!("not a readable .xlsx file: {e}"));
    let too_large = || {
        ImportError::File(format!(
            "the .xlsx file unpacks to more than {MAX_XLSX_UNPACKED_BYTES} bytes"
        ))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
    if zip.len() > MAX_XLSX_ENTRIES {
        return Err(ImportError::File(format!(
            "the .xlsx file has more than {MAX_XLSX_ENTRIES} parts"
        )));
    }
    let mut declared = 0u64;
    for i in 0..zip.len() {
        declared = declared.saturating_add(zip.by_index_raw(i).map_err(bad)?.size());
    }
    if declared > MAX_XLSX_UNPACKED_BYTES {
        return Err(too_large());
    }
    let mut inflated = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(bad)?;
        let left = MAX_XLSX_UNPACKED_BYTES - inflated;
        let n = std::io::copy(
            &mut std::io::Read::take(&mut entry, left + 1),
            &mut std::io::sink(),
        )
        .map_err(|e| ImportError::File(format!("not a readable .xlsx file: {e}")))?;
        inflated += n;
        if inflated > MAX_XLSX_UNPACKED_BYTES {
            return Err(too_large());
        }
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Grid, ImportError> {
    use calamine::{Data, Reader, Xlsx};
    check_zip(bytes)?;
    let bad = |e: calamine::XlsxError| ImportError::File(format!("not a readable .xlsx file: {e}"));
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| ImportError::File("the workbook has no sheet".into()))?
        .map_err(bad)?;
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut grid = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        if grid.len() > MAX_IMPORT_ROWS + 1 {
            break;
        }
        // Columns before the range's first are empty.
        let mut row: Vec<Cell> = vec![Cell::Text(String::new()); first_col as usize];
        for cell in cells {
            row.push(match cell {
                Data::Empty => Cell::Text(String::new()),
                Data::String(s) => Cell::Text(s.clone()),
                Data::Int(n) => Cell::Text(n.to_string()),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                    Cell::Text(format!("{}", *f as i64))
                }
                // A number cell is never ambiguous: decimal comma, as `parse_number` reads it.
                Data::Float(f) => Cell::Text(f.to_string().replace('.', ",")),
                Data::Bool(b) => Cell::Text(b.to_string()),
                Data::DateTime(dt) => {
                    let (y, m, d, ..) = dt.to_ymd_hms_milli();
                    match NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d)) {
                        Some(date) if dt.is_datetime() => Cell::Date(date),
                        _ => Cell::Text(dt.as_f64().to_string()),
                    }
                }
                Data::DateTimeIso(s) => Cell::Text(s.get(..10).unwrap_or(s).to_string()),
                Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::Error(e) => Cell::Text(format!("#{e:?}")),
            });
        }
        grid.push((first_row as usize + i + 1, row));
    }
    Ok(grid)
}

fn read_csv(bytes: &[u8]) -> Result<Grid, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err(ImportError::File(
            "the CSV file is not UTF-8 text (save it as \"CSV UTF-8\")".into(),
        ));
    }
    // The separator is the one the header line uses most: `;` where the decimal mark is `,`.
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or(b"");
    let count = |sep: u8| first_line.iter().filter(|&&b| b == sep).count();
    let delimiter = if count(b';') > count(b',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut grid = Vec::new();
    for record in reader.records() {
        if grid.len() > MAX_IMPORT_ROWS + 1 {
            break;
        }
        let record =
            record.map_err(|e| ImportError::File(format!("the CSV file cannot be read: {e}")))?;
        let line = record
            .position()
            .map(|p| p.line() as usize)
            .unwrap_or(grid.len() + 1);
        grid.push((
            line,
            record.iter().map(|c| Cell::Text(c.to_string())).collect(),
        ));
    }
    Ok(grid)
}

fn rows_of_grid(grid: Grid) -> Result<Vec<SheetRow>, ImportError> {
    let blank = |cells: &[Cell]| cells.iter().all(|c| c.text().is_empty());
    let mut lines = grid.into_iter().filter(|(_, cells)| !blank(cells));
    let Some((_, header)) = lines.next() else {
        return Err(ImportError::File("the file is empty".into()));
    };
    let mut columns: Vec<Option<Column>> = Vec::new();
    let mut seen: HashMap<Column, String> = HashMap::new();
    for cell in &header {
        let text = cell.text();
        let column = match_header(&text);
        if let Some(c) = column
            && let Some(before) = seen.insert(c, text.clone())
        {
            return Err(ImportError::File(format!(
                "columns {before:?} and {text:?} both mean {}",
                c.name()
            )));
        }
        columns.push(column);
    }
    let missing: Vec<&str> = [Column::Assignment, Column::Date, Column::Title]
        .into_iter()
        .filter(|c| !seen.contains_key(c))
        .map(Column::name)
        .collect();
    if !missing.is_empty() {
        return Err(ImportError::File(format!(
            "the header row lacks the column(s) {} (e.g. \"mã giao việc\", \"ngày\", \"tiêu đề\")",
            missing.join(", ")
        )));
    }
    let mut rows = Vec::new();
    for (row, cells) in lines {
        if rows.len() >= MAX_IMPORT_ROWS {
            return Err(ImportError::File(format!(
                "more than {MAX_IMPORT_ROWS} rows; split the file"
            )));
        }
        let cells = columns
            .iter()
            .zip(cells.iter())
            .filter_map(|(column, cell)| column.map(|c| (c, cell.text())))
            .filter(|(_, text)| !text.is_empty())
            .collect();
        rows.push(SheetRow { row, cells });
    }
    if rows.is_empty() {
        return Err(ImportError::File(
            "the file has a header but no rows".into(),
        ));
    }
    Ok(rows)
}

impl SheetRow {
    /// The row as an API input, and its assignment id when the cell holds one.
    pub fn input(&self) -> (Result<i64, FieldError>, ActivityInput) {
        let cell = |c: Column| self.cells.get(&c).cloned();
        let assignment = match cell(Column::Assignment) {
            None => Err(FieldError {
                field: "assignment_id",
                message: "required".into(),
            }),
            Some(text) => text.trim().parse::<i64>().map_err(|_| FieldError {
                field: "assignment_id",
                message: format!("{text:?}: a number"),
            }),
        };
        let mut input = ActivityInput {
            date: cell(Column::Date),
            title: cell(Column::Title),
            kind: cell(Column::Kind),
            quantity: cell(Column::Quantity),
            duration_minutes: cell(Column::Duration),
            attendance: cell(Column::Attendance),
            completes: cell(Column::Completes),
            note: cell(Column::Note),
            ..ActivityInput::default()
        };
        if let Some(urls) = cell(Column::Url) {
            input.set("urls", urls);
        }
        (assignment, input)
    }
}

/// Validates every row: each must name an existing assignment that `allowed` accepts (it says
/// why not otherwise) and be a valid activity. All the activities, or a report of every bad row.
pub async fn validate_rows<F, Fut>(
    store: &Store,
    rows: &[SheetRow],
    today: NaiveDate,
    mut allowed: F,
) -> Result<Vec<NewActivity>, ImportError>
where
    F: FnMut(AssignmentRow) -> Fut,
    Fut: std::future::Future<Output = Result<Result<(), String>, StoreError>>,
{
    // Each assignment is looked up and checked once.
    let mut verdicts: HashMap<i64, Result<(), String>> = HashMap::new();
    let mut activities = Vec::with_capacity(rows.len());
    let mut reports = Vec::new();
    for row in rows {
        let (assignment, input) = row.input();
        let mut errors: Vec<String> = Vec::new();
        let assignment_id = match assignment {
            Ok(id) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = verdicts.entry(id) {
                    let verdict = match store.assignment(id).await? {
                        None => Err(format!("assignment_id: no assignment {id}")),
                        Some(a) => allowed(a).await?,
                    };
                    slot.insert(verdict);
                }
                if let Err(message) = &verdicts[&id] {
                    errors.push(message.clone());
                }
                id
            }
            Err(e) => {
                errors.push(e.to_string());
                0
            }
        };
        match input.parse(assignment_id, today, Vec::new()) {
            Ok(activity) if errors.is_empty() => activities.push(activity),
            Ok(_) => {}
            Err(field_errors) => errors.extend(field_errors.iter().map(ToString::to_string)),
        }
        if !errors.is_empty() {
            reports.push(RowReport {
                row: row.row,
                errors,
            });
        }
    }
    if reports.is_empty() {
        Ok(activities)
    } else {
        Err(ImportError::Rows {
            rows: reports,
            total: rows.len(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_in_either_language() {
        assert_eq!(match_header("Mã giao việc"), Some(Column::Assignment));
        assert_eq!(match_header("assignment_id"), Some(Column::Assignment));
        assert_eq!(match_header(" NGÀY "), Some(Column::Date));
        assert_eq!(match_header("Tiêu đề"), Some(Column::Title));
        assert_eq!(match_header("so luong"), Some(Column::Quantity));
        assert_eq!(match_header("Đường dẫn"), Some(Column::Url));
        assert_eq!(match_header("Hoàn thành"), Some(Column::Completes));
        assert_eq!(match_header("Số người tham dự"), Some(Column::Attendance));
        assert_eq!(match_header("Thời lượng (phút)"), Some(Column::Duration));
        assert_eq!(match_header("duration_minutes"), Some(Column::Duration));
        assert_eq!(match_header("Loại"), Some(Column::Kind));
        assert_eq!(match_header("STT"), None);
    }

    #[test]
    fn csv_rows_keep_their_sheet_numbers() {
        let csv = "\u{feff}STT;Mã giao việc;Ngày;Tiêu đề;Số lượng;Đường dẫn\n\
                   1;12;04/01/2024;Chuyên mục 1;1,5;https://a.vn/1 https://a.vn/2\n\
                   ;;;;;\n\
                   2;12;2024-01-11;\"Chuyên mục; 2\";;\n";
        let rows = read_sheet(csv.as_bytes(), "a.csv").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].row, 2);
        assert_eq!(rows[1].row, 4);
        let (assignment, input) = rows[0].input();
        assert_eq!(assignment, Ok(12));
        assert_eq!(input.urls.len(), 2);
        assert_eq!(input.quantity.as_deref(), Some("1,5"));
        assert_eq!(rows[1].cells[&Column::Title], "Chuyên mục; 2");
    }

    #[test]
    fn a_sheet_without_the_needed_columns_is_refused() {
        let err = read_sheet(b"date,title\n2024-01-01,x\n", "a.csv").unwrap_err();
        assert!(err.to_string().contains("assignment_id"), "{err}");
        let err = read_sheet(b"date,ngay,title,assignment\n", "a.csv").unwrap_err();
        assert!(err.to_string().contains("both mean date"), "{err}");
        let err = read_sheet(b"date,title,assignment\n", "a.csv").unwrap_err();
        assert!(err.to_string().contains("no rows"), "{err}");
        assert!(read_sheet(b"\xff\xfe", "a.csv").is_err());
        assert!(read_sheet(b"PK\x03\x04junk", "a.xlsx").is_err());
    }
}
