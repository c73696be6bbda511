//! Quantified targets: "mỗi tuần 01 số" → {1, week}; "10 Bản tin/năm" → {10, year};
//! "hàng tuần" → {1, week}; "phát lại 03 lần/tháng" → {3, month}; "Tổ chức 05 lớp" → {5, plan};
//! "1 tuần/1 lần" → {1, week}; "02 (hai) lớp" → {2, plan}.
//!
//! Text is tokenised into words, numbers and punctuation. A bare count ("05 lớp") is only a
//! target when the noun is something a plan counts (classes, programmes, articles…), so
//! "Zalo 1022 Quảng Nam", "18 huyện" or "04 năm" never become targets.

use super::lower;
use crate::model::{Per, Target};

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    /// (lowercase, original)
    Word(&'a str, &'a str),
    Num(u32, &'a str),
    Punct(char),
}

fn tokenize<'a>(text: &'a str, low: &'a str) -> Vec<Tok<'a>> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    while let Some(&(i, c)) = it.peek() {
        if super::is_latin_letter(c) {
            let mut end = i;
            while let Some(&(j, d)) = it.peek() {
                if super::is_latin_letter(d) || d == '&' {
                    end = j + d.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            out.push(Tok::Word(&low[i..end], &text[i..end]));
        } else if c.is_ascii_digit() {
            let mut end = i;
            while let Some(&(j, d)) = it.peek() {
                if d.is_ascii_digit() {
                    end = j + 1;
                    it.next();
                } else {
                    break;
                }
            }
            let s = &text[i..end];
            out.push(Tok::Num(s.parse().unwrap_or(u32::MAX), s));
        } else {
            it.next();
            if !c.is_whitespace() {
                out.push(Tok::Punct(c));
            }
        }
    }
    out
}

fn per_word(w: &str) -> Option<Per> {
    Some(match w {
        "ngày" => Per::Day,
        "tuần" => Per::Week,
        "tháng" => Per::Month,
        "quý" => Per::Quarter,
        "năm" => Per::Year,
        _ => return None,
    })
}

fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "một" => 1,
        "hai" => 2,
        "ba" => 3,
        "bốn" | "tư" => 4,
        "sáu" => 6,
        "bảy" => 7,
        "tám" => 8,
        "chín" => 9,
        "mười" => 10,
        _ => return None,
    })
}

/// Nouns a plan counts. Matched on the first one or two words of the noun phrase.
const COUNTABLE: &[&str] = &[
    "lớp",
    "khóa",
    "khoá",
    "lần",
    "lượt",
    "buổi",
    "đợt",
    "cuộc",
    "hội nghị",
    "hội thảo",
    "tọa đàm",
    "toạ đàm",
    "diễn đàn",
    "sự kiện",
    "chương trình",
    "chuyên mục",
    "chuyên đề",
    "chuyên trang",
    "số",
    "bài",
    "tin",
    "phóng sự",
    "video",
    "clip",
    "phim",
    "bản tin",
    "ấn phẩm",
    "tờ rơi",
    "tờ gấp",
    "sổ tay",
    "tài liệu",
    "pano",
    "panô",
    "băng rôn",
    "băng zôn",
    "áp phích",
    "khẩu hiệu",
    "cụm",
    "bảng",
    "trường",
    "học viên",
    "người",
    "phiên",
    "tiết",
    "tập",
    "cuốn",
    "quyển",
    "bộ",
    "mô hình",
    "điểm",
    "trang",
    "sản phẩm",
    "câu chuyện",
    "tác phẩm",
    "giải",
    "đội",
    "podcast",
    "infographic",
    "bản",
    "tiểu phẩm",
    "kỳ",
    "cuộc thi",
    "hoạt động",
    "gian hàng",
    "đoàn",
    "chuyến",
];

const TIME_NOUNS: &[&str] = &["ngày", "tuần", "tháng", "quý", "năm", "giờ", "phút", "giây"];

/// Words that end a noun phrase.
const NOUN_STOP: &[&str] = &[
    "và", "của", "trong", "cho", "tại", "mỗi", "được", "để", "với", "hoặc", "trên", "về", "từ",
    "đến", "gồm", "nhằm", "theo", "hàng", "hằng", "có", "là",
];

fn is_countable(noun: &[String]) -> bool {
    let one = noun.first().map(String::as_str).unwrap_or("");
    let two = noun.iter().take(2).cloned().collect::<Vec<_>>().join(" ");
    COUNTABLE.iter().any(|c| *c == one || *c == two)
}

struct Scan<'a> {
    toks: Vec<Tok<'a>>,
    out: Vec<Target>,
}

/// All targets in a text, without duplicates.
pub fn find_targets(text: &str) -> Vec<Target> {
    let low = lower(text);
    let mut s = Scan {
        toks: tokenize(text, &low),
        out: Vec::new(),
    };
    s.run();
    s.out
}

impl<'a> Scan<'a> {
    fn word(&self, i: usize) -> Option<&str> {
        match self.toks.get(i) {
            Some(Tok::Word(w, _)) => Some(w),
            _ => None,
        }
    }
    fn punct(&self, i: usize) -> Option<char> {
        match self.toks.get(i) {
            Some(Tok::Punct(c)) => Some(*c),
            _ => None,
        }
    }
    /// A count at i: a number, or a number word ("một lần"). Returns (value, next index).
    fn count(&self, i: usize) -> Option<(u32, usize)> {
        match self.toks.get(i)? {
            Tok::Num(n, _) => {
                let mut j = i + 1;
                // "02 (hai) lớp": skip the number spelled out.
                if self.punct(j) == Some('(')
                    && self.word(j + 1).is_some_and(|w| number_word(w).is_some())
                    && self.punct(j + 2) == Some(')')
                {
                    j += 3;
                }
                Some((*n, j))
            }
            Tok::Word(w, _) => {
                let n = number_word(w)?;
                // "một số", "một cách", "một trong": not counts.
                if self
                    .word(i + 1)
                    .is_some_and(|x| matches!(x, "số" | "cách" | "trong" | "phần" | "vài" | "bộ"))
                {
                    return None;
                }
                Some((n, i + 1))
            }
            Tok::Punct(_) => None,
        }
    }

    /// The noun phrase after a count: up to five words; "tin, bài" and "phóng sự/chương trình"
    /// stay together. Returns (lowercase words, original text, next index).
    fn noun(&self, mut i: usize) -> (Vec<String>, String, usize) {
        let mut words: Vec<String> = Vec::new();
        let mut orig = String::new();
        while words.len() < 5 {
            match self.toks.get(i) {
                Some(Tok::Word(w, o)) => {
                    if NOUN_STOP.contains(w) || (!words.is_empty() && per_word(w).is_some()) {
                        break;
                    }
                    words.push(w.to_string());
                    if !orig.is_empty() && !orig.ends_with('/') {
                        orig.push(' ');
                    }
                    orig.push_str(o);
                    i += 1;
                }
                Some(Tok::Punct(c @ (',' | '/')))
                    if !(words.is_empty() || words.len() == 1 && per_word(&words[0]).is_some()) =>
                {
                    // Continue only into another noun: "tin, bài/tuần", "phóng sự/chương trình".
                    match self.toks.get(i + 1) {
                        Some(Tok::Word(w, _))
                            if per_word(w).is_none()
                                && !NOUN_STOP.contains(w)
                                && (*c == '/' || self.slash_per_within(i + 1, 3)) =>
                        {
                            orig.push(*c);
                            i += 1;
                        }
                        _ => break,
                    }
                }
                _ => break,
            }
        }
        (words, orig, i)
    }

    fn slash_per_within(&self, i: usize, n: usize) -> bool {
        (i..i + n).any(|k| self.punct(k) == Some('/') && self.per_after_slash(k + 1).is_some())
    }

    /// After a '/': "năm", "1 tuần", "01 tháng". Returns (per, next index).
    fn per_after_slash(&self, i: usize) -> Option<(Per, usize)> {
        let mut j = i;
        if let Some(Tok::Num(1, _)) = self.toks.get(j) {
            j += 1;
        }
        let p = per_word(self.word(j)?)?;
        Some((p, j + 1))
    }

    fn push(&mut self, count: u32, per: Per, unit: &str) {
        if count == 0 || count > 100_000 {
            return;
        }
        if !self
            .out
            .iter()
            .any(|t| t.count == count && t.per == per && t.unit == unit)
        {
            self.out.push(Target {
                count,
                per,
                unit: unit.trim().to_string(),
            });
        }
    }

    fn run(&mut self) {
        let mut i = 0;
        // The period a "mỗi tháng …" phrase set for the rest of its sentence.
        let mut sentence_per: Option<Per> = None;
        // After "trong đó" the numbers break a total down: not targets of their own.
        let mut breakdown = false;
        // Plan totals found earlier in the sentence: "Tổ chức 02 hội nghị … hằng năm" makes
        // them yearly.
        let mut bare: Vec<usize> = Vec::new();
        while i < self.toks.len() {
            match self.toks[i].clone() {
                Tok::Punct('.' | ';') => {
                    sentence_per = None;
                    breakdown = false;
                    bare.clear();
                    i += 1;
                }
                Tok::Word(w, _) if w == "trong" && self.word(i + 1) == Some("đó") => {
                    breakdown = true;
                    i += 2;
                }
                Tok::Word(w, _)
                    if matches!(w, "mỗi" | "hàng" | "hằng")
                        && self.word(i + 1).and_then(per_word).is_some() =>
                {
                    let per = per_word(self.word(i + 1).unwrap_or_default()).unwrap_or(Per::Plan);
                    sentence_per = Some(per);
                    // "mỗi tuần 01 số", "mỗi tháng ít nhất 02 tin, bài"
                    let mut j = i + 2;
                    let mut found = None;
                    for _ in 0..3 {
                        if let Some((n, k)) = self.count(j) {
                            found = Some((n, k));
                            break;
                        }
                        match self.word(j) {
                            Some(
                                "ít" | "nhất" | "tối" | "thiểu" | "từ" | "khoảng" | "trung"
                                | "bình" | "có" | "một",
                            ) => j += 1,
                            _ => break,
                        }
                    }
                    match found {
                        Some((n, k)) => {
                            let (_, unit, next) = self.noun(k);
                            if !breakdown {
                                self.push(n, per, &unit);
                            }
                            i = next;
                        }
                        None => {
                            if !bare.is_empty() {
                                for &k in &bare {
                                    if let Some(t) = self.out.get_mut(k) {
                                        t.per = per;
                                    }
                                }
                                bare.clear();
                            } else if !breakdown {
                                self.push(1, per, "lần");
                            }
                            i += 2;
                        }
                    }
                }
                _ => {
                    let prev_blocks = i > 0
                        && matches!(self.toks[i - 1], Tok::Punct('/' | '-' | '.' | ',' | '–'));
                    // "mỗi lớp 50 học viên": a size per item, not a target.
                    // ("mỗi số in 500 bản" too: a "mỗi <noun>" shortly before, in the same clause.)
                    let per_item = (1..=4)
                        .take_while(|&b| i >= b && self.word(i - b).is_some())
                        .any(|b| {
                            self.word(i - b) == Some("mỗi")
                                && self.word(i - b + 1).is_some_and(|w| per_word(w).is_none())
                        });
                    let prev_word_blocks = per_item
                        || i > 0
                            && matches!(
                                self.word(i - 1),
                                Some(
                                    "năm"
                                        | "ngày"
                                        | "tháng"
                                        | "quý"
                                        | "thứ"
                                        | "đoạn"
                                        | "điều"
                                        | "khoản"
                                        | "mục"
                                        | "phần"
                                        | "kỳ"
                                        | "lần"
                                        | "khóa"
                                        | "khoá"
                                        | "tuần"
                                )
                            );
                    let Some((n, k)) = self.count(i) else {
                        i += 1;
                        continue;
                    };
                    let is_num = matches!(self.toks[i], Tok::Num(..));
                    // Dates, ranges, decimals, percentages, document numbers.
                    let next_blocks = is_num
                        && matches!(self.punct(k), Some('/' | '-' | '.' | ',' | '%' | '–' | ':'))
                        && !matches!(self.toks.get(k + 1), Some(Tok::Word(..)) if self.punct(k) == Some('/'));
                    if (is_num && (prev_blocks || prev_word_blocks)) || next_blocks {
                        i = k.max(i + 1);
                        continue;
                    }
                    let (noun, unit, next) = self.noun(k);
                    if noun.is_empty() {
                        i = k.max(i + 1);
                        continue;
                    }
                    // "1 tuần/1 lần": once a week; "06 tháng/lần": twice a year.
                    if let Some(p) = per_word(&noun[0]) {
                        if noun.len() == 1 && self.punct(next) == Some('/') {
                            let mut j = next + 1;
                            let mut times = 1;
                            if let Some(Tok::Num(m, _)) = self.toks.get(j) {
                                times = *m;
                                j += 1;
                            }
                            if self.word(j) == Some("lần") && !breakdown {
                                match (p, n) {
                                    (_, 1) => self.push(times, p, "lần"),
                                    (Per::Month, 3) => self.push(times, Per::Quarter, "lần"),
                                    (Per::Month, 6) => self.push(2 * times, Per::Year, "lần"),
                                    _ => {}
                                }
                                i = j + 1;
                                continue;
                            }
                        }
                        i = next;
                        continue;
                    }
                    if TIME_NOUNS.contains(&noun[0].as_str()) {
                        i = next;
                        continue;
                    }
                    // Explicit period: "10 Bản tin/năm", "03 lần/tháng", "02 bài mỗi tháng".
                    let explicit = if self.punct(next) == Some('/') {
                        self.per_after_slash(next + 1)
                    } else if matches!(
                        self.word(next),
                        Some("mỗi" | "trên" | "một" | "hàng" | "hằng")
                    ) {
                        self.word(next + 1)
                            .and_then(per_word)
                            .map(|p| (p, next + 2))
                    } else {
                        None
                    };
                    if let Some((p, after)) = explicit {
                        if !breakdown {
                            self.push(n, p, &unit);
                        }
                        i = after;
                        continue;
                    }
                    let in_parens = i > 0 && self.punct(i - 1) == Some('(');
                    if !breakdown
                        && (is_countable(&noun)
                            || (in_parens
                                && is_num
                                && noun.len() <= 2
                                && self.punct(next) == Some(')')))
                    {
                        let before = self.out.len();
                        self.push(n, sentence_per.unwrap_or(Per::Plan), &unit);
                        if sentence_per.is_none() && self.out.len() > before {
                            bare.push(before);
                        }
                    }
                    i = next;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(u32, Per)> {
        find_targets(text)
            .into_iter()
            .map(|t| (t.count, t.per))
            .collect()
    }

    #[test]
    fn target_forms() {
        assert_eq!(
            pairs("Xây dựng các chương trình truyền hình (mỗi tuần 01 số)"),
            vec![(1, Per::Week)]
        );
        assert_eq!(
            pairs("(gồm 10 Bản tin/năm); (gồm 10 video clip/năm)"),
            vec![(10, Per::Year), (10, Per::Year)]
        );
        assert_eq!(find_targets("(gồm 10 Bản tin/năm)")[0].unit, "Bản tin");
        assert_eq!(
            pairs("Xây dựng các tin, bài, ảnh (hàng tuần)."),
            vec![(1, Per::Week)]
        );
        assert_eq!(
            pairs("mỗi tháng 01 Chương trình và phát lại 03 lần/tháng"),
            vec![(1, Per::Month), (3, Per::Month)]
        );
        assert_eq!(
            pairs("Nội dung: Tổ chức 05 lớp Tập huấn"),
            vec![(5, Per::Plan)]
        );
        assert_eq!(
            pairs("giới thiệu Trang sản phẩm Quảng Nam (01 lớp)."),
            vec![(1, Per::Plan)]
        );
        assert_eq!(
            pairs("tại thôn (ít nhất mỗi tháng 01 lần), nhằm"),
            vec![(1, Per::Month)]
        );
        assert_eq!(
            pairs("mỗi tháng 01 phóng sự/chương trình phát thanh 10-15 phút, phát 3 lần."),
            vec![(1, Per::Month), (3, Per::Month)]
        );
        assert_eq!(
            pairs("tần suất cập nhật trung bình 1 tuần/1 lần."),
            vec![(1, Per::Week)]
        );
        assert_eq!(
            pairs("mỗi tuần 01 chương trình (thời lượng 03-05 phút/01 chương trình)"),
            vec![(1, Per::Week)]
        );
        assert_eq!(
            pairs(
                "Tổ chức 09 cuộc thi/năm, trong đó có 06 cuộc thi vòng loại, 02 cuộc thi bán kết"
            ),
            vec![(9, Per::Year)]
        );
        assert_eq!(pairs("Tổ chức 02 (hai) lớp tập huấn"), vec![(2, Per::Plan)]);
        assert_eq!(pairs("định kỳ hằng quý báo cáo"), vec![(1, Per::Quarter)]);
        assert_eq!(
            pairs("Hội nghị sơ kết hằng năm và tổng kết 05 năm"),
            vec![(1, Per::Year)]
        );
        assert_eq!(pairs("hai lần/tháng"), vec![(2, Per::Month)]);
        assert_eq!(pairs("mỗi quý một lần"), vec![(1, Per::Quarter)]);
        assert_eq!(pairs("06 tháng/lần"), vec![(2, Per::Year)]);
    }

    #[test]
    fn not_targets() {
        for t in [
            "Zalo 1022 Quảng Nam; fanpage Facebook 1022 Quảng Nam",
            "trong 04 năm triển khai thực hiện Kế hoạch số 3604/KH-UBND ngày 16/6/2021",
            "Trung tâm 18 huyện, thị xã",
            "Ngày chuyển đổi số quốc gia 10/10 tại cấp tỉnh",
            "100% cơ quan thực hiện; năm 2024 của tỉnh",
            "một số nội dung sau",
            "trong 6 tháng cuối năm 2021",
        ] {
            assert_eq!(pairs(t), vec![], "{t}");
        }
    }
}
