-- The counter hall's queue (issue 18; docs/queue.md): the service areas of
-- an agency's hall, each with the letter its tickets carry and the fields
-- of the catalogue it serves; the counters (quầy), each serving some areas;
-- the tickets a kiosk hands out, numbered per area per local day without
-- gaps (through the `counters` table, key queue:{agency}:{letter}:{day}),
-- and the dossiers logged from a ticket.
CREATE TABLE queue_areas (
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    letter TEXT NOT NULL,
    name TEXT NOT NULL,
    -- JSON array of the catalogue's fields this area serves.
    fields TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (agency_code, letter)
);

CREATE TABLE queue_counters (
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    number INTEGER NOT NULL CHECK (number BETWEEN 1 AND 99),
    name TEXT NOT NULL,
    -- JSON array of the letters of the areas this counter calls from.
    areas TEXT NOT NULL,
    PRIMARY KEY (agency_code, number)
);

CREATE TABLE queue_tickets (
    id TEXT PRIMARY KEY NOT NULL,
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    area TEXT NOT NULL,
    -- The local date it was taken on, YYYY-MM-DD: numbers start again each day.
    day TEXT NOT NULL,
    number INTEGER NOT NULL CHECK (number > 0),
    -- What the citizen came for, as the kiosk was told (either may be NULL).
    field TEXT,
    procedure_code TEXT,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'called', 'done', 'no_show')),
    taken_at TIMESTAMP NOT NULL,
    -- First called (the end of the wait), last announced (a recall
    -- announces again), how many times announced.
    called_at TIMESTAMP,
    announced_at TIMESTAMP,
    calls INTEGER NOT NULL DEFAULT 0,
    counter_number INTEGER,
    called_by TEXT REFERENCES users (id),
    -- Served (done) or given up on (no_show).
    finished_at TIMESTAMP,
    UNIQUE (agency_code, area, day, number)
);
CREATE INDEX queue_tickets_day ON queue_tickets (agency_code, day, status, taken_at);
CREATE INDEX queue_tickets_taken ON queue_tickets (taken_at, agency_code);

CREATE TABLE queue_ticket_dossiers (
    dossier_id TEXT PRIMARY KEY NOT NULL REFERENCES dossiers (id),
    ticket_id TEXT NOT NULL REFERENCES queue_tickets (id),
    linked_at TIMESTAMP NOT NULL
);
CREATE INDEX queue_ticket_dossiers_ticket ON queue_ticket_dossiers (ticket_id);
