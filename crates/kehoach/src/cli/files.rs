//! `kehoach files gc`: removes evidence files that no evidence row refers to (left by an
//! interrupted upload, or by a deleted activity).

use std::time::{Duration, SystemTime};

use clap::Subcommand;

use super::Cli;

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Remove stored files that no evidence refers to and that are older than an hour (younger
    /// ones may belong to an upload still in flight).
    Gc {
        /// List what would go, remove nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Files younger than this are never collected.
const MIN_AGE: Duration = Duration::from_secs(3600);

pub async fn run(cli: &Cli, cmd: &FilesCommand) -> anyhow::Result<()> {
    let FilesCommand::Gc { dry_run, json } = cmd;
    let store = cli.open_store().await?;
    let referenced = store.referenced_files().await;
    // The reporting chain (issue 20): frozen reports and signed scans are kept too.
    let reports = store.report_files().await;
    store.close().await;
    let mut referenced = referenced?;
    referenced.extend(reports?);
    let files = cli.files();
    let cutoff = SystemTime::now() - MIN_AGE;
    let found = files.unreferenced(cutoff, |sha| referenced.contains(sha))?;
    let mut bytes = 0u64;
    for path in &found {
        bytes += std::fs::symlink_metadata(path)
            .map(|m| m.len())
            .unwrap_or(0);
        if !dry_run {
            std::fs::remove_file(path)?;
        }
    }
    if *json {
        println!(
            "{}",
            serde_json::json!({
                "removed": if *dry_run { 0 } else { found.len() },
                "unreferenced": found.len(),
                "bytes": bytes,
                "dry_run": dry_run,
            })
        );
    } else {
        for path in &found {
            println!("{}", path.display());
        }
        let verb = if *dry_run { "would remove" } else { "removed" };
        println!("{verb} {} unreferenced files ({bytes} bytes)", found.len());
    }
    Ok(())
}
