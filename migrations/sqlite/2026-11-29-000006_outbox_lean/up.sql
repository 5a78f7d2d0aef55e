-- A leaner outbox. The outbox row is written inside the change's own
-- transaction (an intake, say), and on SQLite that transaction holds the
-- database's only write lock, so every b-tree the row touches is paid for
-- by every writer queued behind it. From four b-trees to two:
--  * the table is clustered on its id (WITHOUT ROWID): ids are UUID v7,
--    which start with their creation time, so inserts append and the
--    admin list pages newest-first down the primary key;
--  * one partial index holds only the rows the worker and the admin still
--    act on (pending, sending, failed), so it stays small however many
--    sent messages the table keeps;
--  * no index on dossier_id: filtering the admin list by dossier is rare
--    and scans, where every intake would pay for the index.

CREATE TABLE outbox_lean (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT 'vi' CHECK (locale IN ('vi', 'en')),
    -- The template variables, as JSON text.
    data TEXT NOT NULL,
    dossier_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    -- While 'sending': the worker's lease; after it a row counts as
    -- abandoned (the worker died) and is claimed again.
    locked_until TIMESTAMP,
    -- While 'sending': the claim that holds the lease, so that a worker
    -- whose lease was taken over cannot overwrite the new claim's outcome.
    claim_token TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
) WITHOUT ROWID;
INSERT INTO outbox_lean
    SELECT id, kind, recipient, recipient_name, locale, data, dossier_id, status,
           attempts, next_attempt_at, last_error, locked_until, claim_token,
           created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_lean RENAME TO outbox;
-- Written as ORs (not IN) so that SQLite's planner sees that each branch
-- of the worker's query (status = 'pending' ... OR status = 'sending' ...)
-- implies it.
CREATE INDEX outbox_open ON outbox (status, next_attempt_at, locked_until)
    WHERE status = 'pending' OR status = 'sending' OR status = 'failed';
