//! The JSON API under `/api/v1`: one module per resource.

mod activity_post;
mod units;

use axum::Router;

use super::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(units::router())
        .merge(activity_post::router())
}
