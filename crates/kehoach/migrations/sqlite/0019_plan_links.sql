-- Plans that implement plans (issue 22). Keep in step with ../postgres/0019_plan_links.sql.
--
-- A child plan implements a parent plan ("Thực hiện Kế hoạch số …"). A plan may implement
-- several (a year plan and a period plan). `basis` is the citation both plans share, or ''
-- for a link made by hand. `activity_id` is the activity that completed the parent's
-- "issue your own plan" deliverable for the child's issuer, when the link made one (it is
-- removed through the activity write path when the link is).
CREATE TABLE plan_links (
    child_plan_id  INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    parent_plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    basis          TEXT NOT NULL DEFAULT '',
    activity_id    INTEGER REFERENCES activities(id) ON DELETE SET NULL,
    created_by     INTEGER REFERENCES users(id),
    created_at     TEXT NOT NULL,
    PRIMARY KEY (child_plan_id, parent_plan_id),
    CHECK (child_plan_id <> parent_plan_id)
);
CREATE INDEX plan_links_parent ON plan_links (parent_plan_id);

-- Coverage: the parent task a child task carries out, one per child task and parent plan.
-- Proposed by similarity (`score`), then confirmed or corrected by the plan office.
CREATE TABLE task_links (
    child_task_id  INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    parent_plan_id INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    parent_task_id INTEGER NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    score          REAL NOT NULL DEFAULT 0,
    confirmed      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (child_task_id, parent_plan_id)
);
CREATE INDEX task_links_parent_task ON task_links (parent_task_id);
