//! Typed errors. Each `Display` is one line that names the problem, because the CLI prints it
//! as is and a plan office clerk must understand what to fix.

use thiserror::Error;

/// Anything that stops `parse`: either the bytes could not be read as a document, or the
/// document was read but holds no plan.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PlanError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Extract(#[from] ExtractError),
}

/// The bytes could not be turned into a [`crate::Document`].
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReadError {
    #[error("file is {size} bytes, over the {limit}-byte limit for a plan document")]
    TooLarge { size: usize, limit: usize },
    #[error("unsupported file type {0:?}: expected .docx, .pdf, .txt or .md")]
    UnsupportedExtension(String),
    #[error("the file is empty")]
    Empty,
    #[error("not a valid .docx file (cannot open it as a zip archive: {0})")]
    NotZip(String),
    #[error("not a valid .docx file: it has no word/document.xml")]
    MissingDocumentXml,
    #[error(".docx has {count} entries, over the limit of {limit} (possible zip bomb)")]
    TooManyEntries { count: usize, limit: usize },
    #[error(".docx unpacks to more than {limit} bytes (possible zip bomb)")]
    UnpackedTooLarge { limit: u64 },
    #[error("{part} inside the .docx is larger than {limit} bytes")]
    PartTooLarge { part: String, limit: u64 },
    #[error("cannot read {part} inside the .docx: {reason}")]
    ZipEntry { part: String, reason: String },
    #[error("malformed XML in {part}: {reason}")]
    Xml { part: String, reason: String },
    #[error("XML in {part} is nested deeper than {limit} levels")]
    XmlTooDeep { part: String, limit: usize },
    #[error("không đọc được tệp PDF (not a readable PDF: {0})")]
    Pdf(String),
    #[error(
        "tệp PDF không có lớp chữ, có lẽ là bản quét ({pages} trang): kehoach không nhận dạng chữ \
         trong ảnh; hãy tải lên bản .docx hoặc bản PDF có chữ (the PDF has no text layer: a scan?)"
    )]
    PdfNoText { pages: usize },
    #[error(
        "tệp PDF được mã hóa (có mật khẩu): hãy tải lên bản không mã hóa (the PDF is encrypted)"
    )]
    PdfEncrypted,
    #[error("tệp PDF có {count} trang, quá giới hạn {limit} trang của một kế hoạch")]
    PdfTooManyPages { count: usize, limit: usize },
    #[error("tệp PDF có {count} đối tượng, quá giới hạn {limit}: tệp có thể bị hỏng")]
    PdfTooManyObjects { count: usize, limit: usize },
    #[error("tệp PDF giải nén ra hơn {limit} byte (có thể là bom nén)")]
    PdfUnpackedTooLarge { limit: usize },
}

/// The document was read but it is not a plan we can extract.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ExtractError {
    #[error("no task with a lead unit found: is this a plan (Kế hoạch) document?")]
    NoTasks,
    #[error(
        "{count} tasks found, more than the {max} a plan may have: is the document's structure broken?"
    )]
    TooManyTasks { count: usize, max: usize },
    #[error(
        "task {task}: its {field} is {chars} characters, more than {max}: is the document's structure broken?"
    )]
    FieldTooLong {
        task: String,
        field: &'static str,
        chars: usize,
        max: usize,
    },
}
