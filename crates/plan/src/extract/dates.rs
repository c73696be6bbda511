//! Dates in plan text: due dates ("trước ngày 15/11/2024", "trong tháng 02/2024" → month end),
//! windows ("Quý III/2024", "từ ngày 25/9 đến ngày 31/10/2024", "6 tháng đầu năm"), and the
//! year of a date written without one (the year the text talks about, else the plan's).

use super::lower;
use crate::model::{Date, Span};

/// What the surrounding plan tells about years.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context {
    pub period: Option<Span>,
}

impl Context {
    fn default_year(&self, before: &str) -> Option<i32> {
        // The last "năm YYYY" written before the date, when it falls in the plan's period
        // ("báo cáo kết quả năm 2021 (trước ngày 01/12)"), else the plan's first year.
        let mut year = None;
        for (i, _) in before.match_indices("năm ") {
            if let Some((y, _)) = number_at(before, i + "năm ".len())
                && (1990..=2100).contains(&y)
                && self.in_period(y as i32)
            {
                year = Some(y as i32);
            }
        }
        year.or(self.period.map(|p| p.from.year))
    }

    fn in_period(&self, y: i32) -> bool {
        match self.period {
            Some(p) => y >= p.from.year && p.to.is_none_or(|t| y <= t.year),
            None => true,
        }
    }
}

/// Digits at byte `i` (at most 4): (value, end).
fn number_at(s: &str, i: usize) -> Option<(u32, usize)> {
    let b = s.as_bytes();
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() && j - i < 4 {
        j += 1;
    }
    if j == i || (j < b.len() && b[j].is_ascii_digit()) {
        return None;
    }
    Some((s[i..j].parse().ok()?, j))
}

fn skip_ws(s: &str, mut i: usize) -> usize {
    while s[i..].starts_with(' ') {
        i += 1;
    }
    i
}

/// A day and month, maybe a year: "25/9", "31/10/2024", "15-11-2024", "ngày 30 tháng 6 năm 2024".
/// Returns (day, month, year, end).
fn dmy_at(s: &str, i: usize) -> Option<(u32, u32, Option<i32>, usize)> {
    let mut i = skip_ws(s, i);
    if s[i..].starts_with("ngày") {
        i = skip_ws(s, i + "ngày".len());
    }
    let (d, j) = number_at(s, i)?;
    if let Some(sep) = s[j..]
        .chars()
        .next()
        .filter(|c| matches!(c, '/' | '-' | '.'))
    {
        let (m, k) = number_at(s, j + 1)?;
        if s[k..].starts_with(sep)
            && let Some((y, e)) = number_at(s, k + 1)
        {
            let y = if y < 100 { 2000 + y } else { y };
            return Some((d, m, Some(y as i32), e));
        }
        return Some((d, m, None, k));
    }
    let k = skip_ws(s, j);
    if let Some(r) = s[k..].strip_prefix("tháng") {
        let (m, e) = number_at(s, skip_ws(s, s.len() - r.len()))?;
        let k2 = skip_ws(s, e);
        if let Some(r2) = s[k2..].strip_prefix("năm")
            && let Some((y, e2)) = number_at(s, skip_ws(s, s.len() - r2.len()))
        {
            return Some((d, m, Some(y as i32), e2));
        }
        return Some((d, m, None, e));
    }
    None
}

/// A month and maybe a year after "tháng": "02/2024", "10 năm 2024", "9".
fn my_at(s: &str, i: usize) -> Option<(u32, Option<i32>, usize)> {
    let i = skip_ws(s, i);
    let (m, j) = number_at(s, i)?;
    if !(1..=12).contains(&m) {
        return None;
    }
    if s[j..].starts_with('/')
        && let Some((y, e)) = number_at(s, j + 1)
        && y >= 1900
    {
        return Some((m, Some(y as i32), e));
    }
    let k = skip_ws(s, j);
    if let Some(r) = s[k..].strip_prefix("năm")
        && let Some((y, e)) = number_at(s, skip_ws(s, s.len() - r.len()))
        && y >= 1900
    {
        return Some((m, Some(y as i32), e));
    }
    Some((m, None, j))
}

fn year_after(s: &str, i: usize) -> Option<(i32, usize)> {
    let i = skip_ws(s, i);
    let rest = &s[i..];
    let j = if rest.starts_with('/') || rest.starts_with('-') {
        i + 1
    } else if let Some(r) = rest.strip_prefix("năm") {
        skip_ws(s, s.len() - r.len())
    } else {
        return None;
    };
    let (y, e) = number_at(s, j)?;
    (1900..=2100).contains(&y).then_some((y as i32, e))
}

fn quarter_at(s: &str, i: usize) -> Option<(u32, usize)> {
    let i = skip_ws(s, i);
    let rest = &s[i..];
    for (txt, q) in [
        ("iv", 4),
        ("iii", 3),
        ("ii", 2),
        ("i", 1),
        ("4", 4),
        ("3", 3),
        ("2", 2),
        ("1", 1),
    ] {
        if rest.starts_with(txt)
            && rest[txt.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
        {
            return Some((q, i + txt.len()));
        }
    }
    None
}

fn quarter_span(year: i32, q: u32) -> Option<Span> {
    Some(Span {
        from: Date::new(year, 3 * q - 2, 1)?,
        to: Date::month_end(year, 3 * q),
    })
}

/// The due date in free text: "trước ngày 15/11/2024", "chậm nhất ngày 30/6", "trước 30/6",
/// "trong tháng 02/2024" (the month's last day).
pub fn find_due(text: &str, ctx: &Context) -> Option<Date> {
    let l = lower(text);
    let mut best: Option<(usize, Date)> = None;
    let mut consider = |pos: usize, d: Option<Date>| {
        if let Some(d) = d
            && best.is_none_or(|(p, _)| pos < p)
        {
            best = Some((pos, d));
        }
    };
    for kw in [
        "trước",
        "chậm nhất",
        "hạn chót",
        "không quá",
        "không muộn hơn",
    ] {
        for (pos, _) in l.match_indices(kw) {
            let mut i = pos + kw.len();
            for filler in [" là", " vào", " đến"] {
                if l[i..].starts_with(filler) {
                    i += filler.len();
                }
            }
            let j = skip_ws(&l, i);
            if let Some((d, m, y, _)) = dmy_at(&l, j) {
                let y = y.or_else(|| ctx.default_year(&l[..pos]));
                consider(pos, y.and_then(|y| Date::new(y, m, d)));
            } else if let Some(r) = l[j..].strip_prefix("tháng")
                && let Some((m, y, _)) = my_at(&l, l.len() - r.len())
            {
                // "trước tháng 10/2024": the end of September.
                let y = y.or_else(|| ctx.default_year(&l[..pos]));
                let d = y.and_then(|y| {
                    if m == 1 {
                        Date::new(y - 1, 12, 31)
                    } else {
                        Date::month_end(y, m - 1)
                    }
                });
                consider(pos, d);
            }
        }
    }
    for kw in ["trong tháng", "hoàn thành tháng", "trong tháng"] {
        for (pos, _) in l.match_indices(kw) {
            if let Some((m, y, end)) = my_at(&l, pos + kw.len()) {
                // "trong tháng 9 đến tháng 10" is a window, not a deadline.
                if l[end..].trim_start().starts_with("đến")
                    || l[end..].trim_start().starts_with('-')
                {
                    continue;
                }
                let y = y.or_else(|| ctx.default_year(&l[..pos]));
                consider(pos, y.and_then(|y| Date::month_end(y, m)));
            }
        }
    }
    best.map(|(_, d)| d)
}

/// A window stated explicitly in free text: "từ ngày 25/9 đến ngày 31/10/2024",
/// "từ tháng 3 đến tháng 5/2024", "Quý III/2024", "quý I năm 2025".
pub fn find_window(text: &str, ctx: &Context) -> Option<Span> {
    let l = lower(text);
    if let Some(s) = from_to(&l, ctx) {
        return Some(s);
    }
    quarters(&l, ctx)
}

fn from_to(l: &str, ctx: &Context) -> Option<Span> {
    for (pos, _) in l.match_indices("từ") {
        let i = skip_ws(l, pos + "từ".len());
        let Some(to_pos) = l[i..].find("đến").map(|p| i + p) else {
            continue;
        };
        if to_pos - i > 40 {
            continue;
        }
        let mut j = skip_ws(l, to_pos + "đến".len());
        if l[j..].starts_with("hết") {
            j = skip_ws(l, j + "hết".len());
        }
        if let Some((d1, m1, y1, _)) = dmy_at(l, i)
            && let Some((d2, m2, y2, _)) = dmy_at(l, j)
        {
            let y2 = y2.or_else(|| ctx.default_year(&l[..pos]));
            let y1 = y1.or(y2);
            if let (Some(y1), Some(y2)) = (y1, y2) {
                let from = Date::new(y1, m1, d1)?;
                let to = Date::new(y2, m2, d2)?;
                if from <= to {
                    return Some(Span { from, to: Some(to) });
                }
            }
        }
        if let Some(r1) = l[i..].strip_prefix("tháng") {
            let r2 = l[j..].strip_prefix("tháng");
            if let (Some((m1, y1, _)), Some((m2, y2, _))) = (
                my_at(l, l.len() - r1.len()),
                r2.and_then(|r| my_at(l, l.len() - r.len())),
            ) {
                let y2 = y2.or_else(|| ctx.default_year(&l[..pos]));
                let y1 = y1.or(y2);
                if let (Some(y1), Some(y2)) = (y1, y2) {
                    let from = Date::new(y1, m1, 1)?;
                    let to = Date::month_end(y2, m2)?;
                    if from <= to {
                        return Some(Span { from, to: Some(to) });
                    }
                }
            }
        }
    }
    None
}

fn quarters(l: &str, ctx: &Context) -> Option<Span> {
    let mut qs: Vec<u32> = Vec::new();
    let mut year = None;
    let mut first_pos = None;
    for (pos, _) in l.match_indices("quý") {
        let mut i = pos + "quý".len();
        // "quý III và IV/2024", "quý I, II năm 2025"
        while let Some((q, e)) = quarter_at(l, i) {
            qs.push(q);
            first_pos.get_or_insert(pos);
            i = e;
            if let Some((y, _)) = year_after(l, i) {
                year = Some(y);
                break;
            }
            let rest = l[i..].trim_start();
            let skip = ["và", ",", "-", "–", "đến"]
                .iter()
                .find(|s| rest.starts_with(*s))
                .map(|s| s.len());
            match skip {
                Some(n) => i = l.len() - rest.len() + n,
                None => break,
            }
            let r2 = l[i..].trim_start();
            if let Some(r3) = r2.strip_prefix("quý") {
                i = l.len() - r3.len();
            }
        }
    }
    let (min, max) = (*qs.iter().min()?, *qs.iter().max()?);
    let y = year.or_else(|| ctx.default_year(&l[..first_pos.unwrap_or(0)]))?;
    Some(Span {
        from: quarter_span(y, min)?.from,
        to: quarter_span(y, max)?.to,
    })
}

/// Window and due from a time value ("Thời gian thực hiện: …", a table's "Thời gian" column).
/// Here a bare month or year is a window, and a single date is a due date.
pub fn parse_time_value(
    text: &str,
    ctx: &Context,
    completion: bool,
) -> (Option<Span>, Option<Date>) {
    let l = lower(text);
    if let Some(w) = from_to(&l, ctx) {
        return (Some(w), None);
    }
    if let Some(d) = find_due(text, ctx) {
        return (None, Some(d));
    }
    let window = quarters(&l, ctx)
        .or_else(|| halves(&l, ctx))
        .or_else(|| months(&l, ctx));
    if let Some(w) = window {
        if completion {
            return (None, w.to);
        }
        return (Some(w), None);
    }
    if let Some(pos) = l.find(|c: char| c.is_ascii_digit())
        && let Some((d, m, y, _)) = dmy_at(&l, pos)
    {
        let y = y.or_else(|| ctx.default_year(&l[..pos]));
        if let Some(date) = y.and_then(|y| Date::new(y, m, d)) {
            return (None, Some(date));
        }
    }
    if let Some(w) = years(&l, ctx) {
        if completion {
            return (None, w.to);
        }
        return (Some(w), None);
    }
    (None, None)
}

fn halves(l: &str, ctx: &Context) -> Option<Span> {
    for (kw, first) in [
        ("6 tháng đầu năm", true),
        ("06 tháng đầu năm", true),
        ("6 tháng cuối năm", false),
        ("06 tháng cuối năm", false),
    ] {
        if let Some(pos) = l.find(kw) {
            let y = year_after(l, pos + kw.len() - "năm".len())
                .map(|(y, _)| y)
                .or_else(|| ctx.default_year(&l[..pos]))?;
            return if first {
                Some(Span {
                    from: Date::new(y, 1, 1)?,
                    to: Date::new(y, 6, 30),
                })
            } else {
                Some(Span {
                    from: Date::new(y, 7, 1)?,
                    to: Date::new(y, 12, 31),
                })
            };
        }
    }
    None
}

fn months(l: &str, ctx: &Context) -> Option<Span> {
    let pos = l.find("tháng")?;
    let mut i = pos + "tháng".len();
    let mut ms = Vec::new();
    let mut year = None;
    while let Some((m, y, e)) = my_at(l, i) {
        ms.push(m);
        i = e;
        if y.is_some() {
            year = y;
            break;
        }
        let rest = l[i..].trim_start();
        let rest = rest
            .strip_prefix("tháng")
            .map(str::trim_start)
            .unwrap_or(rest);
        match [",", "-", "–", "và", "đến"]
            .iter()
            .find(|s| rest.starts_with(*s))
        {
            Some(s) => {
                let r = rest[s.len()..].trim_start();
                let r = r.strip_prefix("tháng").unwrap_or(r);
                i = l.len() - r.len();
            }
            None => break,
        }
    }
    let (min, max) = (*ms.iter().min()?, *ms.iter().max()?);
    let y = year.or_else(|| ctx.default_year(&l[..pos]))?;
    Some(Span {
        from: Date::new(y, min, 1)?,
        to: Date::month_end(y, max),
    })
}

/// "năm 2024", "năm 2024 - 2025": a window only when narrower than the plan's period.
fn years(l: &str, ctx: &Context) -> Option<Span> {
    let pos = l.find("năm")?;
    let (y1, e) = year_after(l, pos).or_else(|| {
        let i = skip_ws(l, pos + "năm".len());
        number_at(l, i)
            .filter(|(y, _)| (1900..=2100).contains(y))
            .map(|(y, e)| (y as i32, e))
    })?;
    let y2 = l[e..]
        .trim_start()
        .strip_prefix(['-', '–'])
        .and_then(|r| number_at(l, skip_ws(l, l.len() - r.len())))
        .map(|(y, _)| y as i32)
        .filter(|y| *y >= y1)
        .unwrap_or(y1);
    let span = Span {
        from: Date::new(y1, 1, 1)?,
        to: Date::new(y2, 12, 31),
    };
    if ctx
        .period
        .is_some_and(|p| p.from == span.from && p.to == span.to)
    {
        return None;
    }
    Some(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(y: i32) -> Context {
        Context {
            period: Some(Span {
                from: Date::new(y, 1, 1).unwrap(),
                to: Date::new(y, 12, 31),
            }),
        }
    }
    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn due_dates() {
        let c = ctx(2024);
        assert_eq!(
            find_due("báo cáo (trước ngày 15/11/2024) về Sở", &c),
            Some(d("2024-11-15"))
        );
        assert_eq!(
            find_due("gửi về Sở trong tháng 02/2024 để tổng hợp", &c),
            Some(d("2024-02-29"))
        );
        assert_eq!(find_due("hoàn thành trước 30/6", &c), Some(d("2024-06-30")));
        assert_eq!(
            find_due("chậm nhất ngày 30 tháng 6 năm 2024", &c),
            Some(d("2024-06-30"))
        );
        assert_eq!(find_due("trong năm 2024", &c), None);
        let multi = Context {
            period: Some(Span {
                from: d("2021-01-01"),
                to: Some(d("2025-12-31")),
            }),
        };
        assert_eq!(
            find_due("báo cáo kết quả năm 2022 (trước ngày 01/12)", &multi),
            Some(d("2022-12-01"))
        );
        assert_eq!(
            find_due("báo cáo (trước ngày 01/12)", &multi),
            Some(d("2021-12-01"))
        );
    }

    #[test]
    fn windows() {
        let c = ctx(2024);
        let w = find_window("Tổ chức trong Quý III/2024", &c).unwrap();
        assert_eq!((w.from, w.to), (d("2024-07-01"), Some(d("2024-09-30"))));
        let w = find_window("từ ngày 25/9 đến ngày 31/10/2024", &c).unwrap();
        assert_eq!((w.from, w.to), (d("2024-09-25"), Some(d("2024-10-31"))));
        let w = find_window("Quý I năm 2025", &c).unwrap();
        assert_eq!((w.from, w.to), (d("2025-01-01"), Some(d("2025-03-31"))));
        let w = find_window("quý III và quý IV năm 2024", &c).unwrap();
        assert_eq!((w.from, w.to), (d("2024-07-01"), Some(d("2024-12-31"))));
        let (w, _) = parse_time_value("6 tháng đầu năm", &c, false);
        assert_eq!(w.unwrap().to, Some(d("2024-06-30")));
        let (w, _) = parse_time_value("Tháng 10/2024", &c, false);
        assert_eq!(w.unwrap().from, d("2024-10-01"));
        let (w, _) = parse_time_value("từ tháng 3 đến tháng 5/2024", &c, false);
        assert_eq!(w.unwrap().to, Some(d("2024-05-31")));
        let (w, due) = parse_time_value("Năm 2024", &c, false);
        assert_eq!((w, due), (None, None));
        let (_, due) = parse_time_value("Quý IV", &c, true);
        assert_eq!(due, Some(d("2024-12-31")));
    }
}
