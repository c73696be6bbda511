//! `POST /api/v1/assignments/{id}/activities`: record one activity. A minimal handler for the
//! national bench (single API requests); the full activity API (evidence, listing, import) is
//! written on another branch and replaces this module when merged.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::store::{ActivityRow, Change, NewActivity, Role, StoreError};
use crate::web::auth::Caller;
use crate::web::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/assignments/{id}/activities", post(create))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PostActivity {
    date: NaiveDate,
    title: String,
    #[serde(default = "one")]
    quantity: f64,
}

fn one() -> f64 {
    1.0
}

/// Largest quantity one activity may claim.
const MAX_QUANTITY: f64 = 1_000_000.0;

async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    Json(body): Json<PostActivity>,
) -> Result<(StatusCode, Json<ActivityRow>), ApiError> {
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > 500 {
        return Err(ApiError::BadRequest(
            "title: between 1 and 500 characters".into(),
        ));
    }
    if !(body.quantity > 0.0 && body.quantity <= MAX_QUANTITY) {
        return Err(ApiError::BadRequest(format!(
            "quantity: more than 0 and at most {MAX_QUANTITY}"
        )));
    }
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    if body.date > today {
        return Err(ApiError::BadRequest(format!(
            "date: {} is in the future",
            body.date
        )));
    }
    let assignment = state
        .store
        .assignment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("assignment {id}")))?;
    let allowed = match user.role {
        Role::Admin | Role::PlanOffice => true,
        Role::Reporter => user.unit_id == Some(assignment.unit_id),
        Role::Finance | Role::Viewer => false,
    };
    if !allowed {
        return Err(ApiError::Forbidden(
            "you may record activities only for your own unit".into(),
        ));
    }
    let activity = NewActivity {
        assignment_id: id,
        occurred_on: body.date,
        title: title.to_string(),
        quantity: body.quantity,
        ..NewActivity::default()
    };
    let change = Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    };
    let row = state
        .store
        .add_activity(&activity, &change)
        .await
        .map_err(|e| match e {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            other => other.into(),
        })?;
    Ok((StatusCode::CREATED, Json(row)))
}
