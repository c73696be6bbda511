//! A small WordprocessingML (.docx) writer: paragraphs, runs, tables, an A4 page with exact
//! margins, one font, and page numbers in the header from page 2 on.
//!
//! Why hand-written rather than docx-rs: a report needs exact control of a handful of things
//! (margins in twips, a borderless header table, short rules under headings, a page-number field
//! that skips page 1), and each of those is one or two XML elements. docx-rs would add a crate
//! tree and still need its builder bent to those; here the whole format the report uses is this
//! file, written through the `zip` crate the project already has. Everything is built in memory
//! (a report is tens of kilobytes); no I/O.

use std::fmt::Write as _;
use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

/// Twentieths of a point: 1 mm = 56.7 twips, 1 cm = 567.
pub fn mm(mm: f64) -> u32 {
    (mm * 1440.0 / 25.4).round() as u32
}

/// A stretch of text with one formatting. Sizes are in points; `\n` in the text is a line break.
#[derive(Debug, Clone, Default)]
pub struct Run {
    pub text: String,
    pub size: Option<f64>,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
}

impl Run {
    pub fn new(text: impl Into<String>) -> Run {
        Run {
            text: text.into(),
            ..Run::default()
        }
    }
    pub fn bold(mut self) -> Run {
        self.bold = true;
        self
    }
    pub fn italic(mut self) -> Run {
        self.italic = true;
        self
    }
    pub fn underline(mut self) -> Run {
        self.underline = true;
        self
    }
    pub fn size(mut self, points: f64) -> Run {
        self.size = Some(points);
        self
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Align {
    #[default]
    Left,
    Center,
    Right,
    Justify,
}

/// A paragraph. Spacing in points, indents in twips, `line` in 240ths of a line (240 = single).
#[derive(Debug, Clone, Default)]
pub struct Para {
    pub runs: Vec<Run>,
    pub align: Align,
    pub first_line: u32,
    pub indent_left: u32,
    pub indent_right: u32,
    pub before: f64,
    pub after: f64,
    pub line: Option<u32>,
    /// A rule along the top of the paragraph, between its indents (how the short rules under
    /// the issuing body and the title are drawn: an empty paragraph whose indents set its length).
    pub rule_top: bool,
    pub keep_next: bool,
}

impl Para {
    pub fn new(runs: Vec<Run>) -> Para {
        Para {
            runs,
            ..Para::default()
        }
    }
    pub fn text(text: impl Into<String>) -> Para {
        Para::new(vec![Run::new(text)])
    }
    pub fn align(mut self, align: Align) -> Para {
        self.align = align;
        self
    }
    pub fn spacing(mut self, before: f64, after: f64) -> Para {
        self.before = before;
        self.after = after;
        self
    }
    pub fn first_line(mut self, twips: u32) -> Para {
        self.first_line = twips;
        self
    }
    pub fn line(mut self, line: u32) -> Para {
        self.line = Some(line);
        self
    }
    pub fn keep_next(mut self) -> Para {
        self.keep_next = true;
        self
    }
    /// An empty paragraph drawing a rule `width` twips long, centred in a space `space` wide.
    pub fn rule(width: u32, space: u32) -> Para {
        let side = space.saturating_sub(width) / 2;
        Para {
            runs: vec![Run::new("").size(1.0)],
            align: Align::Center,
            indent_left: side,
            indent_right: side,
            rule_top: true,
            // Clear of the descenders of the line above.
            before: 2.0,
            line: Some(240),
            ..Para::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub paras: Vec<Para>,
    /// Background colour, `RRGGBB`.
    pub shade: Option<String>,
    /// Columns the cell spans (0 or 1: one).
    pub span: usize,
}

impl Cell {
    pub fn new(paras: Vec<Para>) -> Cell {
        Cell {
            paras,
            shade: None,
            span: 1,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Table {
    /// Column widths in twips; the table is laid out fixed to them.
    pub widths: Vec<u32>,
    pub rows: Vec<Vec<Cell>>,
    pub borders: bool,
    /// How many leading rows repeat on each page.
    pub header_rows: usize,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Table(Table),
    /// Ends the section here; what follows starts on a new page, in landscape when `true`.
    /// Page numbers go on: only the first section's first page has none.
    Section {
        landscape: bool,
    },
}

/// The page: size and margins in twips, the font, its size in points, and the page number's size
/// (shown centred in the top margin, not on page 1).
#[derive(Debug, Clone)]
pub struct Page {
    pub width: u32,
    pub height: u32,
    pub top: u32,
    pub bottom: u32,
    pub left: u32,
    pub right: u32,
    pub font: String,
    pub size: f64,
    pub page_number_size: f64,
    pub language: String,
}

impl Page {
    /// The text width between the margins, in twips.
    pub fn text_width(&self) -> u32 {
        self.width.saturating_sub(self.left + self.right)
    }
}

/// The parts of a .docx holding `body` on `page`, zipped.
pub fn write_docx(page: &Page, body: &[Block]) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", ROOT_RELS.to_string()),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
        ("word/styles.xml", styles(page)),
        ("word/settings.xml", SETTINGS.to_string()),
        ("word/header1.xml", header(page, true)),
        ("word/header2.xml", header(page, false)),
        ("word/document.xml", document(page, body)),
    ] {
        zip.start_file(name, options)?;
        zip.write_all(content.as_bytes())?;
    }
    Ok(zip.finish()?.into_inner())
}

const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships""#;

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/settings.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/><Override PartName="/word/header2.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>"#;

const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

const DOCUMENT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings" Target="settings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header1.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/header" Target="header2.xml"/></Relationships>"#;

const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:defaultTabStop w:val="720"/><w:compat><w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat></w:settings>"#;

fn half_points(points: f64) -> u32 {
    (points * 2.0).round() as u32
}

fn styles(page: &Page) -> String {
    let font = escape(&page.font);
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/><w:color w:val="000000"/><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/><w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style><w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/><w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="85" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style></w:styles>"#,
        sz = half_points(page.size),
        lang = escape(&page.language),
    )
}

/// The header of pages 2 on (`numbered`: the PAGE field, centred) or of page 1 (empty).
fn header(page: &Page, numbered: bool) -> String {
    let content = if numbered {
        let sz = half_points(page.page_number_size);
        format!(
            r#"<w:p><w:pPr><w:jc w:val="center"/></w:pPr><w:r><w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr><w:t>2</w:t></w:r><w:r><w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr><w:fldChar w:fldCharType="end"/></w:r></w:p>"#
        )
    } else {
        "<w:p/>".to_string()
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:hdr {NS}>{content}</w:hdr>"#
    )
}

fn document(page: &Page, body: &[Block]) -> String {
    let mut out = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document {NS}><w:body>"#
    );
    let mut landscape = false;
    let mut first = true;
    for block in body {
        match block {
            Block::Section { landscape: next } => {
                // A section's properties sit in the last paragraph of the section: a tiny one.
                let _ = write!(
                    out,
                    r#"<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>{}<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>"#,
                    section_properties(page, landscape, first)
                );
                landscape = *next;
                first = false;
            }
            other => write_block(&mut out, other),
        }
    }
    out.push_str(&section_properties(page, landscape, first));
    out.push_str("</w:body></w:document>");
    out
}

/// A section's `sectPr`: the page (turned for landscape, margins kept to the same edges of the
/// text), the page-number header, and — for the first section only — no number on its first page.
fn section_properties(page: &Page, landscape: bool, first: bool) -> String {
    // The header sits halfway into the top margin.
    let header = page.top / 2;
    let (w, h, orient) = if landscape {
        (page.height, page.width, r#" w:orient="landscape""#)
    } else {
        (page.width, page.height, "")
    };
    format!(
        r#"<w:sectPr><w:headerReference w:type="default" r:id="rId3"/><w:headerReference w:type="first" r:id="rId4"/><w:pgSz w:w="{w}" w:h="{h}"{orient}/><w:pgMar w:top="{}" w:right="{}" w:bottom="{}" w:left="{}" w:header="{header}" w:footer="{}" w:gutter="0"/>{}</w:sectPr>"#,
        page.top,
        page.right,
        page.bottom,
        page.left,
        page.bottom / 2,
        if first { "<w:titlePg/>" } else { "" },
    )
}

fn write_block(out: &mut String, block: &Block) {
    match block {
        Block::Para(p) => write_para(out, p),
        Block::Table(t) => write_table(out, t),
        // Sections are closed by `document`.
        Block::Section { .. } => {}
    }
}

fn write_para(out: &mut String, p: &Para) {
    out.push_str("<w:p><w:pPr>");
    if p.keep_next {
        out.push_str("<w:keepNext/>");
    }
    if p.rule_top {
        out.push_str(
            r#"<w:pBdr><w:top w:val="single" w:sz="6" w:space="0" w:color="000000"/></w:pBdr>"#,
        );
    }
    let _ = write!(
        out,
        r#"<w:spacing w:before="{}" w:after="{}" w:line="{}" w:lineRule="auto"/>"#,
        (p.before * 20.0).round() as u32,
        (p.after * 20.0).round() as u32,
        p.line.unwrap_or(240)
    );
    if p.first_line > 0 || p.indent_left > 0 || p.indent_right > 0 {
        let _ = write!(
            out,
            r#"<w:ind w:left="{}" w:right="{}" w:firstLine="{}"/>"#,
            p.indent_left, p.indent_right, p.first_line
        );
    }
    let jc = match p.align {
        Align::Left => "left",
        Align::Center => "center",
        Align::Right => "right",
        Align::Justify => "both",
    };
    let _ = write!(out, r#"<w:jc w:val="{jc}"/>"#);
    // The paragraph mark takes the size of the runs, so an empty rule paragraph stays thin.
    if let Some(size) = p.runs.first().and_then(|r| r.size) {
        let sz = half_points(size);
        let _ = write!(
            out,
            r#"<w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>"#
        );
    }
    out.push_str("</w:pPr>");
    for run in &p.runs {
        write_run(out, run);
    }
    out.push_str("</w:p>");
}

fn write_run(out: &mut String, run: &Run) {
    out.push_str("<w:r><w:rPr>");
    if run.bold {
        out.push_str("<w:b/><w:bCs/>");
    }
    if run.italic {
        out.push_str("<w:i/><w:iCs/>");
    }
    if run.underline {
        out.push_str(r#"<w:u w:val="single"/>"#);
    }
    if let Some(size) = run.size {
        let sz = half_points(size);
        let _ = write!(out, r#"<w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/>"#);
    }
    out.push_str("</w:rPr>");
    for (i, line) in run.text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        let _ = write!(out, r#"<w:t xml:space="preserve">{}</w:t>"#, escape(line));
    }
    out.push_str("</w:r>");
}

fn write_table(out: &mut String, t: &Table) {
    let total: u32 = t.widths.iter().sum();
    let border = if t.borders { "single" } else { "nil" };
    let _ = write!(
        out,
        r#"<w:tbl><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/><w:tblBorders>"#
    );
    for side in ["top", "left", "bottom", "right", "insideH", "insideV"] {
        let _ = write!(
            out,
            r#"<w:{side} w:val="{border}" w:sz="4" w:space="0" w:color="000000"/>"#
        );
    }
    out.push_str(r#"</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>"#);
    for w in &t.widths {
        let _ = write!(out, r#"<w:gridCol w:w="{w}"/>"#);
    }
    out.push_str("</w:tblGrid>");
    for (i, row) in t.rows.iter().enumerate() {
        out.push_str("<w:tr>");
        if i < t.header_rows {
            out.push_str("<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
        } else {
            out.push_str("<w:trPr><w:cantSplit/></w:trPr>");
        }
        let mut col = 0;
        for cell in row {
            let span = cell.span.max(1);
            let w: u32 = t.widths.iter().skip(col).take(span).sum();
            col += span;
            let _ = write!(out, r#"<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>"#);
            if span > 1 {
                let _ = write!(out, r#"<w:gridSpan w:val="{span}"/>"#);
            }
            if let Some(fill) = &cell.shade {
                let _ = write!(
                    out,
                    r#"<w:shd w:val="clear" w:color="auto" w:fill="{}"/>"#,
                    escape(fill)
                );
            }
            out.push_str("</w:tcPr>");
            if cell.paras.is_empty() {
                out.push_str("<w:p/>");
            }
            for p in &cell.paras {
                write_para(out, p);
            }
            out.push_str("</w:tc>");
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
}

/// XML text: the five escapes, and characters XML 1.0 cannot hold dropped (a control character
/// in a plan title must not make the whole report unreadable).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(' '),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn millimetres_become_twips() {
        assert_eq!(mm(210.0), 11906);
        assert_eq!(mm(30.0), 1701);
        assert_eq!(mm(20.0), 1134);
    }

    #[test]
    fn a_document_is_a_zip_with_the_parts_word_needs() {
        let page = Page {
            width: mm(210.0),
            height: mm(297.0),
            top: mm(20.0),
            bottom: mm(20.0),
            left: mm(30.0),
            right: mm(15.0),
            font: "Times New Roman".into(),
            size: 14.0,
            page_number_size: 14.0,
            language: "vi-VN".into(),
        };
        let bytes = write_docx(&page, &[Block::Para(Para::text("Xin chào & tạm biệt"))]).unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut doc = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut doc)
            .unwrap();
        assert!(doc.contains("Xin chào &amp; tạm biệt"));
        assert!(
            doc.contains(r#"<w:pgMar w:top="1134" w:right="850" w:bottom="1134" w:left="1701""#)
        );
        assert!(doc.contains("<w:titlePg/>"));
        for part in ["[Content_Types].xml", "word/styles.xml", "word/header1.xml"] {
            assert!(zip.by_name(part).is_ok(), "{part}");
        }
    }
}
