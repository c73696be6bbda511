//! The report on the page, as Decree 30/2020/NĐ-CP (Appendix I) lays out an official document
//! (`shared/report-format.md`): A4, Times New Roman, margins 20/20/30/15 mm, the borderless
//! two-column header (issuing body and number | national title, motto, place and date), the
//! title with its summary and a short rule, "Kính gửi", the body in 14 pt justified with a 1 cm
//! first-line indent and 6 pt between paragraphs, and the borderless footer table ("Nơi nhận" |
//! signature block). Page numbers centred in the top margin from page 2. Pure: content in, bytes out.

use super::report::{Appendix, Item, ReportContent, Row};
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
    layout_titled(c, "BÁO CÁO")
}

/// The .docx bytes of another kind of document in the same layout (the budget's "TỜ TRÌNH").
pub fn render_titled(
    content: &ReportContent,
    title: &str,
) -> Result<Vec<u8>, zip::result::ZipError> {
    write_docx(&page(), &layout_titled(content, title))
}

/// The layout with the document's kind as its title ("BÁO CÁO", "TỜ TRÌNH").
pub fn layout_titled(c: &ReportContent, title: &str) -> Vec<Block> {
    let text_width = page().text_width();
    // The header's columns: the issuing body's is the narrower, as in the Decree's samples.
    let left = mm(70.0);
    let right = text_width - left;
    let mut blocks = Vec::new();

    // Header, row 1: bodies | national title and motto; row 2: number | place and date.
    let mut issuer = Vec::new();
    if !c.parent_body.is_empty() {
        issuer.push(centred(vec![
            Run::new(header_lines(&c.parent_body, ISSUER_LINE_CHARS)).size(12.0),
        ]));
    }
    issuer.push(centred(vec![
        Run::new(header_lines(&c.issuing_body, ISSUER_LINE_CHARS))
            .size(12.0)
            .bold(),
    ]));
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
        centred(vec![Run::new(title).size(14.0).bold()]).spacing(24.0, 0.0),
    ));
    // A long summary on two even lines, broken between word groups, not one word left over.
    blocks.push(Block::Para(centred(vec![
        Run::new(header_lines(&c.summary, SUMMARY_LINE_CHARS))
            .size(14.0)
            .bold(),
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
    for part in &c.parts {
        blocks.push(Block::Para(heading(&part.heading)));
        for item in &part.items {
            match item {
                Item::Heading(h) => blocks.push(Block::Para(sub_heading(h))),
                Item::Para(p) => blocks.push(Block::Para(body(p))),
                Item::Table(header, rows) => {
                    blocks.push(Block::Table(small_table(header, rows, text_width)));
                    blocks.push(Block::Para(Para::text("").spacing(0.0, 3.0)));
                }
            }
        }
    }
    // The last paragraphs travel with the signature block: it never stands alone on a page.
    if let Some(Block::Para(last)) = blocks.last_mut() {
        last.keep_next = true;
    }
    blocks.push(Block::Para(body(&c.closing).keep_next()));

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
    blocks.push(Block::Para(Para::text("").spacing(6.0, 0.0).keep_next()));
    let footer_left = text_width / 2 - mm(5.0);
    blocks.push(Block::Table(Table {
        widths: vec![footer_left, text_width - footer_left],
        rows: vec![vec![Cell::new(copies), Cell::new(sign)]],
        borders: false,
        header_rows: 0,
    }));
    for a in &c.appendices {
        blocks.push(Block::Section {
            landscape: a.landscape,
        });
        blocks.extend(appendix(a));
    }
    blocks
}

/// The width of a line of bold Times New Roman, estimated (the rule under the motto is drawn
/// as long as the line).
fn motto_width(text: &str, size: f64) -> u32 {
    (text.chars().count() as f64 * size * 20.0 * 0.5) as u32
}

/// Characters of 14 pt bold Times New Roman on one line of the 165 mm text width.
const SUMMARY_LINE_CHARS: usize = 66;

/// Capitals of 12 pt Times New Roman that fit the issuer's 70 mm column.
const ISSUER_LINE_CHARS: usize = 30;

/// A name in capitals broken into lines of at most `max` characters, only where a word group
/// ends: before "VÀ", after a comma, before a type word ("TỈNH", "HUYỆN", …); otherwise at the
/// most even word boundary. "ĐÀI PHÁT THANH VÀ TRUYỀN HÌNH QUẢNG NAM" → "ĐÀI PHÁT THANH\nVÀ
/// TRUYỀN HÌNH QUẢNG NAM".
pub fn header_lines(name: &str, max: usize) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    if name.chars().count() <= max || words.len() < 2 {
        return name.to_string();
    }
    let len = |ws: &[&str]| {
        ws.iter().map(|w| w.chars().count()).sum::<usize>() + ws.len().saturating_sub(1)
    };
    let good_before = [
        "VÀ",
        "TỈNH",
        "THÀNH",
        "HUYỆN",
        "THỊ",
        "XÃ",
        "PHƯỜNG",
        "QUẬN",
        "và",
        "tỉnh",
        "thành",
        "huyện",
        "thị",
        "xã",
        "phường",
        "quận",
    ];
    let mut best: Option<(usize, usize)> = None;
    for i in 1..words.len() {
        let (a, b) = (len(&words[..i]), len(&words[i..]));
        let natural = good_before.contains(&words[i]) || words[i - 1].ends_with(',');
        let over = a.max(b).saturating_sub(max);
        let cost = over * 100 + if natural { 0 } else { 40 } + a.abs_diff(b);
        if best.is_none_or(|(c, _)| cost < c) {
            best = Some((cost, i));
        }
    }
    let i = best.map_or(1, |(_, i)| i);
    format!("{}\n{}", words[..i].join(" "), words[i..].join(" "))
}

fn sub_heading(text: &str) -> Para {
    let letter = text
        .split_once(')')
        .is_some_and(|(l, _)| l.chars().count() == 1);
    let mut run = Run::new(text).bold();
    run.italic = letter;
    Para::new(vec![run])
        .align(Align::Justify)
        .first_line(INDENT)
        .spacing(3.0, 3.0)
        .line(BODY_LINE)
        .keep_next()
}

fn cell(text: &str, size: f64, bold: bool, align: Align) -> Cell {
    let mut run = Run::new(text).size(size);
    run.bold = bold;
    Cell::new(vec![Para::new(vec![run]).align(align).spacing(1.0, 1.0)])
}

fn header_cell(text: &str, size: f64) -> Cell {
    let mut c = cell(text, size, true, Align::Center);
    c.shade = Some("D9D9D9".into());
    c
}

/// A table in the body (the totals by channel): first and numeric columns narrow.
fn small_table(header: &[String], rows: &[Vec<String>], text_width: u32) -> Table {
    let fixed = [mm(10.0), 0, mm(28.0), mm(32.0)];
    let rest = text_width.saturating_sub(fixed.iter().sum::<u32>());
    let widths = vec![fixed[0], rest, fixed[2], fixed[3]];
    let mut out = vec![header.iter().map(|h| header_cell(h, 12.0)).collect()];
    for r in rows {
        out.push(
            r.iter()
                .enumerate()
                .map(|(i, t)| {
                    cell(
                        t,
                        12.0,
                        false,
                        if i == 1 { Align::Left } else { Align::Center },
                    )
                })
                .collect(),
        );
    }
    Table {
        widths,
        rows: out,
        borders: true,
        header_rows: 1,
    }
}

/// A "Phụ lục": its title, name, "(Kèm theo …)" line and table, on its own pages.
fn appendix(a: &Appendix) -> Vec<Block> {
    let size = 11.0;
    let mut blocks = vec![
        Block::Para(centred(vec![Run::new(&a.title).bold()])),
        Block::Para(centred(vec![Run::new(&a.name).bold()])),
        Block::Para(centred(vec![Run::new(&a.attached).italic()]).spacing(0.0, 6.0)),
    ];
    let widths: Vec<u32> = a.widths_mm.iter().map(|&w| mm(w)).collect();
    let columns = widths.len();
    let mut rows = vec![
        a.header
            .iter()
            .map(|h| header_cell(h, size))
            .collect::<Vec<_>>(),
    ];
    for r in &a.rows {
        match r {
            Row::Group(name) => {
                let mut c = cell(name, size, true, Align::Left);
                c.span = columns;
                c.shade = Some("F2F2F2".into());
                rows.push(vec![c]);
            }
            Row::Cells(cells) => rows.push(
                cells
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let align = if i == 0 || i >= a.centre_from {
                            Align::Center
                        } else {
                            Align::Left
                        };
                        cell(t, size, false, align)
                    })
                    .collect(),
            ),
        }
    }
    blocks.push(Block::Table(Table {
        widths,
        rows,
        borders: true,
        header_rows: 1,
    }));
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_break_between_word_groups() {
        assert_eq!(
            header_lines("ĐÀI PHÁT THANH VÀ TRUYỀN HÌNH QUẢNG NAM", 30),
            "ĐÀI PHÁT THANH\nVÀ TRUYỀN HÌNH QUẢNG NAM"
        );
        assert_eq!(
            header_lines("UBND TỈNH QUẢNG NAM", 30),
            "UBND TỈNH QUẢNG NAM"
        );
        assert_eq!(
            header_lines("SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH TỈNH QUẢNG NAM", 30),
            "SỞ VĂN HÓA, THỂ THAO\nVÀ DU LỊCH TỈNH QUẢNG NAM"
        );
    }
}
