//! Bulk import of activities from CSV and XLSX, by `kehoach activity import` and
//! `POST /api/v1/activities/import`, on each backend: all rows or none.

use crate::common;

use common::{Server, TestDb, admin_token, cli_json, http, run_cli};
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;

/// Imports the plan; returns (plan id, the weekly radio-TV assignment's id).
async fn import_plan(db: &TestDb) -> (String, i64) {
    let imported = db.import_quang_nam().await;
    let plan_id = imported["plan_id"].as_i64().unwrap().to_string();
    let report = cli_json(
        db,
        &[
            "compliance",
            "--plan",
            &plan_id,
            "--at",
            "2024-01-20",
            "--json",
        ],
    );
    (plan_id, radio(&report)["assignment_id"].as_i64().unwrap())
}

fn radio(report: &Value) -> &Value {
    let task = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"].as_str().unwrap().contains("Đài Phát thanh"))
        .expect("the radio-TV task");
    &task["assignments"][0]
}

/// The weekly statuses of the radio-TV assignment from 2024-01-01 to 2024-01-15.
fn weeks(db: &TestDb, plan_id: &str) -> Vec<String> {
    let report = cli_json(
        db,
        &[
            "compliance",
            "--plan",
            plan_id,
            "--at",
            "2024-01-20",
            "--json",
        ],
    );
    let targets = radio(&report)["targets"].as_array().unwrap().clone();
    let weekly = targets.iter().find(|t| t["per"] == "week").unwrap().clone();
    ["2024-01-01", "2024-01-08", "2024-01-15"]
        .iter()
        .map(|start| {
            weekly["periods"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["start"] == *start)
                .unwrap()["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

fn activity_count(db: &TestDb, plan_id: &str) -> i64 {
    let report = cli_json(
        db,
        &[
            "compliance",
            "--plan",
            plan_id,
            "--at",
            "2024-01-20",
            "--json",
        ],
    );
    radio(&report)["activity_count"]
        .as_i64()
        .unwrap_or_else(|| panic!("activity_count in {}", radio(&report)))
}

fn good_csv(assignment: i64) -> String {
    format!(
        "STT,Mã giao việc,Ngày,Tiêu đề,Số lượng,Đường dẫn,Thời lượng (phút)\n\
         1,{assignment},04/01/2024,Chuyên mục số 1,1,https://qrt.vn/1 https://qrt.vn/1b,15\n\
         2,{assignment},2024-01-11,\"Chuyên mục số 2, phát lại\",1,https://qrt.vn/2,15\n\
         3,{assignment},16/01/2024,Chuyên mục số 3,1,,\n"
    )
}

fn bad_csv(assignment: i64) -> String {
    format!(
        "assignment_id,date,title\n\
         {assignment},2024-01-04,Chuyên mục số 1\n\
         999999,2024-01-11,Chuyên mục số 2\n\
         {assignment},2024-02-31,Chuyên mục số 3\n"
    )
}

fn xlsx(assignment: i64) -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (col, header) in [
        "Mã giao việc",
        "Ngày",
        "Tiêu đề",
        "Hoàn thành",
        "Số người tham dự",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    for (i, day) in [4u8, 11].iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, assignment as f64).unwrap();
        sheet
            .write_datetime_with_format(
                row,
                1,
                ExcelDateTime::from_ymd(2024, 1, *day).unwrap(),
                &date,
            )
            .unwrap();
        sheet
            .write_string(row, 2, format!("Chuyên mục ngày {day}"))
            .unwrap();
        sheet.write_string(row, 3, "").unwrap();
        sheet.write_number(row, 4, 120.0).unwrap();
    }
    book.save_to_buffer().unwrap()
}

fn form(name: &str, bytes: Vec<u8>) -> Form {
    Form::new().part("file", Part::bytes(bytes).file_name(name.to_string()))
}

on_both_backends! {
    async fn a_good_csv_imports_every_row_from_the_cli(db: &TestDb) {
        let (plan_id, assignment) = import_plan(db).await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hoat-dong.csv");
        std::fs::write(&path, good_csv(assignment)).unwrap();
        let result = cli_json(db, &["activity", "import", path.to_str().unwrap(), "--json"]);
        assert_eq!(result["imported"], 3, "{result}");
        assert_eq!(weeks(db, &plan_id), ["met", "met", "met"]);
        assert_eq!(activity_count(db, &plan_id), 3);
    }

    async fn a_csv_with_bad_rows_stores_nothing_and_names_them(db: &TestDb) {
        let (plan_id, assignment) = import_plan(db).await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hoat-dong.csv");
        std::fs::write(&path, bad_csv(assignment)).unwrap();
        let (code, out, err) = run_cli(db, &["activity", "import", path.to_str().unwrap()]);
        assert_eq!(code, 2, "{out}{err}");
        assert!(err.contains("row 3: assignment_id: no assignment 999999"), "{err}");
        assert!(err.contains("row 4: date:"), "{err}");
        assert!(!err.contains("row 2"), "{err}");
        assert!(err.contains("nothing was imported"), "{err}");
        assert_eq!(activity_count(db, &plan_id), 0);

        // Over HTTP: 422 with the same report.
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        let response = http().post(server.url("/api/v1/activities/import")).bearer_auth(&token)
            .multipart(form("hoat-dong.csv", bad_csv(assignment).into_bytes())).send().await.unwrap();
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        let rows: Vec<i64> = body["rows"].as_array().unwrap().iter().map(|r| r["row"].as_i64().unwrap()).collect();
        assert_eq!(rows, [3, 4], "{body}");
        assert!(body["rows"][1]["errors"][0].as_str().unwrap().starts_with("date:"), "{body}");
        assert_eq!(activity_count(db, &plan_id), 0);

        // A reporter of another unit may not import for this assignment.
        let mut add: Vec<&str> = args.iter().map(String::as_str).collect();
        add.extend(["user", "add", "hanoi", "--unit", "01", "--role", "reporter"]);
        assert_eq!(common::cli(&add).0, 0);
        let mut tok: Vec<&str> = args.iter().map(String::as_str).collect();
        tok.extend(["user", "token", "hanoi"]);
        let (_, out, _) = common::cli(&tok);
        let reporter = out.lines().last().unwrap().trim().to_string();
        let response = http().post(server.url("/api/v1/activities/import")).bearer_auth(&reporter)
            .multipart(form("hoat-dong.csv", good_csv(assignment).into_bytes())).send().await.unwrap();
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["rows"].as_array().unwrap().len(), 3, "{body}");
        // Hà Nội's reporter may not see Quảng Nam's assignment: it reads as one that does not
        // exist, naming no unit.
        assert_eq!(body["rows"][0]["errors"][0], format!("assignment_id: no assignment {assignment}"), "{body}");
        assert_eq!(activity_count(db, &plan_id), 0);
    }

    async fn an_xlsx_imports_over_http_and_from_the_cli(db: &TestDb) {
        let (plan_id, assignment) = import_plan(db).await;
        let args = db.cli_args();
        let token = admin_token(&args);
        let server = Server::start(&args);
        let response = http().post(server.url("/api/v1/activities/import")).bearer_auth(&token)
            .multipart(form("hoat-dong.xlsx", xlsx(assignment))).send().await.unwrap();
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{body}");
        assert_eq!(body["imported"], 2);
        assert_eq!(weeks(db, &plan_id), ["met", "met", "open"]);
        let listed: Value = http().get(server.url(&format!("/api/v1/assignments/{assignment}/activities"))).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(listed[0]["attendance"], 120, "{listed}");
        assert_eq!(listed[0]["occurred_on"], "2024-01-11");

        // The same sheet from the CLI adds two more.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hoat-dong.xlsx");
        std::fs::write(&path, xlsx(assignment)).unwrap();
        let result = cli_json(db, &["activity", "import", path.to_str().unwrap(), "--json"]);
        assert_eq!(result["imported"], 2);
        assert_eq!(activity_count(db, &plan_id), 4);

        // A sheet that is not one: 400 naming the file.
        let response = http().post(server.url("/api/v1/activities/import")).bearer_auth(&token)
            .multipart(form("x.xlsx", b"PK\x03\x04broken".to_vec())).send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.text().await.unwrap().contains("file:"));
    }
}
