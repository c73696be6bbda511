//! The integration suites, as one test binary: the application is linked once, and every
//! suite's tests share one pool of test threads and the migrated, seeded template databases
//! (`common::TestDb`). Each module is one suite; `cargo xtask test -- rollup::` runs one.
//! The streaming-replica suite is its own binary (`tests/replica.rs`): only it needs the
//! replica that xtask starts for it.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod activities_api;
mod activity_import;
mod audit;
mod backup;
mod bad_input;
mod browser;
mod budget;
mod calendar;
mod cascade;
mod evidence_store;
mod exports;
mod hardening;
mod heatmap;
mod import_cli;
mod national_demo;
mod pages;
mod periods;
mod plan_edits;
mod plans_api;
mod reminders;
mod report;
mod reporting;
mod rollup;
mod route_table;
mod server;
mod store;
mod tracking;
mod units_cli;
mod users_cli;
mod web_flows;
