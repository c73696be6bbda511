//! Demo data: the corpus plans of `kehoach serve --demo` (`corpus.rs`), and the synthetic country
//! of `kehoach demo --scale national`.

pub mod corpus;
pub mod measure;
pub mod national;
// Budget cycle (issue 21).
pub mod budget;
// The reporting chain (issue 20).
pub mod reports;
