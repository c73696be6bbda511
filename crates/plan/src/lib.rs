//! Plan documents in, structured plan out. Pure: no database, no async, no I/O beyond the bytes
//! given.
//!
//! ```text
//! bytes + file name ──read──▶ Document (paragraphs, tables, footnotes) ──extract──▶ Plan
//! ```
//! - [`read`]: encodings, line rejoining, Markdown cleanup, .docx (zip + XML, numbering).
//! - [`extract`]: header, references, outline, tasks (task-first and unit-first), tables,
//!   targets, dates.
//! - [`model`]: the `kehoach.plan/1` types.

pub mod error;
pub mod extract;
pub mod markers;
pub mod model;
pub mod read;
mod summary;

pub use error::{ExtractError, PlanError, ReadError};
pub use extract::extract;
pub use model::{Date, Per, Plan, SCHEMA, Span, Target, Task};
pub use read::{Block, Cell, Document, MAX_INPUT_BYTES, Paragraph, Table, read_document};
pub use summary::summary;

/// Reads a plan document (.docx, .pdf, .txt or .md, chosen by `file_name`'s extension) and extracts
/// the plan.
pub fn parse(bytes: &[u8], file_name: &str) -> Result<Plan, PlanError> {
    let doc = read_document(bytes, file_name)?;
    Ok(extract(&doc)?)
}
