//! The budget cycle of a plan (issue 21), over the store: what each unit estimated, what the plan
//! office proposes, what finance appraised, what was approved and spent, per unit and task
//! ([`status`]); the one validation of a budget line or spending from outside ([`LineInput`],
//! [`SpendingInput`]); the workbook (`xlsx.rs`) and the Tờ trình to finance (`to_trinh.rs`).
//!
//! The money arithmetic and the rules of states are pure, in `kehoach_core::budget`.

pub mod import;
pub mod report;
pub mod to_trinh;
pub mod xlsx;

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike, NaiveDate};
use kehoach_core::budget::{Dong, MoneyError, Source, parse_dong, parse_quantity};
use kehoach_core::compliance::deadline_state;
use serde::Serialize;

use crate::store::{
    AllocationRow, BudgetLineRow, NewBudgetLine, PlanRow, SpendingRow, Store, StoreError,
};

/// Longest text of a line's fields (content, basis, note) and of a measure.
pub const MAX_TEXT: usize = 1000;
pub const MAX_MEASURE: usize = 50;

/// One stage's figures, whole đồng.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Figures {
    /// The unit's estimate (its current version).
    pub estimated: i64,
    /// The plan office's proposal (submitted lines, adjusted or not).
    pub proposed: i64,
    /// Finance's appraisal (appraised lines).
    pub appraised: i64,
    /// The allocation recorded with the approval.
    pub approved: i64,
    pub spent: i64,
}

impl Figures {
    fn add(&mut self, o: &Figures) -> Result<(), MoneyError> {
        let add = |a: i64, b: i64| -> Result<i64, MoneyError> {
            Ok(Dong::new(a)?.checked_add(Dong::new(b)?)?.get())
        };
        self.estimated = add(self.estimated, o.estimated)?;
        self.proposed = add(self.proposed, o.proposed)?;
        self.appraised = add(self.appraised, o.appraised)?;
        self.approved = add(self.approved, o.approved)?;
        self.spent = add(self.spent, o.spent)?;
        Ok(())
    }

    /// What is left of the allocation (negative: overspent).
    pub fn left(&self) -> i64 {
        self.approved - self.spent
    }
}

/// A unit's figures for one of its tasks.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitTask {
    pub assignment_id: i64,
    pub task_id: i64,
    pub task_ref: String,
    pub task_title: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A lead unit's estimate and figures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UnitStatus {
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    /// The current version (`None`: nothing drafted).
    pub version: Option<i64>,
    /// none, draft, submitted or returned.
    pub state: String,
    /// The submission deliverable's state on the day: done_on_time, done_late,
    /// not_done_within_deadline, not_done_overdue.
    pub deadline_state: String,
    pub submitted_on: Option<NaiveDate>,
    /// Why the last returned version was returned.
    pub return_reason: Option<String>,
    /// none, submitted, accepted_by_office, accepted_by_finance, accepted (both).
    pub settlement: String,
    pub tasks: Vec<UnitTask>,
    pub total: Figures,
}

impl UnitStatus {
    /// Nothing to show yet: no estimate drafted, no figure at any stage, no settlement.
    pub fn not_started(&self) -> bool {
        self.version.is_none() && self.total == Figures::default() && self.settlement == "none"
    }
}

/// A task's figures over its units.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskTotal {
    pub task_id: i64,
    pub task_ref: String,
    pub task_title: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// A plan's budget as of a day, limited to some units or whole.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BudgetStatus {
    pub plan_id: i64,
    /// estimating, sent or approved.
    pub stage: String,
    /// The date the units' estimates are due.
    pub deadline: NaiveDate,
    pub decision_number: Option<String>,
    pub decision_date: Option<NaiveDate>,
    pub units: Vec<UnitStatus>,
    pub tasks: Vec<TaskTotal>,
    pub total: Figures,
}

/// The estimates' due date: the plan's own when set, else the end of February of the plan's
/// first year (the plans ask for estimates "trong tháng 02").
pub fn deadline(plan: &PlanRow, stored: Option<NaiveDate>) -> NaiveDate {
    deadline_from(plan.period_from.or(plan.issued_on), stored)
}

fn deadline_from(start: Option<NaiveDate>, stored: Option<NaiveDate>) -> NaiveDate {
    if let Some(d) = stored {
        return d;
    }
    let year = start.map(|d| d.year()).unwrap_or(2024);
    NaiveDate::from_ymd_opt(year, 3, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
}

fn money(e: MoneyError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// The figures of a plan's budget, per unit and task, for the units in `only` (`None`: all).
pub async fn status(
    store: &Store,
    plan: &PlanRow,
    only: Option<&HashSet<i64>>,
    today: NaiveDate,
) -> Result<BudgetStatus, StoreError> {
    let cycle = store.budget_cycle(plan.id).await?;
    let keep = |unit: i64| only.is_none_or(|set| set.contains(&unit));
    let tasks = store.tasks_of_plan(plan.id).await?;
    let task_of: BTreeMap<i64, &crate::store::TaskRow> = tasks.iter().map(|t| (t.id, t)).collect();
    let assignments = store.assignments_of_plan(plan.id).await?;
    let estimates = store.budget_estimates(plan.id).await?;
    let lines = store.budget_lines(plan.id, true).await?;
    let allocations = store.budget_allocations(plan.id).await?;
    let spending = store.budget_spending(plan.id).await?;
    let settlements = store.budget_settlements(plan.id).await?;
    let due = deadline(plan, cycle.deadline);

    // Figures per assignment.
    let mut per_assignment: BTreeMap<i64, Figures> = BTreeMap::new();
    for l in lines.iter().filter(|l| keep(l.unit_id)) {
        let f = per_assignment.entry(l.assignment_id).or_default();
        let mut add = Figures {
            estimated: l.amount,
            ..Figures::default()
        };
        if l.state == "submitted" {
            add.proposed = l.proposed();
            add.appraised = l.appraised_amount.unwrap_or(0);
        }
        f.add(&add).map_err(money)?;
    }
    for a in allocations.iter().filter(|a| keep(a.unit_id)) {
        let f = per_assignment.entry(a.assignment_id).or_default();
        f.add(&Figures {
            approved: a.amount,
            ..Figures::default()
        })
        .map_err(money)?;
    }
    for s in spending.iter().filter(|s| keep(s.unit_id)) {
        let f = per_assignment.entry(s.assignment_id).or_default();
        f.add(&Figures {
            spent: s.amount,
            ..Figures::default()
        })
        .map_err(money)?;
    }

    // Units: every lead unit of the plan, in name order.
    let mut units: BTreeMap<i64, UnitStatus> = BTreeMap::new();
    let mut task_totals: BTreeMap<i64, Figures> = BTreeMap::new();
    for a in assignments.iter().filter(|a| keep(a.unit_id)) {
        let unit = units.entry(a.unit_id).or_insert_with(|| UnitStatus {
            unit_id: a.unit_id,
            unit_code: a.unit_code.clone(),
            unit_name: a.unit_name.clone(),
            version: None,
            state: "none".into(),
            deadline_state: deadline_state(due, None, today).as_str().into(),
            submitted_on: None,
            return_reason: None,
            settlement: "none".into(),
            tasks: Vec::new(),
            total: Figures::default(),
        });
        let Some(f) = per_assignment.get(&a.id) else {
            continue;
        };
        let task = task_of.get(&a.task_id);
        unit.tasks.push(UnitTask {
            assignment_id: a.id,
            task_id: a.task_id,
            task_ref: task.map(|t| t.reference.clone()).unwrap_or_default(),
            task_title: task.map(|t| t.title.clone()).unwrap_or_default(),
            figures: *f,
        });
        unit.total.add(f).map_err(money)?;
        task_totals
            .entry(a.task_id)
            .or_default()
            .add(f)
            .map_err(money)?;
    }
    for e in &estimates {
        if let Some(unit) = units.get_mut(&e.unit_id) {
            // Estimates come in version order: the last one seen is the current one.
            unit.version = Some(e.version);
            unit.state = e.state.clone();
            if e.return_reason.is_some() {
                unit.return_reason = e.return_reason.clone();
            }
            let submitted = (e.state == "submitted")
                .then_some(e.submitted_at)
                .flatten()
                .map(kehoach_core::period::today_in_vietnam);
            unit.submitted_on = submitted;
            unit.deadline_state = deadline_state(due, submitted, today).as_str().into();
        }
    }
    for s in &settlements {
        if let Some(unit) = units.get_mut(&s.unit_id) {
            unit.settlement = match (s.office_accepted_at, s.finance_accepted_at) {
                (Some(_), Some(_)) => "accepted",
                (Some(_), None) => "accepted_by_office",
                (None, Some(_)) => "accepted_by_finance",
                (None, None) => "submitted",
            }
            .into();
        }
    }
    let mut total = Figures::default();
    let tasks_out: Vec<TaskTotal> = tasks
        .iter()
        .filter_map(|t| {
            task_totals.get(&t.id).map(|f| TaskTotal {
                task_id: t.id,
                task_ref: t.reference.clone(),
                task_title: t.title.clone(),
                figures: *f,
            })
        })
        .collect();
    for t in &tasks_out {
        total.add(&t.figures).map_err(money)?;
    }
    let mut units: Vec<UnitStatus> = units.into_values().collect();
    units.sort_by(|a, b| a.unit_name.cmp(&b.unit_name));
    Ok(BudgetStatus {
        plan_id: plan.id,
        stage: cycle.stage,
        deadline: due,
        decision_number: cycle.decision_number,
        decision_date: cycle.decision_date,
        units,
        tasks: tasks_out,
        total,
    })
}

/// Only the lines, allocations and spending of the units in `only`.
pub fn restrict(
    only: Option<&HashSet<i64>>,
    lines: &mut Vec<BudgetLineRow>,
    allocations: &mut Vec<AllocationRow>,
    spending: &mut Vec<SpendingRow>,
) {
    if let Some(set) = only {
        lines.retain(|l| set.contains(&l.unit_id));
        allocations.retain(|a| set.contains(&a.unit_id));
        spending.retain(|s| set.contains(&s.unit_id));
    }
}

/// A problem with one field of a line or spending, in Vietnamese, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the form and the API ("price", "quantity", …).
    pub field: &'static str,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// All the errors as one line.
pub fn describe(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn text_field(
    errors: &mut Vec<FieldError>,
    field: &'static str,
    label: &str,
    value: &str,
    required: bool,
    max: usize,
) -> String {
    let v = kehoach_core::text::nfc(value);
    if required && v.is_empty() {
        errors.push(FieldError {
            field,
            message: format!("chưa nhập {label}"),
        });
    } else if v.chars().count() > max {
        errors.push(FieldError {
            field,
            message: format!("{label} dài quá {max} ký tự"),
        });
    }
    v
}

/// A budget line as typed (the command line, a form, a JSON body, a sheet's row).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct LineInput {
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub measure: String,
    /// A whole number, e.g. "3" or "1.000".
    #[serde(default)]
    pub quantity: String,
    /// Whole đồng, e.g. "1.500.000" (no commas, no "triệu").
    #[serde(default)]
    pub price: String,
    /// tinh, huyen, xa or khac.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub note: String,
}

impl LineInput {
    /// The line, or every field's problem.
    pub fn parse(&self, assignment_id: i64) -> Result<NewBudgetLine, Vec<FieldError>> {
        let mut errors = Vec::new();
        let content = text_field(
            &mut errors,
            "content",
            "nội dung chi",
            &self.content,
            true,
            MAX_TEXT,
        );
        let measure = text_field(
            &mut errors,
            "measure",
            "đơn vị tính",
            &self.measure,
            true,
            MAX_MEASURE,
        );
        let basis = text_field(&mut errors, "basis", "căn cứ", &self.basis, false, MAX_TEXT);
        let note = text_field(&mut errors, "note", "ghi chú", &self.note, false, MAX_TEXT);
        let quantity = parse_quantity(&self.quantity)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "quantity",
                    message: format!("số lượng: {e}"),
                })
            })
            .ok();
        let price = parse_dong(&self.price)
            .map_err(|e| {
                errors.push(FieldError {
                    field: "price",
                    message: format!("đơn giá: {e}"),
                })
            })
            .ok();
        let source = Source::parse(&self.source);
        if source.is_none() {
            errors.push(FieldError {
                field: "source",
                message: "nguồn kinh phí: một trong tinh, huyen, xa, khac".into(),
            });
        }
        if let (Some(q), Some(p)) = (quantity, price)
            && let Err(e) = Dong::line_amount(q, p)
        {
            errors.push(FieldError {
                field: "price",
                message: format!("thành tiền (số lượng × đơn giá): {e}"),
            });
        }
        match (quantity, price, source) {
            (Some(quantity), Some(unit_price), Some(source)) if errors.is_empty() => {
                Ok(NewBudgetLine {
                    assignment_id,
                    content,
                    measure,
                    quantity,
                    unit_price,
                    source,
                    basis,
                    note,
                })
            }
            _ => Err(errors),
        }
    }
}

/// An amount of money typed in a field named `field`.
pub fn amount_field(field: &'static str, value: &str) -> Result<Dong, FieldError> {
    parse_dong(value).map_err(|e| FieldError {
        field,
        message: e.to_string(),
    })
}

/// A day typed as YYYY-MM-DD or dd/mm/yyyy, within 2000–2100.
pub fn date_field(field: &'static str, value: &str) -> Result<NaiveDate, FieldError> {
    let v = value.trim();
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(v, "%d/%m/%Y"))
        .ok()
        .filter(|d| (2000..=2100).contains(&d.year()))
        .ok_or_else(|| FieldError {
            field,
            message: format!("ngày \"{v}\" không hợp lệ: viết YYYY-MM-DD hoặc dd/mm/yyyy"),
        })
}

/// Spending as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SpendingInput {
    /// YYYY-MM-DD or dd/mm/yyyy.
    #[serde(default)]
    pub date: String,
    /// Whole đồng.
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub voucher: String,
}

/// Spending's checked fields.
#[derive(Debug, Clone)]
pub struct SpendingFields {
    pub spent_on: NaiveDate,
    pub amount: Dong,
    pub content: String,
    pub voucher: String,
}

impl SpendingInput {
    pub fn parse(&self, today: NaiveDate) -> Result<SpendingFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let spent_on = date_field("date", &self.date)
            .map_err(|e| errors.push(e))
            .ok();
        if spent_on.is_some_and(|d| d > today) {
            errors.push(FieldError {
                field: "date",
                message: "ngày chi không được sau hôm nay".into(),
            });
        }
        let amount = amount_field("amount", &self.amount)
            .map_err(|e| errors.push(e))
            .ok();
        if amount.is_some_and(|a| a.get() == 0) {
            errors.push(FieldError {
                field: "amount",
                message: "số tiền chi phải lớn hơn 0".into(),
            });
        }
        let content = text_field(
            &mut errors,
            "content",
            "nội dung chi",
            &self.content,
            true,
            MAX_TEXT,
        );
        let voucher = text_field(
            &mut errors,
            "voucher",
            "số chứng từ",
            &self.voucher,
            false,
            100,
        );
        match (spent_on, amount) {
            (Some(spent_on), Some(amount)) if errors.is_empty() => Ok(SpendingFields {
                spent_on,
                amount,
                content,
                voucher,
            }),
            _ => Err(errors),
        }
    }
}

/// The plan as a sheet's or page's subtitle names it: "Kế hoạch số 3604/KH-UBND: …".
pub fn plan_title(plan: &PlanRow) -> String {
    match &plan.number {
        Some(n) if !n.is_empty() => format!("Kế hoạch số {n}: {}", plan.title),
        _ => plan.title.clone(),
    }
}

/// "1.234.567 đ" of a stored amount (stored amounts are never negative; a negative "left" is
/// printed with its sign).
pub fn fmt(amount: i64) -> String {
    format!("{} đ", kehoach_core::budget::group_thousands(amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_every_bad_field() {
        let input = LineInput {
            content: " ".into(),
            measure: "Buổi".into(),
            quantity: "0".into(),
            price: "1,5 triệu".into(),
            source: "trung-uong".into(),
            ..LineInput::default()
        };
        let errors = input.parse(1).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["content", "quantity", "price", "source"]);
    }

    #[test]
    fn a_good_line() {
        let input = LineInput {
            content: "Tổ chức hội nghị".into(),
            measure: "Buổi".into(),
            quantity: "2".into(),
            price: "15.000.000".into(),
            source: "tinh".into(),
            basis: "Thông tư 40/2017/TT-BTC".into(),
            ..LineInput::default()
        };
        let line = input.parse(7).unwrap();
        assert_eq!(line.quantity, 2);
        assert_eq!(line.unit_price.get(), 15_000_000);
        assert_eq!(line.source, Source::Province);
    }

    #[test]
    fn estimates_are_due_at_the_end_of_february() {
        assert_eq!(
            deadline_from(NaiveDate::from_ymd_opt(2024, 1, 1), None),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
    }
}
