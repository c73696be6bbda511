//! PDF reading on files written here, byte by byte, so that every layout feature is under the
//! test's control: two columns, running headers and footers, page numbers, words placed by TJ
//! offsets instead of spaces, a ToUnicode map with Vietnamese letters (some decomposed into
//! base letter and combining marks), a scan without text, and hostile files.

use kehoach_plan::{PlanError, ReadError, parse, read_document};

/// Text drawn at a position: (x, y, size, text).
type Run = (f32, f32, f32, String);

/// A minimal PDF: one simple font whose codes map to Unicode only through a ToUnicode CMap
/// (code n is the n-th distinct character of the document; every glyph 500/1000 wide); each run
/// is drawn with Tj, or with TJ and word gaps instead of spaces when `tj_gaps` is set.
fn pdf(pages: &[Vec<Run>], tj_gaps: bool) -> Vec<u8> {
    let mut chars: Vec<String> = Vec::new();
    let mut code_of = |c: char| -> u8 {
        let s = c.to_string();
        let i = chars.iter().position(|x| *x == s).unwrap_or_else(|| {
            chars.push(s);
            chars.len() - 1
        });
        u8::try_from(i + 1).expect("under 255 distinct characters")
    };
    let mut contents = Vec::new();
    for page in pages {
        let mut c = String::new();
        for (x, y, size, text) in page {
            c += &format!("BT /F1 {size} Tf 1 0 0 1 {x} {y} Tm ");
            if tj_gaps {
                c += "[";
                for (i, w) in text.split(' ').enumerate() {
                    if i > 0 {
                        c += " -600 ";
                    }
                    let hex: String = w.chars().map(|ch| format!("{:02X}", code_of(ch))).collect();
                    c += &format!("<{hex}>");
                }
                c += "] TJ ET\n";
            } else {
                let hex: String = text
                    .chars()
                    .map(|ch| format!("{:02X}", code_of(ch)))
                    .collect();
                c += &format!("<{hex}> Tj ET\n");
            }
        }
        contents.push(c);
    }
    // The decomposed form of "ế" for one code: readers must compose it (NFC).
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <00> <FF> endcodespacerange\n",
    );
    cmap += &format!("{} beginbfchar\n", chars.len());
    for (i, ch) in chars.iter().enumerate() {
        let units: String = if ch == "ế" {
            "0065 0302 0301".into()
        } else {
            ch.encode_utf16().map(|u| format!("{u:04X}")).collect()
        };
        cmap += &format!("<{:02X}> <{units}>\n", i + 1);
    }
    cmap += "endbfchar\nendcmap end end\n";

    assemble(&contents, &cmap)
}

/// The file around page contents: catalog, pages, the font with its ToUnicode map, xref.
fn assemble(contents: &[String], cmap: &str) -> Vec<u8> {
    let n = contents.len();
    let mut objects: Vec<String> = Vec::new();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: String = (0..n).map(|i| format!("{} 0 R ", 5 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{kids}] /Count {n} >>"));
    let widths = vec!["500"; 256].join(" ");
    objects.push(format!(
        "<< /Type /Font /Subtype /TrueType /BaseFont /ABCDEF+Test /FirstChar 0 /LastChar 255 /Widths [{widths}] /ToUnicode 4 0 R >>"
    ));
    objects.push(format!(
        "<< /Length {} >>\nstream\n{cmap}\nendstream",
        cmap.len() + 1
    ));
    for (i, c) in contents.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            6 + 2 * i
        ));
        objects.push(format!(
            "<< /Length {} >>\nstream\n{c}\nendstream",
            c.len() + 1
        ));
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// Wraps text into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for w in text.split(' ') {
        let last = lines.last_mut().unwrap();
        if !last.is_empty() && last.chars().count() + 1 + w.chars().count() > width {
            lines.push(w.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(w);
        }
    }
    lines
}

const PARAGRAPHS: &[&str] = &[
    "1. Tuyên truyền trên Báo Bình Định",
    "- Nội dung: xây dựng chuyên trang, chuyên mục về chuyển đổi số trên báo in và báo điện tử, mỗi tuần 01 số.",
    "- Đơn vị chủ trì: Báo Bình Định.",
    "- Đơn vị phối hợp: Sở Thông tin và Truyền thông.",
    "2. Tuyên truyền trên Đài Phát thanh và Truyền hình tỉnh",
    "- Nội dung: sản xuất phóng sự về kết quả chuyển đổi số của các địa phương, phát sóng hằng tháng.",
    "- Đơn vị chủ trì: Đài Phát thanh và Truyền hình tỉnh.",
    "- Đơn vị phối hợp: các sở, ban, ngành liên quan.",
    "3. Tập huấn kỹ năng số cho cán bộ cấp xã",
    "- Nội dung: tổ chức 05 lớp tập huấn kỹ năng số cho cán bộ, công chức cấp xã trên địa bàn tỉnh.",
    "- Đơn vị chủ trì: Sở Thông tin và Truyền thông.",
    "- Đơn vị phối hợp: UBND các huyện, thị xã, thành phố.",
    "4. Cuộc thi tìm hiểu về chuyển đổi số",
    "- Nội dung: tổ chức cuộc thi trực tuyến tìm hiểu về chuyển đổi số cho người dân, học sinh.",
    "- Đơn vị chủ trì: Tỉnh đoàn.",
    "- Đơn vị phối hợp: Sở Giáo dục và Đào tạo.",
];

/// A two-column plan on two pages: a title across both columns, then the body flowing down the
/// left column and on into the right one, a running header and a page number on every page.
fn two_column_plan(tj_gaps: bool) -> Vec<u8> {
    let mut body: Vec<String> = vec![
        "Thực hiện Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ, UBND tỉnh ban hành Kế hoạch như sau:".into(),
        "I. NHIỆM VỤ".into(),
    ];
    body.extend(PARAGRAPHS.iter().map(|s| s.to_string()));
    // Lines in reading order, each marked with the gap before it (a new paragraph).
    let mut lines: Vec<String> = Vec::new();
    for p in &body {
        lines.extend(wrap(p, 40));
    }
    let size = 10.0;
    let leading = 14.0;
    let mut pages: Vec<Vec<Run>> = vec![Vec::new(), Vec::new()];
    for (i, page) in pages.iter_mut().enumerate() {
        page.push((
            150.0,
            810.0,
            8.0,
            "UBND TỈNH BÌNH ĐỊNH - KẾ HOẠCH SỐ 12/KH-UBND".into(),
        ));
        page.push((295.0, 30.0, 8.0, format!("{}", i + 1)));
    }
    pages[0].push((270.0, 770.0, 12.0, "KẾ HOẠCH".into()));
    pages[0].push((
        120.0,
        750.0,
        12.0,
        "Tuyên truyền chuyển đổi số tỉnh Bình Định năm 2024".into(),
    ));
    // Columns: left x = 50, right x = 320; 25 lines per column per page below the title.
    let mut slot = 0;
    for line in lines {
        let (page, col, row) = (slot / 50, (slot / 25) % 2, slot % 25);
        let x = if col == 0 { 50.0 } else { 320.0 };
        let top = if page == 0 { 720.0 } else { 780.0 };
        pages[page].push((x, top - row as f32 * leading, size, line));
        slot += 1;
    }
    assert!(slot <= 100, "the test plan fits two pages");
    pdf(&pages, tj_gaps)
}

#[test]
fn reads_two_columns_without_running_headers_or_page_numbers() {
    for tj_gaps in [false, true] {
        let plan = parse(&two_column_plan(tj_gaps), "kehoach.pdf").unwrap();
        assert_eq!(
            plan.title,
            "Tuyên truyền chuyển đổi số tỉnh Bình Định năm 2024"
        );
        assert_eq!(plan.issuer.as_deref(), Some("UBND tỉnh Bình Định"));
        assert_eq!(plan.references, vec!["749/QĐ-TTg"]);
        let got: Vec<(&str, &str, &str)> = plan
            .tasks
            .iter()
            .map(|t| (t.title.as_str(), t.lead.as_str(), t.partners.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Tuyên truyền trên Báo Bình Định",
                    "Báo Bình Định",
                    "Sở Thông tin và Truyền thông"
                ),
                (
                    "Tuyên truyền trên Đài Phát thanh và Truyền hình tỉnh",
                    "Đài Phát thanh và Truyền hình tỉnh",
                    "các sở, ban, ngành liên quan"
                ),
                (
                    "Tập huấn kỹ năng số cho cán bộ cấp xã",
                    "Sở Thông tin và Truyền thông",
                    "UBND các huyện, thị xã, thành phố"
                ),
                (
                    "Cuộc thi tìm hiểu về chuyển đổi số",
                    "Tỉnh đoàn",
                    "Sở Giáo dục và Đào tạo"
                ),
            ],
            "tj_gaps = {tj_gaps}"
        );
        assert_eq!(plan.tasks[0].targets.len(), 1);
        assert_eq!(plan.tasks[2].targets[0].count, 5);
        // The running header and the page numbers are gone from the text.
        let doc = read_document(&two_column_plan(tj_gaps), "kehoach.pdf").unwrap();
        for text in doc.all_text() {
            assert!(!text.contains("12/KH-UBND"), "running header kept: {text}");
            assert_ne!(text.trim(), "1");
            assert_ne!(text.trim(), "2");
        }
    }
}

#[test]
fn composes_decomposed_vietnamese_from_to_unicode_maps() {
    let page = vec![(
        50.0,
        700.0,
        12.0,
        "Kế hoạch tuyên truyền về chuyển đổi số".to_string(),
    )];
    let doc = read_document(&pdf(&[page], false), "a.pdf").unwrap();
    let text: Vec<&str> = doc.all_text().collect();
    assert_eq!(text, vec!["Kế hoạch tuyên truyền về chuyển đổi số"]);
}

#[test]
fn a_scan_without_text_is_refused_with_its_reason() {
    // Pages that only paint an image: what a scanner produces.
    let page = "q 595 0 0 842 0 0 cm /Im1 Do Q".to_string();
    let bytes = assemble(&[page.clone(), page], "");
    let err = parse(&bytes, "scan.pdf").unwrap_err();
    assert_eq!(err, PlanError::Read(ReadError::PdfNoText { pages: 2 }));
    let message = err.to_string();
    assert!(message.contains("bản quét"), "{message}");
    assert!(message.contains("không có lớp chữ"), "{message}");
}

#[test]
fn broken_and_hostile_files_get_an_error_not_a_panic() {
    let good = two_column_plan(false);
    // Not a PDF; a truncated one; one with its xref and trailer cut off; garbage in the middle.
    let cases: Vec<Vec<u8>> = vec![
        b"%PDF-1.4\n%%EOF".to_vec(),
        good[..good.len() / 2].to_vec(),
        good[..good.len() - 60].to_vec(),
        {
            let mut g = good.clone();
            let mid = g.len() / 3;
            for b in &mut g[mid..mid + 200] {
                *b = b'(';
            }
            g
        },
    ];
    for bytes in cases {
        // Lenient parsing may still find text in a damaged file; what matters is no panic and,
        // on failure, a read error.
        if let Err(e) = read_document(&bytes, "x.pdf") {
            assert!(matches!(
                e,
                ReadError::Pdf(_) | ReadError::PdfNoText { .. } | ReadError::Empty
            ));
        }
    }
}
