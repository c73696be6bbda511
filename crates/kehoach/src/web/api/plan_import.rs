//! `POST /api/v1/plans/import` and `POST /api/v1/plans/import/{id}/confirm`: the import page's
//! two steps for scripts. The upload reads and resolves the document (`import::prepare`) and
//! answers its preview — with the stored plans it may implement (issue 22) — while the prepared
//! plan waits as the page's pending imports do (`crate::pending_import`: its uploader's, two
//! hours, any server); the confirmation stores it and, when a parent is given, links it
//! (`plan_links::link`, which completes the parent's "issue your own plan" deliverable).
//!
//! Permissions: importing needs `ManagePlan` (the plan office, administrators), on the plan's
//! own unit; the parent must be readable (404 otherwise) and in the same province unless it is
//! a national plan (409), checked before anything is stored.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::plan_links::{change_by, plan_for};
use crate::authz::{Action, Verdict};
use crate::import::{ImportError, Prepared, UnresolvedText, commit, prepare};
use crate::pending_import::{self, PendingImport};
use crate::plan_links::{self, LinkOutcome};
use crate::store::UserRow;
use crate::web::auth::Caller;
use crate::web::authz::{Authz, Resource, ensure_may_import};
use crate::web::extract::ApiJson;
use crate::web::pages::MAX_DOCUMENT_BYTES;
use crate::web::{ApiError, AppState};

/// The upload (its own body limit: a document of up to 20 MB).
pub fn upload_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(upload))
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(confirm))
}

/// Longest `context` field.
const MAX_CONTEXT_CHARS: usize = 200;

/// A stored plan the uploaded one may implement.
#[derive(Debug, Serialize, ToSchema)]
struct ProposedParent {
    plan_id: i64,
    number: Option<String>,
    title: String,
    /// The number both plans point at: the parent's own, or a plan both cite.
    basis: String,
    /// True when the document cites the parent's own number.
    direct: bool,
}

/// Lead or partner text of a task that named no unit.
#[derive(Debug, Serialize, ToSchema)]
struct Unresolved {
    #[serde(rename = "ref")]
    task_ref: String,
    /// "lead" or "partner".
    role: String,
    text: String,
    /// "vague" or "unknown".
    reason: String,
}

impl From<&UnresolvedText> for Unresolved {
    fn from(u: &UnresolvedText) -> Self {
        Unresolved {
            task_ref: u.task_ref.clone(),
            role: u.role.clone(),
            text: u.text.clone(),
            reason: u.reason.clone(),
        }
    }
}

/// What the document holds, before it is stored.
#[derive(Debug, Serialize, ToSchema)]
struct ImportPreview {
    /// The pending import: confirm it (within two hours) with `POST /plans/import/{id}/confirm`.
    id: String,
    file_name: String,
    number: Option<String>,
    title: String,
    issuer: Option<String>,
    issued_on: Option<NaiveDate>,
    period_from: Option<NaiveDate>,
    period_to: Option<NaiveDate>,
    /// The plan's own unit (its issuer's administrative unit).
    context_unit_id: Option<i64>,
    tasks: usize,
    /// Plan numbers the document cites.
    references: Vec<String>,
    unresolved: Vec<Unresolved>,
    /// Stored plans (that the caller may read) this one may implement, best first: send the
    /// first's `plan_id` as `parent_id` to confirm the link, another plan's to pick it, or none.
    proposed_parents: Vec<ProposedParent>,
}

/// The document's form: a `file` part and, optionally, a `context` (the plan's unit, when the
/// document does not name its issuer clearly).
#[derive(ToSchema)]
#[allow(dead_code)]
struct UploadForm {
    #[schema(format = Binary, value_type = String)]
    file: Vec<u8>,
    context: Option<String>,
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("request body: too large".into())
    } else {
        ApiError::BadRequest(format!("form: {}", e.body_text()))
    }
}

fn import_error(e: ImportError) -> ApiError {
    match e {
        ImportError::Store(e) => e.into(),
        ImportError::Document(e) => ApiError::BadRequest(format!("file: {e}")),
        e @ (ImportError::Context(_) | ImportError::UnknownContext(_)) => {
            ApiError::BadRequest(format!("context: {e}"))
        }
        ImportError::NoIssuer => ApiError::BadRequest(
            "context: the document names no issuer: give the plan's unit".into(),
        ),
    }
}

/// The policy's word on managing a plan of `unit` (403: the caller sent the document itself,
/// so there is nothing to conceal).
async fn ensure_may_manage_plan_of(
    state: &AppState,
    user: &UserRow,
    unit: Option<i64>,
) -> Result<(), ApiError> {
    let (verdict, _) = Authz::of(state, user)
        .verdict(Action::ManagePlan, Resource::Unit(unit))
        .await?;
    match verdict {
        Verdict::Allow => Ok(()),
        Verdict::Forbid(_) | Verdict::Conceal => Err(ApiError::Forbidden(
            "this plan is issued by a unit outside yours: only the plan office of its unit (or of a unit above it) may import it".into(),
        )),
    }
}

/// The proposals for `prepared` that `user` may read.
async fn readable_proposals(
    state: &AppState,
    user: &UserRow,
    prepared: &Prepared,
) -> Result<Vec<ProposedParent>, ApiError> {
    let proposals = plan_links::proposals_for_import(
        &state.store,
        &prepared.plan.references,
        prepared.context_unit_id,
    )
    .await?;
    let authz = Authz::of(state, user);
    let mut out = Vec::new();
    for p in proposals {
        let Some(plan) = state.store.plan(p.parent_plan_id).await? else {
            continue;
        };
        let (verdict, _) = authz
            .verdict(Action::ViewPlan, Resource::Plan(&plan))
            .await?;
        if matches!(verdict, Verdict::Allow) {
            out.push(ProposedParent {
                plan_id: plan.id,
                number: plan.number,
                title: plan.title,
                basis: p.basis,
                direct: p.direct,
            });
        }
    }
    Ok(out)
}

/// Upload a plan document: its preview
///
/// The document (.docx, .pdf, .txt, .md, at most 20 MB) is read and its units resolved; nothing
/// is stored but the standard agencies of its province. The answer is the preview, with the
/// stored plans it may implement (`proposed_parents`: it cites their number, or a plan they
/// cite too, and its issuer lies within their unit); confirm it to store it.
#[utoipa::path(post, path = "/plans/import", tag = "plans",
    request_body(content = UploadForm, content_type = "multipart/form-data", description = "a `file` part, and `context` when needed"),
    responses((status = 201, body = ImportPreview), (status = 400, description = "a document that cannot be read, or no clear issuer: named"),
        (status = 403, description = "not a plan office, or a plan of another unit")),
    security(("bearer" = [])))]
async fn upload(
    State(state): State<AppState>,
    Caller(user): Caller,
    mut multipart: Multipart,
) -> Result<(StatusCode, Json<ImportPreview>), ApiError> {
    ensure_may_import(&user)?;
    let (mut document, mut context) = (None, String::new());
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(ApiError::PayloadTooLarge(format!(
                    "{name}: larger than the limit of {MAX_DOCUMENT_BYTES} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "file" if document.is_none() => document = Some((file_name, bytes)),
            "context" => {
                let text = String::from_utf8(bytes)
                    .map_err(|_| ApiError::BadRequest("context: not UTF-8 text".into()))?;
                let text = kehoach_core::text::nfc(text.trim());
                if text.chars().count() > MAX_CONTEXT_CHARS {
                    return Err(ApiError::BadRequest(format!(
                        "context: at most {MAX_CONTEXT_CHARS} characters"
                    )));
                }
                context = text;
            }
            other => {
                return Err(ApiError::BadRequest(format!(
                    "form: unexpected part {other:?}: send one \"file\" and, optionally, \"context\""
                )));
            }
        }
    }
    let Some((file_name, bytes)) = document.filter(|(_, b)| !b.is_empty()) else {
        return Err(ApiError::BadRequest("file: required".into()));
    };
    let by = change_by(&user);
    let context = Some(context.as_str()).filter(|c| !c.is_empty());
    let prepared = prepare(&state.store, &bytes, &file_name, context, &by)
        .await
        .map_err(import_error)?;
    ensure_may_manage_plan_of(&state, &user, prepared.context_unit_id).await?;
    let proposed_parents = readable_proposals(&state, &user, &prepared).await?;
    let plan = &prepared.plan;
    let preview = ImportPreview {
        id: String::new(),
        file_name: file_name.clone(),
        number: plan.number.clone(),
        title: plan.title.clone(),
        issuer: plan.issuer.clone(),
        issued_on: plan.issued_on,
        period_from: plan.period_from,
        period_to: plan.period_to,
        context_unit_id: prepared.context_unit_id,
        tasks: plan.tasks.len(),
        references: plan.references.clone(),
        unresolved: prepared.unresolved.iter().map(Unresolved::from).collect(),
        proposed_parents,
    };
    let pending = PendingImport {
        file_name,
        prepared,
        fixed: Vec::new(),
    };
    let id = pending_import::create(&state.store, user.id, &pending).await?;
    Ok((StatusCode::CREATED, Json(ImportPreview { id, ..preview })))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct ConfirmBody {
    /// The plan this one implements (a proposed parent, or another the caller may read);
    /// null or absent: no link.
    #[serde(default)]
    parent_id: Option<i64>,
}

/// The stored plan, and its link when a parent was given.
#[derive(Debug, Serialize, ToSchema)]
struct Confirmed {
    plan_id: i64,
    tasks: usize,
    assignments: usize,
    link: Option<LinkOutcome>,
}

/// Confirm an uploaded plan: store it
///
/// Stores the pending import (once: a second confirmation finds nothing waiting) and, with
/// `parent_id`, links it under that plan: the parent's "issue your own plan" deliverable of this
/// plan's issuer is done on its issue date, and the coverage of the parent's tasks is proposed.
#[utoipa::path(post, path = "/plans/import/{id}/confirm", tag = "plans",
    params(("id" = String, Path, description = "the pending import, from the upload's answer")),
    request_body = ConfirmBody,
    responses((status = 201, body = Confirmed), (status = 403, description = "not a plan office, or a plan of another unit"),
        (status = 404, description = "no such pending import of the caller's, or a parent it may not read"),
        (status = 409, description = "the parent is in another province and not a national plan")),
    security(("bearer" = [])))]
async fn confirm(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConfirmBody>,
) -> Result<(StatusCode, Json<Confirmed>), ApiError> {
    ensure_may_import(&user)?;
    let gone = || {
        ApiError::NotFound(format!(
            "import {id}: not waiting (confirmed, expired, or not yours): upload the document again"
        ))
    };
    let owner = pending_import::load(&state.store, &id, user.id)
        .await?
        .ok_or_else(gone)?
        .prepared
        .context_unit_id;
    ensure_may_manage_plan_of(&state, &user, owner).await?;
    if let Some(parent) = body.parent_id {
        plan_for(&state, &user, parent, Action::ViewPlan).await?;
        plan_links::check_import_parent(&state.store, owner, parent).await?;
    }
    let taken = pending_import::take(&state.store, &id, user.id)
        .await?
        .ok_or_else(gone)?;
    let by = change_by(&user);
    let imported = match commit(&state.store, taken.prepared.clone(), &by).await {
        Ok(imported) => imported,
        Err(e) => {
            // Not stored: the import waits again.
            pending_import::put_back(&state.store, &id, user.id, &taken).await?;
            return Err(import_error(e));
        }
    };
    let link = match body.parent_id {
        Some(parent) => Some(plan_links::link(&state.store, imported.plan_id, parent, &by).await?),
        None => None,
    };
    Ok((
        StatusCode::CREATED,
        Json(Confirmed {
            plan_id: imported.plan_id,
            tasks: imported.tasks,
            assignments: imported.assignments,
            link,
        }),
    ))
}
