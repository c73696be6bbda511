//! The editable sections of a report draft, and the one rule for what they may hold: text,
//! lists and tables — never markup. Pure.
//!
//! A section is written as plain text, the way a clerk types it: paragraphs separated by a blank
//! line, a line starting with "- " (or "+ ", "• ") a list item, a line with cells between "|" a
//! table row (the first row is the header). Anything that looks like an HTML tag is dropped, text
//! is NFC without invisible controls (`kehoach_core::text::nfc`), and every part is bounded.

use serde::{Deserialize, Serialize};

/// Longest section, in characters.
pub const MAX_SECTION_CHARS: usize = 20_000;
/// Most lines in one section.
pub const MAX_SECTION_LINES: usize = 400;
/// Most questions a request may ask.
pub const MAX_QUESTIONS: usize = 20;
/// Longest question, in characters.
pub const MAX_QUESTION_CHARS: usize = 500;
/// Most rows and columns of one table.
pub const MAX_TABLE_ROWS: usize = 50;
pub const MAX_TABLE_COLUMNS: usize = 10;

/// What a unit writes in its report, besides the figures kehoach words itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Sections {
    /// Kết quả nổi bật (part II, after the figures).
    #[serde(default)]
    pub results: String,
    /// Tồn tại, hạn chế và nguyên nhân (part III).
    #[serde(default)]
    pub shortcomings: String,
    /// Đề xuất, kiến nghị (part IV).
    #[serde(default)]
    pub proposals: String,
    /// One answer per question of the request, in order.
    #[serde(default)]
    pub answers: Vec<String>,
}

/// Which section a problem is in: the field a message names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Results,
    Shortcomings,
    Proposals,
    /// The answer to question n (from 1).
    Answer(usize),
    Question(usize),
}

impl Field {
    /// The form's field name ("results", "answer_2").
    pub fn name(self) -> String {
        match self {
            Field::Results => "results".into(),
            Field::Shortcomings => "shortcomings".into(),
            Field::Proposals => "proposals".into(),
            Field::Answer(n) => format!("answer_{n}"),
            Field::Question(n) => format!("question_{n}"),
        }
    }
}

/// Why a section was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SectionError {
    #[error("{}: longer than {max} characters", .field.name())]
    TooLong { field: Field, max: usize },
    #[error("{}: more than {max} lines", .field.name())]
    TooManyLines { field: Field, max: usize },
    #[error("{}: a table has more than {MAX_TABLE_ROWS} rows or {MAX_TABLE_COLUMNS} columns", .field.name())]
    TableTooLarge { field: Field },
    #[error("answers: {got} given for {asked} questions")]
    TooManyAnswers { got: usize, asked: usize },
    #[error("questions: at most {MAX_QUESTIONS}")]
    TooManyQuestions,
}

impl SectionError {
    pub fn field(&self) -> Option<Field> {
        match self {
            SectionError::TooLong { field, .. }
            | SectionError::TooManyLines { field, .. }
            | SectionError::TableTooLarge { field } => Some(*field),
            _ => None,
        }
    }
}

/// A piece of a section, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Para(String),
    /// List items, in order.
    List(Vec<String>),
    /// Header row and body rows (each row padded to the header's width).
    Table(Vec<String>, Vec<Vec<String>>),
}

/// Removes what looks like an HTML tag or comment (`<b>`, `</p>`, `<script src=…>`, `<!-- -->`),
/// keeping a lone "<" of ordinary text ("< 5 %").
fn strip_tags(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let looks_like_tag = after
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!' || c == '?');
        match (looks_like_tag, after.find('>')) {
            (true, Some(end)) => rest = &after[end + 1..],
            _ => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// One section cleaned: NFC, tags dropped, trailing spaces and runs of blank lines removed, and
/// bounded.
pub fn clean_section(field: Field, text: &str) -> Result<String, SectionError> {
    if text.chars().count() > MAX_SECTION_CHARS {
        return Err(SectionError::TooLong {
            field,
            max: MAX_SECTION_CHARS,
        });
    }
    let text = kehoach_core::text::nfc(&text.replace("\r\n", "\n"));
    let mut lines: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = strip_tags(line).trim_end().to_string();
        if line.trim().is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(if line.trim().is_empty() {
            String::new()
        } else {
            line
        });
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.len() > MAX_SECTION_LINES {
        return Err(SectionError::TooManyLines {
            field,
            max: MAX_SECTION_LINES,
        });
    }
    let cleaned = lines.join("\n");
    for block in blocks(&cleaned) {
        if let Block::Table(header, rows) = block
            && (rows.len() + 1 > MAX_TABLE_ROWS || header.len() > MAX_TABLE_COLUMNS)
        {
            return Err(SectionError::TableTooLarge { field });
        }
    }
    Ok(cleaned)
}

impl Sections {
    /// These sections as the answer to other questions: each answer goes to the question of
    /// `to` worded like its own in `from` (diacritics and case aside), the rest are left empty.
    /// A compiled report sent up answers the questions of the request above.
    pub fn for_questions(&self, from: &[String], to: &[String]) -> Sections {
        use kehoach_core::text::fold;
        let answers = to
            .iter()
            .map(|q| {
                let q = fold(q.trim());
                from.iter()
                    .position(|f| fold(f.trim()) == q)
                    .and_then(|i| self.answers.get(i).cloned())
                    .unwrap_or_default()
            })
            .collect();
        Sections {
            answers,
            ..self.clone()
        }
    }

    /// Every section cleaned and bounded; `questions` is how many the request asks (answers
    /// beyond it are refused, missing ones are empty).
    pub fn cleaned(&self, questions: usize) -> Result<Sections, SectionError> {
        if self.answers.len() > questions {
            return Err(SectionError::TooManyAnswers {
                got: self.answers.len(),
                asked: questions,
            });
        }
        let mut answers = Vec::with_capacity(questions);
        for i in 0..questions {
            let a = self.answers.get(i).map(String::as_str).unwrap_or("");
            answers.push(clean_section(Field::Answer(i + 1), a)?);
        }
        Ok(Sections {
            results: clean_section(Field::Results, &self.results)?,
            shortcomings: clean_section(Field::Shortcomings, &self.shortcomings)?,
            proposals: clean_section(Field::Proposals, &self.proposals)?,
            answers,
        })
    }

    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
            && self.shortcomings.is_empty()
            && self.proposals.is_empty()
            && self.answers.iter().all(String::is_empty)
    }
}

/// A request's questions cleaned: NFC, one line each, bounded; empty ones dropped.
pub fn clean_questions(questions: &[String]) -> Result<Vec<String>, SectionError> {
    if questions.len() > MAX_QUESTIONS {
        return Err(SectionError::TooManyQuestions);
    }
    let mut out = Vec::new();
    for (i, q) in questions.iter().enumerate() {
        if q.chars().count() > MAX_QUESTION_CHARS {
            return Err(SectionError::TooLong {
                field: Field::Question(i + 1),
                max: MAX_QUESTION_CHARS,
            });
        }
        let q = strip_tags(&kehoach_core::text::nfc(q))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !q.is_empty() {
            out.push(q);
        }
    }
    Ok(out)
}

fn list_item(line: &str) -> Option<&str> {
    let t = line.trim_start();
    ["- ", "+ ", "• ", "* "]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .map(str::trim)
}

fn table_cells(line: &str) -> Option<Vec<String>> {
    let t = line.trim();
    if !(t.starts_with('|') && t.len() > 1) {
        return None;
    }
    let inner = t.trim_start_matches('|').trim_end_matches('|');
    let cells: Vec<String> = inner.split('|').map(|c| c.trim().to_string()).collect();
    // A Markdown separator row ("|---|---|") carries nothing.
    if cells
        .iter()
        .all(|c| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
    {
        return Some(Vec::new());
    }
    Some(cells)
}

/// A cleaned section as blocks: paragraphs (lines of one paragraph joined), lists, tables.
pub fn blocks(text: &str) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    let mut para: Vec<&str> = Vec::new();
    let flush = |para: &mut Vec<&str>, out: &mut Vec<Block>| {
        if !para.is_empty() {
            out.push(Block::Para(para.join(" ")));
            para.clear();
        }
    };
    for line in text.lines() {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
        } else if let Some(item) = list_item(line) {
            flush(&mut para, &mut out);
            match out.last_mut() {
                Some(Block::List(items)) => items.push(item.to_string()),
                _ => out.push(Block::List(vec![item.to_string()])),
            }
        } else if let Some(cells) = table_cells(line) {
            flush(&mut para, &mut out);
            if cells.is_empty() {
                continue;
            }
            match out.last_mut() {
                Some(Block::Table(header, rows)) => {
                    let mut row = cells;
                    row.resize(header.len().max(1), String::new());
                    rows.push(row);
                }
                _ => out.push(Block::Table(cells, Vec::new())),
            }
        } else {
            para.push(line.trim());
        }
    }
    flush(&mut para, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_follow_their_questions_upward() {
        let own = Sections {
            results: "Kết quả".into(),
            answers: vec!["02 cán bộ".into(), "Không".into()],
            ..Sections::default()
        };
        let from = ["Số cán bộ phụ trách?".to_string(), "Khó khăn?".to_string()];
        let to = ["Kiến nghị?".to_string(), "số can bo phu trach?".to_string()];
        let up = own.for_questions(&from, &to);
        assert_eq!(up.answers, ["", "02 cán bộ"]);
        assert_eq!(up.results, "Kết quả");
        assert!(own.for_questions(&from, &[]).answers.is_empty());
    }

    #[test]
    fn markup_is_dropped_and_text_kept() {
        let s = clean_section(
            Field::Results,
            "<script>alert(1)</script>Đã <b>phát</b> 52 chương trình\r\n\r\n\r\nTỷ lệ < 5 %",
        )
        .unwrap();
        assert_eq!(s, "alert(1)Đã phát 52 chương trình\n\nTỷ lệ < 5 %");
    }

    #[test]
    fn lists_tables_and_paragraphs() {
        let b = blocks(
            "Kết quả chung\nnăm 2024\n\n- một\n- hai\n| Kênh | Số lượng |\n|---|---|\n| Báo | 5 |\nCuối",
        );
        assert_eq!(
            b,
            vec![
                Block::Para("Kết quả chung năm 2024".into()),
                Block::List(vec!["một".into(), "hai".into()]),
                Block::Table(
                    vec!["Kênh".into(), "Số lượng".into()],
                    vec![vec!["Báo".into(), "5".into()]]
                ),
                Block::Para("Cuối".into()),
            ]
        );
    }

    #[test]
    fn bounds_name_the_field() {
        let long = "a".repeat(MAX_SECTION_CHARS + 1);
        let e = Sections {
            proposals: long,
            ..Sections::default()
        }
        .cleaned(0)
        .unwrap_err();
        assert_eq!(e.field(), Some(Field::Proposals));
        assert!(e.to_string().starts_with("proposals:"));
        let e = Sections {
            answers: vec!["x".into(), "y".into()],
            ..Sections::default()
        }
        .cleaned(1)
        .unwrap_err();
        assert!(matches!(e, SectionError::TooManyAnswers { .. }));
        let rows: String = (0..60).map(|i| format!("| {i} | x |\n")).collect();
        let e = clean_section(Field::Answer(1), &rows).unwrap_err();
        assert_eq!(
            e,
            SectionError::TableTooLarge {
                field: Field::Answer(1)
            }
        );
    }
}
