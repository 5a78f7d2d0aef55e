CREATE TABLE outbox_wide (
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
);
INSERT INTO outbox_wide
    SELECT id, kind, recipient, recipient_name, locale, data, dossier_id, status,
           attempts, next_attempt_at, last_error, locked_until, claim_token,
           created_at, sent_at
    FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_wide RENAME TO outbox;
CREATE INDEX outbox_status_next ON outbox (status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox (dossier_id);
