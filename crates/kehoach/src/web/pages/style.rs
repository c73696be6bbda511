//! The stylesheet's class names for the engine's states: one function per enum, so a template
//! or chart never spells a class (or a colour) itself. The colours live in `static/app.css` only
//! (the CSP allows no inline style); the class contract is documented at the top of that file.

use kehoach_core::compliance::{DeadlineState, PeriodStatus};

/// `.st-met`, `.st-partial`, `.st-missed`, `.st-open`, `.st-future`.
pub fn status_class(status: PeriodStatus) -> &'static str {
    match status {
        PeriodStatus::Met => "st-met",
        PeriodStatus::Partial => "st-partial",
        PeriodStatus::Missed => "st-missed",
        PeriodStatus::Open => "st-open",
        PeriodStatus::Future => "st-future",
    }
}

/// `.dl-done_on_time`, `.dl-done_late`, `.dl-not_done_within_deadline`, `.dl-not_done_overdue`
/// (the `DeadlineState` variants in snake_case, as the API spells them).
pub fn deadline_class(state: DeadlineState) -> &'static str {
    match state {
        DeadlineState::DoneOnTime => "dl-done_on_time",
        DeadlineState::DoneLate => "dl-done_late",
        DeadlineState::NotDoneWithinDeadline => "dl-not_done_within_deadline",
        DeadlineState::NotDoneOverdue => "dl-not_done_overdue",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every class a function returns is styled in app.css (a renamed class would otherwise
    /// silently lose its colour).
    #[test]
    fn every_state_class_is_in_the_stylesheet() {
        let css = include_str!("../../../static/app.css");
        let statuses = super::super::plan::STATUSES.map(status_class);
        let deadlines = super::super::plan::DEADLINES.map(deadline_class);
        for class in statuses.iter().chain(deadlines.iter()) {
            assert!(css.contains(&format!(".{class}")), "{class} not in app.css");
            assert!(class.starts_with("st-") || *class == format!("dl-{}", &class[3..]));
        }
        for (s, class) in super::super::plan::DEADLINES.iter().zip(deadlines) {
            assert_eq!(class, format!("dl-{}", s.as_str()));
        }
        for (s, class) in super::super::plan::STATUSES.iter().zip(statuses) {
            assert_eq!(class, format!("st-{}", s.as_str()));
        }
    }
}
