ALTER TABLE clock_entries DROP CONSTRAINT clock_entries_kind_check;
ALTER TABLE clock_entries ADD CONSTRAINT clock_entries_kind_check
    CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension')) NOT VALID;
ALTER TABLE submissions DROP COLUMN case_code;
ALTER TABLE dossiers DROP COLUMN case_code;
ALTER TABLE procedures DROP COLUMN cases;
