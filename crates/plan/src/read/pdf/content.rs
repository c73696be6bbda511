//! The text operators of a content stream (text and graphics state, Tj/TJ/'/") turned into
//! positioned pieces of text: where each shown string starts and ends on the page.
//!
//! A marked-content span with an `/ActualText` (PDF 32000-1 §14.9.4) replaces what its strings
//! decode to. Writers use it where glyphs do not map one to one onto characters: LibreOffice
//! draws a stacked Vietnamese letter its font lacks ("ổ") from a fallback font as a base glyph and
//! a mark glyph, the mark with no Unicode of its own, and says "ổ" in the span.

use lopdf::Object;

use super::fonts::Fonts;
use super::{MAX_STATE_DEPTH, Piece};

/// An affine matrix [a b c d e f], as PDF writes them.
#[derive(Debug, Clone, Copy)]
struct Matrix([f32; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// `self` then `m`: PDF's `self × m`.
    fn then(self, m: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = m.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn translate(x: f32, y: f32) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    fn from_operands(ops: &[Object]) -> Option<Matrix> {
        if ops.len() != 6 {
            return None;
        }
        let mut m = [0.0f32; 6];
        for (slot, o) in m.iter_mut().zip(ops) {
            *slot = o.as_float().ok().filter(|f| f.is_finite())?;
        }
        Some(Matrix(m))
    }
}

#[derive(Clone)]
struct TextState {
    ctm: Matrix,
    font: Option<Vec<u8>>,
    size: f32,
    char_spacing: f32,
    word_spacing: f32,
    scale: f32,
    leading: f32,
    rise: f32,
}

fn operand(ops: &[Object], i: usize) -> f32 {
    ops.get(i)
        .and_then(|o| o.as_float().ok())
        .filter(|f| f.is_finite())
        .unwrap_or(0.0)
}

/// Runs a page's text operators, pushing one [`Piece`] per shown string.
pub(super) fn interpret(
    ops: &[lopdf::content::Operation],
    fonts: &Fonts,
    out: &mut Vec<Piece>,
    left: &mut usize,
) {
    let mut st = TextState {
        ctm: Matrix::IDENTITY,
        font: None,
        size: 0.0,
        char_spacing: 0.0,
        word_spacing: 0.0,
        scale: 1.0,
        leading: 0.0,
        rise: 0.0,
    };
    let mut saved: Vec<TextState> = Vec::new();
    // Open marked-content sequences, each with its ActualText if it has one.
    let mut marked: Vec<Option<ActualText>> = Vec::new();
    let mut tm = Matrix::IDENTITY;
    let mut tlm = Matrix::IDENTITY;
    for op in ops {
        let a = &op.operands;
        match op.operator.as_str() {
            "q" if saved.len() < MAX_STATE_DEPTH => saved.push(st.clone()),
            "Q" => {
                if let Some(s) = saved.pop() {
                    st = s;
                }
            }
            "cm" => {
                if let Some(m) = Matrix::from_operands(a) {
                    st.ctm = m.then(st.ctm);
                }
            }
            "BT" => {
                tm = Matrix::IDENTITY;
                tlm = Matrix::IDENTITY;
            }
            "BMC" | "BDC" if marked.len() < MAX_STATE_DEPTH => {
                // Only the outermost ActualText counts: it already replaces everything inside.
                let outer = marked.iter().any(Option::is_some);
                marked.push(if outer { None } else { actual_text(a) });
            }
            "EMC" => {
                if let Some(Some(span)) = marked.pop()
                    && let Some(piece) = span.into_piece()
                {
                    keep(piece, out, left);
                }
            }
            "Tf" => {
                st.font = a.first().and_then(|o| o.as_name().ok()).map(<[u8]>::to_vec);
                st.size = operand(a, 1);
            }
            "Tc" => st.char_spacing = operand(a, 0),
            "Tw" => st.word_spacing = operand(a, 0),
            "Tz" => st.scale = operand(a, 0) / 100.0,
            "TL" => st.leading = operand(a, 0),
            "Ts" => st.rise = operand(a, 0),
            "Td" | "TD" => {
                if op.operator == "TD" {
                    st.leading = -operand(a, 1);
                }
                tlm = Matrix::translate(operand(a, 0), operand(a, 1)).then(tlm);
                tm = tlm;
            }
            "Tm" => {
                if let Some(m) = Matrix::from_operands(a) {
                    tlm = m;
                    tm = m;
                }
            }
            "T*" => {
                tlm = Matrix::translate(0.0, -st.leading).then(tlm);
                tm = tlm;
            }
            "Tj" | "'" | "\"" => {
                if op.operator != "Tj" {
                    if op.operator == "\"" {
                        st.word_spacing = operand(a, 0);
                        st.char_spacing = operand(a, 1);
                    }
                    tlm = Matrix::translate(0.0, -st.leading).then(tlm);
                    tm = tlm;
                }
                if let Some(Ok(s)) = a.last().map(Object::as_str)
                    && let Some(piece) = show(s, &st, fonts, &mut tm)
                {
                    place(piece, &mut marked, out, left);
                }
            }
            "TJ" => {
                let Some(Ok(items)) = a.first().map(Object::as_array) else {
                    continue;
                };
                for item in items {
                    match item {
                        Object::String(s, _) => {
                            if let Some(piece) = show(s, &st, fonts, &mut tm) {
                                place(piece, &mut marked, out, left);
                            }
                        }
                        o => {
                            if let Ok(n) = o.as_float()
                                && n.is_finite()
                            {
                                let tx = -n / 1000.0 * st.size * st.scale;
                                tm = Matrix::translate(tx, 0.0).then(tm);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    // A span the page never closed still says what its glyphs were.
    for span in marked.into_iter().flatten() {
        if let Some(piece) = span.into_piece() {
            keep(piece, out, left);
        }
    }
}

/// The text a marked-content span says its glyphs stand for, and where those glyphs were drawn.
struct ActualText {
    text: String,
    drawn: Option<Piece>,
}

impl ActualText {
    fn into_piece(self) -> Option<Piece> {
        let mut piece = self.drawn?;
        piece.text = self.text;
        Some(piece)
    }
}

/// The ActualText of `BDC`'s inline property list, if it has one.
fn actual_text(operands: &[Object]) -> Option<ActualText> {
    let props = operands.get(1)?.as_dict().ok()?;
    let text = lopdf::decode_text_string(props.get(b"ActualText").ok()?).ok()?;
    Some(ActualText {
        text: text.trim_start_matches('\u{FEFF}').to_string(),
        drawn: None,
    })
}

/// Keeps a shown string, or inside a span with an ActualText widens the span's extent instead.
fn place(piece: Piece, marked: &mut [Option<ActualText>], out: &mut Vec<Piece>, left: &mut usize) {
    let Some(span) = marked.iter_mut().flatten().next() else {
        keep(piece, out, left);
        return;
    };
    match span.drawn.as_mut() {
        Some(d) => {
            d.x0 = d.x0.min(piece.x0);
            d.x1 = d.x1.max(piece.x1);
        }
        None => span.drawn = Some(piece),
    }
}

fn keep(piece: Piece, out: &mut Vec<Piece>, left: &mut usize) {
    if *left == 0 || piece.text.is_empty() {
        return;
    }
    *left -= 1;
    out.push(piece);
}

/// Shows one string: decodes it, measures it, advances the text matrix, and says where it was
/// drawn.
fn show(bytes: &[u8], st: &TextState, fonts: &Fonts, tm: &mut Matrix) -> Option<Piece> {
    let font = st.font.as_ref().and_then(|f| fonts.get(f))?;
    let mut text = String::new();
    let mut advance = 0.0f32;
    for code in font.codes(bytes) {
        font.push_text(code, &mut text);
        let mut w = font.width(code) / 1000.0 * st.size + st.char_spacing;
        if font.code_len == 1 && code == 32 {
            w += st.word_spacing;
        }
        advance += w * st.scale;
    }
    let render = Matrix([st.size * st.scale, 0.0, 0.0, st.size, 0.0, st.rise])
        .then(*tm)
        .then(st.ctm);
    let [_, _, _, _, x0, y] = render.0;
    *tm = Matrix::translate(advance, 0.0).then(*tm);
    let end = Matrix([st.size * st.scale, 0.0, 0.0, st.size, 0.0, st.rise])
        .then(*tm)
        .then(st.ctm);
    let x1 = end.0[4];
    // The rendered size: the text space's vertical unit in device space.
    let size = (render.0[2].powi(2) + render.0[3].powi(2)).sqrt();
    if !(x0.is_finite() && x1.is_finite() && y.is_finite()) {
        return None;
    }
    Some(Piece {
        x0: x0.min(x1),
        x1: x0.max(x1),
        y,
        size: if size.is_finite() && size > 0.1 {
            size
        } else {
            10.0
        },
        text,
    })
}
