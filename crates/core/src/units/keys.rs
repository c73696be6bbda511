//! Tokenising unit text into folded, abbreviation-expanded words: the one canonical form that
//! names, aliases and plan text are all compared in.
//!
//! "Sở TT&TT", "Sở Thông tin - Truyền thông" and "Sở Thông tin và Truyền thông" all become the
//! words `so thong tin truyen thong`; the separators between words (comma, "và", dash, stop,
//! semicolon) are kept as flags so the resolver can split lists.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::text::fold;

/// Separator flags seen between the previous word and this one.
pub const COMMA: u8 = 1;
/// "và", "&" between words.
pub const VA: u8 = 2;
/// A dash, slash or U+FFFD between words.
pub const DASH: u8 = 4;
/// An ellipsis, full stop or bracket: ends a name.
pub const STOP: u8 = 8;
/// A semicolon, colon or line break: ends a clause.
pub const SEMI: u8 = 16;

/// A word of the text: folded and expanded, with its byte span in the (NFC) source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub w: String,
    pub start: usize,
    pub end: usize,
    /// Separators between the previous word and this one.
    pub before: u8,
    /// Whether the word comes from expanding an abbreviation.
    pub abbr: bool,
}

/// Abbreviations, folded, and what they stand for (also folded).
static ABBREVIATIONS: &[(&str, &str)] = &[
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("ptnt", "phat trien nong thon"),
    ("tt&tt", "thong tin truyen thong"),
    ("tt-tt", "thong tin truyen thong"),
    ("tttt", "thong tin truyen thong"),
    ("stttt", "so thong tin truyen thong"),
    ("gd&dt", "giao duc dao tao"),
    ("gd-dt", "giao duc dao tao"),
    ("gddt", "giao duc dao tao"),
    ("nn&ptnt", "nong nghiep phat trien nong thon"),
    ("nnptnt", "nong nghiep phat trien nong thon"),
    ("nn&mt", "nong nghiep moi truong"),
    ("nnmt", "nong nghiep moi truong"),
    ("vh-tt&dl", "van hoa the thao du lich"),
    ("vh,tt&dl", "van hoa the thao du lich"),
    ("vhttdl", "van hoa the thao du lich"),
    ("vh-tt-dl", "van hoa the thao du lich"),
    ("vh-tt&tt", "van hoa the thao truyen thong"),
    ("vhtt&tt", "van hoa the thao truyen thong"),
    ("vh-tt-tt", "van hoa the thao truyen thong"),
    ("vhtttt", "van hoa the thao truyen thong"),
    ("vh&tt", "van hoa thong tin"),
    ("vh-tt", "van hoa the thao"),
    ("vh-xh", "van hoa xa hoi"),
    ("kh&cn", "khoa hoc cong nghe"),
    ("khcn", "khoa hoc cong nghe"),
    ("kh&dt", "ke hoach dau tu"),
    ("khdt", "ke hoach dau tu"),
    ("ld-tb&xh", "lao dong thuong binh xa hoi"),
    ("ld-tbxh", "lao dong thuong binh xa hoi"),
    ("ldtb&xh", "lao dong thuong binh xa hoi"),
    ("ldtbxh", "lao dong thuong binh xa hoi"),
    ("tb&xh", "thuong binh xa hoi"),
    ("tbxh", "thuong binh xa hoi"),
    ("tn&mt", "tai nguyen moi truong"),
    ("tnmt", "tai nguyen moi truong"),
    ("gtvt", "giao thong van tai"),
    ("pt-th", "phat thanh truyen hinh"),
    ("pt&th", "phat thanh truyen hinh"),
    ("ptth", "phat thanh truyen hinh"),
    ("tt-th", "truyen thanh truyen hinh"),
    ("ttth", "truyen thanh truyen hinh"),
    ("ttdt", "thong tin dien tu"),
    ("ldld", "lien doan lao dong"),
    ("lhpn", "lien hiep phu nu"),
    ("ubmttq", "uy ban mat tran to quoc"),
    ("mttq", "mat tran to quoc"),
    ("cntt", "cong nghe thong tin"),
    ("tncs", "thanh nien cong san"),
    ("hcm", "ho chi minh"),
    ("bchqs", "bo chi huy quan su"),
    ("chqs", "chi huy quan su"),
    ("tc-kh", "tai chinh ke hoach"),
    ("tckh", "tai chinh ke hoach"),
    ("kt-ht", "kinh te ha tang"),
    ("kt&ht", "kinh te ha tang"),
    ("ktht", "kinh te ha tang"),
    ("qldt", "quan ly do thi"),
    ("ccb", "cuu chien binh"),
    ("vp", "van phong"),
    ("tp", "thanh pho"),
    ("tx", "thi xa"),
    ("tw", "trung uong"),
    ("ub", "uy ban"),
    ("bc-vt", "buu chinh vien thong"),
    ("bcvt", "buu chinh vien thong"),
    ("tt-bc-xb", "thong tin bao chi xuat ban"),
    ("ttbcxb", "thong tin bao chi xuat ban"),
    ("dbqh", "dai bieu quoc hoi"),
    ("cdcs", "chuyen doi so"),
    ("cds", "chuyen doi so"),
];

static ABBR: LazyLock<HashMap<&'static str, &'static str>> =
    LazyLock::new(|| ABBREVIATIONS.iter().copied().collect());

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

fn is_joiner(c: char) -> bool {
    matches!(
        c,
        '&' | '-' | '–' | '—' | '‑' | '‐' | '−' | '/' | '.' | '\u{FFFD}' | '\'' | '’'
    )
}

fn separator_flag(c: char) -> u8 {
    match c {
        ',' | '(' | ')' | '+' | '[' | ']' => COMMA,
        ';' | ':' | '\n' | '\r' | '\t' => SEMI,
        '&' => VA,
        '-' | '–' | '—' | '‑' | '‐' | '−' | '/' | '\u{FFFD}' | '\\' => DASH,
        '.' | '…' | '"' | '“' | '”' | '!' | '?' => STOP,
        _ => 0,
    }
}

fn push_expanded(out: &mut Vec<Word>, folded: &str, start: usize, end: usize, before: &mut u8) {
    let mut push = |w: &str, before: &mut u8, abbr: bool| {
        if w == "va" {
            *before |= VA;
            return;
        }
        out.push(Word {
            w: w.to_string(),
            start,
            end,
            before: *before,
            abbr,
        });
        *before = 0;
    };
    if let Some(exp) = ABBR.get(folded) {
        for w in exp.split(' ') {
            push(w, before, true);
        }
        return;
    }
    let has_joiner = folded.chars().any(is_joiner);
    if has_joiner {
        let norm: String = folded
            .chars()
            .map(|c| {
                if is_joiner(c) && c != '&' && c != '\'' && c != '’' {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        if let Some(exp) = ABBR.get(norm.as_str()) {
            for w in exp.split(' ') {
                push(w, before, true);
            }
            return;
        }
        let joined: String = folded.chars().filter(|c| is_word_char(*c)).collect();
        if let Some(exp) = ABBR.get(joined.as_str()) {
            for w in exp.split(' ') {
                push(w, before, true);
            }
            return;
        }
        for part in norm.split(['-', '&']) {
            if part.is_empty() {
                continue;
            }
            match ABBR.get(part) {
                Some(exp) => exp.split(' ').for_each(|w| push(w, before, true)),
                None => push(part, before, false),
            }
            *before |= DASH;
        }
        *before &= !DASH;
        return;
    }
    push(folded, before, false);
}

/// Split `text` into words (see [`Word`]). Works on NFC or NFD input; spans are byte offsets
/// into `text`.
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut before = 0u8;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if is_word_char(c) {
            // A token: word chars, possibly joined by joiners with word chars on both sides.
            let start = pos;
            let mut j = i + 1;
            while j < chars.len() {
                let c = chars[j].1;
                if is_word_char(c) {
                    j += 1;
                } else if is_joiner(c) && j + 1 < chars.len() && is_word_char(chars[j + 1].1) {
                    j += 2;
                } else {
                    break;
                }
            }
            let end = chars.get(j).map_or(text.len(), |(p, _)| *p);
            let folded = fold(&text[start..end]);
            push_expanded(&mut out, &folded, start, end, &mut before);
            i = j;
        } else {
            before |= separator_flag(c);
            i += 1;
        }
    }
    out
}

/// The key of a name: its words joined by single spaces ("Sở TT&TT" → "so thong tin truyen thong").
pub fn key(text: &str) -> String {
    let ws = words(text);
    let mut out = String::with_capacity(text.len() + 8);
    for w in ws {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.w);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_and_dashes_share_one_key() {
        let k = key("Sở Thông tin và Truyền thông");
        assert_eq!(k, "so thong tin truyen thong");
        assert_eq!(key("Sở TT&TT"), k);
        assert_eq!(key("Sở Thông tin - Truyền thông"), k);
        assert_eq!(key("Sở Thông tin – Truyền thông"), k);
        assert_eq!(key("Sở Thông tin-Truyền thông"), k);
        assert_eq!(key("Đài PT-TH"), "dai phat thanh truyen hinh");
        assert_eq!(key("Đài PTTH"), "dai phat thanh truyen hinh");
        assert_eq!(
            key("Đài Phát thanh � Truyền hình"),
            "dai phat thanh truyen hinh"
        );
        assert_eq!(
            key("Văn phòng HĐND-UBND"),
            "van phong hoi dong nhan dan uy ban nhan dan"
        );
        assert_eq!(key("Sở VH-TT&DL"), key("Sở Văn hóa, Thể thao và Du lịch"));
        assert_eq!(key("Sở GD&ĐT"), key("Sở Giáo dục và Đào tạo"));
    }

    #[test]
    fn separators_are_flagged() {
        let ws = words("Sở A, Sở B và Đài C; các xã...");
        let flags: Vec<u8> = ws.iter().map(|w| w.before).collect();
        assert_eq!(flags, vec![0, 0, COMMA, 0, VA, 0, SEMI, 0]);
        assert_eq!(
            &"Sở A, Sở B và Đài C; các xã..."[ws[1].start..ws[1].end],
            "A"
        );
    }
}
