//! Charts drawn on the server as SVG text: progress bars, period strips and the heatmap. Pure
//! functions of their data (snapshot-testable); every label is escaped here.

use std::fmt::Write;

use kehoach_core::compliance::{DeadlineState, PeriodStatus};

/// Escapes text for HTML and SVG (element content and quoted attributes).
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The colour of a period status (also used by the legend and the CSS classes).
pub fn status_colour(status: PeriodStatus) -> &'static str {
    match status {
        PeriodStatus::Met => "#2e7d32",
        PeriodStatus::Partial => "#f9a825",
        PeriodStatus::Missed => "#c62828",
        PeriodStatus::Open => "#64b5f6",
        PeriodStatus::Future => "#e0e0e0",
    }
}

pub fn deadline_colour(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::DoneOnTime => "#2e7d32",
        DeadlineState::DoneLate => "#f9a825",
        DeadlineState::NotDoneWithinDeadline => "#64b5f6",
        DeadlineState::NotDoneOverdue => "#c62828",
    }
}

/// A horizontal bar filled to `share` (0..=1), with its percentage as text; `None` draws an empty
/// bar labelled "–" (nothing has ended yet).
pub fn progress_bar(share: Option<f64>) -> String {
    let (width, label) = match share {
        Some(s) => {
            let s = s.clamp(0.0, 1.0);
            ((s * 100.0).round(), format!("{:.0}%", s * 100.0))
        }
        None => (0.0, "–".to_string()),
    };
    format!(
        "<svg class=\"bar\" viewBox=\"0 0 140 14\" width=\"140\" height=\"14\" role=\"img\" aria-label=\"{label}\">\
         <rect width=\"100\" height=\"14\" fill=\"#eee\"/><rect width=\"{width}\" height=\"14\" fill=\"#2e7d32\"/>\
         <text x=\"104\" y=\"11\" font-size=\"11\">{label}</text></svg>"
    )
}

/// One cell of a strip or heatmap: its status, tooltip and (optionally) where a click goes.
pub struct Cell {
    pub status: PeriodStatus,
    pub title: String,
    pub href: Option<String>,
}

const CELL: usize = 14;

fn cell(out: &mut String, x: usize, y: usize, c: &Cell) {
    // The fill comes from the stylesheet by class (`.s-met` …): a heatmap has thousands of
    // cells, and every byte of each one counts towards the page's size.
    let rect = if c.title.is_empty() {
        format!(
            "<rect x=\"{x}\" y=\"{y}\" class=\"s-{}\"/>",
            c.status.as_str()
        )
    } else {
        format!(
            "<rect x=\"{x}\" y=\"{y}\" class=\"s-{}\"><title>{}</title></rect>",
            c.status.as_str(),
            esc(&c.title)
        )
    };
    match &c.href {
        Some(href) => {
            let _ = write!(out, "<a href=\"{}\">{rect}</a>", esc(href));
        }
        None => out.push_str(&rect),
    }
}

/// A row of coloured cells, one per period.
pub fn strip(cells: &[Cell]) -> String {
    let width = cells.len().max(1) * CELL;
    let mut out = format!(
        "<svg class=\"strip\" viewBox=\"0 0 {width} {CELL}\" width=\"{width}\" height=\"{CELL}\">"
    );
    for (i, c) in cells.iter().enumerate() {
        cell(&mut out, i * CELL, 0, c);
    }
    out.push_str("</svg>");
    out
}

/// Units × periods: a label column, then one row of cells per unit, column labels on top.
/// `current` is the column of today: the page scrolls it into view on a narrow screen.
pub fn heatmap(
    columns: &[String],
    rows: &[(String, Vec<Option<Cell>>)],
    current: Option<usize>,
) -> String {
    const LABEL: usize = 170;
    const HEAD: usize = 40;
    let width = LABEL + columns.len().max(1) * CELL + 4;
    let height = HEAD + rows.len() * CELL + 4;
    let focus = current
        .map(|i| format!(" data-focus-x=\"{}\"", LABEL + i * CELL))
        .unwrap_or_default();
    let mut out = format!(
        "<svg class=\"heatmap\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" font-size=\"10\"{focus}>"
    );
    for (i, label) in columns.iter().enumerate() {
        let x = LABEL + i * CELL + 9;
        let _ = write!(
            out,
            "<text transform=\"translate({x},{y}) rotate(-60)\">{}</text>",
            esc(label),
            y = HEAD - 2
        );
    }
    for (r, (label, cells)) in rows.iter().enumerate() {
        let y = HEAD + r * CELL;
        let short: String = label.chars().take(30).collect();
        let _ = write!(
            out,
            "<text x=\"0\" y=\"{}\"><title>{}</title>{}</text>",
            y + 10,
            esc(label),
            esc(&short)
        );
        for (i, c) in cells.iter().enumerate() {
            if let Some(c) = c {
                cell(&mut out, LABEL + i * CELL, y, c);
            }
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = heatmap(
            &["<T1>".into()],
            &[(
                "a & \"b\"".into(),
                vec![Some(Cell {
                    status: PeriodStatus::Met,
                    title: "<x>".into(),
                    href: Some("/a?b=1&c=2".into()),
                })],
            )],
            Some(0),
        );
        assert!(svg.contains("data-focus-x=\"170\""));
        assert!(svg.contains("&lt;T1&gt;") && svg.contains("a &amp; &quot;b&quot;"));
        assert!(svg.contains("href=\"/a?b=1&amp;c=2\""));
        assert!(!svg.contains("<x>") && svg.contains("class=\"s-met\""));
    }

    #[test]
    fn bar_is_clamped() {
        assert!(progress_bar(Some(1.7)).contains("100%"));
        assert!(progress_bar(None).contains("–"));
    }
}
