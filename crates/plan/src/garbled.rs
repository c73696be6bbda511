//! Garbled characters: U+FFFD (the replacement character) left where a source lost a character
//! its encoding could not carry, typically an en dash or a curly quotation mark ("Đài Phát thanh
//! � Truyền hình", "Đề án �Xác định …�"). The unambiguous cases are repaired; every repair and
//! every U+FFFD left is reported, so the import preview can show the officer what changed.
//!
//! - between two spaces: an en dash ("Phát thanh – Truyền hình");
//! - a quotation mark's place (an opening one before a word, a closing one after it) that pairs
//!   with another quotation mark of the same paragraph, written or repaired: “ and ”.
//!
//! Anything else (inside a word, an unpaired quotation mark, "zalo�)") stays as it is.

use crate::model::Warning;
use crate::read::{Block, Document};

const REPLACEMENT: char = '\u{FFFD}';
/// Most warnings listed one by one; the rest are counted in one last warning.
pub const MAX_WARNINGS: usize = 100;

/// Repairs the document's garbled characters in place and returns one warning per repair or
/// remaining U+FFFD (the first [`MAX_WARNINGS`], then how many more).
pub fn repair(doc: &mut Document) -> Vec<Warning> {
    let mut notes = Notes::default();
    for block in &mut doc.blocks {
        match block {
            Block::Paragraph(p) => repair_text(&mut p.text, &mut notes),
            Block::Table(t) => {
                for cell in t.rows.iter_mut().flatten() {
                    for line in &mut cell.lines {
                        repair_text(line, &mut notes);
                    }
                }
            }
        }
    }
    for f in &mut doc.footnotes {
        repair_text(f, &mut notes);
    }
    notes.into_warnings()
}

#[derive(Default)]
struct Notes {
    warnings: Vec<Warning>,
    more: usize,
}

impl Notes {
    fn push(&mut self, w: Warning) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(w);
        } else {
            self.more += 1;
        }
    }

    fn into_warnings(mut self) -> Vec<Warning> {
        if self.more > 0 {
            self.warnings.push(Warning::More { count: self.more });
        }
        self.warnings
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    Dash,
    Open,
    Close,
    Other,
}

fn place(before: Option<char>, after: Option<char>) -> Place {
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let gap = |c: Option<char>| c.is_none_or(char::is_whitespace);
    let opener = |c: Option<char>| gap(c) || matches!(c, Some('(' | '[' | '-' | '–'));
    let closer = |c: Option<char>| {
        gap(c) || matches!(c, Some(',' | ';' | '.' | ':' | ')' | ']' | '!' | '?'))
    };
    if before.is_some_and(char::is_whitespace) && after.is_some_and(char::is_whitespace) {
        Place::Dash
    } else if opener(before) && word(after) {
        Place::Open
    } else if (word(before) || matches!(before, Some('.' | '?' | '!' | ')' | '…'))) && closer(after)
    {
        Place::Close
    } else {
        Place::Other
    }
}

fn repair_text(text: &mut String, notes: &mut Notes) {
    if !text.contains(REPLACEMENT) {
        return;
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<char> = chars.clone();
    // Quotation marks pair like brackets: an opening one (written “ or a U+FFFD in an opening
    // place) waits for the next closing one.
    let mut open: Vec<(usize, bool)> = Vec::new(); // (index, is U+FFFD)
    let mut fixed = vec![false; chars.len()];
    for (i, &c) in chars.iter().enumerate() {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        match c {
            '“' => open.push((i, false)),
            '”' => {
                if let Some((j, garbled)) = open.pop()
                    && garbled
                {
                    out[j] = '“';
                    fixed[j] = true;
                }
            }
            REPLACEMENT => match place(before, after) {
                Place::Dash => {
                    out[i] = '–';
                    fixed[i] = true;
                }
                Place::Open => open.push((i, true)),
                Place::Close => {
                    if let Some((j, garbled)) = open.pop() {
                        out[i] = '”';
                        fixed[i] = true;
                        if garbled {
                            out[j] = '“';
                            fixed[j] = true;
                        }
                    }
                }
                Place::Other => {}
            },
            _ => {}
        }
    }
    for (i, &c) in chars.iter().enumerate() {
        if c != REPLACEMENT {
            continue;
        }
        let excerpt = excerpt(&out, i);
        notes.push(if fixed[i] {
            Warning::Repaired {
                replacement: out[i],
                excerpt,
            }
        } else {
            Warning::Garbled { excerpt }
        });
    }
    *text = out.into_iter().collect();
}

/// A few words either side of position `i`, for a warning.
fn excerpt(chars: &[char], i: usize) -> String {
    const SIDE: usize = 24;
    let from = i.saturating_sub(SIDE);
    let to = (i + SIDE + 1).min(chars.len());
    let mut s: String = chars[from..to].iter().collect();
    if from > 0 {
        s.insert(0, '…');
    }
    if to < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Paragraph;

    fn fix(text: &str) -> (String, Vec<Warning>) {
        let mut doc = Document {
            blocks: vec![Block::Paragraph(Paragraph {
                text: text.to_string(),
                heading: None,
            })],
            footnotes: vec![],
        };
        let warnings = repair(&mut doc);
        let Block::Paragraph(p) = &doc.blocks[0] else {
            unreachable!()
        };
        (p.text.clone(), warnings)
    }

    #[test]
    fn repairs_dashes_and_paired_quotes() {
        let (t, w) = fix("Đài Phát thanh � Truyền hình Quảng Nam");
        assert_eq!(t, "Đài Phát thanh – Truyền hình Quảng Nam");
        assert_eq!(
            w,
            vec![Warning::Repaired {
                replacement: '–',
                excerpt: "Đài Phát thanh – Truyền hình Quảng Nam".into()
            }]
        );
        let (t, _) = fix("phê duyệt Đề án �Xác định Bộ chỉ số�; Quyết định");
        assert_eq!(t, "phê duyệt Đề án “Xác định Bộ chỉ số”; Quyết định");
        let (t, _) = fix("“Chương trình đến năm 2030�; và �câu chuyện” trên trang");
        assert_eq!(t, "“Chương trình đến năm 2030”; và “câu chuyện” trên trang");
    }

    #[test]
    fn keeps_and_reports_what_is_ambiguous() {
        for s in ["nhóm zalo�), Cổng", "thực hi�n", "Đề án �Phát triển"] {
            let (t, w) = fix(s);
            assert_eq!(t, s, "{s}");
            assert!(matches!(&w[..], [Warning::Garbled { .. }]), "{w:?}");
        }
        assert_eq!(
            fix("không có ký tự lỗi"),
            ("không có ký tự lỗi".into(), vec![])
        );
    }

    #[test]
    fn counts_what_it_does_not_list() {
        let (_, w) = fix(&"a�b ".repeat(MAX_WARNINGS + 7));
        assert_eq!(w.len(), MAX_WARNINGS + 1);
        assert_eq!(w.last(), Some(&Warning::More { count: 7 }));
    }
}
