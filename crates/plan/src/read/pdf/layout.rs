//! Pieces of text → lines in reading order: baselines, cells, columns, running headers and
//! footers, and what the layout shows about where each line's paragraph ends.

use std::collections::HashMap;

use super::Page;
use super::Piece;
use crate::error::ReadError;
use crate::read::text::{self, LineEnd};

/// A visual line: pieces on one baseline, left to right, as text with its extent.
#[derive(Debug, Clone)]
struct VLine {
    x0: f32,
    x1: f32,
    y: f32,
    size: f32,
    text: String,
}

/// Lines of every page in reading order, headers and footers removed, joined into paragraphs.
pub(super) fn layout(pages: Vec<Page>) -> Result<Vec<(String, LineEnd)>, ReadError> {
    let page_count = pages.len();
    let mut per_page: Vec<Vec<Vec<VLine>>> = Vec::with_capacity(page_count);
    let mut any_text = false;
    for page in pages {
        let lines = visual_lines(page.pieces);
        any_text |= lines
            .iter()
            .any(|l| l.text.chars().any(char::is_alphanumeric));
        per_page.push(columns(lines, page.width));
    }
    if !any_text {
        return Err(ReadError::PdfNoText { pages: page_count });
    }
    drop_running_lines(&mut per_page);
    let flows: Vec<(usize, Vec<VLine>)> = per_page
        .into_iter()
        .enumerate()
        .flat_map(|(page, flows)| flows.into_iter().map(move |f| (page, f)))
        .collect();
    Ok(paragraphs(&flows))
}

/// Groups pieces into lines by baseline; a gap wider than three times the text size splits a
/// line into separate cells.
fn visual_lines(mut pieces: Vec<Piece>) -> Vec<VLine> {
    pieces.retain(|p| !p.text.trim().is_empty());
    pieces.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut rows: Vec<Vec<Piece>> = Vec::new();
    for p in pieces {
        match rows.last_mut() {
            Some(row) if (row[0].y - p.y).abs() <= 0.4 * row[0].size.max(p.size) => row.push(p),
            _ => rows.push(vec![p]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut cur: Option<VLine> = None;
        for p in row {
            if let Some(line) = cur.as_mut() {
                let gap = p.x0 - line.x1;
                let size = line.size.max(p.size);
                if gap <= 3.0 * size {
                    let combining = p.text.chars().next().is_some_and(is_combining);
                    if gap > 0.15 * size
                        && !combining
                        && !line.text.ends_with(' ')
                        && !p.text.starts_with(' ')
                    {
                        line.text.push(' ');
                    }
                    line.text.push_str(&p.text);
                    line.x1 = line.x1.max(p.x1);
                    line.size = size;
                    continue;
                }
                out.push(cur.take().expect("checked above"));
            }
            cur = Some(VLine {
                x0: p.x0,
                x1: p.x1,
                y: p.y,
                size: p.size,
                text: p.text,
            });
        }
        out.extend(cur);
    }
    for l in &mut out {
        l.text = l.text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    out.retain(|l| !l.text.is_empty());
    out
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Splits a page's lines into flows in reading order: one flow, or for a two-column page the
/// lines above the columns, the left column, the right column, and whatever spans the page
/// below, in that order. A gutter is a vertical band in the page's middle that no line crosses
/// while both sides hold text on several lines.
fn columns(lines: Vec<VLine>, width: f32) -> Vec<Vec<VLine>> {
    if lines.len() < 6 {
        return vec![lines];
    }
    let Some(gutter) = find_gutter(&lines, width) else {
        return vec![lines];
    };
    let mut flows: Vec<Vec<VLine>> = Vec::new();
    let (mut left, mut right): (Vec<VLine>, Vec<VLine>) = (Vec::new(), Vec::new());
    for l in lines {
        if l.x1 <= gutter {
            left.push(l);
        } else if l.x0 >= gutter {
            right.push(l);
        } else {
            // A line across the gutter (a title, a table row) closes the columns above it.
            for side in [&mut left, &mut right] {
                if !side.is_empty() {
                    flows.push(std::mem::take(side));
                }
            }
            match flows.last_mut() {
                Some(f) if f.last().is_some_and(|p| p.x0 < gutter && p.x1 > gutter) => f.push(l),
                _ => flows.push(vec![l]),
            }
        }
    }
    for side in [left, right] {
        if !side.is_empty() {
            flows.push(side);
        }
    }
    flows
}

fn find_gutter(lines: &[VLine], width: f32) -> Option<f32> {
    const STEP: f32 = 2.0;
    let (lo, hi) = (width * 0.3, width * 0.7);
    let mut best: Option<(usize, f32)> = None;
    let mut x = lo;
    while x <= hi {
        let crossing = lines.iter().filter(|l| l.x0 < x && l.x1 > x).count();
        if best.is_none_or(|(c, bx)| {
            crossing < c || (crossing == c && (x - width / 2.0).abs() < (bx - width / 2.0).abs())
        }) {
            best = Some((crossing, x));
        }
        x += STEP;
    }
    let (crossing, x) = best?;
    let left = lines.iter().filter(|l| l.x1 <= x).count();
    let right = lines.iter().filter(|l| l.x0 >= x).count();
    // Both columns must be body text (several lines each), and few lines may span both.
    let two_columns = left >= 5 && right >= 5 && crossing * 5 <= left.min(right);
    two_columns.then_some(x)
}

/// Removes running headers and footers: the first and last line of a page when the same text
/// (digits aside) is there on at least half of the pages, and page numbers ("7", "- 7 -",
/// "Trang 7", "7/12") at the top or bottom of any page.
fn drop_running_lines(pages: &mut [Vec<Vec<VLine>>]) {
    let key = |t: &str| -> String {
        crate::extract::lower(t)
            .chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .collect()
    };
    let edge = |page: &Vec<Vec<VLine>>, top: bool| -> Option<(f32, String)> {
        let all = page.iter().flatten();
        let l = if top {
            all.max_by(|a, b| a.y.total_cmp(&b.y))
        } else {
            all.min_by(|a, b| a.y.total_cmp(&b.y))
        }?;
        Some((l.y, l.text.clone()))
    };
    let mut counts: HashMap<(bool, String), usize> = HashMap::new();
    for page in pages.iter() {
        for top in [true, false] {
            if let Some((_, t)) = edge(page, top) {
                *counts.entry((top, key(&t))).or_default() += 1;
            }
        }
    }
    let n = pages.len();
    for page in pages.iter_mut() {
        for top in [true, false] {
            let Some((y, t)) = edge(page, top) else {
                continue;
            };
            let repeated = n >= 2
                && counts
                    .get(&(top, key(&t)))
                    .is_some_and(|&c| c * 2 >= n && c >= 2);
            if repeated || is_page_number(&t) {
                for flow in page.iter_mut() {
                    flow.retain(|l| !(l.y == y && l.text == t));
                }
            }
        }
        page.retain(|f| !f.is_empty());
    }
}

/// "7", "- 7 -", "Trang 7", "7/12", "Trang 7/12".
pub(super) fn is_page_number(t: &str) -> bool {
    let l = crate::extract::lower(t);
    let rest = l
        .trim()
        .trim_start_matches("trang")
        .trim_start_matches("page");
    let rest = rest.trim().trim_matches(['-', '–', ' ']);
    !rest.is_empty()
        && rest.len() <= 9
        && rest.chars().any(|c| c.is_ascii_digit())
        && rest
            .chars()
            .all(|c| c.is_ascii_digit() || c == '/' || c == ' ')
}

/// The visual lines of every flow in order, as the lines of a hard-wrapped text file, each
/// marked (`true`) when the layout shows that its paragraph ends there:
/// - a vertical gap larger than the flow's line spacing;
/// - a first line indented from a flow whose lines start at the margin;
/// - in a document wrapped by a word processor (a line inside a paragraph has no room left for
///   the next line's first word), a line that had room for it. There a line that starts with a dash
///   after an unfinished line that ran to the margin is that line's continuation.
///
/// Which lines then join into paragraphs is the text reader's rule, the same as for text pasted
/// from a PDF. A page or column break is no paragraph end: a sentence may run on.
fn paragraphs(flows: &[(usize, Vec<VLine>)]) -> Vec<(String, LineEnd)> {
    struct Shape {
        left: f32,
        /// The right margin: the furthest any line reaches.
        margin: f32,
        leading: Option<f32>,
    }
    let shapes: Vec<Shape> = flows
        .iter()
        .map(|(_, flow)| Shape {
            left: flow.iter().map(|l| l.x0).fold(f32::INFINITY, f32::min),
            margin: flow.iter().map(|l| l.x1).fold(0.0, f32::max),
            leading: percentile(
                flow.windows(2)
                    .map(|w| w[0].y - w[1].y)
                    .filter(|d| *d > 0.0)
                    .collect(),
                0.5,
            ),
        })
        .collect();
    // A line broke short when the next line's first word would have fitted after it: a word
    // processor would have put it there, so the break was the author's.
    let short = |l: &VLine, next: &VLine, s: &Shape| {
        let chars = next.text.chars().count().max(1) as f32;
        let per_char = (next.x1 - next.x0) / chars;
        let word = next.text.split(' ').next().map_or(0, |w| w.chars().count()) as f32;
        l.x1 + per_char * (word + 1.5) < s.margin
    };
    // Word-processor wrapping: lines followed by a lowercase continuation (surely inside a
    // paragraph) nearly all reach the margin. Text typed with its own line breaks does not.
    let (mut inside, mut inside_short) = (0usize, 0usize);
    for ((_, flow), shape) in flows.iter().zip(&shapes) {
        for w in flow.windows(2) {
            let next = &w[1].text;
            if next.chars().next().is_some_and(char::is_lowercase)
                && crate::markers::parse_marker(next).is_none()
            {
                inside += 1;
                inside_short += usize::from(short(&w[0], &w[1], shape));
            }
        }
    }
    let wrapped_by_layout = inside >= 5 && inside_short * 10 <= inside;
    let mut out: Vec<(String, LineEnd)> = Vec::new();
    let mut last: Option<(usize, &VLine)> = None;
    for ((page, flow), shape) in flows.iter().zip(&shapes) {
        // A flow that starts below the one before on the same page (the columns under a title)
        // is a new paragraph when the gap says so; the top of the next column or page is not.
        if let (Some((last_page, prev)), Some(first)) = (last, flow.first())
            && last_page == *page
            && prev.y - first.y > shape.leading.unwrap_or(1.2 * first.size).max(first.size) * 1.35
            && let Some(prev) = out.last_mut()
        {
            prev.1 = LineEnd::Paragraph;
        }
        last = flow.last().map(|l| (*page, l));
        for (i, l) in flow.iter().enumerate() {
            if let Some(prev) = i.checked_sub(1).map(|p| &flow[p]) {
                let gap = prev.y - l.y;
                let spaced = shape
                    .leading
                    .is_some_and(|d| gap > d * 1.35 && gap > 0.5 * l.size);
                let indented = l.x0 > shape.left + 0.8 * l.size && prev.x0 + 0.8 * l.size < l.x0;
                // A lowercase word after an unfinished line continues it whatever the room.
                let runs_on = !text::ends_terminal(&prev.text)
                    && l.text.chars().next().is_some_and(char::is_lowercase)
                    && crate::markers::parse_marker(&l.text).is_none();
                let broke_short = wrapped_by_layout && short(prev, l, shape) && !runs_on;
                if spaced || indented || broke_short {
                    if let Some(p) = out.last_mut() {
                        p.1 = LineEnd::Paragraph;
                    }
                } else if wrapped_by_layout
                    && prev.x1 + 0.6 * l.size > shape.margin
                    && starts_with_dash(&l.text)
                    && !text::starts_label(l.text[1..].trim_start())
                    && !text::ends_terminal(&prev.text)
                {
                    // "… Phòng Tài chính" / "- Kế hoạch thành phố …": a dashed name wrapped at
                    // its dash, not a new bullet: the line before is unfinished and leaves no
                    // room for " -" (a word processor would have put the dash there), and no
                    // "- Label:" follows.
                    if let Some((last, _)) = out.last_mut() {
                        last.push(' ');
                        last.push_str(&l.text);
                        continue;
                    }
                } else if wrapped_by_layout
                    && !short(prev, l, shape)
                    && let Some(p) = out.last_mut()
                {
                    // No room was left for this line's first word: the layout wrapped it.
                    p.1 = LineEnd::Wrapped;
                }
            }
            out.push((l.text.clone(), LineEnd::Unknown));
        }
    }
    out
}

fn starts_with_dash(t: &str) -> bool {
    ["- ", "– ", "— "].iter().any(|d| t.starts_with(d))
}

fn percentile(mut v: Vec<f32>, p: f32) -> Option<f32> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    let i = ((v.len() - 1) as f32 * p).round() as usize;
    v.get(i).copied()
}
