-- Failed sign-ins, counted in the database so every server behind a proxy sees the same counts
-- (web/signin_throttle.rs). Keep in step with ../postgres/0010_sign_in_failures.sql.
-- `subject` is `pair:<account>|<address>` or `addr:<address>`; a row lapses at `expires_at` (a day
-- after its last failure), after which the next failure starts the count again.
CREATE TABLE sign_in_failures (
    subject       TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    last_failure  TEXT NOT NULL,
    expires_at    TEXT NOT NULL
);
CREATE INDEX sign_in_failures_expires ON sign_in_failures (expires_at);
