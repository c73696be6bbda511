//! Property tests: readers and the extractor never panic, whatever the bytes.

mod common;

use kehoach_plan::{Block, Document, Paragraph, extract, parse, read_document};
use proptest::prelude::*;

/// Text that looks like a plan: markers, labels, numbers, dates, Vietnamese words.
fn plan_like_line() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "I. ",
        "II. ",
        "1. ",
        "2.1. ",
        "a) ",
        "b.1. ",
        "- ",
        "+ ",
        "* ",
        "• ",
        "KẾ HOẠCH",
        "Đơn vị chủ trì: ",
        "Đơn vị phối hợp: ",
        "Chủ trì: ",
        "Thời gian thực hiện: ",
        "Nội dung: ",
        "Sở Tài chính",
        "UBND các huyện",
        "TỔ CHỨC THỰC HIỆN",
        "mỗi tuần 01 số",
        "10 Bản tin/năm",
        "hàng tuần",
        "Quý III/2024",
        "từ ngày 25/9 đến ngày 31/10/2024",
        "trước ngày 15/11",
        "trong tháng 02/2024",
        "749/QĐ-TTg",
        "04-NQ/TU",
        "(",
        ")",
        ":",
        ";",
        ".",
        "/",
        "-",
        "năm 2024",
        "giai đoạn 2021 - 2025",
        "Quý ",
        "tháng ",
        "ngày ",
        "99",
        "0",
        "31/2",
        "quý IV năm",
        "phối hợp với Sở X ",
        "\u{FFFD}",
        "e\u{0301}",
        "\t",
        "  ",
        "Nơi nhận:",
        "Trên đây là",
        "PHỤ LỤC",
        "****",
        "<sup>1</sup>",
        "---",
        "| a | b |",
        "\\-",
    ]);
    prop::collection::vec(pieces, 0..12).prop_map(|v| v.concat())
}

fn plan_like_text() -> impl Strategy<Value = String> {
    prop::collection::vec(plan_like_line(), 0..40).prop_map(|v| v.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn readers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for name in ["a.txt", "a.md", "a.docx", "a.pdf", "noext"] {
            let _ = read_document(&bytes, name);
            let _ = parse(&bytes, name);
        }
    }

    #[test]
    fn parse_never_panics_on_plan_like_text(text in plan_like_text()) {
        let _ = parse(text.as_bytes(), "a.txt");
        let _ = parse(text.as_bytes(), "a.md");
        let utf16: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        let _ = parse(&utf16, "a.txt");
    }

    #[test]
    fn extract_never_panics_on_arbitrary_paragraphs(lines in prop::collection::vec(any::<String>(), 0..30), heads in prop::collection::vec(any::<Option<u8>>(), 0..30)) {
        let blocks = lines.into_iter().zip(heads.into_iter().chain(std::iter::repeat(None))).map(|(text, heading)| Block::Paragraph(Paragraph { text, heading })).collect();
        let _ = extract(&Document { blocks, footnotes: vec![] });
    }

    #[test]
    fn docx_reader_never_panics_on_plan_like_xml(lines in prop::collection::vec(plan_like_line(), 0..20), nums in prop::collection::vec(any::<Option<(u8, u8)>>(), 0..20)) {
        let mut body = String::new();
        for (i, l) in lines.iter().enumerate() {
            let num = nums.get(i).copied().flatten().map(|(a, b)| (u32::from(a % 4), u32::from(b % 10)));
            body += &common::p(l, num);
        }
        body += &common::table(&[&["STT", "Nội dung", "Chủ trì"], &["<<", "span:3:x"], &["1", "Việc", "Sở A"]]);
        let bytes = common::build(&common::Docx { body: &body, numbering: Some(common::NUMBERING), footnotes: None, styles: None });
        let _ = parse(&bytes, "a.docx");
    }

    #[test]
    fn corrupted_docx_never_panics(flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let body = common::p("KẾ HOẠCH", None) + &common::p("Việc A", Some((1, 1))) + &common::p("Đơn vị chủ trì: Sở A", Some((1, 3)));
        let mut bytes = common::build(&common::Docx { body: &body, numbering: Some(common::NUMBERING), footnotes: None, styles: None });
        for (at, b) in flips {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        let _ = parse(&bytes, "a.docx");
    }
}
