-- The reporting chain (issue 20): report requests, each unit's draft, its submissions and their
-- review. Keep in step with ../sqlite/0017_report_requests.sql.

-- A report asked of some units by the plan's office: a deliverable of the plan (`task_id`), an
-- ad-hoc request or one of a recurring series. `questions` is a JSON array of strings.
CREATE TABLE report_requests (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id      BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    task_id      BIGINT UNIQUE REFERENCES tasks(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('deliverable', 'ad_hoc', 'recurring')),
    title        TEXT NOT NULL,
    due          DATE NOT NULL,
    period_kind  TEXT NOT NULL,
    period_from  DATE NOT NULL,
    period_to    DATE NOT NULL,
    questions    TEXT NOT NULL,
    created_by   BIGINT REFERENCES users(id),
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_requests_plan ON report_requests (plan_id, due);

-- Who is asked to report.
CREATE TABLE report_request_units (
    request_id BIGINT NOT NULL REFERENCES report_requests(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (request_id, unit_id)
);
CREATE INDEX report_request_units_unit ON report_request_units (unit_id);

-- A unit's working draft (the plan office's compiled report is its own unit's draft): the
-- editable sections as JSON, and a version every save must name (optimistic concurrency).
CREATE TABLE report_drafts (
    request_id BIGINT NOT NULL REFERENCES report_requests(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    sections   TEXT NOT NULL,
    version    BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (request_id, unit_id)
);

-- Every submission, frozen: its sections and figures as JSON, the .docx (and signed scan) in the
-- content-addressed file store by SHA-256. Only the review columns change afterwards; a
-- returned submission stays as history and a new one is added.
CREATE TABLE report_submissions (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id    BIGINT NOT NULL REFERENCES report_requests(id) ON DELETE CASCADE,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    number        TEXT NOT NULL,
    signed_on     DATE NOT NULL,
    signer        TEXT NOT NULL,
    sections      TEXT NOT NULL,
    figures       TEXT NOT NULL,
    docx_sha256   TEXT NOT NULL,
    docx_size     BIGINT NOT NULL,
    scan_sha256   TEXT,
    scan_size     BIGINT,
    activity_id   BIGINT REFERENCES activities(id) ON DELETE SET NULL,
    state         TEXT NOT NULL CHECK (state IN ('submitted', 'returned', 'accepted')),
    review_reason TEXT,
    reviewed_by   BIGINT REFERENCES users(id),
    reviewed_at   TIMESTAMPTZ,
    submitted_by  BIGINT REFERENCES users(id),
    submitted_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_submissions_unit ON report_submissions (request_id, unit_id, id);
-- At most one submission of a unit is not returned: a second one while it waits for review or
-- after it was accepted is refused by the database, whichever server takes it.
CREATE UNIQUE INDEX report_submissions_live ON report_submissions (request_id, unit_id)
    WHERE state <> 'returned';
