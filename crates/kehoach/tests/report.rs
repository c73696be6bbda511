//! The year-end report (.docx): its text against the compliance engine, its layout in
//! LibreOffice (the PDF pages are saved as PNG under `<target>/test-artifacts/report/`), the CLI
//! and the download route.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fixture::{day, plan_fixture};
use kehoach::compliance::plan_compliance;
use kehoach::export::{ReportOverrides, vn};
use kehoach::store::Backend;

/// `<target>/test-artifacts/report/`: CARGO_TARGET_TMPDIR is `<target>/tmp`.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts/report");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn part(docx: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip");
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} missing"))
        .read_to_string(&mut s)
        .unwrap();
    s
}

/// The text of document.xml, paragraph by paragraph (tags dropped, entities decoded).
fn paragraphs(docx: &[u8]) -> Vec<String> {
    let xml = part(docx, "word/document.xml");
    xml.split("</w:p>")
        .map(|p| {
            let mut text = String::new();
            let mut rest = p;
            // A text element is `<w:t>` or `<w:t xml:space=…>` (not `<w:tbl>`, `<w:tc>`, …).
            while let Some(start) = rest
                .find("<w:t>")
                .into_iter()
                .chain(rest.find("<w:t "))
                .min()
            {
                let after = &rest[start..];
                let open_end = after.find('>').unwrap();
                let close = after.find("</w:t>").unwrap();
                text.push_str(&after[open_end + 1..close]);
                rest = &after[close..];
            }
            text.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
        })
        .filter(|t| !t.is_empty())
        .collect()
}

on_both_backends! {
    async fn the_report_says_what_the_engine_says(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let at = day("2024-11-20");
        let overrides = ReportOverrides {
            issuing_body: Some("Sở Khoa học và Công nghệ".into()),
            parent_body: Some("UBND tỉnh Thử Nghiệm".into()),
            recipients: vec!["Ủy ban nhân dân tỉnh Thử Nghiệm".into()],
            number: Some(5),
            ..ReportOverrides::default()
        };
        let (content, docx) = kehoach::export::report_docx(&f.store, f.plan_id, None, 2024, at, &overrides)
            .await
            .unwrap();
        let engine = plan_compliance(&f.store, f.plan_id, at, None).await.unwrap();
        // Every task's figures are the engine's (the plan lies within 2024).
        assert_eq!(content.figures.len(), engine.tasks.len());
        for (fig, task) in content.figures.iter().zip(&engine.tasks) {
            assert_eq!(fig.task_id, task.task_id);
            let (a, b) = (&fig.tally, &task.summary.tally);
            assert_eq!((a.met, a.ended, a.on_time), (b.met, b.ended, b.on_time), "task {}", task.reference);
            assert_eq!(a.achieved_total, b.achieved_total);
            assert_eq!(a.deadlines, b.deadlines);
        }
        let text = paragraphs(&docx);
        let all = text.join("\n");
        // The weekly task: its met/ended and rate as the engine counts them, written the Vietnamese way.
        let weekly = &engine.tasks[0].summary;
        let expected = format!(
            "{}/{} kỳ đã kết thúc đạt chỉ tiêu (tỷ lệ {})",
            weekly.tally.met,
            weekly.tally.ended,
            vn::percent(weekly.reporting_rate)
        );
        assert!(all.contains(&expected), "missing {expected:?} in\n{all}");
        assert!(weekly.tally.met > 0 && weekly.tally.met < weekly.tally.ended);
        // The plan total: 5 of 12 articles.
        assert!(all.contains("đã thực hiện 5 tin, bài, đạt 41,7% so với chỉ tiêu 12 tin, bài"), "{all}");
        // The deliverable: the station's report done on time, the district's overdue.
        assert!(all.contains("1 đơn vị hoàn thành đúng hạn; 1 đơn vị chưa hoàn thành, đã quá hạn"), "{all}");
        // Shortcomings name the missed weeks and the overdue deliverable.
        assert!(all.contains("Đài Phát thanh và Truyền hình tỉnh: 4 kỳ không thực hiện (Tuần 10/2024, Tuần 11/2024, Tuần 45/2024, Tuần 46/2024)"), "{all}");
        assert!(all.contains("UBND huyện Sơn Hà: chưa hoàn thành nhiệm vụ “Báo cáo kết quả thực hiện”, đã quá hạn (15/11/2024)"), "{all}");
        // The Decree's fixed parts, in order.
        let order = [
            "UBND TỈNH THỬ NGHIỆM",
            "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "Độc lập - Tự do - Hạnh phúc",
            "Số: 05/BC-SKHCN",
            "Thử Nghiệm, ngày 20 tháng 11 năm 2024",
            "BÁO CÁO",
            "Kết quả thực hiện Kế hoạch truyền thông chuyển đổi số năm 2024",
            "Kính gửi: Ủy ban nhân dân tỉnh Thử Nghiệm.",
            "I. KẾT QUẢ THỰC HIỆN",
            "II. TỒN TẠI, HẠN CHẾ",
            "III. ĐỀ XUẤT, KIẾN NGHỊ",
            "Nơi nhận:",
            "- Như trên;",
            "- Lưu: VT, SKHCN.",
            "GIÁM ĐỐC",
        ];
        let mut from = 0;
        for want in order {
            let at = text[from..].iter().position(|p| p == want).unwrap_or_else(|| panic!("{want:?} not found after paragraph {from}:\n{all}"));
            from += at;
        }
        assert!(text.iter().any(|p| p.ends_with("./.")), "the body ends with ./.");
        // A4, margins 20/20/30/15 mm, Times New Roman 14, page numbers from page 2.
        let xml = part(&docx, "word/document.xml");
        assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
        assert!(xml.contains(r#"w:top="1134" w:right="850" w:bottom="1134" w:left="1701""#));
        assert!(xml.contains("<w:titlePg/>"));
        let styles = part(&docx, "word/styles.xml");
        assert!(styles.contains(r#"w:ascii="Times New Roman""#) && styles.contains(r#"<w:sz w:val="28"/>"#));
        assert!(part(&docx, "word/header1.xml").contains("PAGE"));

        // Limited to the district and what is under it: only their tasks' figures.
        let (content, _) = kehoach::export::report_docx(&f.store, f.plan_id, Some("T49.H1"), 2024, at, &ReportOverrides::default())
            .await
            .unwrap();
        let units: Vec<&str> = content.table.iter().map(|r| r.unit.as_str()).collect();
        assert_eq!(units, ["UBND huyện Sơn Hà", "UBND xã Sơn Thủy", "UBND huyện Sơn Hà"]);
        assert_eq!(content.issuing_body, "UBND HUYỆN SƠN HÀ");

        if f.store.backend() == Backend::Sqlite {
            render_in_libreoffice(&docx);
        }
    }

    async fn the_cli_and_the_route_give_the_report(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let out = tempfile::tempdir().unwrap();
        let file = out.path().join("bao-cao.docx");
        let plan = f.plan_id.to_string();
        let (code, _, err) = common::run_cli(db, &["report", "--plan", &plan, "--period", "2024", "--format", "docx",
            "-o", file.to_str().unwrap(), "--date", "2024-11-05", "--to", "Bộ Khoa học và Công nghệ", "--to", "UBND tỉnh Thử Nghiệm"]);
        assert_eq!(code, 0, "{err}");
        let text = paragraphs(&std::fs::read(&file).unwrap());
        assert!(text.iter().any(|p| p == "Thử Nghiệm, ngày 05 tháng 11 năm 2024"), "{text:?}");
        // Several recipients: one per line, ";" then "." at the last.
        let at = text.iter().position(|p| p == "Kính gửi:").expect("Kính gửi");
        assert_eq!(text[at + 1..at + 3], ["- Bộ Khoa học và Công nghệ;", "- UBND tỉnh Thử Nghiệm."]);
        // Bad input is named, and no file is left behind.
        let bad = out.path().join("bad.docx");
        let (code, _, err) = common::run_cli(db, &["report", "--plan", &plan, "--period", "năm nay", "-o", bad.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(err.contains("period: expected a year such as 2024"), "{err}");
        assert!(!bad.exists());
        let (code, _, err) = common::run_cli(db, &["report", "--plan", "9999", "--period", "2024", "-o", bad.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(err.contains("plan 9999 not found"), "{err}");

        let server = common::Server::start(&db.cli_args());
        let token = common::admin_token(&db.cli_args());
        let http = common::http();
        let get = |path: String| http.get(server.url(&path)).bearer_auth(&token).send();
        let res = get(format!("/api/v1/plans/{plan}/report.docx?period=2024&unit=T49.H1")).await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        assert!(res.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        let text = paragraphs(&res.bytes().await.unwrap());
        assert!(text.iter().any(|p| p == "UBND HUYỆN SƠN HÀ"), "{text:?}");
        let res = get(format!("/api/v1/plans/{plan}/report.docx?period=24")).await.unwrap();
        assert_eq!(res.status(), 400);
        let res = get("/api/v1/plans/9999/report.docx?period=2024".into()).await.unwrap();
        assert_eq!(res.status(), 404);
        let res = http.get(server.url(&format!("/api/v1/plans/{plan}/report.docx"))).send().await.unwrap();
        assert_eq!(res.status(), 401);
        // A reporter of the commune may have its own part, not the whole plan.
        let mut args: Vec<String> = db.cli_args();
        args.extend(["user", "add", "xa", "--role", "reporter", "--unit", "T49.H1.X1"].map(String::from));
        let (code, _, err) = common::cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(code, 0, "{err}");
        let mut args: Vec<String> = db.cli_args();
        args.extend(["user", "token", "xa"].map(String::from));
        let (_, out, _) = common::cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
        let reporter = out.lines().last().unwrap().trim().to_string();
        let as_reporter = |path: String| http.get(server.url(&path)).bearer_auth(&reporter).send();
        assert_eq!(as_reporter(format!("/api/v1/plans/{plan}/report.docx?period=2024")).await.unwrap().status(), 403);
        assert_eq!(as_reporter(format!("/api/v1/plans/{plan}/report.docx?period=2024&unit=T49.H1")).await.unwrap().status(), 403);
        assert_eq!(as_reporter(format!("/api/v1/plans/{plan}/report.docx?period=2024&unit=T49.H1.X1")).await.unwrap().status(), 200);
    }
}

/// Converts the report with LibreOffice, checks the PDF's text, and saves its pages as PNG.
fn render_in_libreoffice(docx: &[u8]) {
    let work = tempfile::tempdir().unwrap();
    let input = work.path().join("bao-cao.docx");
    std::fs::write(&input, docx).unwrap();
    // A profile of its own, so a LibreOffice already running elsewhere cannot take the job.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        work.path().display()
    );
    let status = Command::new("libreoffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(work.path())
        .arg(&input)
        .status()
        .expect("libreoffice is installed (cargo xtask test installs libreoffice-writer-nogui)");
    assert!(status.success(), "libreoffice --convert-to pdf failed");
    let pdf = work.path().join("bao-cao.pdf");
    assert!(pdf.exists(), "no PDF written");
    let dir = artifacts();
    std::fs::copy(&pdf, dir.join("bao-cao.pdf")).unwrap();
    let text = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    for want in [
        "BÁO CÁO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nơi nhận:",
    ] {
        assert!(text.contains(want), "{want:?} not in the PDF:\n{text}");
    }
    for old in std::fs::read_dir(&dir).unwrap().flatten() {
        if old.path().extension().is_some_and(|e| e == "png") {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "80"])
        .arg(&pdf)
        .arg(dir.join("page"))
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    let pages = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|e| e == "png"))
        .count();
    assert!(pages >= 2, "the report fills at least two pages ({pages})");
}
