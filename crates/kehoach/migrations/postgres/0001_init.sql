-- kehoach schema, PostgreSQL dialect.
-- Keep in step with ../sqlite/0001_init.sql: same tables, same columns, same constraints.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Administrative units (province, district, commune) and agencies under them.
-- Identity is (code, valid_from): the 2025 reform reused codes for different units.
CREATE TABLE units (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('province', 'district', 'commune', 'agency')),
    type_word   TEXT,
    category    TEXT,
    parent_id   BIGINT REFERENCES units(id),
    valid_from  DATE,
    valid_to    DATE,
    search_text TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX units_identity ON units (code, COALESCE(valid_from, DATE '0001-01-01'));
CREATE INDEX units_parent ON units (parent_id);
CREATE INDEX units_search ON units (search_text);

CREATE TABLE unit_aliases (
    unit_id     BIGINT NOT NULL REFERENCES units(id) ON DELETE CASCADE,
    alias       TEXT NOT NULL,
    search_text TEXT NOT NULL,
    PRIMARY KEY (unit_id, search_text)
);
CREATE INDEX unit_aliases_search ON unit_aliases (search_text);

CREATE TABLE users (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    unit_id              BIGINT REFERENCES units(id),
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'plan_office', 'reporter', 'finance', 'viewer')),
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    must_change_password BOOLEAN NOT NULL DEFAULT TRUE,
    created_at           TIMESTAMPTZ NOT NULL
);

-- Machine-client tokens: only the SHA-256 of the token is kept.
CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id),
    token_hash   TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    revoked_at   TIMESTAMPTZ
);

CREATE TABLE plans (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number          TEXT,
    title           TEXT NOT NULL,
    issuer          TEXT,
    issued_on       DATE,
    period_from     DATE,
    period_to       DATE,
    context_unit_id BIGINT REFERENCES units(id),
    grace_days      BIGINT NOT NULL DEFAULT 7 CHECK (grace_days BETWEEN 0 AND 366),
    source_name     TEXT NOT NULL,
    source_sha256   TEXT NOT NULL,
    source_size     BIGINT NOT NULL,
    extraction      JSONB NOT NULL,
    search_text     TEXT NOT NULL,
    created_by      BIGINT REFERENCES users(id),
    created_at      TIMESTAMPTZ NOT NULL
);

-- Documents the plan cites or implements ("749/QĐ-TTg").
CREATE TABLE plan_references (
    plan_id BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    number  TEXT NOT NULL,
    PRIMARY KEY (plan_id, number)
);

CREATE TABLE tasks (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id      BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    position     BIGINT NOT NULL,
    ref          TEXT NOT NULL,
    title        TEXT NOT NULL,
    content      TEXT NOT NULL DEFAULT '',
    lead_text    TEXT NOT NULL,
    partner_text TEXT NOT NULL DEFAULT '',
    window_from  DATE,
    window_to    DATE,
    due          DATE,
    search_text  TEXT NOT NULL
);
CREATE INDEX tasks_plan ON tasks (plan_id, position);

-- Units a task's lead or partner text resolved to.
CREATE TABLE task_units (
    task_id    BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    role       TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    match_kind TEXT NOT NULL,
    PRIMARY KEY (task_id, unit_id, role)
);

-- Parts of a lead or partner text that named no unit: kept for review, bound later.
CREATE TABLE task_unresolved (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id          BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    role             TEXT NOT NULL CHECK (role IN ('lead', 'partner')),
    text             TEXT NOT NULL,
    reason           TEXT NOT NULL CHECK (reason IN ('vague', 'unknown')),
    resolved_unit_id BIGINT REFERENCES units(id)
);

CREATE TABLE targets (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id  BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    count    DOUBLE PRECISION NOT NULL CHECK (count > 0),
    per      TEXT NOT NULL CHECK (per IN ('day', 'week', 'month', 'quarter', 'year', 'plan')),
    noun     TEXT NOT NULL DEFAULT ''
);

-- A task × lead unit: what reports and is measured.
CREATE TABLE assignments (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id BIGINT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    done_on DATE,
    UNIQUE (task_id, unit_id)
);
CREATE INDEX assignments_unit ON assignments (unit_id);

CREATE TABLE activities (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id    BIGINT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    occurred_on      DATE NOT NULL,
    kind             TEXT NOT NULL DEFAULT '',
    title            TEXT NOT NULL,
    quantity         DOUBLE PRECISION NOT NULL DEFAULT 1 CHECK (quantity > 0),
    duration_minutes BIGINT CHECK (duration_minutes >= 0),
    attendance       BIGINT CHECK (attendance >= 0),
    completes        BOOLEAN NOT NULL DEFAULT FALSE,
    note             TEXT NOT NULL DEFAULT '',
    reported_by      BIGINT REFERENCES users(id),
    recorded_at      TIMESTAMPTZ NOT NULL,
    review_state     TEXT NOT NULL DEFAULT 'pending' CHECK (review_state IN ('pending', 'accepted', 'rejected')),
    search_text      TEXT NOT NULL
);
CREATE INDEX activities_assignment ON activities (assignment_id, occurred_on);

-- Evidence: a URL, or a file stored content-addressed by its SHA-256.
CREATE TABLE evidence (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id  BIGINT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('url', 'file')),
    url          TEXT,
    sha256       TEXT,
    file_name    TEXT,
    content_type TEXT,
    size_bytes   BIGINT,
    CHECK ((kind = 'url' AND url IS NOT NULL) OR (kind = 'file' AND sha256 IS NOT NULL))
);
CREATE INDEX evidence_activity ON evidence (activity_id);

-- Live aggregates: per assignment, period kind and period start, kept current in the same
-- transaction as every activity write (no nightly batch).
CREATE TABLE period_tallies (
    assignment_id    BIGINT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    per              TEXT NOT NULL,
    period_start     DATE NOT NULL,
    achieved         DOUBLE PRECISION NOT NULL DEFAULT 0,
    achieved_on_time DOUBLE PRECISION NOT NULL DEFAULT 0,
    PRIMARY KEY (assignment_id, per, period_start)
);

-- Every change: who, when, what, before → after. Append-only (see the triggers).
CREATE TABLE audit_log (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    user_id   BIGINT REFERENCES users(id),
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before    JSONB,
    after     JSONB
);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
