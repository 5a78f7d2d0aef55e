-- A leaner outbox. The outbox row is written inside the change's own
-- transaction (an intake, say), so every index it touches is paid for by
-- that change. From three indexes to two:
--  * the primary key on id: ids are UUID v7, which start with their
--    creation time, so the admin list pages newest-first down this index;
--  * one partial index holds only the rows the worker and the admin still
--    act on (pending, sending, failed), so it stays small however many
--    sent messages the table keeps;
--  * no index on dossier_id: filtering the admin list by dossier is rare
--    and scans, where every intake would pay for the index.
DROP INDEX outbox_status_next;
DROP INDEX outbox_dossier;
CREATE INDEX outbox_open ON outbox (status, next_attempt_at, locked_until)
    WHERE status = 'pending' OR status = 'sending' OR status = 'failed';
