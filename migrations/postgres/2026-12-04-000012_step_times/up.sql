-- The lateness forecast's history (issue 14, docs/forecast.md): per
-- procedure, step and officer ('' for everyone), the histogram of the
-- working time finished legs took, rebuilt from the handovers and the
-- ended dossiers by the breach job.
CREATE TABLE step_times (
    procedure_code TEXT NOT NULL,
    step INTEGER NOT NULL,
    officer TEXT NOT NULL,
    -- JSON array of counts, one per bin (crates/reports/src/forecast.rs).
    bins TEXT NOT NULL,
    samples INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (procedure_code, step, officer)
);
-- Legs that ended recently, for the rebuild.
CREATE INDEX handovers_sent_at ON handovers (sent_at);
CREATE INDEX dossiers_ended_at ON dossiers (ended_at);
