-- A task's targets are read by every write of its activities (the write path's specs, a few
-- assignments at a time) and by every task page: without an index each of those reads scanned
-- the targets of every plan in the database.
CREATE INDEX targets_task ON targets (task_id, position);
