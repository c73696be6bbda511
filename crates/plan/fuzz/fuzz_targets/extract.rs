#![no_main]
//! The extractor on arbitrary paragraphs: each input line is a paragraph, a leading byte
//! chooses a heading level.

use kehoach_plan::{Block, Document, Paragraph};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let blocks = text
        .lines()
        .map(|l| {
            let heading = l
                .bytes()
                .next()
                .filter(|b| b.is_ascii_digit())
                .map(|b| b - b'0');
            Block::Paragraph(Paragraph {
                text: l.to_string(),
                heading,
            })
        })
        .collect();
    let _ = kehoach_plan::extract(&Document {
        blocks,
        footnotes: vec![text.lines().take(3).collect()],
    });
});
