-- Results reports as submitted upward (issue 14): the figures kept as
-- they were on the day they were frozen, so later corrections show as a
-- difference, never silently. One freeze per agency, period and layout.
CREATE TABLE frozen_reports (
    id TEXT PRIMARY KEY NOT NULL,
    -- The agency reported on; '*' for every agency (administrators).
    agency_code TEXT NOT NULL,
    period_name TEXT NOT NULL,
    first_day DATE NOT NULL,
    last_day DATE NOT NULL,
    -- The form ("06a") or the rows ("by:procedure").
    layout TEXT NOT NULL,
    -- The report as JSON, exactly as it was answered that day.
    figures TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    frozen_by TEXT NOT NULL REFERENCES users (id),
    frozen_at TIMESTAMP NOT NULL,
    UNIQUE (agency_code, first_day, last_day, layout)
);
CREATE INDEX frozen_reports_frozen_at ON frozen_reports (frozen_at);
