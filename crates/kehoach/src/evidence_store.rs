//! Where evidence files are: the one rule that picks the data directory or the database
//! ([`Place`]), and the ways a file leaves the store — streamed to a client ([`FileStore::body`]),
//! read by blocking code ([`FileStore::open_blocking`]: the evidence pack, backups), copied to a
//! local path ([`FileStore::local_file_blocking`]: thumbnails) — and `kehoach files migrate`
//! ([`move_to_database`], [`move_to_directory`]). Writing is `files.rs`'s `FileWriter`.
//!
//! The place is a property of the database, not of a server: the `meta` row
//! [`PLACE_KEY`] (set by `files migrate`), else the database on PostgreSQL — so that servers
//! with different `--data-dir`s serve the same files — and the data directory on SQLite. With
//! the database, a file it lacks is looked for in the data directory, so files from before
//! migration 0021 stay readable until `files migrate --to database` moves them.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::files::{FileError, FileStore, Place, is_sha256_hex};
use crate::store::{Backend, Store, StoreError};

/// The `meta` key naming where evidence files are: `database` or `directory`.
pub const PLACE_KEY: &str = "evidence_store";

/// Bytes the download pipe holds ahead of the client: one chunk.
const PIPE_BYTES: usize = crate::store::CHUNK_BYTES;

/// The place named by `files migrate --to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlaceName {
    Database,
    Directory,
}

impl PlaceName {
    fn as_str(self) -> &'static str {
        match self {
            PlaceName::Database => "database",
            PlaceName::Directory => "directory",
        }
    }
}

impl FileStore {
    /// The file store of `store`'s database, receiving uploads under `data_dir`.
    pub async fn for_store(
        data_dir: &Path,
        max_bytes: u64,
        store: &Store,
    ) -> Result<FileStore, StoreError> {
        let chosen = store.meta(PLACE_KEY).await?;
        let in_database = match chosen.as_deref() {
            Some("database") => true,
            Some("directory") => false,
            _ => store.backend() == Backend::Postgres,
        };
        Ok(if in_database {
            FileStore::in_database(data_dir, max_bytes, store.clone())
        } else {
            FileStore::new(data_dir, max_bytes)
        })
    }

    /// The file's bytes as a response body and their length, streamed (one chunk at a time from
    /// the database); `None` when the store does not have it.
    pub async fn body(&self, sha256: &str) -> Result<Option<(axum::body::Body, u64)>, FileError> {
        if !is_sha256_hex(sha256) {
            return Ok(None);
        }
        if let Place::Database(store) = &self.place
            && let Some(row) = store.stored_file(sha256).await?
        {
            let (mut writer, reader) = tokio::io::duplex(PIPE_BYTES);
            let (store, sha256) = (store.clone(), sha256.to_string());
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                for seq in 0..row.chunks {
                    let chunk = match store.file_chunk(&sha256, seq).await {
                        Ok(Some(chunk)) => chunk,
                        // Removed meanwhile, or the database failed: the body ends short of its
                        // Content-Length, which the client sees as a broken download.
                        Ok(None) => break,
                        Err(e) => {
                            tracing::warn!(%sha256, error = %e, "cannot read an evidence file");
                            break;
                        }
                    };
                    // The client went away.
                    if writer.write_all(&chunk).await.is_err() {
                        break;
                    }
                }
            });
            let stream = tokio_util::io::ReaderStream::new(reader);
            let size = u64::try_from(row.size_bytes).unwrap_or(0);
            return Ok(Some((axum::body::Body::from_stream(stream), size)));
        }
        let path = self.path_of(sha256).expect("a SHA-256 in hex");
        match tokio::fs::File::open(&path).await {
            Ok(file) => {
                let size = file.metadata().await?.len();
                let stream = tokio_util::io::ReaderStream::new(file);
                Ok(Some((axum::body::Body::from_stream(stream), size)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// A reader of the file for blocking code (inside `spawn_blocking`: it waits for the
    /// database on the runtime); `None` when the store does not have it.
    pub fn open_blocking(&self, sha256: &str) -> Result<Option<EvidenceReader>, FileError> {
        if !is_sha256_hex(sha256) {
            return Ok(None);
        }
        if let Place::Database(store) = &self.place {
            let runtime = tokio::runtime::Handle::try_current().map_err(std::io::Error::other)?;
            if let Some(row) = runtime.block_on(store.stored_file(sha256))? {
                return Ok(Some(EvidenceReader::Chunks(ChunkReader {
                    store: store.clone(),
                    runtime,
                    sha256: row.sha256,
                    next: 0,
                    chunks: row.chunks,
                    buf: Vec::new(),
                    pos: 0,
                })));
            }
        }
        let path = self.path_of(sha256).expect("a SHA-256 in hex");
        match std::fs::File::open(&path) {
            Ok(file) => Ok(Some(EvidenceReader::File(file))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The file at a local path, for code that needs one (the image decoder of `thumbs.rs`):
    /// the stored file itself in the directory, a temporary copy of one from the database.
    /// Blocking, like [`FileStore::open_blocking`]; a missing file is `NotFound`.
    pub fn local_file_blocking(&self, sha256: &str) -> Result<LocalFile, FileError> {
        let missing = || FileError::Io(std::io::ErrorKind::NotFound.into());
        if let Place::Directory = self.place {
            return self
                .path_of(sha256)
                .map(LocalFile::Path)
                .ok_or_else(missing);
        }
        let mut reader = self.open_blocking(sha256)?.ok_or_else(missing)?;
        if let EvidenceReader::File(_) = reader {
            return self
                .path_of(sha256)
                .map(LocalFile::Path)
                .ok_or_else(missing);
        }
        std::fs::create_dir_all(&self.root)?;
        let mut temp = tempfile::Builder::new()
            .prefix(".copy-")
            .tempfile_in(&self.root)?;
        std::io::copy(&mut reader, temp.as_file_mut())?;
        Ok(LocalFile::Temp(temp))
    }
}

/// A stored file being read by blocking code.
pub enum EvidenceReader {
    File(std::fs::File),
    Chunks(ChunkReader),
}

/// Reads a file from the database one chunk at a time.
pub struct ChunkReader {
    store: Store,
    runtime: tokio::runtime::Handle,
    sha256: String,
    next: i32,
    chunks: i32,
    buf: Vec<u8>,
    pos: usize,
}

impl Read for EvidenceReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        match self {
            EvidenceReader::File(file) => file.read(out),
            EvidenceReader::Chunks(r) => {
                if r.pos == r.buf.len() {
                    if r.next >= r.chunks {
                        return Ok(0);
                    }
                    r.buf = r
                        .runtime
                        .block_on(r.store.file_chunk(&r.sha256, r.next))
                        .map_err(std::io::Error::other)?
                        .ok_or_else(|| {
                            std::io::Error::new(
                                std::io::ErrorKind::NotFound,
                                format!("file {} removed while being read", r.sha256),
                            )
                        })?;
                    r.next += 1;
                    r.pos = 0;
                }
                let n = out.len().min(r.buf.len() - r.pos);
                out[..n].copy_from_slice(&r.buf[r.pos..r.pos + n]);
                r.pos += n;
                Ok(n)
            }
        }
    }
}

/// A file at a local path; a temporary copy is removed when dropped.
pub enum LocalFile {
    Path(PathBuf),
    Temp(tempfile::NamedTempFile),
}

impl LocalFile {
    pub fn path(&self) -> &Path {
        match self {
            LocalFile::Path(p) => p,
            LocalFile::Temp(t) => t.path(),
        }
    }
}

/// What `files migrate` moved.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Moved {
    pub files: u64,
    pub bytes: u64,
    /// Files whose bytes no longer match their name (left where they were).
    pub corrupt: Vec<String>,
    pub to: &'static str,
}

/// The stored files under `<data_dir>/files`, as (hash, path).
fn directory_files(root: &Path) -> Result<Vec<(String, PathBuf)>, FileError> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e.into()),
    };
    for entry in entries {
        let entry = entry?;
        let prefix = entry.file_name().to_string_lossy().into_owned();
        if !entry.file_type()?.is_dir() || prefix.len() != 2 {
            continue;
        }
        for file in std::fs::read_dir(entry.path())? {
            let file = file?;
            let sha = file.file_name().to_string_lossy().into_owned();
            if file.file_type()?.is_file() && is_sha256_hex(&sha) && sha.starts_with(&prefix) {
                out.push((sha, file.path()));
            }
        }
    }
    out.sort();
    Ok(out)
}

fn sha256_of_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Moves every file of `<data_dir>/files` into the database, each checked against its hash
/// first and removed from the directory once the database has it; then records the database
/// as the place. Servers reading from the database meanwhile find each file in one place or the
/// other.
pub async fn move_to_database(data_dir: &Path, store: &Store) -> Result<Moved, FileError> {
    let root = data_dir.join("files");
    let mut moved = Moved {
        to: PlaceName::Database.as_str(),
        ..Moved::default()
    };
    let found = tokio::task::spawn_blocking(move || directory_files(&root))
        .await
        .map_err(std::io::Error::other)??;
    for (sha, path) in found {
        let check = path.clone();
        let actual = tokio::task::spawn_blocking(move || sha256_of_file(&check))
            .await
            .map_err(std::io::Error::other)??;
        if actual != sha {
            moved.corrupt.push(sha);
            continue;
        }
        let mut file = tokio::fs::File::open(&path).await?;
        let size = file.metadata().await?.len();
        let size = i64::try_from(size).unwrap_or(i64::MAX);
        store
            .put_file(&sha, size, &mut file, chrono::Utc::now())
            .await?;
        tokio::fs::remove_file(&path).await?;
        moved.files += 1;
        moved.bytes += size as u64;
    }
    store
        .set_meta(PLACE_KEY, PlaceName::Database.as_str())
        .await?;
    Ok(moved)
}

/// Moves every file the database holds to `<data_dir>/files`, each written to a temporary file,
/// checked against its hash and renamed into place before the database lets it go; then
/// records the directory as the place.
pub async fn move_to_directory(data_dir: &Path, store: &Store) -> Result<Moved, FileError> {
    let directory = FileStore::new(data_dir, u64::MAX);
    let database = FileStore::in_database(data_dir, u64::MAX, store.clone());
    let mut moved = Moved {
        to: PlaceName::Directory.as_str(),
        ..Moved::default()
    };
    let mut after = String::new();
    loop {
        let page = store.stored_file_page(&after, 100).await?;
        let Some(last) = page.last() else { break };
        after = last.sha256.clone();
        for row in page {
            let (database, directory) = (database.clone(), directory.clone());
            let sha = row.sha256.clone();
            let ok = tokio::task::spawn_blocking(move || copy_out(&database, &directory, &sha))
                .await
                .map_err(std::io::Error::other)??;
            if !ok {
                moved.corrupt.push(row.sha256);
                continue;
            }
            store.delete_stored_file(&row.sha256).await?;
            moved.files += 1;
            moved.bytes += u64::try_from(row.size_bytes).unwrap_or(0);
        }
    }
    store
        .set_meta(PLACE_KEY, PlaceName::Directory.as_str())
        .await?;
    Ok(moved)
}

/// Copies one file from the database into the directory; false when its bytes do not match
/// its hash (nothing is written then).
fn copy_out(database: &FileStore, directory: &FileStore, sha: &str) -> Result<bool, FileError> {
    let path = directory.path_of(sha).expect("a SHA-256 in hex");
    let Some(mut reader) = database.open_blocking(sha)? else {
        return Ok(true);
    };
    let dir = path.parent().expect("a parent directory");
    std::fs::create_dir_all(dir)?;
    let mut temp = tempfile::Builder::new().prefix(".copy-").tempfile_in(dir)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        std::io::Write::write_all(temp.as_file_mut(), &buf[..n])?;
    }
    let actual: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != sha {
        return Ok(false);
    }
    temp.as_file().sync_all()?;
    temp.persist(&path).map_err(|e| FileError::Io(e.error))?;
    Ok(true)
}
