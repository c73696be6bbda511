use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use super::AppState;
use crate::store::Backend;

#[derive(Serialize)]
pub struct Health {
    status: &'static str,
    backend: Backend,
    version: &'static str,
    schema_version: i64,
}

/// Liveness and readiness: answers 200 only when the database answers.
pub async fn healthz(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let schema = match state.store.ping().await {
        Ok(()) => state.store.schema_version().await.ok(),
        Err(_) => None,
    };
    let (code, status) = match schema {
        Some(_) => (StatusCode::OK, "ok"),
        None => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
    };
    let health = Health {
        status,
        backend: state.store.backend(),
        version: env!("CARGO_PKG_VERSION"),
        schema_version: schema.unwrap_or(0),
    };
    (code, Json(health))
}
