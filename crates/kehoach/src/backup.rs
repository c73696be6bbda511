//! `kehoach backup` and `kehoach restore` for the embedded SQLite database: one zip archive with
//! the database as it was at one instant and every evidence file it refers to.
//!
//! Consistent while the server runs: the database is copied with `VACUUM INTO` (one read
//! transaction; writers carry on), then the evidence files *that copy* refers to are added. A
//! file is in the store before the evidence row naming it commits (`files.rs`), and files are
//! immutable (named by their hash), so each one is there to copy whatever was written since.
//! Files kept in the database (`files migrate --to database`) are inside the copy already.
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`; the README gives the commands), which
//! hold the evidence files too when the database keeps them.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use sqlx::Connection;
use zip::write::SimpleFileOptions;

use crate::files::{FileError, FileStore, is_sha256_hex};
use crate::store::{Store, StoreError};

/// The archive's description, its last entry.
pub const MANIFEST_ENTRY: &str = "kehoach-backup.json";
/// The database's entry.
pub const DATABASE_ENTRY: &str = "kehoach.sqlite3";
/// The format this code writes and reads.
pub const FORMAT: &str = "kehoach.backup/1";
/// The largest manifest read back (it lists only missing files).
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// What a backup holds.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub schema_version: i64,
    /// Evidence files in the archive, and their bytes.
    pub files: u64,
    pub file_bytes: u64,
    /// Files the database refers to that the store did not have when the backup was taken.
    pub missing: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup works on the embedded SQLite database; back up PostgreSQL with pg_dump (see \
         \"Backups\" in the README: pg_dump --format=custom, restored with pg_restore)"
    )]
    Postgres,
    #[error(
        "{0}: already holds a database or evidence files; restore into an empty data directory"
    )]
    NotEmpty(PathBuf),
    #[error("{0}")]
    BadArchive(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    File(#[from] FileError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("archive: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("the database copy: {0}")]
    Database(#[from] sqlx::Error),
}

/// Writes a backup of `store` (SQLite) and its evidence files to `out` (replaced only once the
/// archive is complete).
pub async fn backup(store: &Store, files: &FileStore, out: &Path) -> Result<Manifest, BackupError> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staging = tempfile::Builder::new()
        .prefix(".kehoach-backup-")
        .tempdir_in(parent)?;
    let copy = staging.path().join(DATABASE_ENTRY);
    if store.vacuum_into(&copy).await?.is_none() {
        return Err(BackupError::Postgres);
    }
    // What the copy refers to, and what it holds itself (files kept in the database).
    let (referenced, inside, schema_version) = {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&copy)
            .read_only(true);
        let mut conn = sqlx::SqliteConnection::connect_with(&options).await?;
        let referenced: Vec<String> = sqlx::query_scalar(
            "SELECT DISTINCT sha256 FROM evidence WHERE sha256 IS NOT NULL ORDER BY sha256",
        )
        .fetch_all(&mut conn)
        .await?;
        let inside: std::collections::HashSet<String> =
            sqlx::query_scalar("SELECT sha256 FROM stored_files")
                .fetch_all(&mut conn)
                .await?
                .into_iter()
                .collect();
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut conn)
                .await?;
        conn.close().await?;
        (referenced, inside, version.unwrap_or(0))
    };
    let files = files.clone();
    let target = out.to_path_buf();
    let parent = parent.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let archive = tempfile::Builder::new()
            .prefix(".kehoach-backup-")
            .tempfile_in(&parent)?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(archive.reopen()?));
        let deflated = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        // Evidence is mostly photos and PDFs, compressed already.
        let stored = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        zip.start_file(DATABASE_ENTRY, deflated)?;
        std::io::copy(&mut std::fs::File::open(&copy)?, &mut zip)?;
        let mut manifest = Manifest {
            format: FORMAT.into(),
            created_at: chrono::Utc::now(),
            schema_version,
            files: 0,
            file_bytes: 0,
            missing: Vec::new(),
        };
        for sha in referenced.iter().filter(|sha| !inside.contains(*sha)) {
            let Some(mut reader) = files.open_blocking(sha)? else {
                manifest.missing.push(sha.clone());
                continue;
            };
            zip.start_file(entry_of(sha), stored)?;
            manifest.file_bytes += std::io::copy(&mut reader, &mut zip)?;
            manifest.files += 1;
        }
        zip.start_file(MANIFEST_ENTRY, deflated)?;
        zip.write_all(&serde_json::to_vec_pretty(&manifest).map_err(std::io::Error::other)?)?;
        let mut writer = zip.finish()?;
        writer.flush()?;
        writer.get_ref().sync_all()?;
        drop(writer);
        archive.persist(&target).map_err(|e| e.error)?;
        Ok(manifest)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// The archive entry of an evidence file: the data directory's own layout.
fn entry_of(sha256: &str) -> String {
    format!("files/{}/{sha256}", &sha256[..2])
}

/// The hash an archive entry names, when it is an evidence file's entry and nothing else.
fn sha_of_entry(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("files/")?;
    let (prefix, sha) = rest.split_once('/')?;
    (is_sha256_hex(sha) && sha.starts_with(prefix) && prefix.len() == 2).then_some(sha)
}

/// Restores the backup `archive` into `data_dir`, which must hold no database and no evidence
/// files. Each file is checked against its hash; the database is put in place last, so an
/// interrupted restore leaves no database behind to be mistaken for a whole one.
pub async fn restore(archive: &Path, data_dir: &Path) -> Result<Manifest, BackupError> {
    let database = data_dir.join(DATABASE_ENTRY);
    let files_dir = data_dir.join("files");
    let occupied = database.exists()
        || data_dir.join(format!("{DATABASE_ENTRY}-wal")).exists()
        || std::fs::read_dir(&files_dir).is_ok_and(|mut d| d.next().is_some());
    if occupied {
        return Err(BackupError::NotEmpty(data_dir.to_path_buf()));
    }
    std::fs::create_dir_all(data_dir)?;
    let archive = archive.to_path_buf();
    let data_dir = data_dir.to_path_buf();
    let manifest = tokio::task::spawn_blocking(move || unpack(&archive, &data_dir))
        .await
        .map_err(std::io::Error::other)??;
    Ok(manifest)
}

fn unpack(archive: &Path, data_dir: &Path) -> Result<Manifest, BackupError> {
    let bad = |what: String| BackupError::BadArchive(format!("{}: {what}", archive.display()));
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(std::fs::File::open(archive)?))
        .map_err(|e| bad(format!("not a kehoach backup ({e})")))?;
    let manifest: Manifest = {
        let entry = zip
            .by_name(MANIFEST_ENTRY)
            .map_err(|_| bad(format!("no {MANIFEST_ENTRY}: not a kehoach backup")))?;
        let mut text = Vec::new();
        entry.take(MAX_MANIFEST_BYTES).read_to_end(&mut text)?;
        serde_json::from_slice(&text).map_err(|e| bad(format!("{MANIFEST_ENTRY}: {e}")))?
    };
    if manifest.format != FORMAT {
        return Err(bad(format!(
            "format {:?}, expected {FORMAT}",
            manifest.format
        )));
    }
    let staging = tempfile::Builder::new()
        .prefix(".restore-")
        .tempdir_in(data_dir)?;
    let mut restored = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name()?.into_owned();
        if name == MANIFEST_ENTRY {
            continue;
        }
        if name == DATABASE_ENTRY {
            std::io::copy(
                &mut entry,
                &mut std::fs::File::create(staging.path().join(DATABASE_ENTRY))?,
            )?;
            continue;
        }
        let sha = sha_of_entry(&name).ok_or_else(|| bad(format!("unexpected entry {name:?}")))?;
        let path = staging.path().join(entry_of(sha));
        std::fs::create_dir_all(path.parent().expect("a parent directory"))?;
        let mut out = std::fs::File::create(&path)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])?;
        }
        let actual: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if actual != sha {
            return Err(bad(format!("{name}: its bytes do not match its name")));
        }
        out.sync_all()?;
        restored += 1;
    }
    if !staging.path().join(DATABASE_ENTRY).exists() {
        return Err(bad(format!("no {DATABASE_ENTRY}")));
    }
    if restored != manifest.files {
        return Err(bad(format!(
            "{restored} evidence files, the manifest says {}",
            manifest.files
        )));
    }
    if staging.path().join("files").exists() {
        std::fs::rename(staging.path().join("files"), data_dir.join("files"))?;
    }
    std::fs::rename(
        staging.path().join(DATABASE_ENTRY),
        data_dir.join(DATABASE_ENTRY),
    )?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_evidence_entries_name_a_file() {
        let sha = "ab".repeat(32);
        assert_eq!(
            super::sha_of_entry(&format!("files/ab/{sha}")),
            Some(sha.as_str())
        );
        for bad in [
            format!("files/cd/{sha}"),
            format!("files/ab/../{sha}"),
            format!("../files/ab/{sha}"),
            format!("files/ab/{sha}/x"),
            "files/ab/..".to_string(),
        ] {
            assert_eq!(super::sha_of_entry(&bad), None, "{bad}");
        }
    }
}
