-- Back to text ids (the integer, zero-padded so that they sort) and a
-- next_attempt_at on every row.
CREATE TABLE outbox_lean (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL DEFAULT '',
    locale TEXT NOT NULL DEFAULT 'vi' CHECK (locale IN ('vi', 'en')),
    data TEXT NOT NULL,
    dossier_id TEXT,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    locked_until TIMESTAMP,
    claim_token TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
) WITHOUT ROWID;
INSERT INTO outbox_lean
    SELECT printf('%020d', id), kind, recipient, recipient_name, locale, data, dossier_id,
           status, attempts, COALESCE(next_attempt_at, created_at), last_error,
           locked_until, claim_token, created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_lean RENAME TO outbox;
CREATE INDEX outbox_open ON outbox (status, next_attempt_at, locked_until)
    WHERE status = 'pending' OR status = 'sending' OR status = 'failed';
