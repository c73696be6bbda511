//! Outline markers at the start of a paragraph: "II.", "2.", "2.1.", "a)", "b.1.", "-", "+", "*".
//! Shared by the text reader (a marker starts a new paragraph, it never continues a wrapped line)
//! and the extractor (markers build the outline tree).

/// What kind of marker; two markers of the same kind are siblings in the outline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MarkerKind {
    /// "I.", "IV."
    Roman,
    /// "A.", "B)" (not I, V, X: those read as Roman).
    UpperLetter,
    /// "1." (depth 1), "2.1." (depth 2), "3.1.1" (depth 3).
    Arabic(u8),
    /// "1)", "(1)" — usually a different level from "1.".
    ArabicParen,
    /// "a)", "b.", "đ)".
    Letter,
    /// "b.1.", "c.2" — a letter then numbers.
    LetterNum(u8),
    /// "-", "+", "*", "•" and friends (all dash variants count as '-').
    Bullet(char),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    pub kind: MarkerKind,
    /// The label used in task refs: "II", "2", "2.1", "a", "b.1"; the bullet char for bullets.
    pub label: String,
    /// Bytes of the paragraph taken by the marker and the spaces after it.
    pub len: usize,
}

impl Marker {
    pub fn is_bullet(&self) -> bool {
        matches!(self.kind, MarkerKind::Bullet(_))
    }
}

fn bullet_char(c: char) -> Option<char> {
    match c {
        '-' | '–' | '—' | '−' | '‐' | '‑' => Some('-'),
        '+' => Some('+'),
        '*' => Some('*'),
        '•' | '·' | '●' | '∙' => Some('•'),
        '◦' | '○' | 'o' => Some('◦'),
        '▪' | '■' | '□' | '♦' | '❖' | '◆' | '►' | '➢' | '➤' | '✓' | '✔' | '⁃' => {
            Some('▪')
        }
        // Word symbol-font bullets (Wingdings/Symbol) land in the private use area.
        '\u{F000}'..='\u{F0FF}' => Some('▪'),
        _ => None,
    }
}

fn roman_value(s: &str) -> Option<u32> {
    let mut total = 0u32;
    let mut prev = 0u32;
    for c in s.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (1..=40).contains(&total).then_some(total)
}

/// After the marker: whitespace, end of text, or (sloppy typing, "1.Xây dựng") an uppercase letter.
fn marker_end_ok(rest: &str, allow_upper: bool) -> bool {
    match rest.chars().next() {
        None => true,
        Some(c) if c.is_whitespace() => true,
        Some(c) => allow_upper && c.is_uppercase(),
    }
}

fn skip_spaces(s: &str, at: usize) -> usize {
    at + (s[at..].len() - s[at..].trim_start().len())
}

/// Parses the marker at the start of `s` (leading whitespace allowed).
pub fn parse_marker(s: &str) -> Option<Marker> {
    let lead = s.len() - s.trim_start().len();
    let t = &s[lead..];
    let first = t.chars().next()?;

    if let Some(b) = bullet_char(first) {
        let after = &t[first.len_utf8()..];
        // 'o' is only a bullet when followed by a space ("o Nội dung"), never in a word.
        let ok = match after.chars().next() {
            None => first != 'o',
            Some(c) if c.is_whitespace() => true,
            Some(c) => first != 'o' && matches!(b, '-' | '+' | '•') && c.is_uppercase(),
        };
        if ok {
            let end = lead + first.len_utf8();
            return Some(Marker {
                kind: MarkerKind::Bullet(b),
                label: b.to_string(),
                len: skip_spaces(s, end),
            });
        }
        return None;
    }

    // "(1)" and "(a)"
    if first == '(' {
        let close = t.find(')')?;
        let inner = &t[1..close];
        let rest = &t[close + 1..];
        if !marker_end_ok(rest, false) {
            return None;
        }
        let kind =
            if !inner.is_empty() && inner.len() <= 2 && inner.bytes().all(|b| b.is_ascii_digit()) {
                MarkerKind::ArabicParen
            } else if inner.chars().count() == 1 && inner.chars().all(|c| c.is_lowercase()) {
                MarkerKind::Letter
            } else {
                return None;
            };
        return Some(Marker {
            kind,
            label: inner.to_string(),
            len: skip_spaces(s, lead + close + 1),
        });
    }

    // Leading run of ASCII alphanumerics and dots: "II.", "2.1.", "b.1.", "a)".
    let run_end = t
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.' || c == 'đ'))
        .map(|(i, _)| i)
        .unwrap_or(t.len());
    // "1.Xây dựng" (no space after the dot): the run stops at the dot before a word.
    let mut run_end = run_end;
    let mut pos = 0;
    for (k, part) in t[..run_end].split('.').enumerate() {
        if k >= 1 && !part.is_empty() && !part.bytes().all(|b| b.is_ascii_digit()) {
            run_end = pos;
            break;
        }
        pos += part.len() + 1;
    }
    let run = &t[..run_end];
    let after_run = &t[run_end..];
    let paren = after_run.starts_with(')');
    let (body, consumed) = if paren {
        (run, run_end + 1)
    } else if let Some(stripped) = run.strip_suffix('.') {
        (stripped, run_end)
    } else {
        (run, run_end)
    };
    let rest = &t[consumed..];
    if body.is_empty() {
        return None;
    }
    let parts: Vec<&str> = body.split('.').collect();
    let ends_with_punct = paren || run.ends_with('.');

    // Roman numerals need their dot or paren: "V. TỔ CHỨC".
    if parts.len() == 1
        && ends_with_punct
        && roman_value(body).is_some()
        && marker_end_ok(rest, true)
    {
        return Some(Marker {
            kind: MarkerKind::Roman,
            label: body.to_string(),
            len: skip_spaces(s, lead + consumed),
        });
    }
    let is_num = |p: &str| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.iter().all(|p| is_num(p)) {
        if parts.len() == 1 {
            if !ends_with_punct || !marker_end_ok(rest, true) {
                return None;
            }
            let kind = if paren {
                MarkerKind::ArabicParen
            } else {
                MarkerKind::Arabic(1)
            };
            return Some(Marker {
                kind,
                label: body.to_string(),
                len: skip_spaces(s, lead + consumed),
            });
        }
        // "2.1" without a final dot is still a heading number, but "1.5 triệu" is not: need a
        // space and then a letter.
        if paren || !marker_end_ok(rest, true) {
            return None;
        }
        if !ends_with_punct
            && !rest
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase())
        {
            return None;
        }
        let depth = parts.len().min(9) as u8;
        return Some(Marker {
            kind: MarkerKind::Arabic(depth),
            label: body.to_string(),
            len: skip_spaces(s, lead + consumed),
        });
    }
    let single_letter = |p: &str| p.chars().count() == 1 && p.chars().all(|c| c.is_alphabetic());
    if parts.len() >= 2
        && single_letter(parts[0])
        && parts[0].chars().all(|c| c.is_lowercase())
        && parts[1..].iter().all(|p| is_num(p))
    {
        if !marker_end_ok(rest, true) {
            return None;
        }
        let depth = parts.len().min(9) as u8;
        return Some(Marker {
            kind: MarkerKind::LetterNum(depth),
            label: body.to_string(),
            len: skip_spaces(s, lead + consumed),
        });
    }
    if parts.len() == 1 && single_letter(body) && ends_with_punct && marker_end_ok(rest, false) {
        let c = body.chars().next()?;
        let kind = if c.is_lowercase() {
            MarkerKind::Letter
        } else {
            MarkerKind::UpperLetter
        };
        return Some(Marker {
            kind,
            label: body.to_string(),
            len: skip_spaces(s, lead + consumed),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> Option<MarkerKind> {
        parse_marker(s).map(|m| m.kind)
    }

    #[test]
    fn recognises_markers() {
        assert_eq!(kind("II. NỘI DUNG"), Some(MarkerKind::Roman));
        assert_eq!(kind("V. TỔ CHỨC"), Some(MarkerKind::Roman));
        assert_eq!(kind("2. Truyền thông"), Some(MarkerKind::Arabic(1)));
        assert_eq!(kind("1.Xây dựng"), Some(MarkerKind::Arabic(1)));
        assert_eq!(kind("2.1. Tuyên truyền"), Some(MarkerKind::Arabic(2)));
        assert_eq!(kind("3.1.1 Các sự kiện"), Some(MarkerKind::Arabic(3)));
        assert_eq!(kind("a) Tuyên truyền"), Some(MarkerKind::Letter));
        assert_eq!(kind("đ) Tuyên truyền"), Some(MarkerKind::Letter));
        assert_eq!(kind("b.1. Tuyên truyền"), Some(MarkerKind::LetterNum(2)));
        assert_eq!(kind("- Nội dung"), Some(MarkerKind::Bullet('-')));
        assert_eq!(kind(" – Nội dung"), Some(MarkerKind::Bullet('-')));
        assert_eq!(kind("+ Tập huấn"), Some(MarkerKind::Bullet('+')));
        assert_eq!(kind("* Các sự kiện"), Some(MarkerKind::Bullet('*')));
        assert_eq!(kind("(1) Nội dung"), Some(MarkerKind::ArabicParen));
        assert_eq!(kind("A. NHIỆM VỤ"), Some(MarkerKind::UpperLetter));
        assert_eq!(parse_marker("b.1. Tuyên").unwrap().label, "b.1");
    }

    #[test]
    fn rejects_non_markers() {
        for s in [
            "10/10 là ngày",
            "1.5 triệu đồng",
            "2024 là năm",
            "Sở Tài chính",
            "một số",
            "ong",
            "-5 độ",
            "100% cơ quan",
            "",
        ] {
            assert_eq!(kind(s), None, "{s}");
        }
    }
}
