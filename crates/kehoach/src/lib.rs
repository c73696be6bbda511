//! kehoach, the application: storage, the web server and the command line over the pure crates
//! `kehoach-plan` (reading plan documents) and `kehoach-core` (the domain).

pub mod activity_import;
pub mod activity_input;
pub mod audit_export;
pub mod auth;
pub mod authz;
pub mod cli;
pub mod compliance;
pub mod demo;
pub mod export;
pub mod files;
pub mod import;
pub mod password_rules;
pub mod pending_import;
pub mod reminders;
pub mod rollup;
pub mod standings;
pub mod store;
pub mod thumbs;
pub mod units;
pub mod web;
// Plans that implement plans (issue 22).
pub mod cascade;
pub mod plan_links;
// Budget cycle (issue 21).
pub mod budget;
// The reporting chain (issue 20).
pub mod reporting;
// Issue 18 (H): servers sharing only PostgreSQL — evidence in the database, backups.
pub mod backup;
pub mod evidence_store;
// Editing plans after import (issue 19, plan edits).
pub mod plan_edit;
