//! The content of the year-end report ("Báo cáo kết quả thực hiện Kế hoạch …"), laid out from a
//! plan's compliance: who issues it, to whom, the results per task with target vs achieved, the
//! shortcomings (missed periods, overdue deliverables), the closing blocks. Pure: the numbers come
//! from [`crate::compliance::plan_compliance`] and are only summed and worded here; where the page
//! puts them is `report_docx`'s business.

use chrono::{Datelike, NaiveDate};
use kehoach_core::compliance::{DeadlineState, PeriodReport, PeriodStatus, Tally};
use kehoach_core::period::Per;
use kehoach_core::text::fold;

use super::vn;
use crate::compliance::{AssignmentCompliance, PlanCompliance, TaskCompliance};
use crate::store::PlanRow;

/// Most shortcoming lines listed one by one; the rest are counted.
pub const MAX_SHORTCOMING_LINES: usize = 200;
/// Most lead units named in a task's paragraph; the rest are counted.
const MAX_UNITS_NAMED: usize = 8;

/// Who issues the report, to whom, and how it is signed. [`ReportOptions::defaults`] derives
/// every field from the plan; each can be overridden (CLI flags, API query).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// The calendar year reported on.
    pub year: i32,
    /// The date figures are evaluated on (the year's last day, or today while it runs).
    pub at: NaiveDate,
    /// The date printed beside the place.
    pub dated: NaiveDate,
    /// The parent body, printed above the issuing body (may be empty).
    pub parent_body: String,
    /// The issuing body as written ("Sở Khoa học và Công nghệ"); printed in capitals.
    pub issuing_body: String,
    /// The number, assigned by the clerk when issued: `None` leaves it blank to fill in.
    pub number: Option<u32>,
    /// The code after "BC-" ("SKHCN").
    pub code: String,
    pub place: String,
    /// "Kính gửi" recipients.
    pub recipients: Vec<String>,
    /// "Nơi nhận" lines besides "Như trên" and "Lưu".
    pub copies: Vec<String>,
    /// The authority lines of the signature block ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC").
    pub authority: Vec<String>,
    pub signer: String,
    /// The unit the report is limited to (with its subtree), by name.
    pub scope_unit: Option<String>,
}

impl ReportOptions {
    /// Everything derived from the plan: the issuing body is the unit reported on, else the
    /// plan's issuer; the report goes to the plan's issuer when someone else writes it, else to
    /// the ministry; figures are as of the year's end or `today`, whichever comes first.
    pub fn defaults(
        plan: &PlanRow,
        scope_unit: Option<&str>,
        context_unit: Option<&str>,
        year: i32,
        today: NaiveDate,
    ) -> ReportOptions {
        let year_end = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
        let at = today.min(year_end);
        let issuer = plan.issuer.clone().unwrap_or_default();
        let issuing_body = scope_unit
            .map(str::to_string)
            .unwrap_or_else(|| expand_ubnd(&issuer));
        let recipients = if scope_unit.is_some() && !issuer.is_empty() {
            vec![expand_ubnd(&issuer)]
        } else {
            vec!["Bộ Khoa học và Công nghệ".to_string()]
        };
        let parent_body = if scope_unit.is_some() {
            issuer.clone()
        } else {
            String::new()
        };
        let place = context_unit
            .map(place_of)
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| place_of(&issuer));
        ReportOptions {
            year,
            at,
            dated: today,
            parent_body,
            code: abbreviation(&issuing_body),
            authority: authority_for(&issuing_body),
            issuing_body,
            number: None,
            place,
            recipients,
            copies: Vec::new(),
            signer: String::new(),
            scope_unit: scope_unit.map(str::to_string),
        }
    }
}

/// "UBND tỉnh Quảng Nam" → "Ủy ban nhân dân tỉnh Quảng Nam".
pub fn expand_ubnd(s: &str) -> String {
    match s.strip_prefix("UBND ") {
        Some(rest) => format!("Ủy ban nhân dân {rest}"),
        None => s.to_string(),
    }
}

/// The place printed before the date: the province or commune name without its type word
/// ("Tỉnh Quảng Nam" or "UBND tỉnh Quảng Nam" → "Quảng Nam").
pub fn place_of(name: &str) -> String {
    let mut rest = name.trim();
    for prefix in ["UBND ", "Ủy ban nhân dân ", "Uỷ ban nhân dân "] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
        }
    }
    let folded = fold(rest);
    for word in [
        "thanh pho ",
        "tinh ",
        "huyen ",
        "thi xa ",
        "xa ",
        "phuong ",
        "quan ",
    ] {
        if folded.starts_with(word) {
            // The type word has as many characters folded as not.
            return rest.chars().skip(word.chars().count()).collect();
        }
    }
    rest.to_string()
}

/// The code of the issuing body in the number ("Số: …/BC-SKHCN"): an acronym it starts with
/// ("UBND tỉnh …" → "UBND"), else the initials of its words but "và" ("Sở Khoa học và Công nghệ"
/// → "SKHCN"), without diacritics except Đ.
pub fn abbreviation(body: &str) -> String {
    let body = expand_ubnd_back(body);
    let first = body.split_whitespace().next().unwrap_or("");
    if first.chars().count() >= 2 && first.chars().all(|c| c.is_uppercase() || c == '&') {
        return fold(first).to_uppercase().replace('&', "");
    }
    body.split_whitespace()
        .filter(|w| fold(w) != "va" && w.chars().next().is_some_and(char::is_alphabetic))
        .filter_map(|w| w.chars().next())
        .map(|c| match c {
            'đ' | 'Đ' => 'Đ',
            c => fold(&c.to_string())
                .chars()
                .next()
                .unwrap_or(c)
                .to_ascii_uppercase(),
        })
        .take(12)
        .collect()
}

fn expand_ubnd_back(s: &str) -> String {
    for long in ["Ủy ban nhân dân ", "Uỷ ban nhân dân "] {
        if let Some(rest) = s.strip_prefix(long) {
            return format!("UBND {rest}");
        }
    }
    s.to_string()
}

/// The signature block's authority lines for a body: a People's Committee signs collectively
/// ("TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH"), a department by its director.
pub fn authority_for(body: &str) -> Vec<String> {
    let folded = fold(body);
    if folded.starts_with("uy ban nhan dan") || folded.starts_with("ubnd") {
        vec!["TM. ỦY BAN NHÂN DÂN".into(), "CHỦ TỊCH".into()]
    } else if folded.starts_with("so ") {
        vec!["GIÁM ĐỐC".into()]
    } else {
        vec!["THỦ TRƯỞNG CƠ QUAN".into()]
    }
}

/// The report, worded: every string as printed, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportContent {
    pub parent_body: String,
    pub issuing_body: String,
    /// "Số: 05/BC-SKHCN", or "Số:      /BC-SKHCN" to be filled in.
    pub number_line: String,
    /// "Quảng Nam, ngày 05 tháng 11 năm 2024".
    pub place_date: String,
    pub summary: String,
    /// The "Kính gửi" lines, punctuated.
    pub recipients: Vec<String>,
    pub intro: String,
    pub overall: String,
    pub tasks: Vec<TaskSection>,
    pub table: Vec<ResultRow>,
    pub shortcomings_intro: String,
    pub shortcomings: Vec<String>,
    pub proposals: String,
    pub closing: String,
    /// "Nơi nhận" lines, punctuated.
    pub copies: Vec<String>,
    pub authority: Vec<String>,
    pub signer: String,
    /// The figures behind each task's paragraph (what tests compare with the engine).
    pub figures: Vec<TaskFigures>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// One row of the results table: one assignment (task × lead unit).
#[derive(Debug, Clone, PartialEq)]
pub struct ResultRow {
    pub number: String,
    pub task: String,
    pub unit: String,
    pub target: String,
    pub result: String,
    pub rate: String,
}

/// A task's figures over the year: Σ over its assignments and the periods that overlap the year.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFigures {
    pub task_id: i64,
    pub tally: Tally,
}

/// The year as a period.
fn year_span(year: i32) -> Option<(NaiveDate, NaiveDate)> {
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

fn in_year(p: &PeriodReport, year: i32) -> bool {
    year_span(year).is_some_and(|(from, to)| p.start <= to && p.end >= from)
}

/// The tally of one assignment over the periods overlapping `year` (deadline and activity
/// counts as the engine gives them).
fn assignment_tally(a: &AssignmentCompliance, year: i32) -> Tally {
    let mut tally = Tally::default();
    for target in &a.targets {
        for p in target.periods.iter().filter(|p| in_year(p, year)) {
            tally += Tally::of_period(p);
        }
        if let Some(pace) = &target.pace {
            tally.pace.count(pace.state);
        }
    }
    if let Some(state) = a.state {
        tally.deadlines.count(state);
    }
    tally.activity_count = a.activity_count;
    tally
}

/// "01 chương trình/tuần" — counts below 10 with a leading zero, as plans write them.
fn target_text(count: f64, noun: &str, per: Per) -> String {
    let n = if count.fract() == 0.0 && count < 10.0 {
        format!("{:02}", count as u32)
    } else {
        vn::number(count, 2)
    };
    let noun = if noun.is_empty() { "lần" } else { noun };
    match per {
        Per::Plan => format!("{n} {noun} trong thời gian thực hiện kế hoạch"),
        per => format!("{n} {noun}/{}", per.vi()),
    }
}

fn deadline_vi(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::DoneOnTime => "Đã hoàn thành đúng hạn",
        DeadlineState::DoneLate => "Đã hoàn thành nhưng quá hạn",
        DeadlineState::NotDoneWithinDeadline => "Chưa hoàn thành, còn trong hạn",
        DeadlineState::NotDoneOverdue => "Chưa hoàn thành, đã quá hạn",
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a plan is about: its title without a leading "Kế hoạch".
fn plan_subject(plan: &PlanRow) -> String {
    let title = plan.title.trim();
    if fold(title).starts_with("ke hoach ") {
        title
            .chars()
            .skip("kế hoạch ".chars().count())
            .collect::<String>()
            .trim()
            .to_string()
    } else {
        title.to_string()
    }
}

/// "Kết quả thực hiện Kế hoạch truyền thông chuyển đổi số năm 2024".
fn summary_line(plan: &PlanRow, year: i32) -> String {
    let mut s = format!(
        "Kết quả thực hiện Kế hoạch {}",
        lower_first(&plan_subject(plan))
    );
    if !s.contains(&year.to_string()) {
        s.push_str(&format!(" năm {year}"));
    }
    s
}

/// Lays out the report of `compliance` (of `plan`, evaluated on `options.at`).
pub fn build(
    plan: &PlanRow,
    compliance: &PlanCompliance,
    options: &ReportOptions,
) -> ReportContent {
    let year = options.year;
    let number = options
        .number
        .map_or_else(|| "      ".to_string(), vn::doc_number);
    let code = if options.code.is_empty() {
        "BC".to_string()
    } else {
        format!("BC-{}", options.code)
    };

    let mut figures = Vec::new();
    let mut tasks = Vec::new();
    let mut table = Vec::new();
    let mut shortcomings = Vec::new();
    let mut overall = Tally::default();
    let mut units = std::collections::BTreeSet::new();
    let mut assignments = 0usize;
    for (i, task) in compliance.tasks.iter().enumerate() {
        let tallies: Vec<Tally> = task
            .assignments
            .iter()
            .map(|a| assignment_tally(a, year))
            .collect();
        let task_tally: Tally = tallies.iter().copied().sum();
        overall += task_tally;
        assignments += task.assignments.len();
        units.extend(task.assignments.iter().map(|a| a.unit.code.clone()));
        figures.push(TaskFigures {
            task_id: task.task_id,
            tally: task_tally,
        });
        tasks.push(task_section(i + 1, task, &task_tally, year));
        for (a, tally) in task.assignments.iter().zip(&tallies) {
            table.push(result_row(table.len() + 1, task, a, tally));
            shortcomings.extend(assignment_shortcomings(task, a, year));
        }
    }

    let total = shortcomings.len();
    if total > MAX_SHORTCOMING_LINES {
        shortcomings.truncate(MAX_SHORTCOMING_LINES);
        shortcomings.push(format!(
            "- Và {} trường hợp khác (xem bảng tổng hợp).",
            vn::number((total - MAX_SHORTCOMING_LINES) as f64, 0)
        ));
    }
    let shortcomings_intro = if total == 0 {
        "Các đơn vị chủ trì đã thực hiện đầy đủ các kỳ báo cáo đã kết thúc; không có nhiệm vụ quá hạn chưa hoàn thành.".to_string()
    } else {
        format!(
            "Bên cạnh kết quả đạt được, việc thực hiện Kế hoạch còn {} tồn tại về tiến độ (kỳ không thực hiện hoặc thực hiện chưa đủ chỉ tiêu, nhiệm vụ quá hạn):",
            vn::number(total as f64, 0)
        )
    };

    let plan_ref = match (&plan.number, plan.issued_on) {
        (Some(n), Some(d)) => format!("Kế hoạch số {n} ngày {}", vn::short_date(d)),
        (Some(n), None) => format!("Kế hoạch số {n}"),
        _ => "Kế hoạch".to_string(),
    };
    let of_issuer = plan
        .issuer
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| format!(" của {s}"))
        .unwrap_or_default();
    let scope = options
        .scope_unit
        .as_deref()
        .map(|u| format!(" (phạm vi: {u} và các đơn vị trực thuộc)"))
        .unwrap_or_default();
    let intro = format!(
        "Thực hiện {plan_ref}{of_issuer} về {}, {} báo cáo kết quả thực hiện năm {year}{scope} như sau:",
        lower_first(&plan_subject(plan)),
        options.issuing_body
    );
    let overall_text = format!(
        "Tính đến {}, Kế hoạch có {} nhiệm vụ, giao cho {} đơn vị chủ trì ({} lượt giao nhiệm vụ); đã ghi nhận {} hoạt động. Trong {} kỳ báo cáo đã kết thúc của năm {year}, {} kỳ đạt chỉ tiêu (tỷ lệ {}), {} kỳ đạt đúng hạn (tỷ lệ {}).",
        vn::long_date(options.at),
        vn::number(compliance.tasks.len() as f64, 0),
        vn::number(units.len() as f64, 0),
        vn::number(assignments as f64, 0),
        vn::number(overall.activity_count as f64, 0),
        vn::number(overall.ended as f64, 0),
        vn::number(overall.met as f64, 0),
        vn::percent(overall.reporting_rate()),
        vn::number(overall.on_time as f64, 0),
        vn::percent(overall.on_time_rate()),
    );

    let recipients = punctuate(&options.recipients);
    let mut copies = vec!["Như trên".to_string()];
    copies.extend(options.copies.iter().cloned());
    let archive = if options.code.is_empty() {
        "Lưu: VT".to_string()
    } else {
        format!("Lưu: VT, {}", options.code)
    };
    copies.push(archive);

    ReportContent {
        parent_body: vn::capitals(&options.parent_body),
        issuing_body: vn::capitals(&options.issuing_body),
        number_line: format!("Số: {number}/{code}"),
        place_date: format!("{}, {}", options.place, vn::long_date(options.dated)),
        summary: summary_line(plan, year),
        recipients,
        intro,
        overall: overall_text,
        tasks,
        table,
        shortcomings_intro,
        shortcomings,
        proposals: "[Phần đề xuất, kiến nghị do đơn vị soạn thảo bổ sung.]".to_string(),
        closing: format!(
            "Trên đây là báo cáo kết quả thực hiện {} năm {year} của {}./.",
            plan.number
                .as_deref()
                .map_or_else(|| "Kế hoạch".to_string(), |n| format!("Kế hoạch số {n}")),
            options.issuing_body
        ),
        copies: punctuate_list(&copies),
        authority: options.authority.clone(),
        signer: options.signer.clone(),
        figures,
    }
}

/// One recipient: "X."; several: "- X;" … "- Y.".
fn punctuate(items: &[String]) -> Vec<String> {
    match items {
        [] => Vec::new(),
        [one] => vec![format!("{}.", one.trim_end_matches(['.', ';']))],
        many => punctuate_list(many),
    }
}

fn punctuate_list(items: &[String]) -> Vec<String> {
    let last = items.len().saturating_sub(1);
    items
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let s = s.trim().trim_end_matches(['.', ';']);
            format!("- {s}{}", if i == last { "." } else { ";" })
        })
        .collect()
}

fn task_section(n: usize, task: &TaskCompliance, tally: &Tally, year: i32) -> TaskSection {
    let mut paragraphs = Vec::new();
    let names: Vec<&str> = task
        .assignments
        .iter()
        .map(|a| a.unit.name.as_str())
        .collect();
    if names.is_empty() {
        paragraphs.push("Đơn vị chủ trì: chưa xác định (chưa giao cho đơn vị nào).".to_string());
    } else {
        let mut list = names
            .iter()
            .take(MAX_UNITS_NAMED)
            .copied()
            .collect::<Vec<_>>()
            .join(", ");
        if names.len() > MAX_UNITS_NAMED {
            list.push_str(&format!(
                " và {} đơn vị khác",
                vn::number((names.len() - MAX_UNITS_NAMED) as f64, 0)
            ));
        }
        paragraphs.push(format!("Đơn vị chủ trì: {list}."));
    }
    // Every assignment of a task carries the same targets (they are the task's).
    let targets = task
        .assignments
        .first()
        .map(|a| a.targets.as_slice())
        .unwrap_or(&[]);
    for (k, target) in targets.iter().enumerate() {
        let noun = if target.unit.is_empty() {
            "lần"
        } else {
            &target.unit
        };
        let mut t = Tally::default();
        let mut total_achieved = 0.0;
        for a in &task.assignments {
            if let Some(tr) = a.targets.get(k) {
                for p in tr.periods.iter().filter(|p| in_year(p, year)) {
                    t += Tally::of_period(p);
                    total_achieved += p.achieved;
                }
            }
        }
        let mut s = format!(
            "Chỉ tiêu: {} (mỗi đơn vị chủ trì). Kết quả: ",
            target_text(target.count, &target.unit, target.per)
        );
        if target.per == Per::Plan {
            s.push_str(&format!(
                "đã thực hiện {} {noun}, đạt {} so với chỉ tiêu {} {noun}.",
                vn::number(total_achieved, 2),
                vn::percent(
                    (target.count > 0.0 && !task.assignments.is_empty())
                        .then(|| total_achieved / (target.count * task.assignments.len() as f64))
                ),
                vn::number(target.count * task.assignments.len() as f64, 2),
            ));
        } else {
            s.push_str(&format!(
                "đã thực hiện {} {noun} trong năm {year}; {}/{} kỳ đã kết thúc đạt chỉ tiêu (tỷ lệ {}), {} kỳ đạt đúng hạn (tỷ lệ {}).",
                vn::number(total_achieved, 2),
                vn::number(t.met as f64, 0),
                vn::number(t.ended as f64, 0),
                vn::percent(t.reporting_rate()),
                vn::number(t.on_time as f64, 0),
                vn::percent(t.on_time_rate()),
            ));
        }
        paragraphs.push(s);
    }
    if let Some(due) = task.due {
        let d = &tally.deadlines;
        let mut parts = Vec::new();
        for (count, what) in [
            (d.done_on_time, "hoàn thành đúng hạn"),
            (d.done_late, "hoàn thành nhưng quá hạn"),
            (d.not_done_within_deadline, "chưa hoàn thành, còn trong hạn"),
            (d.not_done_overdue, "chưa hoàn thành, đã quá hạn"),
        ] {
            if count > 0 {
                parts.push(format!("{} đơn vị {what}", vn::number(count as f64, 0)));
            }
        }
        paragraphs.push(format!(
            "Thời hạn hoàn thành: {}. Kết quả: {}.",
            vn::short_date(due),
            if parts.is_empty() {
                "chưa có đơn vị chủ trì".to_string()
            } else {
                parts.join("; ")
            }
        ));
    }
    if targets.is_empty() && task.due.is_none() {
        let last = task
            .assignments
            .iter()
            .filter_map(|a| a.last_activity_on)
            .max();
        paragraphs.push(match last {
            Some(last) => format!(
                "Kết quả: đã ghi nhận {} hoạt động, hoạt động gần nhất {}.",
                vn::number(tally.activity_count as f64, 0),
                vn::long_date(last)
            ),
            None => "Kết quả: chưa ghi nhận hoạt động nào.".to_string(),
        });
    }
    TaskSection {
        heading: format!("{n}. {}", task.title.trim()),
        paragraphs,
    }
}

fn result_row(
    n: usize,
    task: &TaskCompliance,
    a: &AssignmentCompliance,
    tally: &Tally,
) -> ResultRow {
    let target = a
        .targets
        .iter()
        .map(|t| target_text(t.count, &t.unit, t.per))
        .chain(task.due.map(|d| format!("Hạn {}", vn::short_date(d))))
        .collect::<Vec<_>>()
        .join("; ");
    let mut result = Vec::new();
    for t in &a.targets {
        if t.per == Per::Plan {
            let achieved = t.pace.map_or(0.0, |p| p.achieved);
            result.push(format!("{} {}", vn::number(achieved, 2), t.unit));
        }
    }
    if tally.ended > 0 {
        result.push(format!(
            "{}/{} kỳ đạt",
            vn::number(tally.met as f64, 0),
            vn::number(tally.ended as f64, 0)
        ));
    }
    if let Some(state) = a.state {
        let done = a
            .done_on
            .map(|d| format!(" ({})", vn::short_date(d)))
            .unwrap_or_default();
        result.push(format!("{}{done}", deadline_vi(state)));
    }
    if result.is_empty() {
        result.push(format!(
            "{} hoạt động",
            vn::number(a.activity_count as f64, 0)
        ));
    }
    ResultRow {
        number: n.to_string(),
        task: format!("{} {}", task.reference, task.title.trim())
            .trim()
            .to_string(),
        unit: a.unit.name.clone(),
        target: if target.is_empty() {
            "—".into()
        } else {
            target
        },
        result: result.join("; "),
        rate: vn::percent(tally.reporting_rate()),
    }
}

fn assignment_shortcomings(
    task: &TaskCompliance,
    a: &AssignmentCompliance,
    year: i32,
) -> Vec<String> {
    let mut out = Vec::new();
    let title = task.title.trim();
    for t in &a.targets {
        let short: Vec<&PeriodReport> = t
            .periods
            .iter()
            .filter(|p| in_year(p, year))
            .filter(|p| matches!(p.status, PeriodStatus::Missed | PeriodStatus::Partial))
            .collect();
        if short.is_empty() {
            continue;
        }
        let missed = short
            .iter()
            .filter(|p| p.status == PeriodStatus::Missed)
            .count();
        let partial = short.len() - missed;
        let mut labels: Vec<String> = short.iter().take(6).map(|p| p.label()).collect();
        if short.len() > 6 {
            labels.push("…".into());
        }
        let mut what = Vec::new();
        if missed > 0 {
            what.push(format!(
                "{} kỳ không thực hiện",
                vn::number(missed as f64, 0)
            ));
        }
        if partial > 0 {
            what.push(format!(
                "{} kỳ chưa đủ chỉ tiêu",
                vn::number(partial as f64, 0)
            ));
        }
        out.push(format!(
            "- {}: {} ({}) đối với nhiệm vụ “{title}”;",
            a.unit.name,
            what.join(", "),
            labels.join(", ")
        ));
    }
    match (a.state, task.due) {
        (Some(DeadlineState::NotDoneOverdue), Some(due)) => out.push(format!(
            "- {}: chưa hoàn thành nhiệm vụ “{title}”, đã quá hạn ({});",
            a.unit.name,
            vn::short_date(due)
        )),
        (Some(DeadlineState::DoneLate), Some(due)) => out.push(format!(
            "- {}: hoàn thành nhiệm vụ “{title}” {}, quá hạn ({});",
            a.unit.name,
            a.done_on
                .map(|d| format!("ngày {}", vn::short_date(d)))
                .unwrap_or_default(),
            vn::short_date(due)
        )),
        _ => {}
    }
    out
}

/// The report year of a `--period` value: a four-digit year.
pub fn parse_year(s: &str) -> Result<i32, String> {
    let s = s.trim();
    match s.parse::<i32>() {
        Ok(y) if (2000..=2100).contains(&y) && s.len() == 4 => Ok(y),
        _ => Err(format!(
            "period: expected a year such as 2024, got {:?}",
            s.chars().take(40).collect::<String>()
        )),
    }
}

/// The year of a date, for callers that default the period to the current year.
pub fn year_of(d: NaiveDate) -> i32 {
    d.year()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::{Summary, UnitRef};
    use kehoach_core::compliance::{Bucket, TargetReport};
    use kehoach_core::period::Period;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn plan() -> PlanRow {
        PlanRow {
            id: 1,
            number: Some("3604/KH-UBND".into()),
            title: "Kế hoạch Truyền thông chuyển đổi số năm 2024".into(),
            issuer: Some("UBND tỉnh Quảng Nam".into()),
            issued_on: Some(d("2024-01-15")),
            period_from: Some(d("2024-01-01")),
            period_to: Some(d("2024-12-31")),
            context_unit_id: None,
            grace_days: 7,
            source_name: "p.txt".into(),
            source_sha256: String::new(),
        }
    }

    fn weekly(at: NaiveDate, achieved: &[f64]) -> TargetReport {
        let mut periods = Vec::new();
        let mut p = Period::containing(Per::Week, d("2024-01-01")).unwrap();
        for &a in achieved {
            periods.push(PeriodReport::new(
                p,
                1.0,
                Bucket {
                    achieved: a,
                    on_time_achieved: a,
                },
                at,
            ));
            p = p.next(Per::Week).unwrap();
        }
        TargetReport {
            count: 1.0,
            per: Per::Week,
            unit: "chương trình".into(),
            reporting_rate: None,
            on_time_rate: None,
            periods,
            pace: None,
        }
    }

    fn compliance(at: NaiveDate) -> PlanCompliance {
        let a = |code: &str, name: &str, target: TargetReport, state| AssignmentCompliance {
            assignment_id: 1,
            unit: UnitRef {
                code: code.into(),
                name: name.into(),
            },
            state,
            done_on: None,
            activity_count: 3,
            last_activity_on: None,
            targets: vec![target],
        };
        PlanCompliance {
            plan_id: 1,
            at,
            summary: Summary::from(Tally::default()),
            tasks: vec![TaskCompliance {
                task_id: 7,
                reference: "1".into(),
                title: "Chuyên mục chuyển đổi số".into(),
                due: Some(d("2024-01-10")),
                summary: Summary::from(Tally::default()),
                assignments: vec![
                    a(
                        "DAI",
                        "Đài PT-TH",
                        weekly(at, &[1.0, 0.0, 2.0]),
                        Some(DeadlineState::NotDoneOverdue),
                    ),
                    a(
                        "BAO",
                        "Báo Quảng Nam",
                        weekly(at, &[1.0, 1.0, 0.5]),
                        Some(DeadlineState::DoneOnTime),
                    ),
                ],
            }],
        }
    }

    #[test]
    fn defaults_come_from_the_plan() {
        let o = ReportOptions::defaults(&plan(), None, None, 2024, d("2025-02-03"));
        assert_eq!(o.at, d("2024-12-31"));
        assert_eq!(o.issuing_body, "Ủy ban nhân dân tỉnh Quảng Nam");
        assert_eq!(o.code, "UBND");
        assert_eq!(o.place, "Quảng Nam");
        assert_eq!(o.authority, ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]);
        let o = ReportOptions::defaults(
            &plan(),
            Some("Sở Khoa học và Công nghệ"),
            None,
            2024,
            d("2024-11-05"),
        );
        assert_eq!(o.at, d("2024-11-05"));
        assert_eq!(o.code, "SKHCN");
        assert_eq!(o.parent_body, "UBND tỉnh Quảng Nam");
        assert_eq!(o.recipients, ["Ủy ban nhân dân tỉnh Quảng Nam"]);
        assert_eq!(
            abbreviation("Đài Phát thanh và Truyền hình Quảng Nam"),
            "ĐPTTHQN"
        );
        assert_eq!(place_of("Thành phố Đà Nẵng"), "Đà Nẵng");
    }

    #[test]
    fn the_report_sums_periods_and_lists_shortcomings() {
        let at = d("2024-01-25");
        let mut o = ReportOptions::defaults(&plan(), None, None, 2024, at);
        o.number = Some(5);
        let r = build(&plan(), &compliance(at), &o);
        assert_eq!(r.number_line, "Số: 05/BC-UBND");
        assert_eq!(r.place_date, "Quảng Nam, ngày 25 tháng 01 năm 2024");
        assert_eq!(
            r.summary,
            "Kết quả thực hiện Kế hoạch truyền thông chuyển đổi số năm 2024"
        );
        assert_eq!(r.issuing_body, "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM");
        // Weeks 1–3 have ended on 25/01 (week 4 is open): 4 of 6 met.
        let t = &r.figures[0].tally;
        assert_eq!((t.met, t.ended), (4, 6));
        let text = r.tasks[0].paragraphs.join("\n");
        assert!(
            text.contains("4/6 kỳ đã kết thúc đạt chỉ tiêu (tỷ lệ 66,7%)"),
            "{text}"
        );
        assert!(text.contains("đã thực hiện 5,5 chương trình"), "{text}");
        assert!(
            text.contains("1 đơn vị hoàn thành đúng hạn; 1 đơn vị chưa hoàn thành, đã quá hạn"),
            "{text}"
        );
        assert_eq!(r.shortcomings.len(), 3, "{:?}", r.shortcomings);
        assert!(r.shortcomings[0].contains("Đài PT-TH: 1 kỳ không thực hiện (Tuần 02/2024)"));
        assert!(r.shortcomings[2].contains("Báo Quảng Nam: 1 kỳ chưa đủ chỉ tiêu"));
        assert_eq!(r.table.len(), 2);
        assert_eq!(r.table[0].rate, "66,7%");
        assert_eq!(r.recipients, ["Bộ Khoa học và Công nghệ."]);
        assert_eq!(r.copies, ["- Như trên;", "- Lưu: VT, UBND."]);
        assert!(r.closing.ends_with("./."));
    }

    #[test]
    fn several_recipients_are_listed_with_dashes() {
        let list = punctuate(&["Bộ Khoa học và Công nghệ".into(), "UBND tỉnh".into()]);
        assert_eq!(list, ["- Bộ Khoa học và Công nghệ;", "- UBND tỉnh."]);
    }

    #[test]
    fn only_four_digit_years_are_periods() {
        assert_eq!(parse_year("2024"), Ok(2024));
        assert!(parse_year("24").is_err());
        assert!(parse_year("2024-Q1").is_err());
    }
}
