-- Dossiers moved in from an older system (issue 19; docs/import.md): when
-- and in which batch each was imported, and a digest of the row it was
-- imported from, so importing the same file again changes nothing and a
-- different row under the same code is refused. NULL on every dossier
-- received here.
ALTER TABLE dossiers ADD COLUMN imported_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN import_batch TEXT;
ALTER TABLE dossiers ADD COLUMN import_digest TEXT;

-- The clock's ledger records an appointment set by the older system
-- ('import', its new_due_at the old system's due time): the ledger of an
-- imported dossier starts with it instead of a 'start'.
ALTER TABLE clock_entries DROP CONSTRAINT clock_entries_kind_check;
ALTER TABLE clock_entries ADD CONSTRAINT clock_entries_kind_check
    CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case', 'correction', 'import'));
