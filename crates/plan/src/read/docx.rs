//! .docx reader: paragraphs in order with Word's automatic numbering rebuilt, tables expanded to
//! their grid, footnotes.
//!
//! Real plans rarely type "1.", "a)" or "-": Word numbers them from word/numbering.xml, so the
//! labels must be recomputed (numId/ilvl → abstractNum level format, text and start, with
//! counters) or the outline of the plan is lost.
//!
//! Input is untrusted: the archive's entry count and declared sizes are checked, and bytes are
//! counted while inflating (declared sizes can lie); XML nesting depth and part sizes are bounded.

use super::text::normalize;
use super::{Block, Cell, Document, Paragraph, Table};
use crate::error::ReadError;
use quick_xml::events::Event;
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

/// More entries than any real .docx has (a plain one has about 15).
pub const MAX_ENTRIES: usize = 2000;
/// Total unpacked size allowed, declared or actually inflated.
pub const MAX_UNPACKED_BYTES: u64 = 100 * 1024 * 1024;
/// One XML part we parse; document.xml of a long plan is a few MB.
pub const MAX_XML_PART_BYTES: u64 = 40 * 1024 * 1024;
/// XML nesting bound (Word documents nest about 15 deep; tables in tables a little more).
pub const MAX_XML_DEPTH: usize = 256;

/// Reads a .docx document.
pub fn read_docx(bytes: &[u8]) -> Result<Document, ReadError> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| ReadError::NotZip(e.to_string()))?;
    if zip.len() > MAX_ENTRIES {
        return Err(ReadError::TooManyEntries {
            count: zip.len(),
            limit: MAX_ENTRIES,
        });
    }
    let mut declared: u64 = 0;
    let mut names = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let f = zip
            .by_index_raw(i)
            .map_err(|e| ReadError::NotZip(e.to_string()))?;
        declared = declared.saturating_add(f.size());
        names.push(f.name().map(|n| n.into_owned()).unwrap_or_default());
    }
    if declared > MAX_UNPACKED_BYTES {
        return Err(ReadError::UnpackedTooLarge {
            limit: MAX_UNPACKED_BYTES,
        });
    }
    let mut budget = MAX_UNPACKED_BYTES;
    let main = if names.iter().any(|n| n == "word/document.xml") {
        "word/document.xml".to_string()
    } else {
        names
            .iter()
            .find(|n| n.starts_with("word/document") && n.ends_with(".xml"))
            .cloned()
            .ok_or(ReadError::MissingDocumentXml)?
    };
    let doc_xml = read_part(&mut zip, &main, &mut budget)?.ok_or(ReadError::MissingDocumentXml)?;
    let numbering_xml = read_part(&mut zip, "word/numbering.xml", &mut budget)?;
    let styles_xml = read_part(&mut zip, "word/styles.xml", &mut budget)?;
    let footnotes_xml = read_part(&mut zip, "word/footnotes.xml", &mut budget)?;

    let numbering = match &numbering_xml {
        Some(x) => Numbering::from_root(&parse_xml(x, "word/numbering.xml")?),
        None => Numbering::default(),
    };
    let styles = match &styles_xml {
        Some(x) => Styles::from_root(&parse_xml(x, "word/styles.xml")?),
        None => Styles::default(),
    };
    let root = parse_xml(&doc_xml, &main)?;
    let mut walker = Walker {
        numbering: &numbering,
        styles: &styles,
        counters: Counters::default(),
        blocks: Vec::new(),
    };
    if let Some(body) = root.find("body") {
        walker.body(body);
    }
    let mut doc = Document {
        blocks: walker.blocks,
        footnotes: Vec::new(),
    };
    if let Some(x) = &footnotes_xml {
        let root = parse_xml(x, "word/footnotes.xml")?;
        let notes = root.find("footnotes");
        for note in notes.into_iter().flat_map(|n| n.children_named("footnote")) {
            if matches!(
                note.attr("type"),
                Some("separator" | "continuationSeparator" | "continuationNotice")
            ) {
                continue;
            }
            let text = clean(
                &note
                    .children_named("p")
                    .map(plain_text)
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            if !text.is_empty() {
                doc.footnotes.push(text);
            }
        }
    }
    Ok(doc)
}

fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Option<String>, ReadError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(ReadError::ZipEntry {
                part: name.to_string(),
                reason: e.to_string(),
            });
        }
    };
    let limit = (*budget).min(MAX_XML_PART_BYTES);
    let mut buf = Vec::new();
    // Count what actually inflates: a declared size can be a lie.
    file.take(limit + 1)
        .read_to_end(&mut buf)
        .map_err(|e| ReadError::ZipEntry {
            part: name.to_string(),
            reason: e.to_string(),
        })?;
    if buf.len() as u64 > limit {
        return Err(
            if limit == MAX_XML_PART_BYTES && *budget > MAX_XML_PART_BYTES {
                ReadError::PartTooLarge {
                    part: name.to_string(),
                    limit: MAX_XML_PART_BYTES,
                }
            } else {
                ReadError::UnpackedTooLarge {
                    limit: MAX_UNPACKED_BYTES,
                }
            },
        );
    }
    *budget -= buf.len() as u64;
    Ok(Some(match buf.as_slice() {
        [0xFF, 0xFE, ..] | [0xFE, 0xFF, ..] => super::text::decode(&buf),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8_lossy(rest).into_owned(),
        _ => String::from_utf8_lossy(&buf).into_owned(),
    }))
}

// ---------------------------------------------------------------------------------------------
// A small element tree. Word XML parts are at most a few MB; a tree keeps the walkers simple.

#[derive(Debug, Default)]
struct El {
    /// Local name without the namespace prefix ("p", "tbl", "numPr").
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

#[derive(Debug)]
enum Node {
    El(El),
    Text(String),
}

impl El {
    fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local)
            .map(|(_, v)| v.as_str())
    }
    fn elements(&self) -> impl Iterator<Item = &El> {
        self.children.iter().filter_map(|n| match n {
            Node::El(e) => Some(e),
            Node::Text(_) => None,
        })
    }
    fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.elements().filter(move |e| e.name == name)
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.elements().find(|e| e.name == name)
    }
    /// First descendant with this name, depth first.
    fn find(&self, name: &str) -> Option<&El> {
        for e in self.elements() {
            if e.name == name {
                return Some(e);
            }
            if let Some(f) = e.find(name) {
                return Some(f);
            }
        }
        None
    }
    fn val_of(&self, child: &str) -> Option<&str> {
        self.child(child).and_then(|c| c.attr("val"))
    }
}

fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn parse_xml(xml: &str, part: &str) -> Result<El, ReadError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.allow_unmatched_ends = true;
    config.allow_dangling_amp = true;
    let mut stack: Vec<El> = vec![El::default()];
    let xml_err = |e: &dyn std::fmt::Display| ReadError::Xml {
        part: part.to_string(),
        reason: e.to_string(),
    };
    let start = |e: &quick_xml::events::BytesStart<'_>| -> El {
        let attrs = e
            .attributes()
            .flatten()
            .map(|a| {
                (
                    local(a.key.0).to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                        .map(|v| v.into_owned())
                        .unwrap_or_else(|_| a.value.to_string()),
                )
            })
            .collect();
        El {
            name: local(e.name().0).to_string(),
            attrs,
            children: Vec::new(),
        }
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if stack.len() > MAX_XML_DEPTH {
                    return Err(ReadError::XmlTooDeep {
                        part: part.to_string(),
                        limit: MAX_XML_DEPTH,
                    });
                }
                stack.push(start(&e));
            }
            Ok(Event::Empty(e)) => {
                let el = start(&e);
                stack
                    .last_mut()
                    .expect("root stays")
                    .children
                    .push(Node::El(el));
            }
            Ok(Event::End(_)) => {
                if stack.len() > 1 {
                    let el = stack.pop().expect("len > 1");
                    stack
                        .last_mut()
                        .expect("root stays")
                        .children
                        .push(Node::El(el));
                }
            }
            Ok(Event::Text(t)) => push_text(&mut stack, &t.xml10_content()),
            Ok(Event::CData(t)) => push_text(&mut stack, &t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let s = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => match r.xml10_content().as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                push_text(&mut stack, &s);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(xml_err(&e)),
        }
    }
    // Unclosed elements: close them (a truncated part still yields what it has).
    while stack.len() > 1 {
        let el = stack.pop().expect("len > 1");
        stack
            .last_mut()
            .expect("root stays")
            .children
            .push(Node::El(el));
    }
    Ok(stack.pop().expect("root"))
}

fn push_text(stack: &mut [El], s: &str) {
    if s.is_empty() {
        return;
    }
    let top = stack.last_mut().expect("root stays");
    if let Some(Node::Text(prev)) = top.children.last_mut() {
        prev.push_str(s);
    } else {
        top.children.push(Node::Text(s.to_string()));
    }
}

fn clean(s: &str) -> String {
    normalize(s)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

// ---------------------------------------------------------------------------------------------
// Numbering and styles.

#[derive(Debug, Clone, Default)]
struct Level {
    fmt: String,
    text: String,
    start: u32,
    is_lgl: bool,
}

#[derive(Debug, Default)]
struct Num {
    abstract_id: String,
    start_overrides: Vec<(usize, u32)>,
}

#[derive(Debug, Default)]
struct Numbering {
    nums: HashMap<String, Num>,
    abstracts: HashMap<String, Vec<Level>>,
}

fn parse_level(l: &El) -> Level {
    Level {
        fmt: l.val_of("numFmt").unwrap_or("decimal").to_string(),
        text: l.val_of("lvlText").unwrap_or("").to_string(),
        start: l
            .val_of("start")
            .and_then(|v| v.parse().ok())
            .unwrap_or(1)
            .min(100_000),
        is_lgl: l
            .child("isLgl")
            .is_some_and(|e| e.attr("val").is_none_or(|v| v != "0" && v != "false")),
    }
}

impl Numbering {
    fn from_root(root: &El) -> Numbering {
        let mut n = Numbering::default();
        let Some(top) = root.find("numbering") else {
            return n;
        };
        for a in top.children_named("abstractNum") {
            let Some(id) = a.attr("abstractNumId") else {
                continue;
            };
            let mut levels = vec![
                Level {
                    fmt: "decimal".into(),
                    text: String::new(),
                    start: 1,
                    is_lgl: false
                };
                9
            ];
            for l in a.children_named("lvl") {
                if let Some(i) = l
                    .attr("ilvl")
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|&i| i < 9)
                {
                    levels[i] = parse_level(l);
                }
            }
            n.abstracts.insert(id.to_string(), levels);
        }
        for num in top.children_named("num") {
            let (Some(id), Some(abs)) = (num.attr("numId"), num.val_of("abstractNumId")) else {
                continue;
            };
            let mut start_overrides = Vec::new();
            for o in num.children_named("lvlOverride") {
                let Some(i) = o
                    .attr("ilvl")
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|&i| i < 9)
                else {
                    continue;
                };
                if let Some(s) = o.val_of("startOverride").and_then(|v| v.parse().ok()) {
                    start_overrides.push((i, s));
                } else if let Some(l) = o.child("lvl") {
                    start_overrides.push((i, parse_level(l).start));
                }
            }
            n.nums.insert(
                id.to_string(),
                Num {
                    abstract_id: abs.to_string(),
                    start_overrides,
                },
            );
        }
        n
    }
}

#[derive(Debug, Default)]
struct Counters {
    /// Per abstract numbering definition: lists sharing one continue each other's numbers.
    values: HashMap<String, [Option<u32>; 9]>,
    seen_nums: HashSet<String>,
}

fn format_number(n: u32, fmt: &str) -> String {
    match fmt {
        "lowerLetter" => letters(n, false),
        "upperLetter" => letters(n, true),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "decimalZero" => format!("{n:02}"),
        _ => n.to_string(),
    }
}

fn letters(n: u32, upper: bool) -> String {
    // Word: a..z, then aa..zz, aaa..
    let n = n.max(1) - 1;
    let c = (b'a' + (n % 26) as u8) as char;
    let s: String = std::iter::repeat_n(c, (n / 26 + 1).min(5) as usize).collect();
    if upper { s.to_uppercase() } else { s }
}

fn roman(mut n: u32) -> String {
    const T: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    n = n.clamp(1, 3999);
    let mut s = String::new();
    for (v, r) in T {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// A bullet's lvlText, as a character the outline understands.
fn bullet_label(text: &str, ilvl: usize) -> String {
    let by_level = ['•', '◦', '▪'][ilvl % 3];
    match text.chars().next() {
        Some(
            c @ ('-' | '–' | '+' | '*' | '•' | 'o' | '◦' | '▪' | '■' | '●' | '○' | '➢' | '►' | '✓'),
        ) => c.to_string(),
        _ => by_level.to_string(),
    }
}

impl Numbering {
    fn label(&self, counters: &mut Counters, num_id: &str, ilvl: usize) -> Option<String> {
        let num = self.nums.get(num_id)?;
        let levels = self.abstracts.get(&num.abstract_id)?;
        let ilvl = ilvl.min(8);
        let values = counters
            .values
            .entry(num.abstract_id.clone())
            .or_insert([None; 9]);
        if counters.seen_nums.insert(num_id.to_string()) {
            for &(l, start) in &num.start_overrides {
                values[l] = Some(start.saturating_sub(1));
                for v in values.iter_mut().skip(l + 1) {
                    *v = None;
                }
            }
        }
        let level = &levels[ilvl];
        values[ilvl] = Some(values[ilvl].map_or(level.start, |v| v.saturating_add(1)));
        for v in values.iter_mut().skip(ilvl + 1) {
            *v = None;
        }
        match level.fmt.as_str() {
            "none" => return None,
            "bullet" => return Some(bullet_label(&level.text, ilvl)),
            _ => {}
        }
        let mut out = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '%'
                && let Some(d) = chars
                    .peek()
                    .and_then(|d| d.to_digit(10))
                    .filter(|d| (1..=9).contains(d))
            {
                chars.next();
                let k = d as usize - 1;
                let value = values[k].unwrap_or(levels[k].start);
                let fmt = if level.is_lgl {
                    "decimal"
                } else {
                    levels[k].fmt.as_str()
                };
                out.push_str(&format_number(value, fmt));
            } else {
                out.push(c);
            }
        }
        let out = out.trim().to_string();
        if out.is_empty() {
            return None;
        }
        // "%1" alone would not read as a marker; Word shows "1" then a tab, which means "1.".
        if out.chars().last().is_some_and(|c| c.is_alphanumeric()) {
            return Some(format!("{out}."));
        }
        Some(out)
    }
}

#[derive(Debug, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    num_id: Option<String>,
    ilvl: Option<usize>,
    outline: Option<u8>,
}

#[derive(Debug, Default)]
struct Styles {
    by_id: HashMap<String, Style>,
}

impl Styles {
    fn from_root(root: &El) -> Styles {
        let mut s = Styles::default();
        let Some(top) = root.find("styles") else {
            return s;
        };
        for st in top.children_named("style") {
            let Some(id) = st.attr("styleId") else {
                continue;
            };
            let ppr = st.child("pPr");
            let numpr = ppr.and_then(|p| p.child("numPr"));
            s.by_id.insert(
                id.to_string(),
                Style {
                    name: st.val_of("name").unwrap_or("").to_lowercase(),
                    based_on: st.val_of("basedOn").map(str::to_string),
                    num_id: numpr.and_then(|n| n.val_of("numId")).map(str::to_string),
                    ilvl: numpr
                        .and_then(|n| n.val_of("ilvl"))
                        .and_then(|v| v.parse().ok()),
                    outline: ppr
                        .and_then(|p| p.val_of("outlineLvl"))
                        .and_then(|v| v.parse().ok()),
                },
            );
        }
        s
    }

    /// Follows basedOn (bounded: style chains can be cyclic in broken files).
    fn chain(&self, id: &str) -> Vec<&Style> {
        let mut out = Vec::new();
        let mut cur = self.by_id.get(id);
        while let Some(s) = cur {
            if out.len() >= 12 {
                break;
            }
            out.push(s);
            cur = s.based_on.as_deref().and_then(|b| self.by_id.get(b));
        }
        out
    }

    fn heading_level(&self, id: &str) -> Option<u8> {
        for s in self.chain(id) {
            if let Some(n) = s
                .name
                .strip_prefix("heading ")
                .and_then(|n| n.trim().parse::<u8>().ok())
            {
                return Some(n.clamp(1, 9));
            }
            if s.name == "title" {
                return Some(1);
            }
            if let Some(o) = s.outline.filter(|&o| o < 9) {
                return Some(o + 1);
            }
        }
        let lower = id.to_ascii_lowercase();
        lower
            .strip_prefix("heading")
            .and_then(|n| n.parse::<u8>().ok())
            .map(|n| n.clamp(1, 9))
    }

    fn numbering(&self, id: &str) -> Option<(String, usize)> {
        let chain = self.chain(id);
        let num = chain.iter().find_map(|s| s.num_id.clone())?;
        let ilvl = chain.iter().find_map(|s| s.ilvl).unwrap_or(0);
        Some((num, ilvl))
    }
}

// ---------------------------------------------------------------------------------------------
// The body walk.

struct Walker<'a> {
    numbering: &'a Numbering,
    styles: &'a Styles,
    counters: Counters,
    blocks: Vec<Block>,
}

impl Walker<'_> {
    fn body(&mut self, body: &El) {
        for e in body.elements() {
            match e.name.as_str() {
                "p" => {
                    for p in self.paragraph(e) {
                        self.blocks.push(Block::Paragraph(p));
                    }
                }
                "tbl" => {
                    let t = self.table(e);
                    self.blocks.push(Block::Table(t));
                }
                "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo" => self.body(e),
                _ => {}
            }
        }
    }

    /// One w:p; a manual line break inside it starts another paragraph (plans often put
    /// "Đơn vị chủ trì: …" and "Đơn vị phối hợp: …" in one paragraph with Shift+Enter).
    fn paragraph(&mut self, p: &El) -> Vec<Paragraph> {
        let ppr = p.child("pPr");
        let style = ppr.and_then(|x| x.val_of("pStyle")).unwrap_or("");
        let mut heading = self.styles.heading_level(style);
        if let Some(o) = ppr
            .and_then(|x| x.val_of("outlineLvl"))
            .and_then(|v| v.parse::<u8>().ok())
        {
            heading = (o < 9).then_some(o + 1);
        }
        let numpr = ppr.and_then(|x| x.child("numPr"));
        let num = match numpr {
            Some(n) => n.val_of("numId").map(|id| {
                (
                    id.to_string(),
                    n.val_of("ilvl")
                        .and_then(|v| v.parse::<usize>().ok())
                        .unwrap_or(0),
                )
            }),
            None => self.styles.numbering(style),
        };
        let label = match num {
            Some((id, ilvl)) if id != "0" => self.numbering.label(&mut self.counters, &id, ilvl),
            _ => None,
        };
        let mut raw = String::new();
        run_text(p, &mut raw);
        let mut out = Vec::new();
        for (i, line) in raw.split('\n').enumerate() {
            let mut text = clean(line);
            if i == 0
                && let Some(l) = &label
            {
                text = if text.is_empty() {
                    l.clone()
                } else {
                    format!("{l} {text}")
                };
            }
            if !text.is_empty() {
                out.push(Paragraph {
                    text,
                    heading: if i == 0 { heading } else { None },
                });
            }
        }
        out
    }

    fn table(&mut self, tbl: &El) -> Table {
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for tr in tbl.children_named("tr") {
            let mut row: Vec<Cell> = Vec::new();
            for tc in tr
                .elements()
                .flat_map(|e| {
                    if e.name == "sdt" {
                        e.find("sdtContent")
                            .map(|c| c.elements().collect::<Vec<_>>())
                            .unwrap_or_default()
                    } else {
                        vec![e]
                    }
                })
                .filter(|e| e.name == "tc")
            {
                let tcpr = tc.child("tcPr");
                let span = tcpr
                    .and_then(|t| t.val_of("gridSpan"))
                    .and_then(|v| v.parse::<usize>().ok())
                    .unwrap_or(1)
                    .clamp(1, 64);
                let vmerge_continue = tcpr
                    .and_then(|t| t.child("vMerge"))
                    .is_some_and(|v| v.attr("val").is_none_or(|x| x == "continue"));
                let col = row.len();
                let cell = if vmerge_continue {
                    let above = rows
                        .last()
                        .and_then(|r| r.get(col))
                        .map(|c| c.lines.clone())
                        .unwrap_or_default();
                    Cell {
                        lines: above,
                        continued: true,
                    }
                } else {
                    let mut lines = Vec::new();
                    self.cell_lines(tc, &mut lines);
                    Cell {
                        lines,
                        continued: false,
                    }
                };
                for k in 0..span {
                    row.push(Cell {
                        lines: cell.lines.clone(),
                        continued: cell.continued || k > 0,
                    });
                }
            }
            if row.len() > 256 {
                row.truncate(256);
            }
            rows.push(row);
        }
        Table { rows }
    }

    fn cell_lines(&mut self, el: &El, lines: &mut Vec<String>) {
        for e in el.elements() {
            match e.name.as_str() {
                "p" => lines.extend(self.paragraph(e).into_iter().map(|p| p.text)),
                // A table inside a cell: flatten its text into the cell.
                "tbl" => {
                    let inner = self.table(e);
                    for r in inner.rows {
                        let text = r
                            .iter()
                            .filter(|c| !c.continued)
                            .map(Cell::text)
                            .filter(|t| !t.is_empty())
                            .collect::<Vec<_>>()
                            .join(" | ");
                        if !text.is_empty() {
                            lines.push(text);
                        }
                    }
                }
                "sdt" | "sdtContent" | "customXml" | "ins" | "moveTo" => self.cell_lines(e, lines),
                _ => {}
            }
        }
    }
}

/// The visible text of a paragraph's runs. Deleted text, field codes and drawings are skipped
/// (a text box's text appears twice in mc:AlternateContent).
fn run_text(el: &El, out: &mut String) {
    for n in &el.children {
        let Node::El(e) = n else { continue };
        match e.name.as_str() {
            "t" => {
                for c in &e.children {
                    if let Node::Text(t) = c {
                        out.push_str(t);
                    }
                }
            }
            "tab" | "ptab" => out.push(' '),
            "br" if e.attr("type").is_some_and(|t| t == "page" || t == "column") => out.push(' '),
            "br" | "cr" => out.push('\n'),
            "noBreakHyphen" => out.push('-'),
            "pPr" | "rPr" | "del" | "delText" | "instrText" | "moveFrom" | "drawing" | "pict"
            | "AlternateContent" | "object" | "footnoteReference" | "endnoteReference"
            | "commentReference" => {}
            _ => run_text(e, out),
        }
    }
}

fn plain_text(p: &El) -> String {
    let mut s = String::new();
    run_text(p, &mut s);
    s.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers() {
        assert_eq!(format_number(3, "lowerLetter"), "c");
        assert_eq!(format_number(27, "lowerLetter"), "aa");
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(9, "lowerRoman"), "ix");
        assert_eq!(format_number(5, "decimalZero"), "05");
    }
}
