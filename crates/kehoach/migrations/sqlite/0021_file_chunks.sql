-- Evidence file contents in the database (issue 18), used with SQLite only when asked
-- (`--evidence-store database`; the data directory is the default there). Content-addressed: one
-- row per distinct file, its bytes in chunks of 1 MiB (`seq` from 0), written in one
-- transaction with the file row, so a file is either whole or absent. Keep in step with
-- ../postgres/0021_file_chunks.sql.
CREATE TABLE stored_files (
    sha256      TEXT PRIMARY KEY,
    size_bytes  INTEGER NOT NULL,
    chunks      INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX stored_files_created ON stored_files (created_at);
CREATE TABLE file_chunks (
    sha256  TEXT NOT NULL REFERENCES stored_files(sha256) ON DELETE CASCADE,
    seq     INTEGER NOT NULL,
    bytes   BLOB NOT NULL,
    PRIMARY KEY (sha256, seq)
);
