//! Synthetic data for trying and measuring kehoach: `kehoach demo --scale national`.

pub mod measure;
pub mod national;
