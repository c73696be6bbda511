//! The one error type of the HTTP layer. Client errors carry a message meant for the client;
//! server errors log their cause and show the client only a generic message and the request id.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// A request the framework refused (malformed JSON, wrong content type, body too large).
    #[error("{message}")]
    Rejected { status: StatusCode, message: String },
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Rejected { status, .. } => *status,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(format!("{what} not found")),
            StoreError::Conflict(what) => ApiError::Conflict(format!("{what} already exists")),
            StoreError::Invalid(msg) => ApiError::BadRequest(msg),
            StoreError::Locked(lock) => ApiError::Conflict(lock.to_string()),
            StoreError::Closed(why) => ApiError::Conflict(why.to_string()),
            other => ApiError::Internal(other.into()),
        }
    }
}

impl From<crate::files::FileError> for ApiError {
    fn from(e: crate::files::FileError) -> Self {
        use crate::files::FileError;
        match e {
            FileError::TooLarge { .. } => ApiError::PayloadTooLarge(format!("file: {e}")),
            FileError::Unsupported { .. } => ApiError::UnsupportedMediaType(format!("file: {e}")),
            FileError::Empty { .. } => ApiError::BadRequest(format!("file: {e}")),
            FileError::BadName(_) => ApiError::BadRequest(e.to_string()),
            FileError::Io(_) | FileError::Store(_) => ApiError::Internal(e.into()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "request failed");
        }
        let mut response = (status, Json(json!({"error": self.to_string()}))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
