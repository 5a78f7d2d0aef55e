ALTER TABLE clock_entries DROP CONSTRAINT clock_entries_kind_check;
ALTER TABLE clock_entries ADD CONSTRAINT clock_entries_kind_check
    CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case', 'correction')) NOT VALID;
ALTER TABLE dossiers DROP COLUMN import_digest;
ALTER TABLE dossiers DROP COLUMN import_batch;
ALTER TABLE dossiers DROP COLUMN imported_at;
