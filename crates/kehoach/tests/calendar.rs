//! A unit's calendar feed by its secret URL, parsed with the `ical` crate.

mod common;

use std::io::BufReader;

use common::fixture::plan_fixture;

/// (UID, DTSTART, SUMMARY) of every event, parsed by an independent iCalendar parser.
fn parse(text: &str) -> Vec<(String, String, String)> {
    let mut calendars = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    let calendar = calendars
        .next()
        .expect("one calendar")
        .expect("the feed parses");
    assert!(calendars.next().is_none());
    let mut events: Vec<(String, String, String)> = calendar
        .events
        .iter()
        .map(|e| {
            let prop = |name: &str| {
                e.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
                    .unwrap_or_else(|| panic!("event without {name}"))
            };
            assert!(!prop("DTSTAMP").is_empty());
            (prop("UID"), prop("DTSTART"), prop("SUMMARY"))
        })
        .collect();
    events.sort();
    events
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
        let events = parse(&text);
        let h1_report = f.assignment("2", f.district).await;
        let h1_day = f.assignment("5", f.district).await;
        let want = [
            (format!("han-{h1_day}@kehoach"), "20241010".to_string(), "Hạn hoàn thành: Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10".to_string()),
            (format!("han-{h1_report}@kehoach"), "20241115".into(), "Hạn hoàn thành: Báo cáo kết quả thực hiện".into()),
            (format!("ngay-{h1_day}-20241010@kehoach"), "20241010".into(), "Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10".into()),
            (format!("thoi-gian-{h1_day}@kehoach"), "20241001".into(), "Thực hiện: Hưởng ứng Ngày Chuyển đổi số quốc gia 10/10".into()),
        ];
        let mut want = want.to_vec();
        want.sort();
        // The parser keeps TEXT escapes as written: none occur in these summaries.
        assert_eq!(events, want);
        // Regenerated: the same UIDs.
        let again = parse(&http.get(&url).send().await.unwrap().text().await.unwrap());
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
        // The secret itself is never stored.
        let secret = new_url.trim().rsplit('/').next().unwrap().trim_end_matches(".ics").to_string();
        assert!(f.store.unit_by_calendar_secret(&secret).await.unwrap().is_none());
        assert!(f.store.unit_by_calendar_secret(&kehoach::auth::token_hash(&secret)).await.unwrap().is_some());
    }
}
