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

/// `Json<T>` answering 400/413/415 with a JSON error that says what is wrong with the body, and
/// 422 naming the field for a body that does not deserialize.
///
/// A number with no fractional part is an integer, as JSON Schema counts (`1.0` is the integer
/// 1), so the OpenAPI document's `type: integer` fields take `571.0`; serde alone would refuse it
/// for an `i64`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut value = match axum::Json::<serde_json::Value>::from_request(req, state).await {
            Ok(json) => json.0,
            Err(e) => {
                return Err(ApiError::Rejected {
                    status: e.status(),
                    message: e.body_text(),
                });
            }
        };
        integral_floats_as_integers(&mut value);
        serde_path_to_error::deserialize(value)
            .map(ApiJson)
            .map_err(|e| ApiError::Rejected {
                status: axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                message: format!(
                    "Failed to deserialize the JSON body into the target type: {}: {}",
                    e.path(),
                    e.inner()
                ),
            })
    }
}

/// 2^63, exactly (a power of two is exact in an f64).
const TWO_TO_63: f64 = 9_223_372_036_854_775_808.0;

/// Rewrites every float with no fractional part that an `i64` holds (`571.0`) as that integer.
fn integral_floats_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            // 2^63 is the first float past i64::MAX; every float below it with no fraction is
            // exactly an i64.
            if f.fract() == 0.0 && (-TWO_TO_63..TWO_TO_63).contains(&f) {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_as_integers),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats_as_integers),
        _ => {}
    }
}

/// The earliest and latest date any parameter may name: the years `period=` accepts
/// (`export::report::parse_year`). A date beyond would make a report of centuries of periods.
pub const FIRST_DAY: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
pub const LAST_DAY: chrono::NaiveDate = chrono::NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();

/// The one rule for a date a parameter or field names: `YYYY-MM-DD`, a day that exists, from
/// [`FIRST_DAY`] to [`LAST_DAY`]. The error names the value (cut short) and what is expected.
pub fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    let short: String = text.chars().take(40).collect();
    match chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        // chrono also reads `+2024-01-01` and `2024-1-1`; the pattern in the document does not.
        Ok(day) if text.len() == 10 && (FIRST_DAY..=LAST_DAY).contains(&day) => Ok(day),
        Ok(day) if text.len() == 10 => Err(format!(
            "{short:?}: a date from {FIRST_DAY} to {LAST_DAY}, not {day}"
        )),
        _ => Err(format!("{short:?}: a date as YYYY-MM-DD that exists")),
    }
}

/// [`parse_day`]'s rule as the OpenAPI document states it: `format: date` says the day exists,
/// the pattern says the shape and the years 2000–2100 (`FIRST_DAY`..=`LAST_DAY`, checked by a
/// test below).
pub const DATE_PATTERN: &str = "^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$";

/// The schema of a date parameter or field ([`DATE_PATTERN`]): `#[param(schema_with = …)]`.
pub fn date_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)))
        .pattern(Some(DATE_PATTERN))
        .build()
}

/// [`date_schema`], or null (a body's optional date).
pub fn nullable_date_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{SchemaType, Type};
    let mut schema = date_schema();
    schema.schema_type = SchemaType::from_iter([Type::String, Type::Null]);
    schema
}

/// `#[serde(default, deserialize_with = "bounded_date")]` for an optional `YYYY-MM-DD` parameter
/// of a page's form: an empty value is no date (a filter form sends its empty date inputs); any
/// other is [`parse_day`]'s.
pub fn bounded_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    use serde::Deserialize;
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) if text.is_empty() => Ok(None),
        Some(text) => parse_day(&text).map(Some).map_err(serde::de::Error::custom),
    }
}

/// `#[serde(default, deserialize_with = "api_date")]` for an optional `YYYY-MM-DD` parameter
/// of the API: left out is no date; an empty value (`?at=`) is refused like any other value
/// that is not a date, as the document says (programs send what they mean).
pub fn api_date<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    use serde::Deserialize;
    match Option::<String>::deserialize(deserializer)? {
        None => Ok(None),
        Some(text) => parse_day(&text).map(Some).map_err(serde::de::Error::custom),
    }
}

/// A string schema that is one of `words`: `#[schema(schema_with = …)]` with the parser's own
/// list (e.g. `PeriodAction::ALL`), so the document and the parser cannot drift apart.
pub fn one_of<'a>(words: impl IntoIterator<Item = &'a str>) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(words.into_iter().map(str::to_string)))
        .build()
}

/// The characters `kehoach_core::text::nfc` strips or counts as showing nothing (controls, bidi
/// controls, zero-width and blank characters, whitespace): a required text must hold a character
/// outside them, or it is stored empty and refused as missing. Checked against `nfc` by a test.
pub const VISIBLE_PATTERN: &str = "[^\\s\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u034f\\u061c\\u180e\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff]";

/// A required text of at most `max_chars` characters that must show something
/// ([`VISIBLE_PATTERN`]).
pub fn visible_text(max_chars: usize) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(max_chars))
        .pattern(Some(VISIBLE_PATTERN))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_date_pattern_and_parse_day_agree() {
        let pattern = regex::Regex::new(DATE_PATTERN).unwrap();
        for (text, ok) in [
            ("2000-01-01", true),
            ("2100-12-31", true),
            ("2024-02-29", true),
            ("1999-12-31", false),
            ("2101-01-01", false),
            ("0312-11-08", false),
            ("", false),
            ("2024-1-01", false),
            ("+2024-01-01", false),
        ] {
            assert_eq!(pattern.is_match(text), ok, "{text}");
            assert_eq!(parse_day(text).is_ok(), ok, "{text}");
        }
        // What the pattern lets through and the format refuses: a day that does not exist.
        assert!(pattern.is_match("2024-02-30") && parse_day("2024-02-30").is_err());
    }

    #[test]
    fn the_visible_pattern_is_what_nfc_keeps() {
        let pattern = regex::Regex::new(VISIBLE_PATTERN).unwrap();
        for c in (0..=0x2FFFFu32).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(
                pattern.is_match(&text),
                !kehoach_core::text::nfc(&text).is_empty(),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[derive(Debug, serde::Deserialize)]
    struct Query {
        #[serde(default, deserialize_with = "api_date")]
        at: Option<chrono::NaiveDate>,
    }

    #[test]
    fn an_empty_api_date_is_refused_and_a_left_out_one_is_none() {
        let parse = |q: &str| serde_urlencoded::from_str::<Query>(q).map(|q| q.at);
        assert_eq!(parse("").unwrap(), None);
        assert!(parse("at=").unwrap_err().to_string().contains("YYYY-MM-DD"));
        assert_eq!(
            parse("at=2024-05-01").unwrap(),
            chrono::NaiveDate::from_ymd_opt(2024, 5, 1)
        );
    }

    #[test]
    fn integral_floats_become_integers_and_others_stay() {
        let mut v =
            serde_json::json!({"id": 571.0, "ids": [1.0, -2.0], "q": 1.5, "big": 1e300, "n": 3});
        integral_floats_as_integers(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"id": 571, "ids": [1, -2], "q": 1.5, "big": 1e300, "n": 3})
        );
    }
}
