-- Serving a file and deciding whether a stored file is still referenced (a failed upload's
-- clean-up, `kehoach files gc`) look evidence up by hash.
CREATE INDEX evidence_sha256 ON evidence (sha256);
