//! The web pages over HTTP against the real server with its demo data, on each backend: sign-in
//! and session cookies, every page's status, language and size, CSRF rejection, the sign-in rate
//! limit, escaping, logging an activity with a photo from the "my work" form, and the checks of
//! the plan import's forms.

use crate::common;
use crate::common::QUANG_NAM;

use std::collections::HashMap;

use common::{Server, TestDb};
use reqwest::StatusCode;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::multipart::{Form, Part};

/// A tiny valid PNG (1×1).
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

/// A plan document the import page reads (the parser's corpus).
/// Pages must stay small for phones on slow networks.
const MAX_PAGE_BYTES: usize = 200 * 1024;

/// A cookie-keeping client that does not follow redirects (so they can be checked).
struct Client {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
    last_set_cookies: Vec<String>,
}

impl Client {
    fn new(server: &Server) -> Client {
        Client {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: server.base.clone(),
            cookies: HashMap::new(),
            last_set_cookies: Vec::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> (StatusCode, String, String) {
        let response = request
            .header(COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        self.last_set_cookies.clear();
        for value in response.headers().get_all(SET_COOKIE) {
            let text = value.to_str().unwrap().to_string();
            let pair = text.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_string(), v.to_string());
            }
            self.last_set_cookies.push(text);
        }
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = response.text().await.unwrap();
        (status, location, body)
    }

    async fn get(&mut self, path: &str) -> (StatusCode, String, String) {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post_form(
        &mut self,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, String, String) {
        let request = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    async fn sign_in(&mut self, username: &str, password: &str) -> (StatusCode, String, String) {
        let (_, _, page) = self.get("/sign-in").await;
        let token = hidden(&page, "csrf");
        self.post_form(
            "/sign-in",
            &[
                ("csrf", &token),
                ("username", username),
                ("password", password),
                ("next", "/plans"),
            ],
        )
        .await
    }
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

/// Every `href="…"` of a page that starts with `prefix`.
fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.starts_with(prefix))
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

on_both_backends! {
    async fn pages_render_in_vietnamese_for_a_signed_in_user(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);

        // Signed out: pages send you to sign in; the sign-in page shows the demo accounts.
        let (status, location, _) = client.get("/plans").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/sign-in"), "{location}");
        let (status, _, page) = client.get("/sign-in").await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("lang=\"vi\"") && page.contains("Đăng nhập"));
        for account in ["quantri", "sotttt", "daiptth", "xa"] {
            assert!(page.contains(account), "demo account {account} not shown");
        }

        let (status, location, _) = client.sign_in("sotttt", "demo").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "sign-in failed");
        assert_eq!(location, "/plans");
        let session = client
            .last_set_cookies
            .iter()
            .find(|c| c.starts_with("kh_session="))
            .expect("a session cookie");
        assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
        assert!(!session.contains("Secure"), "plain HTTP: no Secure flag");

        let (status, _, plans) = client.get("/plans").await;
        assert_eq!(status, StatusCode::OK);
        let plan_links = links(&plans, "/plans/");
        let plan_pages: Vec<&String> = plan_links.iter().filter(|l| l[7..].parse::<i64>().is_ok()).collect();
        // Quảng Nam's plan office lists Quảng Nam's two plans (the province's and Tam Kỳ city's),
        // not Đắk Nông's: another province's plan is not its to read.
        assert_eq!(plan_pages.len(), 2, "Quảng Nam's two demo plans: {plan_links:?}");

        // Every page answers, in Vietnamese, under the size budget.
        let mut all = String::new();
        let mut pages: Vec<String> = vec![
            "/plans".into(), "/plans/import".into(), "/my-work".into(), "/deadlines".into(),
            "/search?q=chuyen+doi+so".into(),
        ];
        for plan in &plan_pages {
            pages.push((*plan).clone());
            let id = &plan[7..];
            pages.push(format!("/heatmap?plan={id}"));
            pages.push(format!("/heatmap?plan={id}&per=week"));
            // The office's budget page: every lead unit of a province's plan (hundreds).
            pages.push(format!("/plans/{id}/budget"));
        }
        let (_, _, overview) = client.get(plan_pages[0]).await;
        pages.extend(links(&overview, "/tasks/").into_iter().take(3));

        // Filters: by status (every task shown has a missed period), by unit (fewer tasks).
        let tasks = |html: &str| html.matches("class=\"card task\"").count();
        let (_, _, missed) = client.get(&format!("{}?status=missed", plan_pages[0])).await;
        assert!(tasks(&missed) > 0 && tasks(&missed) <= tasks(&overview));
        for card in missed.split("class=\"card task\"").skip(1) {
            assert!(card.contains("Không đạt"), "a task without a missed period: {card}");
        }
        // The unit picker: a name typed (diacritics optional) lists the matches as links.
        let (_, _, matches) = client.get(&format!("{}?unit_q=uy+ban", plan_pages[0])).await;
        let unit = links(&matches, &format!("{}?", plan_pages[0]))
            .into_iter()
            .find(|l| l.contains("unit="))
            .expect("a unit to filter by");
        let (_, _, one_unit) = client.get(&unit.replace("&amp;", "&").replace("&#38;", "&")).await;
        assert!(tasks(&one_unit) > 0 && tasks(&one_unit) < tasks(&overview));
        for path in &pages {
            let (status, _, body) = client.get(path).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert!(body.contains("<html lang=\"vi\""), "{path} is not Vietnamese");
            assert!(body.len() < MAX_PAGE_BYTES, "{path} is {} bytes", body.len());
            // The CSP (style-src 'self') would drop an inline style: colours are by class.
            assert!(!body.contains(" style="), "{path} has an inline style");
            assert!(!body.contains("<style"), "{path} has a style element");
            all.push_str(&body);
        }
        // The demo shows every period status and each of the four deadline states.
        for word in [
            "Đạt:", "Đạt một phần", "Không đạt", "Đang diễn ra", "Chưa đến",
            "Hoàn thành đúng hạn", "Hoàn thành quá hạn", "Chưa hoàn thành, trong hạn",
            "Chưa hoàn thành, quá hạn",
        ] {
            assert!(all.contains(word), "nothing is {word:?} in the demo");
        }
        // Dates are dd/mm/yyyy.
        assert!(all.contains("04/11/2024"));
        // Search ignores diacritics.
        let (_, _, found) = client.get("/search?q=truyen+thong").await;
        assert!(links(&found, "/plans/").len() + links(&found, "/tasks/").len() > 0);

        // English on request, and remembered by the language switch.
        let (_, _, english) = client.get("/plans?lang=en").await;
        assert!(english.contains("<html lang=\"en\"") && english.contains("Sign out"));
        let (status, location, _) = client.get("/lang?to=en&back=/deadlines").await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/deadlines"));
        let (_, _, english) = client.get("/deadlines").await;
        assert!(english.contains("<h1>Deadlines</h1>"));
        // Never an open redirect.
        let (_, location, _) = client.get("/lang?to=vi&back=//evil.example").await;
        assert_eq!(location, "/");

        // Over HTTPS (a proxy says so) the cookie is Secure.
        let mut secure = Client::new(&server);
        let (_, _, page) = secure.get("/sign-in").await;
        let token = hidden(&page, "csrf");
        let request = secure
            .http
            .post(format!("{}/sign-in", secure.base))
            .header("x-forwarded-proto", "https")
            .form(&[("csrf", token.as_str()), ("username", "quantri"), ("password", "demo")]);
        let (status, _, _) = secure.send(request).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(secure.last_set_cookies.iter().any(|c| c.starts_with("kh_session=") && c.contains("Secure")));
    }

    async fn forms_without_the_csrf_token_are_refused(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        // Sign-in itself needs the token of its form.
        let (status, _, _) = client
            .post_form("/sign-in", &[("username", "daiptth"), ("password", "demo")])
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = client.sign_in("daiptth", "demo").await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, _, work) = client.get("/my-work").await;
        let assignment = links(&work, "/my-work?assignment=")[0]
            .trim_start_matches("/my-work?assignment=")
            .trim_end_matches("#log")
            .to_string();

        let before = client.get("/my-work").await.2.matches("<li><strong>").count();
        for token in [None, Some("0".repeat(64))] {
            let mut form = Form::new()
                .text("assignment", assignment.clone())
                .text("date", "2024-11-04")
                .text("title", "Không có mã CSRF");
            if let Some(t) = token {
                form = form.text("csrf", t);
            }
            let form = form.part("file", Part::bytes(PNG.to_vec()).file_name("anh.png"));
            let request = client.http.post(format!("{}/my-work/log", client.base)).multipart(form);
            let (status, _, body) = client.send(request).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert!(body.contains("Biểu mẫu đã cũ"), "{body}");
        }
        let after = client.get("/my-work").await.2.matches("<li><strong>").count();
        assert_eq!(before, after, "nothing was stored");

        let (status, _, _) = client.post_form("/sign-out", &[("csrf", "wrong")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = client.get("/my-work").await;
        assert_eq!(status, StatusCode::OK, "still signed in");
    }

    async fn the_import_forms_check_the_token_the_right_the_import_and_the_entry(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        client.sign_in("sotttt", "demo").await;
        let (_, _, form) = client.get("/plans/import").await;
        let csrf = hidden(&form, "csrf");
        let document = std::fs::read(QUANG_NAM).unwrap();
        let upload = Form::new()
            .text("csrf", csrf.clone())
            .part("file", Part::bytes(document).file_name("quangnam-2024.txt"));
        let request = client.http.post(format!("{}/plans/import", client.base)).multipart(upload);
        let (status, preview, _) = client.send(request).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(preview.starts_with("/plans/import/"), "{preview}");
        let (status, _, page) = client.get(&format!("{preview}?fix=0&q=bao+quang+nam")).await;
        assert_eq!(status, StatusCode::OK);
        let unresolved = page.matches("class=\"unresolved").count();
        assert!(unresolved > 1, "entries to fix: {page}");
        let unit = hidden(&page, "unit");
        let parent = page.split("<option value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();

        // The token first (403), then the import (404), then what the form names (400).
        let fix = format!("{preview}/fix");
        let (status, _, body) = client.post_form(&fix, &[("index", "0"), ("unit", &unit)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert!(body.contains("Biểu mẫu đã cũ"), "{body}");
        let (status, _, _) = client.post_form("/plans/import/nope/fix", &[("csrf", &csrf), ("index", "0"), ("unit", &unit)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _, body) = client.post_form(&fix, &[("csrf", &csrf), ("index", "9999"), ("unit", &unit)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("không còn trong danh sách"), "{body}");
        let (status, _, body) = client.post_form(&fix, &[("csrf", &csrf), ("index", "0"), ("unit", "999999")]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("không có trong danh mục"), "{body}");
        let new_unit = format!("{preview}/new-unit");
        let (status, _, _) = client.post_form(&new_unit, &[("index", "0"), ("name", "Hội Nông dân tỉnh"), ("parent", &parent)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, body) = client.post_form(&new_unit, &[("csrf", &csrf), ("index", "0"), ("name", " "), ("parent", &parent)]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("Tên đơn vị mới: bắt buộc"), "{body}");
        let (status, _, _) = client.post_form("/plans/import/nope/new-unit", &[("csrf", &csrf), ("index", "0"), ("name", "Hội Nông dân tỉnh"), ("parent", &parent)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Each fix goes back to the preview, one entry fewer.
        let (status, location, _) = client.post_form(&fix, &[("csrf", &csrf), ("index", "0"), ("unit", &unit)]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, preview.as_str()));
        let (status, location, _) = client.post_form(&new_unit, &[("csrf", &csrf), ("index", "0"), ("name", "Hội Nông dân tỉnh"), ("parent", &parent)]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, preview.as_str()));
        let page = client.get(&preview).await.2;
        assert_eq!(page.matches("class=\"unresolved").count(), unresolved - 2);
        let fixed = page
            .split("id=\"fixed\"")
            .nth(1)
            .and_then(|rest| rest.split("</ul>").next())
            .expect("the fixes are listed");
        assert_eq!(fixed.matches("<li>").count(), 2);
        assert!(fixed.contains("<strong>Hội Nông dân tỉnh</strong>"), "{fixed}");

        // Someone else's session may not touch it; confirming stores the plan and ends the import.
        let mut reporter = Client::new(&server);
        reporter.sign_in("daiptth", "demo").await;
        let theirs = hidden(&reporter.get("/my-work").await.2, "csrf");
        let (status, _, _) = reporter.post_form(&format!("{preview}/confirm"), &[("csrf", &theirs)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "a reporter may not import");
        let (status, _, _) = client.post_form(&format!("{preview}/confirm"), &[]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, location, _) = client.post_form(&format!("{preview}/confirm"), &[("csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.trim_start_matches("/plans/").parse::<i64>().is_ok(), "{location}");
        let (status, _, _) = client.post_form(&format!("{preview}/confirm"), &[("csrf", &csrf)]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "confirmed once");
    }

    async fn repeated_failed_sign_ins_are_refused_with_429(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        for _ in 0..5 {
            let (status, _, page) = client.sign_in("xa", "wrong").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert!(page.contains("không đúng"));
        }
        let (status, _, page) = client.sign_in("xa", "demo").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "from this address, even the right password waits");
        assert!(page.contains("thử lại sau") && page.contains("giây"), "{page}");
    }

    async fn a_reporter_logs_an_activity_with_a_photo_and_text_is_escaped(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        client.sign_in("daiptth", "demo").await;
        let (status, _, work) = client.get("/my-work").await;
        assert_eq!(status, StatusCode::OK);
        assert!(work.contains("Việc của tôi") && work.contains("accept=\"image/*\" capture"));
        let csrf = hidden(&work, "csrf");
        let assignment = links(&work, "/my-work?assignment=")[0]
            .trim_start_matches("/my-work?assignment=")
            .trim_end_matches("#log")
            .to_string();
        let title = "<script>alert(1)</script> Bản tin \"chuyển đổi số\"";
        let form = Form::new()
            .text("csrf", csrf.clone())
            .text("assignment", assignment.clone())
            .text("date", "2024-11-04")
            .text("title", title)
            .text("url", "https://baoquangnam.vn/bai-viet")
            .text("attendance", "35")
            .part("file", Part::bytes(Vec::new()).file_name(""))
            .part("file", Part::bytes(PNG.to_vec()).file_name("ảnh.png").mime_str("image/png").unwrap());
        let request = client.http.post(format!("{}/my-work/log", client.base)).multipart(form);
        let (status, location, body) = client.send(request).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.starts_with("/my-work?saved=1"));
        let (_, _, work) = client.get(&location).await;
        assert!(work.contains("Đã lưu hoạt động"));
        // Shown as text (askama escapes `<` as `&#60;`), never as markup.
        assert!(
            work.contains("&lt;script&gt;alert(1)") || work.contains("&#60;script&#62;alert(1)"),
            "the title is shown"
        );
        assert!(!work.contains("<script>alert(1)"), "the title is escaped");
        // The photo is shown: a thumbnail made on the server, with the file's type and size.
        let thumb = work
            .split("<img src=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("the photo is shown as a thumbnail")
            .to_string();
        assert!(thumb.starts_with("/files/") && thumb.ends_with("/thumb"), "{thumb}");
        assert!(work.contains("PNG · "), "the file's type and size");
        let request = client.http.get(format!("{}{thumb}", client.base));
        let response = request.header(COOKIE, client.cookie_header()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["content-type"], "image/jpeg");
        assert!(response.bytes().await.unwrap().starts_with(&[0xFF, 0xD8]));
        let (_, _, listed) = client.get(&format!("/activities?assignment={assignment}")).await;
        assert!(listed.contains("ảnh.png") && listed.contains("https://baoquangnam.vn/bai-viet"));
        // The photo downloads as an attachment, for users who may see the activity only.
        let file = links(&listed, "/files/")[0].clone();
        let request = client.http.get(format!("{}{file}", client.base));
        let response = request.header(COOKIE, client.cookie_header()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
        assert_eq!(response.bytes().await.unwrap().as_ref(), PNG);
        let mut commune = Client::new(&server);
        commune.sign_in("xa", "demo").await;
        let (status, _, _) = commune.get(&file).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another unit's evidence is not found (the policy)");
        assert!(!listed.contains("<script>alert(1)"));

        // A bad field is named, and nothing is stored.
        let form = Form::new()
            .text("csrf", csrf)
            .text("assignment", assignment)
            .text("date", "2099-01-01")
            .text("title", "Ngày trong tương lai");
        let request = client.http.post(format!("{}/my-work/log", client.base)).multipart(form);
        let (status, _, body) = client.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body.contains("Ngày: hãy chọn ngày"), "{body}");
        assert!(!body.contains("<li><strong>04/11/2024</strong> Ngày trong tương lai"));
    }

    async fn a_refused_evidence_file_shows_the_form_again_with_what_was_typed(db: &TestDb) {
        // Files of at most 1000 bytes on this server.
        let server = common::demo_server(db, &["--max-upload-bytes", "1000"]).await;
        let mut client = Client::new(&server);
        client.sign_in("daiptth", "demo").await;
        let (_, _, work) = client.get("/my-work").await;
        let csrf = hidden(&work, "csrf");
        let assignment = links(&work, "/my-work?assignment=")[0]
            .trim_start_matches("/my-work?assignment=")
            .trim_end_matches("#log")
            .to_string();
        let before = work.matches("<li><strong>").count();
        let send = |file: Part| {
            Form::new()
                .text("csrf", csrf.clone())
                .text("assignment", assignment.clone())
                .text("date", "2024-11-04")
                .text("title", "Phát thanh tuần 45")
                .text("url", "https://baoquangnam.vn/tuan-45")
                .text("attendance", "120")
                .part("file", file)
                .text("completes", "on")
        };
        let cases = [
            (Part::bytes(b"MZ\x90\0 not a photo".to_vec()).file_name("baocao.exe"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "không nhận loại tệp của “baocao.exe”"),
            (Part::bytes(vec![0xFF; 5000]).file_name("anh-lon.jpg"), StatusCode::PAYLOAD_TOO_LARGE, "tệp “anh-lon.jpg” quá lớn (tối đa 1 KB)"),
            (Part::bytes(Vec::new()).file_name("rong.png"), StatusCode::BAD_REQUEST, "tệp “rong.png” rỗng"),
        ];
        for (file, want_status, want_text) in cases {
            let request = client.http.post(format!("{}/my-work/log", client.base)).multipart(send(file));
            let (status, _, page) = client.send(request).await;
            assert_eq!(status, want_status, "{page}");
            // The form, not an error page: the error next to the file field, said in Vietnamese,
            // and everything typed still there.
            assert!(page.contains("id=\"log-form\""), "{page}");
            let error = page.split("id=\"file-error\">").nth(1).expect("an error by the file field");
            assert!(error.starts_with("Ảnh hoặc tệp minh chứng: ") && error.contains(want_text), "{error}");
            assert!(page.contains("aria-describedby=\"file-error\""));
            assert!(page.contains("value=\"Phát thanh tuần 45\"") && page.contains("value=\"https://baoquangnam.vn/tuan-45\""), "{page}");
            assert!(page.contains("value=\"120\"") && page.contains("value=\"2024-11-04\""));
            assert!(page.contains("name=\"completes\" checked"), "the box stays ticked");
            assert!(page.contains(&format!("value=\"{assignment}\" checked")), "the task stays chosen");
        }
        assert_eq!(client.get("/my-work").await.2.matches("<li><strong>").count(), before, "nothing stored");
        // A field error is shown next to its field the same way.
        let form = Form::new().text("csrf", csrf.clone()).text("assignment", assignment.clone())
            .text("date", "2099-01-01").text("title", "Tương lai");
        let request = client.http.post(format!("{}/my-work/log", client.base)).multipart(form);
        let (status, _, page) = client.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("id=\"date-error\">Ngày: hãy chọn ngày"), "{page}");
        assert!(page.contains("value=\"Tương lai\""));
    }

    async fn every_listed_page_route_is_served(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        client.sign_in("quantri", "demo").await;
        for (method, path) in kehoach::web::pages::page_routes() {
            let path = path.replace("{id}", "1");
            let request = match *method {
                "GET" => client.http.get(format!("{}{path}", client.base)),
                "POST" => client.http.post(format!("{}{path}", client.base)).form(&[("x", "1")]),
                other => panic!("unexpected method {other}"),
            };
            let response = request.header(COOKIE, client.cookie_header()).send().await.unwrap();
            let status = response.status();
            let body = response.text().await.unwrap();
            // The router's fallback answers JSON "no such route"; a page never does.
            assert!(
                !(status == StatusCode::NOT_FOUND && body.contains("no such route"))
                    && status != StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path} is listed but not routed ({status})"
            );
        }
    }

    async fn errors_are_pages_in_the_layout_in_the_users_language(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        client.sign_in("daiptth", "demo").await;
        let html = |client: &Client, path: &str| {
            client
                .http
                .get(format!("{}{path}", client.base))
                .header(COOKIE, client.cookie_header())
                .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
        };
        // The pages' own errors and the framework's (unknown path, wrong method) alike: an
        // HTML page with the menu, in Vietnamese, saying what to do; never JSON, never English.
        for (path, status, heading) in [
            ("/plans/999999999", StatusCode::NOT_FOUND, "Không tìm thấy"),
            ("/khong-co-trang-nay", StatusCode::NOT_FOUND, "Không tìm thấy"),
            ("/plans/import", StatusCode::FORBIDDEN, "Không có quyền"),
            ("/sign-out", StatusCode::METHOD_NOT_ALLOWED, "Thao tác không được hỗ trợ"),
        ] {
            let request = html(&client, path);
            let (got, _, body) = client.send(request).await;
            assert_eq!(got, status, "{path}: {body}");
            assert!(body.starts_with("<!doctype html>"), "{path} is a page: {body}");
            assert!(body.contains("<html lang=\"vi\""), "{path}");
            assert!(body.contains(heading), "{path}: {body}");
            assert!(body.contains("href=\"/my-work\""), "{path} has the menu");
            assert!(!body.contains("\"error\""), "{path} is not JSON");
        }
        // In English when the user chose English.
        let request = html(&client, "/plans/999999999?lang=en");
        let (_, _, body) = client.send(request).await;
        assert!(body.contains("Not found") && body.contains("<html lang=\"en\""), "{body}");
        // The API keeps JSON, whatever the client accepts; so does a client that asks for JSON.
        let request = html(&client, "/api/v1/plans/1");
        let (status, _, body) = client.send(request).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(body.starts_with('{'), "{body}");
        let (status, _, body) = client.get("/khong-co-trang-nay").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body.starts_with('{'), "no Accept: text/html, JSON as before: {body}");
    }

    async fn a_failed_plan_upload_keeps_its_file_and_offers_the_candidates(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut client = Client::new(&server);
        client.sign_in("sotttt", "demo").await;
        let (_, _, form) = client.get("/plans/import").await;
        let csrf = hidden(&form, "csrf");
        let document = std::fs::read(QUANG_NAM).unwrap();
        let plans_before = client.get("/plans").await.2;

        // An issuing place that names no unit: said in Vietnamese, naming the field; what was
        // typed is kept, and the file is held (no need to choose it again).
        let upload = Form::new()
            .text("csrf", csrf.clone())
            .text("context", "Không có nơi này")
            .part("file", Part::bytes(document.clone()).file_name("quangnam-2024.txt"));
        let request = client.http.post(format!("{}/plans/import", client.base)).multipart(upload);
        let (status, _, page) = client.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
        assert!(page.contains("Địa bàn ban hành: không tìm thấy đơn vị"), "{page}");
        assert!(!page.contains("--context"), "no command-line words on a page");
        assert!(page.contains("value=\"Không có nơi này\""), "what was typed is kept");
        assert!(page.contains("quangnam-2024.txt") && page.contains("id=\"held\""), "{page}");
        let held = hidden(&page, "held");

        // "Tam Kỳ" is a city of Quảng Nam and a commune elsewhere: the candidates are buttons.
        let retry = Form::new()
            .text("csrf", csrf.clone())
            .text("held", held)
            .text("context", "Tam Kỳ");
        let request = client.http.post(format!("{}/plans/import", client.base)).multipart(retry);
        let (status, _, page) = client.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
        assert!(page.contains("là tên của nhiều đơn vị"), "{page}");
        let buttons: Vec<(String, String)> = page
            .split("name=\"context\" value=\"")
            .skip(1)
            .filter(|b| b.contains("class=\"btn btn-secondary candidate\""))
            .map(|b| {
                let value = b.split('"').next().unwrap().to_string();
                let label = b.split('>').nth(1).unwrap().split('<').next().unwrap().to_string();
                (value, label)
            })
            .collect();
        assert!(buttons.len() > 1, "the candidates are buttons: {page}");
        let (code, _) = buttons
            .iter()
            .find(|(_, label)| label.contains("Quảng Nam"))
            .expect("Tam Kỳ of Quảng Nam is offered");
        let held = hidden(&page, "held");
        assert!(page.contains("quangnam-2024.txt"), "still held");

        // Choosing it (no file chosen again) reaches the preview.
        let choose = Form::new()
            .text("csrf", csrf.clone())
            .text("held", held.clone())
            .text("context", code.clone());
        let request = client.http.post(format!("{}/plans/import", client.base)).multipart(choose);
        let (status, location, body) = client.send(request).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(location.starts_with("/plans/import/"), "{location}");
        // The held document was used once; nothing is stored until confirmed.
        let again = Form::new().text("csrf", csrf).text("held", held).text("context", code.clone());
        let request = client.http.post(format!("{}/plans/import", client.base)).multipart(again);
        let (status, _, page) = client.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(page.contains("không còn được giữ"), "{page}");
        assert_eq!(client.get("/plans").await.2, plans_before, "nothing stored");
    }
}
