CREATE TABLE clock_entries_old (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case', 'correction')),
    at TIMESTAMP NOT NULL,
    new_due_at TIMESTAMP,
    PRIMARY KEY (dossier_id, seq)
);
INSERT INTO clock_entries_old (dossier_id, seq, kind, at, new_due_at)
    SELECT dossier_id, seq, kind, at, new_due_at FROM clock_entries WHERE kind <> 'import';
DROP TABLE clock_entries;
ALTER TABLE clock_entries_old RENAME TO clock_entries;
CREATE TRIGGER clock_entries_no_update BEFORE UPDATE ON clock_entries
BEGIN
    SELECT RAISE(ABORT, 'clock entries are append-only');
END;
CREATE TRIGGER clock_entries_no_delete BEFORE DELETE ON clock_entries
BEGIN
    SELECT RAISE(ABORT, 'clock entries are append-only');
END;
ALTER TABLE dossiers DROP COLUMN import_digest;
ALTER TABLE dossiers DROP COLUMN import_batch;
ALTER TABLE dossiers DROP COLUMN imported_at;
