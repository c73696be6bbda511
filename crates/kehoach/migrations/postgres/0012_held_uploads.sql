-- A plan document whose upload failed (no context, an ambiguous one…) waits in `pending_imports`
-- too, so the form's next try on any server need not ask for the file again (pending_import.rs,
-- `hold_upload`). Such a row has the document's bytes here and its file name as `state`; a
-- pending import has NULL. Keep in step with ../sqlite/0012_held_uploads.sql.
ALTER TABLE pending_imports ADD COLUMN document BYTEA;
