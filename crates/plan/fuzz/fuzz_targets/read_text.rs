#![no_main]
//! The .txt reader and the whole pipeline on arbitrary bytes.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = kehoach_plan::read::read_text(data);
    let _ = kehoach_plan::parse(data, "fuzz.txt");
});
