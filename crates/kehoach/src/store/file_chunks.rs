//! Evidence file contents in the database (migration 0021): `stored_files` (one row per distinct
//! file) and `file_chunks` (its bytes, [`CHUNK_BYTES`] at a time). Only `evidence_store.rs` calls
//! these; it decides when the database holds the files.

use chrono::{DateTime, Utc};
use tokio::io::AsyncReadExt;

use super::{StoreError, on_pool};
use crate::store::Store;

/// Bytes per chunk row: large enough that a 20 MB file is 20 rows, small enough that a reader
/// holds one chunk at a time.
pub const CHUNK_BYTES: usize = 1024 * 1024;

/// A file held in the database.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredFileRow {
    pub sha256: String,
    pub size_bytes: i64,
    pub chunks: i32,
}

impl Store {
    /// Stores the file `sha256` of `size_bytes` bytes read from `source`, unless the database
    /// has it already: true when this call stored it. The file row and its chunks commit in one
    /// transaction, so a reader never sees part of a file; two servers storing the same bytes at
    /// once meet at the file row's primary key and one of them stores nothing.
    pub async fn put_file(
        &self,
        sha256: &str,
        size_bytes: i64,
        source: &mut (impl tokio::io::AsyncRead + Unpin),
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let chunks = i32::try_from(
            usize::try_from(size_bytes.max(0))
                .unwrap_or(usize::MAX)
                .div_ceil(CHUNK_BYTES),
        )
        .map_err(|_| StoreError::Invalid("file too large for the database store".into()))?;
        let mut buf = vec![0u8; CHUNK_BYTES];
        Ok(on_pool!(self.db(), |pool| {
            let mut tx = pool.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO stored_files (sha256, size_bytes, chunks, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(sha256)
            .bind(size_bytes)
            .bind(chunks)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected()
                == 1;
            if inserted {
                let mut written: i64 = 0;
                for seq in 0..chunks {
                    let n = fill(source, &mut buf).await?;
                    written += n as i64;
                    sqlx::query("INSERT INTO file_chunks (sha256, seq, bytes) VALUES ($1, $2, $3)")
                        .bind(sha256)
                        .bind(seq)
                        .bind(&buf[..n])
                        .execute(&mut *tx)
                        .await?;
                }
                if written != size_bytes || fill(source, &mut buf[..1]).await? != 0 {
                    return Err(StoreError::Invariant(format!(
                        "file {sha256}: {written} bytes read, {size_bytes} expected"
                    )));
                }
            }
            tx.commit().await?;
            inserted
        }))
    }

    /// The file `sha256`, when the database holds it.
    pub async fn stored_file(&self, sha256: &str) -> Result<Option<StoredFileRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, StoredFileRow>(
                "SELECT sha256, size_bytes, chunks FROM stored_files WHERE sha256 = $1",
            )
            .bind(sha256)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Chunk `seq` of the file `sha256` (`None` past its end or once the file is removed).
    pub async fn file_chunk(&self, sha256: &str, seq: i32) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_scalar::<_, Vec<u8>>(
                "SELECT bytes FROM file_chunks WHERE sha256 = $1 AND seq = $2",
            )
            .bind(sha256)
            .bind(seq)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Removes the file `sha256` unless some evidence refers to it, checked in the same
    /// statement so that an upload committing its evidence meanwhile keeps its file. True when
    /// a file went.
    pub async fn remove_unreferenced_file(&self, sha256: &str) -> Result<bool, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query(
                "DELETE FROM stored_files WHERE sha256 = $1 \
                 AND NOT EXISTS (SELECT 1 FROM evidence WHERE evidence.sha256 = $1)",
            )
            .bind(sha256)
            .execute(pool)
            .await?
            .rows_affected()
                > 0
        }))
    }

    /// Files stored before `cutoff` that no evidence refers to: what `kehoach files gc`
    /// removes (younger ones may belong to an upload whose evidence row is about to commit).
    pub async fn unreferenced_stored_files(
        &self,
        cutoff: DateTime<Utc>,
    ) -> Result<Vec<StoredFileRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, StoredFileRow>(
                "SELECT sha256, size_bytes, chunks FROM stored_files f WHERE created_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = f.sha256) \
                 ORDER BY sha256",
            )
            .bind(cutoff)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The hashes of the files the database holds, in order, `limit` after `after` (for
    /// `kehoach files migrate` and backups, a page at a time).
    pub async fn stored_file_page(
        &self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<StoredFileRow>, StoreError> {
        Ok(on_pool!(self.db(), |pool| {
            sqlx::query_as::<_, StoredFileRow>(
                "SELECT sha256, size_bytes, chunks FROM stored_files WHERE sha256 > $1 \
                 ORDER BY sha256 LIMIT $2",
            )
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}

/// Reads until `buf` is full or the source ends; the number of bytes read.
async fn fill(
    source: &mut (impl tokio::io::AsyncRead + Unpin),
    buf: &mut [u8],
) -> Result<usize, StoreError> {
    let mut n = 0;
    while n < buf.len() {
        let got = source.read(&mut buf[n..]).await.map_err(sqlx::Error::Io)?;
        if got == 0 {
            break;
        }
        n += got;
    }
    Ok(n)
}

impl Store {
    /// Removes the file `sha256` from the database whether or not evidence refers to it: for
    /// `kehoach files migrate --to directory`, once the directory holds a verified copy.
    pub async fn delete_stored_file(&self, sha256: &str) -> Result<(), StoreError> {
        on_pool!(self.db(), |pool| {
            sqlx::query("DELETE FROM stored_files WHERE sha256 = $1")
                .bind(sha256)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
