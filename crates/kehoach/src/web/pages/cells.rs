//! Status cells as HTML: a strip (one assignment's periods) and the heatmap (units × periods, a
//! table). Each cell is a small square coloured by its status class (`style.rs`), with a glyph
//! from the stylesheet for readers who do not see colour, and a text (`.tip`) that says the
//! period, the status and achieved/expected: shown on hover or focus, read by screen readers,
//! and the accessible name of the cell's link. Pure functions of their data; every text is
//! escaped here (`svg::esc`).

use std::fmt::Write;

use kehoach_core::compliance::PeriodStatus;

use super::style::status_class;
use super::svg::esc;

/// One cell: its status, its text and (optionally) where a click goes.
pub struct Cell {
    pub status: PeriodStatus,
    /// "Tuần 45/2024: Đạt, 1/1".
    pub text: String,
    pub href: Option<String>,
}

fn cell(out: &mut String, c: &Cell) {
    let class = status_class(c.status);
    let text = esc(&c.text);
    match &c.href {
        Some(href) => {
            let _ = write!(
                out,
                "<a class=\"cell {class}\" href=\"{}\"><span class=\"tip\">{text}</span></a>",
                esc(href)
            );
        }
        None => {
            let _ = write!(
                out,
                "<span class=\"cell {class}\"><span class=\"tip\">{text}</span></span>"
            );
        }
    }
}

/// A row of cells, one per period, wrapping on a narrow screen.
pub fn strip(cells: &[Cell]) -> String {
    let mut out = String::from("<ol class=\"strip\">");
    for c in cells {
        out.push_str("<li>");
        cell(&mut out, c);
        out.push_str("</li>");
    }
    out.push_str("</ol>");
    out
}

/// A column of the heatmap: its short label ("45"), its full name ("Tuần 45/2024") and the
/// first day of its period (for tests and tools: `data-from`).
pub struct Column {
    pub label: String,
    pub full: String,
    pub from: chrono::NaiveDate,
}

/// A row of the heatmap: the unit's code, its name as shown (abbreviated) and in full.
pub struct Row {
    pub code: String,
    pub label: String,
    pub full: String,
    pub cells: Vec<Option<Cell>>,
}

/// Units × periods as a table: the unit column stays in place (CSS `position: sticky`) while
/// the cells scroll sideways; `current` marks the column of the page's date (the script
/// scrolls it into view on a narrow screen). `per` is the class suffix of the period kind.
pub fn heatmap(
    caption: &str,
    corner: &str,
    per: &str,
    columns: &[Column],
    rows: &[Row],
    current: Option<usize>,
) -> String {
    let mut out = String::with_capacity(rows.len() * columns.len() * 120 + 2048);
    let _ = write!(
        out,
        "<table class=\"heatmap per-{per}\"><caption class=\"sr\">{}</caption><thead><tr>\
         <th scope=\"col\" class=\"corner\">{}</th>",
        esc(caption),
        esc(corner)
    );
    for (i, c) in columns.iter().enumerate() {
        let now = if current == Some(i) {
            " class=\"now\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<th scope=\"col\"{now} data-from=\"{}\"><abbr title=\"{}\">{}</abbr></th>",
            c.from,
            esc(&c.full),
            esc(&c.label)
        );
    }
    out.push_str("</tr></thead><tbody>");
    for r in rows {
        let _ = write!(out, "<tr data-unit=\"{}\">", esc(&r.code));
        if r.label == r.full {
            let _ = write!(out, "<th scope=\"row\">{}</th>", esc(&r.full));
        } else {
            let _ = write!(
                out,
                "<th scope=\"row\" title=\"{full}\"><span aria-hidden=\"true\">{}</span>\
                 <span class=\"sr\">{full}</span></th>",
                esc(&r.label),
                full = esc(&r.full)
            );
        }
        for (i, c) in r.cells.iter().enumerate() {
            out.push_str(if current == Some(i) {
                "<td class=\"now\">"
            } else {
                "<td>"
            });
            if let Some(c) = c {
                cell(&mut out, c);
            }
            out.push_str("</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// A unit's name shortened for the heatmap's label column: the common words of Vietnamese
/// agency names become their usual abbreviations ("Trung tâm Văn hóa - Thể thao" → "TT VH-TT"),
/// so rows that differ only at the end of a long name stay distinguishable. The full name is
/// always shown beside it (title, screen-reader text).
pub fn abbreviate(name: &str) -> String {
    // Longest first: "Văn hóa - Thể thao" before "Văn hóa".
    const WORDS: [(&str, &str); 27] = [
        ("Lao động - Thương binh và Xã hội", "LĐ-TB&XH"),
        ("Tài nguyên và Môi trường", "TN&MT"),
        ("Giáo dục và Đào tạo", "GD&ĐT"),
        ("Tài chính - Kế hoạch", "TC-KH"),
        ("Kế hoạch và Đầu tư", "KH&ĐT"),
        ("Văn hóa, Thể thao và Du lịch", "VH-TT&DL"),
        ("Văn hóa - Thể thao và Du lịch", "VH-TT&DL"),
        ("Văn hóa, Thông tin và Thể thao", "VH-TT&TT"),
        ("Văn hóa - Thông tin - Thể thao", "VH-TT-TT"),
        ("Văn hóa - Thể thao", "VH-TT"),
        ("Văn hóa và Thông tin", "VH&TT"),
        ("Văn hóa - Thông tin", "VH-TT"),
        ("Thông tin và Truyền thông", "TT&TT"),
        ("Khoa học và Công nghệ", "KH&CN"),
        ("Phát thanh - Truyền hình", "PT-TH"),
        ("Phát thanh và Truyền hình", "PT-TH"),
        ("Phát thanh, Truyền hình", "PT-TH"),
        ("Ủy ban nhân dân", "UBND"),
        ("Uỷ ban nhân dân", "UBND"),
        ("Hội đồng nhân dân", "HĐND"),
        ("Trung tâm", "TT"),
        ("Thành phố", "TP"),
        ("thành phố", "TP"),
        ("Thị xã", "TX"),
        ("thị xã", "TX"),
        ("Cộng sản Hồ Chí Minh", "CS HCM"),
        ("Việt Nam", "VN"),
    ];
    let mut out = name.to_string();
    for (long, short) in WORDS {
        if out.contains(long) {
            out = out.replace(long, short);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_and_links_are_escaped() {
        let table = heatmap(
            "c",
            "Đơn vị",
            "week",
            &[Column {
                label: "<T1>".into(),
                full: "T1".into(),
                from: chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            }],
            &[Row {
                code: "49".into(),
                label: "a & \"b\"".into(),
                full: "a & \"b\"".into(),
                cells: vec![Some(Cell {
                    status: PeriodStatus::Met,
                    text: "<x>".into(),
                    href: Some("/a?b=1&c=2".into()),
                })],
            }],
            Some(0),
        );
        assert!(table.contains("&lt;T1&gt;") && table.contains("a &amp; &quot;b&quot;"));
        assert!(table.contains("href=\"/a?b=1&amp;c=2\""));
        assert!(!table.contains("<x>") && table.contains("class=\"cell st-met\""));
        assert!(table.contains("<td class=\"now\">") && table.contains("data-from=\"2024-01-01\""));
    }

    #[test]
    fn long_names_are_abbreviated() {
        assert_eq!(
            abbreviate("Trung tâm Văn hóa - Thể thao thị xã Điện Bàn"),
            "TT VH-TT TX Điện Bàn"
        );
        assert_eq!(
            abbreviate("Ủy ban nhân dân xã Tam Thanh"),
            "UBND xã Tam Thanh"
        );
        assert_eq!(abbreviate("Sở Thông tin và Truyền thông"), "Sở TT&TT");
        assert_eq!(
            abbreviate("Phòng Lao động - Thương binh và Xã hội TP Tam Kỳ"),
            "Phòng LĐ-TB&XH TP Tam Kỳ"
        );
    }
}
