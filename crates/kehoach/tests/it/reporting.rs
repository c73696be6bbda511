//! The reporting chain (issue 20) end to end, on both backends: the plan office asks three units
//! for a report; two submit (one late), one is returned and resubmits, the third never does; the
//! compiled report quotes the accepted sections with attribution, its figures are the plan's
//! report's (from `plan_compliance`), its list of submissions is right; a frozen .docx does not
//! change when activities are added later; a plan's report deliverable is a request whose
//! submission completes the deliverable. Steps run through the CLI as an operator would, drafts
//! through the library the API and pages call.

use crate::common;

use std::io::Read;

use common::fixture::{day, plan_fixture};
use common::{cli_json, run_cli};
use kehoach::export::report_period::ReportPeriod;
use kehoach::export::{ReportOverrides, report_content};
use kehoach::reporting::{self, ChainError, sections::Sections};
use kehoach::store::{Change, NewActivity, NewPlan, NewTask, NewUnit};
use sha2::Digest;

fn document_text(docx: &[u8]) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip");
    let mut xml = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    // Paragraph by paragraph, tags dropped.
    let mut out = String::new();
    let mut in_tag = false;
    for c in xml.replace("</w:p>", "\n<x>").chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&quot;", "\"")
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A tiny but real PDF (the sniffer looks at its first bytes).
const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";

on_both_backends! {
    async fn three_units_report_one_is_returned_and_the_office_compiles(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let store = &f.store;
        let by = Change::system("test");
        // The plan office: the provincial department, issuer of the plan.
        let office = store
            .create_unit(&NewUnit { code: "T49.STTTT".into(), name: "Sở Thông tin và Truyền thông".into(), kind: "agency".into(), ..NewUnit::default() }, &by)
            .await
            .unwrap()
            .id;
        db.raw_execute(&format!("UPDATE plans SET context_unit_id = {office} WHERE id = {}", f.plan_id)).await.unwrap();
        let plan = f.plan_id.to_string();

        // The request, through the CLI: three units, one question.
        let (code, out, err) = run_cli(db, &["report-request", "add", "--plan", &plan, "--title", "Báo cáo đột xuất kết quả chuyển đổi số",
            "--due", "2024-11-15", "--period", "2024", "--unit", "T49.DAI", "--unit", "T49.BAO", "--unit", "T49.H1",
            "--question", "Số cán bộ làm công tác truyền thông chuyển đổi số?"]);
        assert_eq!(code, 0, "{err}");
        let req: i64 = out.trim().parse().expect("the request's id");
        let r = reporting::request(store, req).await.unwrap();
        // Decree 09's data cut-off: 15/12/2023 – 14/12/2024.
        assert_eq!((r.period_from, r.period_to), (day("2023-12-15"), day("2024-12-14")));

        // A bad unit and a bad period are named and store nothing.
        let (code, _, err) = run_cli(db, &["report-request", "add", "--plan", &plan, "--title", "x", "--due", "2024-11-15", "--unit", "KHONG.CO"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("unit: no unit with code KHONG.CO"), "{err}");
        let (code, _, err) = run_cli(db, &["report-request", "add", "--plan", &plan, "--title", "x", "--due", "2024-11-15", "--period", "2024-Q5"]);
        assert_eq!(code, 2);
        assert!(err.contains("period:"), "{err}");

        // The station writes its draft; a second writer naming no version gets 409 with the
        // station's version, and nothing is lost.
        let station = reporting::author(store, &r, "T49.DAI").await.unwrap();
        let mine = Sections {
            results: "Đài đã phát sóng đều đặn chuyên mục chuyển đổi số <b>hằng tuần</b>.".into(),
            shortcomings: "- Thiếu phóng viên chuyên trách".into(),
            proposals: "Đề nghị bố trí kinh phí sản xuất phóng sự.".into(),
            answers: vec!["02 cán bộ.".into()],
        };
        let v1 = reporting::save_draft(store, &r, &station, &mine, None, &by).await.unwrap();
        assert_eq!(v1.version, 1);
        assert!(!v1.sections.contains("<b>"), "markup is dropped: {}", v1.sections);
        match reporting::save_draft(store, &r, &station, &Sections::default(), None, &by).await {
            Err(ChainError::Stale(Some(theirs))) => assert_eq!(theirs.version, 1),
            other => panic!("expected a stale save, got {:?}", other.map(|d| d.version)),
        }
        let too_long = Sections { results: "x".repeat(20_001), ..Sections::default() };
        let e = reporting::save_draft(store, &r, &station, &too_long, Some(1), &by).await.unwrap_err();
        assert!(e.to_string().starts_with("results:"), "{e}");
        assert_eq!(store.report_draft(req, f.station).await.unwrap().unwrap().version, 1);

        // The newspaper and the district draft too.
        let paper = reporting::author(store, &r, "T49.BAO").await.unwrap();
        reporting::save_draft(store, &r, &paper, &Sections { results: "Báo đăng 5 tin, bài.".into(), ..Sections::default() }, None, &by).await.unwrap();
        let district = reporting::author(store, &r, "T49.H1").await.unwrap();
        reporting::save_draft(store, &r, &district, &Sections { results: "Huyện đang tổng hợp.".into(), ..Sections::default() }, None, &by).await.unwrap();

        // A draft is its unit's report with its words in it.
        let scan = db.data_dir().join("ban-ky.pdf");
        std::fs::write(&scan, PDF).unwrap();
        let draft_path = db.data_dir().join("draft.docx");
        let (code, _, err) = run_cli(db, &["report", "draft", &req.to_string(), "--unit", "T49.DAI", "-o", draft_path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let text = document_text(&std::fs::read(&draft_path).unwrap());
        assert!(text.contains("Đài đã phát sóng đều đặn chuyên mục chuyển đổi số hằng tuần."), "{text}");
        assert!(text.contains("V. TRẢ LỜI CÁC NỘI DUNG THEO YÊU CẦU"));
        assert!(text.contains("02 cán bộ."));

        // A scan that is not a PDF is refused, and nothing is submitted.
        let fake = db.data_dir().join("ban-ky-gia.pdf");
        std::fs::write(&fake, b"<html>not a pdf</html>").unwrap();
        let (code, _, err) = run_cli(db, &["report", "submit", &req.to_string(), "--unit", "T49.DAI", "--number", "12/BC-ĐPTTH", "--date", "2024-11-10", "--signer", "Lê Văn A", "--scan", fake.to_str().unwrap()]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("scan:"), "{err}");
        assert!(store.report_submissions(req).await.unwrap().is_empty());

        // The station submits on time (with its signed scan), the newspaper late.
        let submit = |unit: &str, number: &str, date: &str, scan: Option<&str>| {
            let mut args = vec!["report", "submit", "REQ", "--unit", unit, "--number", number, "--date", date, "--signer", "Lê Văn A"];
            if let Some(s) = scan { args.extend(["--scan", s]); }
            let req = req.to_string();
            let args: Vec<String> = args.into_iter().map(|a| if a == "REQ" { req.clone() } else { a.to_string() }).collect();
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            run_cli(db, &refs)
        };
        let (code, _, err) = submit("T49.DAI", "12/BC-ĐPTTH", "2024-11-10", Some(scan.to_str().unwrap()));
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = submit("T49.BAO", "7/BC-BTN", "2024-11-20", None);
        assert_eq!(code, 0, "{err}");
        // Submitted: the draft is frozen, a second submission waits for nothing.
        let e = reporting::save_draft(store, &r, &station, &mine, Some(1), &by).await.unwrap_err();
        assert!(matches!(e, ChainError::Conflict(_)), "{e}");
        let (code, _, err) = submit("T49.DAI", "13/BC-ĐPTTH", "2024-11-11", None);
        assert_eq!(code, 2, "{err}");

        // The office returns the station's report with a reason; the station revises and
        // resubmits; both reports are then accepted.
        let (code, out, err) = run_cli(db, &["report", "review", &req.to_string(), "--unit", "T49.DAI", "--return", "Bổ sung số liệu tháng 10"]);
        assert_eq!((code, out.trim()), (0, "returned"), "{err}");
        let revised = Sections { results: "Đài đã phát sóng 45 chương trình chuyên mục chuyển đổi số.".into(), ..mine.clone() };
        reporting::save_draft(store, &r, &station, &revised, Some(1), &by).await.unwrap();
        let (code, _, err) = submit("T49.DAI", "14/BC-ĐPTTH", "2024-11-14", None);
        assert_eq!(code, 0, "{err}");
        for unit in ["T49.DAI", "T49.BAO"] {
            let (code, out, err) = run_cli(db, &["report", "review", &req.to_string(), "--unit", unit, "--accept"]);
            assert_eq!((code, out.trim()), (0, "accepted"), "{err}");
        }
        // After acceptance nothing more is taken.
        let (code, _, err) = submit("T49.BAO", "8/BC-BTN", "2024-11-21", None);
        assert_eq!(code, 2);
        assert!(err.contains("accepted"), "{err}");
        let (code, _, _) = run_cli(db, &["report", "review", &req.to_string(), "--unit", "T49.BAO", "--accept"]);
        assert_eq!(code, 2);

        // The daily digest names what is not submitted, and tells the office what waits.
        let items = reporting::reminder_items(store, f.plan_id, day("2024-11-20"), 3).await.unwrap();
        let texts: Vec<(i64, String)> = items.iter().map(|(u, i)| (*u, i.text.clone())).collect();
        assert!(texts.iter().any(|(u, t)| *u == f.district && t.starts_with("Chưa gửi báo cáo: “Báo cáo đột xuất")), "{texts:?}");
        assert!(!texts.iter().any(|(u, t)| *u == f.newspaper && t.starts_with("Chưa gửi")), "{texts:?}");

        // The board: each unit's state and the official deadline state.
        let status = cli_json(db, &["report-request", "status", &req.to_string(), "--at", "2024-12-01", "--json"]);
        let unit = |code: &str| status["units"].as_array().unwrap().iter().find(|u| u["code"] == code).unwrap().clone();
        assert_eq!((unit("T49.DAI")["state"].as_str(), unit("T49.DAI")["deadline_state"].as_str()), (Some("accepted"), Some("done_on_time")));
        assert_eq!(unit("T49.DAI")["history"][0]["state"], "returned");
        assert_eq!(unit("T49.DAI")["history"][0]["reason"], "Bổ sung số liệu tháng 10");
        assert_eq!((unit("T49.BAO")["state"].as_str(), unit("T49.BAO")["deadline_state"].as_str()), (Some("accepted"), Some("done_late")));
        assert_eq!((unit("T49.H1")["state"].as_str(), unit("T49.H1")["deadline_state"].as_str()), (Some("overdue"), Some("not_done_overdue")));

        // The frozen .docx: content-addressed, and unchanged when activities come later.
        let accepted = store.live_submission(req, f.station).await.unwrap().unwrap();
        // Wherever the store keeps files (the database on PostgreSQL, the directory on SQLite).
        let files = kehoach::files::FileStore::for_store(db.data_dir(), 20 * 1024 * 1024, store).await.unwrap();
        let sha = accepted.docx_sha256.clone();
        let frozen = tokio::task::spawn_blocking(move || {
            std::fs::read(files.local_file_blocking(&sha).unwrap().path()).unwrap()
        }).await.unwrap();
        assert_eq!(sha256_hex(&frozen), accepted.docx_sha256);
        assert!(accepted.scan_sha256.is_none());
        let weekly = f.assignment("1", f.station).await;
        store.add_activity(&NewActivity { assignment_id: weekly, occurred_on: day("2024-11-12"), kind: String::new(), title: "Chuyên mục bổ sung".into(),
            quantity: 3.0, duration_minutes: None, attendance: None, completes: false, note: String::new(), evidence: vec![], recorded_at: None }, &by).await.unwrap();
        let (code, _, err) = run_cli(db, &["report", "draft", &req.to_string(), "--unit", "T49.DAI", "-o", draft_path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(sha256_hex(&std::fs::read(&draft_path).unwrap()), accepted.docx_sha256, "the submitted report is the frozen one");
        // The first (returned) submission kept its scan as history.
        let all = store.report_submissions(req).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].state, "returned");
        assert_eq!(all[0].scan_sha256.as_deref(), Some(sha256_hex(PDF).as_str()));

        // The compiled report: the office's own report of the plan, the accepted sections
        // quoted with attribution, who reported, the Phụ lục of submissions.
        let compiled_path = db.data_dir().join("compiled.docx");
        let (code, _, err) = run_cli(db, &["report", "compile", &req.to_string(), "-o", compiled_path.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let text = document_text(&std::fs::read(&compiled_path).unwrap());
        assert!(text.contains("Đài Phát thanh và Truyền hình tỉnh (Báo cáo số 14/BC-ĐPTTH ngày 14/11/2024): “Đài đã phát sóng 45 chương trình chuyên mục chuyển đổi số.”"), "{text}");
        assert!(text.contains("Báo Thử Nghiệm (Báo cáo số 7/BC-BTN ngày 20/11/2024): “Báo đăng 5 tin, bài.”"), "{text}");
        assert!(!text.contains("Huyện đang tổng hợp"), "a draft that was never submitted is not quoted");
        assert!(text.contains("đã nhận 2/3 báo cáo (1 đúng hạn, 1 trễ hạn); chưa gửi: UBND huyện Sơn Hà."), "{text}");
        assert!(text.contains("Thiếu phóng viên chuyên trách"), "shortcomings quoted");
        assert!(text.contains("DANH MỤC BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ"));
        // The compiled figures are the plan's report's, evaluated on the same day.
        let today = day("2025-01-10");
        let d = reporting::compiled_draft(store, &r, today).await.unwrap();
        let period = reporting::period_of(&r);
        let plan_report = report_content(store, f.plan_id, None, period, today, &ReportOverrides::default()).await.unwrap();
        assert_eq!(d.content.figures, plan_report.figures);
        assert_eq!(d.content.scorecard, plan_report.scorecard);
        assert!(!d.content.figures.is_empty());
        let _ = ReportPeriod::year(2024);
    }

    async fn a_report_deliverable_is_a_request_completed_by_its_submission(db: &common::TestDb) {
        let f = plan_without_activities_store(db).await;
        let plan = f.to_string();
        let list = cli_json(db, &["report-request", "list", "--plan", &plan, "--json"]);
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        let deliverable = &list[0];
        assert_eq!(deliverable["kind"], "deliverable");
        assert_eq!(deliverable["due"], "2024-11-15");
        let mut units: Vec<&str> = deliverable["units"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
        units.sort();
        assert_eq!(units, ["T49.DAI", "T49.H1"]);
        // Listing again makes no second request.
        assert_eq!(cli_json(db, &["report-request", "list", "--plan", &plan, "--json"]).as_array().unwrap().len(), 1);
        let req = deliverable["id"].to_string();
        let (code, _, err) = run_cli(db, &["report", "submit", &req, "--unit", "T49.H1", "--number", "30/BC-UBND", "--date", "2024-11-18", "--signer", "Trần B"]);
        assert_eq!(code, 0, "{err}");
        // The engine sees the deliverable done late, from the submission's date.
        let store = db.open().await;
        let c = kehoach::compliance::plan_compliance(&store, f, day("2024-12-01"), None).await.unwrap();
        let task = c.tasks.iter().find(|t| t.title == "Báo cáo kết quả thực hiện").unwrap();
        let states: Vec<_> = task.assignments.iter().map(|a| a.state).collect();
        assert!(states.contains(&Some(kehoach_core::compliance::DeadlineState::DoneLate)), "{states:?}");
        // Returned: the deliverable is not done any more.
        let (code, _, err) = run_cli(db, &["report", "review", &req, "--unit", "T49.H1", "--return", "Thiếu phụ lục"]);
        assert_eq!(code, 0, "{err}");
        let c = kehoach::compliance::plan_compliance(&store, f, day("2024-12-01"), None).await.unwrap();
        let task = c.tasks.iter().find(|t| t.title == "Báo cáo kết quả thực hiện").unwrap();
        assert!(task.assignments.iter().all(|a| a.state == Some(kehoach_core::compliance::DeadlineState::NotDoneOverdue)));
        // A unit not asked cannot submit.
        let (code, _, err) = run_cli(db, &["report", "submit", &req, "--unit", "T49.BAO", "--number", "1", "--date", "2024-11-18", "--signer", "C"]);
        assert_eq!(code, 2);
        assert!(err.contains("is not asked"), "{err}");
        store.close().await;
    }

    async fn a_district_compiled_report_is_its_submission_to_the_province(db: &common::TestDb) {
        let f = common::fixture::plan_without_activities(db).await;
        let store = &f.store;
        let by = Change::system("test");
        // The province's report deliverable asks the station and the district (by 15/11).
        let list = cli_json(db, &["report-request", "list", "--plan", &f.plan_id.to_string(), "--json"]);
        let up = list[0]["id"].as_i64().unwrap();
        // The district's own plan implements the province's; its commune reports to it by 10/11.
        let district_plan = store
            .create_plan(&NewPlan {
                number: Some("120/KH-UBND".into()),
                title: "Kế hoạch truyền thông chuyển đổi số huyện Sơn Hà năm 2024".into(),
                issuer: Some("UBND huyện Sơn Hà".into()),
                issued_on: Some(day("2024-02-01")),
                period_from: Some(day("2024-01-01")),
                period_to: Some(day("2024-12-31")),
                context_unit_id: Some(f.district),
                grace_days: 7,
                source_name: "huyen.txt".into(),
                source_sha256: "01".into(),
                extraction: serde_json::json!({"schema": "kehoach.plan/1"}),
                references: vec!["3604/KH-UBND".into()],
                tasks: vec![NewTask {
                    reference: "1".into(),
                    title: "Báo cáo kết quả thực hiện Kế hoạch".into(),
                    lead_text: "UBND xã Sơn Thủy".into(),
                    due: Some(day("2024-11-10")),
                    leads: vec![(f.commune, "exact".into())],
                    ..NewTask::default()
                }],
                ..NewPlan::default()
            }, &by)
            .await
            .unwrap()
            .plan_id;
        kehoach::plan_links::link(store, district_plan, f.plan_id, &by).await.unwrap();
        let list = cli_json(db, &["report-request", "list", "--plan", &district_plan.to_string(), "--json"]);
        let down = list[0]["id"].as_i64().unwrap();
        let r_down = reporting::request(store, down).await.unwrap();
        let commune = reporting::author(store, &r_down, "T49.H1.X1").await.unwrap();
        reporting::save_draft(store, &r_down, &commune, &Sections { results: "Xã đã phát 48 bản tin trên loa truyền thanh.".into(), ..Sections::default() }, None, &by).await.unwrap();
        let (code, _, err) = run_cli(db, &["report", "submit", &down.to_string(), "--unit", "T49.H1.X1", "--number", "15/BC-UBND", "--date", "2024-11-08", "--signer", "Phạm Văn C"]);
        assert_eq!(code, 0, "{err}");
        let (code, _, err) = run_cli(db, &["report", "review", &down.to_string(), "--unit", "T49.H1.X1", "--accept"]);
        assert_eq!(code, 0, "{err}");
        // The commune's report is addressed to the office that asked it: the district's.
        let commune_docx = db.data_dir().join("xa.docx");
        let (code, _, err) = run_cli(db, &["report", "draft", &down.to_string(), "--unit", "T49.H1.X1", "-o", commune_docx.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let text = document_text(&std::fs::read(&commune_docx).unwrap());
        let to: String = text[text.find("Kính gửi").expect("Kính gửi")..].chars().take(60).collect();
        assert!(to.contains("UBND huyện Sơn Hà"), "{to}");

        // The district's compiled report knows where it goes.
        let office = reporting::author(store, &r_down, "T49.H1").await.unwrap();
        assert!(office.compiled);
        let d = reporting::draft(store, &r_down, office.clone(), day("2024-11-12")).await.unwrap();
        let upward = d.upward.as_ref().expect("the province's request above");
        assert_eq!((upward.request.id, upward.unit_id), (up, f.district));
        assert!(d.submitted.is_none());
        let own = Sections { results: "Huyện đã chỉ đạo các xã tuyên truyền đầy đủ.".into(), ..Sections::default() };
        let v = reporting::save_draft(store, &r_down, &office, &own, None, &by).await.unwrap().version;
        let (code, _, err) = run_cli(db, &["report", "submit", &down.to_string(), "--unit", "T49.H1", "--number", "45/BC-UBND", "--date", "2024-11-12", "--signer", "Nguyễn Văn D"]);
        assert_eq!(code, 0, "{err}");

        // It is the district's submission to the province's request, once.
        let status = cli_json(db, &["report-request", "status", &up.to_string(), "--at", "2024-11-20", "--json"]);
        let district = status["units"].as_array().unwrap().iter().find(|u| u["code"] == "T49.H1").unwrap().clone();
        assert_eq!((district["state"].as_str(), district["deadline_state"].as_str()), (Some("submitted_on_time"), Some("done_on_time")), "{district}");
        assert_eq!(district["submission"]["number"], "45/BC-UBND");
        let sent = store.live_submission(up, f.district).await.unwrap().unwrap();
        assert_eq!((sent.signer.as_str(), sent.signed_on), ("Nguyễn Văn D", day("2024-11-12")));
        assert!(sent.sections.contains("Huyện đã chỉ đạo"), "{}", sent.sections);
        assert!(store.live_submission(down, f.district).await.unwrap().is_none(), "recorded above, not twice");
        // Its frozen .docx is the compiled report, quoting the commune with attribution; the
        // district's `compile` gives the same bytes from now on.
        let above = db.data_dir().join("len-tinh.docx");
        let (code, _, err) = run_cli(db, &["report", "draft", &up.to_string(), "--unit", "T49.H1", "-o", above.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let bytes = std::fs::read(&above).unwrap();
        assert_eq!(sha256_hex(&bytes), sent.docx_sha256);
        let text = document_text(&bytes);
        assert!(text.contains("UBND xã Sơn Thủy (Báo cáo số 15/BC-UBND ngày 08/11/2024): “Xã đã phát 48 bản tin trên loa truyền thanh.”"), "{text}");
        assert!(text.contains("Huyện đã chỉ đạo các xã tuyên truyền đầy đủ."), "{text}");
        assert!(text.contains("45/BC-UBND"), "{text}");
        let compiled = db.data_dir().join("huyen.docx");
        let (code, _, err) = run_cli(db, &["report", "compile", &down.to_string(), "-o", compiled.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(sha256_hex(&std::fs::read(&compiled).unwrap()), sent.docx_sha256);
        // The province's deliverable is done by it, on time.
        let c = kehoach::compliance::plan_compliance(store, f.plan_id, day("2024-11-20"), None).await.unwrap();
        let task = c.tasks.iter().find(|t| t.title == "Báo cáo kết quả thực hiện").unwrap();
        let of_district = task.assignments.iter().find(|a| a.unit.code == "T49.H1").unwrap();
        assert_eq!(of_district.state, Some(kehoach_core::compliance::DeadlineState::DoneOnTime));

        // Frozen while it waits above: no edit, no second submission.
        let e = reporting::save_draft(store, &r_down, &office, &own, Some(v), &by).await.unwrap_err();
        assert!(matches!(e, ChainError::Conflict(_)), "{e}");
        let (code, _, _) = run_cli(db, &["report", "submit", &down.to_string(), "--unit", "T49.H1", "--number", "46/BC-UBND", "--date", "2024-11-13", "--signer", "Nguyễn Văn D"]);
        assert_eq!(code, 2);
        // Returned by the province: the district revises its compiled report and resubmits.
        let (code, _, err) = run_cli(db, &["report", "review", &up.to_string(), "--unit", "T49.H1", "--return", "Bổ sung số liệu các xã"]);
        assert_eq!(code, 0, "{err}");
        assert!(reporting::draft(store, &r_down, office.clone(), day("2024-11-13")).await.unwrap().submitted.is_none());
        let revised = Sections { results: "Huyện đã chỉ đạo 12 xã tuyên truyền đầy đủ.".into(), ..Sections::default() };
        reporting::save_draft(store, &r_down, &office, &revised, Some(v), &by).await.unwrap();
        let (code, _, err) = run_cli(db, &["report", "submit", &down.to_string(), "--unit", "T49.H1", "--number", "46/BC-UBND", "--date", "2024-11-14", "--signer", "Nguyễn Văn D"]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = run_cli(db, &["report", "review", &up.to_string(), "--unit", "T49.H1", "--accept"]);
        assert_eq!((code, out.trim()), (0, "accepted"), "{err}");
        let mine: Vec<_> = store.report_submissions(up).await.unwrap().into_iter().filter(|s| s.unit_id == f.district).collect();
        assert_eq!(mine.iter().map(|s| (s.number.as_str(), s.state.as_str())).collect::<Vec<_>>(),
            [("45/BC-UBND", "returned"), ("46/BC-UBND", "accepted")]);
        // A unit's own report goes nowhere above.
        assert!(reporting::draft(store, &r_down, commune, day("2024-11-13")).await.unwrap().upward.is_none());

        // A province asks a district's people's committee, the district's plan is the
        // district's own: the committee answers for the district's work, so the compiled report
        // goes to that request — here an ad-hoc one due nearer the district's own deadline.
        db.raw_execute(&format!("UPDATE units SET kind = 'district' WHERE id = {}", f.district)).await.unwrap();
        let committee = store
            .create_unit(&NewUnit { code: "T49.H1.UBND".into(), name: "Ủy ban nhân dân huyện Sơn Hà".into(), kind: "agency".into(),
                category: Some("people_committee".into()), parent_id: Some(f.district), ..NewUnit::default() }, &by)
            .await
            .unwrap()
            .id;
        let adhoc = reporting::add_request(store, &reporting::AddRequest { plan_id: f.plan_id, title: "Báo cáo nhanh".into(),
            due: day("2024-11-11"), period: Some("2024".into()), units: vec!["T49.H1.UBND".into()], ..Default::default() }, &by)
            .await
            .unwrap()[0];
        let d = reporting::draft(store, &r_down, office, day("2024-11-13")).await.unwrap();
        let upward = d.upward.as_ref().expect("the committee's request above");
        assert_eq!((upward.request.id, upward.unit_id), (adhoc, committee));
    }

    async fn a_recurring_request_follows_the_cut_off(db: &common::TestDb) {
        let f = plan_without_activities_store(db).await;
        let (code, out, err) = run_cli(db, &["report-request", "add", "--plan", &f.to_string(), "--title", "Báo cáo tháng", "--due", "2024-05-20", "--period", "2024-05", "--repeat", "3"]);
        assert_eq!(code, 0, "{err}");
        let ids: Vec<i64> = out.lines().map(|l| l.trim().parse().unwrap()).collect();
        assert_eq!(ids.len(), 3);
        let store = db.open().await;
        let spans: Vec<_> = {
            let mut v = Vec::new();
            for id in &ids {
                let r = store.report_request(*id).await.unwrap().unwrap();
                v.push((r.period_from, r.period_to, r.due, r.kind));
            }
            v
        };
        assert_eq!(spans[0], (day("2024-04-15"), day("2024-05-14"), day("2024-05-20"), "recurring".to_string()));
        assert_eq!(spans[2], (day("2024-06-15"), day("2024-07-14"), day("2024-07-20"), "recurring".to_string()));
        // Calendar periods when asked; default units: the plan's lead units.
        let (_, out, _) = run_cli(db, &["report-request", "add", "--plan", &f.to_string(), "--title", "Quý 3", "--due", "2024-10-05", "--period", "2024-Q3", "--calendar"]);
        let r = store.report_request(out.trim().parse().unwrap()).await.unwrap().unwrap();
        assert_eq!((r.period_from, r.period_to), (day("2024-07-01"), day("2024-09-30")));
        assert_eq!(store.report_request_units(r.id).await.unwrap().len(), 4);
        store.close().await;
    }

    async fn drafts_survive_a_kill_and_a_stale_save_gets_409_with_the_other_version(db: &common::TestDb) {
        let f = common::fixture::plan_without_activities(db).await;
        let (plan, station) = (f.plan_id, f.station);
        f.store.close().await;
        let token = common::admin_token(&db.cli_args());
        let http = common::http();
        let server = common::Server::start(&db.cli_args());
        let created: serde_json::Value = http.post(server.url(&format!("/api/v1/plans/{plan}/report-requests")))
            .bearer_auth(&token)
            .json(&serde_json::json!({"title": "Báo cáo nhanh", "due": "2024-11-15", "units": ["T49.DAI"], "questions": ["Khó khăn?"]}))
            .send().await.unwrap().json().await.unwrap();
        let req = created["ids"][0].as_i64().unwrap();
        let draft = server.url(&format!("/api/v1/report-requests/{req}/drafts/{station}"));
        let put = |body: serde_json::Value| http.put(&draft).bearer_auth(&token).json(&body).send();
        let first = put(serde_json::json!({"sections": {"results": "Bản của người thứ nhất", "answers": ["Thiếu người"]}, "version": null})).await.unwrap();
        assert_eq!(first.status(), 200);
        // A second editor who loaded the page before the first save: 409 with the saved version.
        let second = put(serde_json::json!({"sections": {"results": "Bản của người thứ hai"}, "version": null})).await.unwrap();
        assert_eq!(second.status(), 409);
        let body: serde_json::Value = second.json().await.unwrap();
        assert_eq!(body["draft"]["version"], 1);
        assert_eq!(body["draft"]["sections"]["results"], "Bản của người thứ nhất");
        assert!(body["error"].as_str().unwrap().contains("changed by someone else"));
        let third = put(serde_json::json!({"sections": {"results": "Bản đã gộp"}, "version": 1})).await.unwrap();
        assert_eq!(third.status(), 200);
        // Too many answers, an unknown field: 400 naming it, nothing stored.
        let bad = put(serde_json::json!({"sections": {"answers": ["a", "b"]}, "version": 2})).await.unwrap();
        assert_eq!(bad.status(), 400);
        let bad = put(serde_json::json!({"sections": {"html": "<p>x</p>"}, "version": 2})).await.unwrap();
        assert_eq!(bad.status(), 422, "an unknown field is refused as the API refuses any");
        // kill -9, and a new server (a small upload cap, for the scan below): the draft is there.
        drop(server);
        let server = common::Server::start_with(&db.cli_args(), &["--max-upload-bytes", "4096"]);
        let got: serde_json::Value = http.get(server.url(&format!("/api/v1/report-requests/{req}/drafts/{station}")))
            .bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(got["version"], 2);
        assert_eq!(got["sections"]["results"], "Bản đã gộp");
        // The signed scan through the API: a form with a `scan` part. One that is not a PDF
        // (whatever its name says) or is over the upload cap is refused, and nothing is submitted.
        let submit = server.url(&format!("/api/v1/report-requests/{req}/drafts/{station}/submit"));
        let form = |scan: Vec<u8>| reqwest::multipart::Form::new()
            .text("number", "5/BC")
            .text("date", "2024-11-10")
            .text("signer", "Lê A")
            .part("scan", reqwest::multipart::Part::bytes(scan).file_name("ban-ky.pdf"));
        let fake = http.post(&submit).bearer_auth(&token).multipart(form(b"<html>not a pdf</html>".to_vec())).send().await.unwrap();
        assert_eq!(fake.status(), 400);
        let fake: serde_json::Value = fake.json().await.unwrap();
        assert!(fake["error"].as_str().unwrap().starts_with("scan:"), "{fake}");
        let mut big = PDF.to_vec();
        big.resize(5000, b' ');
        let big = http.post(&submit).bearer_auth(&token).multipart(form(big)).send().await.unwrap();
        assert_eq!(big.status(), 413);
        let store = db.open().await;
        assert!(store.report_submissions(req).await.unwrap().is_empty(), "a refused scan submits nothing");
        // A PDF within the cap: submitted with its scan, content-addressed.
        let made = http.post(&submit).bearer_auth(&token).multipart(form(PDF.to_vec())).send().await.unwrap();
        assert_eq!(made.status(), 201);
        let made: serde_json::Value = made.json().await.unwrap();
        assert_eq!(made["scan_sha256"].as_str(), Some(sha256_hex(PDF).as_str()));
        store.close().await;
        // Submitted: a second submission and any edit are refused (409).
        let body = serde_json::json!({"number": "5/BC", "date": "2024-11-10", "signer": "Lê A"});
        assert_eq!(http.post(&submit).bearer_auth(&token).json(&body).send().await.unwrap().status(), 409);
        let edit = http.put(server.url(&format!("/api/v1/report-requests/{req}/drafts/{station}"))).bearer_auth(&token)
            .json(&serde_json::json!({"sections": {"results": "sửa"}, "version": 2})).send().await.unwrap();
        assert_eq!(edit.status(), 409);
        let review = server.url(&format!("/api/v1/report-requests/{req}/drafts/{station}/review"));
        let r = http.post(&review).bearer_auth(&token).json(&serde_json::json!({"accept": false})).send().await.unwrap();
        assert_eq!(r.status(), 400, "returning needs a reason");
        let r = http.post(&review).bearer_auth(&token).json(&serde_json::json!({"accept": true})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(http.post(&submit).bearer_auth(&token).json(&body).send().await.unwrap().status(), 409);
        let board: serde_json::Value = http.get(server.url(&format!("/api/v1/report-requests/{req}")))
            .bearer_auth(&token).send().await.unwrap().json().await.unwrap();
        assert_eq!(board["units"][0]["state"], "accepted");
    }
}

/// The fixture plan without activities; returns its id (the store is closed again).
async fn plan_without_activities_store(db: &common::TestDb) -> i64 {
    let f = common::fixture::plan_without_activities(db).await;
    f.store.close().await;
    f.plan_id
}
