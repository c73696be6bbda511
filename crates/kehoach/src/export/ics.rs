//! A unit's calendar as iCalendar text (RFC 5545): its deadlines, its tasks' windows, and the
//! days a task's title names ("Ngày Chuyển đổi số quốc gia 10/10"), all-day events. Pure: the
//! assignments and the current instant in, the text out.
//!
//! RFC 5545 in brief, as done here: CRLF line ends; lines folded at 75 octets (a CRLF and a space,
//! never inside a UTF-8 character); `\`, `;`, `,` and line breaks escaped in text; a `UID` made
//! of the assignment and the kind of event, so a calendar that subscribes sees the same event
//! again (updated, not duplicated) when the feed is regenerated; `DTSTAMP` the generation instant
//! in UTC.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc, Weekday};
use kehoach_core::period::Per;

use crate::store::{UnitAssignmentRow, UnitTargetRow};

/// Most events in one feed; a unit with more sees the first ones by date.
pub const MAX_EVENTS: usize = 5_000;
/// How many years of a plan a named day ("10/10") repeats over.
const MAX_YEARS: i32 = 10;

/// One all-day event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub uid: String,
    pub start: NaiveDate,
    /// Inclusive last day.
    pub end: NaiveDate,
    pub summary: String,
    pub description: String,
    /// An RRULE value (recurring targets' reminders), without the `RRULE:` name.
    pub rule: Option<String>,
    /// A reminder the day before (deadlines, named days, recurring reminders; not windows).
    pub alarm: bool,
}

/// Escapes a TEXT value (RFC 5545 §3.3.11).
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line at 75 octets (§3.1) and ends it with CRLF.
pub fn fold_line(line: &str, out: &mut String) {
    let mut used = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if used + len > 75 {
            out.push_str("\r\n ");
            // The leading space counts toward the next line's 75 octets.
            used = 1;
        }
        out.push(c);
        used += len;
    }
    out.push_str("\r\n");
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Days named in a text: "10/10", "ngày 10/10", "15/11/2024". A bare "d/m" comes back with no
/// year; numbers that are part of a document number ("749/QĐ-TTg") or a fraction are not dates.
pub fn named_days(text: &str) -> Vec<(u32, u32, Option<i32>)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let number_at = |i: usize| -> (Option<u32>, usize) {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() && j - i < 5 {
            j += 1;
        }
        let s: String = chars[i..j].iter().collect();
        (s.parse().ok(), j)
    };
    while i < chars.len() {
        if !chars[i].is_ascii_digit()
            || (i > 0 && (chars[i - 1].is_ascii_digit() || chars[i - 1] == '/'))
        {
            i += 1;
            continue;
        }
        let (day, j) = number_at(i);
        if j < chars.len()
            && chars[j] == '/'
            && j + 1 < chars.len()
            && chars[j + 1].is_ascii_digit()
        {
            let (month, k) = number_at(j + 1);
            let (year, end) = if k < chars.len()
                && chars[k] == '/'
                && k + 1 < chars.len()
                && chars[k + 1].is_ascii_digit()
            {
                let (y, e) = number_at(k + 1);
                (y.map(|y| y as i32), e)
            } else {
                (None, k)
            };
            let followed_by_word = end < chars.len() && chars[end].is_alphanumeric();
            if let (Some(d), Some(m)) = (day, month)
                && !followed_by_word
                && (1..=31).contains(&d)
                && (1..=12).contains(&m)
                && year.is_none_or(|y| (2000..=2100).contains(&y))
            {
                out.push((d, m, year));
            }
            i = end;
        } else {
            i = j.max(i + 1);
        }
    }
    out
}

/// Longest event title, in characters: what a phone's month view and a notification show.
pub const MAX_SUMMARY: usize = 60;

/// A title cut at a word to at most `max` characters (with "…"), source damage mended and
/// runs of spaces joined; the whole text goes in the description.
pub fn cut_at_word(text: &str, max: usize) -> String {
    let (mended, _) = kehoach_core::text::mend_lost_chars(text);
    let text = mended.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        return text;
    }
    let mut out = String::new();
    for word in text.split(' ') {
        // Room for the space and the "…".
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.is_empty() {
        // One word longer than the limit: cut inside it.
        out = text.chars().take(max - 1).collect();
    }
    format!("{}…", out.trim_end_matches([',', ';', ':', '.', '-', '–']))
}

/// How a description names the plan: "Kế hoạch số 25/KH-UBND ngày 15/01/2024" when its number
/// is known, else its title ("Kế hoạch truyền thông …", never "Kế hoạch kế hoạch …").
pub fn plan_label(number: Option<&str>, issued_on: Option<NaiveDate>, title: &str) -> String {
    let mut s = match super::known_plan_number(number) {
        Some(n) => format!("Kế hoạch số {n}"),
        None => {
            let title = cut_at_word(title, 200);
            if kehoach_core::text::fold(&title).starts_with("ke hoach") {
                title
            } else if title.is_empty() {
                "Kế hoạch".to_string()
            } else {
                format!("Kế hoạch {title}")
            }
        }
    };
    if let Some(d) = issued_on {
        s.push_str(&format!(" ngày {}", d.format("%d/%m/%Y")));
    }
    s
}

/// The recurrence of a reminder for a target per `per`, and its first occurrence on or after
/// `from`: a weekly (also a daily target's: a reminder a day would drown the calendar) on
/// Friday, the last working day of the ISO week; a monthly on the month's last day; a quarterly
/// on the quarter's last day; a yearly on 31 December.
fn recurrence(per: Per, from: NaiveDate) -> Option<(&'static str, NaiveDate)> {
    match per {
        Per::Day | Per::Week => {
            let ahead = (7 + Weekday::Fri.num_days_from_monday()
                - from.weekday().num_days_from_monday())
                % 7;
            Some(("FREQ=WEEKLY;BYDAY=FR", from + Days::new(ahead.into())))
        }
        Per::Month => Some((
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            month_end(from.year(), from.month())?,
        )),
        Per::Quarter => {
            let last_month = from.month().div_ceil(3) * 3;
            Some((
                "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1",
                month_end(from.year(), last_month)?,
            ))
        }
        Per::Year => Some((
            "FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=31",
            NaiveDate::from_ymd_opt(from.year(), 12, 31)?,
        )),
        Per::Plan => None,
    }
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let (y, m) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)?.pred_opt()
}

/// "mỗi tuần", "mỗi tháng"…
fn each(per: Per) -> &'static str {
    match per {
        Per::Day => "mỗi ngày",
        Per::Week => "mỗi tuần",
        Per::Month => "mỗi tháng",
        Per::Quarter => "mỗi quý",
        Per::Year => "mỗi năm",
        Per::Plan => "cả kỳ kế hoạch",
    }
}

/// The events of a unit's assignments and of their tasks' recurring targets.
pub fn events(assignments: &[UnitAssignmentRow], targets: &[UnitTargetRow]) -> Vec<Event> {
    let mut out = Vec::new();
    for a in assignments {
        let plan = plan_label(a.plan_number.as_deref(), a.plan_issued_on, &a.plan_title);
        let (title, _) = kehoach_core::text::mend_lost_chars(a.task_title.trim());
        let description = format!("Nhiệm vụ {}: {title}\n{plan}", a.task_reference);
        let short = |prefix: &str| {
            let head = format!("{prefix}NV {}: ", a.task_reference);
            let room = MAX_SUMMARY.saturating_sub(head.chars().count()).max(12);
            format!("{head}{}", cut_at_word(&title, room))
        };
        if let Some(due) = a.due {
            out.push(Event {
                uid: format!("han-{}@kehoach", a.assignment_id),
                start: due,
                end: due,
                summary: short("Hạn "),
                description: match a.done_on {
                    Some(done) => format!(
                        "{description}\nĐã hoàn thành ngày {}.",
                        done.format("%d/%m/%Y")
                    ),
                    None => description.clone(),
                },
                rule: None,
                alarm: true,
            });
        }
        if let (Some(from), Some(to)) = (a.window_from, a.window_to.or(a.plan_to))
            && from <= to
        {
            out.push(Event {
                uid: format!("thoi-gian-{}@kehoach", a.assignment_id),
                start: from,
                end: to,
                summary: short("Thực hiện "),
                description: description.clone(),
                rule: None,
                alarm: false,
            });
        }
        // Days the title names, in each year of the task's (or plan's) span; a day that is
        // the task's deadline is already its deadline's event.
        let from = a.window_from.or(a.plan_from);
        let to = a.window_to.or(a.plan_to).or(from);
        for (d, m, year) in named_days(&a.task_title) {
            let years: Vec<i32> = match (year, from, to) {
                (Some(y), ..) => vec![y],
                (None, Some(f), Some(t)) => {
                    (f.year()..=t.year().min(f.year() + MAX_YEARS)).collect()
                }
                _ => Vec::new(),
            };
            for y in years {
                let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else {
                    continue;
                };
                if (from.is_some_and(|f| day < f) && year.is_none()) || a.due == Some(day) {
                    continue;
                }
                out.push(Event {
                    uid: format!("ngay-{}-{}@kehoach", a.assignment_id, ymd(day)),
                    start: day,
                    end: day,
                    summary: short(""),
                    description: description.clone(),
                    rule: None,
                    alarm: true,
                });
            }
        }
        // Recurring targets: one reminder event repeating over the task's window (an
        // open-ended plan's reminders run on until the plan gets an end).
        let until = a.window_to.or(a.plan_to);
        if let Some(from) = from {
            for (i, t) in targets
                .iter()
                .filter(|t| t.task_id == a.task_id)
                .enumerate()
            {
                let Ok(per) = t.per.parse::<Per>() else {
                    continue;
                };
                let Some((rule, first)) = recurrence(per, from) else {
                    continue;
                };
                if until.is_some_and(|to| first > to) {
                    continue;
                }
                let goal = super::report::target_text(t.count, &t.noun, per);
                let mut rule = rule.to_string();
                if let Some(to) = until {
                    rule.push_str(&format!(";UNTIL={}", ymd(to)));
                }
                let span = match until {
                    Some(to) => format!(
                        "từ {} đến {}",
                        from.format("%d/%m/%Y"),
                        to.format("%d/%m/%Y")
                    ),
                    None => format!("từ {}", from.format("%d/%m/%Y")),
                };
                out.push(Event {
                    uid: format!("chi-tieu-{}-{i}@kehoach", a.assignment_id),
                    start: first,
                    end: first,
                    summary: short(&format!("{goal} – ")),
                    description: format!(
                        "Chỉ tiêu {goal}, {span}; lịch nhắc lặp lại {}.\n{description}",
                        each(per)
                    ),
                    rule: Some(rule),
                    alarm: true,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    out.dedup_by(|a, b| a.uid == b.uid);
    out.truncate(MAX_EVENTS);
    out
}

/// The calendar of `name` holding `events`, generated at `now`.
pub fn calendar(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    for line in [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//kehoach//Lich nhiem vu//VI".to_string(),
        "CALSCALE:GREGORIAN".to_string(),
        "METHOD:PUBLISH".to_string(),
        format!(
            "X-WR-CALNAME:{}",
            escape_text(&format!("Kế hoạch – {name}"))
        ),
        "X-WR-TIMEZONE:Asia/Ho_Chi_Minh".to_string(),
    ] {
        fold_line(&line, &mut out);
    }
    for e in events {
        for line in [
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", e.uid),
            format!("DTSTAMP:{stamp}"),
            format!("DTSTART;VALUE=DATE:{}", ymd(e.start)),
            // DTEND of an all-day event is the day after the last one.
            format!(
                "DTEND;VALUE=DATE:{}",
                ymd(e.end.checked_add_days(Days::new(1)).unwrap_or(e.end))
            ),
            format!("SUMMARY:{}", escape_text(&e.summary)),
            format!("DESCRIPTION:{}", escape_text(&e.description)),
            "TRANSP:TRANSPARENT".to_string(),
        ] {
            fold_line(&line, &mut out);
        }
        if let Some(rule) = &e.rule {
            fold_line(&format!("RRULE:{rule}"), &mut out);
        }
        if e.alarm {
            // 09:00 the day before an all-day event (its start is midnight).
            for line in [
                "BEGIN:VALARM".to_string(),
                "ACTION:DISPLAY".to_string(),
                "TRIGGER:-PT15H".to_string(),
                format!("DESCRIPTION:{}", escape_text(&e.summary)),
                "END:VALARM".to_string(),
            ] {
                fold_line(&line, &mut out);
            }
        }
        fold_line("END:VEVENT", &mut out);
    }
    fold_line("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn assignment(id: i64, title: &str) -> UnitAssignmentRow {
        UnitAssignmentRow {
            assignment_id: id,
            unit_id: 1,
            plan_id: 1,
            plan_number: Some("3604/KH-UBND".into()),
            plan_title: "Kế hoạch Truyền thông chuyển đổi số năm 2024".into(),
            plan_issued_on: Some(d("2024-01-15")),
            plan_from: Some(d("2024-01-01")),
            plan_to: Some(d("2025-12-31")),
            task_id: id,
            task_reference: "1".into(),
            task_title: title.into(),
            window_from: None,
            window_to: None,
            due: None,
            done_on: None,
        }
    }

    #[test]
    fn lines_fold_at_75_octets_without_splitting_a_character() {
        let mut out = String::new();
        fold_line(
            &format!("SUMMARY:{}", "Chuyển đổi số ".repeat(20)),
            &mut out,
        );
        for line in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(
            unfolded.strip_suffix("\r\n").unwrap(),
            format!("SUMMARY:{}", "Chuyển đổi số ".repeat(20))
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape_text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn days_named_in_a_title_are_found_and_document_numbers_are_not() {
        assert_eq!(
            named_days("Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10"),
            [(10, 10, None)]
        );
        assert_eq!(
            named_days("Báo cáo trước 15/11/2024"),
            [(15, 11, Some(2024))]
        );
        assert!(named_days("Theo Quyết định 749/QĐ-TTg").is_empty());
        assert!(named_days("Thông tư 32/2024").is_empty());
        // 31/02 passes here; the event is dropped when no year has that day.
        assert_eq!(named_days("31/02"), [(31, 2, None)]);
    }

    #[test]
    fn the_feed_is_stable_and_well_formed() {
        let mut a = assignment(7, "Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10");
        a.due = Some(d("2024-10-10"));
        a.window_from = Some(d("2024-10-01"));
        a.window_to = Some(d("2024-10-10"));
        let events = events(&[a], &[]);
        let uids: Vec<&str> = events.iter().map(|e| e.uid.as_str()).collect();
        // 10/10 is the deadline: one event, not a second for the day the title names.
        assert_eq!(uids, ["thoi-gian-7@kehoach", "han-7@kehoach"]);
        let now = DateTime::parse_from_rfc3339("2024-09-01T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let text = calendar("Đài PT-TH", &events, now);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("DTSTART;VALUE=DATE:20241001\r\nDTEND;VALUE=DATE:20241011\r\n"));
        assert!(text.contains("DTSTAMP:20240901T080000Z\r\n"));
        assert!(
            !text.replace("\r\n", "").contains('\n'),
            "every line ends in CRLF"
        );
        assert_eq!(
            calendar("Đài PT-TH", &events, now),
            text,
            "the same input gives the same feed"
        );
    }

    #[test]
    fn the_plan_is_named_by_number_and_date_or_else_by_its_title() {
        assert_eq!(
            plan_label(Some("3604/KH-UBND"), Some(d("2024-01-15")), "x"),
            "Kế hoạch số 3604/KH-UBND ngày 15/01/2024"
        );
        for unknown in [None, Some(""), Some("-"), Some("  /KH-UBND")] {
            assert_eq!(
                plan_label(
                    unknown,
                    None,
                    "Kế hoạch truyền thông chuyển đổi số năm 2024"
                ),
                "Kế hoạch truyền thông chuyển đổi số năm 2024"
            );
        }
        assert_eq!(
            plan_label(None, None, "Truyền thông chuyển đổi số"),
            "Kế hoạch Truyền thông chuyển đổi số"
        );
    }

    #[test]
    fn long_titles_are_cut_at_a_word() {
        let title = "Tổ chức tuyên truyền, phổ biến về chuyển đổi số trên hệ thống truyền thanh cơ sở của các xã, phường, thị trấn";
        let cut = cut_at_word(title, 40);
        assert!(cut.chars().count() <= 40, "{cut}");
        assert!(
            cut.ends_with('…') && title.starts_with(cut.trim_end_matches('…')),
            "{cut}"
        );
        assert_eq!(cut_at_word("Ngắn gọn", 40), "Ngắn gọn");
        let mut a = assignment(3, title);
        a.due = Some(d("2024-06-30"));
        for e in events(&[a], &[]) {
            assert!(e.summary.chars().count() <= MAX_SUMMARY, "{}", e.summary);
            assert!(e.description.contains(title));
        }
    }

    #[test]
    fn recurring_targets_become_one_repeating_reminder_within_the_window() {
        let mut a = assignment(4, "Bản tin chuyển đổi số");
        a.window_from = Some(d("2024-03-13"));
        a.window_to = Some(d("2024-09-30"));
        let target = |per: &str| UnitTargetRow {
            task_id: 4,
            count: 1.0,
            per: per.into(),
            noun: "bản tin".into(),
        };
        let got: Vec<(NaiveDate, Option<String>)> = events(
            &[a],
            &[
                target("week"),
                target("month"),
                target("quarter"),
                target("plan"),
            ],
        )
        .into_iter()
        .filter(|e| e.rule.is_some())
        .map(|e| (e.start, e.rule))
        .collect();
        assert_eq!(
            got,
            [
                (
                    d("2024-03-15"),
                    Some("FREQ=WEEKLY;BYDAY=FR;UNTIL=20240930".into())
                ),
                (
                    d("2024-03-31"),
                    Some("FREQ=MONTHLY;BYMONTHDAY=-1;UNTIL=20240930".into())
                ),
                (
                    d("2024-03-31"),
                    Some("FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=-1;UNTIL=20240930".into())
                ),
            ]
        );
    }
}
