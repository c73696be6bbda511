//! A unit's calendar feed by its secret URL, parsed with the `icalendar` crate's parser and its
//! recurring reminders expanded with the `rrule` crate (both independent of the writer).

use crate::common;

use chrono::{Datelike, NaiveDate, Weekday};
use common::fixture::{day, plan_fixture};

/// One parsed event: its properties by name (the first of each), and its alarms' triggers.
#[derive(Debug)]
struct Parsed {
    props: std::collections::BTreeMap<String, String>,
    alarms: Vec<String>,
}

impl Parsed {
    fn get(&self, name: &str) -> &str {
        self.props
            .get(name)
            .unwrap_or_else(|| panic!("event without {name}: {self:?}"))
    }
}

/// Every event of the feed, parsed by an independent iCalendar parser.
fn parse(text: &str) -> Vec<Parsed> {
    let unfolded = icalendar::parser::unfold(text);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("the feed parses");
    calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|e| {
            let mut props = std::collections::BTreeMap::new();
            for p in &e.properties {
                props
                    .entry(p.name.as_str().to_string())
                    .or_insert_with(|| p.val.as_str().to_string());
            }
            let alarms = e
                .components
                .iter()
                .filter(|a| a.name.as_str() == "VALARM")
                .map(|a| {
                    a.find_prop("TRIGGER")
                        .map(|t| t.val.as_str().to_string())
                        .unwrap_or_default()
                })
                .collect();
            Parsed { props, alarms }
        })
        .collect()
}

/// (UID, DTSTART, SUMMARY) of every event, sorted.
fn summaries(events: &[Parsed]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = events
        .iter()
        .map(|e| {
            assert!(!e.get("DTSTAMP").is_empty());
            (
                e.get("UID").to_string(),
                e.get("DTSTART").to_string(),
                e.get("SUMMARY").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The days an all-day event's RRULE gives, expanded by the `rrule` crate (dates written as
/// midnight UTC, which is what an all-day date means to it).
fn occurrences(dtstart: &str, rule: &str) -> Vec<NaiveDate> {
    let rule = match rule.split_once("UNTIL=") {
        Some((head, until)) => {
            let (date, tail) = until.split_at(8);
            format!("{head}UNTIL={date}T235959Z{tail}")
        }
        None => rule.to_string(),
    };
    let set: rrule::RRuleSet = format!("DTSTART:{dtstart}T000000Z\nRRULE:{rule}")
        .parse()
        .unwrap_or_else(|e| panic!("{rule}: {e}"));
    set.all(1000).dates.iter().map(|d| d.date_naive()).collect()
}

/// A feed fetched by a new secret URL of `unit`.
async fn feed(db: &common::TestDb, server: &common::Server, unit: &str) -> String {
    let (code, url, err) = common::run_cli(
        db,
        &[
            "calendar",
            "url",
            "--unit",
            unit,
            "--base-url",
            &server.base,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let res = common::http().get(url.trim()).send().await.unwrap();
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

on_both_backends! {
    async fn a_unit_subscribes_to_its_deadlines_by_a_secret_url(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let server = common::Server::start(&db.cli_args());
        let (code, url, err) = common::run_cli(db, &["calendar", "url", "--unit", "T49.H1", "--base-url", &server.base]);
        assert_eq!(code, 0, "{err}");
        let url = url.trim().to_string();
        assert!(url.starts_with(&format!("{}/calendar/", server.base)) && url.ends_with(".ics"), "{url}");
        let http = common::http();
        let res = http.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/calendar; charset=utf-8");
        let text = res.text().await.unwrap();
        // RFC 5545: CRLF everywhere, no line longer than 75 octets.
        assert!(text.ends_with("\r\n"));
        for line in text.split("\r\n") {
            assert!(!line.contains('\n'), "bare LF in {line:?}");
            assert!(line.len() <= 75, "{} octets: {line:?}", line.len());
        }
        let parsed = parse(&text);
        let events = summaries(&parsed);
        let h1_report = f.assignment("2", f.district).await;
        let h1_day = f.assignment("5", f.district).await;
        // One event per deadline: the day the title names is the deadline, not a second event.
        let want = [
            (format!("han-{h1_day}@kehoach"), "20241010".to_string(), "Hạn NV 5: Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10".to_string()),
            (format!("han-{h1_report}@kehoach"), "20241115".into(), "Hạn NV 2: Báo cáo kết quả thực hiện".into()),
            (format!("thoi-gian-{h1_day}@kehoach"), "20241001".into(), "Thực hiện NV 5: Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10".into()),
        ];
        let mut want = want.to_vec();
        want.sort();
        // The parser keeps TEXT escapes as written: none occur in these summaries.
        assert_eq!(events, want);
        for e in &parsed {
            let deadline = e.get("UID").starts_with("han-");
            // A deadline rings at 09:00 the day before; a task's window does not ring.
            assert_eq!(e.alarms, if deadline { vec!["-PT15H".to_string()] } else { vec![] }, "{e:?}");
            // The plan by its number and date, never "Kế hoạch kế hoạch".
            assert!(e.get("DESCRIPTION").contains("Kế hoạch số 3604/KH-UBND ngày 15/01/2024"), "{e:?}");
        }
        // Regenerated: the same UIDs.
        let again = summaries(&parse(&http.get(&url).send().await.unwrap().text().await.unwrap()));
        assert_eq!(again, events);
        // A new URL replaces the old one.
        let (code, new_url, _) = common::run_cli(db, &["calendar", "url", "--unit", "T49.H1", "--base-url", &server.base]);
        assert_eq!(code, 0);
        assert_eq!(http.get(&url).send().await.unwrap().status(), 404);
        assert_eq!(http.get(new_url.trim()).send().await.unwrap().status(), 200);
        assert_eq!(http.get(server.url("/calendar/not-a-secret.ics")).send().await.unwrap().status(), 404);
        assert_eq!(http.get(server.url(&format!("/calendar/{}.ics", "x".repeat(500)))).send().await.unwrap().status(), 404);
        let (code, _, err) = common::run_cli(db, &["calendar", "url", "--unit", "KHONG.CO"]);
        assert_eq!(code, 2);
        assert!(err.contains("no unit with code KHONG.CO"), "{err}");
        // A unit merged away in 2025 gets its link on a date when it existed.
        let old = kehoach::store::NewUnit {
            code: "T49.CU".into(),
            name: "Phòng Văn hóa và Thông tin huyện Cũ".into(),
            kind: "agency".into(),
            valid_to: Some(common::fixture::day("2025-06-30")),
            ..kehoach::store::NewUnit::default()
        };
        f.store.create_unit(&old, &kehoach::store::Change::system("test")).await.unwrap();
        let (code, _, err) = common::run_cli(db, &["calendar", "url", "--unit", "T49.CU", "--on", "2024-06-01"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("Phòng Văn hóa và Thông tin huyện Cũ"), "{err}");
        let (code, _, err) = common::run_cli(db, &["calendar", "url", "--unit", "T49.CU", "--on", "2025-08-01"]);
        assert_eq!(code, 2);
        assert!(err.contains("no unit with code T49.CU on 2025-08-01"), "{err}");
        // Without a date, the unit the code named last.
        let (code, _, err) = common::run_cli(db, &["calendar", "url", "--unit", "T49.CU"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("Phòng Văn hóa và Thông tin huyện Cũ"), "{err}");
        // The secret itself is never stored.
        let secret = new_url.trim().rsplit('/').next().unwrap().trim_end_matches(".ics").to_string();
        assert!(f.store.unit_by_calendar_secret(&secret).await.unwrap().is_none());
        assert!(f.store.unit_by_calendar_secret(&kehoach::auth::token_hash(&secret)).await.unwrap().is_some());
    }

    async fn a_weekly_target_is_one_reminder_repeating_over_the_task_window(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let server = common::Server::start(&db.cli_args());
        // The station has a weekly programme (task 1, the plan's 2024) and a report due 15/11.
        let parsed = parse(&feed(db, &server, "T49.DAI").await);
        let weekly = f.assignment("1", f.station).await;
        let reminders: Vec<&Parsed> = parsed.iter().filter(|e| e.props.contains_key("RRULE")).collect();
        assert_eq!(reminders.len(), 1, "{parsed:?}");
        let r = reminders[0];
        assert_eq!(r.get("UID"), format!("chi-tieu-{weekly}-0@kehoach"));
        assert_eq!(r.alarms, ["-PT15H"]);
        assert!(r.get("SUMMARY").starts_with("01 chương trình/tuần – NV 1:"), "{r:?}");
        assert!(r.get("DESCRIPTION").contains("01/01/2024 đến 31/12/2024"), "{r:?}");
        let days = occurrences(r.get("DTSTART"), r.get("RRULE"));
        // Every Friday of 2024, the last working day of each ISO week, inside the window.
        assert_eq!(days.len(), 52, "{days:?}");
        assert_eq!((days[0], days[51]), (day("2024-01-05"), day("2024-12-27")));
        let mut weeks = std::collections::HashSet::new();
        for d in &days {
            assert_eq!(d.weekday(), Weekday::Fri);
            assert!(day("2024-01-01") <= *d && *d <= day("2024-12-31"), "{d} outside the window");
            assert!(weeks.insert(d.iso_week().week()), "two reminders in the week of {d}");
        }
        // Every event's title is short; the whole task title is in the description.
        for e in &parsed {
            assert!(e.get("SUMMARY").chars().count() <= 60, "{e:?}");
        }
        let task = parsed.iter().find(|e| e.get("UID").starts_with("han-")).unwrap();
        assert!(task.get("DESCRIPTION").starts_with("Nhiệm vụ 2: Báo cáo kết quả thực hiện"), "{task:?}");
    }
}
