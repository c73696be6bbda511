//! The HTTP server: JSON API, health, metrics, and the web application's pages (`pages/`).

mod api;
mod auth;
pub mod authz;
mod calendar;
mod error;
pub(crate) mod extract;
mod hardening;
mod health;
mod metrics;
pub mod pages;
pub mod session;
pub mod signin_throttle;
// Issue 18 (H): heavy reads from a PostgreSQL replica.
pub mod replica;

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::files::FileStore;
use crate::store::Store;

pub use error::ApiError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Evidence files, and the largest one accepted.
    pub files: FileStore,
    /// The pages' settings (no state: servers behind a proxy share only the database).
    pub pages: std::sync::Arc<pages::PagesConfig>,
}

/// Largest JSON body the API accepts; uploads get their own, larger limit.
pub(crate) const JSON_BODY_LIMIT: usize = 1024 * 1024;

/// How long a request may take; uploads (a phone on a slow network) get longer.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(15 * 60);

fn timeout(limit: Duration) -> TimeoutLayer {
    TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, limit)
}

pub fn router(state: AppState) -> Router {
    let request_id = axum::http::HeaderName::from_static("x-request-id");
    let upload_limit = api::upload_body_limit(state.files.max_bytes());
    let (api, uploads, openapi) = api::router();
    let page_upload_limit = upload_limit;
    let openapi = std::sync::Arc::new(openapi);
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/calendar/{file}", get(calendar::feed))
        .route(
            "/api/openapi.json",
            get(move || async move { axum::Json(openapi.as_ref().clone()) }),
        )
        .layer(timeout(REQUEST_TIMEOUT))
        .nest(
            "/api/v1",
            api.layer(RequestBodyLimitLayer::new(JSON_BODY_LIMIT))
                .layer(timeout(REQUEST_TIMEOUT))
                // Uploads have their own, larger limits (the upload cap per file, times the files).
                .merge(
                    uploads
                        .layer(axum::extract::DefaultBodyLimit::disable())
                        .layer(RequestBodyLimitLayer::new(upload_limit))
                        .layer(timeout(UPLOAD_TIMEOUT)),
                ),
        )
        // Pages: uploads (a plan document, evidence from a phone) are bounded like the API's.
        .merge(
            pages::router()
                .layer(axum::extract::DefaultBodyLimit::disable())
                .layer(RequestBodyLimitLayer::new(page_upload_limit))
                .layer(timeout(UPLOAD_TIMEOUT)),
        )
        // A route layer sees the matched route pattern, which labels the metrics.
        .route_layer(axum::middleware::from_fn(metrics::track))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .with_state(state.clone())
        // Issue 18 (H): which reads a replica answers (`--read-database-url`).
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            replica::route_reads,
        ))
        .layer(axum::middleware::from_fn(hardening::refuse_control_queries))
        // Framework errors on a browser's page request: an error page, not JSON.
        .layer(axum::middleware::from_fn_with_state(
            state,
            pages::browser_errors,
        ))
        .layer(axum::middleware::from_fn(hardening::close_after_errors))
        .layer(axum::middleware::map_response(hardening::harden))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http())
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// `/metrics` alone, for its own listener (`serve --metrics-addr`): the counters name every
/// route and its traffic, which is the operator's business, not the public's.
pub fn metrics_router() -> Router {
    Router::new()
        .route("/metrics", get(metrics::render))
        .layer(axum::middleware::map_response(hardening::harden))
}

/// Serves until `shutdown` resolves; then stops accepting, lets requests in flight finish, and
/// closes the database. With a `metrics` listener, `/metrics` is served there (and nowhere else).
pub async fn serve(
    listener: TcpListener,
    metrics: Option<TcpListener>,
    store: Store,
    files: FileStore,
    pages: pages::PagesConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    metrics::install();
    let metrics_task = metrics.map(|listener| {
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics_router()).await {
                tracing::error!(error = %e, "the metrics listener failed");
            }
        })
    });
    let app = router(AppState {
        store: store.clone(),
        files,
        pages: std::sync::Arc::new(pages),
    });
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = %store.backend(), "kehoach is serving");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    if let Some(task) = metrics_task {
        task.abort();
    }
    tracing::info!("requests drained; closing the database");
    store.close().await;
    Ok(())
}

/// Installs the Ctrl-C and SIGTERM handlers now, and resolves when either arrives.
///
/// The handlers are registered before this returns (not when the future is first polled), so a
/// signal that arrives right after the server announces its address still drains the server
/// instead of killing it. Call it inside the runtime, before listening.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            match (interrupt, terminate) {
                (Ok(mut interrupt), Ok(mut terminate)) => {
                    tokio::select! { _ = interrupt.recv() => {}, _ = terminate.recv() => {} }
                }
                _ => std::future::pending::<()>().await,
            }
            tracing::info!("shutdown signal received: no new connections");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutdown signal received: no new connections");
    }
}
