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
-- ('correction', with its new due time).
ALTER TABLE clock_entries DROP CONSTRAINT clock_entries_kind_check;
ALTER TABLE clock_entries ADD CONSTRAINT clock_entries_kind_check
    CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case', 'correction'));
