-- Dossier codes reserved in advance for an outage (issue 19;
-- docs/dossier-code.md, Reserved codes): drawn from the desk's daily
-- sequence for one local day, printed on paper receipts while the network
-- is down, and logged later with the real receipt time. Each is used once;
-- those left unused are void once the days allowed for logging are over,
-- and the tracking book lists them as void so the sequence shows no gap.
CREATE TABLE reserved_codes (
    code TEXT PRIMARY KEY NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    -- The local day the code belongs to, YYYY-MM-DD.
    day TEXT NOT NULL,
    reserved_by TEXT NOT NULL REFERENCES users (id),
    reserved_at TIMESTAMP NOT NULL,
    dossier_id TEXT UNIQUE REFERENCES dossiers (id),
    used_at TIMESTAMP,
    voided_at TIMESTAMP,
    CHECK (dossier_id IS NULL OR voided_at IS NULL)
);
CREATE INDEX reserved_codes_by_day ON reserved_codes (agency_code, day);
