//! The route table: every route of the server, called as each role from inside and from outside
//! the owning unit, against the real server on each backend, with the status each must answer.
//!
//! The routes come from the server itself — the OpenAPI document (generated from the router, so
//! it lists every API route) plus the routes outside it ([`NON_API`]) and the page routes
//! (`kehoach::web::pages::page_routes()`, kept in step with the page router by a unit test). A
//! route without a row in [`TABLE`] fails the test, and so does a row whose route no longer
//! exists.
//!
//! The world: the Quảng Nam plan of 2024 (owned by the province), one of its assignments (the
//! provincial radio-TV station's) with an activity carrying a file. Inside callers belong to Quảng
//! Nam (the reporter to the station itself, so it only takes part in the plan); outside callers
//! belong to Đà Nẵng. Administrators have no unit and are the same on both sides.
//!
//! API routes are called with the caller's bearer token, pages with the caller's session cookie
//! (and the session's CSRF token in every form). The client follows no redirect: a page sending
//! an anonymous caller to sign in answers 303, and so does a form that went through.

use crate::common;
use crate::common::QUANG_NAM;

use common::{Server, TestDb, cli_json, http};
use kehoach::store::{Change, Role, Store};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const TAM_KY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../plan/tests/fixtures/corpus/tamky-2021-2025.md"
);

/// The Quảng Nam plan as an import form's `file` part.
fn plan_document() -> Form {
    Form::new().part(
        "file",
        Part::bytes(std::fs::read(QUANG_NAM).unwrap()).file_name("quangnam-2024.txt"),
    )
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\0\x05\0\x01\xff\x89\x99=\x1d\0\0\0\0IEND\xaeB`\x82";

/// Every test account's password (hashed once, for the sign-in form's row).
const PASSWORD: &str = "mat-khau-thu-nghiem";

/// Who calls, in the order of a row's statuses.
const CALLERS: [&str; 6] = [
    "anonymous",
    "admin",
    "plan_office",
    "reporter",
    "finance",
    "viewer",
];

/// One route: the statuses for [anonymous, admin, plan_office, reporter, finance, viewer], from
/// inside the owning unit and from outside it.
struct Row {
    method: &'static str,
    path: &'static str,
    inside: [u16; 6],
    outside: [u16; 6],
}

const fn same(method: &'static str, path: &'static str, both: [u16; 6]) -> Row {
    Row {
        method,
        path,
        inside: both,
        outside: both,
    }
}

const fn row(method: &'static str, path: &'static str, inside: [u16; 6], outside: [u16; 6]) -> Row {
    Row {
        method,
        path,
        inside,
        outside,
    }
}

/// Why a status: 404 for plans and files of another unit (their ids are guessable and their
/// existence is the other unit's business); 403 for assignments and activities (a reporter given
/// a wrong assignment should be told it is not theirs), unit creation and the audit log; 422 for
/// an import whose rows name another unit's assignment (the report names each row).
///
/// What inside and outside mean where it is not the plan's unit:
/// - the exports (`report.docx`, …) are asked for the station's part (`unit=<station code>`): the
///   reporter, who only takes part in the plan, may export only its own part;
/// - the calendar feed is not a caller's: "inside" holds the station's secret (200 for anybody,
///   anonymous included: the secret is the credential), "outside" guesses one (404 for anybody);
/// - the import pages (`/plans/import/{id}`) are a pending import of the Quảng Nam plan that the
///   caller uploaded itself; the plan office of Đà Nẵng may not import Quảng Nam's plan (403), so
///   it has no pending import to look at (404);
/// - the activities page lists the station's assignment, the file page the world's evidence file.
const TABLE: &[Row] = &[
    //                                             anon admin  po   rep  fin  view
    same("GET", "/healthz", [200, 200, 200, 200, 200, 200]),
    same("GET", "/api/openapi.json", [200, 200, 200, 200, 200, 200]),
    row(
        "GET",
        "/calendar/{secret}.ics",
        [200, 200, 200, 200, 200, 200],
        [404, 404, 404, 404, 404, 404],
    ),
    same("GET", "/api/v1/plans", [401, 200, 200, 200, 200, 200]),
    row(
        "GET",
        "/api/v1/plans/{id}",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/compliance",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/compliance.json",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/report.docx",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/compliance.xlsx",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/activities.xlsx",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/evidence-pack.zip",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    same("GET", "/api/v1/units", [401, 200, 200, 200, 200, 200]),
    row(
        "POST",
        "/api/v1/units",
        [401, 201, 201, 403, 403, 403],
        [401, 201, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/api/v1/files/{sha256}",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/assignments/{id}/activities",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 403, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/assignments/{id}/activities",
        [401, 201, 201, 201, 403, 403],
        [401, 201, 403, 403, 403, 403],
    ),
    row(
        "PATCH",
        "/api/v1/activities/{id}",
        [401, 200, 200, 200, 403, 403],
        [401, 200, 403, 403, 403, 403],
    ),
    row(
        "DELETE",
        "/api/v1/activities/{id}",
        [401, 200, 200, 200, 403, 403],
        [401, 200, 403, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/activities/import",
        [401, 201, 201, 201, 403, 403],
        [401, 201, 422, 422, 403, 403],
    ),
    same("GET", "/api/v1/audit", [401, 200, 200, 403, 403, 403]),
    same("GET", "/api/v1/audit.csv", [401, 200, 200, 403, 403, 403]),
    // The pages.                                  anon admin  po   rep  fin  view
    same("GET", "/", [303, 303, 303, 303, 303, 303]),
    same("GET", "/sign-in", [200, 303, 303, 303, 303, 303]),
    // Each caller signs in as itself; anonymous with a wrong password.
    same("POST", "/sign-in", [401, 303, 303, 303, 303, 303]),
    same("POST", "/sign-out", [303, 303, 303, 303, 303, 303]),
    same("GET", "/lang", [303, 303, 303, 303, 303, 303]),
    same("GET", "/static/app.css", [200, 200, 200, 200, 200, 200]),
    same("GET", "/static/app.js", [200, 200, 200, 200, 200, 200]),
    same("GET", "/plans", [303, 200, 200, 200, 200, 200]),
    same("GET", "/plans/import", [303, 200, 200, 403, 403, 403]),
    row(
        "POST",
        "/plans/import",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/plans/import/{id}",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/plans/import/{id}/fix",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/plans/import/{id}/new-unit",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/plans/import/{id}/confirm",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    row(
        "GET",
        "/plans/{id}",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/tasks/{id}",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/heatmap",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/activities",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/files/{sha256}",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/files/{sha256}/thumb",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    // Accounts: each caller its own; users within the caller's subtree (a plan office of Đà
    // Nẵng names Quảng Nam's station: 400 for the form, 404 for an account there).
    same("GET", "/account", [303, 200, 200, 200, 200, 200]),
    same("POST", "/account/password", [303, 303, 303, 303, 303, 303]),
    same(
        "POST",
        "/account/tokens/{id}/revoke",
        [303, 303, 303, 303, 303, 303],
    ),
    same(
        "POST",
        "/account/sign-out-others",
        [303, 303, 303, 303, 303, 303],
    ),
    same("GET", "/users", [303, 200, 200, 403, 403, 403]),
    row(
        "POST",
        "/users",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 400, 403, 403, 403],
    ),
    row(
        "POST",
        "/users/{id}/reset-password",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/users/{id}/disable",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/users/{id}/enable",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    same("GET", "/my-work", [303, 200, 200, 200, 200, 200]),
    row(
        "POST",
        "/my-work/log",
        [303, 303, 303, 303, 403, 403],
        [303, 303, 403, 403, 403, 403],
    ),
    same("GET", "/deadlines", [303, 200, 200, 200, 200, 200]),
    same("GET", "/search", [303, 200, 200, 200, 200, 200]),
    same("GET", "/overview", [303, 200, 200, 200, 200, 200]),
    // The plan's downloads from the pages: the API's rules, with the session.
    row(
        "GET",
        "/plans/{id}/report.docx",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/compliance.xlsx",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/activities.xlsx",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/evidence-pack.zip",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    // The station's calendar link (after the feed's row: making one replaces its secret).
    row(
        "POST",
        "/calendar-link",
        [303, 200, 200, 200, 403, 403],
        [303, 200, 403, 403, 403, 403],
    ),
    // Suggestions among the plan's units.
    row(
        "GET",
        "/units/suggest",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    // Editing plans after import (issue 19, plan edits): the plan office within its subtree and
    // administrators; each call edits, removes or archives a task or plan of its own.
    row(
        "PATCH",
        "/api/v1/tasks/{id}",
        [401, 200, 200, 403, 403, 403],
        [401, 200, 404, 403, 403, 403],
    ),
    row(
        "DELETE",
        "/api/v1/tasks/{id}",
        [401, 200, 200, 403, 403, 403],
        [401, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/plans/{id}/tasks",
        [401, 201, 201, 403, 403, 403],
        [401, 201, 404, 403, 403, 403],
    ),
    row(
        "PATCH",
        "/api/v1/plans/{id}",
        [401, 200, 200, 403, 403, 403],
        [401, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/plans/{id}/archive",
        [401, 204, 204, 403, 403, 403],
        [401, 204, 404, 403, 403, 403],
    ),
    row(
        "GET",
        "/tasks/{id}/edit",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/tasks/{id}/edit",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/tasks/{id}/remove",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    row(
        "GET",
        "/plans/{id}/tasks/new",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/plans/{id}/tasks/new",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/plans/{id}/archive",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    // A task of the caller's own pending import, corrected before confirming.
    row(
        "GET",
        "/plans/import/{id}/tasks/{index}",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 403, 403, 403],
    ),
    row(
        "POST",
        "/plans/import/{id}/tasks/{index}",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 403, 403, 403],
    ),
    // The reporting chain (issue 20): a request asking the station. Reading follows the plan;
    // a draft is edited and submitted by its unit (or the plan office above it), reviewed and
    // requested by the plan office. Submissions and reviews act on a fresh request each call.
    row(
        "GET",
        "/api/v1/plans/{id}/report-requests",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/plans/{id}/report-requests",
        [401, 201, 201, 403, 403, 403],
        [401, 201, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/report-requests/{id}",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/report-requests/{id}/drafts/{unit}",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "PUT",
        "/api/v1/report-requests/{id}/drafts/{unit}",
        [401, 200, 200, 200, 403, 403],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/report-requests/{id}/drafts/{unit}/docx",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/report-requests/{id}/drafts/{unit}/submit",
        [401, 201, 201, 201, 403, 403],
        [401, 201, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/report-requests/{id}/drafts/{unit}/review",
        [401, 200, 200, 403, 403, 403],
        [401, 200, 404, 404, 404, 404],
    ),
    same("GET", "/reports", [303, 200, 200, 200, 200, 200]),
    row(
        "GET",
        "/plans/{id}/reports",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/reports",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/reports/{id}",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/reports/{id}/units/{unit}",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/reports/{id}/units/{unit}",
        [303, 200, 200, 200, 403, 403],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/reports/{id}/units/{unit}/autosave",
        [303, 200, 200, 200, 403, 403],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/reports/{id}/units/{unit}/submit",
        [303, 303, 303, 303, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/reports/{id}/units/{unit}/review",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/reports/{id}/units/{unit}/report.docx",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    // Budget cycle (issue 21). The world's station has a draft estimate with one line: each step
    // a caller may take answers what the cycle's state says (409: nothing submitted, not sent,
    // not approved), each it may not 403, another unit's plan 404. A viewer reads no budget;
    // the station's reporter reads its own part; finance writes only appraisal.
    row(
        "GET",
        "/api/v1/plans/{id}/budget",
        [401, 200, 200, 200, 200, 403],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/assignments/{id}/budget-lines",
        [401, 201, 201, 201, 403, 403],
        [401, 201, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/plans/{id}/budget",
        [303, 200, 200, 200, 200, 403],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/budget.xlsx",
        [303, 200, 200, 200, 200, 403],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/to-trinh.docx",
        [303, 200, 200, 404, 200, 403],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/lines",
        [303, 303, 303, 303, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/submit",
        [303, 409, 409, 403, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/return",
        [303, 409, 409, 403, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/send",
        [303, 409, 409, 403, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/approve",
        [303, 409, 409, 403, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/spend",
        [303, 409, 409, 409, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/settle",
        [303, 409, 409, 409, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/budget/accept",
        [303, 409, 409, 403, 409, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/budget-lines/{id}/propose",
        [303, 409, 409, 403, 403, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/budget-lines/{id}/appraise",
        [303, 409, 403, 403, 409, 403],
        [303, 409, 404, 404, 404, 404],
    ),
    // Plans that implement plans (issue 22). The child is the Tam Kỳ plan (owned by a city of
    // Quảng Nam); the parent the Quảng Nam plan. Each call starts from the state it needs (the
    // link made or removed first).
    row(
        "GET",
        "/api/v1/plans/{id}/links",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/plans/{id}/links",
        [401, 201, 201, 404, 403, 403],
        [401, 201, 404, 404, 404, 404],
    ),
    row(
        "DELETE",
        "/api/v1/plans/{id}/links/{parent}",
        [401, 204, 204, 404, 403, 403],
        [401, 204, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/coverage",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "PUT",
        "/api/v1/plans/{id}/coverage/{task}",
        [401, 204, 204, 403, 403, 403],
        [401, 204, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/carry",
        [401, 200, 200, 403, 403, 403],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/diff/{other}",
        [401, 200, 200, 404, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/cascade",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/cascade/link",
        [303, 303, 303, 404, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/cascade/unlink",
        [303, 303, 303, 404, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/cascade/map",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "GET",
        "/plans/{id}/carry",
        [303, 200, 200, 403, 403, 403],
        [303, 200, 404, 404, 404, 404],
    ),
    // The carried draft waits as the caller's import (then the preview opens on it).
    row(
        "POST",
        "/plans/{id}/carry",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    // The import for scripts: the Quảng Nam plan uploaded by the caller (a plan office of Đà
    // Nẵng may not import it, so has nothing waiting to confirm), confirmed without a link.
    row(
        "POST",
        "/api/v1/plans/import",
        [401, 201, 201, 403, 403, 403],
        [401, 201, 403, 403, 403, 403],
    ),
    row(
        "POST",
        "/api/v1/plans/import/{id}/confirm",
        [401, 201, 201, 403, 403, 403],
        [401, 201, 404, 403, 403, 403],
    ),
    // Review of activities and approval of periods (issue 19, parts 3–4). The review rows
    // accept a fresh activity of the station's (January: never in a locked period); the period
    // rows submit a period of the station's, a different one per caller (the API months, the
    // pages quarters and halves), so no call meets another's submission.
    same("GET", "/api/v1/reviews", [401, 200, 200, 403, 403, 403]),
    row(
        "POST",
        "/api/v1/reviews",
        [401, 200, 200, 403, 403, 403],
        [401, 200, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/api/v1/plans/{id}/periods",
        [401, 200, 200, 200, 200, 200],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/plans/{id}/periods",
        [401, 200, 200, 200, 403, 403],
        [401, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/api/v1/plans/{id}/lock-exceptions",
        [401, 204, 204, 403, 403, 403],
        [401, 204, 404, 404, 404, 404],
    ),
    same("GET", "/review", [303, 200, 200, 403, 403, 403]),
    row(
        "POST",
        "/review",
        [303, 303, 303, 403, 403, 403],
        [303, 303, 403, 403, 403, 403],
    ),
    row(
        "GET",
        "/plans/{id}/periods",
        [303, 200, 200, 200, 200, 200],
        [303, 200, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/plans/{id}/periods",
        [303, 303, 303, 303, 403, 403],
        [303, 303, 404, 404, 404, 404],
    ),
    row(
        "POST",
        "/my-work/resubmit",
        [303, 303, 303, 303, 403, 403],
        [303, 303, 403, 403, 403, 403],
    ),
];

/// Routes neither the OpenAPI document nor the pages describe.
const NON_API: &[(&str, &str)] = &[
    ("GET", "/healthz"),
    ("GET", "/api/openapi.json"),
    ("GET", "/calendar/{secret}.ics"),
];

/// The server-rendered pages' routes (method, path).
fn page_routes() -> Vec<(String, String)> {
    kehoach::web::pages::page_routes()
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect()
}

fn is_page(method: &str, path: &str) -> bool {
    kehoach::web::pages::page_routes().contains(&(method, path))
}

/// Every route the server has, as (METHOD, full path).
async fn server_routes(server: &Server) -> Vec<(String, String)> {
    let doc: Value = http()
        .get(server.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = doc["servers"][0]["url"].as_str().unwrap_or("/api/v1");
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                routes.push((method.to_uppercase(), format!("{base}{path}")));
            }
        }
    }
    routes.extend(NON_API.iter().map(|(m, p)| (m.to_string(), p.to_string())));
    routes.extend(page_routes());
    routes
}

/// A signed-in browser: the account's name, its session cookie value and CSRF token.
#[derive(Clone)]
struct Browser {
    username: String,
    session: String,
    csrf: String,
}

/// What the test set up.
struct World {
    plan_id: i64,
    assignment_id: i64,
    /// The task of the station's assignment (its page shows the reporter its part).
    task_id: i64,
    station_id: i64,
    station_code: String,
    province_id: i64,
    sha256: String,
    /// The station's calendar secret.
    calendar: String,
    /// Tokens by caller, inside and outside (`None`: anonymous).
    inside: Vec<Option<String>>,
    outside: Vec<Option<String>>,
    /// Browser sessions by caller, inside and outside (`None`: anonymous).
    inside_browsers: Vec<Option<Browser>>,
    outside_browsers: Vec<Option<Browser>>,
    /// The callers' accounts, by name (for fresh sessions).
    users: std::collections::HashMap<String, kehoach::store::UserRow>,
    /// Plan links (issue 22): the Tam Kỳ plan, which implements the Quảng Nam plan, and one of
    /// its tasks.
    child_plan_id: i64,
    child_task_id: i64,
    /// A line of the station's draft estimate (budget cycle, issue 21).
    budget_line: i64,
    /// A report request asking the station (issue 20).
    report_request: i64,
}

async fn user_token(store: &Store, name: &str, role: Role, unit: Option<i64>) -> String {
    user_and_token(store, name, role, unit, "!").await.1
}

async fn user_and_token(
    store: &Store,
    name: &str,
    role: Role,
    unit: Option<i64>,
    password_hash: &str,
) -> (kehoach::store::UserRow, String) {
    let by = Change::system("test");
    let user = store
        .create_user(name, name, unit, role, password_hash, &by)
        .await
        .unwrap();
    let token = kehoach::auth::random_secret(24);
    store
        .create_token(user.id, "test", &kehoach::auth::token_hash(&token), &by)
        .await
        .unwrap();
    (user, token)
}

async fn browser(store: &Store, user: &kehoach::store::UserRow) -> Browser {
    let (session, csrf) = kehoach::web::session::start(store, user).await.unwrap();
    Browser {
        username: user.username.clone(),
        session,
        csrf,
    }
}

async fn set_up(db: &TestDb) -> World {
    let imported = db.import_quang_nam().await;
    let plan_id = imported["plan_id"].as_i64().unwrap();
    let child = cli_json(db, &["plan", "import", TAM_KY, "--json"]);
    let child_plan_id = child["plan_id"].as_i64().unwrap();
    let store = db.open().await;
    let child_task_id = store.tasks_of_plan(child_plan_id).await.unwrap()[0].id;
    let plan = store.plan(plan_id).await.unwrap().unwrap();
    let province_id = plan.context_unit_id.expect("the plan's province");
    let on = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    let other = store
        .unit_by_code("48", on)
        .await
        .unwrap()
        .expect("Đà Nẵng")
        .id;
    let assignment = store
        .assignments_of_plan(plan_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.unit_name.contains("Phát thanh") && a.unit_name.contains("Truyền hình"))
        .expect("the radio-TV station's assignment");
    let station = assignment.unit_id;
    let station_code = store.unit(station).await.unwrap().unwrap().code;
    let calendar = kehoach::auth::random_secret(24);
    store
        .set_calendar_secret(station, &kehoach::auth::token_hash(&calendar))
        .await
        .unwrap();
    let hash = kehoach::auth::hash_password(PASSWORD).unwrap();
    let mut users = std::collections::HashMap::new();
    let (user, admin) = user_and_token(&store, "quantri", Role::Admin, None, &hash).await;
    let admin_browser = browser(&store, &user).await;
    users.insert(user.username.clone(), user);
    let mut inside = vec![None, Some(admin.clone())];
    let mut outside = vec![None, Some(admin.clone())];
    let mut inside_browsers = vec![None, Some(admin_browser.clone())];
    let mut outside_browsers = vec![None, Some(admin_browser)];
    for (role, name) in [
        (Role::PlanOffice, "po"),
        (Role::Reporter, "rep"),
        (Role::Finance, "fin"),
        (Role::Viewer, "view"),
    ] {
        let unit = if role == Role::Reporter {
            station
        } else {
            province_id
        };
        for (tokens, browsers, suffix, unit) in [
            (&mut inside, &mut inside_browsers, "qn", unit),
            (&mut outside, &mut outside_browsers, "dn", other),
        ] {
            let (user, token) =
                user_and_token(&store, &format!("{name}_{suffix}"), role, Some(unit), &hash).await;
            browsers.push(Some(browser(&store, &user).await));
            users.insert(user.username.clone(), user);
            tokens.push(Some(token));
        }
    }
    // Budget cycle (issue 21): the station's draft estimate, one line.
    let line = kehoach::budget::LineInput {
        content: "Sản xuất chuyên mục".into(),
        measure: "số".into(),
        quantity: "2".into(),
        price: "1.000.000".into(),
        source: "tinh".into(),
        ..Default::default()
    }
    .parse(assignment.id)
    .unwrap();
    let budget_line = store
        .add_budget_line(&line, &Change::system("test"))
        .await
        .unwrap()
        .unwrap()
        .id;
    store.close().await;
    // The reporting chain (issue 20): a request asking the station.
    let (code, out, err) = common::run_cli(
        db,
        &[
            "report-request",
            "add",
            "--plan",
            &plan_id.to_string(),
            "--title",
            "Báo cáo thử",
            "--due",
            "2024-11-15",
            "--unit",
            &station_code,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report_request = out.trim().parse().unwrap();
    World {
        budget_line,
        report_request,
        plan_id,
        assignment_id: assignment.id,
        task_id: assignment.task_id,
        station_id: station,
        station_code,
        users,
        province_id,
        sha256: String::new(),
        calendar,
        inside,
        outside,
        inside_browsers,
        outside_browsers,
        child_plan_id,
        child_task_id,
    }
}

/// A client that follows no redirect (redirects are answers too).
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Who makes a request: the route's side and the caller's index in [`CALLERS`].
struct Call<'a> {
    server: &'a Server,
    world: &'a World,
    store: &'a Store,
    inside: bool,
    caller: usize,
    /// Makes bodies unique.
    n: usize,
}

impl Call<'_> {
    fn token(&self) -> Option<&String> {
        let tokens = if self.inside {
            &self.world.inside
        } else {
            &self.world.outside
        };
        tokens[self.caller].as_ref()
    }

    fn browser(&self) -> Option<&Browser> {
        let browsers = if self.inside {
            &self.world.inside_browsers
        } else {
            &self.world.outside_browsers
        };
        browsers[self.caller].as_ref()
    }

    /// The caller's CSRF token for a form ("" for anonymous).
    fn csrf(&self) -> String {
        self.browser().map(|b| b.csrf.clone()).unwrap_or_default()
    }

    /// A page request carrying the caller's session cookie and `extra` cookies.
    fn page(&self, method: &str, path: &str, extra: &str) -> reqwest::RequestBuilder {
        let mut cookies: Vec<String> = self
            .browser()
            .map(|b| format!("kh_session={}", b.session))
            .into_iter()
            .collect();
        if !extra.is_empty() {
            cookies.push(extra.to_string());
        }
        let req = no_redirects().request(method.parse().unwrap(), self.server.url(path));
        if cookies.is_empty() {
            req
        } else {
            req.header("cookie", cookies.join("; "))
        }
    }

    /// A pending import of the Quảng Nam plan uploaded by the caller: its id, or a made-up one
    /// when the caller may not import it.
    async fn pending_import(&self) -> String {
        let response = self.upload(&self.csrf()).send().await.unwrap();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("");
        match location.strip_prefix("/plans/import/") {
            Some(id) if response.status() == 303 => id.to_string(),
            _ => "nothing-waiting".into(),
        }
    }

    /// A pending import of the Quảng Nam plan uploaded through the API by the caller: its id, or
    /// a made-up one when the caller may not import it.
    async fn api_pending_import(&self) -> String {
        let mut request = no_redirects()
            .post(self.server.url("/api/v1/plans/import"))
            .multipart(plan_document());
        if let Some(token) = self.token() {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        if response.status() != 201 {
            return "0000".into();
        }
        let preview: Value = response.json().await.unwrap();
        preview["id"].as_str().unwrap().to_string()
    }

    fn upload(&self, csrf: &str) -> reqwest::RequestBuilder {
        let document = std::fs::read(QUANG_NAM).unwrap();
        self.page("POST", "/plans/import", "").multipart(
            Form::new()
                .text("csrf", csrf.to_string())
                .part("file", Part::bytes(document).file_name("quangnam-2024.txt")),
        )
    }

    /// An activity of the station's assignment, made by the administrator, for the caller to
    /// edit or delete.
    async fn new_activity(&self) -> i64 {
        let created: Value = http()
            .post(self.server.url(&format!(
                "/api/v1/assignments/{}/activities",
                self.world.assignment_id
            )))
            .bearer_auth(self.world.inside[1].as_ref().unwrap())
            .json(&json!({"date": "2024-01-04", "title": format!("Để sửa {}", self.n)}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        created["id"].as_i64().unwrap()
    }

    /// A task of the world's plan, added for one call to edit or remove (issue 19, plan edits).
    async fn fresh_task(&self) -> i64 {
        let fields = kehoach::plan_edit::TaskFields {
            reference: Some(format!("R{}", self.n)),
            title: Some(format!("Để sửa {}", self.n)),
            ..Default::default()
        };
        let today = chrono::NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        self.store
            .add_task(self.world.plan_id, &fields, today, &Change::system("test"))
            .await
            .unwrap()
            .id
    }

    /// A plan of the world's province, made for one call to archive.
    async fn fresh_plan(&self) -> i64 {
        let plan = kehoach::store::NewPlan {
            title: format!("Kế hoạch để lưu trữ {}", self.n),
            context_unit_id: Some(self.world.province_id),
            grace_days: 7,
            source_name: "archive.txt".into(),
            source_sha256: "00".into(),
            ..Default::default()
        };
        self.store
            .create_plan(&plan, &Change::system("test"))
            .await
            .unwrap()
            .plan_id
    }

    /// The reporting chain (issue 20): the station's draft version on the world's request.
    async fn draft_version(&self) -> Option<i64> {
        let draft: Value = http()
            .get(self.server.url(&format!(
                "/api/v1/report-requests/{}/drafts/{}",
                self.world.report_request, self.world.station_id
            )))
            .bearer_auth(self.world.inside[1].as_ref().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        draft["version"].as_i64()
    }

    /// A new request asking the station, made by the administrator; submitted by it when
    /// `submitted` (for a review to act on).
    async fn fresh_request(&self, submitted: bool) -> i64 {
        let admin = self.world.inside[1].as_ref().unwrap();
        let created: Value = http()
            .post(self.server.url(&format!(
                "/api/v1/plans/{}/report-requests",
                self.world.plan_id
            )))
            .bearer_auth(admin)
            .json(
                &json!({"title": format!("Báo cáo riêng {}", self.n), "due": "2024-11-20",
                "units": [self.world.station_code]}),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = created["ids"][0].as_i64().unwrap();
        if submitted {
            let response = http()
                .post(self.server.url(&format!(
                    "/api/v1/report-requests/{id}/drafts/{}/submit",
                    self.world.station_id
                )))
                .bearer_auth(admin)
                .json(&json!({"number": "1/BC", "date": "2024-11-10", "signer": "Lê A"}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 201);
        }
        id
    }

    /// Makes (`linked`) or removes the link of the Tam Kỳ plan to the Quảng Nam plan, so each
    /// call of a link route starts from the state it acts on.
    async fn set_link(&self, linked: bool) {
        let (child, parent) = (self.world.child_plan_id, self.world.plan_id);
        let by = Change::system("test");
        if linked {
            kehoach::plan_links::link(self.store, child, parent, &by)
                .await
                .ok();
        } else {
            kehoach::plan_links::unlink(self.store, child, parent, &by)
                .await
                .ok();
        }
    }

    /// The request the caller makes on a route, with its credentials.
    async fn request(&self, method: &str, path: &str) -> reqwest::RequestBuilder {
        let world = self.world;
        let n = self.n;
        let filled = path
            .replace("/plans/{id}", &format!("/plans/{}", world.plan_id))
            .replace("/tasks/{id}", &format!("/tasks/{}", world.task_id))
            .replace(
                "/assignments/{id}",
                &format!("/assignments/{}", world.assignment_id),
            )
            .replace("{sha256}", &world.sha256)
            // The reporting chain (issue 20).
            .replace(
                "/report-requests/{id}",
                &format!("/report-requests/{}", world.report_request),
            )
            .replace(
                "/reports/{id}",
                &format!("/reports/{}", world.report_request),
            )
            .replace("{unit}", &world.station_id.to_string());
        if is_page(method, path) {
            return self.page_request(method, path, filled).await;
        }
        let client = no_redirects();
        let url = |p: String| self.server.url(&p);
        let req = match (method, path) {
            ("GET", "/calendar/{secret}.ics") => {
                let secret = if self.inside {
                    world.calendar.clone()
                } else {
                    kehoach::auth::random_secret(24)
                };
                client.get(url(format!("/calendar/{secret}.ics")))
            }
            ("GET", "/api/v1/plans/{id}/compliance") => {
                client.get(url(format!("{filled}?at=2024-06-30")))
            }
            ("GET", p) if p.starts_with("/api/v1/plans/{id}/") && p.contains('.') => {
                client.get(url(format!(
                    "{filled}?unit={}&at=2024-06-30",
                    world.station_code
                )))
            }
            // Plan links (issue 22).
            ("POST", "/api/v1/plans/{id}/links") => {
                self.set_link(false).await;
                client
                    .post(url(format!("/api/v1/plans/{}/links", world.child_plan_id)))
                    .json(&json!({"parent_id": world.plan_id}))
            }
            ("DELETE", "/api/v1/plans/{id}/links/{parent}") => {
                self.set_link(true).await;
                client.delete(url(format!(
                    "/api/v1/plans/{}/links/{}",
                    world.child_plan_id, world.plan_id
                )))
            }
            ("PUT", "/api/v1/plans/{id}/coverage/{task}") => {
                self.set_link(true).await;
                client
                    .put(url(
                        filled.replace("{task}", &world.child_task_id.to_string())
                    ))
                    .json(&json!({"parent_task_id": world.task_id}))
            }
            ("GET", "/api/v1/plans/{id}/carry") => client.get(url(format!("{filled}?year=2026"))),
            ("POST", "/api/v1/plans/import") => client.post(url(filled)).multipart(plan_document()),
            ("POST", "/api/v1/plans/import/{id}/confirm") => {
                let id = self.api_pending_import().await;
                client
                    .post(url(format!("/api/v1/plans/import/{id}/confirm")))
                    .json(&json!({}))
            }
            ("GET", "/api/v1/plans/{id}/diff/{other}") => client.get(url(
                filled.replace("{other}", &world.child_plan_id.to_string())
            )),
            ("GET", "/api/v1/units") => {
                client.get(url(format!("{filled}?q=Quang%20Nam&on=2024-06-01")))
            }
            ("GET", _) => client.get(url(filled)),
            ("POST", "/api/v1/units") => client.post(url(filled)).json(&json!({
                "code": format!("TEST-{n}"),
                "name": format!("Ban thử nghiệm {n}"),
                "kind": "agency",
                "parent_id": world.province_id,
            })),
            ("POST", "/api/v1/assignments/{id}/activities") => client
                .post(url(filled))
                .json(&json!({"date": "2024-01-04", "title": format!("Chuyên mục {n}")})),
            ("PATCH", "/api/v1/activities/{id}") => {
                let id = self.new_activity().await;
                client
                    .patch(url(format!("/api/v1/activities/{id}")))
                    .json(&json!({"title": format!("Đã sửa {n}")}))
            }
            ("DELETE", "/api/v1/activities/{id}") => {
                let id = self.new_activity().await;
                client.delete(url(format!("/api/v1/activities/{id}")))
            }
            // Budget cycle (issue 21).
            ("POST", "/api/v1/assignments/{id}/budget-lines") => {
                client.post(url(filled)).json(&json!({
                    "content": format!("Dòng {n}"), "measure": "số", "quantity": "1",
                    "price": "100.000", "source": "tinh",
                }))
            }
            ("POST", "/api/v1/activities/import") => {
                let sheet = format!(
                    "mã giao việc,ngày,tiêu đề\n{},2024-01-05,Nhập {n}\n",
                    world.assignment_id
                );
                client.post(url(filled)).multipart(
                    Form::new().part("file", Part::bytes(sheet.into_bytes()).file_name("hd.csv")),
                )
            }
            // Editing plans after import (issue 19, plan edits).
            ("PATCH", "/api/v1/tasks/{id}") => {
                let task = self.fresh_task().await;
                client
                    .patch(url(format!("/api/v1/tasks/{task}")))
                    .json(&json!({"title": format!("Đã sửa {n}"), "targets": [{"count": 1, "per": "month"}]}))
            }
            ("DELETE", "/api/v1/tasks/{id}") => {
                let task = self.fresh_task().await;
                client.delete(url(format!("/api/v1/tasks/{task}")))
            }
            ("POST", "/api/v1/plans/{id}/tasks") => client
                .post(url(filled))
                .json(&json!({"ref": format!("T{n}"), "title": format!("Thêm tay {n}")})),
            ("PATCH", "/api/v1/plans/{id}") => client.patch(url(filled)).json(&json!({})),
            ("POST", "/api/v1/plans/{id}/archive") => {
                let plan = self.fresh_plan().await;
                client.post(url(format!("/api/v1/plans/{plan}/archive")))
            }
            // The reporting chain (issue 20).
            ("POST", "/api/v1/plans/{id}/report-requests") => client.post(url(filled)).json(&json!({
                "title": format!("Báo cáo {n}"), "due": "2024-11-20", "units": [world.station_code],
            })),
            ("PUT", "/api/v1/report-requests/{id}/drafts/{unit}") => {
                let version = self.draft_version().await;
                client.put(url(filled)).json(&json!({
                    "sections": {"results": format!("Kết quả {n}")}, "version": version,
                }))
            }
            ("POST", "/api/v1/report-requests/{id}/drafts/{unit}/submit") => {
                let id = self.fresh_request(false).await;
                client
                    .post(url(format!("/api/v1/report-requests/{id}/drafts/{}/submit", world.station_id)))
                    .json(&json!({"number": format!("{n}/BC"), "date": "2024-11-10", "signer": "Lê A"}))
            }
            ("POST", "/api/v1/report-requests/{id}/drafts/{unit}/review") => {
                let id = self.fresh_request(true).await;
                client
                    .post(url(format!("/api/v1/report-requests/{id}/drafts/{}/review", world.station_id)))
                    .json(&json!({"accept": true}))
            }
            // Review and periods (issue 19).
            ("POST", "/api/v1/reviews") => {
                let id = self.new_activity().await;
                client
                    .post(url(filled))
                    .json(&json!({"activity_ids": [id], "decision": "accept"}))
            }
            ("POST", "/api/v1/plans/{id}/periods") => {
                let month = self.caller + if self.inside { 0 } else { 6 };
                client.post(url(filled)).json(&json!({
                    "unit": world.station_code,
                    "period": format!("2024-{month:02}"),
                    "action": "submit",
                    "reason": format!("Kỳ {n}"),
                }))
            }
            ("POST", "/api/v1/plans/{id}/lock-exceptions") => client
                .post(url(filled))
                .json(&json!({"unit": world.station_code, "until": "2024-12-31"})),
            _ => panic!("no way to call {method} {path}: add one to Call::request()"),
        };
        match self.token() {
            Some(token) => req.bearer_auth(token),
            None => req,
        }
    }

    async fn page_request(
        &self,
        method: &str,
        path: &str,
        filled: String,
    ) -> reqwest::RequestBuilder {
        let world = self.world;
        let n = self.n;
        let csrf = self.csrf();
        match (method, path) {
            ("GET", "/lang") => self.page("GET", "/lang?to=en&back=/plans", ""),
            ("GET", "/search") => self.page("GET", "/search?q=Quang", ""),
            ("GET", "/heatmap") => {
                self.page("GET", &format!("/heatmap?plan={}", world.plan_id), "")
            }
            ("GET", "/activities") => self.page(
                "GET",
                &format!("/activities?assignment={}", world.assignment_id),
                "",
            ),
            ("GET", p) if p.starts_with("/plans/{id}/") && p.contains('.') => self.page(
                "GET",
                &format!(
                    "{filled}?unit={}&period=2024&at=2024-06-30",
                    world.station_code
                ),
                "",
            ),
            ("GET", "/units/suggest") => self.page(
                "GET",
                &format!("/units/suggest?q=quang&plan={}", world.plan_id),
                "",
            ),
            ("POST", "/calendar-link") => self
                .page("POST", "/calendar-link", "")
                .form(&[("csrf", csrf), ("unit", world.station_id.to_string())]),
            // Plan links (issue 22).
            ("GET", "/plans/{id}/carry") => self.page("GET", &format!("{filled}?year=2026"), ""),
            ("POST", "/plans/{id}/carry") => self
                .page("POST", &filled, "")
                .form(&[("csrf", csrf), ("year", "2026".to_string())]),
            ("POST", "/plans/{id}/cascade/link") => {
                self.set_link(false).await;
                self.page(
                    "POST",
                    &format!("/plans/{}/cascade/link", world.child_plan_id),
                    "",
                )
                .form(&[("csrf", csrf), ("parent", world.plan_id.to_string())])
            }
            ("POST", "/plans/{id}/cascade/unlink") => {
                self.set_link(true).await;
                self.page(
                    "POST",
                    &format!("/plans/{}/cascade/unlink", world.child_plan_id),
                    "",
                )
                .form(&[("csrf", csrf), ("parent", world.plan_id.to_string())])
            }
            ("POST", "/plans/{id}/cascade/map") => {
                self.set_link(true).await;
                self.page("POST", &filled, "").form(&[
                    ("csrf", csrf),
                    ("task", world.child_task_id.to_string()),
                    ("to", world.task_id.to_string()),
                ])
            }
            ("GET", "/plans/import/{id}") => {
                let id = self.pending_import().await;
                self.page("GET", &format!("/plans/import/{id}"), "")
            }
            // Editing plans after import (issue 19, plan edits).
            ("GET", "/plans/import/{id}/tasks/{index}") => {
                let id = self.pending_import().await;
                self.page("GET", &format!("/plans/import/{id}/tasks/0"), "")
            }
            ("GET", _) => self.page("GET", &filled, ""),
            ("POST", "/sign-in") => {
                // The sign-in form's own CSRF protection: the same secret in a cookie and the form.
                let secret = kehoach::auth::random_secret(16);
                let (username, password) = match self.browser() {
                    Some(b) => (b.username.clone(), PASSWORD),
                    None => ("nobody".to_string(), "wrong"),
                };
                self.page("POST", "/sign-in", &format!("kh_signin={secret}"))
                    .form(&[
                        ("csrf", secret.as_str()),
                        ("username", username.as_str()),
                        ("password", password),
                    ])
            }
            ("POST", "/sign-out") => {
                // Signing out ends the session: sign out of a fresh one.
                let fresh = match self.browser() {
                    Some(b) => Some(browser(self.store, &world.users[&b.username]).await),
                    None => None,
                };
                let cookie = fresh
                    .as_ref()
                    .map(|b| format!("kh_session={}", b.session))
                    .unwrap_or_default();
                let csrf = fresh.map(|b| b.csrf).unwrap_or_default();
                no_redirects()
                    .post(self.server.url("/sign-out"))
                    .header("cookie", cookie)
                    .form(&[("csrf", csrf)])
            }
            ("POST", "/plans/import") => self.upload(&csrf),
            ("POST", "/plans/import/{id}/fix") => {
                let id = self.pending_import().await;
                self.page("POST", &format!("/plans/import/{id}/fix"), "")
                    .form(&[
                        ("csrf", csrf),
                        ("index", "0".into()),
                        ("unit", world.station_id.to_string()),
                    ])
            }
            ("POST", "/plans/import/{id}/new-unit") => {
                let id = self.pending_import().await;
                self.page("POST", &format!("/plans/import/{id}/new-unit"), "")
                    .form(&[
                        ("csrf", csrf),
                        ("index", "0".into()),
                        ("name", format!("Ban thử nghiệm trang {n}")),
                        ("parent", world.province_id.to_string()),
                    ])
            }
            ("POST", "/plans/import/{id}/confirm") => {
                let id = self.pending_import().await;
                self.page("POST", &format!("/plans/import/{id}/confirm"), "")
                    .form(&[("csrf", csrf)])
            }
            // Editing plans after import (issue 19, plan edits): a fresh task or plan per call.
            ("POST", "/tasks/{id}/edit") => {
                let task = self.fresh_task().await;
                self.page("POST", &format!("/tasks/{task}/edit"), "")
                    .form(&[
                        ("csrf", csrf),
                        ("ref", format!("S{n}")),
                        ("title", format!("Sửa từ trang {n}")),
                        ("count", "2".into()),
                        ("per", "month".into()),
                        ("noun", "tin bài".into()),
                    ])
            }
            ("POST", "/tasks/{id}/remove") => {
                let task = self.fresh_task().await;
                self.page("POST", &format!("/tasks/{task}/remove"), "")
                    .form(&[("csrf", csrf)])
            }
            ("POST", "/plans/{id}/tasks/new") => self.page("POST", &filled, "").form(&[
                ("csrf", csrf),
                ("ref", format!("N{n}")),
                ("title", format!("Thêm từ trang {n}")),
            ]),
            ("POST", "/plans/import/{id}/tasks/{index}") => {
                let id = self.pending_import().await;
                self.page("POST", &format!("/plans/import/{id}/tasks/0"), "")
                    .form(&[
                        ("csrf", csrf),
                        ("ref", "1".into()),
                        ("title", format!("Sửa trước khi nhập {n}")),
                        ("count", "1".into()),
                        ("per", "week".into()),
                    ])
            }
            ("POST", "/plans/{id}/archive") => {
                let plan = self.fresh_plan().await;
                self.page("POST", &format!("/plans/{plan}/archive"), "")
                    .form(&[("csrf", csrf)])
            }
            ("POST", "/my-work/log") => self.page("POST", "/my-work/log", "").multipart(
                Form::new()
                    .text("csrf", csrf)
                    .text("assignment", world.assignment_id.to_string())
                    .text("date", "2024-01-04")
                    .text("title", format!("Ghi từ trang {n}")),
            ),
            ("POST", "/account/password") => self
                .page("POST", "/account/password", "")
                // The same password again: it passes the rules, and later rows still sign in.
                .form(&[
                    ("csrf", csrf.as_str()),
                    ("current", PASSWORD),
                    ("new", PASSWORD),
                    ("repeat", PASSWORD),
                ]),
            ("POST", "/account/tokens/{id}/revoke") => {
                // A fresh token of the caller's, so its API rows keep theirs.
                let id = match self.browser() {
                    Some(b) => self
                        .store
                        .create_token(
                            world.users[&b.username].id,
                            "page",
                            &kehoach::auth::token_hash(&kehoach::auth::random_secret(24)),
                            &Change::system("test"),
                        )
                        .await
                        .unwrap(),
                    None => 1,
                };
                self.page("POST", &format!("/account/tokens/{id}/revoke"), "")
                    .form(&[("csrf", csrf)])
            }
            ("POST", "/account/sign-out-others") => self
                .page("POST", "/account/sign-out-others", "")
                .form(&[("csrf", csrf)]),
            ("POST", "/users") => self.page("POST", "/users", "").form(&[
                ("csrf", csrf),
                ("username", format!("tk{n}")),
                ("unit", world.station_code.clone()),
                ("role", "reporter".into()),
            ]),
            ("POST", p) if p.starts_with("/users/{id}/") => {
                // A fresh account of the station's to act on.
                let user = self
                    .store
                    .create_user(
                        &format!("tk{n}"),
                        "tk",
                        Some(world.station_id),
                        Role::Reporter,
                        "!",
                        &Change::system("test"),
                    )
                    .await
                    .unwrap();
                self.page("POST", &p.replace("{id}", &user.id.to_string()), "")
                    .form(&[("csrf", csrf)])
            }
            // The reporting chain (issue 20).
            ("POST", "/plans/{id}/reports") => self.page("POST", &filled, "").form(&[
                ("csrf", csrf),
                ("title", format!("Báo cáo trang {n}")),
                ("due", "2024-11-20".into()),
                ("units", world.station_code.clone()),
            ]),
            ("POST", "/reports/{id}/units/{unit}" | "/reports/{id}/units/{unit}/autosave") => {
                let version = self
                    .draft_version()
                    .await
                    .map(|v| v.to_string())
                    .unwrap_or_default();
                self.page("POST", &filled, "").form(&[
                    ("csrf", csrf),
                    ("version", version),
                    ("results", format!("Kết quả trang {n}")),
                ])
            }
            ("POST", "/reports/{id}/units/{unit}/submit") => {
                let id = self.fresh_request(false).await;
                self.page(
                    "POST",
                    &format!("/reports/{id}/units/{}/submit", world.station_id),
                    "",
                )
                .multipart(
                    Form::new()
                        .text("csrf", csrf)
                        .text("number", format!("{n}/BC"))
                        .text("date", "2024-11-10")
                        .text("signer", "Lê A"),
                )
            }
            ("POST", "/reports/{id}/units/{unit}/review") => {
                let id = self.fresh_request(true).await;
                self.page(
                    "POST",
                    &format!("/reports/{id}/units/{}/review", world.station_id),
                    "",
                )
                .form(&[("csrf", csrf), ("decision", "accept".into())])
            }
            // Budget cycle (issue 21).
            ("POST", p)
                if p.starts_with("/plans/{id}/budget/") || p.starts_with("/budget-lines/") =>
            {
                let path = filled.replace("{id}", &world.budget_line.to_string());
                let station = world.station_id.to_string();
                let mut form = vec![("csrf", csrf)];
                let fields: Vec<(&str, String)> = match p.rsplit('/').next().unwrap_or("") {
                    "lines" => vec![
                        ("assignment", world.assignment_id.to_string()),
                        ("content", format!("Dòng trang {n}")),
                        ("measure", "số".into()),
                        ("quantity", "1".into()),
                        ("price", "100.000".into()),
                        ("source", "tinh".into()),
                    ],
                    // A unit with no estimate: nothing to submit.
                    "submit" => vec![("unit", world.province_id.to_string())],
                    "return" => vec![("unit", station), ("reason", "Chưa đủ căn cứ".into())],
                    "approve" => vec![
                        ("decision", "1/QĐ-UBND".into()),
                        ("date", "2024-03-01".into()),
                    ],
                    "spend" => vec![
                        ("assignment", world.assignment_id.to_string()),
                        ("date", "2024-03-20".into()),
                        ("amount", "100.000".into()),
                        ("content", "Chi thử".into()),
                    ],
                    "settle" | "accept" => vec![("unit", station)],
                    "propose" | "appraise" => {
                        vec![("amount", "1.000".into()), ("comment", "Giảm".into())]
                    }
                    _ => Vec::new(),
                };
                form.extend(fields);
                self.page("POST", &path, "").form(&form)
            }
            // Review and periods (issue 19).
            ("POST", "/review") => {
                let id = self.new_activity().await;
                self.page("POST", "/review", "")
                    .form(&[("csrf", csrf), ("one", format!("accept:{id}"))])
            }
            ("POST", "/plans/{id}/periods") => {
                let periods = ["Q1", "Q2", "Q3", "Q4", "H1", "H2"];
                let period = if self.inside {
                    periods[self.caller.min(5)].to_string()
                } else {
                    "H2".to_string()
                };
                self.page("POST", &filled, "").form(&[
                    ("csrf", csrf),
                    ("unit", world.station_code.clone()),
                    ("period", format!("2024-{period}")),
                    ("action", "submit".into()),
                    ("reason", String::new()),
                ])
            }
            ("POST", "/my-work/resubmit") => {
                // A fresh activity of the station's, returned by the plan office.
                let id = self.new_activity().await;
                self.store
                    .review_activities(
                        &[id],
                        kehoach_core::approval::ReviewDecision::Return,
                        "Thiếu ảnh",
                        &Change::system("test"),
                    )
                    .await
                    .unwrap();
                self.page("POST", "/my-work/resubmit", "")
                    .form(&[("csrf", csrf), ("id", id.to_string())])
            }
            _ => panic!("no way to call page {method} {path}: add one to Call::page_request()"),
        }
    }
}

/// The table is checked in parts, each on a database and server of its own, so that the parts
/// run side by side; a part's rows run in the table's order. The first part also checks that
/// the table and the router agree, and what scoped callers see.
const PARTS: usize = 3;

/// The rows of one part: consecutive rows, about a third of the table.
fn part_of_table(part: usize) -> impl Iterator<Item = &'static Row> {
    TABLE
        .iter()
        .enumerate()
        .filter(move |(i, _)| i * PARTS / TABLE.len() == part)
        .map(|(_, row)| row)
}

async fn every_route_answers_as_the_table_says(db: &TestDb, part: usize) {
    let mut world = set_up(db).await;
    let server = Server::start(&db.cli_args());
    let admin = world.inside[1].clone().unwrap();
    // The file every caller tries to download.
    let form = Form::new()
        .text("date", "2024-01-04")
        .text("title", "Có ảnh")
        .part("file", Part::bytes(PNG.to_vec()).file_name("anh.png"));
    let created: Value = http()
        .post(server.url(&format!(
            "/api/v1/assignments/{}/activities",
            world.assignment_id
        )))
        .bearer_auth(&admin)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    world.sha256 = created["evidence"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();

    if part == 0 {
        // Every route has a row, and every row a route.
        let routes = server_routes(&server).await;
        let missing: Vec<String> = routes
            .iter()
            .filter(|(m, p)| !TABLE.iter().any(|r| r.method == m && r.path == p))
            .map(|(m, p)| format!("{m} {p}"))
            .collect();
        assert!(
            missing.is_empty(),
            "routes without a row in the route table: {missing:?}"
        );
        let stale: Vec<String> = TABLE
            .iter()
            .filter(|r| !routes.iter().any(|(m, p)| r.method == m && r.path == p))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(
            stale.is_empty(),
            "rows for routes the server does not have: {stale:?}"
        );
    }

    let store = db.open().await;
    let mut failures = Vec::new();
    let mut n = 0;
    for row in part_of_table(part) {
        let page = is_page(row.method, row.path);
        for (inside, side, expected) in [
            (true, "inside", row.inside),
            (false, "outside", row.outside),
        ] {
            for (i, caller) in CALLERS.iter().enumerate() {
                n += 1;
                let call = Call {
                    server: &server,
                    world: &world,
                    store: &store,
                    inside,
                    caller: i,
                    n,
                };
                let response = call
                    .request(row.method, row.path)
                    .await
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let body = response.text().await.unwrap();
                if status != expected[i] {
                    let shown: String = body.chars().take(600).collect();
                    failures.push(format!(
                        "{} {} as {caller} {side}: {status}, expected {} ({shown})",
                        row.method, row.path, expected[i]
                    ));
                }
                // Every answer carries the security headers.
                for name in [
                    "content-security-policy",
                    "x-content-type-options",
                    "x-frame-options",
                    "referrer-policy",
                ] {
                    if !headers.contains_key(name) {
                        failures.push(format!(
                            "{} {} as {caller}: no {name}",
                            row.method, row.path
                        ));
                    }
                }
                let content_type = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if page {
                    // A page's refusal is a page (in the caller's language) with the status;
                    // an anonymous caller is sent to sign in.
                    if status >= 400 && !content_type.starts_with("text/html") {
                        failures.push(format!(
                            "{} {} as {caller}: {status} not as a page: {content_type}",
                            row.method, row.path
                        ));
                    }
                    let location = headers
                        .get("location")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    if i == 0
                        && status == 303
                        && row.path != "/lang"
                        && !location.starts_with("/sign-in")
                    {
                        failures.push(format!(
                            "{} {} as {caller}: sent to {location}, not to sign in",
                            row.method, row.path
                        ));
                    }
                } else if status >= 400 && status != 422 {
                    // Every API refusal is a JSON error.
                    let error = serde_json::from_str::<Value>(&body)
                        .ok()
                        .and_then(|j| j["error"].as_str().map(str::to_string))
                        .unwrap_or_default();
                    if error.is_empty() {
                        failures.push(format!(
                            "{} {} as {caller}: {status} without a JSON error: {body}",
                            row.method, row.path
                        ));
                    }
                }
            }
        }
    }
    store.close().await;
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );

    if part > 0 {
        return;
    }

    // The pages list only what the caller may read, as the API does.
    let page_text = |path: String, browser: Browser| {
        let url = server.url(&path);
        async move {
            no_redirects()
                .get(url)
                .header("cookie", format!("kh_session={}", browser.session))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap()
        }
    };
    let link = format!("href=\"/plans/{}\"", world.plan_id);
    let viewer_dn_browser = world.outside_browsers[5].clone().unwrap();
    let viewer_qn_browser = world.inside_browsers[5].clone().unwrap();
    assert!(
        page_text("/plans".into(), viewer_qn_browser.clone())
            .await
            .contains(&link)
    );
    assert!(
        !page_text("/plans".into(), viewer_dn_browser.clone())
            .await
            .contains(&link)
    );
    assert!(
        page_text("/search?q=Quang".into(), viewer_qn_browser)
            .await
            .contains(&link)
    );
    let found = page_text("/search?q=Quang".into(), viewer_dn_browser).await;
    assert!(
        !found.contains(&link) && !found.contains("/tasks/"),
        "{found}"
    );

    // What a scoped caller sees, not only whether it may look.
    let get = |path: String, token: String| {
        let url = server.url(&path);
        async move {
            http()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let viewer_dn = world.outside[5].clone().unwrap();
    assert_eq!(
        get("/api/v1/plans".into(), viewer_dn.clone()).await,
        json!([])
    );
    assert_eq!(
        get(
            "/api/v1/units?q=Quang%20Nam&on=2024-06-01".into(),
            viewer_dn
        )
        .await,
        json!([])
    );
    let reporter_qn = world.inside[3].clone().unwrap();
    let plan = get(
        format!("/api/v1/plans/{}", world.plan_id),
        reporter_qn.clone(),
    )
    .await;
    let units: Vec<i64> = plan["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["unit_id"].as_i64().unwrap())
        })
        .collect();
    assert!(
        !units.is_empty() && units.iter().all(|u| *u == world.station_id),
        "a participant sees only its own part: {units:?}"
    );
    let report = get(
        format!("/api/v1/plans/{}/compliance?at=2024-06-30", world.plan_id),
        reporter_qn,
    )
    .await;
    let reported: Vec<i64> = report["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["assignments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["assignment_id"].as_i64().unwrap())
        })
        .collect();
    assert_eq!(reported.len(), units.len());
    assert!(reported.contains(&world.assignment_id));
    let plan_office_qn = world.inside[2].clone().unwrap();
    let whole = get(
        format!("/api/v1/plans/{}", world.plan_id),
        plan_office_qn.clone(),
    )
    .await;
    assert!(
        whole["tasks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["assignments"].as_array().unwrap().len())
            .sum::<usize>()
            > 1
    );
    // A plan office attached to an agency (the Department is the province's plan office)
    // acts for the agency's province; a reporter of the same agency only for the agency.
    let store = db.open().await;
    let po_agency = user_token(
        &store,
        "po_agency",
        Role::PlanOffice,
        Some(world.station_id),
    )
    .await;
    let other = store
        .assignments_of_plan(world.plan_id)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.unit_id != world.station_id)
        .unwrap()
        .id;
    store.close().await;
    let whole_too = get(
        format!("/api/v1/plans/{}", world.plan_id),
        po_agency.clone(),
    )
    .await;
    assert_eq!(whole_too["tasks"], whole["tasks"]);
    let status = |path: String, token: String| {
        let url = server.url(&path);
        async move {
            http()
                .get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(
        status(format!("/api/v1/assignments/{other}/activities"), po_agency).await,
        200
    );
    assert_eq!(
        status(
            format!("/api/v1/assignments/{other}/activities"),
            world.inside[3].clone().unwrap()
        )
        .await,
        403
    );
    // Provinces, districts and communes come from the registry: a plan office adds agencies.
    let district = http().post(server.url("/api/v1/units")).bearer_auth(world.inside[2].clone().unwrap())
        .json(&json!({"code": "QN-H1", "name": "Huyện Thử", "kind": "district", "parent_id": world.province_id}))
        .send().await.unwrap();
    assert_eq!(district.status(), 403);
    // Unknown routes and methods: JSON errors with the security headers too.
    for (method, path, expected) in [
        ("GET", "/nowhere", 404),
        ("DELETE", "/api/v1/plans", 405),
        ("PUT", "/healthz", 405),
    ] {
        let response = http()
            .request(method.parse().unwrap(), server.url(path))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), expected, "{method} {path}");
        assert_eq!(response.headers()["x-frame-options"], "DENY");
        assert!(
            response.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'")
        );
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].is_string(), "{method} {path}: {body}");
    }
    // The plan office of Đà Nẵng sees no entry about Quảng Nam's plan or activities.
    let plan_office_dn = world.outside[2].clone().unwrap();
    let audit = get("/api/v1/audit?limit=1000".into(), plan_office_dn).await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["entity"] != "plan" && e["entity"] != "activity"),
        "{audit}"
    );
    let audit = get("/api/v1/audit?limit=1000".into(), plan_office_qn).await;
    assert!(
        audit
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["entity"] == "activity"),
        "{audit}"
    );
}

on_both_backends! {
    async fn every_route_answers_each_role_inside_and_outside_as_the_table_says_part_1(db: &TestDb) {
        every_route_answers_as_the_table_says(db, 0).await;
    }

    async fn every_route_answers_each_role_inside_and_outside_as_the_table_says_part_2(db: &TestDb) {
        every_route_answers_as_the_table_says(db, 1).await;
    }

    async fn every_route_answers_each_role_inside_and_outside_as_the_table_says_part_3(db: &TestDb) {
        every_route_answers_as_the_table_says(db, 2).await;
    }

    async fn bad_revoked_and_disabled_credentials_get_401_json(db: &TestDb) {
        let world = set_up(db).await;
        let server = Server::start(&db.cli_args());
        let plans = server.url("/api/v1/plans");
        let viewer = world.inside[5].clone().unwrap();
        assert_eq!(http().get(&plans).bearer_auth(&viewer).send().await.unwrap().status(), 200);
        for header in ["Bearer", "Bearer ", "Bearer nope", "Basic dXNlcjpwYXNz", "bearer"] {
            let response = http().get(&plans).header("authorization", header).send().await.unwrap();
            assert_eq!(response.status(), 401, "{header}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].is_string());
        }
        // Revoked: the token of view_qn (token id from the CLI listing) stops working at once.
        let listed = cli_json(db, &["user", "tokens", "view_qn", "--json"]);
        let id = listed[0]["id"].as_i64().unwrap().to_string();
        let (code, out, err) = common::run_cli(db, &["user", "token", "view_qn", "--revoke", &id]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("revoked"), "{out}");
        assert_eq!(http().get(&plans).bearer_auth(&viewer).send().await.unwrap().status(), 401);
        let (code, _, err) = common::run_cli(db, &["user", "token", "view_qn", "--revoke", &id]);
        assert_eq!(code, 2, "revoking twice is an input error: {err}");
        // Disabled: every token of the user stops working.
        let reporter = world.inside[3].clone().unwrap();
        assert_eq!(http().get(&plans).bearer_auth(&reporter).send().await.unwrap().status(), 200);
        let (code, _, err) = common::run_cli(db, &["user", "disable", "rep_qn"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(http().get(&plans).bearer_auth(&reporter).send().await.unwrap().status(), 401);
    }
}
