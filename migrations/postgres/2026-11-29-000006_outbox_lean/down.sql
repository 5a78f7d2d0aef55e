DROP INDEX outbox_open;
CREATE INDEX outbox_status_next ON outbox (status, next_attempt_at);
CREATE INDEX outbox_dossier ON outbox (dossier_id);
