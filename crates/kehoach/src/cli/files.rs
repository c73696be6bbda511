//! `kehoach files gc`: removes evidence files that no evidence row refers to (left by an
//! interrupted upload, or by a deleted activity), and their thumbnails. `kehoach files migrate
//! --to database|directory`: moves every evidence file between the data directory and the
//! database (`evidence_store.rs`).

use std::time::{Duration, SystemTime};

use clap::Subcommand;

use super::Cli;
use crate::evidence_store::{PlaceName, move_to_database, move_to_directory};
use crate::files::Place;

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
    /// Move every evidence file to the database (every server of a PostgreSQL database then
    /// reaches it) or to the data directory, and keep new ones there. Each file is checked
    /// against its hash before its old copy goes; restart the servers afterwards.
    Migrate {
        /// Where the files go.
        #[arg(long, value_enum)]
        to: PlaceName,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Files younger than this are never collected.
const MIN_AGE: Duration = Duration::from_secs(3600);

pub async fn run(cli: &Cli, cmd: &FilesCommand) -> anyhow::Result<()> {
    match cmd {
        FilesCommand::Gc { dry_run, json } => gc(cli, *dry_run, *json).await,
        FilesCommand::Migrate { to, json } => migrate(cli, *to, *json).await,
    }
}

async fn migrate(cli: &Cli, to: PlaceName, json: bool) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = match to {
        PlaceName::Database => move_to_database(&cli.data_dir(), &store).await,
        PlaceName::Directory => move_to_directory(&cli.data_dir(), &store).await,
    };
    store.close().await;
    let moved = result?;
    if json {
        println!("{}", serde_json::to_string(&moved)?);
    } else {
        for sha in &moved.corrupt {
            println!("left in place, its bytes do not match its name: {sha}");
        }
        println!(
            "moved {} files ({} bytes) to the {}; evidence files are kept there from now on",
            moved.files, moved.bytes, moved.to
        );
    }
    if !moved.corrupt.is_empty() {
        anyhow::bail!("{} files could not be moved", moved.corrupt.len());
    }
    Ok(())
}

async fn gc(cli: &Cli, dry_run: bool, json: bool) -> anyhow::Result<()> {
    let store = cli.open_store().await?;
    let result = collect(cli, &store, dry_run).await;
    store.close().await;
    let Collected {
        found,
        thumbs,
        bytes,
    } = result?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "removed": if dry_run { 0 } else { found.len() },
                "unreferenced": found.len(),
                "thumbnails": thumbs.len(),
                "bytes": bytes,
                "dry_run": dry_run,
            })
        );
    } else {
        for name in found.iter().chain(&thumbs) {
            println!("{name}");
        }
        let verb = if dry_run { "would remove" } else { "removed" };
        println!(
            "{verb} {} unreferenced files and {} thumbnails ({bytes} bytes)",
            found.len(),
            thumbs.len()
        );
    }
    Ok(())
}

/// What `gc` found: names of files (a path, or a hash for a file in the database), of
/// thumbnails, and their total size.
struct Collected {
    found: Vec<String>,
    thumbs: Vec<String>,
    bytes: u64,
}

/// Finds (and unless `dry_run` removes) the unreferenced files of the store in use, the
/// uploads interrupted under the data directory, and the thumbnails of files no evidence refers
/// to.
async fn collect(
    cli: &Cli,
    store: &crate::store::Store,
    dry_run: bool,
) -> anyhow::Result<Collected> {
    let files = cli.files(store).await?;
    let mut referenced = store.referenced_files().await?;
    // The reporting chain (issue 20): frozen reports and signed scans are kept too.
    referenced.extend(store.report_files().await?);
    let cutoff = SystemTime::now() - MIN_AGE;
    let mut found = Vec::new();
    let mut bytes = 0u64;
    if let Place::Database(_) = files.place() {
        for row in store.unreferenced_stored_files(cutoff.into()).await? {
            bytes += u64::try_from(row.size_bytes).unwrap_or(0);
            if !dry_run {
                files.remove(&row.sha256).await?;
            }
            found.push(row.sha256);
        }
    }
    // In the directory: its files with that store, interrupted uploads with either.
    for path in files.unreferenced(cutoff, |sha| referenced.contains(sha))? {
        bytes += std::fs::symlink_metadata(&path)
            .map(|m| m.len())
            .unwrap_or(0);
        if !dry_run {
            std::fs::remove_file(&path)?;
        }
        found.push(path.display().to_string());
    }
    let mut thumbs = Vec::new();
    for path in
        crate::thumbs::unreferenced(&cli.data_dir(), cutoff, |sha| referenced.contains(sha))?
    {
        bytes += std::fs::symlink_metadata(&path)
            .map(|m| m.len())
            .unwrap_or(0);
        if !dry_run {
            std::fs::remove_file(&path)?;
        }
        thumbs.push(path.display().to_string());
    }
    Ok(Collected {
        found,
        thumbs,
        bytes,
    })
}
