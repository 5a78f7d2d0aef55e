-- Dossier files (issue 16): the bytes live in the file storage (a folder
-- or an S3-compatible store, crates/files), under the file's id; a row
-- here says what they are. A row is written 'pending' before the bytes
-- (with the time after which the sweep may remove both), and turns
-- 'stored' in the transaction that attaches the file to its dossier: bytes
-- never stay without a row, and a row is 'stored' only with its bytes.
-- 'removed' keeps the record after the retention job deleted the bytes.
CREATE TABLE files (
    id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'removed')),
    name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL REFERENCES users (id),
    uploaded_at TIMESTAMP NOT NULL,
    sweep_after TIMESTAMP,
    removed_at TIMESTAMP
);
CREATE INDEX files_state_sweep ON files (state, sweep_after);
CREATE INDEX files_uploaded_at ON files (uploaded_at);

-- Which dossier holds which file, as what: a component on one of the
-- procedure's document lines, or the electronic result. A file attached
-- once can be linked into a later dossier of the same applicant (an
-- identity document): one more row, never a copy of the bytes;
-- linked_from names the dossier it came from.
CREATE TABLE dossier_files (
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    purpose TEXT NOT NULL CHECK (purpose IN ('component', 'result')),
    document_code TEXT,
    identity_document BOOLEAN NOT NULL DEFAULT FALSE,
    linked_from TEXT REFERENCES dossiers (id),
    attached_by TEXT NOT NULL REFERENCES users (id),
    attached_at TIMESTAMP NOT NULL,
    PRIMARY KEY (dossier_id, file_id)
);
CREATE INDEX dossier_files_file ON dossier_files (file_id);

-- What the service index counts of each dossier's digitisation, kept up
-- to date by every attachment: every required component held as a file,
-- and an electronic result.
CREATE TABLE dossier_digitisation (
    dossier_id TEXT PRIMARY KEY NOT NULL REFERENCES dossiers (id),
    components_complete BOOLEAN NOT NULL DEFAULT FALSE,
    electronic_result BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL
);

-- Per procedure: whether its result may be issued as an electronic file
-- the citizen downloads, and how many years a returned dossier's files
-- are kept (no row: no electronic result, 5 years).
CREATE TABLE procedure_file_policies (
    procedure_code TEXT PRIMARY KEY NOT NULL REFERENCES procedures (code),
    electronic_result BOOLEAN NOT NULL DEFAULT FALSE,
    retention_years INTEGER NOT NULL CHECK (retention_years BETWEEN 1 AND 100),
    updated_at TIMESTAMP NOT NULL
);
