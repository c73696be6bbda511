-- Serving a file and deciding whether a stored file is still referenced (a failed upload's
-- clean-up, `kehoach files gc`) look evidence up by hash. Keep in step with ../postgres/0005.
CREATE INDEX evidence_sha256 ON evidence (sha256);

-- A heatmap reads ~50 tallies of each of ~170 assignments: with `achieved` in the index they
-- are read from the index alone (see ../postgres/0005).
CREATE INDEX period_tallies_cells ON period_tallies (assignment_id, per, period_start, achieved);
