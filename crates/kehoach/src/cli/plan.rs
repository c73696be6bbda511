use std::path::{Path, PathBuf};

use clap::Subcommand;

use super::{Cli, InputError};
use crate::import::{ImportError, import_plan};
use crate::store::Change;

#[derive(Debug, Subcommand)]
pub enum PlanCommand {
    /// Extract the structured plan (kehoach.plan/1) from a .docx, .pdf, .txt or .md document.
    Parse {
        file: PathBuf,
        /// Print the JSON instead of a readable summary.
        #[arg(long)]
        json: bool,
    },
    /// Import a plan document: its tasks, targets, and one assignment per lead unit.
    Import {
        file: PathBuf,
        /// The unit whose plan it is (name or code); default: the issuer the document names.
        #[arg(long)]
        context: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the stored plans.
    List {
        #[arg(long)]
        json: bool,
    },
    /// A plan's review settings: count all activities or accepted ones only; lock periods
    /// automatically N days after they end.
    Set(super::period::PlanSetArgs),
    /// Archive a plan: read-only from today, out of "Việc của tôi", still in reports and search.
    Archive {
        /// The plan's id.
        plan: i64,
    },
    // Plans that implement plans (issue 22): link, links, coverage, map-task, carry, diff.
    #[command(flatten)]
    Cascade(super::plan_links::CascadeCommand),
}

/// Reads a document, refusing files over the importer's limit before reading them.
pub(crate) fn read_document_file(path: &Path) -> anyhow::Result<(Vec<u8>, String)> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let meta =
        std::fs::metadata(path).map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    if meta.len() > kehoach_plan::MAX_INPUT_BYTES as u64 {
        return Err(InputError(format!(
            "{}: {} bytes is over the limit of {} bytes",
            path.display(),
            meta.len(),
            kehoach_plan::MAX_INPUT_BYTES
        ))
        .into());
    }
    let bytes = std::fs::read(path).map_err(|e| InputError(format!("{}: {e}", path.display())))?;
    Ok((bytes, name))
}

pub async fn run(cli: &Cli, cmd: &PlanCommand) -> anyhow::Result<()> {
    match cmd {
        PlanCommand::Cascade(cmd) => return super::plan_links::run(cli, cmd).await,
        PlanCommand::Set(args) => super::period::plan_set(cli, args).await?,
        PlanCommand::Parse { file, json } => {
            let (bytes, name) = read_document_file(file)?;
            let plan = kehoach_plan::parse(&bytes, &name)
                .map_err(|e| InputError(format!("{}: {e}", file.display())))?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&plan)?);
            } else {
                print!("{}", kehoach_plan::summary(&plan));
            }
        }
        PlanCommand::Import {
            file,
            context,
            json,
        } => {
            let (bytes, name) = read_document_file(file)?;
            let store = cli.open_store().await?;
            let imported = import_plan(
                &store,
                &bytes,
                &name,
                context.as_deref(),
                &Change::system("cli"),
            )
            .await;
            store.close().await;
            let imported = imported.map_err(|e| match e {
                ImportError::Store(e) => anyhow::Error::from(e),
                other => InputError(format!("{}: {other}", file.display())).into(),
            })?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&imported)?);
            } else {
                println!(
                    "plan {}: {} tasks, {} assignments, {} unresolved unit texts",
                    imported.plan_id,
                    imported.tasks,
                    imported.assignments,
                    imported.unresolved.len()
                );
                for u in &imported.unresolved {
                    println!("  {} {} ({}): {}", u.task_ref, u.role, u.reason, u.text);
                }
                for w in &imported.warnings {
                    println!("warning: {w}");
                }
            }
        }
        PlanCommand::List { json } => {
            let store = cli.open_store().await?;
            let plans = store.plans().await;
            store.close().await;
            let plans = plans?;
            if *json {
                println!("{}", serde_json::to_string_pretty(&plans)?);
            } else {
                for p in plans {
                    println!(
                        "{}\t{}\t{}",
                        p.id,
                        p.number.as_deref().unwrap_or("-"),
                        p.title
                    );
                }
            }
        }
        PlanCommand::Archive { plan } => {
            let store = cli.open_store().await?;
            let today = kehoach_core::period::today_in_vietnam(chrono::Utc::now());
            let archived = store
                .archive_plan(*plan, today, &Change::system("cli"))
                .await;
            store.close().await;
            archived.map_err(|e| match e {
                crate::store::PlanEditError::Store(e) => anyhow::Error::from(e),
                other => InputError(other.to_string()).into(),
            })?;
            println!("plan {plan}: archived");
        }
    }
    Ok(())
}
