//! The bad-input suite: malformed JSON and forms, huge bodies, invalid and impossible dates,
//! strings with SQL and HTML, path tricks in file names, oversized counts, disguised files. Each
//! gets a 4xx whose JSON error names the problem, and every table (and the evidence folder) is
//! exactly as before — against the real server on each backend.

use crate::common;

use common::{Server, TestDb, admin_token, http};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

const SQL: &str = "2024-01-04'); DROP TABLE activities; --";
const HTML: &str = "<script>alert(document.cookie)</script>";

/// (field name, file name, content) of a hand-written form part.
type FormPart<'a> = (&'a str, Option<&'a [u8]>, &'a [u8]);

/// A multipart/form-data body written by hand, so file names go out byte for byte (NUL, `..`,
/// backslashes). Parts: (field name, file name, content).
fn raw_form(parts: &[FormPart]) -> (String, Vec<u8>) {
    let boundary = "kehoach-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes(),
        );
        if let Some(file_name) = file_name {
            body.extend_from_slice(b"; filename=\"");
            body.extend_from_slice(file_name);
            body.extend_from_slice(b"\"\r\nContent-Type: image/png");
        }
        body.extend_from_slice(b"\r\n\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The form fields of a valid activity, plus one file.
fn form_with_file(file_name: &[u8], content: &[u8]) -> (String, Vec<u8>) {
    raw_form(&[
        ("date", None, b"2024-01-04"),
        ("title", None, "Chuyên mục".as_bytes()),
        ("file", Some(file_name), content),
    ])
}

enum Body {
    None,
    Json(Value),
    Text(&'static str, Vec<u8>),
    Multipart(Form),
}

/// One bad request: what it is, the route, the body, the status and a word the error must name.
struct Case {
    what: &'static str,
    method: &'static str,
    path: String,
    body: Body,
    status: u16,
    names: &'static str,
}

fn case(
    what: &'static str,
    method: &'static str,
    path: impl Into<String>,
    body: Body,
    status: u16,
    names: &'static str,
) -> Case {
    Case {
        what,
        method,
        path: path.into(),
        body,
        status,
        names,
    }
}

on_both_backends! {
    async fn bad_input_gets_a_named_4xx_and_changes_nothing(db: &TestDb) {
        let imported = db.import_quang_nam().await;
        let plan = imported["plan_id"].as_i64().unwrap();
        let args = db.cli_args();
        let token = admin_token(&args);
        let store = db.open().await;
        let assignment = store.assignments_of_plan(plan).await.unwrap()[0].id;
        let province = store.plan(plan).await.unwrap().unwrap().context_unit_id.unwrap();
        store.close().await;
        let mut server_args = args.clone();
        server_args.extend(["--max-upload-bytes".to_string(), "4096".to_string()]);
        let server = Server::start(&server_args);
        let activities = format!("/api/v1/assignments/{assignment}/activities");
        // Something stored already, with a file, so "unchanged" means something.
        let first = http().post(server.url(&activities)).bearer_auth(&token)
            .multipart(Form::new().text("date", "2024-01-03").text("title", "Có sẵn")
                .part("file", Part::bytes(PNG.to_vec()).file_name("anh.png")))
            .send().await.unwrap();
        assert_eq!(first.status(), 201);
        let before = db.dump().await;

        let activity = |v: Value| Body::Json(v);
        let form = |(ct, bytes): (String, Vec<u8>)| Body::Text(Box::leak(ct.into_boxed_str()), bytes);
        let html_png = form_with_file(b"anh.png", b"<html><body><script>alert(1)</script></body></html>");
        let mut eleven_files: Vec<FormPart> = vec![("date", None, b"2024-01-04"), ("title", None, b"x")];
        eleven_files.extend((0..11).map(|_| ("file", Some(&b"a.png"[..]), PNG)));
        let mut cases = vec![
            // Malformed JSON and forms.
            case("truncated JSON", "POST", &activities, Body::Text("application/json", b"{\"date\": \"2024-01-04\", \"title\": ".to_vec()), 400, "JSON"),
            case("JSON not an object", "POST", &activities, activity(json!([1, 2])), 400, "object"),
            case("wrong JSON types", "POST", &activities, activity(json!({"date": 20240104, "title": ["x"]})), 400, "title"),
            case("not UTF-8", "POST", &activities, Body::Text("application/json", b"{\"date\": \"\xff\xfe\"}".to_vec()), 400, "JSON"),
            case("no content type", "POST", &activities, Body::Text("text/plain", b"date=2024-01-04".to_vec()), 415, "json"),
            case("multipart without its boundary", "POST", &activities, Body::Text("multipart/form-data", b"--x\r\n".to_vec()), 400, "oundary"),
            case("garbled multipart", "POST", &activities, Body::Text("multipart/form-data; boundary=abc", b"--abc\r\nContent-Disposition: form-data; name=\"date\"\r\n\r\n2024".to_vec()), 400, "form"),
            case("unknown form field", "POST", &activities, form(raw_form(&[("date", None, b"2024-01-04"), ("title", None, b"x"), ("admin", None, b"1")])), 400, "admin"),
            case("unit body with an unknown field", "POST", "/api/v1/units", activity(json!({"code": "X1", "name": "X", "kind": "agency", "role": "admin"})), 422, "unknown field"),
            case("unit parent of the wrong type", "POST", "/api/v1/units", activity(json!({"code": "X1", "name": "X", "kind": "agency", "parent_id": "abc"})), 422, "parent_id"),
            // Huge bodies.
            case("JSON over 1 MB", "POST", &activities, Body::Text("application/json", format!("{{\"date\": \"2024-01-04\", \"title\": \"{}\"}}", "a".repeat(2 * 1024 * 1024)).into_bytes()), 413, "at most 1048576 bytes"),
            case("unit JSON over 1 MB", "POST", "/api/v1/units", Body::Text("application/json", format!("{{\"code\": \"{}\"}}", "a".repeat(2 * 1024 * 1024)).into_bytes()), 413, "too large"),
            case("a file over the upload cap", "POST", &activities, form(form_with_file(b"to.png", &[PNG, &vec![0u8; 8192]].concat())), 413, "limit"),
            // Invalid and impossible dates.
            case("31/02", "POST", &activities, activity(json!({"date": "31/02/2024", "title": "x"})), 400, "date"),
            case("2024-02-30", "POST", &activities, activity(json!({"date": "2024-02-30", "title": "x"})), 400, "date"),
            case("2023-02-29 (not a leap year)", "POST", &activities, activity(json!({"date": "2023-02-29", "title": "x"})), 400, "date"),
            case("month 13", "POST", &activities, activity(json!({"date": "2024-13-01", "title": "x"})), 400, "date"),
            case("31/02 in a form", "POST", &activities, form(raw_form(&[("date", None, b"31/02/2024"), ("title", None, b"x")])), 400, "date"),
            case("impossible compliance date", "GET", format!("/api/v1/plans/{plan}/compliance?at=2024-02-30"), Body::None, 400, "at"),
            case("impossible audit date", "GET", "/api/v1/audit?from=2023-02-29", Body::None, 400, "from"),
            // An empty date is not "no date" in the API (the document says format: date).
            case("empty compliance date", "GET", format!("/api/v1/plans/{plan}/compliance?at="), Body::None, 400, "at"),
            case("empty audit date", "GET", "/api/v1/audit?to=", Body::None, 400, "to"),
            // Text fields take text: `false` is not the title "false".
            case("a boolean title", "POST", &activities, activity(json!({"date": "2024-01-04", "title": false})), 400, "title"),
            case("an empty review state", "GET", "/api/v1/reviews?state=", Body::None, 400, "state"),
            case("compliance download offset beyond bounds", "GET", format!("/api/v1/plans/{plan}/compliance.json?offset=1000001"), Body::None, 400, "offset"),
            case("audit CSV limit of 0", "GET", "/api/v1/audit.csv?limit=0", Body::None, 400, "limit"),
            case("audit range backwards", "GET", "/api/v1/audit?from=2024-03-02&to=2024-03-01", Body::None, 400, "from"),
            // Strings with SQL and HTML where they do not belong.
            case("SQL in a date", "POST", &activities, activity(json!({"date": SQL, "title": HTML})), 400, "date"),
            case("SQL in a unit kind", "POST", "/api/v1/units", activity(json!({"code": "X2", "name": HTML, "kind": "agency'; DROP TABLE units; --"})), 400, "kind"),
            case("SQL in a path id", "GET", "/api/v1/plans/1%20OR%201=1", Body::None, 400, "id"),
            case("HTML with a bad quantity", "POST", &activities, activity(json!({"date": "2024-01-04", "title": HTML, "quantity": -1})), 400, "quantity"),
            case("SQL in an import sheet", "POST", "/api/v1/activities/import",
                Body::Multipart(Form::new().part("file", Part::bytes(format!("mã giao việc,ngày,tiêu đề\n{assignment},2024-01-05,{HTML}\n{assignment},{SQL},x\n").into_bytes()).file_name("hd.csv"))), 422, "date"),
            // Path tricks in file names.
            case("../ in a file name", "POST", &activities, form(form_with_file(b"../../etc/passwd.png", PNG)), 400, "file name"),
            case("an absolute path", "POST", &activities, form(form_with_file(b"/etc/cron.d/x.png", PNG)), 400, "file name"),
            case("a Windows path", "POST", &activities, form(form_with_file(b"C:\\\\Windows\\\\system32\\\\x.png", PNG)), 400, "file name"),
            case("NUL in a file name", "POST", &activities, form(form_with_file(b"anh.png\0.exe", PNG)), 400, "form"),
            case("a Windows device name", "POST", &activities, form(form_with_file(b"CON.png", PNG)), 400, "file name"),
            case("a traversal to a file", "GET", "/api/v1/files/..%2F..%2Fkehoach.sqlite3", Body::None, 404, "not found"),
            // Disguised files.
            case("HTML named .png", "POST", &activities, form(html_png), 415, "HTML"),
            case("an executable named .jpg", "POST", &activities, form(form_with_file(b"anh.jpg", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff")), 415, "executable"),
            case("SVG with a script", "POST", &activities, form(form_with_file(b"a.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>")), 415, "markup"),
            // Oversized counts.
            case("quantity beyond bounds", "POST", &activities, activity(json!({"date": "2024-01-04", "title": "x", "quantity": 1e300})), 400, "quantity"),
            case("quantity beyond f64", "POST", &activities, Body::Text("application/json", b"{\"date\": \"2024-01-04\", \"title\": \"x\", \"quantity\": 1e999}".to_vec()), 400, "JSON"),
            case("attendance beyond bounds", "POST", &activities, activity(json!({"date": "2024-01-04", "title": "x", "attendance": 9_007_199_254_740_993_i64})), 400, "attendance"),
            case("too many links", "POST", &activities, activity(json!({"date": "2024-01-04", "title": "x", "urls": vec!["https://a.vn/"; 5000]})), 400, "urls"),
            case("a title too long", "POST", &activities, activity(json!({"date": "2024-01-04", "title": "ă".repeat(10_000)})), 400, "title"),
            case("too many files", "POST", &activities, form(raw_form(&eleven_files)), 400, "file"),
            case("too many aliases", "POST", "/api/v1/units", activity(json!({"code": "X3", "name": "X", "kind": "agency", "aliases": vec!["a"; 1000]})), 400, "aliases"),
            case("a parent id out of range", "POST", "/api/v1/units", activity(json!({"code": "X4", "name": "X", "kind": "agency", "parent_id": i64::MAX})), 400, "parent_id"),
            case("an id beyond i64", "GET", "/api/v1/plans/99999999999999999999999", Body::None, 400, "id"),
            case("a search too long", "GET", format!("/api/v1/units?q={}", "a".repeat(5000)), Body::None, 400, "q"),
            case("an audit page too large", "GET", "/api/v1/audit?limit=1000000", Body::None, 400, "limit"),
        ];
        let _ = province;
        let mut failures = Vec::new();
        for c in cases.drain(..) {
            let url = server.url(&c.path);
            let mut req = match c.method {
                "GET" => http().get(url),
                _ => http().post(url),
            }
            .bearer_auth(&token);
            req = match c.body {
                Body::None => req,
                Body::Json(v) => req.json(&v),
                Body::Text(ct, bytes) => req.header("content-type", ct).body(bytes),
                Body::Multipart(form) => req.multipart(form),
            };
            let response = match req.send().await {
                Ok(r) => r,
                // A body over the limit is refused from its Content-Length before it is read;
                // HTTP/1.1 then closes the connection, and a client still sending may see the
                // close before the 413. Either way nothing may be stored (checked below).
                Err(e) if c.status == 413 && e.is_request() => continue,
                Err(e) => {
                    failures.push(format!("{}: no answer ({e})", c.what));
                    continue;
                }
            };
            let status = response.status().as_u16();
            let is_json = response.headers().get("content-type").is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json"));
            let text = response.text().await.unwrap_or_default();
            let error = serde_json::from_str::<Value>(&text).ok().and_then(|v| v["error"].as_str().map(str::to_string));
            if status != c.status {
                failures.push(format!("{}: {status}, expected {} ({})", c.what, c.status, text.chars().take(300).collect::<String>()));
            } else if !is_json || error.is_none() || !text.to_lowercase().contains(&c.names.to_lowercase()) {
                failures.push(format!("{}: the error should name {:?}: {}", c.what, c.names, text.chars().take(300).collect::<String>()));
            }
        }
        assert!(failures.is_empty(), "{} bad answers:\n{}", failures.len(), failures.join("\n"));
        let after = db.dump().await;
        for (table, rows) in &before {
            assert_eq!(rows, &after[table], "{table} changed");
        }
        assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());

        // SQL and HTML in text where text belongs are stored verbatim, never run, and come back
        // JSON-escaped; the tables are all still there.
        let title = format!("Robert'); DROP TABLE activities; -- {HTML}");
        let stored = http().post(server.url(&activities)).bearer_auth(&token)
            .json(&json!({"date": "2024-01-04", "title": title, "note": "' OR '1'='1"})).send().await.unwrap();
        assert_eq!(stored.status(), 201);
        let listed = http().get(server.url(&activities)).bearer_auth(&token).send().await.unwrap();
        assert!(listed.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
        let listed: Value = listed.json().await.unwrap();
        assert_eq!(listed[0]["title"], title);
        assert_eq!(listed[0]["note"], "' OR '1'='1");
        let found: Value = http().get(server.url("/api/v1/units?q=%27%20OR%201%3D1%20--")).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        assert_eq!(found, json!([]));
        let now = db.dump().await;
        assert_eq!(now.keys().collect::<Vec<_>>(), before.keys().collect::<Vec<_>>());
        assert_eq!(now["activities"].len(), before["activities"].len() + 1);
    }
}
