//! Activities: `POST|GET /api/v1/assignments/{id}/activities` (JSON, or multipart with evidence
//! files) and `POST /api/v1/activities/import` (a sheet of many, all or none).

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::activity_import::{self, ImportError};
use crate::activity_input::{ActivityInput, describe};
use crate::authz::Action;
use crate::files::{FileStore, MAX_FILES_PER_ACTIVITY, StoredFile};
use crate::store::{ActivityRow, AssignmentRow, Change, EvidenceRow, UserRow};
use crate::web::auth::{BearerHash, Caller};
use crate::web::authz::{Authz, Resource, ensure_may_report, ensure_may_view, may_report_for};
use crate::web::extract::ApiJson;
use crate::web::{ApiError, AppState, JSON_BODY_LIMIT};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(import))
        .routes(routes!(edit, remove))
}

/// An activity with its evidence, as the API shows it.
#[derive(Serialize, ToSchema)]
struct ActivityView {
    #[serde(flatten)]
    activity: ActivityRow,
    evidence: Vec<EvidenceRow>,
}

/// An activity as the API takes it (the OpenAPI description of what `ActivityInput::from_json`
/// reads: numbers may also be sent as text, `1,5` with a decimal comma).
#[derive(ToSchema)]
#[allow(dead_code)]
struct ActivityBody {
    /// YYYY-MM-DD or dd/mm/yyyy, not in the future, years 2000–2100.
    #[schema(example = "2024-01-04")]
    date: String,
    /// At most 500 characters, something visible.
    #[schema(schema_with = activity_title)]
    title: String,
    /// What kind of activity (an article, a broadcast…), at most 100 characters.
    kind: Option<String>,
    /// More than 0, at most 1,000,000 (default 1). As text, `1.500` is refused as ambiguous.
    #[schema(schema_with = quantity_schema)]
    quantity: Option<f64>,
    #[schema(schema_with = duration_schema)]
    duration_minutes: Option<i64>,
    #[schema(schema_with = attendance_schema)]
    attendance: Option<i64>,
    /// http(s) links, at most 20 of at most 2,000 bytes.
    #[schema(max_items = 20)]
    urls: Option<Vec<String>>,
    /// Whether this activity completes the task's deliverable.
    completes: Option<bool>,
    /// At most 5,000 characters.
    note: Option<String>,
}

/// An activity import: one sheet.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ImportForm {
    /// The .xlsx or .csv sheet, at most 20 MB and 100,000 rows.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The same fields as a form, with up to 10 evidence files.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ActivityForm {
    date: String,
    #[schema(schema_with = activity_title)]
    title: String,
    kind: Option<String>,
    quantity: Option<String>,
    duration_minutes: Option<String>,
    attendance: Option<String>,
    /// Links separated by whitespace (the field may repeat).
    url: Option<String>,
    completes: Option<String>,
    note: Option<String>,
    /// Evidence files, each at most the upload cap; sent after the other fields.
    #[schema(value_type = Option<Vec<String>>, format = Binary, max_items = 10)]
    file: Option<Vec<Vec<u8>>>,
}

/// A count of an activity as `ActivityInput` reads it: a number within the bounds, null, or the
/// same typed as text (digits, `.` grouping thousands, `,` before decimals; `""` clears it in an
/// edit). Which text is ambiguous (`1.500`) and the bounds of a text number are the parser's.
fn count_schema(
    number: utoipa::openapi::schema::Type,
    max: f64,
) -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([number, Type::String, Type::Null]))
        .minimum(Some(0))
        .maximum(Some(max))
        .pattern(Some("^\\s*[0-9.,]*\\s*$"))
        .build()
}

fn quantity_schema() -> utoipa::openapi::schema::Object {
    let mut schema = count_schema(
        utoipa::openapi::schema::Type::Number,
        crate::activity_input::MAX_QUANTITY,
    );
    schema.minimum = None;
    schema.exclusive_minimum = Some(0.into());
    schema
}

fn duration_schema() -> utoipa::openapi::schema::Object {
    count_schema(
        utoipa::openapi::schema::Type::Integer,
        crate::activity_input::MAX_DURATION_MINUTES as f64,
    )
}

fn attendance_schema() -> utoipa::openapi::schema::Object {
    count_schema(
        utoipa::openapi::schema::Type::Integer,
        crate::activity_input::MAX_ATTENDANCE as f64,
    )
}

/// An activity's title as the document states it (`ActivityInput`'s rule).
fn activity_title() -> utoipa::openapi::schema::Object {
    crate::web::extract::visible_text(crate::activity_input::MAX_TITLE_CHARS)
}

/// The fields of an activity to change; `""` clears an optional one. Evidence is not edited.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct ActivityPatch {
    date: Option<String>,
    title: Option<String>,
    kind: Option<String>,
    #[schema(schema_with = quantity_schema)]
    quantity: Option<f64>,
    #[schema(schema_with = duration_schema)]
    duration_minutes: Option<i64>,
    #[schema(schema_with = attendance_schema)]
    attendance: Option<i64>,
    completes: Option<bool>,
    note: Option<String>,
}

/// Largest text field of a multipart form.
const MAX_FORM_FIELD_BYTES: usize = 64 * 1024;

async fn assignment_or_404(state: &AppState, id: i64) -> Result<AssignmentRow, ApiError> {
    state
        .store
        .assignment(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("assignment {id} not found")))
}

fn change_by(user: &UserRow) -> Change {
    Change {
        user_id: Some(user.id),
        actor: user.username.clone(),
    }
}

fn today() -> chrono::NaiveDate {
    kehoach_core::period::today_in_vietnam(chrono::Utc::now())
}

/// List an assignment's activities
///
/// The activities of an assignment, newest first, each with its evidence.
#[utoipa::path(get, path = "/assignments/{id}/activities", tag = "activities",
    params(("id" = i64, Path, description = "assignment id")),
    responses((status = 200, body = [ActivityView]), (status = 403, description = "outside the caller's units"),
        (status = 404, description = "no such assignment")),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ActivityView>>, ApiError> {
    let assignment = assignment_or_404(&state, id).await?;
    ensure_may_view(&state, &user, &assignment).await?;
    let activities = state.store.activities_of_assignment(id).await?;
    let mut evidence: std::collections::HashMap<i64, Vec<EvidenceRow>> =
        std::collections::HashMap::new();
    for row in state.store.evidence_of_assignment(id).await? {
        evidence.entry(row.activity_id).or_default().push(row);
    }
    Ok(Json(
        activities
            .into_iter()
            .map(|activity| ActivityView {
                evidence: evidence.remove(&activity.id).unwrap_or_default(),
                activity,
            })
            .collect(),
    ))
}

/// Record an activity
///
/// Records what a unit did for an assignment: a JSON body `{date, title, kind, quantity,
/// duration_minutes, attendance, urls, completes, note}`, or a multipart/form-data form with the
/// same fields and `file` parts (evidence, each at most the upload cap).
#[utoipa::path(post, path = "/assignments/{id}/activities", tag = "activities",
    params(("id" = i64, Path, description = "assignment id")),
    request_body(content(
        (ActivityBody = "application/json"),
        (ActivityForm = "multipart/form-data")),
        description = "the activity's fields, as JSON or as a form with `file` parts"),
    responses((status = 201, body = ActivityView), (status = 400, description = "a bad field, named"),
        (status = 403, description = "not the caller's unit"), (status = 404, description = "no such assignment"),
        (status = 413, description = "a file over the upload cap"), (status = 415, description = "a file type not accepted")),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    BearerHash(token_hash): BearerHash,
    Path(id): Path<i64>,
    request: Request,
) -> Result<(StatusCode, Json<ActivityView>), ApiError> {
    // The caller, the assignment and where it lies from the caller's unit in one query (this
    // is the API's busiest route); the same answers as `Caller` then `assignment_or_404` then
    // `ensure_may_report`: 401, then 404, then the policy's.
    let (user, assignment, known) = state
        .store
        .user_and_assignment_by_token_hash(&token_hash, id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let assignment =
        assignment.ok_or_else(|| ApiError::NotFound(format!("assignment {id} not found")))?;
    Authz::known(&state, &user, known)
        .check(Action::ReportActivity, Resource::Assignment(&assignment))
        .await?;
    // Files are written while the form streams in, before the fields are validated: when the
    // request fails after that, the files it brought go again (unless other evidence refers to
    // the same bytes), so no file is left that no evidence row refers to.
    let mut files = Vec::new();
    let result = create_from(&state, &user, id, request, &mut files).await;
    if result.is_err() {
        discard_files(&state, &files).await;
    }
    result
}

async fn create_from(
    state: &AppState,
    user: &UserRow,
    id: i64,
    request: Request,
    files: &mut Vec<StoredFile>,
) -> Result<(StatusCode, Json<ActivityView>), ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let input = if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::BadRequest(e.body_text()))?;
        read_form(&state.files, multipart, files).await?
    } else if content_type.starts_with("application/json") {
        let bytes = axum::body::to_bytes(request.into_body(), JSON_BODY_LIMIT)
            .await
            .map_err(|_| {
                ApiError::PayloadTooLarge(format!(
                    "body: at most {JSON_BODY_LIMIT} bytes of JSON; send files as multipart/form-data"
                ))
            })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::BadRequest(format!("body: not valid JSON ({e})")))?;
        ActivityInput::from_json(&value).map_err(|e| ApiError::BadRequest(describe(&e)))?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/json or multipart/form-data".into(),
        ));
    };
    let evidence = files.iter().map(StoredFile::evidence).collect();
    let activity = input
        .parse(id, today(), evidence)
        .map_err(|e| ApiError::BadRequest(describe(&e)))?;
    let (row, evidence) = state
        .store
        .record_activity(&activity, &change_by(user))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ActivityView {
            activity: row,
            evidence,
        }),
    ))
}

/// Removes the files a failed request put in the store, when no evidence refers to them.
pub(crate) async fn discard_files(state: &AppState, files: &[StoredFile]) {
    for file in files.iter().filter(|f| f.created) {
        match state.store.evidence_file(&file.sha256).await {
            Ok(None) => {
                if let Err(e) = state.files.remove(&file.sha256).await {
                    tracing::warn!(sha256 = %file.sha256, error = %e, "cannot remove an unused upload");
                }
            }
            Ok(Some(_)) => {}
            Err(e) => {
                tracing::warn!(sha256 = %file.sha256, error = %e, "cannot check an unused upload; `kehoach files gc` will");
            }
        }
    }
}

/// The activity `id`, when `user` may report for its assignment.
async fn reportable_activity(
    state: &AppState,
    user: &UserRow,
    id: i64,
) -> Result<ActivityRow, ApiError> {
    let row = state
        .store
        .activity(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("activity {id} not found")))?;
    let assignment = assignment_or_404(state, row.assignment_id).await?;
    ensure_may_report(state, user, &assignment).await?;
    Ok(row)
}

/// Correct an activity
///
/// A JSON object with the fields to change (`date`, `title`, `kind`, `quantity`,
/// `duration_minutes`, `attendance`, `completes`, `note`; an empty string clears an optional
/// one). Compliance and every aggregate move with it; the audit log keeps before and after.
/// Evidence is not edited.
#[utoipa::path(patch, path = "/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    request_body(content = ActivityPatch, content_type = "application/json", description = "the fields to change"),
    responses((status = 200, body = ActivityView), (status = 400, description = "a bad field, named"),
        (status = 403, description = "not the caller's unit"), (status = 404, description = "no such activity")),
    security(("bearer" = [])))]
async fn edit(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<serde_json::Value>,
) -> Result<Json<ActivityView>, ApiError> {
    let row = reportable_activity(&state, &user, id).await?;
    let patch = ActivityInput::from_json(&patch).map_err(|e| ApiError::BadRequest(describe(&e)))?;
    let mut input = ActivityInput::from_row(&row);
    input
        .overlay(patch)
        .map_err(|e| ApiError::BadRequest(describe(&e)))?;
    let edited = input
        .parse(row.assignment_id, today(), Vec::new())
        .map_err(|e| ApiError::BadRequest(describe(&e)))?;
    let activity = state
        .store
        .update_activity(id, &edited, &change_by(&user))
        .await?;
    let evidence = state.store.evidence_of_activity(id).await?;
    Ok(Json(ActivityView { activity, evidence }))
}

/// Delete an activity
///
/// Removes a wrongly recorded activity and its evidence rows; compliance and every aggregate
/// move back, and the audit log keeps what was removed. Answers the removed activity.
#[utoipa::path(delete, path = "/activities/{id}", tag = "activities",
    params(("id" = i64, Path, description = "activity id")),
    responses((status = 200, body = ActivityRow), (status = 403, description = "not the caller's unit"),
        (status = 404, description = "no such activity")),
    security(("bearer" = [])))]
async fn remove(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<i64>,
) -> Result<Json<ActivityRow>, ApiError> {
    reportable_activity(&state, &user, id).await?;
    let removed = state.store.delete_activity(id, &change_by(&user)).await?;
    Ok(Json(removed))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::PayloadTooLarge("request body: too large".into())
    } else {
        ApiError::BadRequest(format!("form: {}", e.body_text()))
    }
}

/// The form's text fields (bounded); its files are streamed into the file store and pushed
/// onto `stored` as they complete (the caller discards them when the request fails).
async fn read_form(
    files: &FileStore,
    mut multipart: Multipart,
    stored: &mut Vec<StoredFile>,
) -> Result<ActivityInput, ApiError> {
    let mut input = ActivityInput::default();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" || name == "files" || field.file_name().is_some() {
            if stored.len() >= MAX_FILES_PER_ACTIVITY {
                return Err(ApiError::BadRequest(format!(
                    "file: at most {MAX_FILES_PER_ACTIVITY} files"
                )));
            }
            let mut writer = files.writer(field.file_name().unwrap_or(""))?;
            while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                tokio::task::block_in_place(|| writer.write(&chunk))?;
            }
            stored.push(writer.finish().await?);
            continue;
        }
        let text = read_text(&mut field, &name).await?;
        if !input.set(&name, text) {
            return Err(ApiError::BadRequest(format!(
                "form: unknown field {name:?}"
            )));
        }
    }
    Ok(input)
}

async fn read_text(
    field: &mut axum::extract::multipart::Field<'_>,
    name: &str,
) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_FORM_FIELD_BYTES {
            return Err(ApiError::BadRequest(format!(
                "{name}: at most {MAX_FORM_FIELD_BYTES} bytes"
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::BadRequest(format!("{name}: not UTF-8 text")))
}

/// Import activities from a sheet
///
/// A multipart form with one `file` part, an .xlsx or .csv sheet: every row is stored, or none
/// and a report naming each bad row (422).
#[utoipa::path(post, path = "/activities/import", tag = "activities",
    request_body(content = ImportForm, content_type = "multipart/form-data", description = "one `file` part"),
    responses((status = 201, description = "{imported, first_id, last_id}", body = Object),
        (status = 422, description = "{error, rows: [{row, errors}]}; nothing stored", body = Object)),
    security(("bearer" = [])))]
async fn import(
    State(state): State<AppState>,
    Caller(user): Caller,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    // The role first (finance and viewers never report); each row's unit is checked below.
    crate::web::authz::ensure_may_report_somewhere(&state, &user).await?;
    let mut sheet: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        if field.name() != Some("file") || sheet.is_some() {
            return Err(ApiError::BadRequest(
                "form: exactly one part, named \"file\", holding the sheet".into(),
            ));
        }
        let name = field.file_name().unwrap_or("").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            if bytes.len() + chunk.len() > activity_import::MAX_IMPORT_BYTES {
                return Err(ApiError::PayloadTooLarge(format!(
                    "file: larger than the limit of {} bytes",
                    activity_import::MAX_IMPORT_BYTES
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        sheet = Some((name, bytes));
    }
    let Some((name, bytes)) = sheet else {
        return Err(ApiError::BadRequest("file: required".into()));
    };
    let result = async {
        let rows = tokio::task::spawn_blocking(move || activity_import::read_sheet(&bytes, &name))
            .await
            .map_err(|e| ImportError::File(format!("the file cannot be read: {e}")))??;
        let (state, user) = (&state, &user);
        let activities =
            activity_import::validate_rows(&state.store, &rows, today(), |a| async move {
                may_report_for(state, user, &a)
                    .await
                    .map(|verdict| verdict.map_err(|reason| format!("assignment_id: {reason}")))
            })
            .await?;
        let ids = state
            .store
            .add_activities(&activities, &change_by(user))
            .await?;
        Ok::<_, ImportError>(ids)
    }
    .await;
    match result {
        Ok(ids) => Ok((
            StatusCode::CREATED,
            Json(json!({
                "imported": ids.len(),
                "first_id": ids.first(),
                "last_id": ids.last(),
            })),
        )
            .into_response()),
        Err(ImportError::File(message)) => Err(ApiError::BadRequest(format!("file: {message}"))),
        Err(e @ ImportError::Rows { .. }) => {
            let message = e.to_string();
            let ImportError::Rows { rows, .. } = e else {
                unreachable!()
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                Json(json!({"error": message, "rows": rows})),
            )
                .into_response())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
