//! Demo data: the corpus plans of `kehoach serve --demo` (`corpus.rs`), and the synthetic country
//! of `kehoach demo --scale national`.

pub mod corpus;
pub mod measure;
pub mod national;
// The reporting chain (issue 20).
pub mod reports;
