//! The web application in a real browser (Debian's Chromium through chromedriver, which
//! `cargo xtask test` starts and names in KEHOACH_TEST_WEBDRIVER_URL), against the real server
//! with its demo data on SQLite: the plan office signs in, imports the Quảng Nam plan through the
//! upload page and fixes one unresolved unit; then, in a 360×740 phone-sized window, the radio-TV
//! station's reporter logs an activity with a photo and sees its heatmap cell change status.
//! Screenshots of each main page go to `<target>/test-artifacts/web/`.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{Server, TestDb};
use thirtyfour::prelude::*;

const QUANG_NAM: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../plan/tests/fixtures/corpus/quangnam-2024.txt"
);

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

/// The status class of the heatmap cell of the week starting `monday`.
async fn cell_status(driver: &WebDriver, href: &str, monday: &str) -> String {
    driver.goto(href).await.unwrap();
    let cell = driver
        .find(By::Css(format!(
            "svg.heatmap a[href*=\"from={monday}\"] rect"
        )))
        .await
        .expect("the week's cell");
    cell.attr("class").await.unwrap().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_office_imports_and_reporter_logs_from_a_phone() {
    let db = TestDb::sqlite().await;
    let server = Server::start_with(&db.cli_args(), &["--demo"]);
    let base = server.base.clone();

    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary("/usr/bin/chromium").unwrap();
    let profile = tempfile::tempdir().unwrap();
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
        &format!("--user-data-dir={}", profile.path().display()),
    ] {
        caps.add_arg(arg).unwrap();
    }
    let driver = WebDriver::new(webdriver_url(), caps)
        .await
        .expect("a browser session");
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
            before, "s-open",
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
        let logged = wait_for(&driver, "#logged li").await?.text().await?;
        assert!(
            logged.contains("Bản tin chuyển đổi số tuần 45") && logged.contains("📎1"),
            "{logged}"
        );
        shot(&driver, "11-my-work-saved").await;

        let after = cell_status(&driver, &heatmap, monday).await;
        assert_ne!(after, before, "the cell turned");
        assert!(after == "s-met" || after == "s-partial", "{after}");
        shot(&driver, "12-heatmap-after").await;
        // The cell opens the activities behind it.
        driver
            .find(By::Css(format!("svg.heatmap a[href*=\"from={monday}\"]")))
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
    if outcome.is_err() {
        shot(&driver, "failure").await;
    }
    let _ = tokio::time::timeout(Duration::from_secs(10), driver.quit()).await;
    outcome.expect("the browser scenario");
}
