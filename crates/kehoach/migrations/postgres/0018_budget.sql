-- The budget cycle of a plan (issue 21): each lead unit's estimate (versioned: a returned one is
-- kept and the unit continues in a new version), its lines with the plan office's proposal and
-- finance's appraisal beside the unit's own figures, the plan's stage and approval decision, the
-- allocations per assignment, spending against them and each unit's settlement. Money is whole
-- đồng in BIGINT columns; never REAL. Keep in step with ../sqlite/0018_budget.sql.
CREATE TABLE budget_cycles (
    plan_id         BIGINT PRIMARY KEY REFERENCES plans(id) ON DELETE CASCADE,
    stage           TEXT NOT NULL CHECK (stage IN ('estimating', 'sent', 'approved')),
    deadline        DATE,
    sent_at         TIMESTAMPTZ,
    decision_number TEXT,
    decision_date   DATE,
    approved_at     TIMESTAMPTZ
);

CREATE TABLE budget_estimates (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id       BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id       BIGINT NOT NULL REFERENCES units(id),
    version       BIGINT NOT NULL CHECK (version >= 1),
    state         TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'returned')),
    submitted_at  TIMESTAMPTZ,
    returned_at   TIMESTAMPTZ,
    return_reason TEXT,
    created_at    TIMESTAMPTZ NOT NULL,
    UNIQUE (plan_id, unit_id, version)
);

CREATE TABLE budget_lines (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    estimate_id       BIGINT NOT NULL REFERENCES budget_estimates(id) ON DELETE CASCADE,
    assignment_id     BIGINT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    content           TEXT NOT NULL,
    measure           TEXT NOT NULL,
    quantity          BIGINT NOT NULL CHECK (quantity BETWEEN 1 AND 1000000),
    unit_price        BIGINT NOT NULL CHECK (unit_price >= 0),
    amount            BIGINT NOT NULL CHECK (amount >= 0),
    source            TEXT NOT NULL CHECK (source IN ('tinh', 'huyen', 'xa', 'khac')),
    basis             TEXT NOT NULL DEFAULT '',
    note              TEXT NOT NULL DEFAULT '',
    proposed_amount   BIGINT CHECK (proposed_amount >= 0),
    proposal_note     TEXT,
    appraised_amount  BIGINT CHECK (appraised_amount >= 0),
    appraisal_comment TEXT,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX budget_lines_estimate ON budget_lines (estimate_id);
CREATE INDEX budget_lines_assignment ON budget_lines (assignment_id);

CREATE TABLE budget_allocations (
    assignment_id   BIGINT PRIMARY KEY REFERENCES assignments(id) ON DELETE CASCADE,
    plan_id         BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    amount          BIGINT NOT NULL CHECK (amount >= 0)
);
CREATE INDEX budget_allocations_plan ON budget_allocations (plan_id);

CREATE TABLE budget_spending (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    assignment_id BIGINT NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    spent_on      DATE NOT NULL,
    amount        BIGINT NOT NULL CHECK (amount > 0),
    content       TEXT NOT NULL,
    voucher       TEXT NOT NULL DEFAULT '',
    sha256        TEXT,
    file_name     TEXT,
    content_type  TEXT,
    size_bytes    BIGINT,
    recorded_by   BIGINT REFERENCES users(id),
    recorded_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX budget_spending_assignment ON budget_spending (assignment_id);

CREATE TABLE budget_settlements (
    plan_id             BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id             BIGINT NOT NULL REFERENCES units(id),
    submitted_at        TIMESTAMPTZ NOT NULL,
    office_accepted_at  TIMESTAMPTZ,
    finance_accepted_at TIMESTAMPTZ,
    PRIMARY KEY (plan_id, unit_id)
);
