-- Plan imports waiting for their uploader to fix units and confirm (pending_import.rs), in the
-- database so that any server behind a proxy can continue one. Keep in step with
-- ../postgres/0011_pending_imports.sql. `state` is the prepared plan and the fixes made, as JSON
-- text; a row lapses at `expires_at`.
CREATE TABLE pending_imports (
    id          TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    state       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX pending_imports_user ON pending_imports (user_id, created_at);
CREATE INDEX pending_imports_expires ON pending_imports (expires_at);
