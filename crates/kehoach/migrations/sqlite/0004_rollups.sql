-- Roll-up aggregates for national dashboards, kept current in the transaction of each activity
-- write (store/rollups.rs), like period_tallies. Keep in step with ../postgres/0004_rollups.sql.
-- `province_id` is the province an assignment's unit lies in (0: none, e.g. a central body).
ALTER TABLE assignments ADD COLUMN province_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX assignments_task_province ON assignments (task_id, province_id);

-- Per task × province: how many assignments, and how many activities they have recorded.
CREATE TABLE rollup_units (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    province_id INTEGER NOT NULL,
    assignments INTEGER NOT NULL DEFAULT 0,
    activities  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, province_id)
);

-- Per recurring target × province × period: how many assignments have something (touched),
-- have reached the target count (met), reached it with activities recorded in time (met_on_time),
-- and the sum achieved. A counter moves when an assignment's period tally crosses the threshold.
CREATE TABLE rollup_periods (
    target_id    INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    province_id  INTEGER NOT NULL,
    period_start TEXT NOT NULL,
    touched      INTEGER NOT NULL DEFAULT 0,
    met          INTEGER NOT NULL DEFAULT 0,
    met_on_time  INTEGER NOT NULL DEFAULT 0,
    achieved     REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (target_id, province_id, period_start)
);

-- Per task × province × done date: how many assignments were done on that date.
CREATE TABLE rollup_done (
    task_id     INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    province_id INTEGER NOT NULL,
    done_on     TEXT NOT NULL,
    assignments INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (task_id, province_id, done_on)
);

-- Per plan-total target (with a closed window) × assignment: the total over the window.
CREATE TABLE rollup_totals (
    target_id        INTEGER NOT NULL REFERENCES targets(id) ON DELETE CASCADE,
    assignment_id    INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    province_id      INTEGER NOT NULL,
    achieved         REAL NOT NULL DEFAULT 0,
    achieved_on_time REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (target_id, assignment_id)
);
