//! The domain of kehoach, free of I/O: text folding, units and their resolution, periods and compliance.

pub mod budget;
pub mod compliance;
pub mod period;
pub mod text;
pub mod units;
// Review of activities and approval of periods (issue 19, parts 3–4).
pub mod approval;
