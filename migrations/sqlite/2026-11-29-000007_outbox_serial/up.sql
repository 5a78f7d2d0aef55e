-- An outbox row that costs an intake one b-tree page, not three.
--
-- Measured on 000006 (frames written to the log per intake): the row went
-- into a table clustered on a UUID v7 (WITHOUT ROWID), whose appends
-- rebalance several leaves at a time (1.9 pages per row), plus one page
-- of the partial index that found open rows (1.0). Now:
--  * the id is the table's rowid (INTEGER PRIMARY KEY), so an insert is
--    an append to the last leaf, and the admin list pages newest-first
--    down the table itself;
--  * a new message is written with no next_attempt_at and is in no
--    index. SQLite runs one write transaction at a time, so messages are
--    committed in id order and new ones always come after every id the
--    worker has looked at: the worker keeps the last id it has seen
--    (in memory) and reads new messages from there on, a range of the
--    table itself (crates/notify/src/outbox.rs, `claim`);
--  * a message the worker has touched (claimed, backing off, retried)
--    has a next_attempt_at and is found by outbox_due, which holds only
--    those: the worker's writes pay for it, not the desk's;
--  * outbox_failed holds the failed messages, for the admin list (an
--    insert is never failed, so it never writes this index either).
-- A sent or failed message has no next attempt (the CHECK).
-- Events written before this migration name a message by its former
-- UUID; the new ids follow the old order.

CREATE TABLE outbox_serial (
    id INTEGER PRIMARY KEY,
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
    -- NULL on a new message (due at once) and on a sent or failed one;
    -- while 'sending', the end of the worker's lease.
    next_attempt_at TIMESTAMP,
    last_error TEXT,
    -- While 'sending': the worker's lease; after it a row counts as
    -- abandoned (the worker died) and is claimed again.
    locked_until TIMESTAMP,
    -- While 'sending': the claim that holds the lease, so that a worker
    -- whose lease was taken over cannot overwrite the new claim's outcome.
    claim_token TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    CHECK (CASE status
        WHEN 'pending' THEN 1
        WHEN 'sending' THEN next_attempt_at IS NOT NULL
        ELSE next_attempt_at IS NULL END)
);
INSERT INTO outbox_serial (kind, recipient, recipient_name, locale, data, dossier_id,
        status, attempts, next_attempt_at, last_error, locked_until, claim_token,
        created_at, sent_at)
    SELECT kind, recipient, recipient_name, locale, data, dossier_id, status, attempts,
           CASE status WHEN 'pending' THEN next_attempt_at WHEN 'sending' THEN locked_until END,
           last_error, locked_until, claim_token, created_at, sent_at
    FROM outbox ORDER BY id;
DROP TABLE outbox;
ALTER TABLE outbox_serial RENAME TO outbox;
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX outbox_failed ON outbox (id) WHERE status = 'failed';
