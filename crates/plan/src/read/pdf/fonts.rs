//! Fonts as the PDF reader needs them: how character codes map to Unicode (the ToUnicode CMap,
//! else the simple font's encoding) and how wide each glyph is (/Widths, a CIDFont's /W).

use std::collections::HashMap;

use lopdf::{Dictionary, Object};

use super::MAX_PDF_CONTENT_BYTES;
use crate::error::ReadError;

/// What the reader needs of a font: how its codes map to Unicode and how wide each glyph is.
pub(super) struct Font {
    /// Bytes per character code: 2 for composite (Type0) fonts, 1 for simple fonts.
    pub code_len: usize,
    to_unicode: HashMap<u32, String>,
    /// A simple font's own encoding, used for codes its ToUnicode map does not name.
    fallback: Option<[Option<char>; 256]>,
    first_char: u32,
    widths: Vec<f32>,
    cid_widths: HashMap<u32, f32>,
    default_width: f32,
}

/// A page's fonts by resource name.
#[derive(Default)]
pub(super) struct Fonts(HashMap<Vec<u8>, Font>);

impl Fonts {
    pub fn insert(&mut self, name: Vec<u8>, font: Font) {
        self.0.insert(name, font);
    }

    pub fn get(&self, name: &[u8]) -> Option<&Font> {
        self.0.get(name)
    }
}

impl Font {
    pub fn new(
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
    pub fn width(&self, code: u32) -> f32 {
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

    pub fn codes<'b>(&self, bytes: &'b [u8]) -> impl Iterator<Item = u32> + 'b {
        let len = self.code_len;
        bytes
            .chunks(len)
            .map(|c| c.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
    }

    pub fn push_text(&self, code: u32, out: &mut String) {
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
pub(super) fn parse_to_unicode(data: &[u8]) -> HashMap<u32, String> {
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
