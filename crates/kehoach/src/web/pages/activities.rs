//! `/activities?assignment=A` or `?plan=P&unit=U[&task=T]`, optionally `&from=…&to=…`: the
//! activities behind a heatmap cell or a strip cell, with their evidence; the latest 300 when
//! there are more.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::{Layout, PageError, SignedIn, dmy, render};
use crate::authz::Action;
use crate::store::{AssignmentRow, AssignmentScope, EvidenceRow};
use crate::web::authz::{Authz, Resource, ensure_may_view};
use crate::web::{ApiError, AppState};

#[derive(Deserialize)]
pub struct ActivitiesQuery {
    #[serde(default)]
    assignment: Option<i64>,
    #[serde(default)]
    plan: Option<i64>,
    #[serde(default)]
    unit: Option<i64>,
    #[serde(default)]
    task: Option<i64>,
    #[serde(default, deserialize_with = "crate::web::extract::bounded_date")]
    from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::web::extract::bounded_date")]
    to: Option<NaiveDate>,
}

pub struct EvidenceItem {
    pub label: String,
    pub href: String,
    /// The thumbnail's address, for an image file.
    pub thumb: String,
    /// A file's type and size ("PDF · 1,2 MB"); empty for a link.
    pub meta: String,
}

/// An evidence row as the pages show it: a link (clickable only when `http(s)`), or a file with
/// its type and size and, for an image, its thumbnail.
pub fn evidence_item(lang: super::i18n::Lang, e: &EvidenceRow) -> Option<EvidenceItem> {
    match (&e.url, &e.sha256) {
        // Only web links and our own file downloads are clickable (never `javascript:` and the
        // like).
        (Some(url), _) => Some(EvidenceItem {
            label: url.clone(),
            href: if url.starts_with("https://") || url.starts_with("http://") {
                url.clone()
            } else {
                String::new()
            },
            thumb: String::new(),
            meta: String::new(),
        }),
        (None, Some(sha)) => Some(EvidenceItem {
            label: e.file_name.clone().unwrap_or_else(|| sha.clone()),
            href: format!("/files/{sha}"),
            thumb: if crate::thumbs::has_thumbnail(e.content_type.as_deref()) {
                format!("/files/{sha}/thumb")
            } else {
                String::new()
            },
            meta: file_meta(lang, e.content_type.as_deref(), e.size_bytes),
        }),
        _ => None,
    }
}

/// "PDF · 1,2 MB": a file's kind in words and its size.
pub fn file_meta(lang: super::i18n::Lang, content_type: Option<&str>, size: Option<i64>) -> String {
    let kind = match content_type.unwrap_or("") {
        "image/jpeg" => "JPEG",
        "image/png" => "PNG",
        "image/webp" => "WebP",
        "application/pdf" => "PDF",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "Word",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => "Excel",
        "application/zip" => "ZIP",
        t if t.starts_with("video/") => "Video",
        t if t.starts_with("audio/") => "Audio",
        _ => lang.flows().file_kind,
    };
    let Some(size) = size.and_then(|s| u64::try_from(s).ok()) else {
        return kind.to_string();
    };
    let (value, unit) = if size >= 1024 * 1024 {
        (size as f64 / (1024.0 * 1024.0), "MB")
    } else {
        (size as f64 / 1024.0, "KB")
    };
    let mut number = format!("{value:.1}");
    if lang == super::i18n::Lang::Vi {
        number = number.replace('.', ",");
    }
    format!("{kind} · {number} {unit}")
}

pub struct ActivityItem {
    pub date: String,
    pub title: String,
    pub unit: String,
    pub task: String,
    pub quantity: String,
    pub attendance: String,
    pub completes: bool,
    pub evidence: Vec<EvidenceItem>,
}

#[derive(Template)]
#[template(path = "activities.html")]
struct ActivitiesPage {
    l: Layout,
    range: String,
    /// Only the latest [`MAX_LISTED`] are shown.
    truncated: bool,
    activities: Vec<ActivityItem>,
}

/// The latest `limit` activities of an assignment dated within `range`, with their evidence, as
/// both lists show them (this page and "Việc của tôi"): (date, id, item), newest first.
pub async fn listed(
    state: &AppState,
    lang: super::i18n::Lang,
    assignment_id: i64,
    range: (Option<NaiveDate>, Option<NaiveDate>),
    limit: usize,
    unit: &str,
    task: &str,
) -> Result<Vec<(NaiveDate, i64, ActivityItem)>, crate::store::StoreError> {
    let activities = state
        .store
        .activities_between(assignment_id, range.0, range.1, limit as i64)
        .await?;
    let ids: Vec<i64> = activities.iter().map(|act| act.id).collect();
    let mut evidence: HashMap<i64, Vec<EvidenceItem>> = HashMap::new();
    for e in state.store.evidence_of_activities(&ids).await? {
        if let Some(item) = evidence_item(lang, &e) {
            evidence.entry(e.activity_id).or_default().push(item);
        }
    }
    Ok(activities
        .into_iter()
        .map(|act| {
            (
                act.occurred_on,
                act.id,
                ActivityItem {
                    date: dmy(act.occurred_on),
                    title: act.title,
                    unit: unit.to_string(),
                    task: task.to_string(),
                    quantity: format!("{}", act.quantity),
                    attendance: act.attendance.map(|n| n.to_string()).unwrap_or_default(),
                    completes: act.completes,
                    evidence: evidence.remove(&act.id).unwrap_or_default(),
                },
            )
        })
        .collect())
}

/// Most activities listed: a cell's or an assignment's list stays well under 200 KB.
const MAX_LISTED: usize = 300;

pub async fn page(
    State(state): State<AppState>,
    page: SignedIn,
    Query(q): Query<ActivitiesQuery>,
) -> Result<Response, PageError> {
    let err = |e: crate::store::StoreError| page.error(e);
    let assignments: Vec<AssignmentRow> = match (q.assignment, q.plan, q.unit) {
        (Some(id), _, _) => vec![
            state
                .store
                .assignment(id)
                .await
                .map_err(err)?
                .ok_or_else(|| {
                    page.error(ApiError::NotFound(format!("assignment {id} not found")))
                })?,
        ],
        (None, Some(plan), Some(unit)) => state
            .store
            .assignments_in(
                plan,
                AssignmentScope {
                    task: q.task,
                    units: Some(&[unit]),
                },
            )
            .await
            .map_err(err)?,
        _ => {
            return Err(page.error(ApiError::BadRequest(
                "give assignment=ID, or plan=ID and unit=ID".into(),
            )));
        }
    };
    let mut items = Vec::new();
    for a in &assignments {
        ensure_may_view(&state, &page.session.user, a)
            .await
            .map_err(|e| page.error(e))?;
        let task = state.store.task(a.task_id).await.map_err(err)?;
        let task_title = task
            .map(|t| format!("{} {}", t.reference, t.title))
            .unwrap_or_default();
        items.extend(
            listed(
                &state,
                page.lang,
                a.id,
                (q.from, q.to),
                MAX_LISTED + 1,
                &a.unit_name,
                &task_title,
            )
            .await
            .map_err(err)?
            .into_iter()
            .map(|(date, _, item)| (date, item)),
        );
    }
    items.sort_by_key(|item| std::cmp::Reverse(item.0));
    // Several assignments (a unit's cell over a plan) each gave up to the cap: keep the latest.
    let truncated = items.len() > MAX_LISTED;
    items.truncate(MAX_LISTED);
    let range = match (q.from, q.to) {
        (Some(f), Some(t)) => format!("{} – {}", dmy(f), dmy(t)),
        _ => String::new(),
    };
    let template = ActivitiesPage {
        l: page.layout(page.t.activities),
        range,
        truncated,
        activities: items.into_iter().map(|(_, i)| i).collect(),
    };
    Ok(render(page.lang, &template))
}

/// Where the evidence file `sha256` is stored and what its evidence says of it, for a caller who
/// may see it. The one policy: a file held only by another unit's activities is a 404, as in
/// the API.
async fn visible_file(
    state: &AppState,
    page: &SignedIn,
    sha256: &str,
) -> Result<EvidenceRow, PageError> {
    let not_found = || page.error(ApiError::NotFound(format!("file {sha256} not found")));
    if !crate::files::is_sha256_hex(sha256) {
        return Err(not_found());
    }
    let evidence = state
        .store
        .evidence_file(sha256)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(not_found)?;
    // The one policy: a file held only by another unit's activities is a 404, as in the API.
    Authz::of(state, &page.session.user)
        .check(Action::ViewFile, Resource::File(sha256))
        .await
        .map_err(|e| page.error(e))?;
    Ok(evidence)
}

/// `GET /files/{sha256}`: an evidence file for a signed-in user who may see one of the activities
/// it belongs to; always a download (`attachment`, `nosniff`, a sandboxing CSP), never inline.
pub async fn file(
    State(state): State<AppState>,
    page: SignedIn,
    axum::extract::Path(sha256): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let not_found = || page.error(ApiError::NotFound(format!("file {sha256} not found")));
    let evidence = visible_file(&state, &page, &sha256).await?;
    let (body, length) = state
        .files
        .body(&sha256)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(not_found)?;
    Ok(crate::web::api::files::evidence_download(
        body, length, &evidence,
    ))
}

/// `GET /files/{sha256}/thumb`: the thumbnail of an image evidence file (`thumbs.rs`), with the
/// same access rule as the file itself; made once, on first asking, off the async threads.
pub async fn thumbnail(
    State(state): State<AppState>,
    page: SignedIn,
    axum::extract::Path(sha256): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let not_found = || page.error(ApiError::NotFound(format!("file {sha256} not found")));
    let evidence = visible_file(&state, &page, &sha256).await?;
    let cache = state.files.thumb_path_of(&sha256).ok_or_else(not_found)?;
    if !crate::thumbs::has_thumbnail(evidence.content_type.as_deref()) {
        return Err(not_found());
    }
    let files = state.files.clone();
    let sha = sha256.clone();
    let made = tokio::task::spawn_blocking(move || {
        if let Ok(bytes) = std::fs::read(&cache) {
            return Ok(bytes);
        }
        // From the database, a temporary copy: the decoder wants a file.
        let source = files.local_file_blocking(&sha).map_err(|e| match e {
            crate::files::FileError::Io(io) => crate::thumbs::ThumbError::Io(io),
            other => crate::thumbs::ThumbError::Io(std::io::Error::other(other)),
        })?;
        crate::thumbs::thumbnail(source.path(), &cache)
    })
    .await
    .map_err(|e| page.error(ApiError::Internal(e.into())))?;
    match made {
        Ok(bytes) => Ok((
            [
                (axum::http::header::CONTENT_TYPE, "image/jpeg"),
                (axum::http::header::CACHE_CONTROL, "private, max-age=86400"),
            ],
            bytes,
        )
            .into_response()),
        Err(crate::thumbs::ThumbError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(not_found())
        }
        Err(crate::thumbs::ThumbError::Io(e)) => Err(page.error(ApiError::Internal(e.into()))),
        // An image too large to preview, or not an image after all: no thumbnail, say why.
        Err(e) => Err(page.error(ApiError::NotFound(e.to_string()))),
    }
}
