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
//! 4. marks each line where the layout shows its paragraph ends (a larger vertical gap, an
//!    indented first line, a break with room left for the next word) or where the layout wrapped
//!    it (no room left); a page break is no paragraph break by itself.
//!
//! The lines then go through the text reader's assembly (`text::assemble_lines`), so a plan
//! reads the same from a PDF as from its text. Every cost is bounded: input size (by the
//! caller), pages, objects, decompressed bytes (lopdf's per-stream limit while loading, one
//! budget for all page contents and font maps), pieces of text.
//!
//! Modules: this one opens the file and walks its pages; `fonts` (code → Unicode, widths),
//! `content` (the text operators → positioned pieces), `layout` (pieces → lines marked with
//! what the layout shows about their ends). Not read: text inside form XObjects, annotations,
//! vertical writing.

mod content;
mod fonts;
mod layout;

use lopdf::Object;
use lopdf::content::Content;

use super::Document;
use crate::error::ReadError;
use fonts::{Font, Fonts};

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
            let lines = layout::layout(pages)?;
            Ok(super::text::assemble_lines(lines))
        }
        Ok(Err(e)) => Err(e),
        Err(_) => Err(ReadError::Pdf("the file's structure is broken".into())),
    }
}

/// A string drawn on a page: where it starts and ends (device space, y up) and its size.
#[derive(Debug, Clone)]
pub(super) struct Piece {
    pub x0: f32,
    pub x1: f32,
    pub y: f32,
    pub size: f32,
    pub text: String,
}

/// A page's width (for finding its columns) and what is drawn on it.
pub(super) struct Page {
    pub width: f32,
    pub pieces: Vec<Piece>,
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
                fonts.insert(name, font);
            }
        }
        // A content stream that does not parse is a page without text, not a failed file.
        let ops = Content::decode(&content)
            .map(|c| c.operations)
            .unwrap_or_default();
        let mut pieces = Vec::new();
        content::interpret(&ops, &fonts, &mut pieces, &mut pieces_left);
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

#[cfg(test)]
mod tests {
    use super::*;
    use fonts::parse_to_unicode;
    use layout::is_page_number;

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

    /// A one-page PDF in Helvetica (WinAnsi, no ToUnicode) whose page shows `content`.
    fn pdf_with_content(content: &[u8]) -> Vec<u8> {
        use lopdf::{Stream, dictionary};
        let mut doc = lopdf::Document::with_version("1.5");
        let font = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let contents = doc.add_object(Stream::new(dictionary! {}, content.to_vec()));
        let pages = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages,
            "Contents" => contents,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font } },
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        });
        doc.objects.insert(
            pages,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => vec![page.into()],
                "Count" => 1,
            }),
        );
        let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages });
        doc.trailer.set("Root", catalog);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn a_span_s_actual_text_stands_for_its_glyphs() {
        // As LibreOffice prints a letter its font lacks: the line with a gap in the main font,
        // then the letter from a fallback font as a base glyph and a mark glyph with no Unicode
        // (here the undefined WinAnsi code 0x81), inside a span whose ActualText says "ể".
        let pdf = pdf_with_content(
            b"BT /F1 12 Tf 72 700 Td [(Chuy) -600 (n \\(x\\))] TJ ET\n\
              BT 1 0 0 1 96 700 Tm /Span <</ActualText <FEFF1EC3>>> BDC \
              /F1 12 Tf [(e) 2 <81>] TJ EMC ET",
        );
        let doc = read_pdf(&pdf).unwrap();
        let text: Vec<&str> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                crate::Block::Paragraph(p) => Some(p.text.as_str()),
                crate::Block::Table(_) => None,
            })
            .collect();
        assert_eq!(text, ["Chuyển (x)"]);
    }

    #[test]
    fn refuses_what_is_not_a_pdf() {
        assert!(matches!(
            read_pdf(b"not a pdf at all"),
            Err(ReadError::Pdf(_))
        ));
    }
}
