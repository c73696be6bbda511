-- kehoach schema, SQLite dialect. Dates are TEXT 'YYYY-MM-DD', instants TEXT RFC 3339 (UTC).
-- Keep in step with ../postgres/0001_init.sql: same tables, same columns, same constraints.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Administrative units (province, district, commune) and agencies under them.
-- Identity is (code, valid_from): the 2025 reform reused codes for different units.
CREATE TABLE units (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('province', 'district', 'commune', 'agency')),
    type_word   TEXT,
    category    TEXT,
    parent_id   INTEGER REFERENCES units(id),
    valid_from  TEXT,
    valid_to    TEXT,
    search_text TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX units_identity ON units (code, COALESCE(valid_from, ''));
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_search ON units (search_text);

CREATE TABLE unit_aliases (
    unit_id     INTEGER NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    search_text TEXT NOT NULL,
    PRIMARY KEY (unit_id, search_text)
);
CREATE INDEX unit_aliases_search ON unit_aliases (search_text);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    unit_id              INTEGER REFERENCES units(id),
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'plan_office', 'reporter', 'finance', 'viewer')),
    disabled             INTEGER NOT NULL DEFAULT 0,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    created_at           TEXT NOT NULL
);

-- Machine-client tokens: only the SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT
);

CREATE TABLE plans (
    id              INTEGER PRIMARY KEY,
    number          TEXT,
    title           TEXT NOT NULL,
    issuer          TEXT,
    issued_on       TEXT,
    period_from     TEXT,
    period_to       TEXT,
    context_unit_id INTEGER REFERENCES units(id),
    grace_days      INTEGER NOT NULL DEFAULT 7 CHECK (grace_days BETWEEN 0 AND 366),
    source_name     TEXT NOT NULL,
    source_sha256   TEXT NOT NULL,
    source_size     INTEGER NOT NULL,
    extraction      TEXT NOT NULL,
    search_text     TEXT NOT NULL,
    created_by      INTEGER REFERENCES users(id),
    created_at      TEXT NOT NULL
);

-- Documents the plan cites or implements ("749/QĐ-TTg").
CREATE TABLE plan_references (
    plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    number  TEXT NOT NULL,
    PRIMARY KEY (plan_id, number)
);

CREATE TABLE tasks (
    id           INTEGER PRIMARY KEY,
    plan_id      INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    ref          TEXT NOT NULL,
    title        TEXT NOT NULL,
    content      TEXT NOT NULL DEFAULT '',
    lead_text    TEXT NOT NULL,
    partner_text TEXT NOT NULL DEFAULT '',
    window_from  TEXT,
    window_to    TEXT,
    due          TEXT,
    search_text  TEXT NOT NULL
);
CREATE INDEX tasks_plan ON tasks (plan_id, position);

-- Units a task's lead or partner text resolved to.
CREATE TABLE task_units (
    task_id    INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    role       TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    match_kind TEXT NOT NULL,
    PRIMARY KEY (task_id, unit_id, role)
);

-- Parts of a lead or partner text that named no unit: kept for review, bound later.
CREATE TABLE task_unresolved (
    id               INTEGER PRIMARY KEY,
    task_id          INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    text             TEXT NOT NULL,
    reason           TEXT NOT NULL CHECK (reason IN ('vague', 'unknown')),
    resolved_unit_id INTEGER REFERENCES units(id)
);

CREATE TABLE targets (
    id       INTEGER PRIMARY KEY,
    task_id  INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    count    REAL NOT NULL CHECK (count > 0),
    per      TEXT NOT NULL CHECK (per IN ('day', 'week', 'month', 'quarter', 'year', 'plan')),
    noun     TEXT NOT NULL DEFAULT ''
);

-- A task × lead unit: what reports and is measured.
CREATE TABLE assignments (
    id      INTEGER PRIMARY KEY,
    task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    done_on TEXT,
    UNIQUE (task_id, unit_id)
);
CREATE INDEX assignments_unit ON assignments (unit_id);

CREATE TABLE activities (
    id               INTEGER PRIMARY KEY,
    assignment_id    INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    occurred_on      TEXT NOT NULL,
    kind             TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL,
    quantity         REAL NOT NULL DEFAULT 1 CHECK (quantity > 0),
    duration_minutes INTEGER CHECK (duration_minutes >= 0),
    attendance       INTEGER CHECK (attendance >= 0),
    completes        INTEGER NOT NULL DEFAULT 0,
    note             TEXT NOT NULL DEFAULT '',
    reported_by      INTEGER REFERENCES users(id),
    recorded_at      TEXT NOT NULL,
    review_state     TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'accepted', 'rejected')),
    search_text      TEXT NOT NULL
);
CREATE INDEX activities_assignment ON activities (assignment_id, occurred_on);

-- Evidence: a URL, or a file stored content-addressed by its SHA-256.
CREATE TABLE evidence (
    id           INTEGER PRIMARY KEY,
    activity_id  INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('url', 'file')),
    url          TEXT,
    sha256       TEXT,
    file_name    TEXT,
    content_type TEXT,
    size_bytes   INTEGER,
    CHECK ((kind = 'url' AND url IS NOT NULL) OR (kind = 'file' AND sha256 IS NOT NULL))
);
CREATE INDEX evidence_activity ON evidence (activity_id);

-- Live aggregates: per assignment, period kind and period start, kept current in the same
-- transaction as every activity write (no nightly batch).
CREATE TABLE period_tallies (
    assignment_id    INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    per              TEXT NOT NULL,
    period_start     TEXT NOT NULL,
    achieved         REAL NOT NULL DEFAULT 0,
    achieved_on_time REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (assignment_id, per, period_start)
);

-- Every change: who, when, what, before → after. Append-only (see the triggers).
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,
    user_id   INTEGER REFERENCES users(id),
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    TEXT,
    after     TEXT
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
