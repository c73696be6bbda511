//! The daily reminder digest, sent to a real SMTP server on loopback (`common::smtp`): who gets
//! what, in Vietnamese, one digest per unit, nothing twice on the same day — even with two runs
//! racing.

use crate::common;

use common::fixture::plan_fixture;
use common::smtp::{Mail, SmtpServer};

fn remind(db: &common::TestDb, smtp: &SmtpServer, at: &str) -> (i32, String, String) {
    let port = smtp.port.to_string();
    common::run_cli(
        db,
        &[
            "remind",
            "--at",
            at,
            "--days",
            "3",
            "--smtp-host",
            "127.0.0.1",
            "--smtp-port",
            &port,
            "--smtp-security",
            "none",
            "--smtp-from",
            "Sở KH&CN <nhacviec@example.vn>",
        ],
    )
}

fn to(mail: &[Mail], address: &str) -> Vec<Mail> {
    mail.iter()
        .filter(|m| m.to == [address.to_string()])
        .cloned()
        .collect()
}

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../plan/tests/fixtures/corpus");

fn import(db: &common::TestDb, name: &str) -> String {
    let imported = common::cli_json(
        db,
        &["plan", "import", &format!("{CORPUS}/{name}"), "--json"],
    );
    imported["plan_id"].as_i64().unwrap().to_string()
}

/// `date` moved by `days`.
fn shift(date: &str, days: i64) -> String {
    let d: chrono::NaiveDate = date.parse().unwrap();
    (d + chrono::Duration::days(days)).to_string()
}

on_both_backends! {
    async fn the_plan_office_hears_which_units_owe_a_plan(db: &common::TestDb) {
        let province = import(db, "quangnam-2024.txt");
        let city = import(db, "tamky-2021-2025.md");
        let (code, _, err) = common::run_cli(db, &["plan", "link", &city, "--parent", &province]);
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = common::run_cli(db, &["contact", "--unit", "49", "--on", "2024-06-01", "--email", "sokhcn@example.vn"]);
        assert_eq!(code, 0, "{err}");
        let links = common::cli_json(db, &["plan", "links", &province, "--json"]);
        let units = links["units"].as_array().unwrap();
        let name = |code: &str| units.iter().find(|u| u["unit_code"] == code).unwrap()["unit_name"].as_str().unwrap().to_string();
        let due = units[0]["due"].as_str().unwrap().to_string();
        let (hoi_an, tam_ky) = (name("503.UBND"), name("502.UBND"));
        let smtp = SmtpServer::start();

        // Two days before the deadline: the units without a linked plan, named with the state.
        let (code, _, err) = remind(db, &smtp, &shift(&due, -2));
        assert_eq!(code, 0, "{err}");
        let office = to(&smtp.mail(), "sokhcn@example.vn");
        assert_eq!(office.len(), 1, "one digest for the plan office");
        let body = office[0].body();
        let deadline = {
            let d: chrono::NaiveDate = due.parse().unwrap();
            d.format("%d/%m/%Y").to_string()
        };
        assert!(body.contains("Đơn vị chưa ban hành kế hoạch thực hiện (chưa liên kết):"), "{body}");
        let line = body.lines().find(|l| l.contains("chưa có kế hoạch thực hiện được liên kết")).unwrap_or_else(|| panic!("{body}"));
        let missing = links["missing"].as_u64().unwrap();
        assert!(
            line.contains(&format!(": {missing} đơn vị chưa có kế hoạch thực hiện được liên kết (hạn {deadline}, còn 2 ngày): ")),
            "{line}"
        );
        assert!(line.contains(&hoi_an), "every unit named: {line}");
        assert!(!line.contains(&tam_ky), "Tam Kỳ's plan is linked: {line}");
        assert_eq!(line.matches("; ").count() as u64, missing - 1, "{line}");

        // The day after: overdue, said once more.
        let (code, _, err) = remind(db, &smtp, &shift(&due, 1));
        assert_eq!(code, 0, "{err}");
        let later = to(&smtp.mail(), "sokhcn@example.vn");
        assert_eq!(later.len(), 2);
        assert!(later[1].body().contains(&format!("(đã quá hạn, hạn {deadline}): ")), "{}", later[1].body());
        assert!(later[1].body().contains(&hoi_an), "{}", later[1].body());
        // And not again the same day.
        let (code, _, _) = remind(db, &smtp, &shift(&due, 1));
        assert_eq!(code, 0);
        assert_eq!(to(&smtp.mail(), "sokhcn@example.vn").len(), 2);
    }

    async fn each_unit_gets_one_digest_a_day(db: &common::TestDb) {
        let _f = plan_fixture(db).await;
        for (unit, email) in [("T49.DAI", "dai@example.vn"), ("T49.BAO", "bao@example.vn"), ("T49.H1", "huyen@example.vn")] {
            let (code, _, err) = common::run_cli(db, &["contact", "--unit", unit, "--email", email]);
            assert_eq!(code, 0, "{err}");
        }
        let (code, _, err) = common::run_cli(db, &["contact", "--unit", "T49.H1", "--email", "không phải địa chỉ"]);
        assert_eq!(code, 2);
        assert!(err.contains("is not an e-mail address"), "{err}");
        let smtp = SmtpServer::start();

        // Wednesday 13/11/2024: the district's report is due on 15/11; both media units have not
        // aired this week's programme; the station's report is done (nothing to say about it).
        let (code, out, err) = remind(db, &smtp, "2024-11-13");
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("3 digests sent (3 items)"), "{out}");
        let mail = smtp.mail();
        assert_eq!(mail.len(), 3, "one digest per unit with an address");
        for m in &mail {
            assert_eq!(m.from, "nhacviec@example.vn");
            assert_eq!(m.header("Subject").unwrap(), "[Kế hoạch] Nhắc việc 13/11/2024: 1 việc cần chú ý");
            assert!(m.header("From").unwrap().contains("Sở KH&CN"), "{:?}", m.header("From"));
        }
        let district = &to(&mail, "huyen@example.vn")[0];
        let body = district.body();
        assert!(body.starts_with("Kính gửi: UBND huyện Sơn Hà,"), "{body}");
        assert!(body.contains("Nhiệm vụ sắp đến hạn:\n- Sắp đến hạn: “Báo cáo kết quả thực hiện” (Kế hoạch 3604/KH-UBND), hạn 15/11/2024 (còn 2 ngày)."), "{body}");
        let station = to(&mail, "dai@example.vn")[0].body();
        assert!(station.contains("Chỉ tiêu tuần này chưa đạt:\n- Tuần này (tuần 46/2024) chưa đủ: “Chuyên mục chuyển đổi số trên sóng và trên báo” (Kế hoạch 3604/KH-UBND): đã có 0/1 chương trình."), "{station}");
        assert!(!station.contains("Báo cáo kết quả thực hiện"), "done on 10/11: {station}");

        // The same day again: nothing new.
        let (code, out, _) = remind(db, &smtp, "2024-11-13");
        assert_eq!(code, 0);
        assert!(out.contains("0 digests sent"), "{out}");
        assert_eq!(smtp.mail().len(), 3);

        // A week later the district's report is overdue, and a new week is missing.
        let (code, _, err) = remind(db, &smtp, "2024-11-20");
        assert_eq!(code, 0, "{err}");
        let later = smtp.mail()[3..].to_vec();
        assert_eq!(later.len(), 3);
        let body = to(&later, "huyen@example.vn")[0].body();
        assert!(body.contains("Nhiệm vụ đã quá hạn:\n- Đã quá hạn: “Báo cáo kết quả thực hiện”"), "{body}");

        // Two runs racing on the same day (two servers): still one digest per unit.
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| remind(db, &smtp, "2024-11-27"));
            let b = s.spawn(|| remind(db, &smtp, "2024-11-27"));
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!((a.0, b.0), (0, 0), "{} {}", a.2, b.2);
        let raced = smtp.mail()[6..].to_vec();
        for address in ["dai@example.vn", "bao@example.vn", "huyen@example.vn"] {
            assert_eq!(to(&raced, address).len(), 1, "{address}");
        }

        // A server that cannot be reached: the run fails, and nothing is marked as sent.
        let (code, out, err) = common::run_cli(db, &["remind", "--at", "2024-12-04", "--smtp-host", "127.0.0.1", "--smtp-port", "1",
            "--smtp-security", "none", "--smtp-from", "nhacviec@example.vn"]);
        assert_eq!(code, 1, "{out}{err}");
        let (code, out, _) = remind(db, &smtp, "2024-12-04");
        assert_eq!(code, 0);
        assert!(out.contains("3 digests sent"), "{out}");
    }

    async fn the_server_sends_the_daily_digest_when_smtp_is_configured(db: &common::TestDb) {
        let _f = plan_fixture(db).await;
        let (code, _, err) = common::run_cli(db, &["contact", "--unit", "T49.H1", "--email", "huyen@example.vn"]);
        assert_eq!(code, 0, "{err}");
        let smtp = SmtpServer::start();
        let port = smtp.port.to_string();
        // From hour 0: the first check, right after start, runs today's reminders.
        let _server = common::Server::start_with(&db.cli_args(), &["--remind-hour", "0", "--smtp-host", "127.0.0.1",
            "--smtp-port", &port, "--smtp-security", "none", "--smtp-from", "nhacviec@example.vn"]);
        let mut waited = 0;
        while smtp.mail().is_empty() && waited < 600 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            waited += 1;
        }
        let mail = smtp.mail();
        assert_eq!(mail.len(), 1, "the district's digest");
        assert_eq!(mail[0].to, ["huyen@example.vn"]);
        // Today the 2024 report is long overdue.
        assert!(mail[0].body().contains("Đã quá hạn: “Báo cáo kết quả thực hiện”"), "{}", mail[0].body());
    }
}
