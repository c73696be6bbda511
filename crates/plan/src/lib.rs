//! Plan documents in, structured plan out. Pure: no database, no async, no I/O beyond the bytes
//! given.
//!
//! ```text
//! bytes + file name ──read──▶ Document (paragraphs, tables, footnotes) ──extract──▶ Plan
//! ```
//! - [`read`]: encodings, line rejoining, Markdown cleanup, .docx (zip + XML, numbering), .pdf
//!   (text layer, lines rebuilt from positions).
//! - [`garbled`]: U+FFFD repaired where unambiguous (dashes, paired quotes), reported always.
//! - [`extract`]: header, references, outline, tasks (task-first and unit-first), tables,
//!   targets, dates.
//! - [`model`]: the `kehoach.plan/1` types.

pub mod error;
pub mod extract;
pub mod garbled;
pub mod markers;
pub mod model;
pub mod read;
mod summary;

pub use error::{ExtractError, PlanError, ReadError};
pub use extract::extract;
pub use model::{Date, Per, Plan, SCHEMA, Span, Target, Task, Warning};
pub use read::{Block, Cell, Document, MAX_INPUT_BYTES, Paragraph, Table, read_document};
pub use summary::summary;

/// Reads a plan document (.docx, .pdf, .txt or .md, chosen by `file_name`'s extension), repairs
/// its garbled characters and extracts the plan; the repairs are the plan's `warnings`.
pub fn parse(bytes: &[u8], file_name: &str) -> Result<Plan, PlanError> {
    let mut doc = read_document(bytes, file_name)?;
    let warnings = garbled::repair(&mut doc);
    let mut plan = extract(&doc)?;
    plan.warnings = warnings;
    Ok(plan)
}
