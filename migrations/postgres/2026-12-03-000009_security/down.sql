DROP INDEX idempotency_keys_created;
DROP TABLE throttle;
DROP TABLE sessions;
