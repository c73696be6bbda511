//! `/api/v1/units`: search the registry and add units (e.g. an agency the registry lacks).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::authz::Action;
use crate::store::{Change, NewUnit, UnitRow};
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource};
use crate::web::extract::{ApiJson, ApiQuery};
use crate::web::{ApiError, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search, create))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct SearchQuery {
    /// Words of the name or an alias; diacritics and case are ignored (at most 200 characters).
    #[param(max_length = 200)]
    q: String,
    /// Only units valid on this date (default: today).
    #[serde(default, deserialize_with = "crate::web::extract::api_date")]
    #[param(schema_with = crate::web::extract::date_schema)]
    on: Option<NaiveDate>,
}

/// Search units
///
/// Units valid on the date whose name or an alias contains the query, diacritics ignored
/// ("da nang" finds "Đà Nẵng"); at most 50; only units within the caller's subtree.
#[utoipa::path(get, path = "/units", tag = "units", params(SearchQuery),
    responses((status = 200, body = [UnitRow]), (status = 400, description = "a bad query")),
    security(("bearer" = [])))]
async fn search(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> Result<Json<Vec<UnitRow>>, ApiError> {
    let authz = Authz::of(&state, &user);
    authz.check(Action::ViewUnits, Resource::Anywhere).await?;
    let root = authz.scope_root().await?;
    if query.q.chars().count() > 200 {
        return Err(ApiError::BadRequest("q: at most 200 characters".into()));
    }
    let on = query.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    Ok(Json(
        state
            .store
            .search_units_within(&query.q, on, 50, root)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateUnit {
    /// At most 64 bytes.
    #[schema(max_length = 64)]
    code: String,
    /// At most 300 characters.
    #[schema(max_length = 300)]
    name: String,
    /// province, district, commune or agency.
    #[schema(example = "agency")]
    kind: String,
    parent_id: Option<i64>,
    /// At most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    aliases: Vec<String>,
}

/// Create a unit
///
/// Adds a unit the registry lacks (e.g. an agency), with its aliases. Administrators anywhere;
/// plan offices add agencies under a unit within their subtree.
#[utoipa::path(post, path = "/units", tag = "units", request_body = CreateUnit,
    responses((status = 201, body = UnitRow), (status = 400, description = "a bad field"),
        (status = 403, description = "not a plan office of the parent unit"), (status = 409, description = "the unit exists")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(body): ApiJson<CreateUnit>,
) -> Result<(StatusCode, Json<UnitRow>), ApiError> {
    if !matches!(
        body.kind.as_str(),
        "province" | "district" | "commune" | "agency"
    ) {
        return Err(ApiError::BadRequest(
            "kind: one of province, district, commune, agency".into(),
        ));
    }
    let action = if body.kind == "agency" {
        Action::ManageUnits
    } else {
        Action::ManageAdministrativeUnits
    };
    Authz::of(&state, &user)
        .check(action, Resource::Unit(body.parent_id))
        .await?;
    if body.code.len() > 64 || body.name.chars().count() > 300 || body.aliases.len() > 20 {
        return Err(ApiError::BadRequest(
            "code at most 64 bytes, name at most 300 characters, at most 20 aliases".into(),
        ));
    }
    if let Some(parent) = body.parent_id
        && state.store.unit(parent).await?.is_none()
    {
        return Err(ApiError::BadRequest(format!("parent_id: no unit {parent}")));
    }
    let unit = NewUnit {
        code: body.code,
        name: body.name,
        kind: body.kind,
        parent_id: body.parent_id,
        aliases: body.aliases,
        ..NewUnit::default()
    };
    let change = Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    };
    let row = state.store.create_unit(&unit, &change).await?;
    Ok((StatusCode::CREATED, Json(row)))
}
