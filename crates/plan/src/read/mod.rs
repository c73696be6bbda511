//! Readers: bytes of a .txt/.md/.docx/.pdf file → a [`Document`] of paragraphs and tables in order.
//! Readers know about encodings and file formats, nothing about plans.

mod docx;
mod pdf;
mod text;

use crate::error::ReadError;

pub use docx::read_docx;
pub use pdf::{MAX_PDF_CONTENT_BYTES, MAX_PDF_OBJECTS, MAX_PDF_PAGES, read_pdf};
pub use text::{read_markdown, read_text};

/// Largest input accepted, in bytes. Real plans are well under 2 MB.
pub const MAX_INPUT_BYTES: usize = 20 * 1024 * 1024;

/// A document as a reader sees it: text in reading order, no plan semantics yet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
    /// Footnote texts (a plan often cites its legal basis in footnotes).
    pub footnotes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Paragraph(Paragraph),
    Table(Table),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Paragraph {
    /// NFC text, one line, including any automatic numbering label ("a) …") the reader rebuilt.
    pub text: String,
    /// Outline level 1..=9 when the source marks the paragraph as a heading (docx heading
    /// style, markdown '#').
    pub heading: Option<u8>,
}

/// A table, expanded to its grid: a cell spanning columns or rows is repeated in every grid slot
/// it covers, with `continued` set on the copies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cell {
    /// The cell's paragraphs.
    pub lines: Vec<String>,
    /// True for the repeated copies of a merged cell.
    pub continued: bool,
}

impl Cell {
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }
}

impl Document {
    /// Every paragraph text in order, table cells included (row by row), then footnotes.
    pub fn all_text(&self) -> impl Iterator<Item = &str> {
        self.blocks
            .iter()
            .flat_map(|b| -> Box<dyn Iterator<Item = &str> + '_> {
                match b {
                    Block::Paragraph(p) => Box::new(std::iter::once(p.text.as_str())),
                    Block::Table(t) => Box::new(
                        t.rows
                            .iter()
                            .flatten()
                            .filter(|c| !c.continued)
                            .flat_map(|c| c.lines.iter().map(String::as_str)),
                    ),
                }
            })
            .chain(self.footnotes.iter().map(String::as_str))
    }
}

/// The file format, chosen from the file name's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Docx,
    Pdf,
}

impl Format {
    pub fn from_file_name(file_name: &str) -> Result<Format, ReadError> {
        let ext = file_name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "txt" | "text" => Ok(Format::Text),
            "md" | "markdown" => Ok(Format::Markdown),
            "docx" => Ok(Format::Docx),
            "pdf" => Ok(Format::Pdf),
            _ => Err(ReadError::UnsupportedExtension(if ext.is_empty() {
                file_name.to_string()
            } else {
                format!(".{ext}")
            })),
        }
    }
}

/// Reads a document, choosing the reader by the file name's extension.
pub fn read_document(bytes: &[u8], file_name: &str) -> Result<Document, ReadError> {
    let format = Format::from_file_name(file_name)?;
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge {
            size: bytes.len(),
            limit: MAX_INPUT_BYTES,
        });
    }
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    match format {
        Format::Text => Ok(read_text(bytes)),
        Format::Markdown => Ok(read_markdown(bytes)),
        Format::Docx => read_docx(bytes),
        Format::Pdf => read_pdf(bytes),
    }
}
