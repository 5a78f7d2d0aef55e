-- Dossiers moved in from an older system (issue 19; docs/import.md): when
-- and in which batch each was imported, and a digest of the row it was
-- imported from, so importing the same file again changes nothing and a
-- different row under the same code is refused. NULL on every dossier
-- received here.
ALTER TABLE dossiers ADD COLUMN imported_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN import_batch TEXT;
ALTER TABLE dossiers ADD COLUMN import_digest TEXT;

-- The clock's ledger records an appointment set by the older system
-- ('import', its new_due_at the old system's due time): SQLite cannot
-- change a CHECK constraint, so the table is rebuilt with its rows and its
-- append-only triggers.
CREATE TABLE clock_entries_new (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case', 'correction', 'import')),
    at TIMESTAMP NOT NULL,
    new_due_at TIMESTAMP,
    PRIMARY KEY (dossier_id, seq)
);
INSERT INTO clock_entries_new (dossier_id, seq, kind, at, new_due_at)
    SELECT dossier_id, seq, kind, at, new_due_at FROM clock_entries;
DROP TABLE clock_entries;
ALTER TABLE clock_entries_new RENAME TO clock_entries;
CREATE TRIGGER clock_entries_no_update BEFORE UPDATE ON clock_entries
BEGIN
    SELECT RAISE(ABORT, 'clock entries are append-only');
END;
CREATE TRIGGER clock_entries_no_delete BEFORE DELETE ON clock_entries
BEGIN
    SELECT RAISE(ABORT, 'clock entries are append-only');
END;
