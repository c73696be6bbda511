//! The reporting chain in the demo (issue 20): the Quảng Nam plan's "báo cáo trước 15/11/2024"
//! is a request every lead unit can open with a draft already written from its own activities;
//! three units with activities have submitted (the first one's was accepted); and an ad-hoc
//! request about the National Digital Transformation Day, due 25/10/2024, shows on-time, late,
//! returned and overdue units on the board.

use std::collections::HashMap;

use chrono::NaiveDate;
use kehoach_core::text::fold;

use super::corpus::demo_today;
use crate::files::FileStore;
use crate::reporting::{self, AddRequest, Submit, sections::Sections};
use crate::store::{Change, Store};

const BUILT_KEY: &str = "demo_reports_built";
/// The demo's plan office (the `sotttt` account's department).
const OFFICE: &str = "49.STTTT";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a valid date")
}

/// The unit's results worded from its activities in the period: how many, and the first titles.
fn results_text(titles: &[String], total: usize) -> String {
    if total == 0 {
        return "Trong kỳ, đơn vị chưa ghi nhận hoạt động nào trên hệ thống; đơn vị sẽ cập nhật \
                kết quả trước khi gửi báo cáo."
            .into();
    }
    let mut text = format!(
        "Trong kỳ báo cáo, đơn vị đã thực hiện và cập nhật {total} hoạt động truyền thông về \
         chuyển đổi số trên hệ thống, nổi bật:\n"
    );
    for t in titles.iter().take(4) {
        text.push_str(&format!("- {t}\n"));
    }
    text.trim_end().to_string()
}

/// Adds the reporting demo to the corpus demo (once).
pub async fn build(store: &Store, files: &FileStore) -> anyhow::Result<()> {
    if store.meta(BUILT_KEY).await?.is_some() {
        return Ok(());
    }
    let Some(plan) = store
        .plans()
        .await?
        .into_iter()
        .find(|p| fold(&p.title).contains("quang nam") || p.source_name.contains("quangnam"))
    else {
        return Ok(());
    };
    let by = Change::system("demo");
    let today = demo_today();
    reporting::ensure_plan_requests(store, plan.id).await?;
    let requests = store.report_requests_of_plan(plan.id).await?;
    let Some(main) = requests
        .iter()
        .find(|r| r.due == date(2024, 11, 15))
        .or_else(|| requests.iter().find(|r| r.kind == "deliverable"))
        .cloned()
    else {
        return Ok(());
    };
    // Every unit's activities in the period, for its draft's words.
    let activities = store
        .activities_of_plan(plan.id, main.period_from, main.period_to.min(today))
        .await?;
    let mut by_unit: HashMap<i64, Vec<String>> = HashMap::new();
    for a in &activities {
        by_unit.entry(a.unit_id).or_default().push(a.title.clone());
    }
    let units = store.report_request_units(main.id).await?;
    for u in &units {
        let titles = by_unit.get(&u.unit_id).cloned().unwrap_or_default();
        let author = reporting::author_by_id(store, &main, u.unit_id).await?;
        let sections = Sections {
            results: results_text(&titles, titles.len()),
            shortcomings: "- Một số nhiệm vụ định kỳ chưa được cập nhật kịp thời.\n\
                           - Nguyên nhân: cán bộ phụ trách kiêm nhiệm nhiều việc."
                .into(),
            proposals: "Đề nghị Sở Thông tin và Truyền thông tiếp tục cung cấp tài liệu truyền \
                        thông và tổ chức tập huấn cho cán bộ phụ trách."
                .into(),
            answers: Vec::new(),
        };
        reporting::save_draft(store, &main, &author, &sections, None, &by).await?;
    }
    // Three units have submitted — those with the most activities, so the compiled report
    // quotes results worth reading; not the plan office's own department, which receives
    // them —; the first one's report was accepted.
    let mut submitters: Vec<_> = units.iter().filter(|u| u.code != OFFICE).collect();
    submitters.sort_by_key(|u| std::cmp::Reverse(by_unit.get(&u.unit_id).map_or(0, Vec::len)));
    submitters.truncate(3);
    for (i, u) in submitters.iter().enumerate() {
        let author = reporting::author_by_id(store, &main, u.unit_id).await?;
        let submit = Submit {
            number: format!("{}/BC", 40 + i),
            date: date(2024, 11, 1 + i as u32),
            signer: "Nguyễn Văn Minh".into(),
            scan: None,
        };
        reporting::submit(store, files, &main, &author, &submit, today, &by).await?;
    }
    if let Some(first) = submitters.first() {
        let author = reporting::author_by_id(store, &main, first.unit_id).await?;
        reporting::review(store, &main, &author, true, None, &by).await?;
    }

    // An ad-hoc request already due: on time, late, returned, and not at all.
    // The radio-TV station first (its demo reporter sees its own accepted report), then four
    // units of the plan's report.
    let mut asked: Vec<String> = vec!["49.DPTTH".into()];
    asked.extend(
        units
            .iter()
            .filter(|u| u.code != "49.DPTTH")
            .take(4)
            .map(|u| u.code.clone()),
    );
    let ids = reporting::add_request(
        store,
        &AddRequest {
            plan_id: plan.id,
            title: "Báo cáo đột xuất kết quả hưởng ứng Ngày Chuyển đổi số quốc gia 10/10/2024"
                .into(),
            due: date(2024, 10, 25),
            period: Some("2024-10".into()),
            calendar: false,
            repeat: 1,
            units: asked,
            questions: vec![
                "Số lượt người dân tham gia các hoạt động hưởng ứng?".into(),
                "Những mô hình, cách làm hay cần nhân rộng?".into(),
            ],
        },
        &by,
    )
    .await?;
    if let Some(&id) = ids.first() {
        let adhoc = reporting::request(store, id).await?;
        // In the order asked (the station first), not by name.
        let mut asked_units = store.report_request_units(id).await?;
        asked_units.sort_by_key(|u| u.code != "49.DPTTH");
        let asked = asked_units;
        let dates = [date(2024, 10, 22), date(2024, 10, 29), date(2024, 10, 24)];
        for (i, (u, on)) in asked.iter().zip(dates).enumerate() {
            let author = reporting::author_by_id(store, &adhoc, u.unit_id).await?;
            let sections = Sections {
                results: "Đơn vị đã tổ chức treo băng rôn, đăng tin bài và phát thanh hưởng \
                          ứng Ngày Chuyển đổi số quốc gia."
                    .into(),
                answers: vec![
                    format!("Khoảng {} lượt người dân.", 300 + 150 * i),
                    "Tổ công nghệ số cộng đồng hướng dẫn tại nhà văn hóa thôn.".into(),
                ],
                ..Sections::default()
            };
            reporting::save_draft(store, &adhoc, &author, &sections, None, &by).await?;
            let submit = Submit {
                number: format!("{}/BC", 20 + i),
                date: on,
                signer: "Trần Thị Lan".into(),
                scan: None,
            };
            reporting::submit(store, files, &adhoc, &author, &submit, today, &by).await?;
            match i {
                0 => {
                    reporting::review(store, &adhoc, &author, true, None, &by).await?;
                }
                2 => {
                    reporting::review(
                        store,
                        &adhoc,
                        &author,
                        false,
                        Some("Bổ sung số liệu người dân tham gia theo từng xã."),
                        &by,
                    )
                    .await?;
                }
                _ => {}
            }
        }
    }
    store.set_meta(BUILT_KEY, "1").await?;
    Ok(())
}
