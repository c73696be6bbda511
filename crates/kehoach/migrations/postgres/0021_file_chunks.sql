-- Evidence file contents in the database (issue 18), so that every server on one PostgreSQL
-- reaches every file whatever its own --data-dir (`evidence_store.rs`). Content-addressed: one
-- row per distinct file, its bytes in chunks of 1 MiB (`seq` from 0), written in one
-- transaction with the file row, so a file is either whole or absent. Keep in step with
-- ../sqlite/0021_file_chunks.sql.
CREATE TABLE stored_files (
    sha256      TEXT PRIMARY KEY,
    size_bytes  BIGINT NOT NULL,
    chunks      INTEGER NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX stored_files_created ON stored_files (created_at);
CREATE TABLE file_chunks (
    sha256  TEXT NOT NULL REFERENCES stored_files(sha256) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    bytes   BYTEA NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- Photos, PDFs and office files are compressed already: TOAST stores them out of line as they
-- are instead of trying (and failing) to compress each chunk.
ALTER TABLE file_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
