-- The deadline clock: supplement policy, the clock ledger, supplement
-- requests, the one extension, verdicts, breaches, calendar edits.

ALTER TABLE procedures ADD COLUMN supplement_policy TEXT NOT NULL DEFAULT 'pause'
    CHECK (supplement_policy IN ('pause', 'restart'));

-- Projections of the ledger kept on the dossier for indexing; the ledger
-- (clock_entries) is the truth they are derived from.
ALTER TABLE dossiers ADD COLUMN clock_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE dossiers ADD COLUMN paused_since TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN supplement_requests INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN ended_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN verdict TEXT CHECK (verdict IN ('early', 'on_time', 'late'));
ALTER TABLE dossiers ADD COLUMN result_note TEXT NOT NULL DEFAULT '';
-- The procedure's name as printed on the receipt (of the version kept).
ALTER TABLE dossiers ADD COLUMN procedure_name TEXT NOT NULL DEFAULT '';
CREATE INDEX dossiers_status_due ON dossiers (status_code, due_at);

-- The clock ledger: append-only, in order per dossier.
CREATE TABLE clock_entries (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'restart', 'extension')),
    at TIMESTAMP NOT NULL,
    new_due_at TIMESTAMP,
    PRIMARY KEY (dossier_id, seq)
);

CREATE TABLE supplement_requests (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    number INTEGER NOT NULL,
    reason TEXT NOT NULL,
    items TEXT NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL,
    received_by TEXT REFERENCES users (id),
    received_at TIMESTAMP,
    received_note TEXT,
    UNIQUE (dossier_id, number)
);

-- At most one extension per dossier, enforced by the primary key.
CREATE TABLE extensions (
    dossier_id TEXT PRIMARY KEY NOT NULL REFERENCES dossiers (id),
    reason TEXT NOT NULL,
    previous_due_at TIMESTAMP NOT NULL,
    new_due_at TIMESTAMP NOT NULL,
    late_notice BOOLEAN NOT NULL,
    requested_by TEXT NOT NULL REFERENCES users (id),
    requested_at TIMESTAMP NOT NULL
);

-- Breach records: once per dossier, kind and clock state.
CREATE TABLE breaches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    kind TEXT NOT NULL CHECK (kind IN ('due_soon', 'overdue')),
    clock_version INTEGER NOT NULL,
    due_at TIMESTAMP NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    agency_code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    UNIQUE (dossier_id, kind, clock_version)
);
CREATE INDEX breaches_agency_due ON breaches (agency_code, due_at);

-- Admin edits of the calendar: extra days off and make-up working days,
-- on top of the built-in holiday rules and the shipped table.
CREATE TABLE calendar_adjustments (
    day DATE PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('day_off', 'working_day')),
    reason TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TRIGGER clock_entries_no_update BEFORE UPDATE ON clock_entries
BEGIN
    SELECT RAISE(ABORT, 'clock entries are append-only');
END;
CREATE TRIGGER clock_entries_no_delete BEFORE DELETE ON clock_entries
BEGIN
    SELECT RAISE(ABORT, 'clock entries are append-only');
END;
