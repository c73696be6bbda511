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
// Review of activities and approval of periods (issue 19, parts 3–4).
pub(crate) mod periods;
pub(crate) mod review;
// Plans that implement plans (issue 22).
mod plan_import;
mod plan_links;
// Budget cycle (issue 21).
pub(crate) mod budget;
// The reporting chain (issue 20).
pub(crate) mod report_requests;
// Editing plans after import (issue 19, plan edits).
mod plan_edits;

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
        .merge(budget::router())
        .merge(audit::router())
        .merge(units::router())
        // The reporting chain (issue 20).
        .merge(report_requests::router())
        .merge(files::router())
        .merge(exports::router())
        // Editing plans after import (issue 19, plan edits).
        .merge(plan_edits::router())
        // Plans that implement plans (issue 22).
        .merge(plan_links::router())
        .merge(plan_import::router())
        // Review and periods (issue 19, parts 3–4).
        .merge(review::router())
        .merge(periods::router())
        .split_for_parts();
    let (uploads, upload_doc) = activities::router()
        .merge(report_requests::upload_router())
        .merge(plan_import::upload_router())
        .split_for_parts();
    doc.merge(upload_doc);
    complete_responses(&mut doc);
    refuse_controls_in_query_text(&mut doc);
    (json, uploads, doc)
}

/// Every error answer's body.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
struct Error {
    /// What is wrong, naming the field or parameter.
    error: String,
}

/// Adds to every operation the answers the layers around the handlers give, so the document
/// lists every status a route can answer: 401 where a token is required (none, unknown, revoked,
/// a disabled user); 400 where there are parameters or a body (a parameter that does not parse,
/// a control character in the query: `web::hardening::refuse_control_queries`); 413 and 415 where there is a body;
/// 422 where the body is JSON (`ApiJson` keeps axum's status for a body that does not
/// deserialize); 409 on every write (the store's refusals by state: `StoreError::Locked`,
/// `Closed`, `Conflict`); 408 when a request takes too long. Every error answer is `{"error": "…"}`.
fn complete_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::PartialSchema;
    use utoipa::openapi::{Content, Ref, RefOr, ResponseBuilder};
    let components = doc.components.get_or_insert_with(Default::default);
    components
        .schemas
        .insert("Error".to_string(), Error::schema());
    let error = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("Error"))),
                )
                .build(),
        )
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            (&mut item.get, false),
            (&mut item.post, true),
            (&mut item.put, true),
            (&mut item.patch, true),
            (&mut item.delete, true),
        ];
        for (operation, is_write) in operations {
            let Some(operation) = operation else {
                continue;
            };
            let secured = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let has_input = operation.parameters.as_ref().is_some_and(|p| !p.is_empty())
                || operation.request_body.is_some();
            let has_body = operation.request_body.is_some();
            let mut needed = vec![("408", "the request took too long")];
            if secured {
                needed.push((
                    "401",
                    "no valid credentials (none, unknown, revoked, or of a disabled user)",
                ));
            }
            if has_input {
                needed.push(("400", "a bad parameter or field, named"));
            }
            if has_body {
                needed.push(("413", "the body is over the limit"));
                needed.push(("415", "a content type (or file type) not accepted"));
            }
            let json_body = operation
                .request_body
                .as_ref()
                .is_some_and(|b| b.content.keys().any(|k| k == "application/json"));
            if json_body {
                needed.push((
                    "422",
                    "a body that is not the expected JSON: a field of the wrong type, a missing \
                     or unknown field, named",
                ));
            }
            if is_write {
                needed.push((
                    "409",
                    "refused by the current state: a locked period, an archived plan, a closed \
                     assignment, or a change made meanwhile",
                ));
            }
            let responses = &mut operation.responses.responses;
            for (status, description) in needed {
                responses
                    .entry(status.to_string())
                    .or_insert_with(|| error(description));
            }
            // Handlers' own error answers get the error body too.
            for (status, response) in responses.iter_mut() {
                if let (true, RefOr::T(response)) = (status.starts_with('4'), response)
                    && response.content.is_empty()
                {
                    response.content.insert(
                        "application/json".to_string(),
                        Content::new(Some(Ref::from_schema_name("Error"))),
                    );
                }
            }
        }
    }
}

/// States on every text query parameter what `web::hardening::refuse_control_queries` enforces
/// on every query: no control character. A parameter with its own pattern, format or words
/// keeps them (they admit no control character either).
fn refuse_controls_in_query_text(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::schema::{Schema, SchemaType, Type};
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            for parameter in operation.parameters.iter_mut().flatten() {
                if !matches!(parameter.parameter_in, ParameterIn::Query) {
                    continue;
                }
                let Some(RefOr::T(Schema::Object(object))) = &mut parameter.schema else {
                    continue;
                };
                let text = match &object.schema_type {
                    SchemaType::Type(t) => *t == Type::String,
                    SchemaType::Array(types) => types.contains(&Type::String),
                    SchemaType::AnyValue => false,
                };
                if text
                    && object.pattern.is_none()
                    && object.format.is_none()
                    && object.enum_values.is_none()
                {
                    object.pattern = Some(super::hardening::NO_CONTROL_PATTERN.to_string());
                }
            }
        }
    }
}

/// The body limit of upload routes: the file cap for each of the files an activity may carry,
/// or a whole import sheet, plus room for the form fields.
pub fn upload_body_limit(max_upload_bytes: u64) -> usize {
    let files = max_upload_bytes.saturating_mul(crate::files::MAX_FILES_PER_ACTIVITY as u64);
    let sheet = crate::activity_import::MAX_IMPORT_BYTES as u64;
    usize::try_from(files.max(sheet).saturating_add(256 * 1024)).unwrap_or(usize::MAX)
}
