-- Interlinked processing and the full lifecycle: process plans, handovers,
-- online submissions, payments, return of results, idempotent POSTs.

-- Process plan (ordered steps with shares of the time) and, for an
-- interlinked group, its member procedures; JSON, versioned with the
-- procedure's snapshot.
ALTER TABLE procedures ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
ALTER TABLE procedures ADD COLUMN members TEXT NOT NULL DEFAULT '[]';

-- Routing projections on the dossier; the handovers table is the truth.
ALTER TABLE dossiers ADD COLUMN parent_id TEXT REFERENCES dossiers (id);
ALTER TABLE dossiers ADD COLUMN current_step INTEGER NOT NULL DEFAULT 0;
ALTER TABLE dossiers ADD COLUMN in_transit BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE dossiers ADD COLUMN payment_amount_vnd BIGINT;
ALTER TABLE dossiers ADD COLUMN returned_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN returned_to TEXT;
ALTER TABLE dossiers ADD COLUMN return_method TEXT CHECK (return_method IN ('counter', 'post', 'online'));
CREATE INDEX dossiers_parent ON dossiers (parent_id);
CREATE INDEX dossiers_handling_due ON dossiers (handling_agency_code, due_at);

-- One row per handover: the process-control slip.
CREATE TABLE handovers (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    seq INTEGER NOT NULL,
    from_step INTEGER NOT NULL,
    to_step INTEGER NOT NULL,
    from_agency TEXT NOT NULL REFERENCES agencies (code),
    to_agency TEXT NOT NULL REFERENCES agencies (code),
    direction TEXT NOT NULL CHECK (direction IN ('forward', 'back')),
    note TEXT NOT NULL DEFAULT '',
    sent_by TEXT NOT NULL REFERENCES users (id),
    sent_at TIMESTAMP NOT NULL,
    received_by TEXT REFERENCES users (id),
    received_at TIMESTAMP,
    -- The sender's leg: its share of the time and how it used it.
    leg_started_at TIMESTAMP NOT NULL,
    leg_budget_seconds BIGINT NOT NULL,
    leg_used_seconds BIGINT NOT NULL,
    leg_verdict TEXT NOT NULL CHECK (leg_verdict IN ('early', 'on_time', 'late')),
    UNIQUE (dossier_id, seq)
);
CREATE INDEX handovers_pending ON handovers (to_agency, received_at);
CREATE INDEX handovers_from ON handovers (from_agency, received_at);

-- Online submissions (status 1) before the desk accepts (2) or refuses (3).
CREATE TABLE submissions (
    id TEXT PRIMARY KEY NOT NULL,
    pin_hash TEXT NOT NULL,
    procedure_code TEXT NOT NULL REFERENCES procedures (code),
    procedure_version INTEGER NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    applicant TEXT NOT NULL,
    documents TEXT NOT NULL,
    status_code INTEGER NOT NULL CHECK (status_code IN (1, 2, 3, 7)),
    client_addr TEXT NOT NULL,
    submitted_at TIMESTAMP NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    refusal_reason TEXT,
    dossier_id TEXT REFERENCES dossiers (id)
);
CREATE INDEX submissions_agency_status ON submissions (agency_code, status_code, submitted_at);

-- Idempotent POSTs: the first answer to a key, replayed to retries.
CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code INTEGER,
    content_type TEXT,
    body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (scope, key)
);
