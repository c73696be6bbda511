-- Review of reported activities and approval of periods (issue 19, parts 3 and 4).
-- Keep in step with ../sqlite/0016_review_periods.sql.
--
-- activities.review_state keeps 0001's values; 'rejected' is what the product calls "returned"
-- (kehoach_core::approval::ReviewState::as_db is the one mapping).

ALTER TABLE plans ADD COLUMN count_mode TEXT NOT NULL DEFAULT 'all' CHECK (count_mode IN ('all', 'accepted'));
ALTER TABLE plans ADD COLUMN auto_lock_days BIGINT CHECK (auto_lock_days BETWEEN 0 AND 366);

CREATE TABLE activity_reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    activity_id BIGINT NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    decision    TEXT NOT NULL CHECK (decision IN ('accept', 'return', 'resubmit')),
    state       TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'returned')),
    reason      TEXT NOT NULL DEFAULT '',
    user_id     BIGINT REFERENCES users(id),
    actor       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX activity_reviews_activity ON activity_reviews (activity_id, id);
CREATE INDEX activities_review_state ON activities (review_state) WHERE review_state <> 'pending';

CREATE TABLE period_approvals (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id     BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id     BIGINT NOT NULL REFERENCES units(id),
    label       TEXT NOT NULL,
    period_from DATE NOT NULL,
    period_to   DATE NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'returned', 'reopened')),
    chain       TEXT NOT NULL,
    steps_done  BIGINT NOT NULL DEFAULT 0,
    note        TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL DEFAULT '',
    updated_by  BIGINT REFERENCES users(id),
    actor       TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (plan_id, unit_id, label)
);
CREATE INDEX period_approvals_lock ON period_approvals (plan_id, unit_id, state, period_from);

CREATE TABLE period_lock_exceptions (
    plan_id    BIGINT NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    unit_id    BIGINT NOT NULL REFERENCES units(id),
    until      DATE NOT NULL,
    granted_by BIGINT REFERENCES users(id),
    actor      TEXT NOT NULL,
    granted_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (plan_id, unit_id)
);
