//! Extraction: a [`Document`] → a [`Plan`]. Pure functions over text; every rule is about how
//! Vietnamese administrative plans are written, never about a particular plan.
//!
//! Order of work: flatten the document into lines (tables that list tasks are kept aside), read
//! the header (title, period, issuer), collect cited document numbers, find the body's end
//! ("Trên đây là …", "Nơi nhận:"), extract tasks from the body outline, then from task tables,
//! merging a table row into the body task it repeats.

pub mod dates;
pub mod header;
pub mod references;
pub mod tables;
pub mod targets;
pub mod tasks;
pub mod units_text;

use crate::error::ExtractError;
use crate::model::{Plan, SCHEMA, Task};
use crate::read::{Block, Document, Table};

/// One paragraph of text as the extractor sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub text: String,
    pub heading: Option<u8>,
}

/// Lowercase that keeps byte offsets: a char whose lowercase has another UTF-8 length is kept
/// as is, so positions found in the lowercase text index the original.
pub fn lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_latin_letter(c) && c.is_lowercase() {
            out.push(c);
        } else {
            let mut l = c.to_lowercase();
            match (l.next(), l.next()) {
                (Some(x), None) if x.len_utf8() == c.len_utf8() => out.push(x),
                _ => out.push(c),
            }
        }
    }
    out
}

/// A letter, fast for Vietnamese: Latin-1, Latin Extended and Latin Extended Additional (where
/// the precomposed Vietnamese letters live) are answered without the Unicode tables.
pub fn is_latin_letter(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\u{00C0}'..='\u{024F}' => c != '×' && c != '÷',
        '\u{1E00}'..='\u{1EFF}' => true,
        _ if c.is_ascii() => false,
        _ => c.is_alphabetic(),
    }
}

/// Extracts the plan from a document.
pub fn extract(doc: &Document) -> Result<Plan, ExtractError> {
    let mut lines: Vec<Line> = Vec::new();
    let mut task_tables: Vec<(&Table, tables::Columns)> = Vec::new();
    for block in &doc.blocks {
        match block {
            Block::Paragraph(p) => lines.push(Line {
                text: p.text.clone(),
                heading: p.heading,
            }),
            Block::Table(t) => match tables::columns(t) {
                Some(cols) => task_tables.push((t, cols)),
                // Layout tables (the header block, signatures): read their text as lines.
                None => {
                    for row in &t.rows {
                        for cell in row.iter().filter(|c| !c.continued) {
                            lines.extend(cell.lines.iter().map(|l| Line {
                                text: l.clone(),
                                heading: None,
                            }));
                        }
                    }
                }
            },
        }
    }
    let head = header::read(&lines);
    let ctx = dates::Context {
        period: head.period,
    };

    let mut references = Vec::new();
    for text in doc.all_text() {
        references::collect(text, &mut references);
    }
    let own = head.number.as_deref().map(norm_ref);
    references.retain(|r| Some(norm_ref(r)) != own);

    let start = head.body_start.min(lines.len());
    let (end, appendix) = body_bounds(&lines, start);
    let mut tasks = tasks::extract(&lines[start..end], &ctx, true);
    if let Some(a) = appendix {
        tasks.extend(tasks::extract(&lines[a..], &ctx, false));
    }
    for (t, cols) in &task_tables {
        merge(&mut tasks, tables::extract(t, cols, &ctx));
    }
    tasks.retain(|t| !t.lead.trim().is_empty() && !t.title.trim().is_empty());
    if tasks.is_empty() {
        return Err(ExtractError::NoTasks);
    }
    check_bounds(&tasks)?;
    Ok(Plan {
        schema: SCHEMA.to_string(),
        title: head.title,
        issuer: head.issuer,
        number: head.number,
        issued_on: head.issued_on,
        place: head.place,
        period: head.period,
        references,
        tasks,
        warnings: Vec::new(),
    })
}

fn norm_ref(r: &str) -> String {
    r.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The body ends at the closing formula or the distribution list; an appendix may follow.
fn body_bounds(lines: &[Line], start: usize) -> (usize, Option<usize>) {
    let mut end = lines.len();
    for (i, l) in lines.iter().enumerate().skip(start) {
        let t = lower(l.text.trim());
        if t.starts_with("trên đây là") || t.starts_with("nơi nhận") {
            end = i;
            break;
        }
    }
    let appendix = lines.iter().enumerate().skip(start).find(|(_, l)| {
        let t = l.text.trim();
        let lt = lower(t);
        (t.starts_with("PHỤ LỤC") || lt.starts_with("phụ lục"))
            && t.split_whitespace().count() <= 14
    });
    match appendix {
        Some((a, _)) if a < end => (a, Some(a)),
        Some((a, _)) => (end, Some(a)),
        None => (end, None),
    }
}

/// Syllables as the scorer counts them: lowercase runs of letters and digits.
pub fn syllables(s: &str) -> Vec<String> {
    lower(s)
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Similarity of two titles: Dice over syllable bags, or 0.5 when one is mostly inside the other.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let (ta, tb) = (syllables(a), syllables(b));
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let mut bag: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for w in &tb {
        *bag.entry(w).or_default() += 1;
    }
    let mut common = 0;
    for w in &ta {
        if let Some(n) = bag.get_mut(w.as_str())
            && *n > 0
        {
            *n -= 1;
            common += 1;
        }
    }
    let dice = 2.0 * common as f64 / (ta.len() + tb.len()) as f64;
    let contained = common as f64 / ta.len().min(tb.len()) as f64;
    if dice >= 0.5 {
        dice
    } else if contained >= 0.8 {
        0.5
    } else {
        0.0
    }
}

/// A table row that repeats a body task fills in what the body left out; others are new tasks.
fn merge(tasks: &mut Vec<Task>, table_tasks: Vec<Task>) {
    let body_len = tasks.len();
    for t in table_tasks {
        let best = tasks[..body_len]
            .iter()
            .enumerate()
            .map(|(i, b)| (i, title_similarity(&b.title, &t.title)))
            .filter(|&(_, s)| s >= 0.5)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((i, _)) => {
                let b = &mut tasks[i];
                if b.partners.is_empty() {
                    b.partners = t.partners;
                }
                if b.targets.is_empty() {
                    b.targets = t.targets;
                }
                if b.window.is_none() && b.due.is_none() {
                    b.window = t.window;
                    b.due = t.due;
                }
            }
            None => tasks.push(t),
        }
    }
}

/// Most tasks a plan may have. Real plans have tens to a few hundred; more means the structure
/// was misread (or the input is hostile), and every task becomes rows and assignments downstream.
pub const MAX_TASKS: usize = 5_000;

/// Longest title, lead or partner text of one task, in characters. A long real lead text (a
/// district list with its chained duties) is a few hundred characters.
pub const MAX_FIELD_CHARS: usize = 5_000;

fn check_bounds(tasks: &[crate::Task]) -> Result<(), ExtractError> {
    if tasks.len() > MAX_TASKS {
        return Err(ExtractError::TooManyTasks {
            count: tasks.len(),
            max: MAX_TASKS,
        });
    }
    for t in tasks {
        for (field, text) in [
            ("title", &t.title),
            ("lead", &t.lead),
            ("partners", &t.partners),
        ] {
            let chars = text.chars().count();
            if chars > MAX_FIELD_CHARS {
                return Err(ExtractError::FieldTooLong {
                    task: t.ref_.clone(),
                    field,
                    chars,
                    max: MAX_FIELD_CHARS,
                });
            }
        }
    }
    Ok(())
}
