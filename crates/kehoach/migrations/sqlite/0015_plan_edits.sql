-- Editing a plan after import (issue 19). Keep in step with ../postgres/0015_plan_edits.sql.
-- A task's version: every edit of the task adds one, and an edit made against an older version
-- is refused (409) instead of silently overwriting the other one.
ALTER TABLE tasks ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
-- A task removed from the plan: kept with its assignments, activities and past figures.
ALTER TABLE tasks ADD COLUMN removed_on TEXT;
-- A lead unit removed from a task ("removed on D"): the assignment is closed, never deleted, so
-- its activities stay and still count in past figures.
ALTER TABLE assignments ADD COLUMN closed_on TEXT;
-- An archived plan is read-only, out of "Việc của tôi", still in reports and search.
ALTER TABLE plans ADD COLUMN archived_on TEXT;
