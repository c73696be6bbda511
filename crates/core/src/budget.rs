//! The budget cycle's pure rules: money as whole đồng in integer arithmetic, amounts read from
//! Vietnamese input, a line's amount, totals at every level, and the order of an estimate's states.
//!
//! No floating point anywhere: an amount is an `i64` of đồng behind [`Dong`], every operation is
//! checked, and anything past [`Dong::CEILING`] is refused with a message rather than wrapped.

use std::collections::BTreeMap;

/// A sum of money in whole đồng (the đồng has no subunit in use). Never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dong(i64);

/// Why an amount was refused. The message is Vietnamese: a person reads it next to the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("chưa nhập số tiền")]
    Empty,
    #[error(
        "số tiền \"{0}\" không rõ: viết bằng đồng, chỉ chữ số và dấu chấm ngăn cách hàng nghìn (ví dụ 1.500.000), không dùng dấu phẩy hay \"triệu\", \"nghìn\", \"tỷ\""
    )]
    Ambiguous(String),
    #[error(
        "số tiền \"{0}\" không hợp lệ: chỉ gồm chữ số, dấu chấm ngăn cách hàng nghìn (ví dụ 1.234.567) và có thể kèm \"đ\""
    )]
    Malformed(String),
    #[error("số tiền không được âm")]
    Negative,
    #[error("số tiền vượt mức trần {0}")]
    OverCeiling(String),
    #[error("số lượng phải là số nguyên từ 1 đến {MAX_QUANTITY}")]
    BadQuantity,
}

/// The most one line may ask for, and the most any total may reach: 10.000 tỷ đồng and 1 triệu
/// tỷ đồng. Far above any communication plan, far below `i64::MAX` (≈ 9,2 × 10^18), so no sum of
/// lines within limits overflows before it is refused.
pub const LINE_CEILING: i64 = 10_000_000_000_000;
pub const TOTAL_CEILING: i64 = 1_000_000_000_000_000;
/// The largest quantity of a line (a count: people, days, broadcasts, copies).
pub const MAX_QUANTITY: i64 = 1_000_000;

impl Dong {
    pub const ZERO: Dong = Dong(0);
    pub const CEILING: Dong = Dong(TOTAL_CEILING);

    /// An amount from a stored or computed count of đồng; refused when negative or over the
    /// ceiling of totals.
    pub fn new(dong: i64) -> Result<Dong, MoneyError> {
        if dong < 0 {
            Err(MoneyError::Negative)
        } else if dong > TOTAL_CEILING {
            Err(MoneyError::OverCeiling(Dong(TOTAL_CEILING).to_string()))
        } else {
            Ok(Dong(dong))
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// The sum, or an error past the ceiling of totals.
    pub fn checked_add(self, other: Dong) -> Result<Dong, MoneyError> {
        self.0
            .checked_add(other.0)
            .ok_or_else(|| MoneyError::OverCeiling(Dong(TOTAL_CEILING).to_string()))
            .and_then(Dong::new)
    }

    /// What is left of `self` after `other`: negative when overspent, so it is a plain `i64`.
    pub fn minus(self, other: Dong) -> i64 {
        // Both are within [0, TOTAL_CEILING]: no overflow.
        self.0 - other.0
    }

    /// A line's amount: quantity × unit price, within the line ceiling.
    pub fn line_amount(quantity: i64, unit_price: Dong) -> Result<Dong, MoneyError> {
        if !(1..=MAX_QUANTITY).contains(&quantity) {
            return Err(MoneyError::BadQuantity);
        }
        let amount = quantity
            .checked_mul(unit_price.0)
            .filter(|a| *a <= LINE_CEILING)
            .ok_or_else(|| MoneyError::OverCeiling(Dong(LINE_CEILING).to_string()))?;
        Ok(Dong(amount))
    }

    /// A sum of amounts, refused past the ceiling.
    pub fn sum(amounts: impl IntoIterator<Item = Dong>) -> Result<Dong, MoneyError> {
        amounts
            .into_iter()
            .try_fold(Dong::ZERO, |total, a| total.checked_add(a))
    }

    /// Integer division rounded half up (a cost per output), `None` for zero outputs.
    pub fn per(self, outputs: u64) -> Option<Dong> {
        if outputs == 0 {
            return None;
        }
        let n = self.0 as u128;
        let d = outputs as u128;
        Some(Dong(((n + d / 2) / d) as i64))
    }
}

/// "1.234.567 đ": thousands separated by dots, as Vietnamese documents write money.
impl std::fmt::Display for Dong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} đ", group_thousands(self.0))
    }
}

/// "1.234.567" (no unit): for table cells whose heading says "đồng".
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// An amount typed by a person, in đồng. The rule (documented in the README):
/// - digits, optionally grouped by dots (or spaces) in threes: "1.234.567", "1 234 567",
///   "1234567";
/// - optionally followed by "đ", "đồng", "vnđ" or "vnd" (any case);
/// - a comma, a decimal point ("1.5"), or a word such as "triệu", "nghìn", "tỷ" is refused as
///   ambiguous ("1,5 triệu" is 1.500.000 to one reader and a typo to another): the person writes
///   the amount out in đồng;
/// - a minus sign is refused; anything over the line ceiling is refused.
pub fn parse_dong(input: &str) -> Result<Dong, MoneyError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(MoneyError::Empty);
    }
    let lower = text.to_lowercase();
    let number = ["đồng", "vnđ", "vnd", "đ"]
        .iter()
        .find_map(|suffix| lower.strip_suffix(suffix))
        .unwrap_or(&lower)
        .trim_end();
    if number.starts_with('-') {
        return Err(MoneyError::Negative);
    }
    if number.contains(',') || number.chars().any(|c| c.is_alphabetic()) || number.contains('+') {
        return Err(MoneyError::Ambiguous(text.to_string()));
    }
    let malformed = || MoneyError::Malformed(text.to_string());
    let separator = |c: char| c == '.' || c == ' ' || c == '\u{a0}';
    let groups: Vec<&str> = number.split(separator).collect();
    if groups
        .iter()
        .any(|g| g.is_empty() || !g.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(malformed());
    }
    // Grouped: the first group 1–3 digits, every other exactly 3. "1.5" or "12.34" are not a
    // grouping: a decimal written with a point is as ambiguous as one with a comma.
    if groups.len() > 1 && (groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
        return Err(MoneyError::Ambiguous(text.to_string()));
    }
    let digits: String = groups.concat();
    if digits.len() > 1 && digits.starts_with('0') && groups.len() == 1 {
        // "007": not how anybody writes money; most likely a slip.
        return Err(malformed());
    }
    let over = || MoneyError::OverCeiling(Dong(LINE_CEILING).to_string());
    if digits.len() > 18 {
        return Err(over());
    }
    let value: i64 = digits.parse().map_err(|_| malformed())?;
    if value > LINE_CEILING {
        return Err(over());
    }
    Ok(Dong(value))
}

/// A quantity typed by a person: a whole number from 1 to [`MAX_QUANTITY`], grouped like money.
pub fn parse_quantity(input: &str) -> Result<i64, MoneyError> {
    let text = input.trim();
    if text.contains(',') || text.starts_with('-') {
        return Err(MoneyError::BadQuantity);
    }
    match parse_dong(text) {
        Ok(d) if (1..=MAX_QUANTITY).contains(&d.0) => Ok(d.0),
        _ => Err(MoneyError::BadQuantity),
    }
}

/// Where a line's money comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Ngân sách tỉnh.
    Province,
    /// Ngân sách huyện.
    District,
    /// Ngân sách xã.
    Commune,
    /// Nguồn hợp pháp khác.
    Other,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::Province,
        Source::District,
        Source::Commune,
        Source::Other,
    ];

    /// The code used on the command line, in the API and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Source::Province => "tinh",
            Source::District => "huyen",
            Source::Commune => "xa",
            Source::Other => "khac",
        }
    }

    pub fn parse(code: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.code() == code.trim())
    }

    /// As an estimate table names it.
    pub fn vietnamese(self) -> &'static str {
        match self {
            Source::Province => "Ngân sách tỉnh",
            Source::District => "Ngân sách huyện",
            Source::Commune => "Ngân sách xã",
            Source::Other => "Nguồn hợp pháp khác",
        }
    }
}

/// One line's figures at each stage, for totals: the unit's estimate, the plan office's
/// proposal (the estimate unless adjusted), finance's appraisal (none yet: `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineFigures {
    pub unit_id: i64,
    pub task_id: i64,
    pub estimated: Dong,
    pub proposed: Dong,
    pub appraised: Option<Dong>,
}

/// Sums at one level: estimated, proposed, appraised (lines not yet appraised count nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sums {
    pub estimated: Dong,
    pub proposed: Dong,
    pub appraised: Dong,
    pub lines: usize,
}

impl Sums {
    fn add(&mut self, line: &LineFigures) -> Result<(), MoneyError> {
        self.estimated = self.estimated.checked_add(line.estimated)?;
        self.proposed = self.proposed.checked_add(line.proposed)?;
        self.appraised = self
            .appraised
            .checked_add(line.appraised.unwrap_or(Dong::ZERO))?;
        self.lines += 1;
        Ok(())
    }
}

/// Totals at every level of a consolidation: per unit × task, per unit, per task, and the plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub by_unit_task: BTreeMap<(i64, i64), Sums>,
    pub by_unit: BTreeMap<i64, Sums>,
    pub by_task: BTreeMap<i64, Sums>,
    pub plan: Sums,
}

/// The totals of a set of lines, each level summed from the lines themselves (not from the level
/// below), refused when any passes the ceiling.
pub fn totals(lines: &[LineFigures]) -> Result<Totals, MoneyError> {
    let mut t = Totals::default();
    for line in lines {
        t.by_unit_task
            .entry((line.unit_id, line.task_id))
            .or_default()
            .add(line)?;
        t.by_unit.entry(line.unit_id).or_default().add(line)?;
        t.by_task.entry(line.task_id).or_default().add(line)?;
        t.plan.add(line)?;
    }
    Ok(t)
}

/// The state of one unit's estimate version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EstimateState {
    /// Being written by the unit: lines may be added and removed.
    Draft,
    /// Sent to the plan office: frozen.
    Submitted,
    /// Given back by the plan office with a reason: frozen; the unit continues in a new version.
    Returned,
}

impl EstimateState {
    pub fn code(self) -> &'static str {
        match self {
            EstimateState::Draft => "draft",
            EstimateState::Submitted => "submitted",
            EstimateState::Returned => "returned",
        }
    }

    pub fn parse(code: &str) -> Option<EstimateState> {
        match code {
            "draft" => Some(EstimateState::Draft),
            "submitted" => Some(EstimateState::Submitted),
            "returned" => Some(EstimateState::Returned),
            _ => None,
        }
    }

    /// Lines of an estimate in this state may change.
    pub fn editable(self) -> bool {
        self == EstimateState::Draft
    }
}

/// The stage a plan's budget cycle has reached (one per plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Units estimate, the plan office consolidates.
    Estimating,
    /// Sent to finance: appraisal open; units' estimates no longer change.
    Sent,
    /// The decision is recorded: allocations fixed, appraisal closed, spending open.
    Approved,
}

impl Stage {
    pub fn code(self) -> &'static str {
        match self {
            Stage::Estimating => "estimating",
            Stage::Sent => "sent",
            Stage::Approved => "approved",
        }
    }

    pub fn parse(code: &str) -> Option<Stage> {
        match code {
            "estimating" => Some(Stage::Estimating),
            "sent" => Some(Stage::Sent),
            "approved" => Some(Stage::Approved),
            _ => None,
        }
    }
}

/// Why a step of the cycle is refused: the state does not allow it. `Display` is English (the
/// API and the command line); [`Refusal::vietnamese`] is what a page shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the estimate was submitted and is frozen: the plan office may return it for revision")]
    Frozen,
    #[error("the estimate has no lines to submit")]
    NoLines,
    #[error("the estimate is not submitted")]
    NotSubmitted,
    #[error("the consolidated estimate was already sent to finance: estimates no longer change")]
    AlreadySent,
    #[error("no estimate has been submitted yet: nothing to send")]
    NothingSubmitted,
    #[error("the consolidated estimate has not been sent to finance yet")]
    NotSent,
    #[error("the budget was approved: appraisals and proposals no longer change")]
    Approved,
    #[error("the approved amount may not exceed the proposed amount ({0})")]
    AboveProposed(String),
    #[error("a reason is required to reject or reduce a line")]
    ReasonRequired,
    #[error("{0} line(s) are not appraised yet")]
    NotAppraised(usize),
    #[error("the budget has not been approved yet: spending is recorded against an allocation")]
    NotApproved,
    #[error("the settlement was already submitted")]
    SettlementExists,
    #[error("no settlement was submitted")]
    NoSettlement,
}

impl Refusal {
    pub fn vietnamese(&self) -> String {
        match self {
            Refusal::Frozen => {
                "Dự toán đã gửi nên không sửa được; cơ quan tổng hợp có thể trả lại để chỉnh sửa."
                    .into()
            }
            Refusal::NoLines => "Dự toán chưa có dòng nào để gửi.".into(),
            Refusal::NotSubmitted => "Dự toán chưa được gửi.".into(),
            Refusal::AlreadySent => {
                "Dự toán tổng hợp đã gửi Sở Tài chính: không sửa dự toán được nữa.".into()
            }
            Refusal::NothingSubmitted => {
                "Chưa đơn vị nào gửi dự toán: chưa có gì để gửi thẩm định.".into()
            }
            Refusal::NotSent => "Dự toán tổng hợp chưa được gửi cơ quan tài chính.".into(),
            Refusal::Approved => {
                "Dự toán đã được phê duyệt: không thẩm định hay điều chỉnh được nữa.".into()
            }
            Refusal::AboveProposed(p) => format!("Số thẩm định không được vượt số đề nghị ({p})."),
            Refusal::ReasonRequired => {
                "Ghi rõ lý do khi giảm hoặc không chấp nhận một dòng.".into()
            }
            Refusal::NotAppraised(n) => format!("Còn {n} dòng chưa thẩm định."),
            Refusal::NotApproved => "Dự toán chưa được phê duyệt: chưa ghi chi được.".into(),
            Refusal::SettlementExists => "Quyết toán đã được gửi.".into(),
            Refusal::NoSettlement => "Đơn vị chưa gửi quyết toán.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn amounts_as_people_write_them() {
        assert_eq!(parse_dong("1.234.567").unwrap().get(), 1_234_567);
        assert_eq!(parse_dong("1234567").unwrap().get(), 1_234_567);
        assert_eq!(parse_dong("1 234 567 đ").unwrap().get(), 1_234_567);
        assert_eq!(parse_dong("500.000 đồng").unwrap().get(), 500_000);
        assert_eq!(parse_dong("0").unwrap().get(), 0);
        assert_eq!(parse_dong("15.000.000VNĐ").unwrap().get(), 15_000_000);
    }

    #[test]
    fn ambiguous_or_bad_amounts_are_refused() {
        for bad in ["1,5 triệu", "1,5", "1.5", "12.34", "2 tỷ", "10k", "1.2345"] {
            assert!(
                matches!(parse_dong(bad), Err(MoneyError::Ambiguous(_))),
                "{bad}"
            );
        }
        assert_eq!(parse_dong("-5"), Err(MoneyError::Negative));
        assert_eq!(parse_dong(""), Err(MoneyError::Empty));
        assert!(matches!(
            parse_dong("1..000"),
            Err(MoneyError::Malformed(_))
        ));
        assert!(matches!(
            parse_dong("99.999.999.999.999.999.999"),
            Err(MoneyError::OverCeiling(_))
        ));
        assert!(matches!(
            parse_dong("10.000.000.000.001"),
            Err(MoneyError::OverCeiling(_))
        ));
    }

    #[test]
    fn formatted_with_dots() {
        assert_eq!(Dong(1_234_567).to_string(), "1.234.567 đ");
        assert_eq!(Dong(0).to_string(), "0 đ");
        assert_eq!(Dong(999).to_string(), "999 đ");
        assert_eq!(Dong(1_000).to_string(), "1.000 đ");
        assert_eq!(group_thousands(-1_500_000), "-1.500.000");
    }

    #[test]
    fn line_amounts_are_bounded() {
        assert_eq!(
            Dong::line_amount(3, Dong(1_500_000)).unwrap().get(),
            4_500_000
        );
        assert_eq!(Dong::line_amount(0, Dong(1)), Err(MoneyError::BadQuantity));
        assert!(matches!(
            Dong::line_amount(MAX_QUANTITY, Dong(LINE_CEILING)),
            Err(MoneyError::OverCeiling(_))
        ));
        assert!(Dong::new(-1).is_err() && Dong::new(TOTAL_CEILING + 1).is_err());
        assert!(Dong(TOTAL_CEILING).checked_add(Dong(1)).is_err());
        assert_eq!(Dong(10).per(3), Some(Dong(3)));
        assert_eq!(Dong(11).per(2), Some(Dong(6)));
        assert_eq!(Dong(11).per(0), None);
    }

    #[test]
    fn quantities() {
        assert_eq!(parse_quantity("12"), Ok(12));
        assert_eq!(parse_quantity("1.000"), Ok(1000));
        assert_eq!(parse_quantity("0"), Err(MoneyError::BadQuantity));
        assert_eq!(parse_quantity("1,5"), Err(MoneyError::BadQuantity));
        assert_eq!(parse_quantity("2.000.000"), Err(MoneyError::BadQuantity));
    }

    fn line() -> impl Strategy<Value = LineFigures> {
        (
            0i64..4,
            0i64..6,
            0i64..=LINE_CEILING,
            0i64..=LINE_CEILING,
            proptest::option::of(0i64..=LINE_CEILING),
        )
            .prop_map(|(unit_id, task_id, e, p, a)| LineFigures {
                unit_id,
                task_id,
                estimated: Dong(e),
                proposed: Dong(p),
                appraised: a.map(Dong),
            })
    }

    proptest! {
        /// Every level's total is exactly the sum of its lines (in i128, which cannot overflow).
        #[test]
        fn totals_at_every_level_are_the_sum_of_lines(lines in proptest::collection::vec(line(), 0..80)) {
            let t = totals(&lines).unwrap();
            let exact = |keep: &dyn Fn(&LineFigures) -> bool| {
                let mut s = (0i128, 0i128, 0i128, 0usize);
                for l in lines.iter().filter(|l| keep(l)) {
                    s.0 += l.estimated.get() as i128;
                    s.1 += l.proposed.get() as i128;
                    s.2 += l.appraised.map_or(0, Dong::get) as i128;
                    s.3 += 1;
                }
                s
            };
            let same = |sums: &Sums, s: (i128, i128, i128, usize)| {
                sums.estimated.get() as i128 == s.0
                    && sums.proposed.get() as i128 == s.1
                    && sums.appraised.get() as i128 == s.2
                    && sums.lines == s.3
            };
            prop_assert!(same(&t.plan, exact(&|_| true)));
            for (&(u, k), sums) in &t.by_unit_task {
                prop_assert!(same(sums, exact(&|l| l.unit_id == u && l.task_id == k)));
            }
            for (&u, sums) in &t.by_unit {
                prop_assert!(same(sums, exact(&|l| l.unit_id == u)));
            }
            for (&k, sums) in &t.by_task {
                prop_assert!(same(sums, exact(&|l| l.task_id == k)));
            }
            // And the levels agree with each other.
            let units: i128 = t.by_unit.values().map(|s| s.estimated.get() as i128).sum();
            prop_assert_eq!(units, t.plan.estimated.get() as i128);
        }

        /// Whatever is typed, parsing never panics, and what it accepts prints back to itself.
        #[test]
        fn parse_and_format_round_trip(n in 0i64..=LINE_CEILING) {
            let printed = Dong(n).to_string();
            prop_assert_eq!(parse_dong(&printed).unwrap(), Dong(n));
        }

        #[test]
        fn parsing_never_panics(s in "\\PC{0,30}") {
            let _ = parse_dong(&s);
            let _ = parse_quantity(&s);
        }
    }
}
