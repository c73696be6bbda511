//! The .xlsx exports read back with calamine, and the DTI evidence pack unzipped: the values
//! are the engine's and the store's.

use crate::common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::fixture::{day, plan_fixture};
use kehoach::compliance::plan_compliance;

/// A sheet's table as rows of display strings (dates as YYYY-MM-DD, numbers as written), from
/// its header row on (the title and the date line above it are left out; see [`whole_sheet`]).
fn sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let rows = whole_sheet(bytes, name);
    let header = kehoach::export::xlsx::HEADER_ROW as usize;
    assert!(rows.len() > header, "{name}: no table");
    rows[header..].to_vec()
}

/// Every row of a sheet, the title first.
fn whole_sheet(bytes: &[u8], name: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).expect("opens with calamine");
    let range = book
        .worksheet_range(name)
        .unwrap_or_else(|e| panic!("sheet {name}: {e}"));
    range
        .rows()
        .map(|row| {
            row.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => f.to_string(),
                    Data::Int(n) => n.to_string(),
                    Data::Bool(b) => b.to_string(),
                    Data::DateTime(dt) => {
                        let (y, m, d, ..) = dt.to_ymd_hms_milli();
                        format!("{y:04}-{m:02}-{d:02}")
                    }
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// A part of the .xlsx package, as text.
fn xlsx_part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
    s
}

fn column(rows: &[Vec<String>], name: &str) -> usize {
    rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}: {:?}", rows[0]))
}

on_both_backends! {
    async fn the_compliance_table_holds_the_engines_statuses(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let at = day("2024-11-20");
        let bytes = kehoach::export::compliance_xlsx(&f.store, f.plan_id, None, at, None).await.unwrap();
        let engine = plan_compliance(&f.store, f.plan_id, at, None).await.unwrap();
        let weeks = sheet(&bytes, "Theo tuần");
        // Row per weekly assignment; a column per ISO week ending in 2024, with its dates (no
        // "Tuần 01/2025", which starts on 30/12/2024).
        assert_eq!(weeks.len(), 1 + 2);
        assert_eq!(weeks[0][5], "Tuần 01/2024\n01/01–07/01");
        assert_eq!(weeks[0].len(), 5 + 52);
        assert_eq!(weeks[0][5 + 51], "Tuần 52/2024\n23/12–29/12");
        // Each sheet says what it is and as of when; the period sheets carry the legend.
        for name in ["Tổng hợp", "Theo tuần"] {
            let all = whole_sheet(&bytes, name);
            assert!(all[0][0].starts_with("Theo dõi thực hiện Kế hoạch Truyền thông chuyển đổi số năm 2024"), "{name}: {:?}", all[0]);
            assert!(all[1][0].starts_with("Số liệu đánh giá ngày 20/11/2024"), "{name}: {:?}", all[1]);
        }
        let legend = &whole_sheet(&bytes, "Theo tuần")[1];
        for word in ["Đạt", "Chưa đủ", "Không thực hiện", "Đang diễn ra", "Chưa đến"] {
            assert!(legend.iter().any(|c| c == word), "legend {word}: {legend:?}");
        }
        // Printed: A4 landscape, fitted to the page's width, the header row on every page.
        let xml = xlsx_part(&bytes, "xl/worksheets/sheet2.xml");
        assert!(xml.contains(r#"orientation="landscape""#) && xml.contains(r#"paperSize="9""#), "{xml}");
        assert!(xml.contains(r#"fitToHeight="0""#), "fit to width");
        assert!(xlsx_part(&bytes, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
        for task in &engine.tasks {
            for a in &task.assignments {
                for t in a.targets.iter().filter(|t| t.per == kehoach_core::period::Per::Week) {
                    let row = weeks.iter().find(|r| r[2] == a.unit.code).expect("a row per unit");
                    // The engine's weeks that end in 2024, in order: the sheet's columns.
                    let in_2024 = t.periods.iter().filter(|p| p.end <= day("2024-12-31"));
                    for (i, p) in in_2024.enumerate() {
                        assert_eq!(row[5 + i], kehoach::export::xlsx::status_vi(p.status), "{} {}", a.unit.code, p.label());
                    }
                }
            }
        }
        let station = weeks.iter().find(|r| r[2] == "T49.DAI").unwrap();
        assert_eq!(station[5 + 9], "Không thực hiện", "week 10 missed");
        assert_eq!(station[5 + 46], "Đang diễn ra", "week 47 holds 20/11");
        let summary = sheet(&bytes, "Tổng hợp");
        let (met, ended, state) = (column(&summary, "Kỳ đạt"), column(&summary, "Kỳ đã kết thúc"), column(&summary, "Tình trạng"));
        let row = |code: &str, task: &str| summary.iter().find(|r| r[3] == code && r[1] == task).unwrap().clone();
        let weekly = &engine.tasks[0].assignments.iter().find(|a| a.unit.code == "T49.DAI").unwrap().targets[0];
        let tally = weekly.tally();
        assert_eq!(row("T49.DAI", "1")[met], tally.met.to_string());
        assert_eq!(row("T49.DAI", "1")[ended], tally.ended.to_string());
        assert_eq!(row("T49.H1", "2")[state], "Chưa hoàn thành, đã quá hạn");
        assert_eq!(row("T49.DAI", "2")[state], "Đã hoàn thành đúng hạn");
        // Limited to the district's subtree.
        let bytes = kehoach::export::compliance_xlsx(&f.store, f.plan_id, Some("T49.H1"), at, None).await.unwrap();
        let units: Vec<String> = sheet(&bytes, "Tổng hợp").iter().skip(1).map(|r| r[3].clone()).collect();
        assert_eq!(units, ["T49.H1", "T49.H1.X1", "T49.H1"]);
        // The 2024 book read in February 2025: the engine has ended "Tuần 01/2025" (it
        // overlaps the plan's last days); the book counts and shows only what ends in 2024.
        let late = day("2025-02-15");
        let engine = plan_compliance(&f.store, f.plan_id, late, None).await.unwrap();
        let weekly = &engine.tasks[0].assignments.iter().find(|a| a.unit.code == "T49.DAI").unwrap().targets[0];
        assert_eq!(weekly.tally().ended, 53);
        let bytes = kehoach::export::compliance_xlsx(&f.store, f.plan_id, None, late, Some(2024)).await.unwrap();
        let summary = sheet(&bytes, "Tổng hợp");
        let row = |code: &str, task: &str| summary.iter().find(|r| r[3] == code && r[1] == task).unwrap().clone();
        assert_eq!(row("T49.DAI", "1")[ended], "52");
        assert_eq!(row("T49.H1", "2")[state], "Chưa hoàn thành, đã quá hạn");
        for name in ["Theo tuần", "Theo tháng"].into_iter().filter(|n| xlsx_part(&bytes, "xl/workbook.xml").contains(n)) {
            let header = &sheet(&bytes, name)[0];
            assert!(header[5..].iter().all(|h| h.contains("/2024")), "{name}: {header:?}");
        }
        // The 2025 book: 2024's deadline is not its business.
        let bytes = kehoach::export::compliance_xlsx(&f.store, f.plan_id, None, late, None).await.unwrap();
        let summary = sheet(&bytes, "Tổng hợp");
        let row = |code: &str, task: &str| summary.iter().find(|r| r[3] == code && r[1] == task).unwrap().clone();
        assert_eq!((row("T49.H1", "2")[state].as_str(), row("T49.DAI", "1")[ended].as_str()), ("", "1"));
    }

    async fn the_activities_table_lists_every_activity_with_its_evidence(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let bytes = kehoach::export::activities_xlsx(&f.store, f.plan_id, None, Some(2024), day("2024-11-20")).await.unwrap();
        let rows = sheet(&bytes, "Hoạt động");
        let stored = f.store.activities_of_plan(f.plan_id, day("2024-01-01"), day("2024-12-31")).await.unwrap();
        assert_eq!(rows.len() - 1, stored.len());
        let (title, date, link, files, qty) = (column(&rows, "Nội dung"), column(&rows, "Ngày thực hiện"),
            column(&rows, "Liên kết"), column(&rows, "Tệp minh chứng"), column(&rows, "Số lượng"));
        let first = rows.iter().find(|r| r[title] == "Chuyên mục Chuyển đổi số số 1").unwrap();
        assert_eq!(first[date], "2024-01-03");
        assert_eq!(first[link], "https://example.vn/chuyen-muc/1");
        assert_eq!(first[files], "ảnh hiện trường.png");
        let series = rows.iter().find(|r| r[title] == "Loạt bài chuyển đổi số").unwrap();
        assert_eq!(series[qty], "5");
        let training = rows.iter().find(|r| r[title] == "Tập huấn kỹ năng số").unwrap();
        assert_eq!(training[column(&rows, "Số người tham dự")], "120");
        // Every activity has its kind: the unit's, else the channel its task's title tells.
        let kind = column(&rows, "Loại");
        assert!(rows.iter().skip(1).all(|r| !r[kind].is_empty()), "{rows:?}");
        assert!(whole_sheet(&bytes, "Hoạt động")[0][0].starts_with("Hoạt động và minh chứng — Kế hoạch"));
        assert_eq!(training[column(&rows, "Hoàn thành nhiệm vụ")], "Có");
        // Another year has none; a unit's subtree only its own.
        let bytes = kehoach::export::activities_xlsx(&f.store, f.plan_id, None, Some(2023), day("2024-11-20")).await.unwrap();
        assert_eq!(sheet(&bytes, "Hoạt động").len(), 1);
        let bytes = kehoach::export::activities_xlsx(&f.store, f.plan_id, Some("T49.H1"), None, day("2024-11-20")).await.unwrap();
        let units: Vec<String> = sheet(&bytes, "Hoạt động").iter().skip(1).map(|r| r[3].clone()).collect();
        assert_eq!(units, ["T49.H1.X1", "T49.H1"]);
    }

    async fn the_evidence_pack_holds_every_file_once_with_its_index(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let files = kehoach::files::FileStore::for_store(db.data_dir(), 1024 * 1024, &f.store).await.unwrap();
        let out = tempfile::tempfile().unwrap();
        let (summary, mut out) = kehoach::export::evidence_pack(&f.store, &files, f.plan_id, None, Some(2024), day("2024-11-20"), false, out)
            .await
            .unwrap();
        assert_eq!((summary.files, summary.missing), (3, 0));
        std::io::Seek::rewind(&mut out).unwrap();
        let mut zip = zip::ZipArchive::new(out).unwrap();
        let mut names: Vec<String> = zip.file_names().map(|n| n.unwrap().into_owned()).collect();
        names.sort();
        // Folders by task and unit, readable; every path short and valid on Windows.
        assert_eq!(names, [
            "NV-1 Chuyên mục chuyển đổi số trên sóng và/Báo Thử Nghiệm/2024-01-10_ảnh hiện trường.png",
            "NV-1 Chuyên mục chuyển đổi số trên sóng và/Đài Phát thanh và Truyền hình tỉnh/2024-01-03_ảnh hiện trường.png",
            "NV-5 Hưởng ứng Ngày Chuyển đổi số quốc gia/UBND huyện Sơn Hà/2024-10-10_biên bản.pdf",
            "muc-luc.xlsx",
        ]);
        for name in &names {
            assert!(name.chars().count() < 150, "{name}");
            assert!(name.split('/').all(|p| !p.ends_with('.') && !p.ends_with(' ') && !p.contains([':', '*', '?', '"', '<', '>', '|'])), "{name}");
        }
        // Real timestamps: when the activity was reported, not 1980.
        let entry = zip.by_name("NV-5 Hưởng ứng Ngày Chuyển đổi số quốc gia/UBND huyện Sơn Hà/2024-10-10_biên bản.pdf").unwrap();
        let modified = entry.last_modified().unwrap();
        assert_eq!(modified.year(), 2024, "{modified:?}");
        drop(entry);
        // The bytes are the stored evidence.
        let mut pdf = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("NV-5 Hưởng ứng Ngày Chuyển đổi số quốc gia/UBND huyện Sơn Hà/2024-10-10_biên bản.pdf").unwrap(), &mut pdf).unwrap();
        assert_eq!(pdf, b"%PDF-1.4\nminutes of the training\n%%EOF\n");
        // The index names each activity's files by their path in the archive, and its links.
        let mut index = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name("muc-luc.xlsx").unwrap(), &mut index).unwrap();
        let rows = sheet(&index, "Hoạt động");
        let (title, link, files_col) = (column(&rows, "Nội dung"), column(&rows, "Liên kết"), column(&rows, "Tệp minh chứng"));
        let training = rows.iter().find(|r| r[title] == "Tập huấn kỹ năng số").unwrap();
        assert_eq!(training[files_col], "NV-5 Hưởng ứng Ngày Chuyển đổi số quốc gia/UBND huyện Sơn Hà/2024-10-10_biên bản.pdf");
        let first = rows.iter().find(|r| r[title] == "Chuyên mục Chuyển đổi số số 1").unwrap();
        assert_eq!(first[link], "https://example.vn/chuyen-muc/1");
        // Each file is a link relative to the index: it opens from the extracted folder.
        let rels = xlsx_part(&index, "xl/worksheets/_rels/sheet1.xml.rels");
        assert!(rels.contains("Target=\"NV-5 Hưởng ứng") || rels.contains("Target=\"NV-5%20"), "{rels}");
        assert!(!rels.contains("file:///NV-"), "{rels}");
        // A file gone from the store is listed as missing; the pack is still made.
        let sha = f.store.evidence_of_plan(f.plan_id, day("2024-10-10"), day("2024-10-10")).await.unwrap()[0].sha256.clone().unwrap();
        match files.place() {
            kehoach::files::Place::Database(_) => f.store.delete_stored_file(&sha).await.unwrap(),
            kehoach::files::Place::Directory => std::fs::remove_file(files.path_of(&sha).unwrap()).unwrap(),
        }
        let (summary, _) = kehoach::export::evidence_pack(&f.store, &files, f.plan_id, None, Some(2024), day("2024-11-20"), false, tempfile::tempfile().unwrap())
            .await
            .unwrap();
        assert_eq!((summary.files, summary.missing), (2, 1));
        // Limited to accepted evidence (review, issue 19): none yet, then one activity's.
        let accepted_pack = || kehoach::export::evidence_pack(&f.store, &files, f.plan_id, None, Some(2024), day("2024-11-20"), true, tempfile::tempfile().unwrap());
        let (summary, _) = accepted_pack().await.unwrap();
        assert_eq!((summary.files, summary.missing), (0, 0));
        let kept = f.store.evidence_of_plan(f.plan_id, day("2024-01-01"), day("2024-12-31")).await.unwrap()
            .into_iter().find(|e| e.sha256.is_some() && e.sha256 != Some(sha.clone())).unwrap();
        f.store.review_activities(&[kept.activity_id], kehoach_core::approval::ReviewDecision::Accept, "", &kehoach::store::Change::system("test")).await.unwrap();
        let (summary, _) = accepted_pack().await.unwrap();
        assert_eq!((summary.files, summary.missing), (1, 0));
    }

    async fn the_cli_and_the_routes_give_the_tables(db: &common::TestDb) {
        let f = plan_fixture(db).await;
        let plan = f.plan_id.to_string();
        let out = tempfile::tempdir().unwrap();
        let file = out.path().join("tuan-thu.xlsx");
        let (code, _, err) = common::run_cli(db, &["export", "compliance", "--plan", &plan, "--at", "2024-11-20", "-o", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(sheet(&std::fs::read(&file).unwrap(), "Theo tuần").len(), 3);
        let file = out.path().join("hoat-dong.xlsx");
        let (code, _, err) = common::run_cli(db, &["export", "activities", "--plan", &plan, "--period", "2024", "-o", file.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(sheet(&std::fs::read(&file).unwrap(), "Hoạt động").len() > 40);
        let (code, _, err) = common::run_cli(db, &["export", "activities", "--plan", &plan, "--unit", "KHONG.CO", "-o", file.to_str().unwrap()]);
        assert_eq!(code, 2);
        assert!(err.contains("no unit with code KHONG.CO"), "{err}");

        let server = common::Server::start(&db.cli_args());
        let token = common::admin_token(&db.cli_args());
        let http = common::http();
        let res = http.get(server.url(&format!("/api/v1/plans/{plan}/compliance.xlsx?at=2024-11-20"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(sheet(&res.bytes().await.unwrap(), "Theo tuần").len(), 3);
        let res = http.get(server.url(&format!("/api/v1/plans/{plan}/activities.xlsx?period=2024&unit=T49.H1"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(sheet(&res.bytes().await.unwrap(), "Hoạt động").len(), 3);
        let res = http.get(server.url(&format!("/api/v1/plans/{plan}/evidence-pack.zip?period=2024"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/zip");
        let zip = zip::ZipArchive::new(Cursor::new(res.bytes().await.unwrap())).unwrap();
        assert_eq!(zip.len(), 4);
        let pack = out.path().join("minh-chung.zip");
        let (code, _, err) = common::run_cli(db, &["export", "evidence-pack", "--plan", &plan, "--unit", "T49.H1", "--period", "2024", "-o", pack.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        let zip = zip::ZipArchive::new(std::fs::File::open(&pack).unwrap()).unwrap();
        assert_eq!(zip.len(), 2, "the district's minutes and the index");
        let res = http.get(server.url(&format!("/api/v1/plans/{plan}/activities.xlsx?period=abc"))).bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), 400);
    }
}
