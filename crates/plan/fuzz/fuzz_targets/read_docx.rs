#![no_main]
//! The .docx reader (zip + XML + numbering) on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = kehoach_plan::read::read_docx(data) {
        let _ = kehoach_plan::extract(&doc);
    }
});
