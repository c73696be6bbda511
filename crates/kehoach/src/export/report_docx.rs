//! The report on the page, as Decree 30/2020/NĐ-CP (Appendix I) lays out an official document
//! (`shared/report-format.md`): A4, Times New Roman, margins 20/20/30/15 mm, the borderless
//! two-column header (issuing body and number | national title, motto, place and date), the
//! title with its summary and a short rule, "Kính gửi", the body in 14 pt justified with a 1 cm
//! first-line indent and 6 pt between paragraphs, and the borderless footer table ("Nơi nhận" |
//! signature block). Page numbers centred in the top margin from page 2. Pure: content in, bytes out.

use super::report::ReportContent;
use super::wordml::{Align, Block, Cell, Page, Para, Run, Table, mm, write_docx};

const BODY_SIZE: f64 = 14.0;
/// 1 cm first-line indent.
const INDENT: u32 = 567;
/// 1.15 lines, inside the Decree's single to 1.5.
const BODY_LINE: u32 = 276;

/// The A4 page of an official document.
pub fn page() -> Page {
    Page {
        width: mm(210.0),
        height: mm(297.0),
        top: mm(20.0),
        bottom: mm(20.0),
        left: mm(30.0),
        right: mm(15.0),
        font: "Times New Roman".into(),
        size: BODY_SIZE,
        page_number_size: 14.0,
        language: "vi-VN".into(),
    }
}

/// The .docx bytes of a report.
pub fn render(content: &ReportContent) -> Result<Vec<u8>, zip::result::ZipError> {
    write_docx(&page(), &layout(content))
}

fn centred(runs: Vec<Run>) -> Para {
    Para::new(runs).align(Align::Center)
}

fn body(text: impl Into<String>) -> Para {
    Para::new(vec![Run::new(text)])
        .align(Align::Justify)
        .first_line(INDENT)
        .spacing(0.0, 6.0)
        .line(BODY_LINE)
}

fn heading(text: impl Into<String>) -> Para {
    Para::new(vec![Run::new(text).bold()])
        .align(Align::Justify)
        .first_line(INDENT)
        .spacing(6.0, 6.0)
        .line(BODY_LINE)
        .keep_next()
}

/// Every block of the report, top to bottom.
pub fn layout(c: &ReportContent) -> Vec<Block> {
    let text_width = page().text_width();
    // The header's columns: the issuing body's is the narrower, as in the Decree's samples.
    let left = mm(70.0);
    let right = text_width - left;
    let mut blocks = Vec::new();

    // Header, row 1: bodies | national title and motto; row 2: number | place and date.
    let mut issuer = Vec::new();
    if !c.parent_body.is_empty() {
        issuer.push(centred(vec![Run::new(&c.parent_body).size(12.0)]));
    }
    issuer.push(centred(vec![Run::new(&c.issuing_body).size(12.0).bold()]));
    issuer.push(Para::rule(mm(20.0), left));
    let motto_line = "Độc lập - Tự do - Hạnh phúc";
    let nation = vec![
        // 12 pt (the Decree allows 12–13) keeps it on one line beside the issuing body.
        centred(vec![
            Run::new("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
                .size(12.0)
                .bold(),
        ]),
        centred(vec![Run::new(motto_line).size(14.0).bold()]),
        // As long as the motto: ~0.55 em per character of 14 pt bold Times New Roman.
        Para::rule(motto_width(motto_line, 14.0), right),
    ];
    blocks.push(Block::Table(Table {
        widths: vec![left, right],
        rows: vec![
            vec![Cell::new(issuer), Cell::new(nation)],
            vec![
                Cell::new(vec![
                    centred(vec![Run::new(&c.number_line).size(13.0)]).spacing(6.0, 0.0),
                ]),
                Cell::new(vec![
                    centred(vec![Run::new(&c.place_date).size(14.0).italic()]).spacing(6.0, 0.0),
                ]),
            ],
        ],
        borders: false,
        header_rows: 0,
    }));

    // Title, summary and its short rule.
    blocks.push(Block::Para(
        centred(vec![Run::new("BÁO CÁO").size(14.0).bold()]).spacing(24.0, 0.0),
    ));
    blocks.push(Block::Para(centred(vec![
        Run::new(&c.summary).size(14.0).bold(),
    ])));
    blocks.push(Block::Para(Para::rule(mm(35.0), text_width)));

    // Kính gửi: one recipient on the line, several one per line under it.
    match c.recipients.as_slice() {
        [] => {}
        [one] => blocks.push(Block::Para(
            centred(vec![Run::new(format!("Kính gửi: {one}")).size(14.0)]).spacing(12.0, 12.0),
        )),
        many => {
            blocks.push(Block::Para(
                Para::new(vec![Run::new("Kính gửi:").size(14.0)])
                    .spacing(12.0, 0.0)
                    .first_line(mm(40.0)),
            ));
            for (i, r) in many.iter().enumerate() {
                let mut p = Para::new(vec![Run::new(r).size(14.0)]);
                p.indent_left = mm(55.0);
                if i + 1 == many.len() {
                    p.after = 12.0;
                }
                blocks.push(Block::Para(p));
            }
        }
    }

    blocks.push(Block::Para(body(&c.intro)));
    blocks.push(Block::Para(heading("I. KẾT QUẢ THỰC HIỆN")));
    blocks.push(Block::Para(body(&c.overall)));
    for task in &c.tasks {
        blocks.push(Block::Para(heading(&task.heading)));
        for p in &task.paragraphs {
            blocks.push(Block::Para(body(p)));
        }
    }
    if !c.table.is_empty() {
        blocks.push(Block::Para(
            centred(vec![
                Run::new("Bảng tổng hợp kết quả thực hiện theo đơn vị chủ trì").bold(),
            ])
            .spacing(6.0, 6.0)
            .keep_next(),
        ));
        blocks.push(Block::Table(results_table(c, text_width)));
    }
    blocks.push(Block::Para(heading("II. TỒN TẠI, HẠN CHẾ")));
    blocks.push(Block::Para(body(&c.shortcomings_intro)));
    for line in &c.shortcomings {
        blocks.push(Block::Para(body(line)));
    }
    blocks.push(Block::Para(heading("III. ĐỀ XUẤT, KIẾN NGHỊ")));
    blocks.push(Block::Para(body(&c.proposals)));
    blocks.push(Block::Para(body(&c.closing)));

    // Footer: "Nơi nhận" | signature block.
    let mut copies = vec![Para::new(vec![
        Run::new("Nơi nhận:").size(12.0).bold().italic(),
    ])];
    copies.extend(
        c.copies
            .iter()
            .map(|l| Para::new(vec![Run::new(l).size(11.0)])),
    );
    let mut sign: Vec<Para> = c
        .authority
        .iter()
        .map(|l| centred(vec![Run::new(l).size(14.0).bold()]))
        .collect();
    // Room for the signature and the seal.
    for _ in 0..4 {
        sign.push(centred(vec![Run::new("").size(14.0)]));
    }
    sign.push(centred(vec![Run::new(&c.signer).size(14.0).bold()]));
    blocks.push(Block::Para(Para::text("").spacing(6.0, 0.0)));
    let footer_left = text_width / 2 - mm(5.0);
    blocks.push(Block::Table(Table {
        widths: vec![footer_left, text_width - footer_left],
        rows: vec![vec![Cell::new(copies), Cell::new(sign)]],
        borders: false,
        header_rows: 0,
    }));
    blocks
}

/// The width of a line of bold Times New Roman, estimated (the rule under the motto is drawn
/// as long as the line).
fn motto_width(text: &str, size: f64) -> u32 {
    (text.chars().count() as f64 * size * 20.0 * 0.5) as u32
}

fn results_table(c: &ReportContent, text_width: u32) -> Table {
    let widths_mm = [10.0, 45.0, 35.0, 28.0, 32.0];
    let mut widths: Vec<u32> = widths_mm.iter().map(|&w| mm(w)).collect();
    let used: u32 = widths.iter().sum();
    widths.push(text_width.saturating_sub(used));
    let cell = |text: &str, bold: bool, align: Align| {
        let mut run = Run::new(text).size(12.0);
        run.bold = bold;
        Cell::new(vec![Para::new(vec![run]).align(align).spacing(2.0, 2.0)])
    };
    let mut rows = vec![
        [
            "TT",
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Chỉ tiêu",
            "Kết quả",
            "Tỷ lệ đạt",
        ]
        .iter()
        .map(|h| {
            let mut c = cell(h, true, Align::Center);
            c.shade = Some("D9D9D9".into());
            c
        })
        .collect::<Vec<_>>(),
    ];
    for r in &c.table {
        rows.push(vec![
            cell(&r.number, false, Align::Center),
            cell(&r.task, false, Align::Left),
            cell(&r.unit, false, Align::Left),
            cell(&r.target, false, Align::Left),
            cell(&r.result, false, Align::Left),
            cell(&r.rate, false, Align::Center),
        ]);
    }
    Table {
        widths,
        rows,
        borders: true,
        header_rows: 1,
    }
}
