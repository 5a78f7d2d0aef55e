ALTER TABLE clock_entries DROP CONSTRAINT clock_entries_kind_check;
ALTER TABLE clock_entries ADD CONSTRAINT clock_entries_kind_check
    CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension', 'case'));
ALTER TABLE handovers DROP COLUMN recalled_at;
ALTER TABLE handovers DROP COLUMN recalled_by;
ALTER TABLE handovers DROP COLUMN repair;
