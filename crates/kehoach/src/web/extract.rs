//! Extractors whose rejections are the API's own JSON errors (naming what is wrong), instead of
//! axum's plain-text ones.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::ApiError;

/// `Query<T>` answering 400 with a JSON error that names the bad parameter.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::BadRequest(e.body_text()))
    }
}

/// `Json<T>` answering 400/413/415 with a JSON error that says what is wrong with the body.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(json) => Ok(ApiJson(json.0)),
            Err(e) => Err(ApiError::Rejected {
                status: e.status(),
                message: e.body_text(),
            }),
        }
    }
}

/// The earliest and latest date any parameter may name: the years `period=` accepts
/// (`export::report::parse_year`). A date beyond would make a report of centuries of periods.
pub const FIRST_DAY: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
pub const LAST_DAY: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();

/// `#[serde(default, deserialize_with = "bounded_date")]` for an optional `YYYY-MM-DD` query
/// parameter: a date that does not exist or lies outside [`FIRST_DAY`]..=[`LAST_DAY`] is refused
/// (the extractor's 400 names the parameter).
pub fn bounded_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    use serde::Deserialize;
    let Some(text) = Option::<String>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if text.is_empty() {
        return Ok(None);
    }
    let short: String = text.chars().take(40).collect();
    match chrono::NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
        Ok(day) if (FIRST_DAY..=LAST_DAY).contains(&day) => Ok(Some(day)),
        Ok(_) => Err(serde::de::Error::custom(format!(
            "{short:?}: a date from {FIRST_DAY} to {LAST_DAY}"
        ))),
        Err(_) => Err(serde::de::Error::custom(format!(
            "{short:?}: a date as YYYY-MM-DD that exists"
        ))),
    }
}
