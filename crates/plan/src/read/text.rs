//! Plain text and Markdown readers.
//!
//! Real plan texts are pasted from PDF or Word: lines are hard-wrapped mid-sentence, sometimes
//! with blank lines in the middle of a sentence, page numbers and footnotes sit between the
//! paragraphs, and Unicode comes in NFC and NFD. The reader rebuilds paragraphs:
//! a line continues the previous one unless it starts a list item or a "Label:" line, or the
//! previous line visibly ended (terminal punctuation, ALL CAPS heading, short last line).

use super::{Block, Cell, Document, Paragraph, Table};
use crate::markers::parse_marker;
use unicode_normalization::UnicodeNormalization;

/// Decodes bytes to NFC text: UTF-8 (BOM or not) or UTF-16 (BOM, or guessed from NUL bytes).
/// Invalid sequences become U+FFFD rather than errors: a plan with a few broken characters is
/// still a plan.
pub(crate) fn decode(bytes: &[u8]) -> String {
    let raw = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, true)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, false)
    } else if let Some(little) = guess_utf16(bytes) {
        utf16(bytes, little)
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    };
    normalize(&raw)
}

fn utf16(bytes: &[u8], little: bool) -> String {
    let units = bytes.chunks_exact(2).map(|p| {
        if little {
            u16::from_le_bytes([p[0], p[1]])
        } else {
            u16::from_be_bytes([p[0], p[1]])
        }
    });
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// BOM-less UTF-16: text has many NUL bytes on one side of each pair (ASCII letters, spaces,
/// digits) and almost none on the other. UTF-8 text has no NUL bytes at all.
fn guess_utf16(bytes: &[u8]) -> Option<bool> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
    let odd = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|&&b| b == 0)
        .count();
    if odd * 4 > pairs && even * 50 < pairs {
        Some(true)
    } else if even * 4 > pairs && odd * 50 < pairs {
        Some(false)
    } else {
        None
    }
}

/// NFC, one newline convention, no invisible or control characters, plain spaces.
pub(crate) fn normalize(s: &str) -> String {
    let s = s.replace("\r\n", "\n");
    let mut out = String::with_capacity(s.len());
    // Composing is the slow part; most documents are already NFC.
    let composed: Box<dyn Iterator<Item = char>> =
        match unicode_normalization::is_nfc_quick(s.chars()) {
            unicode_normalization::IsNormalized::Yes => Box::new(s.chars()),
            _ => Box::new(s.nfc()),
        };
    for c in composed {
        match c {
            '\r' | '\u{2028}' | '\u{2029}' | '\u{000C}' | '\u{000B}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => {
                out.push(' ')
            }
            '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Reads a plain-text plan.
pub fn read_text(bytes: &[u8]) -> Document {
    let text = decode(bytes);
    let raws: Vec<Raw> = text.lines().map(text_line).collect();
    assemble(raws)
}

/// Reads a Markdown plan (as produced by converting a .docx or PDF): headings, emphasis,
/// escapes, footnotes, pipe tables and horizontal rules are understood and removed.
pub fn read_markdown(bytes: &[u8]) -> Document {
    let text = decode(bytes);
    let mut raws = Vec::new();
    for line in text.lines() {
        // "**IV. TỔ CHỨC THỰC HIỆN****1. Các cơ quan…**": two bold headings glued together lost
        // the paragraph break between them.
        if line.contains("****") && !line.trim().chars().all(|c| c == '*') {
            for part in line.split("****") {
                raws.push(md_line(part));
            }
        } else {
            raws.push(md_line(line));
        }
    }
    assemble(raws)
}

/// What the source says about the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// Nothing: the text rules decide whether the next line continues it.
    Unknown,
    /// The paragraph ends here (Markdown's hard break, a gap in a PDF's layout).
    Paragraph,
    /// The line was wrapped by the layout (it had no room for the next word): the next line
    /// continues it unless it starts a list item or a label.
    Wrapped,
}

/// Assembles lines another reader laid out (the PDF reader's visual lines, each with what the
/// layout shows about its end) as the lines of a hard-wrapped text file: the same rules join
/// wrapped lines and drop lone page numbers.
pub(crate) fn assemble_lines(lines: Vec<(String, LineEnd)>) -> Document {
    let raws = lines
        .into_iter()
        .map(
            |(line, end)| match text_line(&normalize(&line).replace('\n', " ")) {
                Raw::Text {
                    text,
                    heading,
                    footnote,
                    ..
                } => Raw::Text {
                    text,
                    heading,
                    footnote,
                    end,
                },
                other => other,
            },
        )
        .collect();
    assemble(raws)
}

#[derive(Debug)]
enum Raw {
    Blank,
    /// A horizontal rule: in converted documents it separates the page body from footnotes.
    Rule,
    Text {
        text: String,
        heading: Option<u8>,
        footnote: bool,
        end: LineEnd,
    },
    Row(Vec<String>),
}

fn is_page_number(t: &str) -> bool {
    !t.is_empty() && t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit())
}

fn text_line(line: &str) -> Raw {
    if line.matches('\t').count() >= 2 {
        let cells: Vec<String> = line.split('\t').map(|c| c.trim().to_string()).collect();
        if cells.iter().filter(|c| !c.is_empty()).count() >= 2 {
            return Raw::Row(cells);
        }
    }
    let t = line.trim();
    if t.is_empty() || is_page_number(t) {
        return Raw::Blank;
    }
    Raw::Text {
        text: t.replace('\t', " "),
        heading: None,
        footnote: false,
        end: LineEnd::Unknown,
    }
}

fn md_line(line: &str) -> Raw {
    let t = line.trim();
    if t.is_empty() || is_page_number(t) {
        return Raw::Blank;
    }
    if t.len() >= 3
        && (t.chars().all(|c| c == '-')
            || t.chars().all(|c| c == '_')
            || t.chars().all(|c| c == '*' || c == ' '))
    {
        return Raw::Rule;
    }
    if t.starts_with('|') {
        let inner = t.trim_start_matches('|').trim_end_matches('|');
        let cells: Vec<String> = inner.split('|').map(|c| md_inline(c.trim())).collect();
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| matches!(ch, '-' | ':' | ' ')))
        {
            return Raw::Blank;
        }
        return Raw::Row(cells);
    }
    let end = if line.ends_with("  ") || line.ends_with('\\') {
        LineEnd::Paragraph
    } else {
        LineEnd::Unknown
    };
    let mut rest = t;
    let hashes = rest.chars().take_while(|&c| c == '#').count();
    let heading = if (1..=6).contains(&hashes) && rest[hashes..].starts_with(' ') {
        rest = rest[hashes..].trim_start();
        Some(hashes as u8)
    } else {
        None
    };
    while let Some(r) = rest.strip_prefix('>') {
        rest = r.trim_start();
    }
    let footnote = rest.starts_with("<sup>") || rest.starts_with("[^");
    let text = md_inline(rest);
    if text.is_empty() {
        return Raw::Blank;
    }
    Raw::Text {
        text,
        heading,
        footnote,
        end,
    }
}

/// Removes inline Markdown/HTML: footnote markers, tags, emphasis, escapes, link targets.
fn md_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    // A list bullet "* " or "+ " stays: it is structure, not emphasis.
    for b in ["* ", "+ ", "- "] {
        if let Some(r) = rest.strip_prefix(b) {
            out.push_str(b);
            rest = r;
            break;
        }
    }
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '<' => {
                let tail = &rest[i..];
                if let Some(end) = tail.find("</sup>").filter(|_| tail.starts_with("<sup>")) {
                    skip_to(&mut chars, i + end + "</sup>".len());
                    continue;
                }
                let mut lim = tail.len().min(40);
                while !tail.is_char_boundary(lim) {
                    lim -= 1;
                }
                if let Some(close) = tail[..lim].find('>') {
                    let tag = &tail[1..close];
                    if tag
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '/')
                        && tag
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || " /=\"'-:".contains(c))
                    {
                        if tag.eq_ignore_ascii_case("br")
                            || tag.eq_ignore_ascii_case("br/")
                            || tag.eq_ignore_ascii_case("br /")
                        {
                            out.push(' ');
                        }
                        skip_to(&mut chars, i + close + 1);
                        continue;
                    }
                }
                out.push(c);
            }
            '[' if rest[i..].starts_with("[^") => {
                // "[^1]" footnote reference, and "[^1]:" at the start of a footnote.
                if let Some(end) = rest[i..].find(']') {
                    let mut to = i + end + 1;
                    if rest[to..].starts_with(':') {
                        to += 1;
                    }
                    skip_to(&mut chars, to);
                    continue;
                }
                out.push(c);
            }
            '*' => {}
            '_' if rest[i..].starts_with("__") => {
                chars.next();
            }
            '\\' => {
                if let Some(&(_, n)) = chars.peek()
                    && n.is_ascii_punctuation()
                {
                    out.push(n);
                    chars.next();
                    continue;
                }
                out.push(c);
            }
            ']' if rest[i..].starts_with("](") => {
                // "[text](url)": keep the text, drop the target.
                if let Some(end) = rest[i..].find(')') {
                    skip_to(&mut chars, i + end + 1);
                    continue;
                }
            }
            '[' => {}
            _ => out.push(c),
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn skip_to(chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>, to: usize) {
    while chars.peek().is_some_and(|&(j, _)| j < to) {
        chars.next();
    }
}

struct Open {
    text: String,
    heading: Option<u8>,
    last_line_chars: usize,
    last_line_all_caps: bool,
    end: LineEnd,
}

struct Assembler {
    /// The text is hard-wrapped: a capitalised line after a full one may still continue it.
    wrapped: bool,
    width: usize,
    doc: Document,
    open: Option<Open>,
    pending_blank: bool,
    after_rule: bool,
    footnote: Option<String>,
    table: Option<Table>,
}

fn assemble(raws: Vec<Raw>) -> Document {
    // Typical full line width, to tell a wrapped line (full) from a paragraph's last line (short).
    let mut lens: Vec<usize> = raws
        .iter()
        .filter_map(|r| match r {
            Raw::Text { text, .. } => Some(text.chars().count()),
            _ => None,
        })
        .collect();
    lens.sort_unstable();
    let width = lens.get(lens.len() * 9 / 10).copied().unwrap_or(80).max(20);
    // Hard-wrapped text (pasted from PDF) has many lines of about the same, full width; text
    // with one paragraph per line has lengths all over the place.
    let near_full = lens
        .iter()
        .filter(|&&l| l * 100 >= width * 80 && l * 100 <= width * 110)
        .count();
    let wrapped = lens.len() >= 8 && near_full * 10 >= lens.len() * 4;
    let mut a = Assembler {
        wrapped,
        width,
        doc: Document::default(),
        open: None,
        pending_blank: false,
        after_rule: false,
        footnote: None,
        table: None,
    };
    for raw in raws {
        a.push(raw);
    }
    a.flush_footnote();
    a.flush_open();
    a.flush_table();
    a.doc
}

impl Assembler {
    fn push(&mut self, raw: Raw) {
        match raw {
            Raw::Blank => {
                self.pending_blank = true;
                self.flush_footnote();
            }
            Raw::Rule => {
                self.flush_footnote();
                self.flush_table();
                self.pending_blank = true;
                self.after_rule = true;
            }
            Raw::Row(cells) => {
                self.flush_footnote();
                self.flush_open();
                let row = cells
                    .into_iter()
                    .map(|c| Cell {
                        lines: if c.is_empty() { vec![] } else { vec![c] },
                        continued: false,
                    })
                    .collect();
                self.table.get_or_insert_with(Table::default).rows.push(row);
            }
            Raw::Text {
                text,
                heading,
                footnote,
                end,
            } => {
                self.flush_table();
                if let Some(f) = &mut self.footnote {
                    f.push(' ');
                    f.push_str(&text);
                    return;
                }
                let starts_structure = heading.is_some() || parse_marker(&text).is_some();
                if footnote || (self.after_rule && !starts_structure) {
                    self.after_rule = false;
                    self.footnote = Some(text);
                    return;
                }
                self.after_rule = false;
                let join = self
                    .open
                    .as_ref()
                    .is_some_and(|o| self.should_join(o, &text, heading));
                if join {
                    let o = self.open.as_mut().expect("checked above");
                    join_line(&mut o.text, &text);
                    o.last_line_chars = text.chars().count();
                    o.last_line_all_caps = is_all_caps(&text);
                    o.end = end;
                } else {
                    self.flush_open();
                    self.open = Some(Open {
                        last_line_chars: text.chars().count(),
                        last_line_all_caps: is_all_caps(&text),
                        text,
                        heading,
                        end,
                    });
                }
                self.pending_blank = false;
            }
        }
    }

    fn should_join(&self, o: &Open, next: &str, next_heading: Option<u8>) -> bool {
        if o.heading.is_some() || next_heading.is_some() || o.end == LineEnd::Paragraph {
            return false;
        }
        if parse_marker(next).is_some() || starts_label(next) {
            return false;
        }
        if o.end == LineEnd::Wrapped {
            return true;
        }
        let ends = ends_terminal(&o.text);
        let cont = starts_continuation(next);
        let full = o.last_line_chars * 10 >= self.width * 6;
        if self.pending_blank {
            // A blank line in mid-sentence (PDF page breaks, double-spaced pastes): a lowercase
            // continuation after an unfinished sentence joins; in plain text so does a
            // capitalised one after a full-width line ("… thành phố chỉ đạo" / "Trung tâm …").
            if ends || o.last_line_all_caps {
                return false;
            }
            return cont || (self.wrapped && o.last_line_chars * 100 >= self.width * 85);
        }
        // "09/TTr-" + "STTTT", "2021-" + "2025": a word cut at its hyphen.
        let t = o.text.trim_end();
        if cont || (t.ends_with('-') && t.chars().rev().nth(1).is_some_and(|c| c.is_alphanumeric()))
        {
            return true;
        }
        if o.last_line_all_caps || ends_sentence(&o.text) {
            return false;
        }
        // A capitalised word after an unfinished line (or a ';' list): a wrap if that line
        // was full.
        self.wrapped && full
    }

    fn flush_open(&mut self) {
        if let Some(o) = self.open.take() {
            let text = collapse_ws(&o.text);
            if !text.is_empty() {
                self.doc.blocks.push(Block::Paragraph(Paragraph {
                    text,
                    heading: o.heading,
                }));
            }
        }
    }

    fn flush_footnote(&mut self) {
        if let Some(f) = self.footnote.take() {
            let f = collapse_ws(&f);
            if !f.is_empty() {
                self.doc.footnotes.push(f);
            }
        }
    }

    fn flush_table(&mut self) {
        if let Some(t) = self.table.take() {
            self.doc.blocks.push(Block::Table(t));
        }
    }
}

/// Joins a wrapped line: "2021-" + "2025" and "PT-" + "TH" without a space, else one space.
pub(crate) fn join_line(text: &mut String, next: &str) {
    let trimmed = text.trim_end();
    let glue = trimmed.ends_with('-')
        && trimmed
            .chars()
            .rev()
            .nth(1)
            .is_some_and(|c| !c.is_whitespace());
    text.truncate(trimmed.len());
    if !glue {
        text.push(' ');
    }
    text.push_str(next.trim_start());
}

pub(crate) fn ends_terminal(s: &str) -> bool {
    s.trim_end()
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '.' | ':' | ';' | '!' | '?'))
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '.' | ':' | '!' | '?'))
}

fn starts_continuation(s: &str) -> bool {
    match s.chars().next() {
        Some(c) if c.is_lowercase() => true,
        Some(c) if c.is_ascii_digit() => parse_marker(s).is_none(),
        Some(c) => matches!(c, ',' | ';' | ')' | ']' | '%' | '…' | '/' | '&'),
        None => false,
    }
}

fn is_all_caps(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        if c.is_uppercase() {
            letters += 1;
        }
    }
    letters >= 2
}

/// Collapses runs of whitespace to one space and trims.
fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// "Đối tượng: …", "Đơn vị chủ trì: …": a short capitalised label and a colon starts a line.
pub(crate) fn starts_label(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let head = &s[..colon];
    let words = head.split_whitespace().count();
    (1..=6).contains(&words)
        && head.chars().next().is_some_and(|c| c.is_uppercase())
        && !head
            .chars()
            .any(|c| c.is_ascii_digit() || matches!(c, '(' | ')' | '"' | '“' | '/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(doc: &Document) -> Vec<String> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Paragraph(p) => Some(p.text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn decodes_boms_and_utf16() {
        let s = "Kế hoạch số 1";
        let mut le = vec![0xFF, 0xFE];
        le.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        assert_eq!(decode(&le), s);
        let mut be = vec![0xFE, 0xFF];
        be.extend(s.encode_utf16().flat_map(|u| u.to_be_bytes()));
        assert_eq!(decode(&be), s);
        let bomless: Vec<u8> = "Ke hoach so 1 cua UBND"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&bomless), "Ke hoach so 1 cua UBND");
        let mut u8bom = vec![0xEF, 0xBB, 0xBF];
        u8bom.extend(s.as_bytes());
        assert_eq!(decode(&u8bom), s);
    }

    #[test]
    fn normalises_nfd_to_nfc() {
        let nfd: String = "Kế hoạch".nfd().collect();
        assert_ne!(nfd, "Kế hoạch");
        assert_eq!(decode(nfd.as_bytes()), "Kế hoạch");
    }

    #[test]
    fn rejoins_hard_wrapped_lines() {
        let text = "Thực hiện Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng \nChính phủ phê duyệt chương trình chuyển đổi số quốc gia đến năm \n2025, định hướng đến năm 2030 và các văn bản hướng dẫn của Bộ \nThông tin và Truyền thông; Tờ trình số 09/TTr-\nSTTTT ngày 15/01/2024 của Sở Thông tin và Truyền thông tỉnh.\n\n- Nội dung: đánh giá kết quả trong 04 \n\nnăm triển khai.\n - Đơn vị chủ trì: Sở Thông tin và Truyền thông\n\n9\n\nV. TỔ CHỨC THỰC HIỆN\n";
        let doc = read_text(text.as_bytes());
        assert_eq!(
            paragraphs(&doc),
            vec![
                "Thực hiện Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ phê duyệt chương trình chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030 và các văn bản hướng dẫn của Bộ Thông tin và Truyền thông; Tờ trình số 09/TTr-STTTT ngày 15/01/2024 của Sở Thông tin và Truyền thông tỉnh.",
                "- Nội dung: đánh giá kết quả trong 04 năm triển khai.",
                "- Đơn vị chủ trì: Sở Thông tin và Truyền thông",
                "V. TỔ CHỨC THỰC HIỆN",
            ]
        );
    }

    #[test]
    fn markdown_cleanup_and_footnotes() {
        let md = "## **KẾ HOẠCH**\n\n**IV. TỔ CHỨC****1. Các cơ quan**\n\n- Nội dung của tỉnh<sup>1</sup>; mục tiêu và tác\n\n---\n\n<sup>1</sup> Quyết định số 749/QĐ-TTg ngày 03/6/2020\n\nđộng của chuyển đổi số.\n\n***1.2. Giao Phòng A:*** Chủ trì \\- làm.\n\n| STT | Nội dung |\n|---|---|\n| 1 | Việc |\n";
        let doc = read_markdown(md.as_bytes());
        assert_eq!(
            paragraphs(&doc),
            vec![
                "KẾ HOẠCH",
                "IV. TỔ CHỨC",
                "1. Các cơ quan",
                "- Nội dung của tỉnh; mục tiêu và tác động của chuyển đổi số.",
                "1.2. Giao Phòng A: Chủ trì - làm."
            ]
        );
        assert_eq!(
            doc.footnotes,
            vec!["Quyết định số 749/QĐ-TTg ngày 03/6/2020"]
        );
        assert!(matches!(doc.blocks.last(), Some(Block::Table(t)) if t.rows.len() == 2));
    }

    #[test]
    fn tolerates_broken_characters() {
        let doc = read_text(b"\xEF\xBB\xBFK\xE1\xBA\xBF ho\xff\xfe\xfdch\n");
        assert_eq!(paragraphs(&doc).len(), 1);
        assert!(paragraphs(&doc)[0].contains('\u{FFFD}'));
    }
}
