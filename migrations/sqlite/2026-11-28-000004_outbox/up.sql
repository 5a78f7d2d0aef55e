-- The transactional outbox: a message is written in the same transaction
-- as the change it reports (so a rolled-back change sends nothing) and a
-- worker delivers it later (so a mail-server outage never slows or breaks
-- the desk). Timestamps are UTC.

CREATE TABLE outbox (
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
);
CREATE INDEX outbox_status_next ON outbox (status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox (dossier_id);
