#![no_main]
//! The .md reader and the whole pipeline on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kehoach_plan::read::read_markdown(data);
    let _ = kehoach_plan::parse(data, "fuzz.md");
});
