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

-- The clock's ledger records a change of case ('case').
ALTER TABLE clock_entries DROP CONSTRAINT clock_entries_kind_check;
ALTER TABLE clock_entries ADD CONSTRAINT clock_entries_kind_check
    CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case'));
