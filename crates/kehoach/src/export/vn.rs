//! Numbers and dates written the Vietnamese way: "1.234,5", "76,9%", "05/11/2024",
//! "ngày 05 tháng 11 năm 2024" (Decree 30/2020: day below 10 and months 1–2 with a leading zero).

use chrono::{Datelike, NaiveDate};

/// `1234.5` → `"1.234,5"`: `.` between thousands, `,` before the decimals, at most `decimals`
/// decimals with trailing zeros dropped. Not finite numbers are written `"—"`.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let fixed = format!("{:.*}", decimals, x.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    // "-0" is not a number anyone writes.
    if x < 0.0 && (int.bytes().any(|b| b != b'0') || !frac.is_empty()) {
        out.push('-');
    }
    out.push_str(&group_digits(int, '.'));
    if !frac.is_empty() {
        out.push(',');
        out.push_str(frac);
    }
    out
}

/// A run of digits `"11880"` with `sep` between thousands: `"11.880"` (Vietnamese), `"11,880"`
/// (English). Anything but ASCII digits is returned as it is.
pub fn group_digits(digits: &str, sep: char) -> String {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return digits.to_string();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

/// A share `0.769` → `"76,9%"`; `None` (no period has ended) → `"—"`.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".into(), |r| format!("{}%", number(r * 100.0, 1)))
}

/// `05/11/2024`.
pub fn short_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// `ngày 05 tháng 11 năm 2024`; months from 3 on without a leading zero ("tháng 3"), as the
/// Decree writes them: only day below 10 and months 1 and 2 take one.
pub fn long_date(d: NaiveDate) -> String {
    format!(
        "ngày {:02} tháng {} năm {}",
        d.day(),
        month(d.month()),
        d.year()
    )
}

fn month(m: u32) -> String {
    if m <= 2 {
        format!("{m:02}")
    } else {
        m.to_string()
    }
}

/// A document number below 10 gets a leading zero: 5 → "05", 125 → "125".
pub fn doc_number(n: u32) -> String {
    format!("{n:02}")
}

/// The Vietnamese capitals of a name ("Sở Khoa học và Công nghệ" → "SỞ KHOA HỌC VÀ CÔNG NGHỆ");
/// Rust's `to_uppercase` knows every Vietnamese letter (ơ → Ơ, đ → Đ).
pub fn capitals(s: &str) -> String {
    s.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_use_dot_for_thousands_and_comma_for_decimals() {
        assert_eq!(number(1234.5, 1), "1.234,5");
        assert_eq!(number(1234.0, 1), "1.234");
        assert_eq!(number(0.0, 1), "0");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1_000_000.0, 0), "1.000.000");
        assert_eq!(number(-1234.25, 2), "-1.234,25");
        assert_eq!(number(-0.01, 1), "0");
        assert_eq!(number(f64::NAN, 1), "—");
    }

    #[test]
    fn percents_round_to_one_decimal() {
        assert_eq!(percent(Some(10.0 / 13.0)), "76,9%");
        assert_eq!(percent(Some(1.0)), "100%");
        assert_eq!(percent(None), "—");
    }

    #[test]
    fn dates_take_leading_zeros_where_the_decree_says() {
        assert_eq!(long_date(d("2024-11-05")), "ngày 05 tháng 11 năm 2024");
        assert_eq!(long_date(d("2024-02-15")), "ngày 15 tháng 02 năm 2024");
        assert_eq!(long_date(d("2024-03-09")), "ngày 09 tháng 3 năm 2024");
        assert_eq!(short_date(d("2024-03-09")), "09/03/2024");
        assert_eq!(doc_number(5), "05");
        assert_eq!(doc_number(125), "125");
    }

    #[test]
    fn capitals_cover_vietnamese_letters() {
        assert_eq!(
            capitals("Sở Khoa học và Công nghệ"),
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
        );
        assert_eq!(capitals("Độc lập"), "ĐỘC LẬP");
    }
}
