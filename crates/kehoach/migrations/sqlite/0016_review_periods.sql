-- Review of reported activities and approval of periods (issue 19, parts 3 and 4).
-- Keep in step with ../postgres/0016_review_periods.sql.
--
-- activities.review_state keeps 0001's values; 'rejected' is what the product calls "returned"
-- (kehoach_core::approval::ReviewState::as_db is the one mapping).

-- Whether a plan's figures count every activity ('all', the default) or accepted ones only;
-- and the optional automatic lock N days after a period ends.
ALTER TABLE plans ADD COLUMN count_mode TEXT NOT NULL DEFAULT 'all' CHECK (count_mode IN ('all', 'accepted'));
ALTER TABLE plans ADD COLUMN auto_lock_days INTEGER CHECK (auto_lock_days BETWEEN 0 AND 366);

-- Every review decision on an activity, oldest first (the activity holds the current state).
CREATE TABLE activity_reviews (
    id          INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('accept', 'return', 'resubmit')),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'returned')),
    reason      TEXT NOT NULL DEFAULT '',
    user_id     INTEGER REFERENCES users(id),
    actor       TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX activity_reviews_activity ON activity_reviews (activity_id, id);
CREATE INDEX activities_review_state ON activities (review_state) WHERE review_state <> 'pending';

-- A unit's period of work on a plan: submitted, approved (locked) up the unit tree, returned,
-- reopened. `label` is the canonical period (2024, 2024-H1, 2024-Q2, 2024-05); `chain` the unit
-- ids that approve it, lowest first (comma-separated, fixed at submission), `steps_done` how
-- many of them have.
CREATE TABLE period_approvals (
    id          INTEGER PRIMARY KEY,
    plan_id     INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id     INTEGER NOT NULL REFERENCES units(id),
    label       TEXT NOT NULL,
    period_from TEXT NOT NULL,
    period_to   TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'returned', 'reopened')),
    chain       TEXT NOT NULL,
    steps_done  INTEGER NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    updated_by  INTEGER REFERENCES users(id),
    actor       TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (plan_id, unit_id, label)
);
CREATE INDEX period_approvals_lock ON period_approvals (plan_id, unit_id, state, period_from);

-- A unit allowed to write into automatically locked periods of a plan until a date (inclusive).
CREATE TABLE period_lock_exceptions (
    plan_id    INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id    INTEGER NOT NULL REFERENCES units(id),
    until      TEXT NOT NULL,
    granted_by INTEGER REFERENCES users(id),
    actor      TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (plan_id, unit_id)
);
