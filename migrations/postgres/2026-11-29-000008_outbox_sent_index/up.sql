-- Sent messages by the time they went out, so that the hourly purge of
-- those older than the retention period (MOTCUA_OUTBOX_KEEP_DAYS) reads
-- only what it deletes. Written when the worker marks a message sent,
-- never by the change that enqueues it.
CREATE INDEX outbox_sent ON outbox (sent_at) WHERE status = 'sent';
