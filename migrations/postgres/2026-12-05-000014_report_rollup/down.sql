DROP TRIGGER events_rollup_pending ON events;
DROP FUNCTION events_rollup_pending();
DROP TABLE report_rollup_pending;
DROP INDEX extensions_requested_at;
DROP INDEX supplement_requests_requested_at;
DROP TABLE report_rollup_meta;
DROP TABLE report_rollup_facts;
DROP TABLE report_rollup;
