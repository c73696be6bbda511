//! The content of a period report ("Báo cáo kết quả thực hiện Kế hoạch … năm 2024"): the words of
//! each part, worded from a plan's compliance and its activities' totals. Pure: the numbers come
//! from [`crate::compliance::plan_compliance`] evaluated on the period's evaluation date and are
//! only filtered to the period (see `report_period`), summed and worded here; where the page puts
//! them is `report_docx`'s business.
//!
//! The parts, in the order a Vietnamese administrative report has them:
//! opening (the plan cited, the period) · I. Công tác lãnh đạo, chỉ đạo (the plan, the plans that
//! implement it, documents recorded as activities) · II. Kết quả thực hiện (1. the scorecard of
//! targets and deliverables, 2. totals by channel, 3. results per part of the plan, a few
//! sentences each, naming the units that did best and worst) · III. Tồn tại, hạn chế và nguyên
//! nhân (grouped per target and deliverable; the cause left to the author) · IV. Phương hướng,
//! nhiệm vụ và đề xuất (what carries into the next period; left editable) · closing, "Nơi nhận",
//! signature · Phụ lục 01 (per task, landscape) and 02 (per unit, grouped by kind of unit).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use kehoach_core::compliance::{DeadlineCounts, DeadlineState, Tally};
use kehoach_core::period::Per;
use kehoach_core::text::{fold, mend_lost_chars};

use super::channels::{Channel, classify};
use super::report_period::ReportPeriod;
use super::vn;
use crate::compliance::{AssignmentCompliance, PlanCompliance, TaskCompliance};
use crate::store::{ActivitySumRow, ChildPlanRow, CompletionRow, PlanRow, ReportUnitRow, TaskRow};

pub use super::issuer::{abbreviation, authority_for, expand_ubnd, place_of};

/// Most units named in one sentence (best, worst, not done); the rest are counted.
const MAX_NAMED: usize = 3;
/// Most targets and deliverables listed one by one among the shortcomings.
const MAX_SHORTCOMINGS: usize = 8;
/// Most documents cited by name in part I.
const MAX_DOCUMENTS: usize = 4;
/// Words of a task title kept in a sentence before "…".
const SHORT_TITLE_WORDS: usize = 12;

/// Who issues the report, to whom, how it is signed, and what it covers. Derived from the plan
/// and the issuer (`export::report_options`); each field can be overridden (CLI flags, API query).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    pub period: ReportPeriod,
    /// The date figures are evaluated on (the day after the period, or today while it runs).
    pub at: NaiveDate,
    /// The date printed beside the place.
    pub dated: NaiveDate,
    /// The body printed above the issuing body (empty for a People's Committee).
    pub parent_body: String,
    /// The issuing body as printed in the header, before capitals ("UBND thành phố Tam Kỳ").
    pub issuing_body: String,
    /// The issuer as named in sentences ("Ủy ban nhân dân thành phố Tam Kỳ").
    pub issuer_prose: String,
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
    /// What the report covers when limited to a unit: "trên địa bàn thành phố Tam Kỳ", "của
    /// đơn vị"; `None` for the whole plan.
    pub scope: Option<String>,
}

/// What the report is worded from besides the compliance: the plan's tasks (their leads as the
/// plan words them), the sections above them, the units assigned, activity totals and
/// completions in the period, and the plans that implement this one.
#[derive(Debug, Clone, Copy)]
pub struct ReportFacts<'a> {
    pub tasks: &'a [TaskRow],
    pub sections: &'a HashMap<String, String>,
    pub units: &'a [ReportUnitRow],
    pub sums: &'a [ActivitySumRow],
    pub completions: &'a [CompletionRow],
    pub child_plans: &'a [ChildPlanRow],
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
    /// I. … IV., each a heading and its items.
    pub parts: Vec<Part>,
    pub closing: String,
    /// "Nơi nhận" lines, punctuated.
    pub copies: Vec<String>,
    pub authority: Vec<String>,
    pub signer: String,
    pub appendices: Vec<Appendix>,
    /// The figures behind the text, per task (what tests compare with the engine).
    pub figures: Vec<TaskFigures>,
    pub scorecard: Scorecard,
    /// Activity totals by channel: (channel, quantity, units that did some).
    pub channels: Vec<(Channel, f64, usize)>,
}

/// A part of the body: "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO" and what is under it.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub heading: String,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// "1. Kết quả chung", "a) Truyền thông trên …".
    Heading(String),
    Para(String),
    /// A small table in the body (the totals by channel): header, rows.
    Table(Vec<String>, Vec<Vec<String>>),
}

/// "Phụ lục 01" after the signature.
#[derive(Debug, Clone, PartialEq)]
pub struct Appendix {
    /// "Phụ lục 01".
    pub title: String,
    /// "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ …".
    pub name: String,
    /// "(Kèm theo Báo cáo số …/BC-… ngày … của …)".
    pub attached: String,
    pub landscape: bool,
    /// Column widths in millimetres, and their headings.
    pub widths_mm: Vec<f64>,
    /// Columns from this one on hold figures (centred); the first (TT) is centred too.
    pub centre_from: usize,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    /// A group's title across the table ("Sở, ban, ngành").
    Group(String),
    Cells(Vec<String>),
}

/// A task's figures over the period: Σ over its assignments of the periods that belong to it,
/// and its deliverables due in it.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskFigures {
    pub task_id: i64,
    pub tally: Tally,
}

/// The scorecard of part II.1.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Scorecard {
    /// Targets (task × target) with something to judge in the period.
    pub targets: usize,
    /// … met by every lead unit in every period (or whose total was reached).
    pub met: usize,
    /// … met in some periods.
    pub partly: usize,
    /// … not met in any.
    pub not_met: usize,
    /// Plan totals still running after the period (not judged).
    pub running: usize,
    /// Deliverables due in the period, by state (one per assignment).
    pub deadlines: DeadlineCounts,
    /// Tasks with a deliverable due in the period.
    pub deadline_tasks: usize,
}

/// Cleans text from the source for print: lost characters mended, spaces collapsed.
fn clean(s: &str) -> String {
    let (mended, _) = mend_lost_chars(s);
    mended.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "01 chương trình/tuần" — counts below 10 with a leading zero, as plans write them.
pub fn target_text(count: f64, noun: &str, per: Per) -> String {
    let n = if count.fract() == 0.0 && count < 10.0 {
        format!("{:02}", count as u32)
    } else {
        vn::number(count, 2)
    };
    let noun = if noun.trim().is_empty() {
        "lần".to_string()
    } else {
        clean(noun)
    };
    match per {
        Per::Plan => format!("{n} {noun} trong thời gian thực hiện"),
        per => format!("{n} {noun}/{}", per.vi()),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a plan is about: its title without a leading "Kế hoạch" (so that "Kế hoạch {subject}"
/// never reads "Kế hoạch kế hoạch").
fn plan_subject(plan: &PlanRow) -> String {
    let title = clean(&plan.title);
    if fold(&title).starts_with("ke hoach ") {
        title
            .chars()
            .skip("kế hoạch ".chars().count())
            .collect::<String>()
            .trim()
            .to_string()
    } else {
        title
    }
}

/// "Kế hoạch số 25/KH-UBND ngày 15/01/2024 của UBND tỉnh Quảng Nam" (what is known of it).
fn plan_citation(plan: &PlanRow) -> String {
    let mut s = match super::known_plan_number(plan.number.as_deref()) {
        Some(n) => format!("Kế hoạch số {}", clean(n)),
        _ => format!("Kế hoạch {}", lower_first(&plan_subject(plan))),
    };
    if let Some(d) = plan.issued_on {
        s.push_str(&format!(" ngày {}", vn::short_date(d)));
    }
    if let Some(i) = plan.issuer.as_deref().filter(|s| !s.trim().is_empty()) {
        s.push_str(&format!(" của {}", clean(i)));
    }
    s
}

/// "Kết quả thực hiện Kế hoạch truyền thông chuyển đổi số năm 2024" (the period added unless
/// the title already names it).
fn summary_line(plan: &PlanRow, period: &ReportPeriod) -> String {
    let subject = lower_first(&plan_subject(plan));
    let label = period.label();
    if matches!(period.kind, super::report_period::PeriodKind::Year)
        && subject.contains(&period.year.to_string())
        && !subject.contains("giai đoạn")
    {
        format!("Kết quả thực hiện Kế hoạch {subject}")
    } else {
        format!("Kết quả thực hiện Kế hoạch {subject} {label}")
    }
}

/// A task title cut at a word for a sentence ("Tuyên truyền trên Đài Phát thanh – Truyền hình…").
fn short_title(title: &str) -> String {
    // "Về xây dựng kinh phí thực hiện: + Các Sở, …" → what comes before the colon.
    let title = clean(title);
    let head = title
        .split_once(": ")
        .map(|(h, _)| h)
        .filter(|h| h.split_whitespace().count() >= 3)
        .unwrap_or(&title);
    cut_words(head, SHORT_TITLE_WORDS)
}

/// Text cut after `max` words, at a word, with "…".
fn cut_words(text: &str, max: usize) -> String {
    let title = clean(text);
    let title = title.trim_end_matches(['.', ';', ':']);
    let words: Vec<&str> = title.split_whitespace().collect();
    if words.len() <= max {
        title.to_string()
    } else {
        format!(
            "{}…",
            words[..max].join(" ").trim_end_matches([',', ';', ':'])
        )
    }
}

/// A unit's name without the report's own locality ("Sở Y tế tỉnh Quảng Nam" → "Sở Y tế" in a
/// report placed in Quảng Nam): the tables are read in that locality.
fn local_name(name: &str, place: &str) -> String {
    let name = clean(name);
    // "Ủy ban nhân dân thành phố Tam Kỳ" is nothing without its locality.
    let f = fold(&name);
    if place.is_empty() || f.starts_with("uy ban nhan dan") || f.starts_with("ubnd") {
        return name;
    }
    for word in ["tỉnh", "thành phố", "huyện", "thị xã", "quận"] {
        let tail = format!(" {word} {place}");
        if let Some(head) = name.strip_suffix(&tail) {
            return head.to_string();
        }
    }
    name
}

fn count(n: usize) -> String {
    vn::number(n as f64, 0)
}

fn qty(x: f64) -> String {
    vn::number(x, 1)
}

/// "A, B và C" — at most [`MAX_NAMED`] names, the rest counted: "A, B, C và 12 đơn vị khác".
fn name_list(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n if n <= MAX_NAMED => format!("{} và {}", names[..n - 1].join(", "), names[n - 1]),
        n => format!(
            "{} và {} đơn vị khác",
            names[..MAX_NAMED].join(", "),
            count(n - MAX_NAMED)
        ),
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

// ---------------------------------------------------------------------------------------------
// Figures.

/// One target of one assignment over the period.
#[derive(Debug, Clone, Copy, Default)]
struct TargetFig {
    tally: Tally,
    achieved: f64,
    /// Plan totals: reached, running past the period, judged at all.
    total_met: bool,
    running: bool,
    judged: bool,
}

/// One assignment over the period.
#[derive(Debug, Clone, Default)]
struct AssignmentFig {
    targets: Vec<TargetFig>,
    /// Its deliverable's state when due in the period.
    deadline: Option<DeadlineState>,
    done_on: Option<NaiveDate>,
}

impl AssignmentFig {
    fn tally(&self) -> Tally {
        let mut t: Tally = self.targets.iter().map(|f| f.tally).sum();
        if let Some(s) = self.deadline {
            t.deadlines.count(s);
        }
        t
    }
}

fn assignment_fig(
    a: &AssignmentCompliance,
    due: Option<NaiveDate>,
    period: &ReportPeriod,
) -> AssignmentFig {
    let mut targets = Vec::new();
    for t in &a.targets {
        let mut fig = TargetFig::default();
        if t.per.is_recurring() {
            for p in t.periods.iter().filter(|p| period.counts(p)) {
                fig.tally += Tally::of_period(p);
                fig.achieved += p.achieved;
            }
            fig.judged = fig.tally.ended > 0;
        } else if let Some(p) = t.periods.first().filter(|p| period.overlaps(p)) {
            fig.achieved = p.achieved;
            fig.total_met = p.achieved >= t.count;
            fig.running = p.end > period.to;
            fig.judged = true;
            if let Some(pace) = &t.pace {
                fig.tally.pace.count(pace.state);
            }
        }
        targets.push(fig);
    }
    let deadline = due.filter(|d| period.has_deadline(*d)).and(a.state);
    AssignmentFig {
        targets,
        deadline,
        done_on: a.done_on,
    }
}

/// A task with its assignments' figures.
struct TaskView<'a> {
    task: &'a TaskCompliance,
    /// The report's place: unit names are printed without it.
    place: &'a str,
    row: Option<&'a TaskRow>,
    figs: Vec<AssignmentFig>,
    tally: Tally,
}

impl<'a> TaskView<'a> {
    fn copy(&self) -> TaskView<'a> {
        TaskView {
            task: self.task,
            place: self.place,
            row: self.row,
            figs: self.figs.clone(),
            tally: self.tally,
        }
    }

    fn targets(&self) -> &[kehoach_core::compliance::TargetReport] {
        self.task
            .assignments
            .first()
            .map(|a| a.targets.as_slice())
            .unwrap_or(&[])
    }

    fn title(&self) -> String {
        clean(&self.task.title)
    }

    fn has_deadline(&self) -> bool {
        self.figs.iter().any(|f| f.deadline.is_some())
    }

    /// Whether anything of the task belongs to the period.
    fn in_period(&self) -> bool {
        self.has_deadline()
            || self.figs.iter().any(|f| f.targets.iter().any(|t| t.judged))
            || self.task.due.is_none() && self.targets().is_empty()
    }

    /// The plan's own wording of the leads, else their names.
    fn leads(&self) -> String {
        let text = self
            .row
            .map(|r| cut_words(&r.lead_text, 20))
            .unwrap_or_default();
        if !text.is_empty() && self.task.assignments.len() > 1 {
            return text;
        }
        let names: Vec<String> = self
            .task
            .assignments
            .iter()
            .map(|a| local_name(&a.unit.name, self.place))
            .collect();
        if names.is_empty() {
            text
        } else {
            name_list(&names)
        }
    }

    /// Σ met ÷ Σ ended of one target over the assignments, and Σ achieved.
    fn target_sum(&self, k: usize) -> (Tally, f64) {
        let mut t = Tally::default();
        let mut achieved = 0.0;
        for f in &self.figs {
            if let Some(tf) = f.targets.get(k) {
                t += tf.tally;
                achieved += tf.achieved;
            }
        }
        (t, achieved)
    }
}

/// How a target of a task did: judged, met by all, met in some, not met at all, running.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Verdict {
    Met,
    Partly,
    NotMet,
    Running,
    Nothing,
}

fn verdict(view: &TaskView, k: usize) -> Verdict {
    let Some(target) = view.targets().get(k) else {
        return Verdict::Nothing;
    };
    let figs: Vec<&TargetFig> = view
        .figs
        .iter()
        .filter_map(|f| f.targets.get(k))
        .filter(|t| t.judged)
        .collect();
    if figs.is_empty() {
        return Verdict::Nothing;
    }
    if target.per.is_recurring() {
        let t: Tally = figs.iter().map(|f| f.tally).sum();
        if t.met == t.ended {
            Verdict::Met
        } else if t.met > 0 {
            Verdict::Partly
        } else {
            Verdict::NotMet
        }
    } else if figs.iter().all(|f| f.total_met) {
        Verdict::Met
    } else if figs.iter().any(|f| f.running) {
        Verdict::Running
    } else if figs.iter().any(|f| f.total_met || f.achieved > 0.0) {
        Verdict::Partly
    } else {
        Verdict::NotMet
    }
}

// ---------------------------------------------------------------------------------------------
// Areas: the plan's top-level parts.

/// The heading path of a task: its sections as the importer read them, else its ref's parts.
fn task_path(view: &TaskView, sections: &HashMap<String, String>) -> Vec<String> {
    let mut path: Vec<String> = sections
        .get(&view.task.reference)
        .map(|s| {
            s.split(" > ")
                .map(clean)
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    path.push(format!("{} {}", view.task.reference, view.title()));
    path
}

/// "2. Truyền thông trên …" → "Truyền thông trên …"; "II. NỘI DUNG" → "Nội dung".
fn heading_name(h: &str) -> String {
    let h = h.trim();
    let rest = h
        .split_once(' ')
        .filter(|(num, _)| {
            let n = num.trim_end_matches(['.', ')']);
            !n.is_empty()
                && n.chars()
                    .all(|c| c.is_ascii_digit() || "IVXLivxl.abcdefghđ".contains(c))
                && num.len() <= 8
        })
        .map_or(h, |(_, rest)| rest.trim());
    let rest = rest.trim_end_matches(['.', ':', ';']);
    if rest
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase)
    {
        upper_first(&rest.to_lowercase())
    } else {
        upper_first(rest)
    }
}

/// Most parts a report's results are grouped into.
const MAX_AREAS: usize = 6;

/// Groups tasks (by index) into the plan's parts, in plan order, each with its name: the
/// outermost headings, and the largest split into the headings under it while there are at most
/// [`MAX_AREAS`] parts (a plan whose tasks all sit under "II. NỘI DUNG" is
/// grouped by the parts under it). A task that is a part of its own is named by its title.
fn areas(views: &[TaskView], sections: &HashMap<String, String>) -> Vec<(String, Vec<usize>)> {
    let paths: Vec<Vec<String>> = views.iter().map(|v| task_path(v, sections)).collect();
    // (depth of the key, members)
    let split = |depth: usize, members: &[usize]| -> Vec<(usize, Vec<usize>)> {
        let mut out: Vec<(Vec<String>, Vec<usize>)> = Vec::new();
        for &i in members {
            let key = paths[i][..(depth + 1).min(paths[i].len())].to_vec();
            match out.iter_mut().find(|(k, _)| *k == key) {
                Some((_, m)) => m.push(i),
                None => out.push((key, vec![i])),
            }
        }
        out.into_iter().map(|(_, m)| (depth, m)).collect()
    };
    let mut groups = split(0, &(0..views.len()).collect::<Vec<_>>());
    let mut stuck = std::collections::HashSet::new();
    loop {
        let candidate = groups
            .iter()
            .enumerate()
            .filter(|(_, (d, m))| {
                !stuck.contains(&m[0])
                    && (m.len() >= 2 || groups.len() == 1)
                    && m.iter().any(|&i| paths[i].len() > d + 1)
            })
            .max_by_key(|(_, (_, m))| m.len())
            .map(|(i, _)| i);
        let Some(g) = candidate else { break };
        let (depth, members) = groups[g].clone();
        let parts = split(depth + 1, &members);
        let only = groups.len() == 1;
        if parts.len() == 1 && only {
            // Everything under one heading ("II. NỘI DUNG"): look under it.
            groups[g] = parts.into_iter().next().unwrap_or((depth, members));
        } else if parts.len() >= 2
            && (only || groups.len() - 1 + parts.len() <= MAX_AREAS)
            // Not into single tasks only: a part of the plan is worth a heading of its own.
            && (only || parts.len() < members.len())
        {
            groups.splice(g..=g, parts);
        } else {
            stuck.insert(members[0]);
        }
    }
    groups
        .into_iter()
        .map(|(depth, members)| {
            let first = &paths[members[0]];
            // One task: its own title says more than a heading like "Nội dung".
            let name = if members.len() == 1 {
                upper_first(&cut_words(&views[members[0]].task.title, 30))
            } else {
                heading_name(&first[depth.min(first.len() - 1)])
            };
            (name, members)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Units.

/// The group a unit is listed under in the per-unit appendix, in order.
fn unit_group(u: Option<&ReportUnitRow>) -> (u8, &'static str) {
    let Some(u) = u else {
        return (9, "Đơn vị khác");
    };
    let parent = u.parent_kind.as_deref().unwrap_or("");
    let category = u.category.as_deref().unwrap_or("");
    match (u.kind.as_str(), parent, category) {
        ("province" | "district" | "commune", _, _) => match u.kind.as_str() {
            "province" => (0, "Ủy ban nhân dân cấp tỉnh"),
            "district" => (5, "Ủy ban nhân dân cấp huyện"),
            _ => (7, "Ủy ban nhân dân cấp xã"),
        },
        (_, "province" | "", "department" | "other") => (1, "Sở, ban, ngành cấp tỉnh"),
        (_, "province" | "", "media") => (2, "Cơ quan báo chí, truyền thông cấp tỉnh"),
        (_, "province" | "", "party" | "mass_org") => {
            (3, "Cơ quan Đảng, Mặt trận Tổ quốc và các đoàn thể")
        }
        (_, "province" | "", "enterprise") => (4, "Doanh nghiệp"),
        (_, "district", "people_committee") => (5, "Ủy ban nhân dân cấp huyện"),
        (_, "district", _) => (6, "Cơ quan, đơn vị cấp huyện"),
        (_, "commune", "people_committee") => (7, "Ủy ban nhân dân cấp xã"),
        (_, "commune", "media") => (8, "Đài Truyền thanh cấp xã"),
        (_, "commune", _) => (8, "Cơ quan, đơn vị cấp xã"),
        _ => (9, "Đơn vị khác"),
    }
}

/// A unit's figures over every assignment it holds.
#[derive(Debug, Clone, Default)]
struct UnitFig {
    name: String,
    tasks: usize,
    tally: Tally,
}

fn rate_text(t: &Tally) -> String {
    vn::percent(t.reporting_rate())
}

// ---------------------------------------------------------------------------------------------
// The report.

/// Words the report of `compliance` (of `plan`, evaluated on `options.at`) over `options.period`.
pub fn build(
    plan: &PlanRow,
    compliance: &PlanCompliance,
    facts: ReportFacts,
    options: &ReportOptions,
) -> ReportContent {
    let period = &options.period;
    let label = period.label();
    let rows: HashMap<i64, &TaskRow> = facts.tasks.iter().map(|t| (t.id, t)).collect();
    let unit_rows: HashMap<&str, &ReportUnitRow> =
        facts.units.iter().map(|u| (u.code.as_str(), u)).collect();

    // A task without an assignment in the scope has nothing to report (a unit's report covers
    // only the tasks it leads).
    let views: Vec<TaskView> = compliance
        .tasks
        .iter()
        .filter(|t| !t.assignments.is_empty())
        .map(|task| {
            let figs: Vec<AssignmentFig> = task
                .assignments
                .iter()
                .map(|a| assignment_fig(a, task.due, period))
                .collect();
            let tally = figs.iter().map(AssignmentFig::tally).sum();
            TaskView {
                task,
                place: &options.place,
                row: rows.get(&task.task_id).copied(),
                figs,
                tally,
            }
        })
        .collect();
    let figures: Vec<TaskFigures> = views
        .iter()
        .map(|v| TaskFigures {
            task_id: v.task.task_id,
            tally: v.tally,
        })
        .collect();
    let in_period: Vec<usize> = (0..views.len()).filter(|&i| views[i].in_period()).collect();

    // Scorecard.
    let mut score = Scorecard::default();
    for &i in &in_period {
        let v = &views[i];
        for k in 0..v.targets().len() {
            match verdict(v, k) {
                Verdict::Met => score.met += 1,
                Verdict::Partly => score.partly += 1,
                Verdict::NotMet => score.not_met += 1,
                Verdict::Running => score.running += 1,
                Verdict::Nothing => continue,
            }
            if verdict(v, k) != Verdict::Running {
                score.targets += 1;
            }
        }
        if v.has_deadline() {
            score.deadline_tasks += 1;
            score.deadlines += v.tally.deadlines;
        }
    }

    // Channels: activity totals of the period.
    let first_noun: HashMap<i64, String> = views
        .iter()
        .filter_map(|v| {
            v.targets()
                .first()
                .map(|t| (v.task.task_id, t.unit.clone()))
        })
        .collect();
    let titles: HashMap<i64, String> = views
        .iter()
        .map(|v| (v.task.task_id, v.task.title.clone()))
        .collect();
    let mut channel_totals: BTreeMap<Channel, (f64, std::collections::BTreeSet<i64>)> =
        BTreeMap::new();
    let mut area_channels: HashMap<i64, BTreeMap<Channel, f64>> = HashMap::new();
    let mut attendance = 0i64;
    let mut activity_total = 0i64;
    for s in facts.sums {
        let Some(title) = titles.get(&s.task_id) else {
            continue;
        };
        let ch = classify(
            &s.kind,
            first_noun.get(&s.task_id).map(String::as_str),
            title,
        );
        let e = channel_totals.entry(ch).or_default();
        e.0 += s.quantity;
        e.1.insert(s.unit_id);
        *area_channels
            .entry(s.task_id)
            .or_default()
            .entry(ch)
            .or_default() += s.quantity;
        attendance += s.attendance;
        activity_total += s.activities;
    }
    let channels: Vec<(Channel, f64, usize)> = channel_totals
        .iter()
        .map(|(c, (q, units))| (*c, *q, units.len()))
        .collect();

    // Units' figures (every assignment they hold in the scope).
    let mut units: BTreeMap<String, UnitFig> = BTreeMap::new();
    for v in &views {
        for (a, f) in v.task.assignments.iter().zip(&v.figs) {
            let u = units.entry(a.unit.code.clone()).or_default();
            u.name = clean(&a.unit.name);
            u.tasks += 1;
            u.tally += f.tally();
        }
    }

    let parts = vec![
        direction_part(plan, facts, options, &views),
        results_part(
            &views,
            &in_period,
            facts.sections,
            &score,
            &channels,
            &area_channels,
            attendance,
            activity_total,
            units.len(),
            options,
        ),
        shortcomings_part(&views, &in_period, &label),
        outlook_part(plan, &views, &in_period, period),
    ];

    let number = options
        .number
        .map_or_else(|| "      ".to_string(), vn::doc_number);
    let code = if options.code.is_empty() {
        "BC".to_string()
    } else {
        format!("BC-{}", options.code)
    };
    let intro = {
        // "Kế hoạch số … về <subject>"; a plan cited by its title needs no "về".
        let about = if super::known_plan_number(plan.number.as_deref()).is_some() {
            format!(" về {}", lower_first(&plan_subject(plan)))
        } else {
            String::new()
        };
        let mut s = format!(
            "Thực hiện {}{about}, {} báo cáo kết quả thực hiện {label}",
            plan_citation(plan),
            options.issuer_prose
        );
        if let Some(scope) = &options.scope {
            s.push(' ');
            s.push_str(scope);
        }
        s.push_str(" như sau:");
        s
    };
    let plan_name = match super::known_plan_number(plan.number.as_deref()) {
        Some(n) => format!("Kế hoạch số {}", clean(n)),
        _ => format!("Kế hoạch {}", lower_first(&plan_subject(plan))),
    };
    // "… Kế hoạch truyền thông … năm 2024 của …": the period once, not twice.
    let period_words = if fold(&plan_name).contains(&fold(&label)) {
        String::new()
    } else {
        format!(" {label}")
    };
    let closing = format!(
        "Trên đây là báo cáo kết quả thực hiện {plan_name}{period_words} của {}./.",
        options.issuer_prose
    );

    let mut copies = vec!["Như trên".to_string()];
    copies.extend(options.copies.iter().cloned());
    copies.push(if options.code.is_empty() {
        "Lưu: VT".to_string()
    } else {
        format!("Lưu: VT, {}", options.code)
    });

    let attached = format!(
        "(Kèm theo Báo cáo số {}/{code} {} của {})",
        options
            .number
            .map_or_else(|| "…".to_string(), vn::doc_number),
        vn::long_date(options.dated),
        options.issuer_prose
    );
    let appendices = vec![
        task_appendix(
            &in_period.iter().map(|&i| &views[i]).collect::<Vec<_>>(),
            facts.sections,
            &attached,
        ),
        unit_appendix(&units, &unit_rows, &attached, &label, &options.place),
    ];

    ReportContent {
        parent_body: vn::capitals(&options.parent_body),
        issuing_body: vn::capitals(&options.issuing_body),
        number_line: format!("Số: {number}/{code}"),
        place_date: format!("{}, {}", options.place, vn::long_date(options.dated)),
        summary: summary_line(plan, period),
        recipients: punctuate(&options.recipients),
        intro,
        parts,
        closing,
        copies: punctuate_list(&copies),
        authority: options.authority.clone(),
        signer: options.signer.clone(),
        appendices,
        figures,
        scorecard: score,
        channels,
    }
}

/// I. Công tác lãnh đạo, chỉ đạo: the plan, the plans implementing it, documents recorded.
fn direction_part(
    plan: &PlanRow,
    facts: ReportFacts,
    options: &ReportOptions,
    views: &[TaskView],
) -> Part {
    let mut items = Vec::new();
    let issuer = plan
        .issuer
        .as_deref()
        .map(|s| expand_ubnd(&clean(s)))
        .filter(|s| !s.is_empty());
    let own_plan = issuer
        .as_deref()
        .is_some_and(|i| fold(i) == fold(&options.issuer_prose));
    let subject = lower_first(&plan_subject(plan));
    let mut cite = match super::known_plan_number(plan.number.as_deref()) {
        Some(n) => format!("Kế hoạch số {}", clean(n)),
        _ => format!("Kế hoạch {subject}"),
    };
    if let Some(d) = plan.issued_on {
        cite.push_str(&format!(" ngày {}", vn::short_date(d)));
    }
    let about = if super::known_plan_number(plan.number.as_deref()).is_some() {
        format!(" về {subject}")
    } else {
        String::new()
    };
    items.push(Item::Para(if own_plan || issuer.is_none() {
        format!(
            "{} đã ban hành {cite}{about}, phân công nhiệm vụ cụ thể cho các cơ quan, đơn vị, địa phương và theo dõi, đôn đốc việc thực hiện trong {}.",
            options.issuer_prose,
            options.period.label()
        )
    } else {
        format!(
            "Triển khai {cite} của {}{about}, {} đã quán triệt và tổ chức thực hiện các nhiệm vụ được giao trong {}.",
            issuer.clone().unwrap_or_default(),
            options.issuer_prose,
            options.period.label()
        )
    }));
    if !facts.child_plans.is_empty() {
        let named: Vec<String> = facts
            .child_plans
            .iter()
            .take(MAX_DOCUMENTS)
            .map(|c| {
                let mut s = match super::known_plan_number(c.number.as_deref()) {
                    Some(n) => format!("Kế hoạch số {}", clean(n)),
                    None => format!("Kế hoạch {}", lower_first(&short_title(&c.title))),
                };
                if let Some(d) = c.issued_on {
                    s.push_str(&format!(" ngày {}", vn::short_date(d)));
                }
                if let Some(i) = &c.issuer {
                    s.push_str(&format!(" của {}", clean(i)));
                }
                s
            })
            .collect();
        let more = facts.child_plans.len().saturating_sub(MAX_DOCUMENTS);
        let mut s = format!(
            "Trên cơ sở Kế hoạch, {} cơ quan, địa phương đã ban hành kế hoạch triển khai: {}",
            count(facts.child_plans.len()),
            named.join("; ")
        );
        if more > 0 {
            s.push_str(&format!(" và {} kế hoạch khác", count(more)));
        }
        s.push('.');
        items.push(Item::Para(s));
    }
    // Documents: completions of a task whose work is a plan or document.
    let doc_tasks: std::collections::HashSet<i64> = views
        .iter()
        .filter(|v| {
            classify(
                "",
                v.targets().first().map(|t| t.unit.as_str()),
                &v.task.title,
            ) == Channel::Document
        })
        .map(|v| v.task.task_id)
        .collect();
    let docs: Vec<&CompletionRow> = facts
        .completions
        .iter()
        .filter(|c| {
            doc_tasks.contains(&c.task_id)
                || super::channels::channel_of(&c.kind) == Some(Channel::Document)
        })
        .collect();
    if !docs.is_empty() {
        let named: Vec<String> = docs
            .iter()
            .take(MAX_DOCUMENTS)
            .map(|c| {
                format!(
                    "{} ({}, {})",
                    clean(&c.title),
                    clean(&c.unit_name),
                    vn::short_date(c.occurred_on)
                )
            })
            .collect();
        let mut s = format!(
            "Các cơ quan, đơn vị đã ban hành {} kế hoạch, văn bản triển khai, như: {}",
            count(docs.len()),
            named.join("; ")
        );
        if docs.len() > MAX_DOCUMENTS {
            s.push_str(&format!(
                " và {} văn bản khác",
                count(docs.len() - MAX_DOCUMENTS)
            ));
        }
        s.push('.');
        items.push(Item::Para(s));
    }
    items.push(Item::Para(
        "[Bổ sung các văn bản chỉ đạo, đôn đốc, hướng dẫn khác đã ban hành trong kỳ (số, ngày, trích yếu).]"
            .to_string(),
    ));
    Part {
        heading: "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO".into(),
        items,
    }
}

/// II. Kết quả thực hiện.
#[allow(clippy::too_many_arguments)]
fn results_part(
    views: &[TaskView],
    in_period: &[usize],
    sections: &HashMap<String, String>,
    score: &Scorecard,
    channels: &[(Channel, f64, usize)],
    area_channels: &HashMap<i64, BTreeMap<Channel, f64>>,
    attendance: i64,
    activity_total: i64,
    units_total: usize,
    options: &ReportOptions,
) -> Part {
    let label = options.period.label();
    let mut items = vec![Item::Heading("1. Kết quả chung".into())];
    // The scorecard.
    let as_of = if options.at > options.period.to {
        options.period.to
    } else {
        options.at
    };
    let assigned = match options.scope.as_deref() {
        None => format!(
            "Kế hoạch có {} nhiệm vụ, do {} cơ quan, đơn vị, địa phương chủ trì thực hiện.",
            count(views.len()),
            count(units_total)
        ),
        Some(area) if area.starts_with("trên địa bàn") => format!(
            "{}, Kế hoạch giao {} nhiệm vụ cho {} cơ quan, đơn vị, địa phương chủ trì thực hiện.",
            upper_first(area),
            count(views.len()),
            count(units_total)
        ),
        Some(_) => format!(
            "{} được giao chủ trì {} nhiệm vụ của Kế hoạch.",
            options.issuer_prose,
            count(views.len())
        ),
    };
    let mut s = format!("{assigned} Tính đến hết {}", vn::long_date(as_of));
    if score.targets == 0 && score.deadlines.total() == 0 {
        s.push_str(&format!(
            ", chưa có chỉ tiêu, nhiệm vụ nào đến kỳ đánh giá trong {label}."
        ));
    } else {
        s.push(':');
    }
    if score.targets > 0 {
        s.push_str(&format!(
            " trong {} chỉ tiêu đến kỳ đánh giá, có {}/{} chỉ tiêu đạt và vượt",
            count(score.targets),
            count(score.met),
            count(score.targets)
        ));
        if score.partly > 0 {
            s.push_str(&format!(
                ", {} chỉ tiêu đạt một phần (còn đơn vị hoặc kỳ chưa đạt)",
                count(score.partly)
            ));
        }
        if score.not_met > 0 {
            s.push_str(&format!(", {} chỉ tiêu chưa đạt", count(score.not_met)));
        }
        s.push('.');
    }
    if score.running > 0 {
        s.push_str(&format!(
            " {} chỉ tiêu tính cho cả thời gian thực hiện Kế hoạch đang tiếp tục thực hiện.",
            upper_first(&count(score.running))
        ));
    }
    let d = &score.deadlines;
    if d.total() > 0 {
        let mut states = Vec::new();
        for (n, what) in [
            (d.done_on_time, "hoàn thành đúng hạn"),
            (d.done_late, "hoàn thành nhưng quá hạn"),
            (d.not_done_overdue, "chưa hoàn thành, đã quá hạn"),
            (d.not_done_within_deadline, "chưa hoàn thành, còn trong hạn"),
        ] {
            if n > 0 {
                states.push(format!("{} lượt {what}", vn::number(n as f64, 0)));
            }
        }
        s.push_str(&format!(
            " {} nhiệm vụ có thời hạn trong {label} ({} lượt đơn vị thực hiện): {}.",
            upper_first(&count(score.deadline_tasks)),
            vn::number(d.total() as f64, 0),
            states.join(", ")
        ));
    }
    items.push(Item::Para(s));

    items.push(Item::Heading(
        "2. Kết quả theo loại hình truyền thông".into(),
    ));
    if channels.is_empty() {
        items.push(Item::Para(format!(
            "Trong {label}, chưa ghi nhận hoạt động truyền thông nào trên hệ thống."
        )));
    } else {
        let who = if units_total == 1 {
            "đơn vị"
        } else {
            "các cơ quan, đơn vị"
        };
        let mut s = format!(
            "Trong {label}, {who} đã cập nhật {} hoạt động truyền thông, gồm:",
            vn::number(activity_total as f64, 0)
        );
        if attendance > 0 {
            s = format!(
                "Trong {label}, {who} đã cập nhật {} hoạt động truyền thông với {} lượt người tham dự các lớp tập huấn, hội nghị, sự kiện; cụ thể:",
                vn::number(activity_total as f64, 0),
                vn::number(attendance as f64, 0)
            );
        }
        items.push(Item::Para(s));
        let rows = channels
            .iter()
            .enumerate()
            .map(|(i, (c, q, u))| vec![(i + 1).to_string(), c.vi().to_string(), qty(*q), count(*u)])
            .collect();
        items.push(Item::Table(
            vec![
                "TT".into(),
                "Loại hình".into(),
                "Số lượng".into(),
                "Số đơn vị thực hiện".into(),
            ],
            rows,
        ));
    }

    items.push(Item::Heading(
        "3. Kết quả thực hiện các nội dung của Kế hoạch".into(),
    ));
    let chosen: Vec<&TaskView> = in_period.iter().map(|&i| &views[i]).collect();
    let owned: Vec<TaskView> = chosen.iter().map(|v| v.copy()).collect();
    let letters = "abcdefghiklmnopqrstuvxy";
    for (n, (name, members)) in areas(&owned, sections).into_iter().enumerate() {
        let letter = letters.chars().nth(n).unwrap_or('z');
        items.push(Item::Heading(format!("{letter}) {name}")));
        items.push(Item::Para(area_text(
            &members.iter().map(|&i| &owned[i]).collect::<Vec<_>>(),
            area_channels,
        )));
    }
    if in_period.is_empty() {
        items.push(Item::Para(format!(
            "Trong {label}, không có nhiệm vụ nào đến kỳ đánh giá."
        )));
    }
    Part {
        heading: "II. KẾT QUẢ THỰC HIỆN".into(),
        items,
    }
}

/// The few sentences of one part of the plan: what was done, each task's result in a clause,
/// the units that did best and worst.
fn area_text(views: &[&TaskView], area_channels: &HashMap<i64, BTreeMap<Channel, f64>>) -> String {
    let mut sentences = Vec::new();
    // What was done, by channel.
    let mut done: BTreeMap<Channel, f64> = BTreeMap::new();
    for v in views {
        for (c, q) in area_channels.get(&v.task.task_id).into_iter().flatten() {
            *done.entry(*c).or_default() += q;
        }
    }
    if !done.is_empty() {
        let list: Vec<String> = done
            .iter()
            .map(|(c, q)| format!("{} {}", qty(*q), c.noun()))
            .collect();
        sentences.push(format!("Đã thực hiện {}.", list.join("; ")));
    }
    // Each task, in a clause; those with nothing recorded named together.
    let mut clauses = Vec::new();
    let mut nothing = Vec::new();
    for v in views {
        let mut results = Vec::new();
        for (k, t) in v.targets().iter().enumerate() {
            let (tally, achieved) = v.target_sum(k);
            if t.per.is_recurring() {
                if tally.ended > 0 {
                    results.push(format!(
                        "{}/{} kỳ đạt chỉ tiêu {} ({})",
                        vn::number(tally.met as f64, 0),
                        vn::number(tally.ended as f64, 0),
                        target_text(t.count, &t.unit, t.per),
                        rate_text(&tally)
                    ));
                }
            } else if v
                .figs
                .iter()
                .any(|f| f.targets.get(k).is_some_and(|x| x.judged))
            {
                let owed = t.count * v.figs.len() as f64;
                results.push(format!(
                    "lũy kế {}/{} {} ({})",
                    qty(achieved),
                    qty(owed),
                    clean(&t.unit),
                    vn::percent((owed > 0.0).then(|| achieved / owed))
                ));
            }
        }
        let d = v.tally.deadlines;
        if d.total() > 0 {
            let done = d.done_on_time + d.done_late;
            if v.figs.len() == 1 {
                let state = v.figs[0].deadline.map(deadline_vi).unwrap_or("");
                results.push(lower_first(state));
            } else {
                results.push(format!(
                    "{}/{} đơn vị hoàn thành ({} đúng hạn)",
                    vn::number(done as f64, 0),
                    vn::number(d.total() as f64, 0),
                    vn::number(d.done_on_time as f64, 0)
                ));
            }
        }
        if results.is_empty() && v.targets().is_empty() && v.task.due.is_none() {
            let done: Vec<String> = area_channels
                .get(&v.task.task_id)
                .into_iter()
                .flatten()
                .filter(|(_, q)| **q > 0.0)
                .map(|(c, q)| format!("{} {}", qty(*q), c.noun()))
                .collect();
            if done.is_empty() {
                nothing.push(format!("“{}”", short_title(&v.task.title)));
                continue;
            }
            results.push(format!("đã thực hiện {}", done.join(", ")));
        }
        if !results.is_empty() {
            clauses.push(format!(
                "“{}” ({}): {}",
                short_title(&v.task.title),
                v.leads_short(),
                results.join(", ")
            ));
        }
    }
    if !clauses.is_empty() {
        sentences.push(format!("Kết quả cụ thể: {}.", clauses.join("; ")));
    }
    match nothing.len() {
        0 => {}
        1 => sentences.push(format!(
            "Nhiệm vụ {} chưa được cập nhật kết quả trên hệ thống.",
            nothing[0]
        )),
        n if n <= 4 => sentences.push(format!(
            "Các nhiệm vụ {} chưa được cập nhật kết quả trên hệ thống.",
            nothing.join(", ")
        )),
        n if clauses.is_empty() => sentences.push(format!(
            "{} nhiệm vụ thuộc nội dung này chưa được cập nhật kết quả trên hệ thống (chi tiết tại Phụ lục 01).",
            upper_first(&count(n))
        )),
        n => sentences.push(format!(
            "{} nhiệm vụ khác chưa được cập nhật kết quả trên hệ thống (chi tiết tại Phụ lục 01).",
            upper_first(&count(n))
        )),
    }
    // Best and worst units over the area's recurring targets.
    let mut by_unit: BTreeMap<String, (String, Tally)> = BTreeMap::new();
    for v in views {
        for (a, f) in v.task.assignments.iter().zip(&v.figs) {
            let e = by_unit
                .entry(a.unit.code.clone())
                .or_insert_with(|| (local_name(&a.unit.name, v.place), Tally::default()));
            e.1 += f.targets.iter().map(|t| t.tally).sum::<Tally>();
        }
    }
    let mut ranked: Vec<(String, Tally)> =
        by_unit.into_values().filter(|(_, t)| t.ended > 0).collect();
    if ranked.len() >= 3 {
        ranked.sort_by(|a, b| {
            let ra = a.1.reporting_rate().unwrap_or(0.0);
            let rb = b.1.reporting_rate().unwrap_or(0.0);
            rb.total_cmp(&ra).then_with(|| a.0.cmp(&b.0))
        });
        let best: Vec<String> = ranked
            .iter()
            .filter(|(_, t)| t.met > 0)
            .take(MAX_NAMED)
            .map(|(n, t)| format!("{n} ({})", rate_text(t)))
            .collect();
        let zero: Vec<String> = ranked
            .iter()
            .filter(|(_, t)| t.met == 0)
            .map(|(n, _)| n.clone())
            .collect();
        if !best.is_empty() {
            sentences.push(format!("Tỷ lệ đạt cao nhất: {}.", best.join(", ")));
        }
        if zero.len() > MAX_NAMED {
            sentences.push(format!(
                "Còn {} đơn vị chưa đạt kỳ nào, như {}.",
                count(zero.len()),
                zero[..MAX_NAMED].join(", ")
            ));
        } else if !zero.is_empty() {
            sentences.push(format!("Chưa đạt kỳ nào: {}.", zero.join(", ")));
        } else {
            let worst: Vec<String> = ranked
                .iter()
                .rev()
                .take(MAX_NAMED)
                .filter(|(_, t)| t.met < t.ended)
                .map(|(n, t)| format!("{n} ({})", rate_text(t)))
                .collect();
            if !worst.is_empty() {
                sentences.push(format!("Tỷ lệ đạt thấp nhất: {}.", worst.join(", ")));
            }
        }
    }
    if sentences.is_empty() {
        "Chưa có kết quả đến kỳ đánh giá.".to_string()
    } else {
        sentences.join(" ")
    }
}

impl TaskView<'_> {
    /// The leads in a clause: the plan's wording, or one name, or "n đơn vị".
    fn leads_short(&self) -> String {
        let n = self.task.assignments.len();
        if n == 1 {
            return local_name(&self.task.assignments[0].unit.name, self.place);
        }
        let text = self.row.map(|r| clean(&r.lead_text)).unwrap_or_default();
        if !text.is_empty() && text.chars().count() <= 80 {
            format!("{text}; {} đơn vị", count(n))
        } else {
            format!("{} đơn vị", count(n))
        }
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

/// III. Tồn tại, hạn chế và nguyên nhân: per target not met and per deliverable overdue.
fn shortcomings_part(views: &[TaskView], in_period: &[usize], label: &str) -> Part {
    // (weight, line): the targets and deliverables with most shortfall first.
    let mut lines: Vec<(u64, String)> = Vec::new();
    for &i in in_period {
        let v = &views[i];
        for (k, t) in v.targets().iter().enumerate() {
            let verdict = verdict(v, k);
            if !matches!(verdict, Verdict::Partly | Verdict::NotMet) {
                continue;
            }
            let what = target_text(t.count, &t.unit, t.per);
            if t.per.is_recurring() {
                let mut short_units = 0usize;
                let mut none: Vec<String> = Vec::new();
                let mut missed = 0u64;
                let mut partial = 0u64;
                for (a, f) in v.task.assignments.iter().zip(&v.figs) {
                    let Some(tf) = f.targets.get(k) else { continue };
                    if tf.tally.ended > tf.tally.met {
                        short_units += 1;
                    }
                    if tf.tally.ended > 0 && tf.tally.met == 0 {
                        none.push(local_name(&a.unit.name, v.place));
                    }
                    missed += tf.tally.statuses.missed;
                    partial += tf.tally.statuses.partial;
                }
                let mut s = if v.figs.len() == 1 {
                    format!(
                        "- Chỉ tiêu {what} của nhiệm vụ “{}” ({}) chưa đạt ở {} kỳ",
                        short_title(&v.task.title),
                        v.leads_short(),
                        vn::number((missed + partial) as f64, 0)
                    )
                } else {
                    format!(
                        "- Chỉ tiêu {what} của nhiệm vụ “{}”: {}/{} đơn vị chưa đạt đủ các kỳ",
                        short_title(&v.task.title),
                        count(short_units),
                        count(v.figs.len())
                    )
                };
                let mut kinds = Vec::new();
                if missed > 0 {
                    kinds.push(format!(
                        "{} kỳ không thực hiện",
                        vn::number(missed as f64, 0)
                    ));
                }
                if partial > 0 {
                    kinds.push(format!(
                        "{} kỳ thực hiện chưa đủ",
                        vn::number(partial as f64, 0)
                    ));
                }
                s.push_str(&format!(" ({})", kinds.join(", ")));
                if v.figs.len() > 1 && !none.is_empty() {
                    if none.len() <= MAX_NAMED {
                        s.push_str(&format!("; chưa thực hiện kỳ nào: {}", name_list(&none)));
                    } else {
                        s.push_str(&format!(
                            "; {} đơn vị chưa thực hiện kỳ nào (như {})",
                            count(none.len()),
                            none[..MAX_NAMED].join(", ")
                        ));
                    }
                }
                s.push(';');
                lines.push((missed + partial, s));
            } else {
                let (_, achieved) = v.target_sum(k);
                let owed = t.count * v.figs.len() as f64;
                lines.push((
                    1,
                    format!(
                        "- Chỉ tiêu {what} của nhiệm vụ “{}” mới đạt {}/{} {} ({});",
                        short_title(&v.task.title),
                        qty(achieved),
                        qty(owed),
                        clean(&t.unit),
                        vn::percent((owed > 0.0).then(|| achieved / owed))
                    ),
                ));
            }
        }
        let d = v.tally.deadlines;
        if d.not_done_overdue > 0 || d.done_late > 0 {
            let late_units: Vec<String> = v
                .task
                .assignments
                .iter()
                .zip(&v.figs)
                .filter(|(_, f)| f.deadline == Some(DeadlineState::NotDoneOverdue))
                .map(|(a, _)| local_name(&a.unit.name, v.place))
                .collect();
            let due = v.task.due.map(vn::short_date).unwrap_or_default();
            let mut s = if v.figs.len() == 1 {
                match v.figs[0].deadline {
                    Some(DeadlineState::DoneLate) => format!(
                        "- Nhiệm vụ “{}” (hạn {due}) hoàn thành chậm{};",
                        short_title(&v.task.title),
                        v.figs[0]
                            .done_on
                            .map(|d| format!(", ngày {}", vn::short_date(d)))
                            .unwrap_or_default()
                    ),
                    _ => format!(
                        "- Nhiệm vụ “{}” (hạn {due}) chưa hoàn thành, đã quá hạn;",
                        short_title(&v.task.title)
                    ),
                }
            } else {
                let mut s = format!(
                    "- Nhiệm vụ “{}” (hạn {due}): {}/{} đơn vị chưa hoàn thành",
                    short_title(&v.task.title),
                    vn::number(d.not_done_overdue as f64, 0),
                    vn::number(d.total() as f64, 0)
                );
                if !late_units.is_empty() && late_units.len() <= MAX_NAMED {
                    s.push_str(&format!(" ({})", name_list(&late_units)));
                }
                if d.done_late > 0 {
                    s.push_str(&format!(
                        ", {} đơn vị hoàn thành quá hạn",
                        vn::number(d.done_late as f64, 0)
                    ));
                }
                s.push(';');
                s
            };
            if s.ends_with(";;") {
                s.pop();
            }
            lines.push((d.not_done_overdue * 10 + d.done_late, s));
        }
    }
    let mut items = vec![Item::Heading("1. Tồn tại, hạn chế".into())];
    if lines.is_empty() {
        items.push(Item::Para(format!(
            "Các chỉ tiêu đến kỳ đánh giá trong {label} đều đạt; không có nhiệm vụ quá hạn chưa hoàn thành."
        )));
    } else {
        lines.sort_by_key(|l| std::cmp::Reverse(l.0));
        let total = lines.len();
        items.push(Item::Para(format!(
            "Bên cạnh kết quả đạt được, việc thực hiện Kế hoạch trong {label} còn một số tồn tại, hạn chế:"
        )));
        for (_, l) in lines.iter().take(MAX_SHORTCOMINGS) {
            items.push(Item::Para(l.clone()));
        }
        if total > MAX_SHORTCOMINGS {
            items.push(Item::Para(format!(
                "- {} chỉ tiêu, nhiệm vụ khác chưa đạt (chi tiết tại Phụ lục 01).",
                upper_first(&count(total - MAX_SHORTCOMINGS))
            )));
        } else if let Some(Item::Para(last)) = items.last_mut()
            && last.ends_with(';')
        {
            last.pop();
            last.push('.');
        }
    }
    items.push(Item::Heading("2. Nguyên nhân".into()));
    items.push(Item::Para(
        "[Đơn vị soạn thảo nêu nguyên nhân khách quan, chủ quan của các tồn tại, hạn chế nêu trên.]"
            .into(),
    ));
    items.push(Item::Heading("3. Bài học kinh nghiệm".into()));
    items.push(Item::Para(
        "[Đơn vị soạn thảo bổ sung bài học kinh nghiệm rút ra trong quá trình thực hiện (nếu có).]"
            .into(),
    ));
    Part {
        heading: "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN".into(),
        items,
    }
}

/// IV. Phương hướng, nhiệm vụ và đề xuất: what carries into the next period.
fn outlook_part(
    plan: &PlanRow,
    views: &[TaskView],
    in_period: &[usize],
    period: &ReportPeriod,
) -> Part {
    let next = period.next_label();
    let mut items = vec![Item::Heading(format!("1. Phương hướng, nhiệm vụ {next}"))];
    let continues = plan.period_to.is_none_or(|to| to > period.to);
    let unmet: Vec<String> = in_period
        .iter()
        .map(|&i| &views[i])
        .filter(|v| {
            (0..v.targets().len())
                .any(|k| matches!(verdict(v, k), Verdict::Partly | Verdict::NotMet))
                && v.targets().iter().any(|t| t.per.is_recurring())
        })
        .map(|v| format!("“{}”", short_title(&v.task.title)))
        .collect();
    let undone: Vec<String> = in_period
        .iter()
        .map(|&i| &views[i])
        .filter(|v| v.tally.deadlines.not_done_overdue > 0)
        .map(|v| {
            let n = v.tally.deadlines.not_done_overdue;
            if v.figs.len() == 1 {
                format!("“{}”", short_title(&v.task.title))
            } else {
                format!(
                    "“{}” ({} đơn vị)",
                    short_title(&v.task.title),
                    vn::number(n as f64, 0)
                )
            }
        })
        .collect();
    if continues {
        items.push(Item::Para(format!(
            "- Tiếp tục triển khai các nhiệm vụ của Kế hoạch trong {next}, bảo đảm đúng tiến độ và chỉ tiêu được giao."
        )));
    } else {
        items.push(Item::Para(
            "- Tổng kết, đánh giá việc thực hiện Kế hoạch; xây dựng kế hoạch truyền thông giai đoạn tiếp theo, kế thừa các nhiệm vụ còn dang dở.".to_string(),
        ));
    }
    if !unmet.is_empty() {
        let shown: Vec<String> = unmet.iter().take(MAX_NAMED).cloned().collect();
        let more = unmet.len().saturating_sub(MAX_NAMED);
        items.push(Item::Para(format!(
            "- Đôn đốc các đơn vị chưa đạt đủ chỉ tiêu định kỳ, tập trung vào các nhiệm vụ {}{}.",
            shown.join(", "),
            if more > 0 {
                format!(" và {} nhiệm vụ khác", count(more))
            } else {
                String::new()
            }
        )));
    }
    if !undone.is_empty() {
        let shown: Vec<String> = undone.iter().take(MAX_NAMED).cloned().collect();
        let more = undone.len().saturating_sub(MAX_NAMED);
        items.push(Item::Para(format!(
            "- Hoàn thành dứt điểm các nhiệm vụ đã quá hạn: {}{}.",
            shown.join("; "),
            if more > 0 {
                format!(" và {} nhiệm vụ khác", count(more))
            } else {
                String::new()
            }
        )));
    }
    items.push(Item::Para(format!(
        "[Đơn vị soạn thảo bổ sung nhiệm vụ trọng tâm {next}.]"
    )));
    items.push(Item::Heading("2. Đề xuất, kiến nghị".into()));
    items.push(Item::Para(
        "[Đơn vị soạn thảo bổ sung đề xuất, kiến nghị với cấp trên (nếu có).]".into(),
    ));
    Part {
        heading: "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ VÀ ĐỀ XUẤT".into(),
        items,
    }
}

/// Phụ lục 01: one row per task, grouped by part of the plan (landscape).
fn task_appendix(
    views: &[&TaskView],
    sections: &HashMap<String, String>,
    attached: &str,
) -> Appendix {
    let mut rows = Vec::new();
    let mut n = 0;
    let owned: Vec<TaskView> = views.iter().map(|v| v.copy()).collect();
    for (name, members) in areas(&owned, sections) {
        rows.push(Row::Group(name));
        for i in members {
            let v = &owned[i];
            n += 1;
            let mut target: Vec<String> = v
                .targets()
                .iter()
                .map(|t| target_text(t.count, &t.unit, t.per))
                .collect();
            if let Some(due) = v.task.due {
                target.push(format!("Hạn {}", vn::short_date(due)));
            }
            let mut result = Vec::new();
            for (k, t) in v.targets().iter().enumerate() {
                let (tally, achieved) = v.target_sum(k);
                if t.per.is_recurring() {
                    if tally.ended > 0 {
                        result.push(format!(
                            "{}/{} kỳ đạt; {} {}",
                            vn::number(tally.met as f64, 0),
                            vn::number(tally.ended as f64, 0),
                            qty(achieved),
                            clean(&t.unit)
                        ));
                    }
                } else {
                    result.push(format!("Lũy kế {} {}", qty(achieved), clean(&t.unit)));
                }
            }
            let d = v.tally.deadlines;
            if d.total() > 0 {
                result.push(format!(
                    "{}/{} đơn vị hoàn thành ({} đúng hạn)",
                    vn::number((d.done_on_time + d.done_late) as f64, 0),
                    vn::number(d.total() as f64, 0),
                    vn::number(d.done_on_time as f64, 0)
                ));
            } else if v.task.due.is_some() {
                result.push("Thời hạn ngoài kỳ báo cáo".into());
            }
            if result.is_empty() {
                result.push("Chưa cập nhật kết quả".into());
            }
            let rate = if v.tally.ended > 0 {
                rate_text(&v.tally)
            } else if d.total() > 0 {
                vn::percent(Some(
                    (d.done_on_time + d.done_late) as f64 / d.total() as f64,
                ))
            } else {
                "—".into()
            };
            let leads = v.leads();
            rows.push(Row::Cells(vec![
                n.to_string(),
                format!("{} {}", v.task.reference, cut_words(&v.task.title, 30))
                    .trim()
                    .to_string(),
                if v.task.assignments.len() > 1 {
                    format!("{leads} ({} đơn vị)", count(v.task.assignments.len()))
                } else {
                    leads
                },
                target.join("; "),
                result.join("; "),
                rate,
            ]));
        }
    }
    Appendix {
        title: "Phụ lục 01".into(),
        name: "KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH".into(),
        attached: attached.to_string(),
        landscape: true,
        widths_mm: vec![10.0, 78.0, 50.0, 42.0, 52.0, 20.0],
        centre_from: 5,
        header: [
            "TT",
            "Nhiệm vụ",
            "Đơn vị chủ trì",
            "Chỉ tiêu, thời hạn",
            "Kết quả",
            "Tỷ lệ đạt",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// Phụ lục 02: one row per unit with its rates, grouped by kind of unit.
fn unit_appendix(
    units: &BTreeMap<String, UnitFig>,
    rows_by_code: &HashMap<&str, &ReportUnitRow>,
    attached: &str,
    label: &str,
    place: &str,
) -> Appendix {
    let mut groups: BTreeMap<(u8, &'static str), Vec<&UnitFig>> = BTreeMap::new();
    for (code, u) in units {
        groups
            .entry(unit_group(rows_by_code.get(code.as_str()).copied()))
            .or_default()
            .push(u);
    }
    let mut rows = Vec::new();
    let mut n = 0;
    for ((_, name), mut members) in groups {
        members.sort_by_key(|u| fold(&u.name));
        let judged = |u: &&UnitFig| u.tally.ended > 0 || u.tally.deadlines.total() > 0;
        if !members.iter().any(judged) {
            // A group with nothing to rate is one line, not hundreds of empty rows.
            rows.push(Row::Group(format!(
                "{name} ({} đơn vị): chưa có chỉ tiêu, thời hạn đến kỳ đánh giá",
                count(members.len())
            )));
            continue;
        }
        rows.push(Row::Group(format!(
            "{name} ({} đơn vị)",
            count(members.len())
        )));
        for u in members {
            n += 1;
            let d = u.tally.deadlines;
            rows.push(Row::Cells(vec![
                n.to_string(),
                local_name(&u.name, place),
                count(u.tasks),
                if u.tally.ended > 0 {
                    format!(
                        "{}/{}",
                        vn::number(u.tally.met as f64, 0),
                        vn::number(u.tally.ended as f64, 0)
                    )
                } else {
                    "—".into()
                },
                rate_text(&u.tally),
                vn::percent(u.tally.on_time_rate()),
                if d.total() > 0 {
                    format!(
                        "{}/{}",
                        vn::number((d.done_on_time + d.done_late) as f64, 0),
                        vn::number(d.total() as f64, 0)
                    )
                } else {
                    "—".into()
                },
            ]));
        }
    }
    Appendix {
        title: "Phụ lục 02".into(),
        name: format!("KẾT QUẢ THỰC HIỆN THEO ĐƠN VỊ {}", vn::capitals(label)),
        attached: attached.to_string(),
        landscape: false,
        widths_mm: vec![9.0, 63.0, 17.0, 22.0, 17.0, 17.0, 20.0],
        centre_from: 2,
        header: [
            "TT",
            "Đơn vị",
            "Số nhiệm vụ",
            "Kỳ đạt / kỳ đến hạn",
            "Tỷ lệ đạt",
            "Tỷ lệ đúng hạn",
            "Hoàn thành / có thời hạn",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

/// A four-digit year (the workbooks' and the evidence pack's `--period`).
/// What [`parse_year`] reads, as the OpenAPI document states it.
pub const YEAR_PATTERN: &str = "^\\s*(20[0-9]{2}|2100)\\s*$";

/// The schema of a year parameter ([`YEAR_PATTERN`]).
pub fn year_schema() -> utoipa::openapi::schema::Object {
    utoipa::openapi::schema::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .pattern(Some(YEAR_PATTERN))
        .build()
}

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
