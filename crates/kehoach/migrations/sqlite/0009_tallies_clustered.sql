-- period_tallies was a rowid table with two indexes on the same key: the primary key's and the
-- heatmap's covering index (0005). Every tally write updated three b-trees. Clustered by its key
-- (WITHOUT ROWID) it is one b-tree that holds every column, so it is its own covering index and
-- each write touches a third of the pages (the write path upserts one tally per activity and
-- period kind). Keep in step with ../postgres/0009.
CREATE TABLE period_tallies_clustered (
    assignment_id    INTEGER NOT NULL REFERENCES assignments(id) ON DELETE CASCADE,
    per              TEXT NOT NULL,
    period_start     TEXT NOT NULL,
    achieved         REAL NOT NULL DEFAULT 0,
    achieved_on_time REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (assignment_id, per, period_start)
) WITHOUT ROWID;
INSERT INTO period_tallies_clustered (assignment_id, per, period_start, achieved, achieved_on_time)
    SELECT assignment_id, per, period_start, achieved, achieved_on_time FROM period_tallies;
DROP TABLE period_tallies;
ALTER TABLE period_tallies_clustered RENAME TO period_tallies;
