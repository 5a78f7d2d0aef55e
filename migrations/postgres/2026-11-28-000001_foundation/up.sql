-- Foundation: settings, catalogue, users, counters, dossiers, guidance slips, events.
-- Timestamps are UTC, stored as TIMESTAMP without time zone.

CREATE TABLE settings (
    key TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

CREATE TABLE agencies (
    code TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('province', 'department', 'district', 'commune')),
    parent_code TEXT REFERENCES agencies (code),
    address TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agencies_parent ON agencies (parent_code);

CREATE TABLE procedures (
    code TEXT PRIMARY KEY NOT NULL,
    version INTEGER NOT NULL,
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    duration_amount INTEGER NOT NULL,
    duration_unit TEXT NOT NULL CHECK (duration_unit IN ('working_days', 'working_hours', 'calendar_days', 'same_day')),
    cutoff_minute INTEGER,
    fee_vnd BIGINT NOT NULL DEFAULT 0,
    fee_note TEXT NOT NULL DEFAULT '',
    legal_basis TEXT NOT NULL DEFAULT '',
    result TEXT NOT NULL DEFAULT '',
    online_allowed BOOLEAN NOT NULL DEFAULT FALSE,
    documents TEXT NOT NULL,
    -- code, name and field folded to lower-case ASCII for accent-insensitive search
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX procedures_agency ON procedures (agency_code);

-- Every published version of a procedure, so a dossier keeps the version
-- it was received under.
CREATE TABLE procedure_versions (
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    version INTEGER NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (procedure_code, version)
);

CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    full_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'clerk', 'officer', 'supervisor')),
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    email TEXT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- Gap-free sequences (daily dossier numbers, tracking-book entries). A row
-- is locked by the increment until the transaction ends, so a rolled-back
-- intake gives its number back.
CREATE TABLE counters (
    name TEXT PRIMARY KEY NOT NULL,
    value BIGINT NOT NULL
);

CREATE TABLE dossiers (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL UNIQUE,
    pin_hash TEXT NOT NULL,
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    procedure_version INTEGER NOT NULL,
    receiving_agency_code TEXT NOT NULL REFERENCES agencies (code),
    handling_agency_code TEXT NOT NULL REFERENCES agencies (code),
    status_code INTEGER NOT NULL CHECK (status_code BETWEEN 1 AND 10),
    channel INTEGER NOT NULL CHECK (channel BETWEEN 1 AND 3),
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    applicant_phone TEXT,
    applicant_email TEXT,
    applicant_address TEXT,
    documents TEXT NOT NULL,
    fee_vnd BIGINT NOT NULL,
    book_year INTEGER NOT NULL,
    book_entry BIGINT NOT NULL,
    received_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    original_due_at TIMESTAMP NOT NULL,
    received_by TEXT NOT NULL REFERENCES users (id),
    note TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (receiving_agency_code, book_year, book_entry)
);
CREATE INDEX dossiers_receiving_received ON dossiers (receiving_agency_code, received_at);
CREATE INDEX dossiers_handling_status_due ON dossiers (handling_agency_code, status_code, due_at);

-- Written guidance for incomplete dossiers: what the clerk told the
-- citizen was missing. No dossier code is issued for these.
CREATE TABLE guidance_slips (
    id TEXT PRIMARY KEY NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    procedure_version INTEGER NOT NULL,
    applicant_name TEXT NOT NULL,
    applicant_id_number TEXT NOT NULL,
    documents TEXT NOT NULL,
    missing TEXT NOT NULL,
    issued_by TEXT NOT NULL REFERENCES users (id),
    issued_at TIMESTAMP NOT NULL
);
CREATE INDEX guidance_slips_agency ON guidance_slips (agency_code, issued_at);

-- The audit trail. Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    subject_type TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    dossier_id TEXT REFERENCES dossiers (id),
    kind TEXT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    at TIMESTAMP NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX events_dossier ON events (dossier_id, id);
CREATE INDEX events_subject ON events (subject_type, subject_id, id);

CREATE FUNCTION events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER events_no_update BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();
