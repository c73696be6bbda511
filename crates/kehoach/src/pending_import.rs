//! A plan import between upload and confirmation: the prepared plan (`import::prepare`) and the
//! fixes its uploader made, kept in the database (`pending_imports`, `store/pending_imports.rs`)
//! rather than in a server's memory, so that behind a proxy any server continues an import another
//! one started. Each user keeps at most [`MAX_PER_USER`] (a new upload drops that user's oldest:
//! one user's uploads never evict another's), each for [`TTL`].

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::auth::random_secret;
use crate::import::Prepared;
use crate::store::{Store, StoreError};

/// Imports a user may have waiting at once.
pub const MAX_PER_USER: usize = 5;
/// How long an import waits for its confirmation.
pub const TTL: Duration = Duration::from_secs(2 * 3600);

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
    // Ids are ours (hex); anything else cannot name one.
    if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    match store.pending_import(id, user_id).await? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            StoreError::Invariant(format!("pending import {id} does not read back: {e}"))
        }),
    }
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
    if id.len() > 64 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    match store.take_pending_import(id, user_id).await? {
        None => Ok(None),
        Some(text) => serde_json::from_str(&text).map(Some).map_err(|e| {
            StoreError::Invariant(format!("pending import {id} does not read back: {e}"))
        }),
    }
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
