//! The plan's header: title (the line after "KẾ HOẠCH"), period (from the title), issuer,
//! own number ("Số: 3604/KH-UBND"), place and date of issue.

use super::{Line, lower, units_text};
use crate::model::{Date, Span};

#[derive(Debug, Clone, Default)]
pub struct Header {
    pub title: String,
    /// Index of the first line after the title: where the body starts.
    pub body_start: usize,
    pub issuer: Option<String>,
    pub number: Option<String>,
    pub issued_on: Option<Date>,
    pub place: Option<String>,
    pub period: Option<Span>,
}

const HEADER_SCAN: usize = 40;

pub fn read(lines: &[Line]) -> Header {
    let mut h = Header::default();
    let title_at = lines
        .iter()
        .take(HEADER_SCAN)
        .position(|l| is_plan_word(&l.text));
    if let Some(i) = title_at {
        let first = &lines[i].text;
        let rest = first.trim_start()["KẾ HOẠCH".len()..]
            .trim_start_matches([' ', ':', '.', '-'])
            .trim();
        let mut title = rest.to_string();
        let mut j = i + 1;
        if title.is_empty()
            && let Some(next) = lines.get(j).filter(|l| !is_stop(&l.text))
        {
            title = next.text.clone();
            j += 1;
        }
        // A title split over several lines (docx paragraphs, manual line breaks): lowercase
        // continuations, and short capitalised ones ("… trên địa bàn tỉnh" / "Quảng Nam năm
        // 2024") that are no sentence, label or numbered heading of their own. A text reader
        // may have joined the same lines already: both must give one title.
        while let Some(next) = lines.get(j) {
            let t = next.text.trim();
            let lowercase = t.chars().next().is_some_and(|c| c.is_lowercase());
            let short_name = t.chars().next().is_some_and(|c| c.is_uppercase())
                && t.split_whitespace().count() <= 12
                && !t.ends_with(['.', ':', ';'])
                && !title.trim_end().ends_with(['.', ':', ';'])
                && crate::markers::parse_marker(t).is_none()
                && next.heading == lines[j - 1].heading;
            if (lowercase || short_name) && !is_stop(t) && title.len() < 400 {
                title.push(' ');
                title.push_str(t);
                j += 1;
            } else {
                break;
            }
        }
        h.title = title.trim().trim_end_matches(['.', ':']).trim().to_string();
        h.body_start = j;
    }
    h.period = parse_period(&h.title);
    let header_end = title_at.unwrap_or(HEADER_SCAN.min(lines.len()));
    for l in &lines[..header_end] {
        let t = l.text.trim();
        let lt = lower(t);
        if h.number.is_none() && (lt.starts_with("số:") || lt.starts_with("số ")) {
            let mut found = Vec::new();
            super::references::collect(t, &mut found);
            h.number = found.into_iter().next();
        }
        if h.issued_on.is_none()
            && let Some((place, date)) = place_and_date(t)
        {
            h.place = place;
            h.issued_on = Some(date);
        }
    }
    // The preamble says who issues: "UBND tỉnh ban hành Kế hoạch …".
    let preamble_end = (h.body_start + 12).min(lines.len());
    for l in &lines[h.body_start.min(preamble_end)..preamble_end] {
        if let Some(x) = issuer_in_sentence(&l.text) {
            h.issuer = Some(complete_issuer(&x, &h.title));
            break;
        }
    }
    if h.issuer.is_none() {
        h.issuer = header_issuer(&lines[..header_end], &h.title);
    }
    if h.period.is_none() {
        // Fall back to the preamble's "ban hành Kế hoạch … năm 2024".
        for l in &lines[h.body_start.min(preamble_end)..preamble_end] {
            let lt = lower(&l.text);
            if let Some(p) = lt.find("ban hành kế hoạch") {
                h.period = parse_period(&l.text[p..]);
                break;
            }
        }
    }
    h
}

fn is_plan_word(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with("KẾ HOẠCH")
        && t["KẾ HOẠCH".len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
}

fn is_stop(t: &str) -> bool {
    let l = lower(t.trim());
    [
        "căn cứ",
        "thực hiện",
        "theo ",
        "thực hiện",
        "i.",
        "số:",
        "kính gửi",
        "để ",
        "nhằm ",
    ]
    .iter()
    .any(|s| l.starts_with(s))
        || t.split_whitespace().count() > 60
}

/// "Quảng Nam, ngày 15 tháng 01 năm 2024" → ("Quảng Nam", 2024-01-15).
fn place_and_date(t: &str) -> Option<(Option<String>, Date)> {
    let l = lower(t);
    let p = l.find("ngày")?;
    let rest = &l[p + "ngày".len()..];
    let nums: Vec<u32> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .take(3)
        .filter_map(|s| s.parse().ok())
        .collect();
    if nums.len() < 3 || !rest.contains("tháng") || !rest.contains("năm") {
        return None;
    }
    let date = Date::new(nums[2] as i32, nums[1], nums[0])?;
    let place = t[..p].trim().trim_end_matches(',').trim();
    let place =
        (!place.is_empty() && place.split_whitespace().count() <= 6).then(|| place.to_string());
    Some((place, date))
}

/// Period from a title: "năm 2024", "giai đoạn 2021 - 2025", "năm 2022 và những năm tiếp theo".
pub fn parse_period(title: &str) -> Option<Span> {
    let l = lower(title);
    let years: Vec<(usize, i32)> = year_positions(&l);
    // A range "2021 - 2025" / "2021-2025"
    for w in years.windows(2) {
        let (a, ya) = w[0];
        let (b, yb) = w[1];
        let between = l[a + 4..b].trim();
        if matches!(between, "-" | "–" | "—" | "đến" | "đến năm") && yb >= ya {
            return Some(Span {
                from: Date::new(ya, 1, 1)?,
                to: Date::new(yb, 12, 31),
            });
        }
    }
    for &(pos, y) in &years {
        let before = l[..pos].trim_end();
        if before.ends_with("đến năm") || before.ends_with("đến") || before.ends_with("tới năm")
        {
            continue;
        }
        if !before.ends_with("năm") {
            continue;
        }
        let after = &l[pos + 4..];
        if after.trim_start().starts_with("và những năm tiếp theo")
            || after.trim_start().starts_with("và các năm tiếp theo")
        {
            return Some(Span {
                from: Date::new(y, 1, 1)?,
                to: None,
            });
        }
        return Some(Span {
            from: Date::new(y, 1, 1)?,
            to: Date::new(y, 12, 31),
        });
    }
    None
}

fn year_positions(l: &str) -> Vec<(usize, i32)> {
    let b = l.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !b[i - 1].is_ascii_digit())
            && b.get(i + 4).is_none_or(|c| !c.is_ascii_digit())
        {
            let y: i32 = l[i..i + 4].parse().unwrap_or(0);
            if (1990..=2100).contains(&y) {
                out.push((i, y));
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    out
}

/// "…; UBND tỉnh ban hành Kế hoạch …" → "UBND tỉnh".
fn issuer_in_sentence(t: &str) -> Option<String> {
    let l = lower(t);
    let p = l.find(" ban hành kế hoạch")?;
    let before = &t[..p];
    let start = before.rfind([';', ',', '.', ':']).map_or(0, |i| i + 1);
    let cand = before[start..].trim();
    (units_text::looks_like_unit(cand) && cand.split_whitespace().count() <= 12)
        .then(|| cand.to_string())
}

const LEVELS: &[&str] = &[
    "tỉnh",
    "thành phố",
    "huyện",
    "thị xã",
    "quận",
    "xã",
    "phường",
    "thị trấn",
];

/// The place a title names, e.g. "tỉnh Quảng Nam" from "… trên địa bàn tỉnh Quảng Nam năm 2024".
fn place_in(title: &str) -> Option<(String, String)> {
    let l = lower(title);
    let mut best: Option<(usize, String, String)> = None;
    for lv in LEVELS {
        for (p, _) in l.match_indices(lv) {
            if p > 0 && !l[..p].ends_with(' ') {
                continue;
            }
            let rest = &title[p + lv.len()..];
            let name: Vec<&str> = rest
                .split_whitespace()
                .take_while(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
                .collect();
            if !name.is_empty() && best.as_ref().is_none_or(|b| p < b.0) {
                best = Some((p, lv.to_string(), name.join(" ")));
            }
        }
    }
    best.map(|(_, lv, name)| (lv, name))
}

/// "UBND tỉnh" + title "… tỉnh Quảng Nam …" → "UBND tỉnh Quảng Nam"; a department gets the place
/// appended: "Sở Thông tin và Truyền thông tỉnh Đắk Nông".
fn complete_issuer(issuer: &str, title: &str) -> String {
    let l = lower(issuer);
    let Some((level, name)) = place_in(title) else {
        return issuer.to_string();
    };
    if let Some(lv) = LEVELS.iter().find(|lv| l.ends_with(&format!(" {lv}"))) {
        let _ = lv;
        return format!("{issuer} {name}");
    }
    if place_in(issuer).is_some() {
        return issuer.to_string();
    }
    format!("{issuer} {level} {name}")
}

/// From header lines like "ỦY BAN NHÂN DÂN / TỈNH QUẢNG NAM". The national motto ("CỘNG HÒA …",
/// "Độc lập - Tự do - Hạnh phúc") stands beside them in the header's other column, and a reader
/// may give the two columns line by line (a PDF) or cell by cell (a table): it is skipped, not
/// taken as the end. The issuer ends at the plan's number ("Số: …").
fn header_issuer(lines: &[Line], title: &str) -> Option<String> {
    let mut parts = Vec::new();
    for l in lines {
        let t = l.text.trim();
        let lt = lower(t);
        if lt.starts_with("số") {
            break;
        }
        let motto =
            lt.starts_with("cộng hòa") || lt.starts_with("cộng hoà") || lt.starts_with("độc lập");
        if motto || t.chars().any(|c| c.is_lowercase()) || !t.chars().any(|c| c.is_alphabetic()) {
            continue;
        }
        parts.push(t.to_string());
    }
    let joined = parts.join(" ");
    if joined.is_empty() {
        return None;
    }
    let l = lower(&joined);
    let l = l
        .replace("ủy ban nhân dân", "UBND")
        .replace("uỷ ban nhân dân", "UBND");
    // Title-case the place name after the level word.
    let mut out = String::new();
    let mut capitalise = false;
    for w in l.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        if (capitalise || out.is_empty()) && w != "UBND" {
            let mut cs = w.chars();
            if let Some(f) = cs.next() {
                out.extend(f.to_uppercase());
                out.push_str(cs.as_str());
            }
        } else {
            out.push_str(w);
        }
        if LEVELS.contains(&w) {
            capitalise = true;
        }
    }
    let _ = title;
    Some(out.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn periods() {
        let p = parse_period("Truyền thông chuyển đổi số tỉnh Quảng Nam năm 2024").unwrap();
        assert_eq!((p.from, p.to), (d("2024-01-01"), Some(d("2024-12-31"))));
        let p = parse_period("Truyền thông trên địa bàn thành phố Tam Kỳ giai đoạn 2021 - 2025, định hướng đến năm 2030").unwrap();
        assert_eq!((p.from, p.to), (d("2021-01-01"), Some(d("2025-12-31"))));
        let p =
            parse_period("Tuyên truyền về chuyển đổi số năm 2022 và những năm tiếp theo").unwrap();
        assert_eq!((p.from, p.to), (d("2022-01-01"), None));
        assert_eq!(parse_period("Chuyển đổi số đến năm 2030"), None);
    }

    #[test]
    fn a_title_split_over_lines_is_one_title() {
        let line = |t: &str| Line {
            text: t.to_string(),
            heading: None,
        };
        let split = [
            "KẾ HOẠCH",
            "Truyền thông chuyển đổi số trên địa bàn tỉnh",
            "Quảng Nam năm 2024",
            "Căn cứ Kế hoạch số 12/KH-UBND;",
            "UBND tỉnh ban hành Kế hoạch như sau:",
        ];
        let joined = [
            "KẾ HOẠCH",
            "Truyền thông chuyển đổi số trên địa bàn tỉnh Quảng Nam năm 2024",
            "Căn cứ Kế hoạch số 12/KH-UBND;",
            "UBND tỉnh ban hành Kế hoạch như sau:",
        ];
        let a = read(&split.map(line));
        let b = read(&joined.map(line));
        assert_eq!(
            a.title,
            "Truyền thông chuyển đổi số trên địa bàn tỉnh Quảng Nam năm 2024"
        );
        assert_eq!((a.title, a.issuer, a.period), (b.title, b.issuer, b.period));
    }

    #[test]
    fn issuers() {
        assert_eq!(
            complete_issuer(
                "UBND tỉnh",
                "Truyền thông chuyển đổi số tỉnh Quảng Nam năm 2024"
            ),
            "UBND tỉnh Quảng Nam"
        );
        assert_eq!(
            complete_issuer(
                "Sở Thông tin và Truyền thông",
                "Tuyên truyền trên địa bàn tỉnh Đắk Nông năm 2022"
            ),
            "Sở Thông tin và Truyền thông tỉnh Đắk Nông"
        );
        let lines: Vec<Line> = [
            "ỦY BAN NHÂN DÂN",
            "TỈNH QUẢNG NAM",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        ]
        .iter()
        .map(|t| Line {
            text: t.to_string(),
            heading: None,
        })
        .collect();
        assert_eq!(
            header_issuer(&lines, "").as_deref(),
            Some("UBND tỉnh Quảng Nam")
        );
        assert_eq!(
            place_and_date("Quảng Nam, ngày 15 tháng 01 năm 2024"),
            Some((Some("Quảng Nam".to_string()), d("2024-01-15")))
        );
    }
}
