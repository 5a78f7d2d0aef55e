-- Webhooks (issue 17): a subscriber of the feed may also give a URL, and
-- each change it follows is then posted to it, signed with its secret.
--
-- The secret is kept as it is: the desk signs with it, so it cannot keep
-- only a hash (the feed token, which the desk only checks, is hashed).
-- `webhook_kinds` lists the kinds of change it wants (received, status,
-- due, handler, result), comma-separated; NULL wants every kind.
ALTER TABLE subscribers ADD COLUMN webhook_url TEXT;
ALTER TABLE subscribers ADD COLUMN webhook_secret TEXT;
ALTER TABLE subscribers ADD COLUMN webhook_kinds TEXT;

-- The agencies each active subscriber with a webhook follows, its own and
-- every one below it, spelled out, so the trigger below finds the
-- subscribers of a change with one index look-up. Rebuilt whenever a
-- subscriber or an agency changes (crates/store/src/subscribers.rs); with
-- no webhook at all it is empty and a change pays one empty look-up.
CREATE TABLE webhook_scopes (
    agency_code TEXT NOT NULL,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    PRIMARY KEY (agency_code, subscriber_id)
);

-- The delivery queue: one row per change and webhook subscriber, written
-- by the trigger below in the transaction that wrote the feed's row, so a
-- change that commits has its deliveries and one that rolls back has none
-- (the transactional outbox, as for mail). The worker posts the oldest
-- pending row of each subscriber and dossier (so a dossier's changes
-- arrive in order), leasing it until `leased_until` so that two servers
-- never post it at once; a failure waits `next_attempt_at` (backoff), and
-- after the last attempt the row is `failed` and holds its dossier's later
-- rows until an administrator retries it. `skipped`: a kind of change the
-- subscriber did not ask for.
CREATE TABLE deliveries (
    id BIGSERIAL PRIMARY KEY,
    subscriber_id TEXT NOT NULL REFERENCES subscribers (id),
    feed_item_id BIGINT NOT NULL REFERENCES feed_items (id),
    dossier_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'skipped', 'failed')),
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    leased_until TIMESTAMP,
    last_status INTEGER,
    last_error TEXT,
    delivered_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- What the worker claims, oldest first (small: only what waits).
CREATE INDEX deliveries_waiting ON deliveries (id) WHERE state = 'pending';
-- The rows ahead of a row in its subscriber's and dossier's line.
CREATE INDEX deliveries_line ON deliveries (subscriber_id, dossier_id, id)
    WHERE state IN ('pending', 'failed');
-- The administrators' list, newest first, of one subscriber.
CREATE INDEX deliveries_subscriber ON deliveries (subscriber_id, id);

-- The change's deliveries, at the insert of its feed row. The times are
-- the row's (the desk's clock, which tests set), not the database's.
CREATE FUNCTION feed_items_deliver() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deliveries (subscriber_id, feed_item_id, dossier_id, state, attempts,
        next_attempt_at, created_at)
    SELECT DISTINCT w.subscriber_id, NEW.id, NEW.dossier_id, 'pending', 0, NEW.recorded_at,
        NEW.recorded_at
    FROM webhook_scopes w
    WHERE w.agency_code IN (NEW.handling_agency_code, NEW.receiving_agency_code);
    RETURN NULL;
END;
$$;
CREATE TRIGGER feed_items_deliver AFTER INSERT ON feed_items
    FOR EACH ROW EXECUTE FUNCTION feed_items_deliver();
