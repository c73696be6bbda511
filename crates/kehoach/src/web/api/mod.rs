//! The JSON API under `/api/v1`: one module per resource.

mod activities;
mod files;
mod units;

use axum::Router;

use super::AppState;

/// Routes whose bodies are small JSON (the 1 MB limit applies).
pub fn router() -> Router<AppState> {
    Router::new().merge(units::router()).merge(files::router())
}

/// Routes that take uploads: their body limit is [`upload_body_limit`].
pub fn upload_router() -> Router<AppState> {
    activities::router()
}

/// The body limit of upload routes: the file cap for each of the files an activity may carry,
/// or a whole import sheet, plus room for the form fields.
pub fn upload_body_limit(max_upload_bytes: u64) -> usize {
    let files = max_upload_bytes.saturating_mul(crate::files::MAX_FILES_PER_ACTIVITY as u64);
    let sheet = crate::activity_import::MAX_IMPORT_BYTES as u64;
    usize::try_from(files.max(sheet).saturating_add(256 * 1024)).unwrap_or(usize::MAX)
}
