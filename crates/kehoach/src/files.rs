//! The content-addressed evidence file store: `<data-dir>/files/<first 2 hex>/<sha256>`, or the
//! database's `stored_files`/`file_chunks` ([`Place`], chosen in `evidence_store.rs`).
//!
//! A file is streamed into a temporary file in `<data-dir>/files/` while it is hashed and its size
//! checked against the cap, then renamed to its hash (same directory tree, so the rename is
//! atomic) or copied into the database chunk by chunk in one transaction. Storing the same bytes twice keeps one file. The name a user gave is only metadata
//! ([`sanitize_file_name`]); the content type comes from the bytes ([`sniff`]), never from the
//! client.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Largest evidence file accepted unless `--max-upload-bytes` says otherwise: 20 MB.
pub const DEFAULT_MAX_UPLOAD_BYTES: u64 = 20 * 1024 * 1024;

/// Most files one activity may carry.
pub const MAX_FILES_PER_ACTIVITY: usize = 10;

/// How many leading bytes the sniffer looks at.
const HEAD_BYTES: usize = 64 * 1024;

/// Longest stored file name, in characters.
const MAX_NAME_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{name}: larger than the limit of {limit} bytes")]
    TooLarge { name: String, limit: u64 },
    #[error("{name}: {reason}")]
    Unsupported { name: String, reason: String },
    #[error("{name}: empty file")]
    Empty { name: String },
    /// A name that tries a path trick ([`check_upload_name`]).
    #[error("{0}")]
    BadName(String),
    #[error("file store: {0}")]
    Io(#[from] std::io::Error),
    /// The database holding the files (`Place::Database`).
    #[error("file store: {0}")]
    Store(#[from] crate::store::StoreError),
}

/// A file now in the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    pub sha256: String,
    pub size_bytes: i64,
    pub content_type: String,
    pub file_name: String,
    /// This write put the file in the store (it was not there before): the one who may take it
    /// away again when the request that brought it fails.
    pub created: bool,
}

impl StoredFile {
    pub fn evidence(&self) -> crate::store::NewEvidence {
        crate::store::NewEvidence::File {
            sha256: self.sha256.clone(),
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.size_bytes,
        }
    }
}

/// Where evidence files live, and how large one may be.
#[derive(Debug, Clone)]
pub struct FileStore {
    /// `<data_dir>/files`: the files themselves with [`Place::Directory`]; with
    /// [`Place::Database`] only uploads being received (and files from before the database held
    /// them, read until `kehoach files migrate` moves them).
    pub(crate) root: PathBuf,
    max_bytes: u64,
    pub(crate) place: Place,
}

/// Where the bytes of evidence files are kept.
#[derive(Debug, Clone)]
pub enum Place {
    /// Under the data directory: one server, or several sharing one mounted directory.
    Directory,
    /// In the database (`store/file_chunks.rs`): every server of the database reaches them.
    Database(crate::store::Store),
}

impl FileStore {
    /// The store under `<data_dir>/files`.
    pub fn new(data_dir: &Path, max_bytes: u64) -> Self {
        FileStore {
            root: data_dir.join("files"),
            max_bytes,
            place: Place::Directory,
        }
    }

    /// Files in the database `store`; `data_dir` only receives uploads on their way in.
    pub fn in_database(data_dir: &Path, max_bytes: u64, store: crate::store::Store) -> Self {
        FileStore {
            root: data_dir.join("files"),
            max_bytes,
            place: Place::Database(store),
        }
    }

    pub fn place(&self) -> &Place {
        &self.place
    }

    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// The same store for a document kehoach wrote itself (a submitted report frozen as .docx):
    /// the upload cap limits what people send, not what kehoach generates.
    pub fn for_generated(&self) -> FileStore {
        FileStore {
            max_bytes: u64::MAX,
            ..self.clone()
        }
    }

    /// Where the file with this hash is (or would be). `None` for anything but 64 lowercase hex.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        if !is_sha256_hex(sha256) {
            return None;
        }
        Some(self.root.join(&sha256[..2]).join(sha256))
    }

    /// Where the thumbnail of the file with this hash is kept (`crate::thumbs`): beside the
    /// files, under `<data_dir>/thumbs`, so `files gc` never mistakes one for evidence.
    pub fn thumb_path_of(&self, sha256: &str) -> Option<PathBuf> {
        crate::thumbs::cache_path(self.root.parent().unwrap_or(&self.root), sha256)
    }

    /// Starts writing a file; `file_name` is refused when it tries a path trick
    /// ([`check_upload_name`]), else sanitised and kept as metadata.
    pub fn writer(&self, file_name: &str) -> Result<FileWriter, FileError> {
        check_upload_name(file_name).map_err(FileError::BadName)?;
        std::fs::create_dir_all(&self.root)?;
        let temp = tempfile::Builder::new()
            .prefix(".upload-")
            .tempfile_in(&self.root)?;
        Ok(FileWriter {
            store: self.clone(),
            name: sanitize_file_name(file_name),
            temp,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
        })
    }

    /// Stores a file from the local disk (the CLI's `--file`), streaming it.
    pub async fn store_path(&self, path: &Path) -> Result<StoredFile, FileError> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut file = std::fs::File::open(path)?;
        let mut writer = self.writer(&name)?;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = std::io::Read::read(&mut file, &mut buf)?;
            if n == 0 {
                break;
            }
            writer.write(&buf[..n])?;
        }
        writer.finish().await
    }

    /// Removes the file with this hash, if there is one. For a file that no evidence refers
    /// to (the caller checks; in the database the check is repeated in the deleting statement).
    pub async fn remove(&self, sha256: &str) -> Result<(), FileError> {
        if let Place::Database(store) = &self.place {
            if is_sha256_hex(sha256) {
                store.remove_unreferenced_file(sha256).await?;
            }
            return Ok(());
        }
        let Some(path) = self.path_of(sha256) else {
            return Ok(());
        };
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    /// The stored files (and temporary files left by an interrupted upload) last modified
    /// before `cutoff` whose hash `is_referenced` does not know: what `kehoach files gc`
    /// removes. The age spares files of uploads still in flight, written before their evidence
    /// row commits.
    pub fn unreferenced(
        &self,
        cutoff: std::time::SystemTime,
        is_referenced: impl Fn(&str) -> bool,
    ) -> Result<Vec<PathBuf>, FileError> {
        let mut out = Vec::new();
        let entries = match std::fs::read_dir(&self.root) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e.into()),
        };
        let old = |path: &Path| {
            std::fs::symlink_metadata(path)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t < cutoff)
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type()?;
            if kind.is_file() && name.starts_with(".upload-") {
                if old(&path) {
                    out.push(path);
                }
                continue;
            }
            if !kind.is_dir() || name.len() != 2 {
                continue;
            }
            for file in std::fs::read_dir(&path)? {
                let file = file?;
                let sha = file.file_name().to_string_lossy().into_owned();
                let file_path = file.path();
                if file.file_type()?.is_file()
                    && is_sha256_hex(&sha)
                    && sha.starts_with(&name)
                    && !is_referenced(&sha)
                    && old(&file_path)
                {
                    out.push(file_path);
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Stores bytes already in memory.
    pub async fn store_bytes(
        &self,
        file_name: &str,
        bytes: &[u8],
    ) -> Result<StoredFile, FileError> {
        let mut writer = self.writer(file_name)?;
        writer.write(bytes)?;
        writer.finish().await
    }
}

/// A file being written: hashed and size-checked chunk by chunk. Dropping it without
/// [`FileWriter::finish`] removes the temporary file.
pub struct FileWriter {
    store: FileStore,
    name: String,
    temp: tempfile::NamedTempFile,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
}

impl FileWriter {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Appends a chunk; refuses (and leaves nothing behind once dropped) past the size cap.
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), FileError> {
        self.size += chunk.len() as u64;
        if self.size > self.store.max_bytes {
            return Err(FileError::TooLarge {
                name: self.name.clone(),
                limit: self.store.max_bytes,
            });
        }
        if self.head.len() < HEAD_BYTES {
            let take = (HEAD_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        self.temp.as_file_mut().write_all(chunk)?;
        Ok(())
    }

    /// Checks the type and moves the file to its hash (in the directory, or into the database
    /// in chunks); idempotent for bytes already stored.
    pub async fn finish(self) -> Result<StoredFile, FileError> {
        if self.size == 0 {
            return Err(FileError::Empty { name: self.name });
        }
        let content_type =
            sniff(&self.head, &self.name).map_err(|reason| FileError::Unsupported {
                name: self.name.clone(),
                reason,
            })?;
        let sha256 = hex(&self.hasher.finalize());
        let size_bytes = i64::try_from(self.size).unwrap_or(i64::MAX);
        let created = match &self.store.place {
            Place::Directory => {
                let path = self.store.path_of(&sha256).expect("a SHA-256 in hex");
                let temp = self.temp;
                // fsync and rename block: off the async threads.
                tokio::task::spawn_blocking(move || persist(temp, &path))
                    .await
                    .map_err(std::io::Error::other)??
            }
            Place::Database(store) => {
                let mut source = tokio::fs::File::from_std(self.temp.reopen()?);
                store
                    .put_file(&sha256, size_bytes, &mut source, chrono::Utc::now())
                    .await?
                // The spooled upload goes when `self.temp` is dropped.
            }
        };
        Ok(StoredFile {
            sha256,
            size_bytes,
            content_type: content_type.to_string(),
            file_name: self.name,
            created,
        })
    }
}

/// Moves a received upload to its hash's path, unless a file is there already: true when moved.
fn persist(temp: tempfile::NamedTempFile, path: &Path) -> Result<bool, FileError> {
    if path.exists() {
        return Ok(false);
    }
    temp.as_file().sync_all()?;
    std::fs::create_dir_all(path.parent().expect("a parent directory"))?;
    temp.persist(path).map_err(|e| FileError::Io(e.error))?;
    Ok(true)
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The content type of an evidence file from its first bytes; `Err` says why it is refused.
///
/// Accepted: JPEG, PNG, GIF, WebP, PDF, DOCX/XLSX/PPTX, MP3, MP4 and plain UTF-8 text. Everything
/// else (executables, HTML and other markup, archives) is refused.
pub fn sniff(head: &[u8], file_name: &str) -> Result<&'static str, String> {
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok("image/jpeg");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok("image/png");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok("image/gif");
    }
    if starts(b"RIFF") && head.get(8..12) == Some(b"WEBP") {
        return Ok("image/webp");
    }
    if starts(b"%PDF-") {
        return Ok("application/pdf");
    }
    if starts(b"PK\x03\x04") {
        let lower = file_name.to_lowercase();
        let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
        if has(b"word/") || lower.ends_with(".docx") {
            return Ok("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        }
        if has(b"xl/") || lower.ends_with(".xlsx") {
            return Ok("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        }
        if has(b"ppt/") || lower.ends_with(".pptx") {
            return Ok("application/vnd.openxmlformats-officedocument.presentationml.presentation");
        }
        return Err("a zip archive that is not a Word, Excel or PowerPoint file".into());
    }
    if starts(b"ID3")
        || (head.len() >= 2 && head[0] == 0xFF && matches!(head[1], 0xFB | 0xF3 | 0xF2))
    {
        return Ok("audio/mpeg");
    }
    if head.get(4..8) == Some(b"ftyp") {
        return Ok("video/mp4");
    }
    if starts(b"MZ") || starts(b"\x7FELF") || starts(b"#!") {
        return Err("executable files are not accepted".into());
    }
    if is_plain_text(head) {
        let text = String::from_utf8_lossy(head);
        let start = text.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with('<') {
            return Err("HTML and other markup are not accepted; save it as PDF".into());
        }
        return Ok("text/plain; charset=utf-8");
    }
    Err("not an accepted type (JPEG, PNG, GIF, WebP, PDF, DOCX, XLSX, PPTX, MP3, MP4, text)".into())
}

/// UTF-8 (a character cut at the end of the sniffed head is fine) without control characters
/// other than tab, line breaks and form feed.
fn is_plain_text(head: &[u8]) -> bool {
    let valid = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() && head.len() - e.valid_up_to() < 4 => {
            // Only the last character was cut short: the prefix is text.
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or("")
        }
        Err(_) => return false,
    };
    valid
        .chars()
        .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// Refuses a file name that tries a path trick, instead of quietly cleaning it:
/// directories (`../x`, `/etc/x`, `C:\x`), control characters (NUL), Windows device names
/// (`CON`, `nul.txt`, `COM1`), or more than 1,000 bytes. `Err` says what is wrong.
pub fn check_upload_name(name: &str) -> Result<(), String> {
    if name.len() > 1000 {
        return Err("file name: longer than 1000 bytes".into());
    }
    if name.chars().any(char::is_control) {
        return Err("file name: contains control characters (such as NUL)".into());
    }
    // `fdp\u{202E}exe.pdf` shows as `fdpexe.pdf` reversed after the mark (`fdpfdp.exe`): a lie.
    if name.chars().any(kehoach_core::text::is_bidi_control) {
        return Err(
            "file name: contains bidirectional control characters (they disguise the extension)"
                .into(),
        );
    }
    if name.contains(['/', '\\']) || name == ".." || name == "." {
        return Err(format!(
            "file name {name:?}: must be a name alone, without folders"
        ));
    }
    let bytes = name.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(format!("file name {name:?}: must not name a drive"));
    }
    let stem = name
        .split('.')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit());
    if device {
        return Err(format!("file name {name:?}: a reserved device name"));
    }
    Ok(())
}

/// A file name fit to keep and show: no directories, no control or path characters, NFC, at most
/// 200 characters (the extension kept); `file` when nothing is left.
pub fn sanitize_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = kehoach_core::text::nfc(base)
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '<' | '>' | ':' | '|' | '?' | '*') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        return "file".into();
    }
    if cleaned.chars().count() <= MAX_NAME_CHARS {
        return cleaned;
    }
    let (stem, ext) = match cleaned.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && ext.chars().count() <= 10 => (stem, ext),
        _ => (cleaned.as_str(), ""),
    };
    let keep = MAX_NAME_CHARS - ext.chars().count() - usize::from(!ext.is_empty());
    let mut out: String = stem.chars().take(keep).collect();
    if !ext.is_empty() {
        out.push('.');
        out.push_str(ext);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn path_tricks_in_upload_names_are_refused() {
        for bad in [
            "../../etc/passwd",
            "/etc/passwd",
            "..\\..\\boot.ini",
            "C:\\Windows\\win.ini",
            "c:evil.png",
            "a\0b.png",
            "CON",
            "nul.txt",
            "com1.png",
            "LPT9",
            "..",
        ] {
            assert!(check_upload_name(bad).is_err(), "{bad:?}");
        }
        for fine in [
            "Ảnh 1.png",
            "bao-cao.pdf",
            "",
            "console.png",
            "com.png",
            "..hidden.png",
        ] {
            assert_eq!(check_upload_name(fine), Ok(()), "{fine:?}");
        }
    }

    #[test]
    fn sniffs_the_accepted_types() {
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0], "a"), Ok("image/jpeg"));
        assert_eq!(sniff(PNG, "x.exe"), Ok("image/png"));
        assert_eq!(sniff(b"GIF89a....", ""), Ok("image/gif"));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ", ""), Ok("image/webp"));
        assert_eq!(sniff(b"%PDF-1.7\n", ""), Ok("application/pdf"));
        assert!(
            sniff(
                b"PK\x03\x04....[Content_Types].xml....word/document.xml",
                ""
            )
            .unwrap()
            .contains("wordprocessingml")
        );
        assert!(
            sniff(b"PK\x03\x04....", "Bang.XLSX")
                .unwrap()
                .contains("spreadsheetml")
        );
        assert_eq!(sniff(b"ID3\x04\0", ""), Ok("audio/mpeg"));
        assert_eq!(sniff(b"\0\0\0\x18ftypmp42", ""), Ok("video/mp4"));
        assert_eq!(
            sniff("Biên bản tập huấn\nngày 4/1".as_bytes(), "a.txt"),
            Ok("text/plain; charset=utf-8")
        );
    }

    #[test]
    fn refuses_the_rest() {
        assert!(sniff(b"MZ\x90\0", "setup.pdf").is_err());
        assert!(sniff(b"\x7FELF\x02", "").is_err());
        assert!(sniff(b"#!/bin/sh\nrm -rf /", "a.txt").is_err());
        assert!(
            sniff(b"  <!DOCTYPE html><script>", "a.txt")
                .unwrap_err()
                .contains("HTML")
        );
        assert!(sniff(b"<svg onload=alert(1)>", "a.txt").is_err());
        assert!(sniff(b"PK\x03\x04....payload.bin", "a.zip").is_err());
        assert!(sniff(b"\0\x01\x02binary", "").is_err());
        // A multi-byte character cut at the end of the head is still text.
        let text = "chuyển đổi số".as_bytes();
        assert!(sniff(&text[..text.len() - 1], "").is_ok());
    }

    #[test]
    fn sanitizes_names() {
        assert_eq!(sanitize_file_name("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_file_name("C:\\Users\\a\\Ảnh 1.png"), "Ảnh 1.png");
        // NUL is stripped (text::nfc, as from all stored text); a newline is kept by that rule
        // and replaced here, where no control character is fit.
        assert_eq!(sanitize_file_name("a\u{0}b\nc.pdf"), "ab_c.pdf");
        assert_eq!(sanitize_file_name("..."), "file");
        assert_eq!(sanitize_file_name(".htaccess"), "htaccess");
        assert_eq!(sanitize_file_name(""), "file");
        assert_eq!(sanitize_file_name("dir/"), "file");
        let long = format!("{}.docx", "â".repeat(500));
        let short = sanitize_file_name(&long);
        assert_eq!(short.chars().count(), 200);
        assert!(short.ends_with(".docx"));
    }

    #[tokio::test]
    async fn stores_by_hash_once_and_enforces_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path(), 100);
        let a = store.store_bytes("a.png", PNG).await.unwrap();
        let b = store.store_bytes("b.png", PNG).await.unwrap();
        assert_eq!(a.sha256, b.sha256);
        assert!(a.created && !b.created);
        assert_eq!(a.content_type, "image/png");
        let path = store.path_of(&a.sha256).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), PNG);
        assert!(path.starts_with(dir.path().join("files").join(&a.sha256[..2])));
        let err = store.store_bytes("big.png", &[0u8; 101]).await.unwrap_err();
        assert!(
            matches!(err, FileError::TooLarge { limit: 100, .. }),
            "{err}"
        );
        assert!(store.store_bytes("x", b"MZ").await.is_err());
        // Nothing but the one file is left behind.
        let mut files = Vec::new();
        for entry in walk(&dir.path().join("files")) {
            files.push(entry);
        }
        assert_eq!(files, vec![path]);
        assert!(store.path_of("../x").is_none());
    }

    #[tokio::test]
    async fn unreferenced_files_are_found_once_old_enough() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path(), 1000);
        let kept = store.store_bytes("a.txt", b"kept evidence").await.unwrap();
        let orphan = store
            .store_bytes("b.txt", b"orphan evidence")
            .await
            .unwrap();
        let referenced = |sha: &str| sha == kept.sha256;
        // Too young: an upload may still be about to commit its evidence row.
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        assert!(
            store
                .unreferenced(an_hour_ago, referenced)
                .unwrap()
                .is_empty()
        );
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(1);
        let found = store.unreferenced(later, referenced).unwrap();
        assert_eq!(found, vec![store.path_of(&orphan.sha256).unwrap()]);
        store.remove(&orphan.sha256).await.unwrap();
        store.remove(&orphan.sha256).await.unwrap();
        assert!(store.unreferenced(later, referenced).unwrap().is_empty());
        assert!(store.path_of(&kept.sha256).unwrap().exists());
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
        out
    }
}
