//! The heatmap page says what the compliance engine says: every cell of every demo plan's
//! heatmap (each view: week, month, quarter, year; each page of units; a task's own heatmap) is
//! compared with `GET /api/v1/plans/{id}/compliance.json?at=…` (the whole report) on the page's date. A cell holds the
//! unit's periods that start in its column, of targets recurring at the column's granularity or
//! finer; its status is the worst of theirs and its figures their sums. No column after the
//! page's date shows anything but "future".

use crate::common;

use std::collections::{HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use common::{Server, TestDb, admin_token};
use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;

/// The demo evaluates its pages on this date.
const AT: &str = "2024-11-04";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// Finest first, as the engine's `Per`.
fn rank(per: &str) -> u8 {
    match per {
        "day" => 0,
        "week" => 1,
        "month" => 2,
        "quarter" => 3,
        "year" => 4,
        _ => 9,
    }
}

fn worse_rank(status: &str) -> u8 {
    match status {
        "future" => 0,
        "met" => 1,
        "open" => 2,
        "partial" => 3,
        "missed" => 4,
        other => panic!("unknown status {other}"),
    }
}

/// The last day of the column of kind `per` starting on `from`.
fn column_end(per: &str, from: NaiveDate) -> NaiveDate {
    let next = match per {
        "week" => from + Duration::days(7),
        "month" => from.checked_add_months(chrono::Months::new(1)).unwrap(),
        "quarter" => from.checked_add_months(chrono::Months::new(3)).unwrap(),
        "year" => NaiveDate::from_ymd_opt(from.year() + 1, 1, 1).unwrap(),
        other => panic!("no view {other}"),
    };
    next - Duration::days(1)
}

fn number(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

/// One cell as the page shows it: its status (without `st-`) and its "(achieved/expected)".
#[derive(Debug, PartialEq)]
struct Shown {
    status: String,
    figures: String,
}

/// The page's table: column starts, and per unit code the cells in column order.
struct Table {
    columns: Vec<NaiveDate>,
    rows: Vec<(String, Vec<Option<Shown>>)>,
}

fn parse(html: &str) -> Table {
    let table = &html[html
        .find("<table class=\"heatmap")
        .expect("a heatmap table")..];
    let table = &table[..table.find("</table>").unwrap()];
    let (head, body) = table.split_once("<tbody>").unwrap();
    let columns = head
        .split("data-from=\"")
        .skip(1)
        .map(|s| date(&s[..10]))
        .collect();
    let rows = body
        .split("<tr data-unit=\"")
        .skip(1)
        .map(|row| {
            let code = row.split('"').next().unwrap().to_string();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|td| {
                    let td = &td[..td.find("</td>").unwrap()];
                    td.split_once("class=\"cell st-").map(|(_, rest)| {
                        let status = rest.split('"').next().unwrap().to_string();
                        let tip = rest.split("<span class=\"tip\">").nth(1).unwrap();
                        let tip = &tip[..tip.find("</span>").unwrap()];
                        let figures = tip[tip.rfind('(').unwrap()..].to_string();
                        Shown { status, figures }
                    })
                })
                .collect();
            (code, cells)
        })
        .collect();
    Table { columns, rows }
}

/// What the engine says the cell of `unit` × the column `[from, to]` of kind `per` holds:
/// over the periods of `tasks` (all, or one task id) starting in the column.
fn expected(
    compliance: &Value,
    task: Option<i64>,
    unit: &str,
    per: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Option<Shown> {
    let mut acc: Option<(String, f64, f64)> = None;
    for t in compliance["tasks"].as_array().unwrap() {
        if task.is_some_and(|id| t["task_id"].as_i64() != Some(id)) {
            continue;
        }
        for a in t["assignments"].as_array().unwrap() {
            if a["unit"]["code"].as_str() != Some(unit) {
                continue;
            }
            for target in a["targets"].as_array().unwrap() {
                let target_per = target["per"].as_str().unwrap();
                if rank(target_per) > rank(per) {
                    continue;
                }
                for p in target["periods"].as_array().unwrap() {
                    let start = date(p["start"].as_str().unwrap());
                    if start < from || start > to {
                        continue;
                    }
                    let status = p["status"].as_str().unwrap().to_string();
                    let (achieved, expected) = (
                        p["achieved"].as_f64().unwrap(),
                        p["expected"].as_f64().unwrap(),
                    );
                    acc = Some(match acc {
                        None => (status, achieved, expected),
                        Some((s, a, e)) => {
                            let worst = if worse_rank(&status) > worse_rank(&s) {
                                status
                            } else {
                                s
                            };
                            (worst, a + achieved, e + expected)
                        }
                    });
                }
            }
        }
    }
    acc.map(|(status, a, e)| Shown {
        status,
        figures: format!("({}/{})", number(a), number(e)),
    })
}

/// A signed-in browser's cookie header (the administrator `quantri` sees every plan).
async fn session(http: &reqwest::Client, server: &Server) -> String {
    let res = http.get(server.url("/sign-in")).send().await.unwrap();
    let mut cookies: Vec<String> = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string())
        .collect();
    let page = res.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let csrf = page[start..].split('"').next().unwrap().to_string();
    let res = http
        .post(server.url("/sign-in"))
        .header(COOKIE, cookies.join("; "))
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "quantri"),
            ("password", "demo"),
            ("next", "/plans"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_redirection(),
        "sign-in failed: {}",
        res.status()
    );
    cookies.extend(
        res.headers()
            .get_all(SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string()),
    );
    cookies.join("; ")
}

on_both_backends! {
    async fn every_heatmap_cell_is_the_engines_status(db: &TestDb) {
        let server = common::demo_server(db, &[]).await;
        let token = admin_token(&db.cli_args());
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let cookie = session(&http, &server).await;
        let get_page = |path: String| {
            let http = http.clone();
            let cookie = cookie.clone();
            let url = server.url(&path);
            async move {
                let res = http.get(url).header(COOKIE, cookie).send().await.unwrap();
                assert_eq!(res.status(), 200, "{path}");
                res.text().await.unwrap()
            }
        };
        let plans: Value = http
            .get(server.url("/api/v1/plans"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let at = date(AT);
        let mut checked: HashMap<&str, usize> = HashMap::new();
        let mut statuses: HashSet<String> = HashSet::new();
        for plan in plans.as_array().expect("plans") {
            let id = plan["id"].as_i64().unwrap();
            let compliance: Value = http
                .get(server.url(&format!("/api/v1/plans/{id}/compliance.json?at={AT}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let first_task = compliance["tasks"][0]["task_id"].as_i64().unwrap();
            let years: Vec<i32> = vec![2024, at.year() - 1];
            for (task, per, year) in [
                (None, "month", years[0]),
                (None, "week", years[0]),
                (None, "quarter", years[0]),
                (None, "year", years[0]),
                (None, "month", years[1]),
                (Some(first_task), "week", years[0]),
            ] {
                let task_param = task.map(|t| format!("&task={t}")).unwrap_or_default();
                let mut page = 1;
                loop {
                    let html = get_page(format!(
                        "/heatmap?plan={id}{task_param}&per={per}&year={year}&page={page}"
                    ))
                    .await;
                    if !html.contains("<table class=\"heatmap") {
                        // No table: no unit has a period of this view in the year shown.
                        let (from, to) = if per == "year" {
                            (NaiveDate::MIN, NaiveDate::MAX)
                        } else {
                            (
                                NaiveDate::from_ymd_opt(year, 1, 1).unwrap(),
                                NaiveDate::from_ymd_opt(year, 12, 31).unwrap(),
                            )
                        };
                        for t in compliance["tasks"].as_array().unwrap() {
                            for a in t["assignments"].as_array().unwrap() {
                                let unit = a["unit"]["code"].as_str().unwrap();
                                assert!(
                                    expected(&compliance, task, unit, per, from, to).is_none(),
                                    "plan {id}{task_param}, {per} {year}: {unit} has periods but no table"
                                );
                            }
                        }
                        break;
                    }
                    let table = parse(&html);
                    assert!(!table.columns.is_empty());
                    for (unit, cells) in &table.rows {
                        assert_eq!(cells.len(), table.columns.len(), "{unit}: one cell per column");
                        for (from, shown) in table.columns.iter().zip(cells) {
                            let to = column_end(per, *from);
                            let want = expected(&compliance, task, unit, per, *from, to);
                            assert_eq!(
                                shown.as_ref(),
                                want.as_ref(),
                                "plan {id}{task_param}, {per} view, unit {unit}, column {from}"
                            );
                            if *from > at && let Some(s) = shown {
                                assert_eq!(s.status, "future", "a column after {AT} is future");
                            }
                            if let Some(s) = shown {
                                *checked.entry(per).or_default() += 1;
                                statuses.insert(s.status.clone());
                            }
                        }
                    }
                    let next = format!("page={}\"", page + 1);
                    if !html.contains(&next) || page >= 10 {
                        break;
                    }
                    page += 1;
                }
            }
        }
        // The comparison covered real cells in every view, and every status appeared.
        for per in ["week", "month", "quarter", "year"] {
            assert!(checked.get(per).copied().unwrap_or(0) > 0, "no {per} cell compared: {checked:?}");
        }
        for status in ["met", "partial", "missed", "open", "future"] {
            assert!(statuses.contains(status), "no {status} cell compared: {statuses:?}");
        }
    }
}
