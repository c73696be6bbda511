use std::path::PathBuf;

use clap::Subcommand;

use super::{Cli, InputError};
use crate::activity_import::{self, ImportError};
use crate::activity_input::{ActivityInput, describe};
use crate::files::MAX_FILES_PER_ACTIVITY;
use crate::store::{Change, StoreError};

#[derive(Debug, Subcommand)]
pub enum ActivityCommand {
    /// Record what a unit did for an assignment.
    Add {
        #[arg(long)]
        assignment: i64,
        /// The day it happened (YYYY-MM-DD or dd/mm/yyyy).
        #[arg(long)]
        date: String,
        #[arg(long)]
        title: String,
        /// How many of the target's unit it counts for (default 1).
        #[arg(long)]
        quantity: Option<String>,
        /// A link to the evidence (article, broadcast page); may be repeated.
        #[arg(long)]
        url: Vec<String>,
        /// An evidence file (photo, PDF, Word, Excel, audio, video, text); may be repeated.
        #[arg(long, value_name = "FILE")]
        file: Vec<PathBuf>,
        /// Marks the deliverable of a task with a due date as done.
        #[arg(long)]
        completes: bool,
        #[arg(long, default_value = "")]
        kind: String,
        #[arg(long)]
        duration_minutes: Option<String>,
        #[arg(long)]
        attendance: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Correct a recorded activity: only the fields given change (an empty value clears an
    /// optional one). Compliance follows; the audit log keeps before and after.
    Edit {
        /// The activity's id.
        id: i64,
        #[arg(long)]
        date: Option<String>,
        #[arg(long)]
        title: Option<String>,
        #[arg(long)]
        quantity: Option<String>,
        /// yes/no: whether it completes the task's deliverable.
        #[arg(long)]
        completes: Option<String>,
        #[arg(long)]
        kind: Option<String>,
        #[arg(long)]
        duration_minutes: Option<String>,
        #[arg(long)]
        attendance: Option<String>,
        #[arg(long)]
        note: Option<String>,
    },
    /// Delete a wrongly recorded activity (and its evidence rows); compliance follows, the audit
    /// log keeps what was removed.
    Delete {
        /// The activity's id.
        id: i64,
    },
    /// Import many activities from a sheet (.xlsx or .csv): all rows, or none and a report of
    /// every bad row.
    ///
    /// Columns (header row; Vietnamese or English, case and diacritics ignored): mã giao việc |
    /// assignment_id, ngày | date, tiêu đề | title, and optionally số lượng | quantity, loại |
    /// kind, đường dẫn | url, hoàn thành | completes, số người tham dự | attendance,
    /// thời lượng (phút) | duration_minutes, ghi chú | note.
    Import {
        file: PathBuf,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Review a reported activity as the plan office: accept it, or return it with a reason
    /// (what to correct). Refused for an activity dated in a locked period.
    Review(super::period::ReviewArgs),
}

fn not_found_is_input(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::NotFound(what) => InputError(format!("{what} not found")).into(),
        // A write into a locked period: one line naming the lock, exit 2.
        StoreError::Locked(lock) => InputError(lock.to_string()).into(),
        StoreError::Closed(why) => InputError(why.to_string()).into(),
        other => other.into(),
    }
}

pub async fn run(cli: &Cli, cmd: &ActivityCommand) -> anyhow::Result<()> {
    let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
    match cmd {
        ActivityCommand::Add {
            assignment,
            date,
            title,
            quantity,
            url,
            file,
            completes,
            kind,
            duration_minutes,
            attendance,
            note,
        } => {
            let input = ActivityInput {
                date: Some(date.clone()),
                title: Some(title.clone()),
                kind: Some(kind.clone()),
                quantity: quantity.clone(),
                duration_minutes: duration_minutes.clone(),
                attendance: attendance.clone(),
                urls: url.clone(),
                completes: Some(completes.to_string()),
                note: note.clone(),
            };
            // Check the fields before storing any file.
            input
                .parse(*assignment, today, Vec::new())
                .map_err(|e| InputError(describe(&e)))?;
            if file.len() > MAX_FILES_PER_ACTIVITY {
                return Err(
                    InputError(format!("--file: at most {MAX_FILES_PER_ACTIVITY} files")).into(),
                );
            }
            let store = cli.open_store().await?;
            if store.assignment(*assignment).await?.is_none() {
                store.close().await;
                return Err(InputError(format!("assignment {assignment} not found")).into());
            }
            let files = cli.files(&store).await?;
            let mut evidence = Vec::new();
            for path in file {
                let stored = files.store_path(path).await.map_err(|e| match e {
                    crate::files::FileError::Io(io) => {
                        InputError(format!("--file {}: {io}", path.display()))
                    }
                    other => InputError(format!("--file {other}")),
                })?;
                evidence.push(stored.evidence());
            }
            let activity = input
                .parse(*assignment, today, evidence)
                .map_err(|e| InputError(describe(&e)))?;
            let result = store.add_activity(&activity, &Change::system("cli")).await;
            let row = match result {
                Ok(row) => row,
                Err(e) => {
                    store.close().await;
                    return Err(not_found_is_input(e));
                }
            };
            let evidence = store.evidence_of_activity(row.id).await;
            store.close().await;
            let mut value = serde_json::to_value(&row)?;
            value["evidence"] = serde_json::to_value(evidence?)?;
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        ActivityCommand::Edit {
            id,
            date,
            title,
            quantity,
            completes,
            kind,
            duration_minutes,
            attendance,
            note,
        } => {
            let patch = ActivityInput {
                date: date.clone(),
                title: title.clone(),
                kind: kind.clone(),
                quantity: quantity.clone(),
                duration_minutes: duration_minutes.clone(),
                attendance: attendance.clone(),
                urls: Vec::new(),
                completes: completes.clone(),
                note: note.clone(),
            };
            let store = cli.open_store().await?;
            let result = async {
                let Some(row) = store.activity(*id).await? else {
                    return Err(InputError(format!("activity {id} not found")).into());
                };
                let mut input = ActivityInput::from_row(&row);
                input.overlay(patch).map_err(|e| InputError(describe(&e)))?;
                let edited = input
                    .parse(row.assignment_id, today, Vec::new())
                    .map_err(|e| InputError(describe(&e)))?;
                store
                    .update_activity(*id, &edited, &Change::system("cli"))
                    .await
                    .map_err(not_found_is_input)
            }
            .await;
            store.close().await;
            println!("{}", serde_json::to_string_pretty(&result?)?);
        }
        ActivityCommand::Review(args) => super::period::review(cli, args).await?,
        ActivityCommand::Delete { id } => {
            let store = cli.open_store().await?;
            let result = store.delete_activity(*id, &Change::system("cli")).await;
            store.close().await;
            let removed = result.map_err(not_found_is_input)?;
            println!("{}", serde_json::to_string_pretty(&removed)?);
        }
        ActivityCommand::Import { file, json } => {
            let meta = std::fs::metadata(file)
                .map_err(|e| InputError(format!("{}: {e}", file.display())))?;
            if meta.len() > activity_import::MAX_IMPORT_BYTES as u64 {
                return Err(InputError(format!(
                    "{}: larger than {} bytes",
                    file.display(),
                    activity_import::MAX_IMPORT_BYTES
                ))
                .into());
            }
            let bytes =
                std::fs::read(file).map_err(|e| InputError(format!("{}: {e}", file.display())))?;
            let name = file.display().to_string();
            let rows = activity_import::read_sheet(&bytes, &name)
                .map_err(|e| InputError(format!("{name}: {e}")))?;
            let store = cli.open_store().await?;
            // The CLI is the operator: every existing assignment is allowed.
            let result = async {
                let activities =
                    activity_import::validate_rows(&store, &rows, today, |_| async { Ok(Ok(())) })
                        .await?;
                Ok::<_, ImportError>(
                    store
                        .add_activities(&activities, &Change::system("cli"))
                        .await?,
                )
            }
            .await;
            store.close().await;
            match result {
                Ok(ids) => {
                    if *json {
                        println!(
                            "{}",
                            serde_json::json!({
                                "imported": ids.len(),
                                "first_id": ids.first(),
                                "last_id": ids.last(),
                            })
                        );
                    } else {
                        println!("imported {} activities from {name}", ids.len());
                    }
                }
                Err(e @ ImportError::Rows { .. }) => {
                    let summary = e.to_string();
                    let ImportError::Rows { rows, .. } = e else {
                        unreachable!()
                    };
                    if *json {
                        eprintln!("{}", serde_json::json!({"error": summary, "rows": rows}));
                    } else {
                        for report in &rows {
                            eprintln!("row {}: {}", report.row, report.errors.join("; "));
                        }
                    }
                    return Err(InputError(format!("{name}: {summary}")).into());
                }
                Err(ImportError::File(message)) => {
                    return Err(InputError(format!("{name}: {message}")).into());
                }
                Err(ImportError::Store(e)) => return Err(not_found_is_input(e)),
            }
        }
    }
    Ok(())
}
