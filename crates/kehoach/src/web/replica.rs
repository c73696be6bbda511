//! Which requests a read replica answers (`serve --read-database-url`, issue 18), and the
//! "as of" note on what it answered.
//!
//! A `GET`/`HEAD` of a page or of a plan's API reads (its compliance, roll-ups and exports) goes
//! to the replica, except the pages about the caller's own account and imports and anything
//! asked by a browser that wrote in the last [`OWN_WRITE_SECS`] seconds: every response to a write
//! sets the [`OWN_WRITE_COOKIE`], so a user sees their own change at once (from the primary)
//! and everyone else within the replica's lag. Pages from the replica say how current they are
//! ("Số liệu tính đến …"), API answers carry it in [`AS_OF_HEADER`].

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use super::AppState;
use super::pages::i18n::Lang;
use super::session::{self, LANG_COOKIE};

/// Set by every write's response: reads go to the primary while it lasts.
pub const OWN_WRITE_COOKIE: &str = "kh_rw";
/// Longer than the replica's lag is allowed to be in normal running.
pub const OWN_WRITE_SECS: i64 = 15;
/// How current an API answer read from the replica is (RFC 3339).
pub const AS_OF_HEADER: &str = "x-kehoach-as-of";

/// The largest page the note is put into (pages are far smaller; anything else passes as is).
const MAX_NOTED_PAGE: usize = 16 * 1024 * 1024;

/// Paths that read what the caller just did (their account, their imports, sign-in) or serve a
/// file: always from the primary.
fn primary_only(path: &str) -> bool {
    [
        "/sign-in",
        "/sign-out",
        "/account",
        "/users",
        "/plans/import",
        "/files/",
        "/static/",
        "/lang",
        "/healthz",
        "/calendar/",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Whether the replica may answer this request.
fn replica_may_answer(request: &Request) -> bool {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return false;
    }
    if session::cookie(request.headers(), OWN_WRITE_COOKIE).is_some() {
        return false;
    }
    let path = request.uri().path();
    if let Some(api) = path.strip_prefix("/api/") {
        return api.starts_with("v1/plans");
    }
    !primary_only(path)
}

/// The middleware: marks the requests the replica answers, notes how current their answer is,
/// and marks the callers who just wrote.
pub async fn route_reads(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !state.store.has_replica() {
        return next.run(request).await;
    }
    let wrote = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !replica_may_answer(&request) {
        let secure = session::is_https(request.headers(), state.pages.secure_cookies);
        let mut response = next.run(request).await;
        if wrote {
            response.headers_mut().append(
                header::SET_COOKIE,
                session::set_cookie(OWN_WRITE_COOKIE, "1", OWN_WRITE_SECS, secure),
            );
        }
        return response;
    }
    // A replica that cannot say how current it is does not answer.
    let Some(as_of) = state.store.replica_as_of().await else {
        return next.run(request).await;
    };
    let lang = lang_of(&request);
    let response = crate::store::replica::on_replica(next.run(request)).await;
    note(response, as_of, lang).await
}

fn lang_of(request: &Request) -> Lang {
    let query_lang = request.uri().query().and_then(|q| {
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    });
    query_lang
        .or_else(|| session::cookie(request.headers(), LANG_COOKIE).and_then(Lang::parse))
        .unwrap_or(Lang::Vi)
}

/// Adds how current the answer is: a header always, and on an HTML page a note at the top of
/// its main content.
async fn note(response: Response, as_of: chrono::DateTime<chrono::Utc>, lang: Lang) -> Response {
    let (mut parts, body) = response.into_parts();
    if let Ok(value) = HeaderValue::from_str(&as_of.to_rfc3339()) {
        parts.headers.insert(AS_OF_HEADER, value);
    }
    let html = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !html {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_NOTED_PAGE).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let Ok(page) = String::from_utf8(bytes.to_vec()) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let local = as_of.with_timezone(&kehoach_core::period::vietnam_offset());
    let text =
        crate::web::pages::i18n::as_of_note(lang, &local.format("%H:%M:%S %d/%m/%Y").to_string());
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let note = format!("<p class=\"as-of\" role=\"note\">{escaped}</p>");
    let page = match page.find("<main>") {
        Some(at) => {
            let at = at + "<main>".len();
            format!("{}{note}{}", &page[..at], &page[at..])
        }
        None => page,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(page))
}
