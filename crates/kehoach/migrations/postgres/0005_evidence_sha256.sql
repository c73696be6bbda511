-- Serving a file and deciding whether a stored file is still referenced (a failed upload's
-- clean-up, `kehoach files gc`) look evidence up by hash.
CREATE INDEX evidence_sha256 ON evidence (sha256);

-- A heatmap reads ~50 tallies of each of ~170 assignments; a tally row lives wherever it was
-- first written, so reading them from the table touched one page per cell (7,000 pages, 14 ms
-- at 2M activities). With `achieved` in the index they are read from the index alone.
CREATE INDEX period_tallies_cells ON period_tallies (assignment_id, per, period_start) INCLUDE (achieved);
