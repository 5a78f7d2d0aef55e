-- A citizen's rating of a returned dossier (issue 15): given once, never
-- changed (the primary key keeps it to one); the nine scores as a JSON
-- array of 0, 1 or 2 (crates/domain/src/rating.rs), the overall
-- satisfaction, an optional comment, where it was given (the public page
-- or the counter, then with the clerk who recorded it) and when.
CREATE TABLE ratings (
    dossier_id TEXT PRIMARY KEY NOT NULL REFERENCES dossiers (id),
    scores TEXT NOT NULL,
    overall TEXT NOT NULL CHECK (overall IN ('very_satisfied', 'satisfied', 'not_satisfied')),
    comment TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('public', 'counter')),
    recorded_by TEXT REFERENCES users (id),
    rated_at TIMESTAMP NOT NULL
);
CREATE INDEX ratings_rated_at ON ratings (rated_at);
