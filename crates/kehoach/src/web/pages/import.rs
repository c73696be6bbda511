//! `/plans/import`: upload a plan document → preview the extracted tasks with their resolved units
//! → fix an unresolved unit (search the registry, or create a new unit under a chosen parent) →
//! confirm. The document is read and resolved once by `import::prepare`; the prepared plan waits
//! in the database for its uploader (`crate::pending_import`: any server continues it, a few per
//! user, for two hours) until `import::commit` stores it.

use askama::Template;
use axum::Form;
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kehoach_core::text::fold;
use serde::Deserialize;

use super::i18n::per_name;
use super::{Layout, PageError, SignedIn, dmy_opt, render};
use crate::auth::random_secret;
use crate::authz::{Action, Verdict};
use crate::import::{ImportError, commit, prepare};
use crate::pending_import::{self, PendingImport};
use crate::store::{Change, NewUnit, UnitRow};
use crate::web::authz::{Authz, Resource, ensure_may_import};
use crate::web::{ApiError, AppState};
use kehoach_core::units::ContextError;

/// Largest plan document accepted from the page.
pub const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;
fn change_by(page: &SignedIn) -> Change {
    Change {
        user_id: Some(page.session.user.id),
        actor: page.session.user.username.clone(),
    }
}

#[derive(Template)]
#[template(path = "import_form.html")]
struct ImportForm {
    l: Layout,
    error: String,
    /// What was typed in the context field, kept after an error.
    context: String,
    /// The document uploaded before an error, held so it need not be chosen again: its token,
    /// name and size.
    held: Option<(String, String, String)>,
    /// When the context named several units: (value to send, label) of each, as buttons.
    candidates: Vec<(String, String)>,
}

impl ImportForm {
    fn blank(page: &SignedIn) -> ImportForm {
        ImportForm {
            l: page.layout(page.t.import_plan),
            error: String::new(),
            context: String::new(),
            held: None,
            candidates: Vec::new(),
        }
    }
}

pub async fn form(page: SignedIn) -> Result<Response, PageError> {
    ensure_may_import(&page.session.user).map_err(|e| page.error(e))?;
    Ok(render(page.lang, &ImportForm::blank(&page)))
}

fn form_error(page: &SignedIn, e: axum::extract::multipart::MultipartError) -> PageError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        page.error(ApiError::PayloadTooLarge("request body: too large".into()))
            .say(page.t.import_too_large)
    } else {
        page.error(ApiError::BadRequest(format!("form: {}", e.body_text())))
            .say(page.t.form_unreadable)
    }
}

/// "12,3 KB".
fn size_text(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
    .replace('.', ",")
}

/// `POST /plans/import` (multipart: csrf, context, file or held).
pub async fn upload(
    State(state): State<AppState>,
    page: SignedIn,
    request: Request,
) -> Result<Response, PageError> {
    ensure_may_import(&page.session.user).map_err(|e| page.error(e))?;
    let mut multipart = Multipart::from_request(request, &state)
        .await
        .map_err(|e| {
            page.error(ApiError::BadRequest(e.body_text()))
                .say(page.t.form_unreadable)
        })?;
    let (mut csrf_ok, mut context, mut document, mut held_token) =
        (false, String::new(), None, String::new());
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| form_error(&page, e))?
    {
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| form_error(&page, e))? {
            if bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(page
                    .error(ApiError::PayloadTooLarge(format!(
                        "file: larger than the limit of {MAX_DOCUMENT_BYTES} bytes"
                    )))
                    .say(page.t.import_too_large));
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf" => {
                page.check_csrf(std::str::from_utf8(&bytes).ok())?;
                csrf_ok = true;
            }
            "context" => {
                context = String::from_utf8_lossy(&bytes)
                    .trim()
                    .chars()
                    .take(200)
                    .collect()
            }
            "held" => held_token = String::from_utf8_lossy(&bytes).chars().take(64).collect(),
            "file" => document = Some((file_name.unwrap_or_default(), bytes)),
            _ => {}
        }
    }
    if !csrf_ok {
        page.check_csrf(None)?;
    }
    let context = kehoach_core::text::nfc(&context);
    // A newly chosen file wins over the one held from the last try (which is dropped).
    let user_id = page.session.user.id;
    let held_before = if held_token.is_empty() {
        None
    } else {
        pending_import::take_upload(&state.store, &held_token, user_id)
            .await
            .map_err(|e| page.error(e))?
    };
    let document = document.filter(|(_, b)| !b.is_empty()).or(held_before);
    // The form again with the error, what was typed, and the document held (in the database,
    // so the next try may reach any server) when there is one worth keeping.
    let show_error = async |message: String,
                            document: Option<(String, Vec<u8>)>,
                            candidates: Vec<(String, String)>|
           -> Result<Response, PageError> {
        let held = match document {
            None => None,
            Some((name, bytes)) => {
                let id = pending_import::hold_upload(&state.store, user_id, &name, &bytes)
                    .await
                    .map_err(|e| page.error(e))?;
                Some((id, name, size_text(bytes.len())))
            }
        };
        let mut response = render(
            page.lang,
            &ImportForm {
                error: message,
                context: context.clone(),
                held,
                candidates,
                ..ImportForm::blank(&page)
            },
        );
        *response.status_mut() = StatusCode::BAD_REQUEST;
        Ok(response)
    };
    let Some((file_name, bytes)) = document else {
        let message = if held_token.is_empty() {
            page.t.import_file_required
        } else {
            page.t.import_file_gone
        };
        return show_error(message.into(), None, Vec::new()).await;
    };
    let by = change_by(&page);
    let prepared = match prepare(
        &state.store,
        &bytes,
        &file_name,
        Some(context.as_str()).filter(|c| !c.is_empty()),
        &by,
    )
    .await
    {
        Ok(p) => p,
        Err(ImportError::Store(e)) => return Err(page.error(e)),
        Err(e) => {
            let candidates = match &e {
                ImportError::UnknownContext(ContextError::Ambiguous { candidates, .. }) => {
                    candidates
                        .iter()
                        .map(|c| (candidate_value(c), c.clone()))
                        .collect()
                }
                _ => Vec::new(),
            };
            let message = super::i18n::import_error(page.lang, &file_name, &e);
            // A document that cannot be read is not worth keeping; one whose context is
            // missing or unclear is.
            let keep = !matches!(e, ImportError::Document(_));
            return show_error(message, keep.then_some((file_name, bytes)), candidates).await;
        }
    };
    ensure_may_manage_plan_of(&state, &page, prepared.context_unit_id).await?;
    let pending = PendingImport {
        file_name,
        prepared,
        fixed: Vec::new(),
    };
    let id = pending_import::create(&state.store, page.session.user.id, &pending)
        .await
        .map_err(|e| page.error(e))?;
    Ok(to_preview(&id))
}

/// What to send as the context for a candidate "Xã Tam Kỳ (10801, Huyện Kim Thành, Tỉnh Hải
/// Dương)": its code, which names exactly one unit; the whole text when it has none.
fn candidate_value(candidate: &str) -> String {
    candidate
        .split_once(" (")
        .and_then(|(_, rest)| rest.split([',', ')']).next())
        .map(str::trim)
        .filter(|code| !code.is_empty() && !code.contains(' '))
        .unwrap_or(candidate)
        .to_string()
}

/// Back to the preview of pending import `id` (after the upload, and after each fix).
fn to_preview(id: &str) -> Response {
    Redirect::to(&format!("/plans/import/{id}")).into_response()
}

/// May the caller manage a plan issued by `unit`? The policy decides (a plan office manages the
/// plans of its subtree); a refusal is a 403 naming why: the caller uploaded the document itself,
/// so there is nothing to conceal.
async fn ensure_may_manage_plan_of(
    state: &AppState,
    page: &SignedIn,
    unit: Option<i64>,
) -> Result<(), PageError> {
    let (verdict, _) = Authz::of(state, &page.session.user)
        .verdict(Action::ManagePlan, Resource::Unit(unit))
        .await
        .map_err(|e| page.error(e))?;
    match verdict {
        Verdict::Allow => Ok(()),
        Verdict::Forbid(_) | Verdict::Conceal => Err(page
            .error(ApiError::Forbidden(
                "this plan is issued by a unit outside yours: only the plan office of its unit \
                 (or of a unit above it) may import it"
                    .into(),
            ))
            .say(page.t.import_not_yours)),
    }
}

/// The pending import `id` of this user, or a 404.
async fn pending(state: &AppState, page: &SignedIn, id: &str) -> Result<PendingImport, PageError> {
    pending_import::load(&state.store, id, page.session.user.id)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(gone()).say(page.t.import_gone))
}

fn gone() -> ApiError {
    ApiError::NotFound("this import is not waiting any more: upload the document again".into())
}

/// Runs `f` on the pending import `id` of this user and stores what it changed, or answers 404.
async fn with_pending<T>(
    state: &AppState,
    page: &SignedIn,
    id: &str,
    f: impl FnOnce(&mut PendingImport) -> T,
) -> Result<T, PageError> {
    let mut p = pending(state, page, id).await?;
    let out = f(&mut p);
    let saved = pending_import::save(&state.store, id, page.session.user.id, &p)
        .await
        .map_err(|e| page.error(e))?;
    if !saved {
        return Err(page.error(gone()).say(page.t.import_gone));
    }
    Ok(out)
}

/// What every form posted to a pending import checks first: its CSRF token, then the caller's
/// right to import (in that order: a forged form is refused before anything about the caller is
/// said).
fn admit(page: &SignedIn, csrf: &str) -> Result<(), PageError> {
    page.check_csrf(Some(csrf))?;
    ensure_may_import(&page.session.user).map_err(|e| page.error(e))
}

pub struct PreviewTask {
    /// Its position, for the link to correct it (issue 19, plan edits).
    pub index: usize,
    pub reference: String,
    pub title: String,
    pub leads: String,
    pub partners: String,
    pub targets: String,
    pub due: String,
}

pub struct UnresolvedItem {
    pub index: usize,
    pub task: String,
    pub role: &'static str,
    pub text: String,
    pub reason: &'static str,
    pub open: bool,
}

pub struct UnitChoice {
    pub id: i64,
    pub name: String,
    pub code: String,
}

#[derive(Template)]
#[template(path = "import_preview.html")]
struct Preview {
    l: Layout,
    id: String,
    file_name: String,
    number: String,
    title: String,
    issued: String,
    period: String,
    tasks: Vec<PreviewTask>,
    /// Garbled characters left as they are (to check), and those repaired (folded away),
    /// worded for the page's language.
    warnings_left: Vec<String>,
    warnings_repaired: Vec<String>,
    unresolved: Vec<UnresolvedItem>,
    fixed: Vec<(String, String, String)>,
    /// The query of the unresolved entry being fixed, and its results.
    q: String,
    results: Vec<UnitChoice>,
    parents: Vec<UnitChoice>,
    /// "Sửa" (issue 19, plan edits).
    edit_label: &'static str,
    /// The plan this one implements (issue 22): the proposals, and the other plans to pick.
    c: &'static super::i18n::Cascade,
    proposed: Vec<ParentChoice>,
    other_plans: Vec<ParentChoice>,
}

/// A plan the imported one may be linked under, as the confirm form offers it.
pub struct ParentChoice {
    pub id: i64,
    pub label: String,
    /// Why it is proposed ("cùng thực hiện 3604/KH-UBND"); empty for the other plans.
    pub note: String,
}

/// Most plans offered to pick by hand on the preview (the plans page lists them all).
const OTHER_PLANS_SHOWN: usize = 300;

/// The plans the caller may read that the prepared plan may implement (proposed, best first),
/// and the other plans it may read, to pick by hand.
async fn parent_choices(
    state: &AppState,
    page: &SignedIn,
    prepared: &crate::import::Prepared,
) -> Result<(Vec<ParentChoice>, Vec<ParentChoice>), PageError> {
    let c = page.lang.cascade();
    let err = |e: crate::plan_links::CascadeError| page.error(ApiError::from(e));
    let proposals = crate::plan_links::proposals_for_import(
        &state.store,
        &prepared.plan.references,
        prepared.context_unit_id,
    )
    .await
    .map_err(err)?;
    let authz = Authz::of(state, &page.session.user);
    let mut proposed = Vec::new();
    for p in proposals {
        let Some(plan) = state
            .store
            .plan(p.parent_plan_id)
            .await
            .map_err(|e| page.error(e))?
        else {
            continue;
        };
        let (verdict, _) = authz
            .verdict(Action::ViewPlan, Resource::Plan(&plan))
            .await
            .map_err(|e| page.error(e))?;
        if matches!(verdict, Verdict::Allow) {
            proposed.push(ParentChoice {
                id: plan.id,
                label: super::cascade::label(plan.number.as_deref(), &plan.title),
                note: format!(
                    "{} {}",
                    if p.direct { c.cites } else { c.both_cite },
                    p.basis
                ),
            });
        }
    }
    let root = authz.scope_root().await.map_err(|e| page.error(e))?;
    let other_plans = state
        .store
        .plans_within(root)
        .await
        .map_err(|e| page.error(e))?
        .into_iter()
        .filter(|p| !proposed.iter().any(|x| x.id == p.id))
        .take(OTHER_PLANS_SHOWN)
        .map(|p| ParentChoice {
            id: p.id,
            label: super::cascade::label(p.number.as_deref(), &p.title),
            note: String::new(),
        })
        .collect();
    Ok((proposed, other_plans))
}

#[derive(Deserialize, Default)]
pub struct PreviewQuery {
    #[serde(default)]
    fix: Option<usize>,
    #[serde(default)]
    q: String,
}

pub async fn preview(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<PreviewQuery>,
) -> Result<Response, PageError> {
    ensure_may_import(&page.session.user).map_err(|e| page.error(e))?;
    let lang = page.lang;
    let PendingImport {
        file_name,
        prepared,
        fixed,
    } = pending(&state, &page, &id).await?;
    let names = &prepared.unit_names;
    let name_list = |ids: &[(i64, String)]| {
        ids.iter()
            .map(|(id, _)| names.get(id).cloned().unwrap_or_else(|| format!("#{id}")))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let tasks = prepared
        .plan
        .tasks
        .iter()
        .enumerate()
        .map(|(index, t)| PreviewTask {
            index,
            reference: t.reference.clone(),
            title: t.title.clone(),
            leads: name_list(&t.leads),
            partners: name_list(&t.partners),
            targets: t
                .targets
                .iter()
                .map(|x| format!("{} {}/{}", x.count, x.noun, per_name(lang, x.per)))
                .collect::<Vec<_>>()
                .join("; "),
            due: dmy_opt(t.due),
        })
        .collect();
    let fixing = query.fix.filter(|i| *i < prepared.unresolved.len());
    let unresolved = prepared
        .unresolved
        .iter()
        .enumerate()
        .map(|(index, u)| {
            let (role, reason) = super::i18n::unresolved_words(lang, &u.role, &u.reason);
            UnresolvedItem {
                index,
                task: u.task_ref.clone(),
                role,
                text: u.text.clone(),
                reason,
                open: fixing == Some(index),
            }
        })
        .collect();
    // The search box starts with the unresolved text itself.
    let q: String = match fixing {
        Some(i) if query.q.trim().is_empty() => prepared.unresolved[i].text.clone(),
        _ => query.q.trim().to_string(),
    }
    .chars()
    .take(200)
    .collect();
    let mut results = Vec::new();
    let mut parents = Vec::new();
    if fixing.is_some() {
        let err = |e: crate::store::StoreError| page.error(e);
        if !fold(&q).is_empty() {
            for u in state
                .store
                .search_units(&q, prepared.on, 20)
                .await
                .map_err(err)?
            {
                results.push(UnitChoice {
                    id: u.id,
                    name: u.name,
                    code: u.code,
                });
            }
        }
        if let Some(ctx) = prepared.context_unit_id
            && let Some(u) = state.store.unit(ctx).await.map_err(err)?
        {
            parents.push(UnitChoice {
                id: u.id,
                name: u.name,
                code: u.code,
            });
        }
        parents.extend(results.iter().map(|r| UnitChoice {
            id: r.id,
            name: r.name.clone(),
            code: r.code.clone(),
        }));
    }
    let (proposed, other_plans) = parent_choices(&state, &page, &prepared).await?;
    let plan = &prepared.plan;
    let template = Preview {
        l: page.layout(page.t.preview),
        id,
        file_name,
        number: plan.number.clone().unwrap_or_default(),
        title: plan.title.clone(),
        issued: dmy_opt(plan.issued_on),
        period: super::plans::period_text(plan.period_from, plan.period_to),
        tasks,
        warnings_left: prepared
            .warnings
            .iter()
            .filter(|w| !matches!(w, kehoach_plan::Warning::Repaired { .. }))
            .map(|w| super::i18n::warning_text(lang, w))
            .collect(),
        warnings_repaired: prepared
            .warnings
            .iter()
            .filter(|w| matches!(w, kehoach_plan::Warning::Repaired { .. }))
            .map(|w| super::i18n::warning_text(lang, w))
            .collect(),
        unresolved,
        fixed,
        q,
        results,
        parents,
        edit_label: super::i18n::plan_edit_words(lang).edit_task,
        c: lang.cascade(),
        proposed,
        other_plans,
    };
    Ok(render(lang, &template))
}

/// Binds unresolved entry `index` to `unit_id` in the prepared plan: the unit becomes a lead (or
/// partner) of the entry's task, and the entry is no longer unresolved.
fn apply_fix(p: &mut PendingImport, index: usize, unit_id: i64, unit_name: &str) -> bool {
    if index >= p.prepared.unresolved.len() {
        return false;
    }
    let entry = p.prepared.unresolved.remove(index);
    if let Some(task) = p
        .prepared
        .plan
        .tasks
        .iter_mut()
        .find(|t| t.reference == entry.task_ref)
    {
        task.unresolved
            .retain(|(role, text, _)| !(*role == entry.role && *text == entry.text));
        let list = if entry.role == "lead" {
            &mut task.leads
        } else {
            &mut task.partners
        };
        if !list.iter().any(|(id, _)| *id == unit_id) {
            list.push((unit_id, "manual".into()));
        }
    }
    p.prepared.unit_names.insert(unit_id, unit_name.to_string());
    p.fixed
        .push((entry.task_ref, entry.text, unit_name.to_string()));
    true
}

/// [`apply_fix`] on pending import `id`, then back to its preview: 404 if the import is not
/// waiting any more, 400 if it has no unresolved entry `index`.
async fn fix_and_preview(
    state: &AppState,
    page: &SignedIn,
    id: &str,
    index: usize,
    unit: &UnitRow,
) -> Result<Response, PageError> {
    if !with_pending(state, page, id, |p| {
        apply_fix(p, index, unit.id, &unit.name)
    })
    .await?
    {
        return Err(page
            .error(ApiError::BadRequest(
                "index: no such unresolved unit".into(),
            ))
            .say(page.t.fix_gone));
    }
    Ok(to_preview(id))
}

#[derive(Deserialize)]
pub struct FixForm {
    #[serde(default)]
    csrf: String,
    index: usize,
    unit: i64,
}

/// `POST /plans/import/{id}/fix`: binds an unresolved entry to a unit of the registry.
pub async fn fix(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<FixForm>,
) -> Result<Response, PageError> {
    admit(&page, &form.csrf)?;
    let unit = state
        .store
        .unit(form.unit)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| {
            page.error(ApiError::BadRequest(format!("unit: no unit {}", form.unit)))
                .say(page.t.fix_no_unit)
        })?;
    fix_and_preview(&state, &page, &id, form.index, &unit).await
}

#[derive(Deserialize)]
pub struct NewUnitForm {
    #[serde(default)]
    csrf: String,
    index: usize,
    name: String,
    parent: i64,
}

/// A code for a new agency: its parent's code and the initials of its name ("49.HNDT"), with a
/// random suffix when taken.
fn unit_code(parent_code: &str, name: &str, suffix: Option<&str>) -> String {
    let initials: String = fold(name)
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .take(12)
        .collect();
    let initials = if initials.is_empty() {
        "DV".into()
    } else {
        initials
    };
    match suffix {
        Some(s) => format!("{parent_code}.{initials}-{s}"),
        None => format!("{parent_code}.{initials}"),
    }
}

/// `POST /plans/import/{id}/new-unit`: creates an agency under the chosen parent and binds an
/// unresolved entry to it.
pub async fn new_unit(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NewUnitForm>,
) -> Result<Response, PageError> {
    admit(&page, &form.csrf)?;
    let name = kehoach_core::text::nfc(form.name.trim());
    if name.is_empty() || name.chars().count() > 300 {
        return Err(page
            .error(ApiError::BadRequest(
                "name: required, at most 300 characters".into(),
            ))
            .say(page.t.new_unit_name_required));
    }
    // The import must still be waiting before anything is created.
    pending(&state, &page, &id).await?;
    let parent = state
        .store
        .unit(form.parent)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| {
            page.error(ApiError::BadRequest(format!(
                "parent: no unit {}",
                form.parent
            )))
            .say(page.t.fix_no_unit)
        })?;
    // A plan office adds agencies within its own subtree only (the policy, as `POST /units`).
    Authz::of(&state, &page.session.user)
        .check(Action::ManageUnits, Resource::Unit(Some(parent.id)))
        .await
        .map_err(|e| page.error(e))?;
    let by = change_by(&page);
    let mut created = None;
    for attempt in 0..3 {
        let suffix = (attempt > 0).then(|| random_secret(2));
        let unit = NewUnit {
            code: unit_code(&parent.code, &name, suffix.as_deref()),
            name: name.clone(),
            kind: "agency".into(),
            parent_id: Some(parent.id),
            ..NewUnit::default()
        };
        match state.store.create_unit(&unit, &by).await {
            Ok(row) => {
                created = Some(row);
                break;
            }
            Err(crate::store::StoreError::Conflict(_)) => continue,
            Err(e) => return Err(page.error(e)),
        }
    }
    let unit = created.ok_or_else(|| {
        page.error(ApiError::Conflict(
            "a unit with that code already exists".into(),
        ))
        .say(page.t.unit_code_taken)
    })?;
    fix_and_preview(&state, &page, &id, form.index, &unit).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    csrf: String,
    /// The plan the imported one implements (issue 22): an id, or "" (or absent) for none.
    #[serde(default)]
    parent: String,
}

/// `POST /plans/import/{id}/confirm`: stores the prepared plan and opens it.
pub async fn confirm(
    State(state): State<AppState>,
    page: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    admit(&page, &form.csrf)?;
    let user = page.session.user.id;
    let owner = pending(&state, &page, &id).await?.prepared.context_unit_id;
    ensure_may_manage_plan_of(&state, &page, owner).await?;
    // The chosen parent is checked before anything is stored: one the caller may not read is
    // a 404, one in another province a refusal naming why.
    let c = page.lang.cascade();
    let parent = match form.parent.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| {
            page.error(ApiError::BadRequest("parent: not a plan".into()))
                .say(c.err_choose_plan)
        })?),
    };
    if let Some(parent) = parent {
        super::plan::readable_plan(&state, &page, parent).await?;
        crate::plan_links::check_import_parent(&state.store, owner, parent)
            .await
            .map_err(|e| super::cascade::say(&page, e))?;
    }
    let taken = pending_import::take(&state.store, &id, user)
        .await
        .map_err(|e| page.error(e))?
        .ok_or_else(|| page.error(gone()).say(page.t.import_gone))?;
    let by = change_by(&page);
    let result = commit(&state.store, taken.prepared.clone(), &by).await;
    let error = match result {
        Ok(imported) => {
            if let Some(parent) = parent {
                // Stored already: a link that fails now is said, and can be made by hand.
                crate::plan_links::link(&state.store, imported.plan_id, parent, &by)
                    .await
                    .map_err(|e| page.error(ApiError::from(e)).say(c.err_imported_not_linked))?;
            }
            return Ok(Redirect::to(&format!("/plans/{}", imported.plan_id)).into_response());
        }
        Err(ImportError::Store(e)) => page.error(e),
        Err(e) => {
            let message = super::i18n::import_error(page.lang, &taken.file_name, &e);
            page.error(ApiError::BadRequest(e.to_string())).say(message)
        }
    };
    // Not stored: the import waits again, to be fixed or confirmed once more.
    pending_import::put_back(&state.store, &id, user, &taken)
        .await
        .map_err(|e| page.error(e))?;
    Err(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_unit_codes_come_from_the_name() {
        assert_eq!(unit_code("49", "Hội Nông dân tỉnh", None), "49.HNDT");
        assert_eq!(unit_code("49", "Đoàn", Some("ab")), "49.D-ab");
        assert_eq!(unit_code("49", "!!!", None), "49.DV");
    }

    #[test]
    fn a_candidate_is_sent_as_its_code() {
        assert_eq!(
            candidate_value("Xã Tam Kỳ (10801, Huyện Kim Thành, Tỉnh Hải Dương)"),
            "10801"
        );
        assert_eq!(candidate_value("Tỉnh Quảng Nam (49)"), "49");
        assert_eq!(candidate_value("Quảng Nam"), "Quảng Nam");
    }
}
