//! The period report (.docx) on the demo's corpus plans, as a user gets it: every variant (a
//! province's plan, a city's plan, a city, an agency, a ward; a year, a half, a quarter, a month)
//! checked against the compliance engine figure by figure, read for its language, and converted
//! by LibreOffice to count its pages and see where the signature falls (the PDFs and their pages
//! as PNG are saved under `<target>/test-artifacts/report/`); the CLI and the download route.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::fixture::{day, plan_fixture};
use kehoach::compliance::plan_compliance;
use kehoach::export::report::ReportContent;
use kehoach::export::report_period::ReportPeriod;
use kehoach::export::{ReportOverrides, report_docx};
use kehoach::store::{Backend, Store};
use kehoach_core::compliance::Tally;
use kehoach_core::text::fold;

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
    async fn the_demo_reports_read_as_a_signed_report(db: &common::TestDb) {
        let store = db.open().await;
        kehoach::demo::corpus::build(&store).await.unwrap();
        let plans = store.plans().await.unwrap();
        let plan = |words: &str| plans.iter().find(|p| fold(&p.title).contains(words)).unwrap().id;
        let (quang_nam, tam_ky) = (plan("quang nam nam 2024"), plan("tam ky"));
        // Written in February 2025: the year 2024 is over.
        let today = day("2025-02-10");
        let lo = db_is_sqlite(&store);
        // (name, plan, unit, period)
        let variants: [(&str, i64, Option<&str>, &str); 8] = [
            ("tinh-nam", quang_nam, None, "2024"),
            ("tinh-quy3", quang_nam, None, "2024-Q3"),
            ("tinh-6thang", quang_nam, None, "2024-H1"),
            ("dai", quang_nam, Some("49.DPTTH"), "2024"),
            ("thanhpho-tren-tinh", quang_nam, Some("502"), "2024"),
            ("thanhpho-nam", tam_ky, None, "2024"),
            ("phuong", tam_ky, Some("20341.UBND"), "2024"),
            ("thanhpho-thang5", tam_ky, None, "2024-05"),
        ];
        // The reports LibreOffice lays out (SQLite's run: the documents are the same), all in
        // one conversion after the loop.
        let mut rendered: Vec<(&str, Vec<u8>)> = Vec::new();
        for (name, plan_id, unit, period) in variants {
            let period = ReportPeriod::parse(period).unwrap();
            let (content, docx) = report_docx(&store, plan_id, unit, period, today, &ReportOverrides::default())
                .await
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let text = paragraphs(&docx);
            let names = figures_agree_with_the_engine(&store, plan_id, unit, period, today, &content, name).await;
            reads_well(&text, &names, name);
            if lo {
                rendered.push((name, docx));
            }
            let all = text.join("\n");
            // The parts a reader of such reports looks for.
            for want in ["I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", "II. KẾT QUẢ THỰC HIỆN", "1. Kết quả chung",
                "2. Kết quả theo loại hình truyền thông", "3. Kết quả thực hiện các nội dung của Kế hoạch",
                "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN", "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ ĐỀ XUẤT", "Nơi nhận:",
                "Phụ lục 01", "Phụ lục 02"] {
                assert!(text.iter().any(|p| p == want), "{name}: {want:?} missing");
            }
            let signature = text.iter().position(|p| p == "Nơi nhận:").unwrap();
            let appendix = text.iter().position(|p| p == "Phụ lục 01").unwrap();
            assert!(appendix > signature, "{name}: Phụ lục after the signature");
            assert!(all.contains("(Kèm theo Báo cáo số"), "{name}");
            // Only deadlines of the reported period are named.
            for date in dates_in(&all) {
                assert!(date.ends_with(&format!("/{}", period.year)), "{name}: a date outside {}: {date}", period.year);
            }
            match name {
                "tinh-nam" => {
                    assert_eq!(content.issuing_body, "UBND TỈNH QUẢNG NAM");
                    assert_eq!(content.parent_body, "");
                    assert!(content.place_date.starts_with("Quảng Nam, "), "{}", content.place_date);
                    assert!(content.number_line.ends_with("/BC-UBND"));
                    // A province's report goes to the ministry of its day (before the March 2025
                    // merger, Information and Communications).
                    assert_eq!(content.recipients, ["Bộ Thông tin và Truyền thông."]);
                    assert!(all.contains("chỉ tiêu đạt và vượt"), "scorecard");
                    assert!(!content.channels.is_empty(), "totals by channel");
                    assert!(all.contains("Bên cạnh kết quả đạt được"), "grouped shortcomings");
                    // The annual targets are judged at the year's end: none is left open.
                    let engine = plan_compliance(&store, plan_id, day("2025-01-01"), None).await.unwrap();
                    let yearly: usize = engine.tasks.iter().flat_map(|t| &t.assignments)
                        .flat_map(|a| &a.targets).filter(|t| t.per == kehoach_core::period::Per::Year)
                        .filter(|t| t.periods.iter().all(|p| p.ended())).count();
                    assert!(yearly >= 3, "yearly targets ended at the year's end: {yearly}");
                    assert_eq!(content.scorecard.running, 0);
                }
                "thanhpho-tren-tinh" | "thanhpho-nam" => {
                    assert_eq!(content.issuing_body, "UBND THÀNH PHỐ TAM KỲ", "{name}");
                    assert_eq!(content.parent_body, "", "{name}");
                    assert!(content.place_date.starts_with("Tam Kỳ, "), "{name}: {}", content.place_date);
                    assert!(content.recipients.iter().any(|r| r.contains("Ủy ban nhân dân tỉnh Quảng Nam")), "{name}: {:?}", content.recipients);
                    assert!(!content.recipients.iter().any(|r| r.starts_with("Bộ")), "{name}: a city reports to its province");
                    // The wards' work is in it.
                    assert!(all.contains("Đài Truyền thanh phường"), "{name}: the wards' stations");
                }
                "dai" => {
                    assert_eq!(content.parent_body, "UBND TỈNH QUẢNG NAM");
                    assert_eq!(content.issuing_body, "ĐÀI PHÁT THANH VÀ TRUYỀN HÌNH QUẢNG NAM");
                    assert_eq!(content.number_line, "Số:       /BC-ĐPTTH");
                    assert!(!all.contains("chưa giao"), "an agency's report speaks of its own tasks");
                    assert!(!all.contains("Đài Truyền thanh"), "no other unit's work");
                }
                "phuong" => {
                    assert_eq!(content.issuing_body, "UBND PHƯỜNG AN MỸ");
                    assert!(content.place_date.starts_with("An Mỹ, "));
                    assert_eq!(content.recipients, ["Ủy ban nhân dân thành phố Tam Kỳ."]);
                }
                "tinh-quy3" => assert!(content.summary.ends_with("quý III năm 2024"), "{}", content.summary),
                "tinh-6thang" => assert!(content.summary.ends_with("6 tháng đầu năm 2024"), "{}", content.summary),
                "thanhpho-thang5" => assert!(content.summary.ends_with("tháng 5 năm 2024"), "{}", content.summary),
                _ => {}
            }
        }
        store.close().await;
        for (name, pdf) in render_in_libreoffice(&rendered) {
            assert!(pdf.body_pages >= 1 && pdf.body_pages < pdf.pages, "{name}: Phụ lục after the signature: {pdf:?}");
            if name == "tinh-nam" {
                assert!(pdf.body_pages <= 6, "{name}: body of {} pages", pdf.body_pages);
                assert!(pdf.pages <= 25, "{name}: {} pages", pdf.pages);
            }
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
        let docx = std::fs::read(&file).unwrap();
        let text = paragraphs(&docx);
        assert!(text.iter().any(|p| p == "Thử Nghiệm, ngày 05 tháng 11 năm 2024"), "{text:?}");
        // A4, margins 20/20/30/15 mm, Times New Roman 14, page numbers from page 2; the first
        // Phụ lục turned to landscape.
        let xml = part(&docx, "word/document.xml");
        assert!(xml.contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#));
        assert!(xml.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#));
        assert!(xml.contains(r#"w:top="1134" w:right="850" w:bottom="1134" w:left="1701""#));
        assert_eq!(xml.matches("<w:titlePg/>").count(), 1);
        let styles = part(&docx, "word/styles.xml");
        assert!(styles.contains(r#"w:ascii="Times New Roman""#) && styles.contains(r#"<w:sz w:val="28"/>"#));
        assert!(part(&docx, "word/header1.xml").contains("PAGE"));
        assert!(text.iter().any(|p| p.ends_with("./.")), "the body ends with ./.");
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
        let res = get(format!("/api/v1/plans/{plan}/report.docx?period=2024-Q5")).await.unwrap();
        assert_eq!(res.status(), 400);
        let res = get(format!("/api/v1/plans/{plan}/report.docx?period=2024-Q3")).await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("2024-q3"));
        let text = paragraphs(&res.bytes().await.unwrap());
        assert!(text.iter().any(|p| p.ends_with("quý III năm 2024")), "{text:?}");
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

fn db_is_sqlite(store: &Store) -> bool {
    store.backend() == Backend::Sqlite
}

/// Every figure of the report is the engine's on the day after the period (or today while it
/// runs), summed over the periods that end in it and the deadlines that fall in it — computed
/// here from the engine's periods, not by the report's code. Returns the names of the units the
/// report covers (for the language check).
async fn figures_agree_with_the_engine(
    store: &Store,
    plan_id: i64,
    unit: Option<&str>,
    period: ReportPeriod,
    today: chrono::NaiveDate,
    content: &ReportContent,
    name: &str,
) -> Vec<String> {
    let at = (period.to + chrono::Duration::days(1)).min(today);
    let scope = kehoach::export::scope(store, plan_id, unit, today)
        .await
        .unwrap();
    let engine = plan_compliance(store, plan_id, at, scope.only_units.as_ref())
        .await
        .unwrap();
    let tasks: Vec<_> = engine
        .tasks
        .iter()
        .filter(|t| !t.assignments.is_empty())
        .collect();
    assert_eq!(
        content.figures.len(),
        tasks.len(),
        "{name}: one figure per task with work in scope"
    );
    let mut names = Vec::new();
    for (fig, task) in content.figures.iter().zip(&tasks) {
        assert_eq!(fig.task_id, task.task_id);
        let mut want = Tally::default();
        for a in &task.assignments {
            names.push(a.unit.name.clone());
            for t in &a.targets {
                if t.per.is_recurring() {
                    for p in t
                        .periods
                        .iter()
                        .filter(|p| period.from <= p.end && p.end <= period.to)
                    {
                        want += Tally::of_period(p);
                    }
                }
            }
            if let (Some(due), Some(state)) = (task.due, a.state)
                && period.from <= due
                && due <= period.to
            {
                want.deadlines.count(state);
            }
        }
        let got = &fig.tally;
        assert_eq!(
            (got.met, got.ended, got.on_time),
            (want.met, want.ended, want.on_time),
            "{name}: task {}",
            task.reference
        );
        assert_eq!(
            got.deadlines, want.deadlines,
            "{name}: task {}",
            task.reference
        );
        assert!(
            (got.achieved_total - want.achieved_total).abs() < 1e-9,
            "{name}: task {}",
            task.reference
        );
    }
    // The scorecard's deliverables are the same deadlines.
    let deadlines: u64 = content
        .figures
        .iter()
        .map(|f| f.tally.deadlines.total())
        .sum();
    assert_eq!(content.scorecard.deadlines.total(), deadlines, "{name}");
    names.sort();
    names.dedup();
    names
}

/// A reader-independent check of the language: no replacement character, no word pair said
/// twice in a row ("kế hoạch kế hoạch"), no line naming more than 10 units.
fn reads_well(text: &[String], unit_names: &[String], name: &str) {
    for p in text {
        assert!(
            !p.contains('\u{FFFD}'),
            "{name}: a replacement character in {p:?}"
        );
        // Within a phrase: "… kinh phí thực hiện”; “Thực hiện báo cáo …" lists two titles.
        for phrase in p.split(|c: char| ";,.:“”\"()–".contains(c)) {
            let words: Vec<String> = phrase.split_whitespace().map(fold).collect();
            for i in 0..words.len().saturating_sub(3) {
                let pair = &words[i..i + 2];
                if pair.iter().all(|w| w.chars().any(char::is_alphabetic))
                    && pair == &words[i + 2..i + 4]
                {
                    panic!("{name}: {:?} twice in {p:?}", pair.join(" "));
                }
            }
        }
        let named = unit_names
            .iter()
            .filter(|u| u.len() > 12 && p.contains(u.as_str()))
            .count();
        assert!(
            named <= 10,
            "{name}: {named} units named in one line: {p:?}"
        );
    }
}

/// The dates written dd/mm/yyyy in a text.
fn dates_in(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    for i in 0..chars.len().saturating_sub(9) {
        let w: String = chars[i..i + 10].iter().collect();
        let b = w.as_bytes();
        if w.len() == 10
            && b[2] == b'/'
            && b[5] == b'/'
            && w.bytes()
                .enumerate()
                .all(|(j, c)| j == 2 || j == 5 || c.is_ascii_digit())
            && (i == 0 || !chars[i - 1].is_ascii_digit())
        {
            out.push(w);
        }
    }
    out
}

#[derive(Debug)]
struct Pdf {
    pages: usize,
    /// The page holding "Nơi nhận:" (1-based): the body ends there.
    body_pages: usize,
}

/// Converts reports with LibreOffice (one run for them all: each start of LibreOffice with a
/// fresh profile costs seconds of CPU), saves each PDF and its pages as PNG under
/// `test-artifacts/report/<name>/`, and reads where the signature falls: its page must also hold
/// the body's last words ("./.").
fn render_in_libreoffice<'a>(docs: &[(&'a str, Vec<u8>)]) -> Vec<(&'a str, Pdf)> {
    if docs.is_empty() {
        return Vec::new();
    }
    let work = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for (name, docx) in docs {
        let input = work.path().join(format!("{name}.docx"));
        std::fs::write(&input, docx).unwrap();
        inputs.push(input);
    }
    // A profile of its own, so a LibreOffice already running elsewhere cannot take the job.
    let profile = format!(
        "-env:UserInstallation=file://{}/profile",
        work.path().display()
    );
    let status = Command::new("libreoffice")
        .args([&profile, "--headless", "--convert-to", "pdf", "--outdir"])
        .arg(work.path())
        .args(&inputs)
        .status()
        .expect("libreoffice is installed (cargo xtask test installs libreoffice-writer-nogui)");
    assert!(status.success(), "libreoffice --convert-to pdf failed");
    docs.iter()
        .map(|(name, _)| (*name, read_pdf(work.path(), name)))
        .collect()
}

/// The PDF LibreOffice wrote for the report `name` into `work`, checked and kept (see
/// [`render_in_libreoffice`]).
fn read_pdf(work: &std::path::Path, name: &str) -> Pdf {
    let pdf = work.join(format!("{name}.pdf"));
    assert!(pdf.exists(), "{name}: no PDF written");
    let dir = artifacts().join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(&pdf, dir.join(format!("{name}.pdf"))).unwrap();
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&text.stdout);
    // pdftotext ends each page with a form feed.
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    for want in [
        "BÁO CÁO",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Nơi nhận:",
    ] {
        assert!(text.contains(want), "{name}: {want:?} not in the PDF");
    }
    let body_pages = pages.iter().position(|p| p.contains("Nơi nhận:")).unwrap() + 1;
    let signature_page = pages[body_pages - 1];
    assert!(
        signature_page.contains("./."),
        "{name}: the signature block stands alone on page {body_pages}"
    );
    let status = Command::new("pdftoppm")
        .args(["-png", "-r", "60"])
        .arg(&pdf)
        .arg(dir.join("trang"))
        .status()
        .expect("pdftoppm (poppler-utils)");
    assert!(status.success());
    Pdf {
        pages: pages.len(),
        body_pages,
    }
}
