//! A unit's own words put into the report kehoach words from its figures, and the plan office's
//! compiled report: the accepted units' sections quoted with attribution per area of the plan, a
//! table of who reported on time, late or not at all, and a Phụ lục of the submissions received.
//! Pure: a [`ReportContent`] in, a [`ReportContent`] out.

use chrono::NaiveDate;

use super::sections::{Block, Sections, blocks};
use super::state::UnitState;
use crate::export::report::{Appendix, Item, Part, ReportContent, Row};
use crate::export::vn;

/// Most characters of a unit's section quoted in the compiled report; the rest is in its report.
const MAX_QUOTE_CHARS: usize = 700;

fn items_of(text: &str) -> Vec<Item> {
    blocks(text)
        .into_iter()
        .flat_map(|b| match b {
            Block::Para(p) => vec![Item::Para(p)],
            Block::List(items) => items
                .into_iter()
                .map(|i| Item::Para(format!("- {i}")))
                .collect(),
            Block::Table(header, rows) => vec![Item::Table(header, rows)],
        })
        .collect()
}

fn part_mut<'a>(content: &'a mut ReportContent, numeral: &str) -> Option<&'a mut Part> {
    content
        .parts
        .iter_mut()
        .find(|p| p.heading.starts_with(&format!("{numeral}. ")))
}

/// Replaces the placeholder paragraph starting with `placeholder` by `items` (or adds them at
/// the end of the part when the placeholder is not there).
fn put(part: &mut Part, placeholder: &str, items: Vec<Item>) {
    match part
        .items
        .iter()
        .position(|i| matches!(i, Item::Para(p) if p.starts_with(placeholder)))
    {
        Some(at) => {
            part.items.splice(at..=at, items);
        }
        None => part.items.extend(items),
    }
}

/// The report with the unit's sections in it: its results after part II's figures, its
/// shortcomings and causes in part III, its proposals in part IV, and a part V answering the
/// request's questions.
pub fn with_sections(
    mut content: ReportContent,
    sections: &Sections,
    questions: &[String],
) -> ReportContent {
    if !sections.results.is_empty()
        && let Some(part) = part_mut(&mut content, "II")
    {
        part.items
            .push(Item::Heading("Kết quả nổi bật và đánh giá chung".into()));
        part.items.extend(items_of(&sections.results));
    }
    if !sections.shortcomings.is_empty()
        && let Some(part) = part_mut(&mut content, "III")
    {
        put(
            part,
            "[Đơn vị soạn thảo nêu nguyên nhân",
            items_of(&sections.shortcomings),
        );
    }
    if !sections.proposals.is_empty()
        && let Some(part) = part_mut(&mut content, "IV")
    {
        put(
            part,
            "[Đơn vị soạn thảo bổ sung đề xuất",
            items_of(&sections.proposals),
        );
    }
    if !questions.is_empty() {
        let mut items = Vec::new();
        for (i, q) in questions.iter().enumerate() {
            items.push(Item::Heading(format!("{}. {q}", i + 1)));
            match sections.answers.get(i).filter(|a| !a.is_empty()) {
                Some(a) => items.extend(items_of(a)),
                None => items.push(Item::Para("[Đơn vị trả lời nội dung này.]".into())),
            }
        }
        let at = content
            .parts
            .iter()
            .position(|p| p.heading.starts_with("IV. "))
            .map_or(content.parts.len(), |i| i + 1);
        content.parts.insert(
            at,
            Part {
                heading: "V. TRẢ LỜI CÁC NỘI DUNG THEO YÊU CẦU".into(),
                items,
            },
        );
    }
    content
}

/// A unit asked to report, as the compiled report lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub unit_name: String,
    pub state: UnitState,
    /// The submission that counts (number, date, signer), when there is one.
    pub submission: Option<(String, NaiveDate, String)>,
    /// The areas of the plan (section headings) the unit leads tasks in, in plan order.
    pub areas: Vec<String>,
    /// The sections of its accepted report, to quote.
    pub accepted: Option<Sections>,
}

fn quote(text: &str) -> String {
    let flat: String = blocks(text)
        .into_iter()
        .map(|b| match b {
            Block::Para(p) => p,
            // One sentence of points: "a; b; c." (a point's own full stop would read ".;").
            Block::List(items) => {
                let points: Vec<&str> = items
                    .iter()
                    .map(|i| i.trim_end_matches(['.', ';', ',', ' ']))
                    .filter(|i| !i.is_empty())
                    .collect();
                format!("{}.", points.join("; "))
            }
            Block::Table(header, _) => format!("(bảng: {})", header.join(", ")),
        })
        .collect::<Vec<_>>()
        .join(" ");
    if flat.chars().count() <= MAX_QUOTE_CHARS {
        return flat;
    }
    let cut: String = flat.chars().take(MAX_QUOTE_CHARS).collect();
    let cut = cut
        .rsplit_once(' ')
        .map_or(cut.as_str(), |(a, _)| a)
        .to_string();
    format!("{cut} …")
}

fn attribution(r: &Reported) -> String {
    match &r.submission {
        Some((number, on, _)) => format!(
            "{} (Báo cáo số {number} ngày {})",
            r.unit_name,
            vn::short_date(*on)
        ),
        None => r.unit_name.clone(),
    }
}

fn quoted_by_area(units: &[Reported], pick: fn(&Sections) -> &str) -> Vec<Item> {
    // Each unit is quoted once, under the first area it leads tasks in.
    let mut areas: Vec<String> = Vec::new();
    for u in units {
        let area = u.areas.first().cloned().unwrap_or_default();
        if !areas.contains(&area) {
            areas.push(area);
        }
    }
    let mut items = Vec::new();
    for area in areas {
        let quoted: Vec<Item> = units
            .iter()
            .filter(|u| u.areas.first().cloned().unwrap_or_default() == area)
            .filter_map(|u| {
                let text = pick(u.accepted.as_ref()?);
                (!text.is_empty())
                    .then(|| Item::Para(format!("- {}: “{}”", attribution(u), quote(text))))
            })
            .collect();
        if quoted.is_empty() {
            continue;
        }
        if !area.is_empty() {
            // The plan's own heading, marked as the plan's (it is numbered like the report's
            // parts: "II. NỘI DUNG").
            items.push(Item::Heading(format!("Phần “{area}” của Kế hoạch")));
        }
        items.extend(quoted);
    }
    items
}

fn state_word(state: UnitState) -> &'static str {
    match state {
        UnitState::Accepted => "Đã tiếp nhận",
        UnitState::SubmittedOnTime => "Đúng hạn",
        UnitState::SubmittedLate => "Trễ hạn",
        UnitState::Returned => "Trả lại để hoàn thiện",
        UnitState::Overdue => "Chưa gửi (quá hạn)",
        UnitState::Draft | UnitState::NotStarted => "Chưa gửi",
    }
}

/// Whether the unit's report (the one that counts) reached the office by the deadline.
fn timeliness(r: &Reported, due: NaiveDate) -> &'static str {
    match (&r.submission, r.state) {
        (_, UnitState::Returned) | (None, _) => "Chưa gửi",
        (Some((_, on, _)), _) if *on <= due => "Đúng hạn",
        (Some(_), _) => "Trễ hạn",
    }
}

/// The plan office's compiled report: its own report of the plan (`content`, from live figures,
/// with its own sections already in) plus the units' accepted sections quoted per area, the
/// table of who reported, and the Phụ lục of submissions received. `as_of` is the report's own
/// date: who has reported is told as of then (before the deadline, those not yet submitted are
/// simply not in yet).
pub fn compiled(
    mut content: ReportContent,
    units: &[Reported],
    due: NaiveDate,
    as_of: NaiveDate,
) -> ReportContent {
    let on_time = units
        .iter()
        .filter(|u| timeliness(u, due) == "Đúng hạn")
        .count();
    let late = units
        .iter()
        .filter(|u| timeliness(u, due) == "Trễ hạn")
        .count();
    let missing: Vec<&str> = units
        .iter()
        .filter(|u| timeliness(u, due) == "Chưa gửi")
        .map(|u| u.unit_name.as_str())
        .collect();
    if let Some(part) = part_mut(&mut content, "II") {
        part.items.push(Item::Heading(
            "Tình hình báo cáo của các cơ quan, đơn vị".into(),
        ));
        let mut summary = format!(
            "Đến ngày {}, đã nhận {}/{} báo cáo ({} đúng hạn, {} trễ hạn)",
            vn::short_date(as_of),
            on_time + late,
            units.len(),
            on_time,
            late
        );
        if missing.is_empty() {
            summary.push('.');
        } else {
            summary.push_str(&format!("; chưa gửi: {}.", missing.join(", ")));
        }
        part.items.push(Item::Para(summary));
        part.items.push(Item::Table(
            vec![
                "TT".into(),
                "Cơ quan, đơn vị".into(),
                "Số, ngày báo cáo".into(),
                "Tình trạng".into(),
            ],
            units
                .iter()
                .enumerate()
                .map(|(i, u)| {
                    vec![
                        (i + 1).to_string(),
                        u.unit_name.clone(),
                        u.submission
                            .as_ref()
                            .map_or_else(String::new, |(n, on, _)| {
                                format!("{n}, {}", vn::short_date(*on))
                            }),
                        timeliness(u, due).to_string(),
                    ]
                })
                .collect(),
        ));
        let results = quoted_by_area(units, |s| &s.results);
        if !results.is_empty() {
            part.items.push(Item::Heading(
                "Kết quả do các cơ quan, đơn vị báo cáo".into(),
            ));
            part.items.extend(results);
        }
    }
    let shortcomings = quoted_by_area(units, |s| &s.shortcomings);
    if !shortcomings.is_empty()
        && let Some(part) = part_mut(&mut content, "III")
    {
        part.items.push(Item::Heading(
            "Tồn tại, hạn chế do các cơ quan, đơn vị nêu".into(),
        ));
        part.items.extend(shortcomings);
    }
    let proposals = quoted_by_area(units, |s| &s.proposals);
    if !proposals.is_empty()
        && let Some(part) = part_mut(&mut content, "IV")
    {
        part.items.push(Item::Heading(
            "Đề xuất, kiến nghị của các cơ quan, đơn vị".into(),
        ));
        part.items.extend(proposals);
    }
    let attached = content
        .appendices
        .first()
        .map(|a| a.attached.clone())
        .unwrap_or_default();
    let number = content.appendices.len() + 1;
    content.appendices.push(Appendix {
        title: format!("Phụ lục {number:02}"),
        name: "DANH MỤC BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ".into(),
        attached,
        landscape: false,
        widths_mm: vec![10.0, 55.0, 30.0, 22.0, 28.0, 20.0],
        centre_from: 3,
        header: [
            "TT",
            "Cơ quan, đơn vị",
            "Số báo cáo",
            "Ngày",
            "Người ký",
            "Tình trạng",
        ]
        .map(String::from)
        .to_vec(),
        rows: units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let (number, on, signer) = u.submission.clone().map_or_else(
                    || (String::new(), String::new(), String::new()),
                    |(n, on, s)| (n, vn::short_date(on), s),
                );
                Row::Cells(vec![
                    (i + 1).to_string(),
                    u.unit_name.clone(),
                    number,
                    on,
                    signer,
                    state_word(u.state).to_string(),
                ])
            })
            .collect(),
    });
    content
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> ReportContent {
        let part = |h: &str, items: Vec<Item>| Part {
            heading: h.into(),
            items,
        };
        ReportContent {
            parent_body: String::new(),
            issuing_body: String::new(),
            number_line: String::new(),
            place_date: String::new(),
            summary: String::new(),
            recipients: vec![],
            intro: String::new(),
            parts: vec![
                part("I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO", vec![]),
                part("II. KẾT QUẢ THỰC HIỆN", vec![]),
                part(
                    "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
                    vec![Item::Para("[Đơn vị soạn thảo nêu nguyên nhân …]".into())],
                ),
                part("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ ĐỀ XUẤT", vec![]),
            ],
            closing: String::new(),
            copies: vec![],
            authority: vec![],
            signer: String::new(),
            appendices: vec![],
            figures: vec![],
            scorecard: Default::default(),
            channels: vec![],
        }
    }

    #[test]
    fn sections_go_where_they_belong() {
        let s = Sections {
            results: "Đã phát 52 chương trình.".into(),
            shortcomings: "- Thiếu kinh phí".into(),
            proposals: String::new(),
            answers: vec!["Có 3 cán bộ.".into()],
        };
        let c = with_sections(content(), &s, &["Số cán bộ chuyên trách?".into()]);
        assert_eq!(
            c.parts[1].items.last(),
            Some(&Item::Para("Đã phát 52 chương trình.".into()))
        );
        assert_eq!(
            c.parts[2].items,
            vec![Item::Para("- Thiếu kinh phí".into())]
        );
        assert_eq!(c.parts[4].heading, "V. TRẢ LỜI CÁC NỘI DUNG THEO YÊU CẦU");
        assert_eq!(
            c.parts[4].items,
            vec![
                Item::Heading("1. Số cán bộ chuyên trách?".into()),
                Item::Para("Có 3 cán bộ.".into())
            ]
        );
    }

    #[test]
    fn compiled_quotes_with_attribution_and_lists_who_reported() {
        let due: NaiveDate = "2024-11-15".parse().unwrap();
        let units = vec![
            Reported {
                unit_name: "Đài PT-TH tỉnh".into(),
                state: UnitState::Accepted,
                submission: Some((
                    "12/BC-ĐPTTH".into(),
                    "2024-11-10".parse().unwrap(),
                    "Lê A".into(),
                )),
                areas: vec!["1. Truyền thông".into()],
                accepted: Some(Sections {
                    results: "Phát 52 chương trình.".into(),
                    ..Sections::default()
                }),
            },
            Reported {
                unit_name: "Báo Thử Nghiệm".into(),
                state: UnitState::Overdue,
                submission: None,
                areas: vec![],
                accepted: None,
            },
        ];
        let c = compiled(content(), &units, due, due);
        let ii = &c.parts[1].items;
        assert!(ii.contains(&Item::Para(
            "- Đài PT-TH tỉnh (Báo cáo số 12/BC-ĐPTTH ngày 10/11/2024): “Phát 52 chương trình.”"
                .into()
        )));
        assert!(ii.contains(&Item::Para(
            "Đến ngày 15/11/2024, đã nhận 1/2 báo cáo (1 đúng hạn, 0 trễ hạn); chưa gửi: Báo Thử Nghiệm."
                .into()
        )));
        let appendix = c.appendices.last().unwrap();
        assert_eq!(appendix.rows.len(), 2);
    }
}
