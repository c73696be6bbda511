-- Live per-assignment summary, kept in the transaction of each activity write: how many
-- activities, and the date of the latest (for tasks with neither target nor due date).
ALTER TABLE assignments ADD COLUMN activity_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE assignments ADD COLUMN last_activity_on DATE;
