-- Staff sessions: one row per log-in. The access token names its session,
-- and every authenticated request reads the session with its user, so a
-- logout, an ended session or a disabled account stops the token at once,
-- on every server.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    ended_reason TEXT,
    client_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_open_by_user ON sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Failure counters for the limits on log-ins, PINs and online submissions,
-- shared by every server on the database. One row per bucket
-- ("login-account:alice", "pin-code:H53...-0001", ...); the policy that
-- turns counts into locks is motcua_domain::throttle.
CREATE TABLE throttle (
    bucket TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until TIMESTAMP,
    started_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX throttle_updated ON throttle (updated_at);

-- Idempotency keys are kept for a day; the purge reads them by age.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
