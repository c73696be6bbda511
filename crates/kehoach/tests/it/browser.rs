//! The web application in a real browser (Debian's Chromium through chromedriver, which
//! `cargo xtask test` starts and names in KEHOACH_TEST_WEBDRIVER_URL), against the real server
//! with its demo data on SQLite: the plan office signs in, imports the Quảng Nam plan through the
//! upload page and fixes one unresolved unit; then, in a 360×740 phone-sized window, the radio-TV
//! station's reporter logs an activity with a photo and sees its heatmap cell change status.
//! Screenshots of each main page go to `<target>/test-artifacts/web/`.
//!
//! The sweep: for each demo role, every page it may open (every GET route of
//! `web::pages::page_routes()` has a concrete URL here, or the test fails), at 1366 px and at
//! 360 px, checked by axe-core (injected from `KEHOACH_TEST_AXE`, which `cargo xtask test`
//! installs with npm: nothing is fetched at view time) — no serious or critical violation — and
//! by the browser's console: no Content-Security-Policy violation, no JavaScript error. axe runs
//! once per distinct page and width (a page whose DOM, CSRF token aside, another role already
//! had checked at that width is not checked again). At 360 px each page is opened once, as the
//! role whose view of it is the fullest, and each role's home page for its own header (see the
//! test). A full-page screenshot of each page at each width goes to
//! `<target>/test-artifacts/web/sweep/`: at 1366 px as the first role that opens it sees it, at
//! 360 px its fullest view.

use crate::common;
use crate::common::QUANG_NAM;

use std::path::PathBuf;
use std::time::Duration;

use common::TestDb;
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, LoggingPrefsLogLevel};

fn webdriver_url() -> String {
    std::env::var("KEHOACH_TEST_WEBDRIVER_URL").expect(
        "KEHOACH_TEST_WEBDRIVER_URL is not set: run the suites with `cargo xtask test`, which \
         starts Debian's chromedriver",
    )
}

/// `<target>/test-artifacts/web/`.
fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("the target directory")
        .join("test-artifacts/web");
    std::fs::create_dir_all(&dir).expect("create the artifacts directory");
    dir
}

/// A valid 8×8 PNG the test makes itself (a photo from the phone).
fn png() -> Vec<u8> {
    fn crc(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c ^= u32::from(b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    fn adler(bytes: &[u8]) -> u32 {
        let (mut a, mut b) = (1u32, 0u32);
        for &x in bytes {
            a = (a + u32::from(x)) % 65521;
            b = (b + a) % 65521;
        }
        (b << 16) | a
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        out.extend_from_slice(&body);
        out.extend_from_slice(&crc(&body).to_be_bytes());
    }
    let (w, h) = (8u32, 8u32);
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // no filter
        for x in 0..w {
            raw.extend_from_slice(&[(x * 30) as u8, (y * 30) as u8, 160]);
        }
    }
    // zlib, stored (uncompressed) block.
    let mut z = vec![0x78, 0x01, 1];
    z.extend_from_slice(&(raw.len() as u16).to_le_bytes());
    z.extend_from_slice(&(!(raw.len() as u16)).to_le_bytes());
    z.extend_from_slice(&raw);
    z.extend_from_slice(&adler(&raw).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

async fn shot(driver: &WebDriver, name: &str) {
    driver
        .screenshot(&artifacts().join(format!("{name}.png")))
        .await
        .expect("screenshot");
}

/// Ends a browser scenario: a screenshot named `failure_shot` when it failed, the browser closed
/// (within 10 s: a hung chromedriver must not hang the suite), then the scenario's outcome.
async fn finish<E: std::fmt::Debug>(
    driver: WebDriver,
    outcome: Result<(), E>,
    failure_shot: &str,
    what: &str,
) {
    if outcome.is_err() {
        shot(&driver, failure_shot).await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), driver.quit()).await;
    outcome.expect(what);
}

async fn sign_in(driver: &WebDriver, base: &str, user: &str) {
    driver.goto(format!("{base}/sign-in")).await.unwrap();
    driver
        .find(By::Name("username"))
        .await
        .unwrap()
        .send_keys(user)
        .await
        .unwrap();
    driver
        .find(By::Name("password"))
        .await
        .unwrap()
        .send_keys("demo")
        .await
        .unwrap();
    driver
        .find(By::Css("form.card button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(driver, "header .user").await.expect("signed in");
}

async fn sign_out(driver: &WebDriver) {
    driver
        .find(By::Css("header form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(driver, "input[name=username]")
        .await
        .expect("back at sign-in");
}

/// Waits (up to 20 s) until the browser's URL contains `part`.
async fn wait_url(driver: &WebDriver, part: &str) -> String {
    for _ in 0..200 {
        let url = driver.current_url().await.unwrap().to_string();
        if url.contains(part) {
            return url;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the browser never reached a URL containing {part:?}");
}

/// The first element matching `css`, waiting for it: after a click the next page may still be
/// loading, and `find` looks only once.
async fn wait_for(driver: &WebDriver, css: &str) -> WebDriverResult<WebElement> {
    driver
        .query(By::Css(css))
        .wait(Duration::from_secs(30), Duration::from_millis(100))
        .first()
        .await
}

/// Waits (up to 20 s) until the text of the element matching `css` contains `part`.
async fn wait_text(driver: &WebDriver, css: &str, part: &str) -> WebDriverResult<String> {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(e) = driver.find(By::Css(css)).await {
            last = e.text().await?;
            if last.contains(part) {
                return Ok(last);
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never said {part:?} (it says {last:?})");
}

/// The status class (`st-…`) of the heatmap cell of the week starting `monday`.
async fn cell_status(driver: &WebDriver, href: &str, monday: &str) -> String {
    driver.goto(href).await.unwrap();
    let cell = driver
        .find(By::Css(format!(
            "table.heatmap a.cell[href*=\"from={monday}\"]"
        )))
        .await
        .expect("the week's cell");
    let class = cell.attr("class").await.unwrap().unwrap_or_default();
    class
        .split_whitespace()
        .find(|c| c.starts_with("st-"))
        .unwrap_or_default()
        .to_string()
}

/// A headless Chromium session, logging everything the page's console says. chromedriver gives
/// each session a fresh profile of its own and removes it at quit (the headless shell cannot be
/// given one with `--user-data-dir`: chromedriver then finds no page to drive).
async fn browser() -> WebDriver {
    let mut caps = DesiredCapabilities::chrome();
    let binary = std::env::var("KEHOACH_TEST_BROWSER").expect(
        "KEHOACH_TEST_BROWSER is not set: run the suites with `cargo xtask test`, which installs \
         Debian's headless shell of Chromium",
    );
    caps.set_binary(&binary).unwrap();
    caps.set_browser_log_level(LoggingPrefsLogLevel::All)
        .unwrap();
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--lang=vi",
    ] {
        caps.add_arg(arg).unwrap();
    }
    WebDriver::new(webdriver_url(), caps)
        .await
        .expect("a browser session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_office_imports_and_reporter_logs_from_a_phone() {
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    let driver = browser().await;
    driver.set_window_rect(0, 0, 1280, 900).await.unwrap();

    let outcome = async {
        // The plan office signs in and imports the plan through the upload page.
        driver.goto(format!("{base}/sign-in")).await?;
        shot(&driver, "01-sign-in").await;
        sign_in(&driver, &base, "sotttt").await;
        shot(&driver, "02-plans").await;
        driver.goto(format!("{base}/plans/import")).await?;
        let document = std::fs::canonicalize(QUANG_NAM)?;
        driver
            .find(By::Css("input[type=file]"))
            .await?
            .send_keys(document.display().to_string())
            .await?;
        driver
            .find(By::Css("#import-form button"))
            .await?
            .click()
            .await?;
        wait_url(&driver, "/plans/import/").await;
        wait_for(&driver, "#confirm").await?;
        let unresolved = driver.find_all(By::Css("li.unresolved")).await?.len();
        assert!(unresolved > 0, "the preview lists the unresolved units");
        shot(&driver, "03-import-preview").await;
        // The plan's text lost its dashes and quotation marks (U+FFFD): the repaired ones are
        // folded away, the ones left are listed to check.
        let warnings = driver.find(By::Css("#warnings")).await?;
        let listed = warnings.text().await?;
        assert!(listed.contains("chưa sửa được"), "{listed}");
        assert!(
            driver
                .find(By::Css("#warnings details summary"))
                .await
                .is_ok()
        );
        warnings.scroll_into_view().await?;
        shot(&driver, "03b-import-warnings").await;
        driver.set_window_rect(0, 0, 360, 740).await?;
        warnings.scroll_into_view().await?;
        shot(&driver, "03c-import-warnings-phone").await;
        driver.set_window_rect(0, 0, 1280, 900).await?;

        // Fix the first one by searching the registry (diacritics left out on purpose).
        driver.find(By::Css("a.fix")).await?.click().await?;
        let q = wait_for(&driver, "#fix input[name=q]").await?;
        q.clear().await?;
        q.send_keys("bao quang nam").await?;
        driver
            .find(By::Css("#fix form.filters button"))
            .await?
            .click()
            .await?;
        wait_url(&driver, "q=bao").await;
        wait_for(&driver, "button.use-unit").await?.click().await?;
        wait_for(&driver, "#fixed li").await?;
        let fixed = driver.find_all(By::Css("#fixed li")).await?;
        assert_eq!(fixed.len(), 1, "one unit fixed");
        assert!(fixed[0].text().await?.contains("Báo Quảng Nam"));
        assert_eq!(
            driver.find_all(By::Css("li.unresolved")).await?.len(),
            unresolved - 1
        );
        driver.find(By::Css("#confirm")).await?.click().await?;
        wait_for(&driver, ".task").await?;
        let url = driver.current_url().await?;
        let plan_id: i64 = url
            .path()
            .trim_start_matches("/plans/")
            .parse()
            .expect("at the new plan");
        driver.find(By::Css(".task")).await?;
        shot(&driver, "04-plan-overview").await;
        driver.find(By::Css(".task h3 a")).await?.click().await?;
        wait_url(&driver, "/tasks/").await;
        wait_for(&driver, "main h1").await?;
        shot(&driver, "05-task").await;
        driver.goto(format!("{base}/deadlines")).await?;
        shot(&driver, "06-deadlines").await;
        driver
            .goto(format!("{base}/search?q=chuyen+doi+so"))
            .await?;
        shot(&driver, "07-search").await;
        sign_out(&driver).await;

        // The station's reporter, on a phone.
        driver.set_window_rect(0, 0, 360, 740).await?;
        sign_in(&driver, &base, "daiptth").await;
        driver.goto(format!("{base}/my-work")).await?;
        shot(&driver, "08-my-work-phone").await;
        // This week's open period in the new plan, and where its heatmap cell is.
        let mut target = None;
        for item in driver.find_all(By::Css("li")).await? {
            let Ok(where_) = item.find(By::Css("a.where")).await else {
                continue;
            };
            let href = where_.attr("href").await?.unwrap_or_default();
            if href.contains(&format!("plan={plan_id}&")) && href.contains("per=week") {
                let log = item
                    .find(By::Css("a.log"))
                    .await?
                    .attr("href")
                    .await?
                    .unwrap_or_default();
                target = Some((href, log));
                break;
            }
        }
        let (heatmap, log) = target.expect("a weekly item due this week in the new plan");
        let heatmap = format!("{base}{}", heatmap.replace("&amp;", "&"));
        let monday = "2024-11-04";
        let before = cell_status(&driver, &heatmap, monday).await;
        assert_eq!(
            before, "st-open",
            "this week is open before anything is logged"
        );
        shot(&driver, "09-heatmap-before").await;

        driver
            .goto(format!("{base}{}", log.replace("&amp;", "&")))
            .await?;
        let photo = tempfile::Builder::new().suffix(".png").tempfile()?;
        std::fs::write(photo.path(), png())?;
        driver
            .find(By::Name("title"))
            .await?
            .send_keys("Bản tin chuyển đổi số tuần 45")
            .await?;
        driver
            .find(By::Css("input[name=url]"))
            .await?
            .send_keys("https://qrt.vn/ban-tin-45")
            .await?;
        driver
            .find(By::Css("input[name=attendance]"))
            .await?
            .send_keys("12")
            .await?;
        driver
            .find(By::Css("input[type=file][capture]"))
            .await?
            .send_keys(photo.path().display().to_string())
            .await?;
        shot(&driver, "10-log-form-phone").await;
        driver
            .find(By::Css("#log-form button"))
            .await?
            .click()
            .await?;
        wait_for(&driver, "#saved").await.expect("saved");
        let item = wait_for(&driver, "#logged li").await?;
        let logged = item.text().await?;
        assert!(logged.contains("Bản tin chuyển đổi số tuần 45"), "{logged}");
        // The photo is shown: the server's thumbnail, loaded (not a broken image).
        let thumb = item.find(By::Css("img[src$='/thumb']")).await?;
        // The image loads lazily: in view, and given a moment on a busy machine.
        thumb.scroll_into_view().await?;
        let mut loaded = serde_json::Value::Bool(false);
        for _ in 0..50 {
            loaded = driver
                .execute(
                    "return arguments[0].complete && arguments[0].naturalWidth > 0;",
                    vec![thumb.to_json()?],
                )
                .await?
                .json()
                .clone();
            if loaded == serde_json::Value::Bool(true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(loaded, serde_json::Value::Bool(true), "the thumbnail loads");
        shot(&driver, "11-my-work-saved").await;

        let after = cell_status(&driver, &heatmap, monday).await;
        assert_ne!(after, before, "the cell turned");
        assert!(after == "st-met" || after == "st-partial", "{after}");
        shot(&driver, "12-heatmap-after").await;
        // The cell opens the activities behind it.
        driver
            .find(By::Css(format!("table.heatmap a[href*=\"from={monday}\"]")))
            .await?
            .click()
            .await?;
        wait_url(&driver, "/activities?").await;
        let listed = wait_for(&driver, "li.activity").await?.text().await?;
        assert!(listed.contains("Bản tin chuyển đổi số tuần 45"));
        shot(&driver, "13-cell-activities").await;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    finish(driver, outcome, "failure", "the browser scenario").await;
}

/// Review and periods (issue 19): the plan office returns a station's activity with a reason and
/// approves the station's October; on a phone the station's reporter sees the return, resubmits
/// it, and is refused a new activity in the locked October with a message saying why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_office_reviews_and_locks_a_month_reporter_resubmits_on_a_phone() {
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    let driver = browser().await;
    driver.set_window_rect(0, 0, 1280, 900).await.unwrap();
    let outcome = async {
        // The station's assignment on the Quảng Nam plan (read from the database the server uses).
        let store = db.open().await;
        let (plan_id, assignment, code, unit_id, task_id) = {
            let mut found = None;
            for plan in store.plans().await? {
                for a in store.assignments_of_plan(plan.id).await? {
                    if a.unit_name.contains("Phát thanh") && a.activity_count > 0 && found.is_none()
                    {
                        found = Some((plan.id, a.id, a.unit_code.clone(), a.unit_id, a.task_id));
                    }
                }
            }
            found.expect("the station's assignment in the demo")
        };
        // Its latest report outside October (October is about to be locked).
        let activity = store
            .activities_of_assignment(assignment)
            .await?
            .into_iter()
            .filter(|a| chrono::Datelike::month(&a.occurred_on) != 10)
            .max_by_key(|a| (a.recorded_at, a.id))
            .expect("an activity outside October");
        store.close().await;

        sign_in(&driver, &base, "sotttt").await;
        driver
            .goto(format!(
                "{base}/review?plan={plan_id}&unit={unit_id}&task={task_id}&state=pending"
            ))
            .await?;
        let item = wait_for(&driver, &format!("#activity-{}", activity.id)).await?;
        item.scroll_into_view().await?;
        shot(&driver, "20-review-queue").await;
        item.find(By::Css(format!("input[name=reason_{}]", activity.id)))
            .await?
            .send_keys("Thiếu ảnh chụp buổi phát sóng")
            .await?;
        item.find(By::Css(format!("button[value='return:{}']", activity.id)))
            .await?
            .click()
            .await?;
        wait_url(&driver, "done=1").await;
        wait_for(&driver, ".flash-ok").await?;
        shot(&driver, "21-review-returned").await;

        // The station's October: submitted and approved, so locked.
        for action in ["submit", "approve"] {
            driver
                .goto(format!("{base}/plans/{plan_id}/periods?year=2024"))
                .await?;
            wait_for(&driver, "#period-form").await?;
            driver
                .find(By::Css(format!("select[name=unit] option[value='{code}']")))
                .await?
                .click()
                .await?;
            driver
                .find(By::Css("input[name=period]"))
                .await?
                .send_keys("2024-10")
                .await?;
            driver
                .find(By::Css(format!("#period-form button[value={action}]")))
                .await?
                .click()
                .await?;
            wait_url(&driver, "saved=1").await;
        }
        let approvals = wait_for(&driver, "#approvals").await?.text().await?;
        assert!(
            approvals.contains("2024-10") && approvals.contains("Đã phê duyệt"),
            "{approvals}"
        );
        shot(&driver, "22-periods-approved").await;
        sign_out(&driver).await;

        // The reporter, on a phone: the return, with its reason; corrected and resubmitted.
        driver.set_window_rect(0, 0, 360, 740).await?;
        sign_in(&driver, &base, "daiptth").await;
        driver.goto(format!("{base}/my-work")).await?;
        let returned = wait_for(&driver, &format!("#returned-{}", activity.id)).await?;
        let text = returned.text().await?;
        assert!(text.contains("Thiếu ảnh chụp buổi phát sóng"), "{text}");
        returned.scroll_into_view().await?;
        shot(&driver, "23-my-work-returned-phone").await;
        let title = returned.find(By::Css("input[name=title]")).await?;
        title.send_keys(" (bổ sung ảnh)").await?;
        returned.find(By::Css("button")).await?.click().await?;
        wait_url(&driver, "resubmitted=1").await;
        wait_for(&driver, ".flash-ok").await?;
        assert!(
            driver
                .find_all(By::Css(format!("#returned-{}", activity.id)))
                .await?
                .is_empty(),
            "resubmitted: no longer returned"
        );
        shot(&driver, "24-my-work-resubmitted-phone").await;

        // A new activity in the locked October: refused, saying why and who may reopen it.
        driver
            .goto(format!("{base}/my-work?assignment={assignment}#log"))
            .await?;
        let date = wait_for(&driver, "#log-form input[name=date]").await?;
        driver
            .execute("arguments[0].value = '2024-10-15';", vec![date.to_json()?])
            .await?;
        driver
            .find(By::Css("#log-form input[name=title]"))
            .await?
            .send_keys("Bản tin tháng 10 bổ sung")
            .await?;
        driver
            .find(By::Css("#log-form button"))
            .await?
            .click()
            .await?;
        let error = wait_for(&driver, ".flash-error").await?.text().await?;
        assert!(
            error.contains("2024-10") && error.contains("khóa"),
            "{error}"
        );
        assert!(error.contains("mở lại"), "{error}");
        shot(&driver, "25-locked-month-phone").await;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    finish(
        driver,
        outcome,
        "failure-review",
        "the review and lock scenario",
    )
    .await;
}

/// GET routes that are not pages a person reads, with why they are not swept.
const TAM_KY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../plan/tests/fixtures/corpus/tamky-2021-2025.md"
);

const NOT_PAGES: [(&str, &str); 12] = [
    ("/static/app.css", "the stylesheet"),
    ("/static/app.js", "the script"),
    (
        "/files/{sha256}",
        "an evidence file, always sent as a download",
    ),
    ("/files/{sha256}/thumb", "an image's thumbnail (JPEG)"),
    ("/plans/{id}/report.docx", "a download"),
    ("/plans/{id}/compliance.xlsx", "a download"),
    ("/plans/{id}/activities.xlsx", "a download"),
    ("/plans/{id}/evidence-pack.zip", "a download"),
    ("/units/suggest", "the unit picker's suggestions (JSON)"),
    // Budget cycle (issue 21).
    ("/plans/{id}/budget.xlsx", "a download"),
    ("/plans/{id}/to-trinh.docx", "a download"),
    // The reporting chain (issue 20).
    ("/reports/{id}/units/{unit}/report.docx", "a download"),
];

/// One page of the sweep: the route it exercises, its URL, a name for its screenshot, and
/// whether it is an error page on purpose (its own 4xx in the console is then expected).
struct Visit {
    route: &'static str,
    url: String,
    name: String,
    error_page: bool,
    /// Whether this role's view of the page is the one kept as its screenshot.
    shown: bool,
    /// The length of its DOM at 1366 px, once swept there.
    dom_len: usize,
    /// Whether this role's view of the page is the one opened at 360 px (the fullest view of it).
    narrow: bool,
}

fn visit(route: &'static str, url: impl Into<String>, name: &str) -> Visit {
    Visit {
        route,
        url: url.into(),
        name: name.into(),
        error_page: false,
        shown: false,
        dom_len: 0,
        narrow: false,
    }
}

/// The `href` of the first element matching `css` on the current page.
async fn first_href(driver: &WebDriver, css: &str) -> WebDriverResult<String> {
    Ok(wait_for(driver, css)
        .await?
        .attr("href")
        .await?
        .unwrap_or_default())
}

/// What a role can open, found the way a person finds it: by following the pages' links.
async fn pages_of(driver: &WebDriver, base: &str, role: &str) -> WebDriverResult<Vec<Visit>> {
    let mut visits = vec![
        visit("/", "/", "home"),
        visit("/overview", "/overview", "overview"),
        visit("/plans", "/plans", "plans"),
        visit("/my-work", "/my-work", "my-work"),
        visit("/deadlines", "/deadlines", "deadlines"),
        visit("/search", "/search?q=chuyen+doi+so", "search"),
    ];
    driver.goto(format!("{base}/plans")).await?;
    let plan = first_href(
        driver,
        "main a[href^='/plans/']:not([href='/plans/import'])",
    )
    .await?;
    visits.push(visit("/plans/{id}", plan.clone(), "plan"));
    driver.goto(format!("{base}{plan}")).await?;
    let task = first_href(driver, ".task h3 a").await?;
    let plan_id = plan.trim_start_matches("/plans/");
    visits.push(visit(
        "/heatmap",
        format!("/heatmap?plan={plan_id}"),
        "heatmap-month",
    ));
    visits.push(visit(
        "/heatmap",
        format!("/heatmap?plan={plan_id}&per=week"),
        "heatmap-week",
    ));
    // Review and periods (issue 19): the plan's periods for everyone who reads the plan; the
    // review queue for those who review, a refusal for the others.
    visits.push(visit(
        "/plans/{id}/periods",
        format!("/plans/{plan_id}/periods?year=2024"),
        "periods",
    ));
    if role == "quantri" || role == "sotttt" {
        visits.push(visit("/review", "/review?state=all", "review"));
    } else {
        visits.push(Visit {
            error_page: true,
            ..visit("/review", "/review", "review-refused")
        });
    }
    // Plans that implement plans (issue 22): links and coverage; the carry for plan offices.
    visits.push(visit(
        "/plans/{id}/cascade",
        format!("/plans/{plan_id}/cascade"),
        "cascade",
    ));
    if role == "quantri" || role == "sotttt" {
        visits.push(visit(
            "/plans/{id}/carry",
            format!("/plans/{plan_id}/carry?year=2026"),
            "carry",
        ));
    }
    visits.push(visit("/tasks/{id}", task.clone(), "task"));
    // Budget cycle (issue 21): the Quảng Nam plan's budget, whose cycle the demo ran.
    visits.push(visit("/plans/{id}/budget", "/plans/1/budget", "budget"));
    driver.goto(format!("{base}{task}")).await?;
    let activities = first_href(driver, "a[href^='/activities?assignment=']").await?;
    visits.push(visit("/activities", activities, "activities"));
    visits.push(visit("/account", "/account", "account"));
    // The reporting chain (issue 20): the requests, a board, a unit's draft.
    visits.push(visit("/reports", "/reports", "reports"));
    visits.push(visit(
        "/plans/{id}/reports",
        format!("{plan}/reports"),
        "plan-reports",
    ));
    // (Not waited for: a unit asked for nothing has no link.)
    driver.goto(format!("{base}/reports")).await?;
    if let Some(a) = driver
        .find_all(By::Css("table.report-requests a"))
        .await?
        .first()
    {
        let board = a.attr("href").await?.unwrap_or_default();
        visits.push(visit("/reports/{id}", board.clone(), "report-board"));
        driver.goto(format!("{base}{board}")).await?;
        if let Some(a) = driver
            .find_all(By::Css("table.report-board a"))
            .await?
            .first()
        {
            let draft = a.attr("href").await?.unwrap_or_default();
            visits.push(visit("/reports/{id}/units/{unit}", draft, "report-draft"));
        }
    }
    if role == "quantri" || role == "sotttt" {
        visits.push(visit("/users", "/users", "users"));
        visits.push(visit("/plans/import", "/plans/import", "import"));
        // A pending import to preview: the Quảng Nam plan through the upload form.
        driver.goto(format!("{base}/plans/import")).await?;
        let document = std::fs::canonicalize(QUANG_NAM)?;
        driver
            .find(By::Css("input[type=file]"))
            .await?
            .send_keys(document.display().to_string())
            .await?;
        driver
            .find(By::Css("#import-form button[type=submit]:last-child"))
            .await?
            .click()
            .await?;
        let preview = wait_url(driver, "/plans/import/").await;
        let path = &preview[preview.find("/plans/import/").unwrap()..];
        visits.push(visit("/plans/import/{id}", path, "import-preview"));
        visits.push(visit(
            "/plans/import/{id}",
            format!("{path}?fix=0#fix"),
            "import-fix",
        ));
        // Editing after import (issue 19): a task of the preview, a stored task, a new task.
        visits.push(visit(
            "/plans/import/{id}/tasks/{index}",
            format!("{path}/tasks/0"),
            "import-task-edit",
        ));
        visits.push(visit(
            "/tasks/{id}/edit",
            format!("{task}/edit"),
            "task-edit",
        ));
        visits.push(visit(
            "/plans/{id}/tasks/new",
            format!("/plans/{plan_id}/tasks/new"),
            "task-new",
        ));
    } else {
        // Not theirs: the refusal, as a page with the menu.
        visits.push(Visit {
            error_page: true,
            ..visit("/plans/import", "/plans/import", "import-refused")
        });
    }
    visits.push(Visit {
        error_page: true,
        ..visit("(error)", "/plans/999999999", "not-found")
    });
    visits.push(Visit {
        error_page: true,
        ..visit("(error)", "/khong-co-trang-nay", "no-route")
    });
    // In English, then back to Vietnamese.
    visits.push(visit("/lang", "/lang?to=en&back=/deadlines", "english"));
    visits.push(visit("/lang", "/lang?to=vi&back=/plans", "vietnamese"));
    Ok(visits)
}

/// axe-core's serious and critical violations on the current page, as readable lines.
async fn axe(driver: &WebDriver, source: &str) -> WebDriverResult<Vec<String>> {
    driver.execute(source, Vec::new()).await?;
    let result = driver
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
            axe.run(document, { resultTypes: ["violations"] }).then(r => done(
              r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.impact + " " + v.id + ": " + v.help + " — " +
                  v.nodes.slice(0, 4).map(n => n.target.join(" ") + " (" +
                    (n.failureSummary || "").replace(/\s+/g, " ").slice(0, 200) + ")").join("; "))
            )).catch(e => done(["axe failed: " + e]));"#,
            Vec::new(),
        )
        .await?;
    Ok(result.convert().unwrap_or_default())
}

/// The console's problems since the last call: CSP violations and errors. An error page's own
/// status line ("Failed to load resource … 404") is expected on that page.
async fn console_problems(driver: &WebDriver, error_page: bool) -> WebDriverResult<Vec<String>> {
    Ok(driver
        .browser_log()
        .await?
        .into_iter()
        .filter(|e| {
            e.level == "SEVERE"
                || e.message.contains("Content Security Policy")
                || e.message.contains("Refused to")
        })
        .filter(|e| !(error_page && e.message.contains("Failed to load resource")))
        .map(|e| format!("{} {}", e.level, e.message))
        .collect())
}

/// A screenshot of the whole page (not only the window, at most 6,000 px tall): the window is
/// made as tall as the page plus the browser's own frame (the window's height is not the
/// viewport's), then given back its size.
async fn full_shot(driver: &WebDriver, path: &std::path::Path, width: u32, height: u32) {
    let tall = driver
        .execute(
            "return document.documentElement.scrollHeight + window.outerHeight - window.innerHeight;",
            Vec::new(),
        )
        .await
        .ok()
        .and_then(|r| r.json().as_u64())
        .unwrap_or(u64::from(height))
        .clamp(u64::from(height), 6000) as u32;
    if tall > height {
        driver
            .set_window_rect(0, 0, width, tall)
            .await
            .expect("resize");
    }
    driver.screenshot(path).await.expect("screenshot");
    if tall > height {
        driver
            .set_window_rect(0, 0, width, height)
            .await
            .expect("resize back");
    }
}

/// The demo roles the sweep signs in as, in the order that picks who shows a page in the
/// screenshots (the first role that opens it).
const SWEPT_ROLES: [&str; 4] = ["quantri", "sotttt", "daiptth", "xa"];

/// The sweep's two widths (and window heights): a desktop, then a phone.
const WIDE: (u32, u32) = (1366, 900);
const NARROW: (u32, u32) = (360, 740);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_accessible_for_every_role_at_both_widths() {
    let axe_path = std::env::var("KEHOACH_TEST_AXE").expect(
        "KEHOACH_TEST_AXE is not set: run the suites with `cargo xtask test`, which installs \
         axe-core with npm",
    );
    let axe_source =
        std::sync::Arc::new(std::fs::read_to_string(&axe_path).expect("read axe.min.js"));
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    // Only this run's screenshots: which role shows a page may change as pages are added.
    let dir = artifacts().join("sweep");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // What each role can open, each in its own browser (kept for both widths), all at once.
    let mut discoveries = tokio::task::JoinSet::new();
    for (r, role) in SWEPT_ROLES.into_iter().enumerate() {
        discoveries.spawn(discover(role, r == 0, base.clone()));
    }
    let mut roles: Vec<Discovered> = Vec::new();
    while let Some(discovered) = discoveries.join_next().await {
        roles.push(discovered.expect("a role's discovery"));
    }
    roles.sort_by_key(|d| SWEPT_ROLES.iter().position(|r| *r == d.role));
    // One screenshot per page and width, for people to look at: as the first role that opens
    // the page sees it.
    let mut shown = std::collections::HashSet::new();
    for discovered in &mut roles {
        for v in &mut discovered.visits {
            v.shown = shown.insert(v.name.clone());
        }
    }

    let checked = std::sync::Arc::new(std::sync::Mutex::new(std::collections::HashSet::new()));
    let mut problems: Vec<String> = Vec::new();
    let mut covered: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    // Every role's pages at the desktop width: axe on every distinct page.
    let swept = sweep_at(roles, WIDE, &base, &axe_source, &dir, &checked).await;
    let mut roles = Vec::new();
    for (discovered, found, opened) in swept {
        problems.extend(found);
        covered.extend(opened);
        roles.push(discovered);
    }
    // At the phone's width the same DOMs are laid out by the stylesheet's narrow rules (the
    // header's two rows, tables scrolling sideways, tap targets): what axe, the console and the
    // header checks can find there and not on the desktop depends on the layout of the page,
    // not on whose page it is. So each page is opened at 360 px once, as the role with the
    // fullest view of it (the largest DOM at 1366 px: most rows to scroll and to crowd), and
    // each role's home page for its own header (its menu differs by role); the desktop pass
    // above checked every role's DOM.
    let mut fullest: std::collections::HashMap<String, (usize, usize)> =
        std::collections::HashMap::new();
    for (r, discovered) in roles.iter().enumerate() {
        for v in &discovered.visits {
            let best = fullest.entry(v.name.clone()).or_insert((r, v.dom_len));
            if v.dom_len > best.1 {
                *best = (r, v.dom_len);
            }
        }
    }
    for (r, discovered) in roles.iter_mut().enumerate() {
        for v in &mut discovered.visits {
            v.narrow = fullest.get(&v.name).is_some_and(|(best, _)| *best == r) || v.route == "/";
        }
    }
    let swept = sweep_at(roles, NARROW, &base, &axe_source, &dir, &checked).await;
    for (discovered, found, opened) in swept {
        problems.extend(found);
        covered.extend(opened);
        let _ = tokio::time::timeout(Duration::from_secs(10), discovered.driver.quit()).await;
    }
    // Every GET page route was opened by some role (a new page must be added to the sweep).
    for (method, route) in kehoach::web::pages::page_routes() {
        if *method != "GET" || NOT_PAGES.iter().any(|(r, _)| r == route) {
            continue;
        }
        assert!(
            covered.contains(route),
            "GET {route} is not in the accessibility sweep"
        );
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// Every role's pages at one width, two roles at a time, each in its own browser: much of a
/// visit is waiting on the browser and the server, and two browsers running axe are what two
/// cores carry beside the other suites. Gives back each role with the problems found and the
/// routes opened.
async fn sweep_at(
    roles: Vec<Discovered>,
    (width, height): (u32, u32),
    base: &str,
    axe_source: &std::sync::Arc<String>,
    dir: &std::path::Path,
    checked: &std::sync::Arc<std::sync::Mutex<std::collections::HashSet<(u32, u64)>>>,
) -> Vec<(
    Discovered,
    Vec<String>,
    std::collections::BTreeSet<&'static str>,
)> {
    let turns = std::sync::Arc::new(tokio::sync::Semaphore::new(2));
    let mut sweeps = tokio::task::JoinSet::new();
    for discovered in roles {
        let turns = turns.clone();
        let (base, axe_source, dir, checked) = (
            base.to_string(),
            axe_source.clone(),
            dir.to_path_buf(),
            checked.clone(),
        );
        sweeps.spawn(async move {
            let _turn = turns
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            sweep_as(discovered, width, height, base, axe_source, dir, checked).await
        });
    }
    let mut swept = Vec::new();
    while let Some(sweep) = sweeps.join_next().await {
        swept.push(sweep.expect("a role's sweep"));
    }
    swept.sort_by_key(|(d, _, _)| SWEPT_ROLES.iter().position(|r| *r == d.role));
    swept
}

/// A role signed in, in a browser of its own, with the pages it can open.
struct Discovered {
    role: &'static str,
    driver: WebDriver,
    visits: Vec<Visit>,
}

/// Signs in as `role` and finds its pages ([`pages_of`]); the sign-in page itself too when
/// `with_sign_in`.
async fn discover(role: &'static str, with_sign_in: bool, base: String) -> Discovered {
    let driver = browser().await;
    let outcome = async {
        driver.set_script_timeout(Duration::from_secs(120)).await?;
        driver.set_window_rect(0, 0, WIDE.0, WIDE.1).await?;
        let mut visits = Vec::new();
        if with_sign_in {
            visits.push(visit("/sign-in", "/sign-in", "sign-in"));
        }
        sign_in(&driver, &base, role).await;
        visits.extend(pages_of(&driver, &base, role).await?);
        let _ = driver.browser_log().await?; // what discovery logged is not checked
        Ok::<_, WebDriverError>(visits)
    }
    .await;
    match outcome {
        Ok(visits) => Discovered {
            role,
            driver,
            visits,
        },
        Err(e) => {
            shot(&driver, &format!("sweep-failure-{role}")).await;
            let _ = tokio::time::timeout(Duration::from_secs(10), driver.quit()).await;
            panic!("finding the pages of {role}: {e}");
        }
    }
}

/// The page's DOM as the browser holds it, without what differs between two renderings of the
/// same page (the session's CSRF token): its hash (two visits with the same hash at the same
/// width are the same page for axe) and its length.
async fn dom_of(driver: &WebDriver) -> WebDriverResult<(u64, usize)> {
    use std::hash::{Hash, Hasher};
    static CSRF: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let csrf = CSRF.get_or_init(|| regex::Regex::new(r#"name="csrf" value="[^"]*""#).unwrap());
    let dom = driver.source().await?;
    let masked = csrf.replace_all(&dom, r#"name="csrf" value="""#);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    masked.hash(&mut hasher);
    Ok((hasher.finish(), masked.len()))
}

/// One role's part of the accessibility sweep at one width: every page it reaches (at 360 px
/// only those marked `narrow`), checked with axe (once per distinct page and width across the
/// roles: `checked` holds the DOMs already checked), its console and, on a phone, the header; a
/// screenshot of the pages it shows. Gives the role back with the problems found
/// and the routes opened.
async fn sweep_as(
    mut discovered: Discovered,
    width: u32,
    height: u32,
    base: String,
    axe_source: std::sync::Arc<String>,
    dir: PathBuf,
    checked: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<(u32, u64)>>>,
) -> (
    Discovered,
    Vec<String>,
    std::collections::BTreeSet<&'static str>,
) {
    let role = discovered.role;
    let driver = &discovered.driver;
    let mut problems: Vec<String> = Vec::new();
    let mut covered: std::collections::BTreeSet<&'static str> = std::collections::BTreeSet::new();
    let started = std::time::Instant::now();
    let (mut opened, mut axed, mut shots) = (0usize, 0usize, 0usize);
    let (mut axe_time, mut shot_time) = (Duration::ZERO, Duration::ZERO);
    let outcome = async {
        driver.set_window_rect(0, 0, width, height).await?;
        for (i, v) in discovered.visits.iter_mut().enumerate() {
            if width == NARROW.0 && !v.narrow {
                continue;
            }
            opened += 1;
            if v.route == "/sign-in" {
                // Signed out for this one page.
                driver.delete_all_cookies().await?;
            }
            driver.goto(format!("{base}{}", v.url)).await?;
            wait_for(driver, "main").await?;
            covered.insert(v.route);
            let here = format!("{role} {width}px {} ({})", v.name, v.url);
            let (dom, len) = dom_of(driver).await?;
            if width == WIDE.0 {
                v.dom_len = len;
            }
            // The same DOM at the same width is the same page for axe: checked once.
            if checked
                .lock()
                .expect("no sweep panics holding it")
                .insert((width, dom))
            {
                axed += 1;
                let t = std::time::Instant::now();
                for line in axe(driver, axe_source.as_str()).await? {
                    problems.push(format!("{here}: axe {line}"));
                }
                axe_time += t.elapsed();
            }
            for line in console_problems(driver, v.error_page).await? {
                problems.push(format!("{here}: console {line}"));
            }
            // The phone header stays compact (about one line).
            if width == NARROW.0 {
                let header = driver.find(By::Css("body > header")).await?;
                let rect = header.rect().await?;
                if rect.height > 60.0 {
                    problems.push(format!("{here}: header {} px tall", rect.height));
                }
                // Signed in, the account link and "Đăng xuất" are on screen without
                // scrolling anything sideways.
                if v.route != "/sign-in" {
                    for css in ["header a.user[href='/account']", "header form button"] {
                        let r = driver.find(By::Css(css)).await?.rect().await?;
                        if r.x < 0.0 || r.x + r.width > f64::from(width) + 0.5 {
                            problems.push(format!("{here}: {css} off screen at x {}", r.x));
                        }
                    }
                    // …and the nav is not squeezed away (it scrolls, on its own row).
                    let nav = driver
                        .find(By::Css("body > header nav"))
                        .await?
                        .rect()
                        .await?;
                    if nav.width < 300.0 {
                        problems.push(format!("{here}: nav only {} px wide", nav.width));
                    }
                }
            }
            // At 1366 px as the first role that opens the page sees it; at 360 px its fullest
            // view (the home page is opened by every role there, shown by the first).
            let shown = if width == WIDE.0 || v.route == "/" {
                v.shown
            } else {
                v.narrow
            };
            if shown {
                shots += 1;
                let t = std::time::Instant::now();
                let file = dir.join(format!("{width}-{i:02}-{}-{role}.png", v.name));
                full_shot(driver, &file, width, height).await;
                shot_time += t.elapsed();
            }
            if v.route == "/sign-in" {
                sign_in(driver, &base, role).await;
                let _ = driver.browser_log().await?;
            }
        }
        Ok::<_, WebDriverError>(())
    }
    .await
    .map_err(|e| e.to_string());
    if let Err(e) = outcome {
        shot(driver, &format!("sweep-failure-{role}")).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), driver.clone().quit()).await;
        panic!("the sweep as {role} at {width} px: {e}");
    }
    eprintln!(
        "sweep as {role} at {width} px: {opened} pages in {:.0} s; axe on {axed} {:.0} s, {shots} \
         screenshots {:.0} s",
        started.elapsed().as_secs_f64(),
        axe_time.as_secs_f64(),
        shot_time.as_secs_f64()
    );
    (discovered, problems, covered)
}

/// Editing a plan after import (issue 19): the plan office corrects a target on the import
/// preview, confirms, then corrects a target of the stored plan (and is told why a window outside
/// the plan's period is refused); desktop and phone screenshots of each form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_office_corrects_targets_on_the_preview_and_after_import() {
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    let driver = browser().await;
    driver.set_window_rect(0, 0, 1280, 900).await.unwrap();
    let outcome = async {
        sign_in(&driver, &base, "sotttt").await;
        driver.goto(format!("{base}/plans/import")).await?;
        let document = std::fs::canonicalize(QUANG_NAM)?;
        driver
            .find(By::Css("input[type=file]"))
            .await?
            .send_keys(document.display().to_string())
            .await?;
        driver
            .find(By::Css("#import-form button[type=submit]:last-child"))
            .await?
            .click()
            .await?;
        wait_url(&driver, "/plans/import/").await;
        // The first task of the preview: its target set to 3 a month of "tin bài".
        wait_for(&driver, "a.edit-task").await?.click().await?;
        wait_for(&driver, "#task-form").await?;
        shot(&driver, "edit-01-preview-task").await;
        driver.set_window_rect(0, 0, 360, 740).await?;
        shot(&driver, "edit-02-preview-task-phone").await;
        driver.set_window_rect(0, 0, 1280, 900).await?;
        let count = driver
            .find(By::Css(".target-row input[name=count]"))
            .await?;
        count.clear().await?;
        count.send_keys("3").await?;
        driver
            .find(By::Css(".target-row select[name=per] option[value=month]"))
            .await?
            .click()
            .await?;
        let noun = driver.find(By::Css(".target-row input[name=noun]")).await?;
        noun.clear().await?;
        noun.send_keys("tin bài").await?;
        driver
            .find(By::Css("#task-form button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for(&driver, "#confirm").await?;
        let first_row = driver
            .find(By::Css("table.table tbody tr"))
            .await?
            .text()
            .await?;
        assert!(first_row.contains("3 tin bài/tháng"), "{first_row}");
        shot(&driver, "edit-03-preview-corrected").await;
        driver.find(By::Css("#confirm")).await?.click().await?;
        wait_for(&driver, ".task").await?;
        // After import: the first task's page, "Sửa nhiệm vụ".
        driver.find(By::Css(".task h3 a")).await?.click().await?;
        wait_url(&driver, "/tasks/").await;
        let stored = driver.find(By::Css("main")).await?.text().await?;
        assert!(
            stored.contains("3 tin bài/tháng") || stored.contains("tin bài"),
            "{stored}"
        );
        wait_for(&driver, "#edit-task").await?.click().await?;
        wait_for(&driver, "#task-form").await?;
        // A window outside the plan's period: refused, saying why, what was typed kept.
        driver
            .execute(
                "document.querySelector('input[name=window_from]').value = '2023-06-01';\
                 document.querySelector('input[name=window_to]').value = '2024-03-31';",
                Vec::new(),
            )
            .await?;
        let count = driver
            .find(By::Css(".target-row input[name=count]"))
            .await?;
        count.clear().await?;
        count.send_keys("4").await?;
        driver
            .find(By::Css("#task-form button[type=submit]"))
            .await?
            .click()
            .await?;
        let error = wait_for(&driver, "#edit-error").await?.text().await?;
        assert!(error.contains("Thời gian thực hiện"), "{error}");
        assert!(error.contains("trước khi kế hoạch bắt đầu"), "{error}");
        shot(&driver, "edit-04-refused").await;
        driver.set_window_rect(0, 0, 360, 740).await?;
        shot(&driver, "edit-05-refused-phone").await;
        driver.set_window_rect(0, 0, 1280, 900).await?;
        // Corrected: no window of its own, the count 4.
        driver
            .execute(
                "document.querySelector('input[name=window_from]').value = '';\
                 document.querySelector('input[name=window_to]').value = '';",
                Vec::new(),
            )
            .await?;
        driver
            .find(By::Css("#task-form button[type=submit]"))
            .await?
            .click()
            .await?;
        wait_for(&driver, "#edit-task").await?;
        let page = driver.find(By::Css("main")).await?.text().await?;
        assert!(page.contains("4 tin bài/tháng"), "{page}");
        shot(&driver, "edit-06-task-after").await;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    finish(driver, outcome, "edit-failure", "the browser scenario").await;
}

// The reporting chain (issue 20).

/// On the demo: the station's reporter opens the Quảng Nam plan's report request, finds its
/// draft already written, edits and saves it (desktop and phone); the plan office opens the
/// board, sees who submitted (late or not), reviews a submission beside the live figures and
/// opens the compiled report. Screenshots under `<target>/test-artifacts/web/report-*.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_drafts_its_report_and_the_office_reviews_the_board() {
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    let driver = browser().await;
    let outcome = async {
        driver.set_window_rect(0, 0, 1280, 900).await?;
        sign_in(&driver, &base, "sotttt").await;
        driver.goto(format!("{base}/reports")).await?;
        shot(&driver, "report-01-requests").await;
        let rows = driver
            .find_all(By::Css("table.report-requests tbody tr"))
            .await?;
        assert!(!rows.is_empty(), "the plan's requests are listed");
        // The ad-hoc request about 10/10 (on time, late, returned and not submitted) and the
        // plan's own "báo cáo trước 15/11/2024".
        let mut adhoc = String::new();
        let mut main_request = String::new();
        for row in &rows {
            let text = row.text().await?;
            let href = row
                .find(By::Css("a"))
                .await?
                .attr("href")
                .await?
                .unwrap_or_default();
            if text.contains("Ngày Chuyển đổi số quốc gia") {
                adhoc = href;
            } else if text.contains("15/11/2024") && main_request.is_empty() {
                main_request = href;
            }
        }
        assert!(!adhoc.is_empty() && !main_request.is_empty());
        driver.goto(format!("{base}{adhoc}")).await?;
        let board = driver
            .find(By::Css("table.report-board"))
            .await?
            .text()
            .await?;
        for state in [
            "Đã tiếp nhận",
            "Đã gửi trễ hạn",
            "Bị trả lại",
            "Quá hạn, chưa gửi",
        ] {
            assert!(board.contains(state), "{state} missing: {board}");
        }
        shot(&driver, "report-02-board-adhoc").await;
        // The main request: an accepted report beside the unit's live figures.
        driver.goto(format!("{base}{main_request}")).await?;
        shot(&driver, "report-03-board").await;
        let station = driver
            .find(By::XPath("//tr[.//span[contains(., 'Đã tiếp nhận')]]//a"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        driver.goto(format!("{base}{station}")).await?;
        assert!(
            driver
                .find(By::Css(".side-by-side"))
                .await?
                .text()
                .await?
                .contains("40/BC")
        );
        shot(&driver, "report-04-submission-beside-live").await;
        // A submission waiting for review: accept it.
        driver.goto(format!("{base}{main_request}")).await?;
        let waiting = driver
            .find(By::XPath(
                "//tr[.//span[contains(., 'Đã gửi đúng hạn')]]//a",
            ))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        driver.goto(format!("{base}{waiting}")).await?;
        shot(&driver, "report-05-review").await;
        driver
            .find(By::Css("button[value=accept]"))
            .await?
            .click()
            .await?;
        wait_for(&driver, "table.report-board").await?;
        // The compiled report's page.
        let compiled = first_href(&driver, "a.btn[href*='/units/']").await?;
        driver.goto(format!("{base}{compiled}")).await?;
        wait_for(&driver, "textarea#s-results").await?;
        shot(&driver, "report-06-compiled").await;
        sign_out(&driver).await;

        // The station's reporter, on a phone: its draft is written; it edits and saves.
        driver.set_window_rect(0, 0, 360, 740).await?;
        sign_in(&driver, &base, "daiptth").await;
        driver.goto(format!("{base}/reports")).await?;
        shot(&driver, "report-07-phone-requests").await;
        driver.goto(format!("{base}{adhoc}")).await?;
        shot(&driver, "report-08-phone-board").await;
        let mine = first_href(&driver, "table.report-board a").await?;
        driver.goto(format!("{base}{mine}")).await?;
        shot(&driver, "report-09-phone-draft").await;
        sign_out(&driver).await;

        // A unit that has not submitted (a new request): the draft written from its data,
        // edited and saved.
        driver.set_window_rect(0, 0, 1280, 900).await?;
        sign_in(&driver, &base, "sotttt").await;
        driver.goto(format!("{base}{main_request}")).await?;
        let drafting = driver
            .find(By::XPath("//tr[.//span[contains(., 'Đang soạn')]]//a"))
            .await?
            .attr("href")
            .await?
            .unwrap_or_default();
        driver.goto(format!("{base}{drafting}")).await?;
        let results = driver.find(By::Css("textarea#s-results")).await?;
        assert!(
            results
                .prop("value")
                .await?
                .unwrap_or_default()
                .contains("Trong kỳ"),
            "the draft is written from the unit's data"
        );
        results
            .send_keys("\nĐã tổ chức 02 hội nghị tập huấn.")
            .await?;
        driver
            .find(By::Css("form button.btn[type=submit]"))
            .await?
            .click()
            .await?;
        let flash = wait_for(&driver, ".flash-ok").await?.text().await?;
        assert!(flash.contains("Đã lưu"), "{flash}");
        shot(&driver, "report-10-saved").await;
        driver.set_window_rect(0, 0, 360, 740).await?;
        shot(&driver, "report-11-phone-saved").await;

        // Saved as it goes: what is typed is saved by the page a few seconds later and is
        // there after a reload. A second tab still holding the older version gets the other's
        // version beside what it typed: nothing is overwritten, nothing typed is lost.
        driver.set_window_rect(0, 0, 1280, 900).await?;
        let first_tab = driver.window().await?;
        let second_tab = driver.new_tab().await?;
        driver.switch_to_window(second_tab).await?;
        driver.goto(format!("{base}{drafting}")).await?;
        wait_for(&driver, "textarea#s-shortcomings")
            .await?
            .send_keys("\n- Thiếu máy quay chuyên dụng.")
            .await?;
        wait_text(&driver, "#autosave-status", "Đã tự động lưu").await?;
        driver.refresh().await?;
        let kept = wait_for(&driver, "textarea#s-shortcomings")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(kept.contains("Thiếu máy quay chuyên dụng."), "{kept}");
        driver.switch_to_window(first_tab).await?;
        driver
            .find(By::Css("textarea#s-proposals"))
            .await?
            .send_keys("\nĐề nghị hỗ trợ thiết bị ghi hình.")
            .await?;
        wait_text(&driver, "#autosave-status", "người khác").await?;
        let theirs = driver.find(By::Css("#their-version")).await?;
        assert!(theirs.is_displayed().await?, "the other's version is shown");
        assert!(theirs.text().await?.contains("Thiếu máy quay chuyên dụng."));
        let mine = driver
            .find(By::Css("textarea#s-proposals"))
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(mine.contains("Đề nghị hỗ trợ thiết bị ghi hình."), "{mine}");
        shot(&driver, "report-12-autosave-conflict").await;
        driver.set_window_rect(0, 0, 360, 740).await?;
        driver
            .execute(
                "document.getElementById('autosave-status').scrollIntoView({block: 'center'})",
                vec![],
            )
            .await?;
        shot(&driver, "report-13-phone-autosave-conflict").await;
        // The person compares and saves with the button: their words are kept.
        driver
            .find(By::Css("form[data-autosave] button.btn[type=submit]"))
            .await?
            .click()
            .await?;
        let flash = wait_for(&driver, ".flash-ok").await?.text().await?;
        assert!(flash.contains("Đã lưu"), "{flash}");
        driver.goto(format!("{base}{drafting}")).await?;
        let mine = wait_for(&driver, "textarea#s-proposals")
            .await?
            .prop("value")
            .await?
            .unwrap_or_default();
        assert!(mine.contains("Đề nghị hỗ trợ thiết bị ghi hình."), "{mine}");
        Ok::<_, WebDriverError>(())
    }
    .await;
    finish(driver, outcome, "report-failure", "the browser scenario").await;
}

/// The budget cycle as its users see it (issue 21): on the demo's Quảng Nam plan, finance sees
/// every unit's appraisal, the station's reporter only its own part and records spending from a
/// phone, the Department sees the consolidation. Screenshots at desktop and 360 px.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn budget_pages_for_finance_the_office_and_a_unit() {
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    let driver = browser().await;
    let outcome = async {
        for (user, name) in [
            ("taichinh", "finance"),
            ("sotttt", "office"),
            ("daiptth", "station"),
        ] {
            sign_in(&driver, &base, user).await;
            for (width, height) in [(1366u32, 900u32), (360, 740)] {
                driver.set_window_rect(0, 0, width, height).await?;
                driver.goto(format!("{base}/plans/1/budget")).await?;
                wait_for(&driver, "table.budget-units").await?;
                let file = artifacts().join(format!("budget-{name}-{width}.png"));
                full_shot(&driver, &file, width, height).await;
            }
            let units = driver
                .find_all(By::Css("table.budget-units tbody tr"))
                .await?
                .len();
            let main = driver.find(By::Css("main")).await?.text().await?;
            match name {
                "station" => {
                    assert_eq!(units, 1, "a unit sees only its own estimate");
                    // Spending from the phone: the form, then the table.
                    driver.set_window_rect(0, 0, 360, 740).await?;
                    driver
                        .find(By::Css("#spend-amount"))
                        .await?
                        .send_keys("1.250.000")
                        .await?;
                    driver
                        .find(By::Css("#spend-content"))
                        .await?
                        .send_keys("Thuê thiết bị ghi hình")
                        .await?;
                    driver
                        .find(By::Css("#spend-voucher"))
                        .await?
                        .send_keys("PC-099")
                        .await?;
                    driver
                        .find(By::Css("form[action$='/budget/spend'] button"))
                        .await?
                        .click()
                        .await?;
                    wait_for(&driver, ".flash").await?;
                    let text = driver.find(By::Css("main")).await?.text().await?;
                    assert!(
                        text.contains("Thuê thiết bị ghi hình") && text.contains("1.250.000 đ"),
                        "{text}"
                    );
                    full_shot(
                        &driver,
                        &artifacts().join("budget-station-spent-360.png"),
                        360,
                        740,
                    )
                    .await;
                }
                _ => {
                    // Every lead unit is there: a row for each that has started its estimate,
                    // the others folded into one line that names them.
                    assert!(units > 1, "{name} sees the units that estimated");
                    let folded = driver
                        .find(By::Css("details.budget-not-started summary"))
                        .await?
                        .text()
                        .await?;
                    let count: usize = folded
                        .strip_prefix("Chưa lập dự toán: ")
                        .and_then(|rest| rest.split(' ').next())
                        .and_then(|n| n.parse().ok())
                        .unwrap_or_else(|| panic!("the folded line: {folded}"));
                    let store = db.open().await;
                    let plan = store.plan(1).await.unwrap().unwrap();
                    // The demo's date; which units have started does not depend on it.
                    let today = chrono::NaiveDate::from_ymd_opt(2024, 11, 4).unwrap();
                    let status = kehoach::budget::status(&store, &plan, None, today)
                        .await
                        .unwrap();
                    store.close().await;
                    let not_started = status.units.iter().filter(|u| u.not_started()).count();
                    assert!(not_started > 0, "the demo has units without an estimate");
                    assert_eq!(
                        (units, count),
                        (status.units.len() - not_started, not_started)
                    );
                    let table = driver
                        .find(By::Css("table.budget-units"))
                        .await?
                        .text()
                        .await?;
                    assert!(!table.contains("Chưa lập"), "no unstarted row: {table}");
                    assert!(main.contains("456/QĐ-UBND"), "{main}");
                    assert!(main.contains("Giảm 20%"), "the appraisal's comment: {main}");
                }
            }
            sign_out(&driver).await;
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    finish(driver, outcome, "budget-failure", "the browser scenario").await;
}

/// Plans that implement plans (issue 22), as the province's plan office walks them on the demo:
/// the Tam Kỳ plan's link to the Quảng Nam plan removed and confirmed again from the proposal,
/// the province plan's units owing a plan and coverage, then the carry into 2026 — each page at
/// 1280 px and at 360 px (`test-artifacts/web/cascade-*.png`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_office_links_checks_coverage_and_carries() {
    let db = TestDb::sqlite().await;
    let server = common::demo_server(&db, &[]).await;
    let base = server.base.clone();
    let driver = browser().await;
    driver.set_window_rect(0, 0, 1280, 900).await.unwrap();
    let both_widths = |name: &'static str| {
        let driver = driver.clone();
        async move {
            full_shot(
                &driver,
                &artifacts().join(format!("cascade-{name}-1280.png")),
                1280,
                900,
            )
            .await;
            driver.set_window_rect(0, 0, 360, 740).await.unwrap();
            full_shot(
                &driver,
                &artifacts().join(format!("cascade-{name}-360.png")),
                360,
                740,
            )
            .await;
            driver.set_window_rect(0, 0, 1280, 900).await.unwrap();
        }
    };
    let outcome = async {
        sign_in(&driver, &base, "sotttt").await;
        driver.goto(format!("{base}/plans")).await?;
        let mut city = None;
        let mut province = None;
        for a in driver.find_all(By::Css("main a[href^='/plans/']")).await? {
            let text = a.text().await?;
            let href = a.attr("href").await?.unwrap_or_default();
            if text.contains("Tam Kỳ") {
                city = Some(href);
            } else if text.contains("Quảng Nam năm 2024") {
                province = Some(href);
            }
        }
        let city = city.expect("the Tam Kỳ plan listed");
        let province = province.expect("the Quảng Nam plan listed");

        // The demo linked them; the plan office removes the link and confirms it again.
        driver.goto(format!("{base}{city}")).await?;
        driver
            .find(By::Css(format!("a[href='{city}/cascade']")))
            .await?
            .click()
            .await?;
        wait_url(&driver, "/cascade").await;
        driver
            .find(By::Css("form[action$='/cascade/unlink'] button"))
            .await?
            .click()
            .await?;
        wait_url(&driver, "done=unlinked").await;
        let proposal = wait_for(&driver, "form[action$='/cascade/link'].inline-tools").await?;
        let li = proposal.find(By::XPath("..")).await?.text().await?;
        assert!(
            li.contains("3604/KH-UBND"),
            "proposed from the shared citation: {li}"
        );
        both_widths("1-proposed").await;
        proposal.find(By::Css("button")).await?.click().await?;
        wait_url(&driver, "done=linked").await;
        let parents = wait_for(&driver, "section[aria-labelledby=parents]")
            .await?
            .text()
            .await?;
        assert!(parents.contains("Quảng Nam"), "{parents}");
        both_widths("2-linked").await;

        // The province plan: Tam Kỳ among the children, the units still owing a plan, coverage.
        driver.goto(format!("{base}{province}/cascade")).await?;
        let children = wait_for(&driver, "section[aria-labelledby=children]")
            .await?
            .text()
            .await?;
        assert!(children.contains("Tam Kỳ"), "{children}");
        let owing = driver
            .find(By::Css("section[aria-labelledby=owing]"))
            .await?
            .text()
            .await?;
        assert!(owing.contains("chưa có kế hoạch"), "{owing}");
        assert!(
            owing.contains("Đã hoàn thành đúng hạn") || owing.contains("đúng hạn"),
            "{owing}"
        );
        let covering = driver.find_all(By::Css("table.coverage .covering")).await?;
        assert!(
            covering.len() > 3,
            "the city's tasks mapped to the province's"
        );
        both_widths("3-province").await;

        // Carry into 2026: every lead unit's fate listed.
        driver
            .find(By::Css("form[action$='/carry'] button"))
            .await?
            .click()
            .await?;
        let carry_url = wait_url(&driver, "/carry?year=").await;
        let year = carry_url
            .rsplit("year=")
            .next()
            .unwrap_or_default()
            .to_string();
        let rows = driver.find_all(By::Css("table.fates tbody tr")).await?;
        assert!(rows.len() > 20, "{} lead units", rows.len());
        let text = driver.find(By::Css("table.fates")).await?.text().await?;
        assert!(
            text.contains("Sở Khoa học và Công nghệ"),
            "Sở TT&TT → Sở KH&CN"
        );
        both_widths("4-carry").await;

        // The draft opens in the import preview, to be issued like a document.
        driver
            .find(By::Css("#draft-import button"))
            .await?
            .click()
            .await?;
        wait_url(&driver, "/plans/import/").await;
        let heading = wait_for(&driver, "h1").await?.text().await?;
        assert!(heading.contains(&year), "the draft of {year}: {heading}");
        let tasks = driver.find_all(By::Css("main table tbody tr")).await?;
        assert!(tasks.len() > 20, "{} tasks carried", tasks.len());
        both_widths("5-draft-preview").await;

        // The city's plan uploaded again: the preview proposes the province's plan (both
        // implement 3604/KH-UBND), chosen by default; confirming the import makes the link.
        driver.goto(format!("{base}/plans/import")).await?;
        let document = std::fs::canonicalize(TAM_KY)?;
        driver
            .find(By::Css("input[type=file]"))
            .await?
            .send_keys(document.display().to_string())
            .await?;
        driver
            .find(By::Css("#import-form button"))
            .await?
            .click()
            .await?;
        wait_url(&driver, "/plans/import/").await;
        let proposed = wait_for(&driver, "#proposed-parents").await?.text().await?;
        assert!(
            proposed.contains("3604/KH-UBND") && proposed.contains("Quảng Nam"),
            "{proposed}"
        );
        let chosen = driver
            .find(By::Css("#parent option:checked"))
            .await?
            .attr("value")
            .await?
            .unwrap_or_default();
        assert_eq!(format!("/plans/{chosen}"), province, "the proposal chosen");
        driver
            .find(By::Css("#import-parent"))
            .await?
            .scroll_into_view()
            .await?;
        both_widths("6-import-proposes").await;
        driver.find(By::Css("#confirm")).await?.click().await?;
        for _ in 0..300 {
            if !driver.current_url().await?.as_str().contains("/import/") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let new_plan = driver.current_url().await?.to_string();
        assert!(
            !new_plan.contains("/import/"),
            "the plan stored: {new_plan}"
        );
        driver.goto(format!("{base}{province}")).await?;
        wait_for(&driver, "#implementing-link")
            .await?
            .click()
            .await?;
        wait_url(&driver, "/cascade").await;
        let results = wait_for(&driver, "ul.children-results").await?;
        let rows = results.find_all(By::Css("li")).await?;
        assert_eq!(
            rows.len(),
            2,
            "the demo's Tam Kỳ plan and the one just imported"
        );
        let first = rows[0].text().await?;
        assert!(
            first.contains('%'),
            "the demo city's rates on its mapped tasks: {first}"
        );
        results.scroll_into_view().await?;
        both_widths("7-children-results").await;
        Ok::<_, Box<dyn std::error::Error>>(())
    }
    .await;
    finish(driver, outcome, "cascade-failure", "the browser scenario").await;
}
