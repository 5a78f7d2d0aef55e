-- The results report's roll-up (issue 14, docs/measures.md "Roll-up"):
-- per scope (an agency's own dossiers 'own:CODE', an agency and every
-- agency below it 'tree:CODE', or 'all'), month and dimension (the whole
-- line '', or one 'procedure' or 'officer'), the line of the report for
-- that month as JSON (crates/reports/src/counts.rs, Line). Months are
-- rolled up once over; a report over months adds them up.
CREATE TABLE report_rollup (
    scope TEXT NOT NULL,
    month TEXT NOT NULL,
    dim TEXT NOT NULL,
    dim_key TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (scope, month, dim, dim_key)
);
-- What each dossier added to the roll-up was counted from (JSON), so a
-- change takes exactly that back out before adding the new figures.
CREATE TABLE report_rollup_facts (
    dossier_id TEXT PRIMARY KEY REFERENCES dossiers (id),
    received_at TIMESTAMP NOT NULL,
    closed_at TIMESTAMP,
    facts TEXT NOT NULL
);
CREATE INDEX report_rollup_facts_received ON report_rollup_facts (received_at);
-- The last month rolled up, and what the figures were counted with (the
-- calendar's version, the working day, the agency tree): when that
-- changes the roll-up is rebuilt, and reports count from the dossiers
-- until it is ready.
CREATE TABLE report_rollup_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    through TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    ready BOOLEAN NOT NULL
);
INSERT INTO report_rollup_meta (id, through, fingerprint, ready) VALUES (1, '', '', false);
-- Supplement requests and extensions are counted when they were made.
CREATE INDEX supplement_requests_requested_at ON supplement_requests (requested_at);
CREATE INDEX extensions_requested_at ON extensions (requested_at);
-- Dossiers changed since the roll-up last caught up: every change of a
-- dossier writes its event, and this trigger notes the dossier in the
-- same transaction, whatever the code path.
CREATE TABLE report_rollup_pending (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dossier_id TEXT NOT NULL
);
CREATE TRIGGER events_rollup_pending AFTER INSERT ON events
WHEN NEW.dossier_id IS NOT NULL AND NEW.kind <> 'dossier.read'
BEGIN
    INSERT INTO report_rollup_pending (dossier_id) VALUES (NEW.dossier_id);
END;
