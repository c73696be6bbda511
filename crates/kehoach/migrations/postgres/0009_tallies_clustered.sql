-- The heatmap's covering index (0005) had the primary key's columns: every tally write updated
-- two indexes on one key. The primary key now carries `achieved` itself (INCLUDE), so it serves
-- both the write path's ON CONFLICT and the heatmap's index-only scan, and a tally write updates
-- one index. Keep in step with ../sqlite/0009 (there the table is clustered by its key).
ALTER TABLE period_tallies DROP CONSTRAINT period_tallies_pkey;
ALTER TABLE period_tallies ADD PRIMARY KEY (assignment_id, per, period_start) INCLUDE (achieved);
DROP INDEX period_tallies_cells;
