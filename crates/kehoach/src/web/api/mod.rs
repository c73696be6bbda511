//! The JSON API under `/api/v1`: one module per resource. Routes are registered together with
//! their OpenAPI description (`utoipa_axum::routes!`), so `/api/openapi.json` cannot miss one.

mod activities;
pub(crate) use activities::discard_files;
pub(crate) mod exports;
pub(crate) mod files;
mod plans;
mod units;
// After the others (not in alphabetical order) so parallel branches adding modules merge cleanly.
mod audit;

use utoipa::OpenApi;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;

use axum::Router;

use super::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "kehoach API", description = "Kế hoạch truyền thông chuyển đổi số: plans, assignments, activities, compliance."),
    servers((url = "/api/v1")),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The API routes (relative to `/api/v1`): the JSON routes, the upload routes (which get their
/// own body limit and timeout), and one OpenAPI document describing both.
pub fn router() -> (Router<AppState>, Router<AppState>, utoipa::openapi::OpenApi) {
    let (json, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(plans::router())
        .merge(audit::router())
        .merge(units::router())
        .merge(files::router())
        .merge(exports::router())
        .split_for_parts();
    let (uploads, upload_doc) = activities::router().split_for_parts();
    doc.merge(upload_doc);
    (json, uploads, doc)
}

/// The body limit of upload routes: the file cap for each of the files an activity may carry,
/// or a whole import sheet, plus room for the form fields.
pub fn upload_body_limit(max_upload_bytes: u64) -> usize {
    let files = max_upload_bytes.saturating_mul(crate::files::MAX_FILES_PER_ACTIVITY as u64);
    let sheet = crate::activity_import::MAX_IMPORT_BYTES as u64;
    usize::try_from(files.max(sheet).saturating_add(256 * 1024)).unwrap_or(usize::MAX)
}
