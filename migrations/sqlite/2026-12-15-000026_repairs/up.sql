-- Repair tools for supervisors (issue 19; docs/repairs.md).
--
-- A handover a supervisor made to mend a mistake says which repair it was
-- ('reassign': the same step given to another agency; 'step_back': back
-- to an earlier step), and a handover sent by mistake can be recalled
-- before it is acknowledged: it stays on the slip, marked recalled, and no
-- longer counts as a leg.
ALTER TABLE handovers ADD COLUMN repair TEXT CHECK (repair IN ('reassign', 'step_back'));
ALTER TABLE handovers ADD COLUMN recalled_by TEXT REFERENCES users (id);
ALTER TABLE handovers ADD COLUMN recalled_at TIMESTAMP;

-- The clock's ledger records a supervisor's correction of the appointment
-- ('correction', with its new due time): SQLite cannot change a CHECK
-- constraint, so the table is rebuilt with its rows and its append-only
-- triggers.
CREATE TABLE clock_entries_new (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case', 'correction')),
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
