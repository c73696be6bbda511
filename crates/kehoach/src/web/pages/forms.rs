//! Forms shared by several pages.

use serde::Deserialize;

/// A form that is only a button: the session's CSRF token and nothing else (sign out, revoke a
/// token, reset a password, disable a user…).
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    pub csrf: String,
}
