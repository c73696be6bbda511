//! `kehoach files gc`: removes evidence files that no evidence row refers to (left by an
//! interrupted upload, or by a deleted activity), and their thumbnails.

use std::time::{Duration, SystemTime};

use clap::Subcommand;

use super::Cli;

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Remove stored files that no evidence refers to and that are older than an hour (younger
    /// ones may belong to an upload still in flight), and the thumbnails of files no evidence
    /// refers to.
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
    store.close().await;
    let referenced = referenced?;
    let files = cli.files();
    let cutoff = SystemTime::now() - MIN_AGE;
    let found = files.unreferenced(cutoff, |sha| referenced.contains(sha))?;
    let thumbs =
        crate::thumbs::unreferenced(&cli.data_dir(), cutoff, |sha| referenced.contains(sha))?;
    let mut bytes = 0u64;
    for path in found.iter().chain(&thumbs) {
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
                "thumbnails": thumbs.len(),
                "bytes": bytes,
                "dry_run": dry_run,
            })
        );
    } else {
        for path in found.iter().chain(&thumbs) {
            println!("{}", path.display());
        }
        let verb = if *dry_run { "would remove" } else { "removed" };
        println!(
            "{verb} {} unreferenced files and {} thumbnails ({bytes} bytes)",
            found.len(),
            thumbs.len()
        );
    }
    Ok(())
}
