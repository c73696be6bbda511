//! PDF reader: the text layer of a PDF → lines rebuilt from glyph positions → the text reader's
//! paragraph assembly.
//!
//! A PDF holds no paragraphs, only strings drawn at positions. The reader interprets each page's
//! content stream (text matrices, fonts, widths; lopdf parses the file and the operators), turns
//! every shown string into a positioned piece of text (its Unicode from the font's ToUnicode
//! map, else the font's simple encoding), then:
//! 1. groups pieces into visual lines by baseline, and splits a line where a wide gap separates
//!    two cells (the header block's two columns);
//! 2. finds a two-column page by an empty vertical gutter and reads the left column before the
//!    right one;
//! 3. drops running headers and footers (the same text at the top or bottom of most pages, page
//!    numbers anywhere at the edge);
//! 4. joins visual lines into paragraphs: a line that reaches the right margin continues on the
//!    next one unless that one starts a list item, a label or an indented first line; a larger
//!    vertical gap ends a paragraph. A page break is no paragraph break by itself.
//!
//! The paragraphs then go through the text reader's assembly (`text::assemble_paragraphs`), so
//! a plan reads the same from a PDF as from its text. Every cost is bounded: input size (by the
//! caller), pages, objects, decompressed bytes (lopdf's per-stream limit while loading, one
//! budget for all page contents and font maps), pieces of text.

use std::collections::HashMap;

use lopdf::content::Content;
use lopdf::{Dictionary, Object};

use super::Document;
use super::text::LineEnd;
use crate::error::ReadError;

/// Most pages read. A plan is tens of pages; a thousand-page PDF is not a plan.
pub const MAX_PDF_PAGES: usize = 1_000;
/// Most objects in the file.
pub const MAX_PDF_OBJECTS: usize = 500_000;
/// Largest decompressed size of any one stream while loading (object and xref streams).
pub const MAX_PDF_STREAM_BYTES: usize = 16 * 1024 * 1024;
/// Budget of decompressed bytes for all page contents and font maps together.
pub const MAX_PDF_CONTENT_BYTES: usize = 64 * 1024 * 1024;
/// Most pieces of text (shown strings) kept over the whole document.
const MAX_PIECES: usize = 2_000_000;
/// Deepest nesting of q/Q (graphics state saves) honoured.
const MAX_STATE_DEPTH: usize = 64;

/// Reads the text layer of a PDF.
pub fn read_pdf(bytes: &[u8]) -> Result<Document, ReadError> {
    // lopdf is lenient with broken files and has had panics on hostile input; a panic here is
    // a file we cannot read, never a crash of the server.
    match std::panic::catch_unwind(|| pages_of(bytes)) {
        Ok(Ok(pages)) => {
            let lines = layout(pages)?;
            Ok(super::text::assemble_lines(lines))
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(ReadError::Pdf("the file's structure is broken".into())),
    }
}

/// A string drawn on a page: where it starts and ends (device space, y up) and its size.
#[derive(Debug, Clone)]
struct Piece {
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    text: String,
}

struct Page {
    width: f32,
    pieces: Vec<Piece>,
}

fn pages_of(bytes: &[u8]) -> Result<Vec<Page>, ReadError> {
    let options = lopdf::LoadOptions {
        max_decompressed_size: Some(MAX_PDF_STREAM_BYTES),
        ..Default::default()
    };
    let doc = lopdf::Document::load_mem_with_options(bytes, options).map_err(|e| match e {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded { .. }) => {
            ReadError::PdfUnpackedTooLarge {
                limit: MAX_PDF_STREAM_BYTES,
            }
        }
        lopdf::Error::Decryption(_) | lopdf::Error::InvalidPassword => ReadError::PdfEncrypted,
        other => ReadError::Pdf(other.to_string()),
    })?;
    if doc.is_encrypted() {
        return Err(ReadError::PdfEncrypted);
    }
    if doc.objects.len() > MAX_PDF_OBJECTS {
        return Err(ReadError::PdfTooManyObjects {
            count: doc.objects.len(),
            limit: MAX_PDF_OBJECTS,
        });
    }
    let page_ids = doc.get_pages();
    if page_ids.len() > MAX_PDF_PAGES {
        return Err(ReadError::PdfTooManyPages {
            count: page_ids.len(),
            limit: MAX_PDF_PAGES,
        });
    }
    if page_ids.is_empty() {
        return Err(ReadError::Pdf("it has no pages".into()));
    }
    let mut budget = MAX_PDF_CONTENT_BYTES;
    let mut pieces_left = MAX_PIECES;
    let mut pages = Vec::with_capacity(page_ids.len());
    for (_, &page_id) in page_ids.iter() {
        let width = media_width(&doc, page_id);
        let content = doc
            .get_page_content_with_limit(page_id, budget)
            .map_err(|_| ReadError::PdfUnpackedTooLarge {
                limit: MAX_PDF_CONTENT_BYTES,
            })?;
        budget = budget.saturating_sub(content.len());
        let mut fonts = Fonts::default();
        if let Ok(map) = doc.get_page_fonts(page_id) {
            for (name, dict) in map {
                let font = Font::new(&doc, dict, &mut budget)?;
                fonts.0.insert(name, font);
            }
        }
        // A content stream that does not parse is a page without text, not a failed file.
        let ops = Content::decode(&content)
            .map(|c| c.operations)
            .unwrap_or_default();
        let mut pieces = Vec::new();
        interpret(&ops, &fonts, &mut pieces, &mut pieces_left);
        pages.push(Page { width, pieces });
    }
    Ok(pages)
}

fn media_width(doc: &lopdf::Document, page_id: lopdf::ObjectId) -> f32 {
    // MediaBox may be inherited; A4 portrait when nothing says otherwise.
    let mut node = doc.get_dictionary(page_id).ok();
    for _ in 0..32 {
        let Some(dict) = node else { break };
        if let Ok(b) = dict.get(b"MediaBox").and_then(|o| match o {
            Object::Reference(id) => doc.get_object(*id),
            o => Ok(o),
        }) && let Ok(a) = b.as_array()
            && a.len() == 4
        {
            let n = |i: usize| a[i].as_float().unwrap_or(0.0);
            let w = (n(2) - n(0)).abs();
            if w.is_finite() && w > 1.0 {
                return w;
            }
        }
        node = dict
            .get(b"Parent")
            .and_then(Object::as_reference)
            .and_then(|id| doc.get_dictionary(id))
            .ok();
    }
    595.0
}

/// What the reader needs of a font: how its codes map to Unicode and how wide each glyph is.
struct Font {
    /// Bytes per character code: 2 for composite (Type0) fonts, 1 for simple fonts.
    code_len: usize,
    to_unicode: HashMap<u32, String>,
    /// A simple font's own encoding, used for codes its ToUnicode map does not name.
    fallback: Option<[Option<char>; 256]>,
    first_char: u32,
    widths: Vec<f32>,
    cid_widths: HashMap<u32, f32>,
    default_width: f32,
}

#[derive(Default)]
struct Fonts(HashMap<Vec<u8>, Font>);

impl Font {
    fn new(
        doc: &lopdf::Document,
        dict: &Dictionary,
        budget: &mut usize,
    ) -> Result<Font, ReadError> {
        let composite = dict
            .get(b"Subtype")
            .and_then(Object::as_name)
            .is_ok_and(|n| n == b"Type0");
        let mut font = Font {
            code_len: if composite { 2 } else { 1 },
            to_unicode: HashMap::new(),
            fallback: None,
            first_char: 0,
            widths: Vec::new(),
            cid_widths: HashMap::new(),
            default_width: if composite { 1000.0 } else { 500.0 },
        };
        if let Ok(stream) = dict
            .get_deref(b"ToUnicode", doc)
            .and_then(Object::as_stream)
        {
            let data = stream.get_plain_content_with_limit(*budget).map_err(|_| {
                ReadError::PdfUnpackedTooLarge {
                    limit: MAX_PDF_CONTENT_BYTES,
                }
            })?;
            *budget = budget.saturating_sub(data.len());
            font.to_unicode = parse_to_unicode(&data);
        }
        if !composite {
            if let Ok(enc) = dict.get_font_encoding_with_limit(doc, *budget) {
                let mut table = [None; 256];
                for (b, slot) in table.iter_mut().enumerate() {
                    *slot = enc
                        .bytes_to_string(&[b as u8])
                        .ok()
                        .and_then(|s| s.chars().next())
                        .filter(|c| *c != '\u{FFFD}' && *c != '\0');
                }
                font.fallback = Some(table);
            }
            font.first_char = dict
                .get(b"FirstChar")
                .and_then(Object::as_i64)
                .unwrap_or(0)
                .clamp(0, 255) as u32;
            if let Ok(w) = dict.get_deref(b"Widths", doc).and_then(Object::as_array) {
                font.widths = w
                    .iter()
                    .take(256)
                    .map(|o| number(doc, o).unwrap_or(0.0))
                    .collect();
            }
        } else if let Ok(desc) = dict
            .get_deref(b"DescendantFonts", doc)
            .and_then(Object::as_array)
            .and_then(|a| {
                a.first()
                    .ok_or(lopdf::Error::DictKey("DescendantFonts".into()))
            })
            .and_then(|o| deref(doc, o).as_dict())
        {
            if let Ok(dw) = desc.get(b"DW") {
                font.default_width = number(doc, dw).unwrap_or(1000.0);
            }
            if let Ok(w) = desc.get_deref(b"W", doc).and_then(Object::as_array) {
                font.cid_widths = cid_widths(doc, w);
            }
        }
        Ok(font)
    }

    /// Width of a code in thousandths of the font size.
    fn width(&self, code: u32) -> f32 {
        let w = if self.code_len == 1 {
            code.checked_sub(self.first_char)
                .and_then(|i| self.widths.get(i as usize).copied())
        } else {
            self.cid_widths.get(&code).copied()
        };
        match w {
            Some(w) if w.is_finite() && w > 0.0 => w.min(5_000.0),
            _ => self.default_width,
        }
    }

    fn codes<'b>(&self, bytes: &'b [u8]) -> impl Iterator<Item = u32> + 'b {
        let len = self.code_len;
        bytes
            .chunks(len)
            .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
    }

    fn push_text(&self, code: u32, out: &mut String) {
        if let Some(s) = self.to_unicode.get(&code) {
            out.push_str(s);
        } else if let Some(c) = self
            .fallback
            .as_ref()
            .and_then(|t| t.get(code as usize).copied().flatten())
        {
            out.push(c);
        } else {
            out.push('\u{FFFD}');
        }
    }
}

fn deref<'a>(doc: &'a lopdf::Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).unwrap_or(o),
        o => o,
    }
}

fn number(doc: &lopdf::Document, o: &Object) -> Option<f32> {
    deref(doc, o).as_float().ok().filter(|f| f.is_finite())
}

/// A CIDFont's /W array: `c [w1 w2 …]` or `c_first c_last w`.
fn cid_widths(doc: &lopdf::Document, w: &[Object]) -> HashMap<u32, f32> {
    const MAX_ENTRIES: u32 = 65_536;
    let mut out = HashMap::new();
    let mut i = 0;
    while i + 1 < w.len() && out.len() < MAX_ENTRIES as usize {
        let Some(first) = number(doc, &w[i]).map(|f| f as u32) else {
            break;
        };
        match deref(doc, &w[i + 1]) {
            Object::Array(ws) => {
                for (k, o) in ws.iter().take(MAX_ENTRIES as usize).enumerate() {
                    if let Some(v) = number(doc, o) {
                        out.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            o => {
                let last = number(doc, o).map(|f| f as u32).unwrap_or(first);
                let Some(v) = w.get(i + 2).and_then(|o| number(doc, o)) else {
                    break;
                };
                for c in first..=last.min(first.saturating_add(MAX_ENTRIES)) {
                    out.insert(c, v);
                }
                i += 3;
            }
        }
    }
    out
}

/// A ToUnicode CMap: `bfchar` (code → string) and `bfrange` (a run of codes → consecutive
/// strings, or → an array of strings) entries; everything else is ignored.
fn parse_to_unicode(data: &[u8]) -> HashMap<u32, String> {
    const MAX_RANGE: u32 = 65_536;
    let mut map = HashMap::new();
    let tokens = cmap_tokens(data);
    let mut i = 0;
    let mut mode = "";
    while i < tokens.len() {
        match &tokens[i] {
            Tok::Word(w) if w == "beginbfchar" => mode = "char",
            Tok::Word(w) if w == "beginbfrange" => mode = "range",
            Tok::Word(w) if w.starts_with("end") => mode = "",
            Tok::Hex(src) if mode == "char" => {
                if let Some(Tok::Hex(dst)) = tokens.get(i + 1) {
                    map.insert(code_of(src), utf16_text(dst));
                    i += 1;
                }
            }
            Tok::Hex(lo) if mode == "range" => {
                let (lo, hi) = match tokens.get(i + 1) {
                    Some(Tok::Hex(hi)) => (code_of(lo), code_of(hi)),
                    _ => break,
                };
                let hi = hi.min(lo.saturating_add(MAX_RANGE));
                match tokens.get(i + 2) {
                    Some(Tok::Hex(dst)) => {
                        // Consecutive codes map to consecutive strings: the last UTF-16 unit
                        // counts up.
                        let mut units = utf16_units(dst);
                        for code in lo..=hi {
                            map.insert(code, String::from_utf16_lossy(&units));
                            if let Some(last) = units.last_mut() {
                                *last = last.wrapping_add(1);
                            }
                        }
                        i += 2;
                    }
                    Some(Tok::Open) => {
                        let mut k = i + 3;
                        let mut code = lo;
                        while let Some(Tok::Hex(dst)) = tokens.get(k) {
                            if code <= hi {
                                map.insert(code, utf16_text(dst));
                            }
                            code = code.saturating_add(1);
                            k += 1;
                        }
                        i = k;
                    }
                    _ => break,
                }
            }
            _ => {}
        }
        i += 1;
    }
    map
}

enum Tok {
    Hex(Vec<u8>),
    Word(String),
    Open,
    Other,
}

fn cmap_tokens(data: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        match b {
            b'<' if data.get(i + 1) != Some(&b'<') => {
                let end = data[i..].iter().position(|&c| c == b'>').map(|p| i + p);
                let Some(end) = end else { break };
                let hex: Vec<u8> = data[i + 1..end]
                    .iter()
                    .filter(|c| c.is_ascii_hexdigit())
                    .copied()
                    .collect();
                let bytes = hex
                    .chunks(2)
                    .map(|p| {
                        let s = std::str::from_utf8(p).unwrap_or("0");
                        let v = u8::from_str_radix(s, 16).unwrap_or(0);
                        if p.len() == 1 { v << 4 } else { v }
                    })
                    .collect();
                out.push(Tok::Hex(bytes));
                i = end + 1;
            }
            b'[' => {
                out.push(Tok::Open);
                i += 1;
            }
            b'%' => {
                while i < data.len() && data[i] != b'\n' && data[i] != b'\r' {
                    i += 1;
                }
            }
            c if c.is_ascii_alphabetic() => {
                let start = i;
                while i < data.len() && data[i].is_ascii_alphanumeric() {
                    i += 1;
                }
                out.push(Tok::Word(
                    String::from_utf8_lossy(&data[start..i]).into_owned(),
                ));
            }
            _ => {
                if !b.is_ascii_whitespace() {
                    out.push(Tok::Other);
                }
                i += 1;
            }
        }
    }
    out
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

fn utf16_units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|p| u16::from_be_bytes([p[0], *p.get(1).unwrap_or(&0)]))
        .collect()
}

fn utf16_text(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&utf16_units(bytes))
}

/// An affine matrix [a b c d e f], as PDF writes them.
#[derive(Debug, Clone, Copy)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` then `m`: PDF's `self × m`.
    fn then(self, m: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = m.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() != 6 {
            return None;
        }
        let mut m = [0.0f32; 6];
        for (slot, o) in m.iter_mut().zip(ops) {
            *slot = o.as_float().ok().filter(|f| f.is_finite())?;
        }
        Some(Matrix(m))
    }
}

#[derive(Clone)]
struct TextState {
    ctm: Matrix,
    font: Option<Vec<u8>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

fn operand(ops: &[Object], i: usize) -> f32 {
    ops.get(i)
        .and_then(|o| o.as_float().ok())
        .filter(|f| f.is_finite())
        .unwrap_or(0.0)
}

/// Runs a page's text operators, pushing one [`Piece`] per shown string.
fn interpret(
    ops: &[lopdf::content::Operation],
    fonts: &Fonts,
    out: &mut Vec<Piece>,
    left: &mut usize,
) {
    let mut st = TextState {
        ctm: Matrix::IDENTITY,
        font: None,
        size: 0.0,
        char_spacing: 0.0,
        word_spacing: 0.0,
        scale: 1.0,
        leading: 0.0,
        rise: 0.0,
    };
    let mut saved: Vec<TextState> = Vec::new();
    let mut tm = Matrix::IDENTITY;
    let mut tlm = Matrix::IDENTITY;
    for op in ops {
        let a = &op.operands;
        match op.operator.as_str() {
            "q" if saved.len() < MAX_STATE_DEPTH => saved.push(st.clone()),
            "Q" => {
                if let Some(s) = saved.pop() {
                    st = s;
                }
            }
            "cm" => {
                if let Some(m) = Matrix::from_operands(a) {
                    st.ctm = m.then(st.ctm);
                }
            }
            "BT" => {
                tm = Matrix::IDENTITY;
                tlm = Matrix::IDENTITY;
            }
            "Tf" => {
                st.font = a.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec);
                st.size = operand(a, 1);
            }
            "Tc" => st.char_spacing = operand(a, 0),
            "Tw" => st.word_spacing = operand(a, 0),
            "Tz" => st.scale = operand(a, 0) / 100.0,
            "TL" => st.leading = operand(a, 0),
            "Ts" => st.rise = operand(a, 0),
            "Td" | "TD" => {
                if op.operator == "TD" {
                    st.leading = -operand(a, 1);
                }
                tlm = Matrix::translate(operand(a, 0), operand(a, 1)).then(tlm);
                tm = tlm;
            }
            "Tm" => {
                if let Some(m) = Matrix::from_operands(a) {
                    tlm = m;
                    tm = m;
                }
            }
            "T*" => {
                tlm = Matrix::translate(0.0, -st.leading).then(tlm);
                tm = tlm;
            }
            "Tj" | "'" | "\"" => {
                if op.operator != "Tj" {
                    if op.operator == "\"" {
                        st.word_spacing = operand(a, 0);
                        st.char_spacing = operand(a, 1);
                    }
                    tlm = Matrix::translate(0.0, -st.leading).then(tlm);
                    tm = tlm;
                }
                if let Some(Ok(s)) = a.last().map(Object::as_str) {
                    show(s, &st, fonts, &mut tm, out, left);
                }
            }
            "TJ" => {
                let Some(Ok(items)) = a.first().map(Object::as_array) else {
                    continue;
                };
                for item in items {
                    match item {
                        Object::String(s, _) => show(s, &st, fonts, &mut tm, out, left),
                        o => {
                            if let Ok(n) = o.as_float()
                                && n.is_finite()
                            {
                                let tx = -n / 1000.0 * st.size * st.scale;
                                tm = Matrix::translate(tx, 0.0).then(tm);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Shows one string: decodes it, measures it, records where it was drawn, advances the text
/// matrix.
fn show(
    bytes: &[u8],
    st: &TextState,
    fonts: &Fonts,
    tm: &mut Matrix,
    out: &mut Vec<Piece>,
    left: &mut usize,
) {
    let Some(font) = st.font.as_ref().and_then(|f| fonts.0.get(f)) else {
        return;
    };
    let mut text = String::new();
    let mut advance = 0.0f32;
    for code in font.codes(bytes) {
        font.push_text(code, &mut text);
        let mut w = font.width(code) / 1000.0 * st.size + st.char_spacing;
        if font.code_len == 1 && code == 32 {
            w += st.word_spacing;
        }
        advance += w * st.scale;
    }
    let render = Matrix([st.size * st.scale, 0.0, 0.0, st.size, 0.0, st.rise])
        .then(*tm)
        .then(st.ctm);
    let [_, _, _, _, x0, y] = render.0;
    *tm = Matrix::translate(advance, 0.0).then(*tm);
    let end = Matrix([st.size * st.scale, 0.0, 0.0, st.size, 0.0, st.rise])
        .then(*tm)
        .then(st.ctm);
    let x1 = end.0[4];
    // The rendered size: the text space's vertical unit in device space.
    let size = (render.0[2].powi(2) + render.0[3].powi(2)).sqrt();
    if *left == 0 || text.is_empty() || !(x0.is_finite() && x1.is_finite() && y.is_finite()) {
        return;
    }
    *left -= 1;
    out.push(Piece {
        x0: x0.min(x1),
        x1: x0.max(x1),
        y,
        size: if size.is_finite() && size > 0.1 {
            size
        } else {
            10.0
        },
        text,
    });
}

/// A visual line: pieces on one baseline, left to right, as text with its extent.
#[derive(Debug, Clone)]
struct VLine {
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    text: String,
}

/// Lines of every page in reading order, headers and footers removed, joined into paragraphs.
fn layout(pages: Vec<Page>) -> Result<Vec<(String, LineEnd)>, ReadError> {
    let page_count = pages.len();
    let mut per_page: Vec<Vec<Vec<VLine>>> = Vec::with_capacity(page_count);
    let mut any_text = false;
    for page in pages {
        let lines = visual_lines(page.pieces);
        any_text |= lines
            .iter()
            .any(|l| l.text.chars().any(char::is_alphanumeric));
        per_page.push(columns(lines, page.width));
    }
    if !any_text {
        return Err(ReadError::PdfNoText { pages: page_count });
    }
    drop_running_lines(&mut per_page);
    let flows: Vec<(usize, Vec<VLine>)> = per_page
        .into_iter()
        .enumerate()
        .flat_map(|(page, flows)| flows.into_iter().map(move |f| (page, f)))
        .collect();
    Ok(paragraphs(&flows))
}

/// Groups pieces into lines by baseline; a gap wider than three times the text size splits a
/// line into separate cells.
fn visual_lines(mut pieces: Vec<Piece>) -> Vec<VLine> {
    pieces.retain(|p| !p.text.trim().is_empty());
    pieces.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Piece>> = Vec::new();
    for p in pieces {
        match rows.last_mut() {
            Some(row) if (row[0].y - p.y).abs() <= 0.4 * row[0].size.max(p.size) => row.push(p),
            _ => rows.push(vec![p]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut cur: Option<VLine> = None;
        for p in row {
            if let Some(line) = cur.as_mut() {
                let gap = p.x0 - line.x1;
                let size = line.size.max(p.size);
                if gap <= 3.0 * size {
                    let combining = p.text.chars().next().is_some_and(is_combining);
                    if gap > 0.15 * size
                        && !combining
                        && !line.text.ends_with(' ')
                        && !p.text.starts_with(' ')
                    {
                        line.text.push(' ');
                    }
                    line.text.push_str(&p.text);
                    line.x1 = line.x1.max(p.x1);
                    line.size = size;
                    continue;
                }
                out.push(cur.take().expect("checked above"));
            }
            cur = Some(VLine {
                x0: p.x0,
                x1: p.x1,
                y: p.y,
                size: p.size,
                text: p.text,
            });
        }
        out.extend(cur);
    }
    for l in &mut out {
        l.text = l.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out.retain(|l| !l.text.is_empty());
    out
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Splits a page's lines into flows in reading order: one flow, or for a two-column page the
/// lines above the columns, the left column, the right column, and whatever spans the page
/// below, in that order. A gutter is a vertical band in the page's middle that no line crosses
/// while both sides hold text on several lines.
fn columns(lines: Vec<VLine>, width: f32) -> Vec<Vec<VLine>> {
    if lines.len() < 6 {
        return vec![lines];
    }
    let Some(gutter) = find_gutter(&lines, width) else {
        return vec![lines];
    };
    let mut flows: Vec<Vec<VLine>> = Vec::new();
    let (mut left, mut right): (Vec<VLine>, Vec<VLine>) = (Vec::new(), Vec::new());
    for l in lines {
        if l.x1 <= gutter {
            left.push(l);
        } else if l.x0 >= gutter {
            right.push(l);
        } else {
            // A line across the gutter (a title, a table row) closes the columns above it.
            for side in [&mut left, &mut right] {
                if !side.is_empty() {
                    flows.push(std::mem::take(side));
                }
            }
            match flows.last_mut() {
                Some(f) if f.last().is_some_and(|p| p.x0 < gutter && p.x1 > gutter) => f.push(l),
                _ => flows.push(vec![l]),
            }
        }
    }
    for side in [left, right] {
        if !side.is_empty() {
            flows.push(side);
        }
    }
    flows
}

fn find_gutter(lines: &[VLine], width: f32) -> Option<f32> {
    const STEP: f32 = 2.0;
    let (lo, hi) = (width * 0.3, width * 0.7);
    let mut best: Option<(usize, f32)> = None;
    let mut x = lo;
    while x <= hi {
        let crossing = lines.iter().filter(|l| l.x0 < x && l.x1 > x).count();
        if best.is_none_or(|(c, bx)| {
            crossing < c || (crossing == c && (x - width / 2.0).abs() < (bx - width / 2.0).abs())
        }) {
            best = Some((crossing, x));
        }
        x += STEP;
    }
    let (crossing, x) = best?;
    let left = lines.iter().filter(|l| l.x1 <= x).count();
    let right = lines.iter().filter(|l| l.x0 >= x).count();
    // Both columns must be body text (several lines each), and few lines may span both.
    let two_columns = left >= 5 && right >= 5 && crossing * 5 <= left.min(right);
    two_columns.then_some(x)
}

/// Removes running headers and footers: the first and last line of a page when the same text
/// (digits aside) is there on at least half of the pages, and page numbers ("7", "- 7 -",
/// "Trang 7", "7/12") at the top or bottom of any page.
fn drop_running_lines(pages: &mut [Vec<Vec<VLine>>]) {
    let key = |t: &str| -> String {
        crate::extract::lower(t)
            .chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .collect()
    };
    let edge = |page: &Vec<Vec<VLine>>, top: bool| -> Option<(f32, String)> {
        let all = page.iter().flatten();
        let l = if top {
            all.max_by(|a, b| a.y.total_cmp(&b.y))
        } else {
            all.min_by(|a, b| a.y.total_cmp(&b.y))
        }?;
        Some((l.y, l.text.clone()))
    };
    let mut counts: HashMap<(bool, String), usize> = HashMap::new();
    for page in pages.iter() {
        for top in [true, false] {
            if let Some((_, t)) = edge(page, top) {
                *counts.entry((top, key(&t))).or_default() += 1;
            }
        }
    }
    let n = pages.len();
    for page in pages.iter_mut() {
        for top in [true, false] {
            let Some((y, t)) = edge(page, top) else {
                continue;
            };
            let repeated = n >= 2
                && counts
                    .get(&(top, key(&t)))
                    .is_some_and(|&c| c * 2 >= n && c >= 2);
            if repeated || is_page_number(&t) {
                for flow in page.iter_mut() {
                    flow.retain(|l| !(l.y == y && l.text == t));
                }
            }
        }
        page.retain(|f| !f.is_empty());
    }
}

/// "7", "- 7 -", "Trang 7", "7/12", "Trang 7/12".
fn is_page_number(t: &str) -> bool {
    let l = crate::extract::lower(t);
    let rest = l
        .trim()
        .trim_start_matches("trang")
        .trim_start_matches("page");
    let rest = rest.trim().trim_matches(['-', '–', ' ']);
    !rest.is_empty()
        && rest.len() <= 9
        && rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '/' || c == ' ')
}

/// The visual lines of every flow in order, as the lines of a hard-wrapped text file, each
/// marked (`true`) when the layout shows that its paragraph ends there:
/// - a vertical gap larger than the flow's line spacing;
/// - a first line indented from a flow whose lines start at the margin;
/// - in a document wrapped by a word processor (a line inside a paragraph has no room left for
///   the next line's first word), a line that had room for it. There a line that starts with a dash
///   after an unfinished line that ran to the margin is that line's continuation.
///
/// Which lines then join into paragraphs is the text reader's rule, the same as for text pasted
/// from a PDF. A page or column break is no paragraph end: a sentence may run on.
fn paragraphs(flows: &[(usize, Vec<VLine>)]) -> Vec<(String, LineEnd)> {
    struct Shape {
        left: f32,
        /// The right margin: the furthest any line reaches.
        margin: f32,
        leading: Option<f32>,
    }
    let shapes: Vec<Shape> = flows
        .iter()
        .map(|(_, flow)| Shape {
            left: flow.iter().map(|l| l.x0).fold(f32::INFINITY, f32::min),
            margin: flow.iter().map(|l| l.x1).fold(0.0, f32::max),
            leading: percentile(
                flow.windows(2)
                    .map(|w| w[0].y - w[1].y)
                    .filter(|d| *d > 0.0)
                    .collect(),
                0.5,
            ),
        })
        .collect();
    // A line broke short when the next line's first word would have fitted after it: a word
    // processor would have put it there, so the break was the author's.
    let short = |l: &VLine, next: &VLine, s: &Shape| {
        let chars = next.text.chars().count().max(1) as f32;
        let per_char = (next.x1 - next.x0) / chars;
        let word = next.text.split(' ').next().map_or(0, |w| w.chars().count()) as f32;
        l.x1 + per_char * (word + 1.5) < s.margin
    };
    // Word-processor wrapping: lines followed by a lowercase continuation (surely inside a
    // paragraph) nearly all reach the margin. Text typed with its own line breaks does not.
    let (mut inside, mut inside_short) = (0usize, 0usize);
    for ((_, flow), shape) in flows.iter().zip(&shapes) {
        for w in flow.windows(2) {
            let next = &w[1].text;
            if next.chars().next().is_some_and(char::is_lowercase)
                && crate::markers::parse_marker(next).is_none()
            {
                inside += 1;
                inside_short += usize::from(short(&w[0], &w[1], shape));
            }
        }
    }
    let wrapped_by_layout = inside >= 5 && inside_short * 10 <= inside;
    let mut out: Vec<(String, LineEnd)> = Vec::new();
    let mut last: Option<(usize, &VLine)> = None;
    for ((page, flow), shape) in flows.iter().zip(&shapes) {
        // A flow that starts below the one before on the same page (the columns under a title)
        // is a new paragraph when the gap says so; the top of the next column or page is not.
        if let (Some((last_page, prev)), Some(first)) = (last, flow.first())
            && last_page == *page
            && prev.y - first.y > shape.leading.unwrap_or(1.2 * first.size).max(first.size) * 1.35
            && let Some(prev) = out.last_mut()
        {
            prev.1 = LineEnd::Paragraph;
        }
        last = flow.last().map(|l| (*page, l));
        for (i, l) in flow.iter().enumerate() {
            if let Some(prev) = i.checked_sub(1).map(|p| &flow[p]) {
                let gap = prev.y - l.y;
                let spaced = shape
                    .leading
                    .is_some_and(|d| gap > d * 1.35 && gap > 0.5 * l.size);
                let indented = l.x0 > shape.left + 0.8 * l.size && prev.x0 + 0.8 * l.size < l.x0;
                // A lowercase word after an unfinished line continues it whatever the room.
                let runs_on = !super::text::ends_terminal(&prev.text)
                    && l.text.chars().next().is_some_and(char::is_lowercase)
                    && crate::markers::parse_marker(&l.text).is_none();
                let broke_short = wrapped_by_layout && short(prev, l, shape) && !runs_on;
                if spaced || indented || broke_short {
                    if let Some(p) = out.last_mut() {
                        p.1 = LineEnd::Paragraph;
                    }
                } else if wrapped_by_layout
                    && prev.x1 + 0.6 * l.size > shape.margin
                    && starts_with_dash(&l.text)
                    && !super::text::starts_label(l.text[1..].trim_start())
                    && !super::text::ends_terminal(&prev.text)
                {
                    // "… Phòng Tài chính" / "- Kế hoạch thành phố …": a dashed name wrapped at
                    // its dash, not a new bullet: the line before is unfinished and leaves no
                    // room for " -" (a word processor would have put the dash there), and no
                    // "- Label:" follows.
                    if let Some((last, _)) = out.last_mut() {
                        last.push(' ');
                        last.push_str(&l.text);
                        continue;
                    }
                } else if wrapped_by_layout
                    && !short(prev, l, shape)
                    && let Some(p) = out.last_mut()
                {
                    // No room was left for this line's first word: the layout wrapped it.
                    p.1 = LineEnd::Wrapped;
                }
            }
            out.push((l.text.clone(), LineEnd::Unknown));
        }
    }
    out
}

fn starts_with_dash(t: &str) -> bool {
    ["- ", "– ", "— "].iter().any(|d| t.starts_with(d))
}

fn percentile(mut v: Vec<f32>, p: f32) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    let i = ((v.len() - 1) as f32 * p).round() as usize;
    v.get(i).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_to_unicode_chars_and_ranges() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <00> <FF> endcodespacerange\n\
            2 beginbfchar <01> <1EBF> <02> <0065 0302 0301> endbfchar\n\
            2 beginbfrange <10> <12> <0041> <20> <21> [<0111> <0110>] endbfrange\n\
            endcmap";
        let m = parse_to_unicode(cmap);
        assert_eq!(m[&1], "ế");
        assert_eq!(m[&2], "e\u{302}\u{301}");
        assert_eq!((m[&0x10].as_str(), m[&0x12].as_str()), ("A", "C"));
        assert_eq!((m[&0x20].as_str(), m[&0x21].as_str()), ("đ", "Đ"));
    }

    #[test]
    fn page_numbers() {
        for t in ["7", "- 7 -", "Trang 7", "7/12", "Trang 7/12"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["7 nhiệm vụ", "a)", "Trang chủ"] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn refuses_what_is_not_a_pdf() {
        assert!(matches!(
            read_pdf(b"not a pdf at all"),
            Err(ReadError::Pdf(_))
        ));
    }
}
