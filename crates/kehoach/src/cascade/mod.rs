//! Plans that implement plans (issue 22): the pure rules, no database and no async.
//!
//! * [`citations`]: which stored plans a plan implements, from the numbers it cites and where
//!   its issuer lies; whether a link may be made at all (cycles, provinces).
//! * [`coverage`]: which parent task each child task carries out, by similarity in folded
//!   Vietnamese, and whether a child commits less than its parent asks.
//! * [`carry`]: next year's plan from this year's — dates shifted, every lead unit re-resolved
//!   on the new date through the 2025 reform's successors.
//! * [`diff`]: tasks added, removed and changed between two plans.
//!
//! The store (`store/plan_links.rs`) reads and writes; the CLI (`cli/plan_links.rs`), the API
//! (`web/api/plan_links.rs`) and the page (`web/pages/cascade.rs`) call `crate::plan_links`,
//! which joins the two.

pub mod carry;
pub mod citations;
pub mod coverage;
pub mod diff;
