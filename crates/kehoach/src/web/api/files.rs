//! `/api/v1/files/{sha256}`: an evidence file, always as a download (never rendered inline).

use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::Action;
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(download))
}

/// Download an evidence file
///
/// Always as an attachment, with `X-Content-Type-Options: nosniff`: never rendered inline. Only
/// files held by an activity within the caller's subtree (others answer 404, as if absent).
#[utoipa::path(get, path = "/files/{sha256}", tag = "activities",
    params(("sha256" = String, Path, description = "the file's SHA-256, 64 hex digits")),
    responses((status = 200, description = "the file, with the type it was stored with", content_type = "*/*"),
        (status = 404, description = "no such file")),
    security(("bearer" = [])))]
async fn download(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(sha256): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::NotFound(format!("file {sha256} not found"));
    if !crate::files::is_sha256_hex(&sha256) {
        return Err(not_found());
    }
    let authz = Authz::of(&state, &user);
    authz
        .check(Action::ViewFile, Resource::File(&sha256))
        .await?;
    let evidence = state
        .store
        .evidence_file_within(&sha256, authz.scope_root().await?)
        .await?
        .ok_or_else(not_found)?;
    let (body, length) = state.files.body(&sha256).await?.ok_or_else(not_found)?;
    Ok(evidence_download(body, length, &evidence))
}

/// An evidence file as a download: its stored type and name (RFC 6266), `nosniff` and a
/// sandboxing CSP, so a browser never renders it, whether the API or a page serves it. The body
/// is streamed from the file store (`evidence_store.rs`), never read whole into memory.
pub(crate) fn evidence_download(
    body: axum::body::Body,
    length: u64,
    evidence: &crate::store::EvidenceRow,
) -> Response {
    let name = evidence.file_name.as_deref().unwrap_or("file");
    let content_type = evidence
        .content_type
        .as_deref()
        .unwrap_or("application/octet-stream");
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&content_disposition(name))
            .unwrap_or(HeaderValue::from_static("attachment")),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    response
}

/// `attachment` with an ASCII fallback name and the real (UTF-8) name per RFC 6266 / 5987.
pub(crate) fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn disposition_keeps_the_name_safely() {
        assert_eq!(
            super::content_disposition("Ảnh \"1\".png"),
            "attachment; filename=\"_nh _1_.png\"; filename*=UTF-8''%E1%BA%A2nh%20%221%22.png"
        );
    }
}
