-- Browser sessions of the web pages (web/session.rs). Keep in step with ../postgres/0006_sessions.sql.
-- The cookie holds a random id; only its SHA-256 is stored (like API tokens). `csrf` is the
-- per-session token every form posts back.
CREATE TABLE sessions (
    id_hash     TEXT PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);
