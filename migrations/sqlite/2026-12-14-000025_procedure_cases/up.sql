-- Procedure cases (trường hợp; issue 18; docs/catalogue.md, Cases): the
-- variants published under one procedure, each with its own documents,
-- time limits, fees and plan, as a JSON array ([] for most procedures).
-- Each version's snapshot carries them too (absent in older snapshots:
-- read as none).
ALTER TABLE procedures ADD COLUMN cases TEXT NOT NULL DEFAULT '[]';

-- The case a dossier was received as (NULL: its procedure has no cases):
-- its documents, time limit, fees and plan are the case's.
ALTER TABLE dossiers ADD COLUMN case_code TEXT;

-- The case an online submission was filed as, kept for its acceptance.
ALTER TABLE submissions ADD COLUMN case_code TEXT;

-- The clock's ledger records a change of case ('case'): SQLite cannot
-- change a CHECK constraint, so the table is rebuilt with its rows and its
-- append-only triggers.
CREATE TABLE clock_entries_new (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case')),
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
