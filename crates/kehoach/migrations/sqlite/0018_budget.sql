-- The budget cycle of a plan (issue 21): each lead unit's estimate (versioned: a returned one is
-- kept and the unit continues in a new version), its lines with the plan office's proposal and
-- finance's appraisal beside the unit's own figures, the plan's stage and approval decision, the
-- allocations per assignment, spending against them and each unit's settlement. Money is whole
-- đồng in INTEGER columns; never REAL. Keep in step with ../postgres/0018_budget.sql.
CREATE TABLE budget_cycles (
    plan_id         INTEGER PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
    stage           TEXT NOT NULL CHECK (stage IN ('estimating', 'sent', 'approved')),
    deadline        TEXT,
    sent_at         TEXT,
    decision_number TEXT,
    decision_date   TEXT,
    approved_at     TEXT
);

CREATE TABLE budget_estimates (
    id            INTEGER PRIMARY KEY,
    plan_id       INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id       INTEGER NOT NULL REFERENCES units(id),
    version       INTEGER NOT NULL CHECK (version >= 1),
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned')),
    submitted_at  TEXT,
    returned_at   TEXT,
    return_reason TEXT,
    created_at    TEXT NOT NULL,
    UNIQUE (plan_id, unit_id, version)
);

CREATE TABLE budget_lines (
    id                INTEGER PRIMARY KEY,
    estimate_id       INTEGER NOT NULL REFERENCES budget_estimates(id) ON DELETE CASCADE,
    assignment_id     INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    content           TEXT NOT NULL,
    measure           TEXT NOT NULL,
    quantity          INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
    unit_price        INTEGER NOT NULL CHECK (unit_price >= 0),
    amount            INTEGER NOT NULL CHECK (amount >= 0),
    source            TEXT NOT NULL CHECK (source IN ('tinh', 'huyen', 'xa', 'khac')),
    basis             TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    proposed_amount   INTEGER CHECK (proposed_amount >= 0),
    proposal_note     TEXT,
    appraised_amount  INTEGER CHECK (appraised_amount >= 0),
    appraisal_comment TEXT,
    created_at        TEXT NOT NULL
);
CREATE INDEX budget_lines_estimate ON budget_lines (estimate_id);
CREATE INDEX budget_lines_assignment ON budget_lines (assignment_id);

CREATE TABLE budget_allocations (
    assignment_id   INTEGER PRIMARY KEY REFERENCES assignments(id) ON DELETE CASCADE,
    plan_id         INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    amount          INTEGER NOT NULL CHECK (amount >= 0)
);
CREATE INDEX budget_allocations_plan ON budget_allocations (plan_id);

CREATE TABLE budget_spending (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    spent_on      TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK (amount > 0),
    content       TEXT NOT NULL,
    voucher       TEXT NOT NULL DEFAULT '',
    sha256        TEXT,
    file_name     TEXT,
    content_type  TEXT,
    size_bytes    INTEGER,
    recorded_by   INTEGER REFERENCES users(id),
    recorded_at   TEXT NOT NULL
);
CREATE INDEX budget_spending_assignment ON budget_spending (assignment_id);

CREATE TABLE budget_settlements (
    plan_id             INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id             INTEGER NOT NULL REFERENCES units(id),
    submitted_at        TEXT NOT NULL,
    office_accepted_at  TEXT,
    finance_accepted_at TEXT,
    PRIMARY KEY (plan_id, unit_id)
);
