//! The web flows of issue 15 against the real server with its demo data, on each backend: the
//! overview (landing page, units ranked as the compliance engine counts them), the plan's
//! downloads from a signed-in session (and a reporter refused another unit's), the unit's
//! calendar link, `/deadlines` grouped by task, the unit picker without JavaScript and its
//! suggestions, and "Việc của tôi" of a ward's officer.

use crate::common;

use std::collections::{BTreeMap, HashMap, HashSet};

use common::{Server, TestDb};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};

/// The demo's date.
fn demo_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2024, 11, 4).unwrap()
}

/// A signed-in browser that keeps its cookies and follows no redirect.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: HashMap<String, String>,
}

struct Answer {
    status: StatusCode,
    location: String,
    content_type: String,
    disposition: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Browser {
    async fn signed_in(server: &Server, username: &str) -> Browser {
        let mut b = Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: server.base.clone(),
            cookies: HashMap::new(),
        };
        let page = b.get("/sign-in").await.text();
        let csrf = hidden(&page, "csrf");
        let answer = b
            .post(
                "/sign-in",
                &[
                    ("csrf", &csrf),
                    ("username", username),
                    ("password", "demo"),
                ],
            )
            .await;
        assert_eq!(answer.status, StatusCode::SEE_OTHER, "{username} signs in");
        b
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let cookie = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let response = request.header(COOKIE, cookie).send().await.unwrap();
        for value in response.headers().get_all(SET_COOKIE) {
            let pair = value
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_string();
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.insert(k.to_string(), v.to_string());
        }
        let header = |name| {
            response
                .headers()
                .get(name)
                .map(|v: &reqwest::header::HeaderValue| v.to_str().unwrap_or("").to_string())
                .unwrap_or_default()
        };
        let (location, content_type, disposition) = (
            header(LOCATION),
            header(CONTENT_TYPE),
            header(CONTENT_DISPOSITION),
        );
        Answer {
            status: response.status(),
            location,
            content_type,
            disposition,
            body: response.bytes().await.unwrap().to_vec(),
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }

    /// The page's CSRF token (in the sign-out form of every page).
    async fn csrf(&mut self) -> String {
        hidden(&self.get("/plans").await.text(), "csrf")
    }
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// The `href`s of a page that start with `prefix`, unescaped.
/// The links to files (.docx, .xlsx, .zip) under `prefix`: a plan page's downloads, not its
/// other pages (editing, budget, linked plans).
fn file_links(html: &str, prefix: &str) -> Vec<String> {
    links(html, prefix)
        .into_iter()
        .filter(|href| {
            let path = href.split('?').next().unwrap_or_default();
            [".docx", ".xlsx", ".zip"]
                .iter()
                .any(|ext| path.ends_with(ext))
        })
        .collect()
}

fn links(html: &str, prefix: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|s| {
            s.split('"')
                .next()
                .unwrap()
                .replace("&amp;", "&")
                .replace("&#38;", "&")
        })
        .filter(|h| h.starts_with(prefix))
        .collect()
}

/// The Quảng Nam plan's id (the province's own, which `sotttt` lands on).
async fn quang_nam_plan(store: &kehoach::store::Store) -> kehoach::store::PlanRow {
    let office = store
        .unit_by_code("49", demo_today())
        .await
        .unwrap()
        .expect("Quảng Nam");
    store
        .plans()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.context_unit_id == Some(office.id))
        .expect("the province's plan")
}

on_both_backends! {
    async fn the_overview_lands_a_leader_on_who_is_behind_as_the_engine_counts_it(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let mut office = Browser::signed_in(&server, "sotttt").await;
        let home = office.get("/").await;
        assert_eq!((home.status, home.location.as_str()), (StatusCode::SEE_OTHER, "/overview"));
        let mut reporter = Browser::signed_in(&server, "daiptth").await;
        assert_eq!(reporter.get("/").await.location, "/my-work", "a reporter lands on its work");

        let page = office.get("/overview").await;
        assert_eq!(page.status, StatusCode::OK);
        let html = page.text();
        // The headline says what the percentage is of.
        assert!(html.contains("kỳ đã kết thúc đạt chỉ tiêu"), "{html}");
        assert!(html.contains("Đơn vị chậm nhất"));
        // Links down to the plan, a unit's part, the heatmap, the activities, a task.
        let store = db.open().await;
        let plan = quang_nam_plan(&store).await;
        for prefix in [format!("/plans/{}?unit=", plan.id), format!("/heatmap?plan={}", plan.id),
            format!("/activities?plan={}&unit=", plan.id), "/tasks/".to_string()] {
            assert!(!links(&html, &prefix).is_empty(), "no link to {prefix}");
        }

        // The ranking's figures are the engine's: per unit, its recurring targets' ended
        // periods, met and met on time, and its overdue deliverables.
        let facts = kehoach::standings::PlanFacts::load(&store, plan.clone()).await.unwrap();
        let standings = kehoach::standings::unit_standings(&store, &facts, demo_today(), None)
            .await.unwrap();
        let report = kehoach::compliance::plan_compliance(&store, plan.id, demo_today(), None)
            .await.unwrap();
        let mut engine: BTreeMap<String, (u64, u64, u64, u64, u64)> = BTreeMap::new();
        for task in &report.tasks {
            for a in &task.assignments {
                let e = engine.entry(a.unit.name.clone()).or_default();
                for t in a.targets.iter().filter(|t| t.per.is_recurring()) {
                    for p in t.periods.iter().filter(|p| p.on_time.is_some()) {
                        e.0 += 1;
                        e.1 += u64::from(p.achieved > 0.0);
                        e.2 += u64::from(p.status == kehoach_core::compliance::PeriodStatus::Met);
                        e.3 += u64::from(p.on_time == Some(true));
                    }
                }
                e.4 += u64::from(a.state == Some(kehoach_core::compliance::DeadlineState::NotDoneOverdue));
            }
        }
        let mut ours: BTreeMap<String, (u64, u64, u64, u64, u64)> = BTreeMap::new();
        for u in &standings {
            let e = ours.entry(u.name.clone()).or_default();
            e.0 += u.ended; e.1 += u.touched; e.2 += u.met; e.3 += u.on_time; e.4 += u.overdue;
        }
        assert_eq!(ours, engine);
        assert!(engine.values().any(|e| e.2 > 0) && engine.values().any(|e| e.0 > e.2),
            "the demo has units that met and units that missed");
        // Worst first: rates never go down the list (units with nothing ended last).
        let rates: Vec<f64> = standings.iter().filter_map(|u| u.rate()).collect();
        assert!(rates.windows(2).all(|w| w[0] <= w[1]), "{rates:?}");
        // The worst unit is the first row of the page.
        let first_row = html.split("<tbody>").nth(1).unwrap();
        assert!(first_row.find(&standings[0].name).unwrap() < first_row.find("</tr>").unwrap());
        // The trend: months of this year with their counts.
        assert!(html.contains("Diễn biến theo tháng") && html.contains("10/2024"));

        // Every unit on request; another province's plan is not in the overview.
        let all = office.get(&format!("/overview?plan={}&all=1", plan.id)).await.text();
        assert_eq!(all.matches("<tr><td>").count(), standings.len());
        let others: Vec<i64> = store.plans().await.unwrap().into_iter()
            .filter(|p| !links(&html, &format!("/overview?plan={}", p.id)).is_empty())
            .map(|p| p.id).collect();
        assert_eq!(others.len(), 2, "Quảng Nam's two plans, not Đắk Nông's: {others:?}");
        let foreign = store.plans().await.unwrap().into_iter().find(|p| !others.contains(&p.id)).unwrap();
        assert_eq!(office.get(&format!("/overview?plan={}", foreign.id)).await.status, StatusCode::NOT_FOUND);
        store.close().await;
    }

    async fn a_signed_in_session_downloads_the_plans_files_within_its_rights(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let store = db.open().await;
        let plan = quang_nam_plan(&store).await;
        let mut office = Browser::signed_in(&server, "sotttt").await;
        let page = office.get(&format!("/plans/{}", plan.id)).await.text();
        // The plan's files (its other links — editing, budget, linked plans — are pages).
        let downloads = file_links(&page, &format!("/plans/{}/", plan.id));
        assert_eq!(downloads.len(), 4, "report, two workbooks, the pack: {downloads:?}");
        for (href, kind) in downloads.iter().zip([
            "wordprocessingml", "spreadsheetml", "spreadsheetml", "application/zip",
        ]) {
            let answer = office.get(href).await;
            assert_eq!(answer.status, StatusCode::OK, "{href}: {}", answer.text());
            assert!(answer.content_type.contains(kind), "{href}: {}", answer.content_type);
            assert!(answer.disposition.starts_with("attachment"), "{href}: {}", answer.disposition);
            assert!(answer.body.starts_with(b"PK"), "{href} is not a zip container");
        }
        // The report is the year's of the page's date.
        assert!(downloads[0].contains("period=2024"));

        // A reporter's plan page offers its own part; another unit's part is refused.
        let mut station = Browser::signed_in(&server, "daiptth").await;
        let page = station.get(&format!("/plans/{}", plan.id)).await.text();
        let own = file_links(&page, &format!("/plans/{}/", plan.id));
        assert_eq!(own.len(), 4, "{own:?}");
        for href in &own {
            assert!(href.contains("unit=49.DPTTH"), "{href}");
            let answer = station.get(href).await;
            assert_eq!(answer.status, StatusCode::OK, "{href}: {}", answer.text());
        }
        for href in [
            format!("/plans/{}/report.docx?period=2024&unit=49.STTTT", plan.id),
            format!("/plans/{}/compliance.xlsx?unit=49.STTTT", plan.id),
            format!("/plans/{}/activities.xlsx", plan.id),
            format!("/plans/{}/evidence-pack.zip?period=2024", plan.id),
        ] {
            let answer = station.get(&href).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{href}");
            assert!(answer.content_type.starts_with("text/html"), "a page, not a file: {href}");
        }
        // Signed out: sent to sign in.
        let anonymous = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let answer = anonymous.get(server.url(&own[0])).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER);

        // The unit's calendar link: made from the page, shown once, and it serves the feed.
        let csrf = station.csrf().await;
        let station_id = store.unit_by_code("49.DPTTH", demo_today()).await.unwrap().unwrap().id;
        let made = station.post("/calendar-link", &[("csrf", &csrf), ("unit", &station_id.to_string())]).await;
        assert_eq!(made.status, StatusCode::OK);
        let html = made.text();
        let url = html.split("value=\"").find(|s| s.starts_with("http")).unwrap().split('"').next().unwrap().to_string();
        let path = &url[url.find("/calendar/").unwrap()..];
        let feed = reqwest::get(server.url(path)).await.unwrap();
        assert_eq!(feed.status(), StatusCode::OK);
        assert!(feed.text().await.unwrap().starts_with("BEGIN:VCALENDAR"));
        // Not for another unit, not without the form's token.
        let office_id = store.unit_by_code("49.STTTT", demo_today()).await.unwrap().unwrap().id;
        let refused = station.post("/calendar-link", &[("csrf", &csrf), ("unit", &office_id.to_string())]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let forged = station.post("/calendar-link", &[("csrf", "x"), ("unit", &station_id.to_string())]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        store.close().await;
    }

    async fn deadlines_are_grouped_by_task_newest_first_with_their_units(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let store = db.open().await;
        let mut office = Browser::signed_in(&server, "sotttt").await;
        let html = office.get("/deadlines?state=any").await.text();
        // What the office's subtree holds: every assignment of a task with a due date.
        let province = store.unit_by_code("49", demo_today()).await.unwrap().unwrap().id;
        let within = store.subtree_ids(province).await.unwrap();
        let mut expected: BTreeMap<i64, usize> = BTreeMap::new();
        for plan in store.plans().await.unwrap() {
            let due: HashSet<i64> = store.tasks_of_plan(plan.id).await.unwrap().into_iter()
                .filter(|t| t.due.is_some()).map(|t| t.id).collect();
            for a in store.assignments_of_plan(plan.id).await.unwrap() {
                if due.contains(&a.task_id) && within.contains(&a.unit_id) {
                    *expected.entry(a.task_id).or_default() += 1;
                }
            }
        }
        assert!(expected.values().any(|n| *n > 1), "a task due for several units");
        // One row per task (the first page: 20), each once, with its count of units.
        let rows: Vec<&str> = html.split("<li class=\"deadline-task\"").skip(1).collect();
        assert_eq!(rows.len(), expected.len().min(20));
        let mut seen = HashSet::new();
        let mut dues = Vec::new();
        for row in &rows {
            let id: i64 = row.split("id=\"task-").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            assert!(seen.insert(id), "task {id} listed twice");
            let n = expected[&id];
            assert!(row.contains(&format!("{n} đơn vị")), "task {id}: {n} units in {row}");
            assert!(row.contains("<details>") && row.contains("</summary>"));
            assert_eq!(row.matches("<li><span class=\"chip dl-").count(), n.min(50), "task {id}'s units");
            let due = row.split("Hạn ").nth(1).unwrap().split('<').next().unwrap().to_string();
            dues.push(chrono::NaiveDate::parse_from_str(&due, "%d/%m/%Y").unwrap());
        }
        assert!(dues.windows(2).all(|w| w[0] >= w[1]), "newest first: {dues:?}");
        // The overdue ones say by how many days.
        let overdue = office.get("/deadlines?state=not_done_overdue").await.text();
        assert!(overdue.contains("ngày quá hạn"));
        assert!(!overdue.contains("dl-done_on_time"), "only overdue units listed");
        // By plan and by unit.
        let plan = quang_nam_plan(&store).await;
        let by_plan = office.get(&format!("/deadlines?state=any&plan={}", plan.id)).await.text();
        let plan_tasks: HashSet<i64> = store.tasks_of_plan(plan.id).await.unwrap().into_iter().map(|t| t.id).collect();
        for row in by_plan.split("<li class=\"deadline-task\"").skip(1) {
            let id: i64 = row.split("id=\"task-").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            assert!(plan_tasks.contains(&id));
        }
        let station = store.unit_by_code("49.DPTTH", demo_today()).await.unwrap().unwrap();
        let by_unit = office.get(&format!("/deadlines?state=any&unit={}", station.id)).await.text();
        for row in by_unit.split("<li class=\"deadline-task\"").skip(1) {
            assert!(row.contains("1 đơn vị"), "one unit per task when filtered by one: {row}");
        }
        store.close().await;
    }

    async fn units_are_picked_by_typing_with_or_without_script(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let store = db.open().await;
        let plan = quang_nam_plan(&store).await;
        let mut office = Browser::signed_in(&server, "sotttt").await;
        // No select of hundreds of options: a search field, answered with links.
        let page = office.get(&format!("/plans/{}", plan.id)).await.text();
        assert!(!page.contains("<select name=\"unit\""));
        assert!(page.contains("name=\"unit_q\""));
        let found = office.get(&format!("/plans/{}?unit_q=dai+phat+thanh", plan.id)).await.text();
        let choices = links(&found, &format!("/plans/{}?unit=", plan.id));
        assert!(!choices.is_empty(), "diacritics ignored");
        let one = office.get(&choices[0]).await.text();
        assert!(one.matches("class=\"card task\"").count() < page.matches("class=\"card task\"").count());
        // The name typed in full chooses the unit.
        let name = "Đài Phát thanh và Truyền hình Quảng Nam";
        let q: String = name.replace(' ', "+");
        let typed = office.get(&format!("/plans/{}?unit_q={q}", plan.id)).await.text();
        assert!(typed.contains("name=\"unit\" value="), "{name} chosen");
        // The suggestions the script reads: the plan's units, diacritics ignored.
        let json: serde_json::Value = serde_json::from_slice(
            &office.get(&format!("/units/suggest?plan={}&q=truyen+hinh", plan.id)).await.body).unwrap();
        let names: Vec<&str> = json.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
        assert!(names.contains(&name), "{names:?}");
        // Within the caller's subtree on /deadlines.
        let json: serde_json::Value = serde_json::from_slice(&office.get("/units/suggest?q=tam+ky").await.body).unwrap();
        assert!(!json.as_array().unwrap().is_empty());
        let json: serde_json::Value = serde_json::from_slice(&office.get("/units/suggest?q=dak+nong").await.body).unwrap();
        assert!(json.as_array().unwrap().is_empty(), "another province is not suggested: {json}");
        // Another province's plan: not found.
        let listed = office.get("/plans").await.text();
        let foreign = store.plans().await.unwrap().into_iter()
            .find(|p| !listed.contains(&format!("href=\"/plans/{}\"", p.id)))
            .expect("another province's plan");
        assert_eq!(office.get(&format!("/units/suggest?plan={}&q=a", foreign.id)).await.status, StatusCode::NOT_FOUND);
        store.close().await;
    }

    async fn a_wards_officer_logs_the_ward_stations_work_from_the_item_tapped(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let store = db.open().await;
        let mut xa = Browser::signed_in(&server, "xa").await;
        let html = xa.get("/my-work").await.text();
        // The ward's agencies' assignments are the officer's work: the station's among them.
        let user = store.user_by_name("xa").await.unwrap().unwrap();
        let committee = user.unit_id.unwrap();
        let ward = store.unit(committee).await.unwrap().unwrap().parent_id.unwrap();
        let agencies = store.subtree_ids(ward).await.unwrap();
        let mut theirs = Vec::new();
        for plan in store.plans().await.unwrap() {
            for a in store.assignments_of_plan(plan.id).await.unwrap() {
                if agencies.contains(&a.unit_id) && a.unit_id != committee {
                    theirs.push(a);
                }
            }
        }
        assert!(!theirs.is_empty(), "the demo gives the ward's agencies work");
        for a in &theirs {
            assert!(html.contains(&format!("name=\"assignment\" value=\"{}\"", a.id)),
                "{}'s assignment {} is not offered", a.unit_name, a.id);
        }
        // The item tapped is the one chosen; the task title is whole.
        let tapped = &theirs[0];
        let html = xa.get(&format!("/my-work?assignment={}#log", tapped.id)).await.text();
        assert!(html.contains(&format!("value=\"{}\" checked", tapped.id)), "tapped item chosen");
        assert_eq!(html.matches(" checked").count(), 1);
        let task = store.task(tapped.task_id).await.unwrap().unwrap();
        assert!(html.contains(&format!("{} {}", task.reference, task.title)), "title cut");
        // It logs for the station.
        let csrf = hidden(&html, "csrf");
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf)
            .text("assignment", tapped.id.to_string())
            .text("date", "2024-11-01")
            .text("title", "Phát sóng chương trình chuyển đổi số tuần 44");
        let request = xa.http.post(server.url("/my-work/log")).multipart(form);
        let saved = xa.send(request).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        // "This week" holds nothing of past years.
        let due_part = html.split("<h2 id=\"log\"").next().unwrap();
        for year in 2015..2024 {
            assert!(!due_part.contains(&format!("/{year}<")) && !due_part.contains(&format!("/{year} ")),
                "an item of {year} in this week");
        }
        store.close().await;
    }
}
