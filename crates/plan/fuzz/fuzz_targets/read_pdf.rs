#![no_main]
//! The .pdf reader (lopdf's parser, the content interpreter, ToUnicode maps, the layout) and
//! extraction on arbitrary bytes. Seeds: the PDFs `tests/pdf.rs` and `tests/formats.rs` write
//! (KEHOACH_KEEP_RENDERINGS) and `benches/plan-30-pages.pdf`.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = kehoach_plan::read::read_pdf(data) {
        let _ = kehoach_plan::extract(&doc);
    }
});
