-- A plan's revision: every change to the plan, its tasks, targets or assignments (editing after
-- import, issue 19) adds one in the transaction of the change. Anything that keeps a copy of a
-- plan's specs (the activity write path's per-process cache) compares its copy's revision with
-- this one inside its own transaction, so an edit through any server is seen by every other at
-- once. Keep in step with ../sqlite/0013_plan_revision.sql.
ALTER TABLE plans ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
