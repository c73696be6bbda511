//! What every response gets: security headers, and errors as JSON even when the framework (body
//! limit, timeout, unknown method) answered before any handler ran.

use axum::body::Body;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode, header};

/// The content security policy: the app's own scripts, styles, images and fonts only; no inline
/// script, no plugins, no framing, forms post back to the app. A response that sets its own policy
/// (an evidence download is sandboxed) keeps it.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// The security headers, each set only when the response has none of its own.
const SECURITY_HEADERS: [(HeaderName, &str); 5] = [
    (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    (header::X_FRAME_OPTIONS, "DENY"),
    (header::REFERRER_POLICY, "same-origin"),
    (
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    ),
];

/// What every response goes through: framework errors as JSON, then the security headers.
pub async fn harden(response: Response<Body>) -> Response<Body> {
    let mut response = json_errors(response).await;
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    }
    response
}

/// An error the framework produced (plain text or empty: the body limit's 413, a timeout's 408,
/// an unknown method's 405) becomes the API's JSON error; handler errors (already JSON) and
/// pages' HTML errors are left as they are.
async fn json_errors(response: Response<Body>) -> Response<Body> {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if !plain {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    // The framework's own text names the problem (e.g. "Invalid URL: Cannot parse `abc` to a
    // `i64`"): keep it when there is one.
    let text = axum::body::to_bytes(body, 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let message = match (status, text) {
        (StatusCode::PAYLOAD_TOO_LARGE, _) => "request body: too large".to_string(),
        (StatusCode::REQUEST_TIMEOUT, _) => "the request took too long".to_string(),
        (StatusCode::METHOD_NOT_ALLOWED, _) => "method not allowed on this route".to_string(),
        (_, Some(text)) => text,
        (other, None) => other
            .canonical_reason()
            .unwrap_or("request refused")
            .to_lowercase(),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let body = serde_json::json!({ "error": message }).to_string();
    Response::from_parts(parts, Body::from(body))
}

/// What every request goes through before routing: a query parameter with a control character
/// (NUL, a newline…) is refused with a 400 naming it — PostgreSQL cannot even compare such text,
/// and no parameter of ours needs one. Stored text is cleaned by `text::nfc` instead (see there);
/// a query is never stored, so refusing it loses nothing.
pub async fn refuse_control_queries(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    if let Some(name) = control_in_query(request.uri()) {
        let body = serde_json::json!({
            "error": format!("{name}: contains a control character (such as NUL or a line break)")
        })
        .to_string();
        let mut response = Response::new(Body::from(body));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return response;
    }
    next.run(request).await
}

/// An error answered to a request that came with a body says `Connection: close`. The handler
/// may have refused it before reading the body (a body over the limit, a bad token on an upload);
/// the server then closes the connection rather than read the rest, and a client told so does not
/// send its next request down a connection about to close. (Outside the layers that rewrite
/// error responses, so the header stays.)
pub async fn close_after_errors(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response<Body> {
    let has_body = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim() != "0")
        || request.headers().contains_key(header::TRANSFER_ENCODING);
    let mut response = next.run(request).await;
    let status = response.status();
    if has_body && (status.is_client_error() || status.is_server_error()) {
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// [`control_in_query`]'s rule as the OpenAPI document states it for every text query parameter
/// (`char::is_control`: C0, DEL and C1), added by `web::api::complete_responses`.
pub const NO_CONTROL_PATTERN: &str = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$";

/// The name of the first query parameter whose name or (decoded) value holds a control character.
fn control_in_query(uri: &axum::http::Uri) -> Option<String> {
    uri.query()?;
    // Undecodable text (bad UTF-8) is left to the route's own parser, which names it.
    let axum::extract::Query(pairs) =
        axum::extract::Query::<Vec<(String, String)>>::try_from_uri(uri).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| k.chars().chain(v.chars()).any(char::is_control))
        .map(|(k, _)| k.chars().filter(|c| !c.is_control()).take(50).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_in_the_query_is_named() {
        let uri: axum::http::Uri = "/api/v1/units?on=2024-01-01&q=a%00b".parse().unwrap();
        assert_eq!(control_in_query(&uri).as_deref(), Some("q"));
        let uri: axum::http::Uri = "/lang?to=en&back=%0A".parse().unwrap();
        assert_eq!(control_in_query(&uri).as_deref(), Some("back"));
        let uri: axum::http::Uri = "/search?q=chuy%E1%BB%83n%20%C4%91%E1%BB%95i"
            .parse()
            .unwrap();
        assert_eq!(control_in_query(&uri), None);
    }

    #[test]
    fn the_documented_pattern_is_the_control_rule() {
        let pattern = regex::Regex::new(NO_CONTROL_PATTERN).unwrap();
        for c in (0..=0x2FFFFu32).filter_map(char::from_u32) {
            assert_eq!(
                pattern.is_match(&format!("a{c}b")),
                !c.is_control(),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
