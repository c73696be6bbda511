//! The audit's smaller defects (issue 18), each against the real server on both backends: text
//! with control, bidi and zero-width characters; redirects that must stay on this site; dates
//! bounded; Vietnamese thousands separators; import row errors that must not reveal other units;
//! no audit entry for an edit that changes nothing; `Connection: close` on early refusals;
//! `--on` for commands that name a unit; `/metrics` only on its own listener.

use crate::common;
use crate::common::QUANG_NAM;

use std::io::{Read, Write};

use common::{Server, TestDb, admin_token, cli_json, http, run_cli};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

/// The imported Quảng Nam 2024 plan and one of its assignments.
async fn plan_and_assignment(db: &TestDb) -> (i64, kehoach::store::AssignmentRow) {
    let imported = db.import_quang_nam().await;
    let plan = imported["plan_id"].as_i64().unwrap();
    let store = db.open().await;
    let assignment = store.assignments_of_plan(plan).await.unwrap().remove(0);
    store.close().await;
    (plan, assignment)
}

/// A client that follows no redirect (so `Location` can be read).
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn error_of(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["error"].as_str().unwrap_or("").to_string())
}

/// The status line and headers of the answer to `request`, sent as raw bytes (lower case).
fn raw_head(base: &str, request: &[u8]) -> String {
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).to_lowercase()
}

/// Signs in through `base` as a client at `address` (sent as `X-Forwarded-For`): the status and
/// the `Retry-After` header.
async fn sign_in_from(base: &str, address: &str, username: &str, password: &str) -> (u16, String) {
    let client = no_redirects();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let r = client
        .post(format!("{base}/sign-in"))
        .header("cookie", &cookie)
        .header("x-forwarded-for", address)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), retry)
}

/// Signs in through `base` (no proxy) and returns the session's cookie header and CSRF token.
async fn session(base: &str, username: &str, password: &str) -> (String, String) {
    let client = no_redirects();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let r = client
        .post(format!("{base}/sign-in"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "{username} signs in");
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("kh_session="))
        .expect("a session cookie");
    let form = client
        .get(format!("{base}/plans/import"))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    let html = form.text().await.unwrap();
    (session, hidden(&html, "csrf"))
}

/// The value of the first hidden input named `name`.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in: {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Uploads the Quảng Nam plan through `base`'s import page; the preview's path.
async fn upload_plan(base: &str, (cookie, csrf): &(String, String)) -> String {
    let form = Form::new().text("csrf", csrf.clone()).part(
        "file",
        Part::bytes(std::fs::read(QUANG_NAM).unwrap()).file_name("quangnam-2024.txt"),
    );
    let r = no_redirects()
        .post(format!("{base}/plans/import"))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let preview = r.headers()["location"].to_str().unwrap().to_string();
    assert!(preview.starts_with("/plans/import/"), "{preview}");
    preview
}

async fn page_status(base: &str, cookie: &str, path: &str) -> (u16, String) {
    let r = no_redirects()
        .get(format!("{base}{path}"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn post_page(base: &str, cookie: &str, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = no_redirects()
        .post(format!("{base}{path}"))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (r.status().as_u16(), location)
}

/// Signs in through `base`: the status, where it goes, and the session cookie (if one was set).
async fn sign_in(base: &str, username: &str, password: &str) -> (u16, String, String) {
    let client = no_redirects();
    let page = client.get(format!("{base}/sign-in")).send().await.unwrap();
    let cookie = page.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let csrf = cookie.split_once('=').unwrap().1.to_string();
    let r = client
        .post(format!("{base}/sign-in"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", username),
            ("password", password),
            ("next", "/my-work"),
        ])
        .send()
        .await
        .unwrap();
    let location = r
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let session = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .find(|c| c.starts_with("kh_session="))
        .unwrap_or_default();
    (r.status().as_u16(), location, session)
}

on_both_backends! {
    async fn text_with_invisible_characters_is_cleaned_or_refused(db: &TestDb) {
        let (_, assignment) = plan_and_assignment(db).await;
        let token = admin_token(&db.cli_args());
        let server = Server::start(&db.cli_args());
        let url = server.url(&format!("/api/v1/assignments/{}/activities", assignment.id));

        // NUL and other C0/C1 controls, bidi overrides, zero-width spaces: stripped on the way
        // in (PostgreSQL answered 500 to a NUL), on both backends alike.
        let sent = http().post(&url).bearer_auth(&token)
            .json(&json!({"date": "2024-01-04", "title": "Chuyên\u{0} mục\u{202E} số\u{85}\u{200B}",
                "note": "dòng 1\r\ndòng\u{7} 2", "kind": "bài\u{0}viết"}))
            .send().await.unwrap();
        assert_eq!(sent.status(), 201, "{}", sent.text().await.unwrap());
        let stored: Value = sent.json().await.unwrap();
        assert_eq!(stored["title"], "Chuyên mục số");
        assert_eq!(stored["note"], "dòng 1\ndòng 2");
        assert_eq!(stored["kind"], "bàiviết");
        let unit = http().post(server.url("/api/v1/units")).bearer_auth(&token)
            .json(&json!({"code": "NUL\u{0}1", "name": "Tổ\u{0} công tác\u{202E}", "kind": "agency"}))
            .send().await.unwrap();
        assert_eq!(unit.status(), 201, "{}", unit.text().await.unwrap());
        let unit: Value = unit.json().await.unwrap();
        assert_eq!(unit["name"], "Tổ công tác");
        assert_eq!(unit["code"], "NUL1");

        let before = db.dump().await;
        // A title of only invisible characters is no title.
        let (status, error) = error_of(http().post(&url).bearer_auth(&token)
            .json(&json!({"date": "2024-01-04", "title": "\u{200B}\u{200D}\u{FEFF} \u{AD}"}))
            .send().await.unwrap()).await;
        assert_eq!((status, error.as_str()), (400, "title: required"));
        // A file name that hides its extension behind a right-to-left override.
        let (status, error) = error_of(http().post(&url).bearer_auth(&token)
            .multipart(Form::new().text("date", "2024-01-04").text("title", "Biên bản")
                .part("file", Part::bytes(PDF.to_vec()).file_name("fdp\u{202E}exe.pdf")))
            .send().await.unwrap()).await;
        assert_eq!(status, 400, "{error}");
        assert!(error.contains("file name") && error.contains("bidirectional"), "{error}");
        // A control character in a query parameter: 400 naming it (was a 500 on PostgreSQL).
        for path in ["/api/v1/units?q=a%00b", "/api/v1/audit?actor=%00"] {
            let (status, error) = error_of(http().get(server.url(path)).bearer_auth(&token)
                .send().await.unwrap()).await;
            assert_eq!(status, 400, "{path}: {error}");
            assert!(error.starts_with("q:") || error.starts_with("actor:"), "{path}: {error}");
        }
        assert_eq!(db.dump().await, before, "nothing refused was stored");
    }

    async fn numbers_and_dates_are_read_as_written_here_and_bounded(db: &TestDb) {
        let (plan, assignment) = plan_and_assignment(db).await;
        let token = admin_token(&db.cli_args());
        let server = Server::start(&db.cli_args());
        let url = server.url(&format!("/api/v1/assignments/{}/activities", assignment.id));
        let quantity = |q: Value| {
            let (url, token) = (url.clone(), token.clone());
            async move {
                let r = http().post(&url).bearer_auth(&token)
                    .json(&json!({"date": "2024-01-04", "title": "Tập huấn", "quantity": q}))
                    .send().await.unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (status, body)
            }
        };
        // "1.500" is one thousand five hundred in Vietnamese and 1.5 in English: refused.
        let (status, body) = quantity(json!("1.500")).await;
        assert_eq!(status, 400);
        let error = body["error"].as_str().unwrap();
        assert!(error.starts_with("quantity:") && error.contains("ambiguous"), "{error}");
        // Unambiguous forms: dots grouping thousands with a decimal comma; a decimal comma; a
        // JSON number (never ambiguous, whatever its digits).
        for (sent, read) in [(json!("1.500,5"), 1500.5), (json!("1,5"), 1.5), (json!(1.125), 1.125), (json!("2.25"), 2.25)] {
            let (status, body) = quantity(sent.clone()).await;
            assert_eq!(status, 201, "{sent}: {body}");
            assert_eq!(body["quantity"].as_f64(), Some(read), "{sent}");
        }

        // Dates: beyond the years 2000–2100, or an evaluation date far outside the plan's span,
        // get a 400 naming the parameter (compliance.xlsx?at=3000-01-01 was a 500).
        for path in [
            format!("/api/v1/plans/{plan}/compliance?at=3000-01-01"),
            format!("/api/v1/plans/{plan}/compliance?at=2100-12-31"),
            format!("/api/v1/plans/{plan}/compliance.xlsx?at=3000-01-01"),
            format!("/api/v1/plans/{plan}/compliance.xlsx?at=2090-01-01"),
            format!("/api/v1/plans/{plan}/report.docx?period=2024&at=2090-01-01"),
            "/api/v1/audit?from=1000-01-01".to_string(),
            "/api/v1/units?q=a&on=9999-12-31".to_string(),
        ] {
            let (status, error) = error_of(http().get(server.url(&path)).bearer_auth(&token)
                .send().await.unwrap()).await;
            assert_eq!(status, 400, "{path}: {error}");
            let name = if path.contains("from=") { "from" } else if path.contains("on=") { "on" } else { "at" };
            assert!(error.contains(name), "{path}: {error}");
        }
        let inside = http().get(server.url(&format!("/api/v1/plans/{plan}/compliance?at=2024-06-30")))
            .bearer_auth(&token).send().await.unwrap();
        assert_eq!(inside.status(), 200);
        let (status, error) = error_of(http().post(&url).bearer_auth(&token)
            .json(&json!({"date": "1999-12-31", "title": "x"})).send().await.unwrap()).await;
        assert_eq!(status, 400, "{error}");
        assert!(error.starts_with("date:"), "{error}");
    }

    async fn an_edit_that_changes_nothing_writes_nothing(db: &TestDb) {
        let (_, assignment) = plan_and_assignment(db).await;
        let token = admin_token(&db.cli_args());
        let server = Server::start(&db.cli_args());
        let created: Value = http().post(server.url(&format!("/api/v1/assignments/{}/activities", assignment.id)))
            .bearer_auth(&token).json(&json!({"date": "2024-01-04", "title": "Chuyên mục", "quantity": 2}))
            .send().await.unwrap().json().await.unwrap();
        let id = created["id"].as_i64().unwrap();
        let before = db.dump().await;
        let edit = server.url(&format!("/api/v1/activities/{id}"));
        for patch in [json!({}), json!({"title": "Chuyên mục", "quantity": "2"}), json!({"title": " Chuyên mục\u{0} "})] {
            let r = http().patch(&edit).bearer_auth(&token).json(&patch).send().await.unwrap();
            assert_eq!(r.status(), 200, "{patch}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["title"], "Chuyên mục");
        }
        assert_eq!(db.dump().await, before, "no audit entry, no write");
        let r = http().patch(&edit).bearer_auth(&token).json(&json!({"title": "Chuyên mục 2"})).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let after = db.dump().await;
        assert_eq!(after["audit_log"].len(), before["audit_log"].len() + 1, "a real edit is audited");
    }

    async fn import_row_errors_never_name_a_unit_the_caller_cannot_see(db: &TestDb) {
        let (_, assignment) = plan_and_assignment(db).await;
        // A reporter of a unit in another province (Đắk Nông, before the 2025 reform).
        let (code, _, err) = run_cli(db, &["user", "add", "xa-dn", "--unit", "67", "--on", "2024-06-01", "--role", "reporter"]);
        assert_eq!(code, 0, "{err}");
        let (code, out, err) = run_cli(db, &["user", "token", "xa-dn"]);
        assert_eq!(code, 0, "{err}");
        let token = out.lines().last().unwrap().trim().to_string();
        let server = Server::start(&db.cli_args());
        let import = |id: i64| {
            let (url, token) = (server.url("/api/v1/activities/import"), token.clone());
            async move {
                let csv = format!("mã giao việc,ngày,tiêu đề\n{id},2024-01-05,Bài viết\n");
                let r = http().post(url).bearer_auth(token)
                    .multipart(Form::new().part("file", Part::bytes(csv.into_bytes()).file_name("hd.csv")))
                    .send().await.unwrap();
                assert_eq!(r.status(), 422);
                r.json::<Value>().await.unwrap()
            }
        };
        let hidden = import(assignment.id).await;
        let text = hidden.to_string();
        assert!(!text.contains(&assignment.unit_name), "names {}: {text}", assignment.unit_name);
        // Exactly the answer for an assignment that does not exist.
        let missing = import(999_999).await;
        assert_eq!(
            hidden["rows"][0]["errors"][0].as_str().unwrap().replace(&assignment.id.to_string(), "N"),
            missing["rows"][0]["errors"][0].as_str().unwrap().replace("999999", "N"),
        );
    }

    async fn redirects_stay_on_this_site_and_early_refusals_close(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let client = no_redirects();
        for (back, location) in [
            ("/plans%3Flang%3Den", "/plans?lang=en"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/%5Cevil.example", "/%5Cevil.example"),
            ("/%5C/evil.example", "/%5C/evil.example"),
        ] {
            let r = client.get(server.url(&format!("/lang?to=en&back={back}"))).send().await.unwrap();
            assert_eq!(r.status(), 303, "{back}");
            assert_eq!(r.headers()["location"], location, "{back}");
        }
        // A tab or newline in the query is refused, not a 500.
        for back in ["/%09/evil.example", "/%0Aevil"] {
            let r = client.get(server.url(&format!("/lang?to=en&back={back}"))).send().await.unwrap();
            assert_eq!(r.status(), 400, "{back}");
        }
        // Sign-in's `next` (a form field): the same rule, a newline encoded instead of a 500.
        let page = client.get(server.url("/sign-in?next=//evil.example")).send().await.unwrap();
        let cookie = page.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
        let html = page.text().await.unwrap();
        assert!(html.contains("name=\"next\" value=\"/\""), "the form goes home, not away");
        let csrf = cookie.split_once('=').unwrap().1.to_string();
        for (next, location) in [("/\\evil.example", "/%5Cevil.example"), ("/\t/evil.example", "/%09/evil.example"), ("/\n", "/%0A")] {
            let r = client.post(server.url("/sign-in")).header("cookie", &cookie)
                .form(&[("csrf", csrf.as_str()), ("username", "quantri"), ("password", "demo"), ("next", next)])
                .send().await.unwrap();
            assert_eq!(r.status(), 303, "{next:?}");
            assert_eq!(r.headers()["location"], location, "{next:?}");
        }

        // A request refused before its body is read says the connection closes.
        let head = raw_head(&server.base, b"POST /api/v1/activities/import HTTP/1.1\r\nHost: x\r\n\
            Authorization: Bearer nope\r\nContent-Type: multipart/form-data; boundary=b\r\n\
            Content-Length: 100000000\r\n\r\n");
        assert!(head.starts_with("http/1.1 401"), "{head}");
        assert!(head.contains("connection: close"), "{head}");
        let head = raw_head(&server.base, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assert!(head.starts_with("http/1.1 200") && !head.contains("connection: close"), "{head}");
    }

    async fn commands_that_name_a_unit_take_a_date(db: &TestDb) {
        // Tam Kỳ (502) was a city until the districts ended on 1 July 2025: without `--on` the
        // last unit that had the code is meant (a 2024 plan's units have since ended).
        let (code, out, err) = run_cli(db, &["calendar", "url", "--unit", "502"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("/calendar/") && err.contains("Tam Kỳ"), "{out}{err}");
        let (code, out, err) = run_cli(db, &["calendar", "url", "--unit", "502", "--on", "2024-06-01"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("/calendar/"), "{out}");
        let (code, out, err) = run_cli(db, &["contact", "--unit", "502", "--on", "2024-06-01", "--email", "vanthu@tamky.gov.vn"]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("Tam Kỳ"), "{out}");
    }

    async fn metrics_are_served_only_on_their_own_listener(db: &TestDb) {
        let server = Server::start_with(&db.cli_args(), &["--metrics-addr", "127.0.0.1:0"]);
        let r = http().get(server.url("/metrics")).send().await.unwrap();
        assert_eq!(r.status(), 404, "not on the public listener");
        http().get(server.url("/healthz")).send().await.unwrap();
        let metrics = server.metrics.clone().expect("the metrics address is printed");
        let text = http().get(format!("{metrics}/metrics")).send().await.unwrap().text().await.unwrap();
        assert!(text.contains("kehoach_http_requests_total") && text.contains("route=\"/healthz\""), "{text}");
    }

    async fn wrong_passwords_make_one_address_wait_not_the_account(db: &TestDb) {
        // Two servers on one database behind a proxy at 127.0.0.1 (this test), and one that
        // trusts no proxy.
        let a = common::demo_server(db, &["--trusted-proxy", "127.0.0.1"]).await;
        let b = Server::start_with(&db.cli_args(), &["--trusted-proxy", "10.0.0.0/8,127.0.0.1"]);
        let c = Server::start(&db.cli_args());
        let (attacker, user) = ("203.0.113.66", "198.51.100.7");
        for _ in 0..5 {
            assert_eq!(sign_in_from(&a.base, attacker, "xa", "sai").await.0, 401);
        }
        // The counts are in the database: the other server makes the attacker wait too, even
        // with the right password; the wait is given, and grows from 30 seconds.
        let (status, retry) = sign_in_from(&b.base, attacker, "xa", "demo").await;
        assert_eq!(status, 429);
        let retry: u64 = retry.parse().unwrap();
        assert!((1..=30).contains(&retry), "{retry}");
        // The account is not locked: its user, at another address, signs in on either server.
        assert_eq!(sign_in_from(&a.base, user, "xa", "demo").await.0, 303);
        assert_eq!(sign_in_from(&b.base, user, "xa", "demo").await.0, 303);
        // Attempts during the wait are not counted, so the wait is not renewed: once the 30
        // seconds have passed (moved back in the database rather than waited for), the right
        // password signs in from the attacker's address too.
        for _ in 0..3 {
            assert_eq!(sign_in_from(&a.base, attacker, "xa", "sai").await.0, 429);
        }
        db.raw_execute("UPDATE sign_in_failures SET last_failure = '2000-01-01T00:00:00+00:00'")
            .await.unwrap();
        assert_eq!(sign_in_from(&a.base, attacker, "xa", "demo").await.0, 303);
        // A server that trusts no proxy ignores X-Forwarded-For: a guesser cannot pick a fresh
        // address per try.
        for i in 0..5 {
            assert_eq!(sign_in_from(&c.base, &format!("192.0.2.{i}"), "sotttt", "sai").await.0, 401);
        }
        assert_eq!(sign_in_from(&c.base, "192.0.2.99", "sotttt", "demo").await.0, 429);
    }

    async fn the_openapi_document_lists_every_answer_and_typed_bodies(db: &TestDb) {
        let server = Server::start(&db.cli_args());
        let doc: Value = http().get(server.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                let responses = op["responses"].as_object().unwrap();
                let has = |s: &str| responses.contains_key(s);
                if op.get("security").is_some() {
                    assert!(has("401"), "{method} {path}: no 401");
                }
                if op.get("parameters").is_some() || op.get("requestBody").is_some() {
                    assert!(has("400"), "{method} {path}: no 400");
                }
                if let Some(body) = op.get("requestBody") {
                    assert!(has("413") && has("415"), "{method} {path}: no 413/415");
                    for (kind, content) in body["content"].as_object().unwrap() {
                        assert!(content["schema"].get("$ref").is_some(), "{method} {path}: {kind} body untyped: {content}");
                    }
                }
                for (status, response) in responses {
                    if status.starts_with('4') {
                        assert!(response["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Error"
                            || status == "422", "{method} {path} {status}: {response}");
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= 15, "{checked} operations");
        let audit = &doc["paths"]["/audit"]["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(audit["type"], "array", "{audit}");
        let limit = doc["paths"]["/plans/{id}/compliance"]["get"]["parameters"].as_array().unwrap()
            .iter().find(|p| p["name"] == "limit").expect("a limit parameter");
        assert_eq!(limit["schema"]["maximum"], 1000, "{limit}");
    }

    async fn an_import_goes_on_across_servers_and_uploads_are_limited_per_user(db: &TestDb) {
        // Two servers on one database; each request of the flow goes to the other one.
        let a = common::demo_server(db, &[]).await;
        let b = Server::start(&db.cli_args());
        let office = session(&a.base, "sotttt", "demo").await;
        let (cookie, csrf) = (&office.0, office.1.as_str());
        let preview = upload_plan(&a.base, &office).await;
        let (status, page) = page_status(&b.base, cookie, &format!("{preview}?fix=0&q=bao+quang+nam")).await;
        assert_eq!(status, 200, "the preview, from the other server");
        let unit = hidden(&page, "unit");
        let (status, location) = post_page(&a.base, cookie, &format!("{preview}/fix"), &[("csrf", csrf), ("index", "0"), ("unit", &unit)]).await;
        assert_eq!((status, location.as_str()), (303, preview.as_str()), "fixed on the first");
        let (status, location) = post_page(&b.base, cookie, &format!("{preview}/confirm"), &[("csrf", csrf)]).await;
        assert_eq!(status, 303, "confirmed on the second");
        let plan: i64 = location.trim_start_matches("/plans/").parse().expect("the new plan's page");
        let (status, _) = post_page(&a.base, cookie, &format!("{preview}/confirm"), &[("csrf", csrf)]).await;
        assert_eq!(status, 404, "confirmed once, whichever server is asked");
        // The fix is in the stored plan: one unresolved text fewer than the same document
        // imported without fixes.
        let plain = cli_json(db, &["plan", "import", QUANG_NAM, "--json"]);
        let token = admin_token(&db.cli_args());
        let stored: Value = http().get(b.url(&format!("/api/v1/plans/{plan}"))).bearer_auth(&token)
            .send().await.unwrap().json().await.unwrap();
        let left: usize = stored["tasks"].as_array().unwrap().iter()
            .map(|t| t["unresolved"].as_array().unwrap().len()).sum();
        assert_eq!(left + 1, plain["unresolved"].as_array().unwrap().len());

        // A failed upload on one server holds the document in the database: the next try, on
        // the other server, need not choose the file again; it is used once, and only by its
        // uploader.
        let admin = session(&b.base, "quantri", "demo").await;
        let import = |base: String, cookie: String, form: Form| async move {
            let r = no_redirects().post(format!("{base}/plans/import")).header("cookie", cookie)
                .multipart(form).send().await.unwrap();
            let location = r.headers().get("location").map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), location, r.text().await.unwrap())
        };
        let failed = Form::new().text("csrf", office.1.clone()).text("context", "Không có nơi này")
            .part("file", Part::bytes(std::fs::read(QUANG_NAM).unwrap()).file_name("quangnam-2024.txt"));
        let (status, _, page) = import(a.base.clone(), cookie.clone(), failed).await;
        assert_eq!(status, 400, "{page}");
        let held = hidden(&page, "held");
        assert_eq!(page_status(&b.base, cookie, &format!("/plans/import/{held}")).await.0, 404, "a held file is no preview");
        let theirs = Form::new().text("csrf", admin.1.clone()).text("held", held.clone()).text("context", "");
        let (status, _, page) = import(b.base.clone(), admin.0.clone(), theirs).await;
        assert!(status == 400 && page.contains("không còn được giữ"), "not another user's: {page}");
        let retry = || Form::new().text("csrf", office.1.clone()).text("held", held.clone()).text("context", "");
        let (status, location, page) = import(b.base.clone(), cookie.clone(), retry()).await;
        assert_eq!(status, 303, "the held file, from the other server: {page}");
        assert!(location.unwrap().starts_with("/plans/import/"));
        let (status, _, page) = import(a.base.clone(), cookie.clone(), retry()).await;
        assert!(status == 400 && page.contains("không còn được giữ"), "used once: {page}");

        // Each user keeps a few uploads waiting; one user's uploads never evict another's.
        let admins = upload_plan(&b.base, &admin).await;
        let first = upload_plan(&b.base, &office).await;
        let mut later = Vec::new();
        for _ in 0..kehoach::pending_import::MAX_PER_USER {
            later.push(upload_plan(if later.len() % 2 == 0 { &a.base } else { &b.base }, &office).await);
        }
        assert_eq!(page_status(&a.base, cookie, &first).await.0, 404, "the user's oldest made room");
        for p in &later {
            assert_eq!(page_status(&b.base, cookie, p).await.0, 200, "{p}");
        }
        assert_eq!(page_status(&a.base, &admin.0, &admins).await.0, 200, "another user's is still there");
        assert_eq!(page_status(&a.base, &admin.0, &later[0]).await.0, 404, "and no one sees another's");
    }

    async fn a_plan_office_makes_an_account_whose_one_time_password_must_be_changed(db: &TestDb) {
        let a = common::demo_server(db, &[]).await;
        let b = Server::start(&db.cli_args());
        let office = session(&a.base, "sotttt", "demo").await;
        let (cookie, csrf) = (&office.0, office.1.as_str());
        let (status, _) = page_status(&a.base, cookie, "/users").await;
        assert_eq!(status, 200);
        let create = |username: &'static str, unit: &'static str, role: &'static str| {
            let (base, cookie, csrf) = (a.base.clone(), cookie.clone(), csrf.to_string());
            async move {
                let r = no_redirects().post(format!("{base}/users")).header("cookie", &cookie)
                    .form(&[("csrf", csrf.as_str()), ("username", username), ("display_name", "Phóng viên"), ("unit", unit), ("role", role)])
                    .send().await.unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        // Within its own subtree only, and never an administrator.
        assert_eq!(create("ngoai", "48", "reporter").await.0, 400, "Đà Nẵng is not Quảng Nam's");
        assert_eq!(create("quantri2", "", "admin").await.0, 400);
        let (status, html) = create("phongvien", "49.DPTTH", "reporter").await;
        assert_eq!(status, 200, "{html}");
        let one_time = html.split("class=\"one-time\">").nth(1).unwrap().split('<').next().unwrap().to_string();

        // The one-time password signs in once, to the password page only.
        let (status, location, reporter) = sign_in(&b.base, "phongvien", &one_time).await;
        assert_eq!((status, location.as_str()), (303, "/account"));
        assert_eq!(page_status(&a.base, &reporter, "/my-work").await.0, 303, "nothing else until it is changed");
        assert_eq!(sign_in(&a.base, "phongvien", &one_time).await.0, 401, "it works once");
        let (_, page) = page_status(&a.base, &reporter, "/account").await;
        let reporter_csrf = hidden(&page, "csrf");
        let change = |cookie: String, csrf: String, current: &'static str, new: &'static str, repeat: &'static str| {
            let base = b.base.clone();
            async move {
                post_page(&base, &cookie, "/account/password", &[("csrf", csrf.as_str()), ("current", current), ("new", new), ("repeat", repeat)]).await
            }
        };
        for (new, repeat) in [("ngan", "ngan"), ("phongvien-2024", "phongvien-2024"), ("Matkhau@123", "Matkhau@123"), ("Lúa chín vàng 2024", "Lúa chín vàng 2025")] {
            let (status, _) = change(reporter.clone(), reporter_csrf.clone(), "", new, repeat).await;
            assert_eq!(status, 400, "{new}");
        }
        let (status, location) = change(reporter.clone(), reporter_csrf.clone(), "", "Lúa chín vàng 2024", "Lúa chín vàng 2024").await;
        assert_eq!((status, location.as_str()), (303, "/account?done=password"));
        assert_eq!(page_status(&a.base, &reporter, "/my-work").await.0, 200);

        // A second session; a change from the first needs the current password and ends it.
        let (status, _, second) = sign_in(&a.base, "phongvien", "Lúa chín vàng 2024").await;
        assert_eq!(status, 303);
        assert_eq!(change(reporter.clone(), reporter_csrf.clone(), "sai mật khẩu", "Đồng xanh mây trắng", "Đồng xanh mây trắng").await.0, 400);
        assert_eq!(change(reporter.clone(), reporter_csrf.clone(), "Lúa chín vàng 2024", "Đồng xanh mây trắng", "Đồng xanh mây trắng").await.0, 303);
        assert_eq!(page_status(&b.base, &second, "/my-work").await.0, 303, "the other session ended");
        assert_eq!(page_status(&b.base, &reporter, "/my-work").await.0, 200, "this one goes on");

        // Disabled: its session ends and it cannot sign in; re-enabled, it can; a reset gives a
        // new one-time password that must be changed again.
        let (_, users) = page_status(&a.base, cookie, "/users").await;
        let row = users.split("<code>phongvien</code>").nth(1).unwrap();
        let id: i64 = row.split("/users/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap();
        assert_eq!(post_page(&a.base, cookie, &format!("/users/{id}/disable"), &[("csrf", csrf)]).await.0, 200);
        assert_eq!(page_status(&b.base, &reporter, "/my-work").await.0, 303);
        assert_eq!(sign_in(&b.base, "phongvien", "Đồng xanh mây trắng").await.0, 401);
        assert_eq!(post_page(&b.base, cookie, &format!("/users/{id}/enable"), &[("csrf", csrf)]).await.0, 200);
        assert_eq!(sign_in(&b.base, "phongvien", "Đồng xanh mây trắng").await.0, 303);
        let r = no_redirects().post(format!("{}/users/{id}/reset-password", a.base)).header("cookie", cookie)
            .form(&[("csrf", csrf)]).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        let again = html.split("class=\"one-time\">").nth(1).unwrap().split('<').next().unwrap().to_string();
        assert_eq!(sign_in(&b.base, "phongvien", "Đồng xanh mây trắng").await.0, 401, "the old password is gone");
        let (status, location, _) = sign_in(&b.base, "phongvien", &again).await;
        assert_eq!((status, location.as_str()), (303, "/account"));
        // An administrator manages any account; a reporter none.
        let quantri = session(&a.base, "quantri", "demo").await;
        assert_eq!(post_page(&a.base, &quantri.0, &format!("/users/{id}/disable"), &[("csrf", quantri.1.as_str())]).await.0, 200, "an administrator may");
        let (_, _, reporter2) = sign_in(&b.base, "daiptth", "demo").await;
        let (_, page) = page_status(&a.base, &reporter2, "/my-work").await;
        let theirs = hidden(&page, "csrf");
        assert_eq!(post_page(&a.base, &reporter2, &format!("/users/{id}/enable"), &[("csrf", theirs.as_str())]).await.0, 403, "a reporter may not");
    }
}
