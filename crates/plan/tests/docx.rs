//! .docx reading and extraction on documents the tests build themselves: automatic numbering,
//! a task table appendix, footnotes, merged cells, manual line breaks, and hostile archives.

mod common;

use common::{Docx, NUMBERING, build, p, table};
use kehoach_plan::{Block, Per, PlanError, ReadError, parse, read_document};

fn plan_body() -> String {
    let mut b = String::new();
    b += &table(&[
        &[
            "ỦY BAN NHÂN DÂN\nTỈNH BÌNH ĐỊNH",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        ],
        &["Số: 120/KH-UBND", "Bình Định, ngày 05 tháng 02 năm 2024"],
    ]);
    b += &p("KẾ HOẠCH", None);
    b += &p("Truyền thông chuyển đổi số tỉnh Bình Định", None);
    b += &p("năm 2024", None);
    b += &p(
        "Căn cứ Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ; UBND tỉnh ban hành Kế hoạch như sau:",
        None,
    );
    b += &p("MỤC ĐÍCH, YÊU CẦU", Some((1, 0)));
    b += &p("Nâng cao nhận thức về chuyển đổi số.", Some((1, 3)));
    b += &p("NỘI DUNG", Some((1, 0)));
    b += &p("Tuyên truyền trên báo chí", Some((1, 1)));
    b += &p("Tuyên truyền trên Báo Bình Định", Some((1, 2)));
    b += &p(
        "Nội dung: mở chuyên mục chuyển đổi số, mỗi tuần 02 tin, bài.",
        Some((1, 3)),
    );
    b += &p(
        "Đơn vị chủ trì: Báo Bình Định\nĐơn vị phối hợp: Sở Thông tin và Truyền thông",
        Some((1, 3)),
    );
    b += &p(
        "Tuyên truyền trên Đài Phát thanh và Truyền hình Bình Định",
        Some((1, 2)),
    );
    b += &p(
        "Cơ quan chủ trì: Đài Phát thanh và Truyền hình Bình Định",
        Some((1, 3)),
    );
    b += &p("Thời gian thực hiện: Quý III/2024", Some((1, 3)));
    b += &p("Tổ chức tập huấn", Some((1, 1)));
    b += &p(
        "Tổ chức 03 lớp tập huấn kỹ năng số cho cán bộ cấp xã.",
        Some((1, 4)),
    );
    b += &p(
        "Chủ trì: Sở Nội vụ; phối hợp: UBND các huyện, thị xã, thành phố",
        Some((1, 4)),
    );
    b += &p("TỔ CHỨC THỰC HIỆN", Some((1, 0)));
    b += &p("Sở Tài chính", Some((1, 1)));
    b += &p(
        "Chủ trì, phối hợp với Sở Thông tin và Truyền thông thẩm định kinh phí trước ngày 30/6/2024.",
        None,
    );
    b += &p("UBND các huyện, thị xã, thành phố", Some((1, 1)));
    b += &p(
        "Xây dựng kế hoạch tuyên truyền của địa phương trong tháng 3/2024.",
        Some((1, 3)),
    );
    b += &p(
        "Báo cáo kết quả hằng quý về Sở Thông tin và Truyền thông.",
        Some((1, 3)),
    );
    b += &p(
        "Trên đây là Kế hoạch truyền thông chuyển đổi số năm 2024.",
        None,
    );
    b += &p("PHỤ LỤC", None);
    b += &p("DANH MỤC NHIỆM VỤ", None);
    b += &table(&[
        &[
            "STT",
            "Nội dung nhiệm vụ",
            "span:2:Đơn vị thực hiện",
            "Thời gian",
        ],
        &["<<", "<<", "Chủ trì", "Phối hợp", "<<"],
        &["span:5:I. Truyền thông trên báo chí"],
        &[
            "1",
            "Tuyên truyền trên Báo Bình Định",
            "Báo Bình Định",
            "Sở TT&TT",
            "Hằng tuần",
        ],
        &[
            "2",
            "Tổ chức Ngày hội chuyển đổi số",
            "vm:Sở Thông tin và Truyền thông",
            "Các sở, ngành",
            "từ ngày 01/10 đến ngày 10/10/2024",
        ],
        &[
            "3",
            "Sản xuất 10 video clip/năm về chuyển đổi số",
            "<<",
            "",
            "Quý IV/2024",
        ],
    ]);
    b
}

fn footnotes() -> &'static str {
    r#"<w:footnote w:id="1"><w:p><w:r><w:t>Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị.</w:t></w:r></w:p></w:footnote>"#
}

#[test]
fn reads_numbering_tables_and_footnotes() {
    let body = plan_body();
    let bytes = build(&Docx {
        body: &body,
        numbering: Some(NUMBERING),
        footnotes: Some(footnotes()),
        styles: None,
    });
    let doc = read_document(&bytes, "kh.docx").unwrap();
    let texts: Vec<&str> = doc
        .blocks
        .iter()
        .filter_map(|b| {
            if let Block::Paragraph(p) = b {
                Some(p.text.as_str())
            } else {
                None
            }
        })
        .collect();
    assert!(texts.contains(&"I. MỤC ĐÍCH, YÊU CẦU"), "{texts:#?}");
    assert!(texts.contains(&"II. NỘI DUNG"));
    assert!(texts.contains(&"1. Tuyên truyền trên báo chí"));
    assert!(texts.contains(&"a) Tuyên truyền trên Báo Bình Định"));
    assert!(texts.contains(&"b) Tuyên truyền trên Đài Phát thanh và Truyền hình Bình Định"));
    assert!(
        texts.contains(&"2. Tổ chức tập huấn"),
        "counters continue at level 1"
    );
    assert!(texts.contains(&"III. TỔ CHỨC THỰC HIỆN"));
    assert!(
        texts.contains(&"- Đơn vị chủ trì: Báo Bình Định"),
        "a line break splits the paragraph"
    );
    assert!(texts.contains(&"Đơn vị phối hợp: Sở Thông tin và Truyền thông"));
    assert_eq!(
        doc.footnotes,
        vec!["Nghị quyết số 52-NQ/TW ngày 27/9/2019 của Bộ Chính trị."]
    );
    let tables: Vec<_> = doc
        .blocks
        .iter()
        .filter_map(|b| {
            if let Block::Table(t) = b {
                Some(t)
            } else {
                None
            }
        })
        .collect();
    assert_eq!(tables.len(), 2);
    let t = tables[1];
    assert_eq!(t.rows[0].len(), 5, "gridSpan expands to the grid");
    assert_eq!(
        t.rows[1][0].text(),
        "STT",
        "vMerge continues the cell above"
    );
    assert_eq!(t.rows[5][2].text(), "Sở Thông tin và Truyền thông");
}

#[test]
fn extracts_plan_from_docx() {
    let body = plan_body();
    let bytes = build(&Docx {
        body: &body,
        numbering: Some(NUMBERING),
        footnotes: Some(footnotes()),
        styles: None,
    });
    let plan = parse(&bytes, "Ke hoach.DOCX").unwrap();
    assert_eq!(
        plan.title,
        "Truyền thông chuyển đổi số tỉnh Bình Định năm 2024"
    );
    assert_eq!(plan.number.as_deref(), Some("120/KH-UBND"));
    assert_eq!(plan.issuer.as_deref(), Some("UBND tỉnh Bình Định"));
    assert_eq!(
        plan.issued_on.map(|d| d.to_string()).as_deref(),
        Some("2024-02-05")
    );
    assert_eq!(plan.period.unwrap().to.unwrap().to_string(), "2024-12-31");
    assert_eq!(plan.references, vec!["749/QĐ-TTg", "52-NQ/TW"]);
    let by_title = |t: &str| {
        plan.tasks
            .iter()
            .find(|x| x.title == t)
            .unwrap_or_else(|| panic!("no task {t:?} in {:#?}", plan.tasks))
    };

    let bao = by_title("Tuyên truyền trên Báo Bình Định");
    assert_eq!(bao.ref_, "II.1.a");
    assert_eq!(bao.lead, "Báo Bình Định");
    assert_eq!(bao.partners, "Sở Thông tin và Truyền thông");
    assert_eq!(
        bao.targets
            .iter()
            .map(|t| (t.count, t.per))
            .collect::<Vec<_>>(),
        vec![(2, Per::Week)]
    );

    let dai = by_title("Tuyên truyền trên Đài Phát thanh và Truyền hình Bình Định");
    assert_eq!(dai.window.unwrap().from.to_string(), "2024-07-01");

    let tap_huan = by_title("Tổ chức tập huấn");
    assert_eq!(tap_huan.lead, "Sở Nội vụ");
    assert_eq!(tap_huan.partners, "UBND các huyện, thị xã, thành phố");
    assert_eq!(tap_huan.targets[0].count, 3);
    assert_eq!(tap_huan.targets[0].per, Per::Plan);

    let tc = plan
        .tasks
        .iter()
        .find(|t| t.lead == "Sở Tài chính")
        .expect("unit-first duty");
    assert_eq!(tc.partners, "Sở Thông tin và Truyền thông");
    assert_eq!(tc.due.unwrap().to_string(), "2024-06-30");
    let huyen: Vec<_> = plan
        .tasks
        .iter()
        .filter(|t| t.lead == "UBND các huyện, thị xã, thành phố")
        .collect();
    assert_eq!(huyen.len(), 2);
    assert_eq!(huyen[0].due.unwrap().to_string(), "2024-03-31");
    assert_eq!(huyen[1].targets[0].per, Per::Quarter);

    // Table rows: one repeats a body task (merged into it), two are new.
    assert_eq!(
        plan.tasks
            .iter()
            .filter(|t| t.title.contains("Báo Bình Định"))
            .count(),
        1
    );
    let ngay_hoi = by_title("Tổ chức Ngày hội chuyển đổi số");
    assert_eq!(ngay_hoi.lead, "Sở Thông tin và Truyền thông");
    assert_eq!(ngay_hoi.partners, "Các sở, ngành");
    let w = ngay_hoi.window.unwrap();
    assert_eq!(
        (w.from.to_string(), w.to.unwrap().to_string()),
        ("2024-10-01".into(), "2024-10-10".into())
    );
    let video = by_title("Sản xuất 10 video clip/năm về chuyển đổi số");
    assert_eq!(video.lead, "Sở Thông tin và Truyền thông", "vMerge lead");
    assert_eq!(video.targets[0].count, 10);
    assert_eq!(video.targets[0].per, Per::Year);
    assert_eq!(video.window.unwrap().from.to_string(), "2024-10-01");
    // The body task gained nothing wrong from the table; its partners stay the body's.
    assert_eq!(bao.partners, "Sở Thông tin và Truyền thông");
}

#[test]
fn table_only_plan() {
    let mut body = String::new();
    body += &p("KẾ HOẠCH", None);
    body += &p("Tuyên truyền chuyển đổi số năm 2025", None);
    body += &table(&[
        &[
            "TT",
            "Nhiệm vụ",
            "Cơ quan chủ trì",
            "Cơ quan phối hợp",
            "Thời gian hoàn thành",
        ],
        &[
            "1",
            "Tổ chức hội thảo chuyển đổi số",
            "Sở Khoa học và Công nghệ",
            "Các sở, ngành",
            "Quý II",
        ],
        &[
            "2",
            "Phát hành 5.000 tờ rơi",
            "Sở Văn hóa",
            "",
            "trước 30/9/2025",
        ],
    ]);
    let bytes = build(&Docx {
        body: &body,
        numbering: None,
        footnotes: None,
        styles: None,
    });
    let plan = parse(&bytes, "a.docx").unwrap();
    assert_eq!(plan.tasks.len(), 2);
    assert_eq!(
        plan.tasks[0].due.unwrap().to_string(),
        "2025-06-30",
        "Quý II in a completion column is a due date"
    );
    assert_eq!(plan.tasks[1].due.unwrap().to_string(), "2025-09-30");
}

#[test]
fn heading_styles_and_style_numbering() {
    let styles = r#"<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style>"#;
    let mut body = String::new();
    body += &p("KẾ HOẠCH", None);
    body += &p("Chuyển đổi số năm 2024", None);
    body += r#"<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>TỔ CHỨC THỰC HIỆN</w:t></w:r></w:p>"#;
    body += &p("Sở Y tế:", None);
    body += &p("- Tuyên truyền chuyển đổi số y tế.", None);
    let bytes = build(&Docx {
        body: &body,
        numbering: Some(NUMBERING),
        footnotes: None,
        styles: Some(styles),
    });
    let doc = read_document(&bytes, "a.docx").unwrap();
    match &doc.blocks[2] {
        Block::Paragraph(p) => {
            assert_eq!(p.text, "I. TỔ CHỨC THỰC HIỆN");
            assert_eq!(p.heading, Some(1));
        }
        b => panic!("{b:?}"),
    }
    let plan = parse(&bytes, "a.docx").unwrap();
    assert_eq!(plan.tasks.len(), 1);
    assert_eq!(plan.tasks[0].lead, "Sở Y tế");
}

#[test]
fn hostile_archives_fail_cleanly() {
    assert!(matches!(
        parse(b"not a zip", "a.docx"),
        Err(PlanError::Read(ReadError::NotZip(_)))
    ));
    // No document.xml.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("hello.txt", zip::write::SimpleFileOptions::default())
        .unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    assert_eq!(
        parse(&bytes, "a.docx"),
        Err(PlanError::Read(ReadError::MissingDocumentXml))
    );
    // Too many entries.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for i in 0..2100 {
        zip.start_file(
            format!("f{i}"),
            zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored),
        )
        .unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    assert!(matches!(
        parse(&bytes, "a.docx"),
        Err(PlanError::Read(ReadError::TooManyEntries { .. }))
    ));
    // Unpacks past the limit: 110 MB of spaces deflate to ~100 kB.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file(
        "word/document.xml",
        zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true),
    )
    .unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..110 {
        std::io::Write::write_all(&mut zip, &chunk).unwrap();
    }
    let bytes = zip.finish().unwrap().into_inner();
    let err = parse(&bytes, "a.docx").unwrap_err();
    assert!(
        matches!(
            err,
            PlanError::Read(ReadError::UnpackedTooLarge { .. } | ReadError::PartTooLarge { .. })
        ),
        "{err}"
    );
    // Deeply nested XML.
    let deep = format!("{}{}", "<w:x>".repeat(5000), "</w:x>".repeat(5000));
    let bytes = build(&Docx {
        body: &deep,
        numbering: None,
        footnotes: None,
        styles: None,
    });
    assert!(matches!(
        parse(&bytes, "a.docx"),
        Err(PlanError::Read(ReadError::XmlTooDeep { .. }))
    ));
}

#[test]
fn errors_are_one_clear_line() {
    let e = parse(b"hello", "plan.odt").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unsupported file type \".odt\": expected .docx, .pdf, .txt or .md"
    );
    let e = parse("Chỉ là một đoạn văn bản.".as_bytes(), "a.txt").unwrap_err();
    assert!(e.to_string().starts_with("no task with a lead unit found"));
    let big = vec![b'a'; kehoach_plan::MAX_INPUT_BYTES + 1];
    let e = parse(&big, "a.txt").unwrap_err();
    assert!(e.to_string().contains("over the") && !e.to_string().contains('\n'));
}
