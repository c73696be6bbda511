//! `/api/v1/audit` and `/api/v1/audit.csv`: the audit log for administrators (all of it) and plan
//! offices (the entries about things within their subtree).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit_export::{day_range, write_csv};
use crate::authz::Action;
use crate::store::{AuditEntry, AuditFilter, UserRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::ApiQuery;
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(export_csv))
}

/// Most entries one JSON page holds.
const MAX_PAGE: i64 = 1000;
/// Most entries one CSV download holds; a longer range is refused (narrow it, or use
/// `kehoach audit export`, which has no cap).
pub const MAX_CSV_ROWS: i64 = 100_000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct AuditQuery {
    /// First day, YYYY-MM-DD (Vietnam time), inclusive.
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    from: Option<NaiveDate>,
    /// Last day, YYYY-MM-DD (Vietnam time), inclusive.
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    to: Option<NaiveDate>,
    /// Only changes made by this user name ("cli" and "system" for the command line and start-up).
    actor: Option<String>,
    /// Only changes to this kind of thing: unit, user, api_token, plan, activity.
    entity: Option<String>,
    /// Only entries older than this id (the next page).
    before: Option<i64>,
    /// Entries per page (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
}

/// The filter the query asks for, limited to the caller's scope.
async fn filter_for(
    state: &AppState,
    user: &UserRow,
    query: &AuditQuery,
) -> Result<AuditFilter, ApiError> {
    // The page size is checked for the CSV too (which has no pages), as the document says.
    if !(1..=MAX_PAGE).contains(&query.limit.unwrap_or(100)) {
        return Err(ApiError::BadRequest(format!(
            "limit: between 1 and {MAX_PAGE}"
        )));
    }
    let authz = Authz::of(state, user);
    authz.check(Action::ViewAudit, Resource::Anywhere).await?;
    let within = authz.scope_root().await?;
    let (from, to) = day_range(query.from, query.to).map_err(ApiError::BadRequest)?;
    for (name, value) in [("actor", &query.actor), ("entity", &query.entity)] {
        if value.as_deref().is_some_and(|v| v.chars().count() > 100) {
            return Err(ApiError::BadRequest(format!(
                "{name}: at most 100 characters"
            )));
        }
    }
    Ok(AuditFilter {
        from,
        to,
        actor: query.actor.clone(),
        entity: query.entity.clone(),
        within,
        before_id: query.before,
        after_id: None,
    })
}

/// Read the audit log
///
/// Who changed what, when, from what to what; newest first. Administrators see every entry, a
/// plan office the entries about units, users, plans and activities within its subtree.
#[utoipa::path(get, path = "/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = [crate::store::AuditEntry], description = "the entries, newest first"),
        (status = 400, description = "a bad filter, named"), (status = 403, description = "not an administrator or plan office")),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    let filter = filter_for(&state, &user, &query).await?;
    let limit = query.limit.unwrap_or(100);
    Ok(Json(state.store.audit_log(&filter, false, limit).await?))
}

/// Export the audit log as CSV
///
/// The same entries and filters as `/audit` (without paging), oldest first, as a CSV download
/// whose cells are safe to open in a spreadsheet (formula-like cells start with `'`). At most
/// 100,000 entries: narrow `from`/`to` for more.
#[utoipa::path(get, path = "/audit.csv", tag = "audit", params(AuditQuery),
    responses((status = 200, content_type = "text/csv", description = "id,at,actor,user_id,action,entity,entity_id,before,after"),
        (status = 400, description = "a bad filter, or more than 100,000 entries"), (status = 403, description = "not an administrator or plan office")),
    security(("bearer" = [])))]
async fn export_csv(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Response, ApiError> {
    let filter = filter_for(&state, &user, &query).await?;
    let entries = state
        .store
        .audit_log(&filter, true, MAX_CSV_ROWS + 1)
        .await?;
    if entries.len() as i64 > MAX_CSV_ROWS {
        return Err(ApiError::BadRequest(format!(
            "more than {MAX_CSV_ROWS} entries: narrow from/to, or use `kehoach audit export`"
        )));
    }
    let mut body = Vec::new();
    write_csv(&mut body, &entries, true).map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"audit.csv\""),
    );
    Ok(response)
}
