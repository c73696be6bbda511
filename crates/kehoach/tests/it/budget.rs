//! The budget cycle end to end, on both backends, through the command line a plan office and
//! finance would use (and the HTTP API for who may see what): two units estimate and submit (one
//! on time, one late), a third never does; the plan office returns one estimate (both versions
//! kept), adjusts a line, sends the consolidation with its Tờ trình and workbook; finance reduces
//! one line and rejects another; the approval is recorded; spending is recorded (warned when
//! over); the report's "Kinh phí" part states allocated against spent.

use crate::common;

use std::io::Read;

use common::fixture::plan_without_activities;
use common::{Server, TestDb, cli_json, http, run_cli};
use kehoach::store::{Change, Role};
use serde_json::{Value, json};

fn ok(db: &TestDb, args: &[&str]) -> String {
    let (code, out, err) = run_cli(db, args);
    assert_eq!(code, 0, "kehoach {args:?} failed: {err}");
    out.trim().to_string()
}

fn refused(db: &TestDb, args: &[&str]) -> String {
    let (code, _, err) = run_cli(db, args);
    assert_eq!(code, 2, "kehoach {args:?} should be refused: {err}");
    err
}

fn docx_text(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).unwrap();
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Text runs only.
    let mut text = String::new();
    let mut rest = xml.as_str();
    while let Some(start) = rest.find("<w:t") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        if !(after.starts_with("<w:t>") || after.starts_with("<w:t ")) {
            rest = &after[open_end..];
            continue;
        }
        let close = after.find("</w:t>").unwrap();
        text.push_str(&after[open_end + 1..close]);
        text.push(' ');
        rest = &after[close..];
    }
    text
}

fn unit(status: &Value, id: i64) -> &Value {
    status["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == id)
        .unwrap_or_else(|| panic!("unit {id} in {status}"))
}

on_both_backends! {
    async fn the_budget_cycle_from_estimates_to_the_report(db: &TestDb) {
        let f = plan_without_activities(db).await;
        let plan = f.plan_id.to_string();
        let station_1 = f.assignment("1", f.station).await.to_string();
        let station_2 = f.assignment("2", f.station).await.to_string();
        let paper_1 = f.assignment("1", f.newspaper).await.to_string();
        let store = db.open().await;
        let code = |id: i64| {
            let store = store.clone();
            async move { store.unit(id).await.unwrap().unwrap().code }
        };
        let (station_code, paper_code) = (code(f.station).await, code(f.newspaper).await);

        // Estimates: the station two lines on two tasks, the newspaper two on one.
        let add = |assignment: &str, content: &str, q: &str, price: &str, source: &str| {
            ok(db, &["budget", "line", "add", "--assignment", assignment, "--content", content,
                "--measure", "buổi", "--quantity", q, "--price", price, "--source", source,
                "--basis", "Thông tư 40/2017/TT-BTC"])
        };
        let s1: i64 = add(&station_1, "Sản xuất chuyên mục", "12", "4.500.000", "tinh").parse().unwrap();
        let s2: i64 = add(&station_2, "In ấn báo cáo", "3", "1.234.567", "tinh").parse().unwrap();
        add(&paper_1, "Nhuận bút tin bài", "20", "700.000", "tinh");
        add(&paper_1, "Thiết kế ấn phẩm", "1", "9.999.999", "khac");
        // Amounts in Vietnamese writing: "1,5 triệu" is refused as ambiguous, naming the field.
        let err = refused(db, &["budget", "line", "add", "--assignment", &station_1, "--content", "x",
            "--measure", "buổi", "--quantity", "1", "--price", "1,5 triệu", "--source", "tinh"]);
        assert!(err.contains("đơn giá") && err.contains("1.500.000"), "{err}");
        // Past the line ceiling: refused, never wrapped.
        let err = refused(db, &["budget", "line", "add", "--assignment", &station_1, "--content", "x",
            "--measure", "buổi", "--quantity", "1000000", "--price", "9.000.000.000.000", "--source", "tinh"]);
        assert!(err.contains("trần"), "{err}");

        // Submissions: the station's backdated to February (on time), the newspaper's now (late).
        ok(db, &["budget", "submit", "--plan", &plan, "--unit", &station_code]);
        db.raw_execute(&format!(
            "UPDATE budget_estimates SET submitted_at = '2024-02-20T03:00:00Z' WHERE unit_id = {}",
            f.station)).await.unwrap();
        ok(db, &["budget", "submit", "--plan", &plan, "--unit", &paper_code]);
        // Frozen: no new line on a submitted estimate.
        let err = refused(db, &["budget", "line", "add", "--assignment", &station_1, "--content", "x",
            "--measure", "buổi", "--quantity", "1", "--price", "1.000", "--source", "tinh"]);
        assert!(err.contains("frozen"), "{err}");

        // The plan office returns the newspaper's estimate; it revises and resubmits.
        ok(db, &["budget", "return", "--plan", &plan, "--unit", &paper_code, "--reason", "Đơn giá nhuận bút chưa đúng"]);
        let estimates = store.budget_estimates(f.plan_id).await.unwrap();
        let paper_versions: Vec<_> = estimates.iter().filter(|e| e.unit_id == f.newspaper).collect();
        assert_eq!(paper_versions.len(), 2);
        assert_eq!(paper_versions[0].state, "returned");
        assert_eq!(paper_versions[0].return_reason.as_deref(), Some("Đơn giá nhuận bút chưa đúng"));
        assert_eq!(paper_versions[1].state, "draft");
        let p3: i64 = add(&paper_1, "Chụp ảnh", "5", "300.000", "tinh").parse().unwrap();
        ok(db, &["budget", "submit", "--plan", &plan, "--unit", &paper_code]);
        let all = store.budget_lines(f.plan_id, false).await.unwrap();
        let current = store.budget_lines(f.plan_id, true).await.unwrap();
        assert_eq!(all.len(), 7, "the returned version's lines are kept");
        assert_eq!(current.len(), 5);
        let id_of = |content: &str| current.iter().find(|l| l.content == content).unwrap().id;
        let (p1, p2) = (id_of("Nhuận bút tin bài"), id_of("Thiết kế ấn phẩm"));
        assert_eq!(id_of("Chụp ảnh"), p3);

        // The office adjusts its proposal for one line; the unit's figure stays.
        ok(db, &["budget", "propose", &s1.to_string(), "--amount", "50.000.000", "--note", "Giảm 2 số"]);
        let line = store.budget_line(s1).await.unwrap().unwrap();
        assert_eq!((line.amount, line.proposed()), (54_000_000, 50_000_000));

        // Send with the Tờ trình and the workbook.
        let dir = tempfile::tempdir().unwrap();
        let docx = dir.path().join("to-trinh.docx");
        let xlsx = dir.path().join("kinh-phi.xlsx");
        ok(db, &["budget", "send", "--plan", &plan, "-o", docx.to_str().unwrap(), "--xlsx", xlsx.to_str().unwrap()]);
        let text = docx_text(&std::fs::read(&docx).unwrap());
        for needle in ["TỜ TRÌNH", "Phụ lục", "Sở Tài chính", "Sản xuất chuyên mục", "UBND huyện Sơn Hà", "50.000.000"] {
            assert!(text.contains(needle), "{needle} missing from the Tờ trình: {text}");
        }
        let book = std::fs::read(&xlsx).unwrap();
        assert!(book.starts_with(b"PK"), "the workbook is an .xlsx");
        // Sent: the units' estimates no longer change; the office's proposals neither.
        refused(db, &["budget", "return", "--plan", &plan, "--unit", &station_code, "--reason", "x"]);

        // Finance: agree, reduce with a reason, reject (a reason required), agree.
        ok(db, &["budget", "appraise", &s1.to_string(), "--amount", "50.000.000"]);
        let err = refused(db, &["budget", "appraise", &s2.to_string(), "--amount", "3.000.000"]);
        assert!(err.contains("reason"), "{err}");
        ok(db, &["budget", "appraise", &s2.to_string(), "--amount", "3.000.000", "--comment", "Giảm theo định mức"]);
        let err = refused(db, &["budget", "appraise", &p1.to_string(), "--amount", "99.000.000", "--comment", "x"]);
        assert!(err.contains("exceed"), "{err}");
        ok(db, &["budget", "appraise", &p1.to_string(), "--amount", "0", "--comment", "Trùng nội dung"]);
        // Approval needs every line appraised.
        let err = refused(db, &["budget", "approve", "--plan", &plan, "--decision", "123/QĐ-UBND", "--date", "2024-03-10"]);
        assert!(err.contains("not appraised"), "{err}");
        ok(db, &["budget", "appraise", &p2.to_string(), "--amount", "9.999.999"]);
        ok(db, &["budget", "appraise", &p3.to_string(), "--amount", "1.500.000"]);
        ok(db, &["budget", "approve", "--plan", &plan, "--decision", "123/QĐ-UBND", "--date", "2024-03-10"]);
        // Appraisal after approval is refused.
        let err = refused(db, &["budget", "appraise", &s1.to_string(), "--amount", "1.000"]);
        assert!(err.contains("approved"), "{err}");

        // Spending: within the allocation, then over it (warned, recorded).
        let (code, _, err) = run_cli(db, &["budget", "spend", "--assignment", &station_1, "--amount", "30.000.000",
            "--date", "2024-03-20", "--content", "Sản xuất 6 số", "--voucher", "PC-01"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("20.000.000 đ"), "{err}");
        let (code, _, err) = run_cli(db, &["budget", "spend", "--assignment", &station_1, "--amount", "25.000.000",
            "--date", "2024-05-20", "--content", "Sản xuất 6 số tiếp"]);
        assert_eq!(code, 0, "{err}");
        assert!(err.contains("over the allocation by 5.000.000 đ"), "{err}");

        // Status: per unit and task, every stage, whole đồng, exactly.
        let status = cli_json(db, &["budget", "status", "--plan", &plan, "--json"]);
        let station = unit(&status, f.station);
        assert_eq!(station["deadline_state"], "done_on_time");
        assert_eq!(unit(&status, f.newspaper)["deadline_state"], "done_late");
        assert_eq!(unit(&status, f.district)["state"], "none");
        assert_eq!(unit(&status, f.district)["deadline_state"], "not_done_overdue");
        assert_eq!(station["total"], json!({"estimated": 54_000_000 + 3_703_701, "proposed": 50_000_000 + 3_703_701,
            "appraised": 53_000_000, "approved": 53_000_000, "spent": 55_000_000}));
        let paper = unit(&status, f.newspaper);
        assert_eq!(paper["total"]["estimated"], 14_000_000 + 9_999_999 + 1_500_000);
        assert_eq!(paper["total"]["approved"], 9_999_999 + 1_500_000);
        assert_eq!(paper["version"], 2);
        assert_eq!(status["total"]["approved"], 53_000_000 + 11_499_999);
        assert_eq!(status["decision_number"], "123/QĐ-UBND");

        // The report's Kinh phí part: allocated and spent per task.
        let report = dir.path().join("bao-cao.docx");
        ok(db, &["report", "--plan", &plan, "--period", "2024", "-o", report.to_str().unwrap()]);
        let text = docx_text(&std::fs::read(&report).unwrap());
        assert!(text.contains("Kinh phí thực hiện"), "{text}");
        assert!(text.contains("64.499.999 đ") && text.contains("55.000.000 đ"), "{text}");
        assert!(text.contains("IV. PHƯƠNG HƯỚNG"), "the parts keep their numbers: {text}");

        // Every change is in the audit log, before → after.
        let audit = ok(db, &["audit", "export", "--entity", "budget_line"]);
        let appraisals = audit.lines().filter(|l| l.contains(",appraise,")).count();
        assert_eq!(appraisals, 5, "{audit}");
        assert!(audit.contains("50000000"), "the appraised amount, after: {audit}");
        store.close().await;
        f.store.close().await;
    }

    async fn who_sees_and_writes_which_budget(db: &TestDb) {
        let f = plan_without_activities(db).await;
        let station_1 = f.assignment("1", f.station).await;
        let paper_1 = f.assignment("1", f.newspaper).await;
        let store = db.open().await;
        let by = Change::system("test");
        let token = |name: &'static str, role: Role, unit: Option<i64>| {
            let store = store.clone();
            let by = by.clone();
            async move {
                let user = store.create_user(name, name, unit, role, "!", &by).await.unwrap();
                let token = kehoach::auth::random_secret(24);
                store.create_token(user.id, "t", &kehoach::auth::token_hash(&token), &by).await.unwrap();
                token
            }
        };
        let station = token("dai", Role::Reporter, Some(f.station)).await;
        let paper = token("bao", Role::Reporter, Some(f.newspaper)).await;
        let finance = token("tc", Role::Finance, Some(f.station)).await;
        let server = Server::start(&db.cli_args());
        let line = json!({"content": "Sản xuất", "measure": "số", "quantity": "2", "price": "1.000.000", "source": "tinh"});
        let post = |assignment: i64, token: String, body: Value| {
            let url = server.url(&format!("/api/v1/assignments/{assignment}/budget-lines"));
            async move { http().post(url).bearer_auth(token).json(&body).send().await.unwrap() }
        };
        // A unit estimates its own assignment, not another's; finance estimates nothing.
        assert_eq!(post(station_1, station.clone(), line.clone()).await.status(), 201);
        assert_eq!(post(paper_1, station.clone(), line.clone()).await.status(), 403);
        assert_eq!(post(station_1, finance.clone(), line.clone()).await.status(), 403);
        // A bad amount is named; nothing is stored.
        let before = db.dump().await;
        let bad = json!({"content": "x", "measure": "số", "quantity": "-1", "price": "1,5 triệu", "source": "tw"});
        let response = post(paper_1, paper.clone(), bad).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        let message = body["error"].as_str().unwrap();
        assert!(message.contains("quantity") && message.contains("price") && message.contains("source"), "{message}");
        assert_eq!(db.dump().await, before);
        assert_eq!(post(paper_1, paper.clone(), line.clone()).await.status(), 201);
        // Each unit reads only its own figures.
        let status: Value = http().get(server.url(&format!("/api/v1/plans/{}/budget", f.plan_id)))
            .bearer_auth(&station).send().await.unwrap().json().await.unwrap();
        let units: Vec<i64> = status["units"].as_array().unwrap().iter().map(|u| u["unit_id"].as_i64().unwrap()).collect();
        assert_eq!(units, vec![f.station]);
        assert_eq!(status["total"]["estimated"], 2_000_000);
        store.close().await;
        f.store.close().await;
    }

    async fn an_import_stores_every_line_or_none(db: &TestDb) {
        let f = plan_without_activities(db).await;
        let station_1 = f.assignment("1", f.station).await;
        let dir = tempfile::tempdir().unwrap();
        let write = |rows: &[[&str; 6]]| {
            let mut book = rust_xlsxwriter::Workbook::new();
            let ws = book.add_worksheet();
            for (c, h) in ["Mã giao việc", "Nội dung chi", "Đơn vị tính", "Số lượng", "Đơn giá", "Nguồn kinh phí"].iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
                }
            }
            let path = dir.path().join(format!("dt-{}.xlsx", rows.len()));
            book.save(&path).unwrap();
            path
        };
        let a = station_1.to_string();
        let bad = write(&[
            [&a, "Hội nghị", "buổi", "2", "15.000.000", "tinh"],
            [&a, "Tập huấn", "lớp", "1", "1,5 triệu", "tinh"],
            ["999999", "Khác", "lần", "1", "1.000", "tinh"],
        ]);
        let before = db.dump().await;
        let (code, _, err) = run_cli(db, &["budget", "line", "import", bad.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("row 3") && err.contains("row 4") && !err.contains("row 2:"), "{err}");
        assert_eq!(db.dump().await, before, "nothing stored");
        let good = write(&[
            [&a, "Hội nghị", "buổi", "2", "15.000.000", "tinh"],
            [&a, "Tập huấn", "lớp", "1", "1.500.000", "huyen"],
        ]);
        let out = ok(db, &["budget", "line", "import", good.to_str().unwrap()]);
        assert!(out.contains("imported 2"), "{out}");
        let lines = f.store.budget_lines(f.plan_id, true).await.unwrap();
        assert_eq!(lines.iter().map(|l| l.amount).sum::<i64>(), 31_500_000);
        f.store.close().await;
    }
}
