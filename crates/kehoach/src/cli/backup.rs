//! `kehoach backup -o FILE` and `kehoach restore FILE` (`crate::backup`).

use std::path::PathBuf;

use clap::Args;

use super::{Cli, InputError};
use crate::backup::BackupError;

#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The archive to write (.zip): the SQLite database at one instant and every evidence file
    /// it refers to. Safe while the server runs.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// An archive written by `kehoach backup`.
    #[arg(value_name = "FILE")]
    pub archive: PathBuf,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn backup(cli: &Cli, args: &BackupArgs) -> anyhow::Result<()> {
    if cli.database_url.as_deref().is_some_and(|u| !u.is_empty()) {
        return Err(InputError(BackupError::Postgres.to_string()).into());
    }
    let store = cli.open_store().await?;
    let files = cli.files(&store).await;
    let result = match files {
        Ok(files) => crate::backup::backup(&store, &files, &args.output)
            .await
            .map_err(user_error),
        Err(e) => Err(e),
    };
    store.close().await;
    let manifest = result?;
    if args.json {
        println!("{}", serde_json::to_string(&manifest)?);
    } else {
        println!(
            "wrote {}: the database (schema {}) and {} evidence files ({} bytes)",
            args.output.display(),
            manifest.schema_version,
            manifest.files,
            manifest.file_bytes
        );
    }
    for sha in &manifest.missing {
        eprintln!("warning: evidence file {sha} was already missing from the store");
    }
    Ok(())
}

pub async fn restore(cli: &Cli, args: &RestoreArgs) -> anyhow::Result<()> {
    if cli.database_url.as_deref().is_some_and(|u| !u.is_empty()) {
        return Err(InputError(
            "restore writes an embedded SQLite data directory; restore PostgreSQL with \
             pg_restore (see \"Backups\" in the README)"
                .into(),
        )
        .into());
    }
    let data_dir = cli.data_dir();
    let manifest = crate::backup::restore(&args.archive, &data_dir)
        .await
        .map_err(user_error)?;
    // Opening applies the migrations newer than the backup.
    let store = cli.open_store().await?;
    let version = store.schema_version().await;
    store.close().await;
    if args.json {
        println!("{}", serde_json::to_string(&manifest)?);
    } else {
        println!(
            "restored {} into {} (taken {}, {} evidence files); schema now {}",
            args.archive.display(),
            data_dir.display(),
            manifest.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            manifest.files,
            version?
        );
    }
    Ok(())
}

/// What the user can fix (the wrong database, an occupied directory, a bad archive) exits 2.
fn user_error(e: BackupError) -> anyhow::Error {
    match e {
        BackupError::Postgres | BackupError::NotEmpty(_) | BackupError::BadArchive(_) => {
            InputError(e.to_string()).into()
        }
        other => other.into(),
    }
}
