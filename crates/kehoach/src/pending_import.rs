//! A plan import between upload and confirmation: the prepared plan (`import::prepare`) and the
//! fixes its uploader made, kept in the database (`pending_imports`, `store/pending_imports.rs`)
//! rather than in a server's memory, so that behind a proxy any server continues an import another
//! one started. Each user keeps at most [`MAX_PER_USER`] (a new upload drops that user's oldest:
//! one user's uploads never evict another's), each for [`TTL`].
//!
//! A document whose upload failed (no context, an ambiguous one…) is held the same way
//! ([`hold_upload`], for [`HELD_TTL`], counted in the same per-user limit), so the form's next try
//! — on whichever server — need not ask for the file again.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::auth::random_secret;
use crate::import::Prepared;
use crate::store::{Store, StoreError};

/// Imports a user may have waiting at once.
pub const MAX_PER_USER: usize = 5;
/// How long an import waits for its confirmation.
pub const TTL: Duration = Duration::from_secs(2 * 3600);

/// How long a document is held after a failed upload.
pub const HELD_TTL: Duration = Duration::from_secs(30 * 60);

/// What waits: the document's name, the prepared plan, and the fixes made so far.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingImport {
    pub file_name: String,
    pub prepared: Prepared,
    /// (task ref, text, unit name) of each fix made.
    pub fixed: Vec<(String, String, String)>,
}

fn to_text(pending: &PendingImport) -> Result<String, StoreError> {
    serde_json::to_string(pending)
        .map_err(|e| StoreError::Invariant(format!("a pending import does not serialise: {e}")))
}

/// Stores a new pending import of `user_id`; returns its id (random: it is in the page's URL).
pub async fn create(
    store: &Store,
    user_id: i64,
    pending: &PendingImport,
) -> Result<String, StoreError> {
    let id = random_secret(12);
    let expires = chrono::Utc::now() + chrono::Duration::from_std(TTL).expect("hours fit");
    store
        .insert_pending_import(&id, user_id, &to_text(pending)?, expires, MAX_PER_USER)
        .await?;
    Ok(id)
}

/// `user_id`'s pending import `id`, unless it lapsed, was confirmed, or is someone else's.
pub async fn load(
    store: &Store,
    id: &str,
    user_id: i64,
) -> Result<Option<PendingImport>, StoreError> {
    if !is_our_id(id) {
        return Ok(None);
    }
    store
        .pending_import(id, user_id)
        .await?
        .map(|text| from_text(id, &text))
        .transpose()
}

/// Writes back a pending import after a fix; `false` when it is not waiting any more.
pub async fn save(
    store: &Store,
    id: &str,
    user_id: i64,
    pending: &PendingImport,
) -> Result<bool, StoreError> {
    store
        .update_pending_import(id, user_id, &to_text(pending)?)
        .await
}

/// Takes `user_id`'s pending import `id` out of waiting, to confirm it: of two requests to
/// confirm one import (a double click, two servers), only one gets it. Give it back with
/// [`put_back`] when storing the plan fails.
pub async fn take(
    store: &Store,
    id: &str,
    user_id: i64,
) -> Result<Option<PendingImport>, StoreError> {
    if !is_our_id(id) {
        return Ok(None);
    }
    store
        .take_pending_import(id, user_id)
        .await?
        .map(|text| from_text(id, &text))
        .transpose()
}

/// Ids are ours (hex); anything else cannot name one.
fn is_our_id(id: &str) -> bool {
    id.len() <= 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

fn from_text(id: &str, text: &str) -> Result<PendingImport, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Invariant(format!("pending import {id} does not read back: {e}")))
}

/// Puts a taken pending import back, waiting again under the same id.
pub async fn put_back(
    store: &Store,
    id: &str,
    user_id: i64,
    pending: &PendingImport,
) -> Result<(), StoreError> {
    let expires = chrono::Utc::now() + chrono::Duration::from_std(TTL).expect("hours fit");
    store
        .restore_pending_import(id, user_id, &to_text(pending)?, expires)
        .await
}

/// Holds `bytes` (the document `file_name`) for `user_id` after a failed upload; returns its id,
/// which the form sends back in place of the file.
pub async fn hold_upload(
    store: &Store,
    user_id: i64,
    file_name: &str,
    bytes: &[u8],
) -> Result<String, StoreError> {
    let id = random_secret(12);
    let expires = chrono::Utc::now() + chrono::Duration::from_std(HELD_TTL).expect("minutes fit");
    store
        .insert_held_upload(&id, user_id, file_name, bytes, expires, MAX_PER_USER)
        .await?;
    Ok(id)
}

/// Takes `user_id`'s held document `id` out of holding: (file name, bytes), or `None` when it
/// lapsed, was taken, or is someone else's.
pub async fn take_upload(
    store: &Store,
    id: &str,
    user_id: i64,
) -> Result<Option<(String, Vec<u8>)>, StoreError> {
    if !is_our_id(id) {
        return Ok(None);
    }
    store.take_held_upload(id, user_id).await
}
