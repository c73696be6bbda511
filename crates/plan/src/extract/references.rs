//! Document numbers cited by the plan: "749/QĐ-TTg", "04-NQ/TU", "47/2020/NĐ-CP".
//! Normalised without spaces, each once, in order of first appearance.

/// Finds every document number in `text`, appending new ones to `out`.
pub fn collect(text: &str, out: &mut Vec<String>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !prev_is_word(text, i)) {
            if let Some((r, end)) = number_at(text, i) {
                if !out.contains(&r) {
                    out.push(r);
                }
                i = end;
                continue;
            }
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        i += 1;
    }
}

fn prev_is_word(text: &str, i: usize) -> bool {
    text[..i]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '/' | '-' | '.' | ','))
}

/// A document number starting at byte i: digits, an optional "/YYYY", then code segments
/// separated by '/' or '-', each starting with an uppercase letter; at least one '/'.
pub fn number_at(text: &str, i: usize) -> Option<(String, usize)> {
    let b = text.as_bytes();
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    if j - i > 6 {
        return None;
    }
    let mut out = text[i..j].to_string();
    let mut slash = false;
    let mut segments = 0;
    // "/2020" year part of decrees and circulars: "47/2020/NĐ-CP"
    if let Some((k, _)) = sep_at(text, j).filter(|&(_, c)| c == '/') {
        let mut e = k;
        while e < b.len() && b[e].is_ascii_digit() {
            e += 1;
        }
        if e - k == 4 && sep_at(text, e).is_some() {
            out.push('/');
            out.push_str(&text[k..e]);
            j = e;
            slash = true;
        }
    }
    while let Some((k, sep)) = sep_at(text, j) {
        let seg: String = text[k..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '&')
            .collect();
        let first = seg.chars().next();
        if seg.is_empty() || !first.is_some_and(|c| c.is_uppercase()) || seg.chars().count() > 12 {
            break;
        }
        // A code is letters (maybe with digits after them: "QH14"); a capitalised word with
        // lowercase tails is only accepted when short ("TTg", "CTr").
        let lower = seg.chars().filter(|c| c.is_lowercase()).count();
        if lower > 2 {
            break;
        }
        out.push(sep);
        out.push_str(&seg);
        slash |= sep == '/';
        segments += 1;
        j = k + seg.len();
    }
    (slash && segments >= 1).then_some((out, j))
}

/// A separator at j ("/" or "-", spaces around allowed): (start of next segment, sep).
fn sep_at(text: &str, j: usize) -> Option<(usize, char)> {
    let rest = &text[j..];
    let t = rest.trim_start_matches(' ');
    let sp1 = rest.len() - t.len();
    let c = t.chars().next().filter(|c| matches!(c, '/' | '-' | '–'))?;
    let after = &t[c.len_utf8()..];
    let u = after.trim_start_matches(' ');
    let sp2 = after.len() - u.len();
    if sp1 + sp2 > 2 {
        return None;
    }
    Some((j + sp1 + c.len_utf8() + sp2, if c == '–' { '-' } else { c }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(t: &str) -> Vec<String> {
        let mut v = Vec::new();
        collect(t, &mut v);
        v
    }

    #[test]
    fn finds_numbers() {
        assert_eq!(
            refs(
                "Quyết định số 749/QĐ-TTg ngày 03/6/2020; Nghị quyết số 04-NQ/TU ngày 12/4/2021; Tờ trình số 09/TTr-STTTT; Nghị định 47/2020/NĐ-CP, 749/QĐ-TTg"
            ),
            vec!["749/QĐ-TTg", "04-NQ/TU", "09/TTr-STTTT", "47/2020/NĐ-CP"]
        );
        assert_eq!(refs("Số: 30 /KH - UBND"), vec!["30/KH-UBND"]);
        assert_eq!(
            refs("10/10 và 03-05 phút/01 chương trình, 1 lần/tuần, Zalo 1022 Quảng Nam, 2021-2025"),
            Vec::<String>::new()
        );
    }
}
