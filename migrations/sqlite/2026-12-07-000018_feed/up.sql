-- The event feed (issue 17): one row per change of a dossier's status, due
-- time, holder or result, a snapshot of the dossier as that change left
-- it, written by the transaction that made the change (at its commit, one
-- row per dossier it touched, none when nothing the feed shows changed).
--
-- `id` is the order rows were inserted in, and the event id subscribers
-- use to drop a repeat. It is not the order they commit in: on PostgreSQL
-- a transaction that took id 7 may commit after the one that took id 8,
-- and a reader paging by id would skip 7. So readers page by `position`,
-- given by the sequencer (crates/store/src/feed.rs) to rows already
-- committed, under a lock, in id order after every position given before:
-- a row committed later always gets a later position. Rows of one dossier
-- are inserted while its row is locked, so their ids, and positions,
-- follow the order of its changes.
CREATE TABLE feed_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    position BIGINT UNIQUE,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    code TEXT NOT NULL,
    procedure_code TEXT NOT NULL,
    receiving_agency_code TEXT NOT NULL,
    handling_agency_code TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    paused BOOLEAN NOT NULL,
    in_transit BOOLEAN NOT NULL,
    assigned_to TEXT,
    ended_at TIMESTAMP,
    verdict TEXT,
    returned_at TIMESTAMP,
    recorded_at TIMESTAMP NOT NULL
);
-- The sequencer finds the rows without a position through the position's
-- own index (NULLs are in it): one index fewer for every change to write.
-- The last row of a dossier, to skip a change the feed does not show.
CREATE INDEX feed_items_dossier ON feed_items (dossier_id, id);

-- A desk upgraded with dossiers already: one row for each as it stands,
-- in the order they were received, so a subscriber reading from the
-- beginning still rebuilds every dossier.
INSERT INTO feed_items (dossier_id, code, procedure_code, receiving_agency_code,
    handling_agency_code, status_code, received_at, due_at, paused, in_transit, assigned_to,
    ended_at, verdict, returned_at, recorded_at)
SELECT id, code, procedure_code, receiving_agency_code, handling_agency_code, status_code,
    received_at, due_at, paused_since IS NOT NULL, in_transit, assigned_to, ended_at, verdict,
    returned_at, updated_at
FROM dossiers ORDER BY received_at, id;
UPDATE feed_items SET position = id;

-- The systems that follow the feed (the national portal, the province's
-- reporting system, an agency's own software): not staff, so not users.
-- Each reads with its own token (only its SHA-256 is kept; the token is
-- shown once, when made), within the agency it names and those below it,
-- in the format it chose. Disabled, its token stops working at once.
CREATE TABLE subscribers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    format TEXT NOT NULL CHECK (format IN ('desk', 'national')),
    token_hash TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
