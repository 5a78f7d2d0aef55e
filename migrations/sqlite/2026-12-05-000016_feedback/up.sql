-- Citizens' feedback and recommendations (phản ánh, kiến nghị; issue 15):
-- what the citizen sent (with a reference and a PIN hash to follow it),
-- the agency that handles it (the linked dossier's, or the one named),
-- where it stands, the step owed and its statutory due time
-- (step_due_at: null when nothing is owed), and each step's text, time
-- and author. closed_at is set when it is refused or its answer
-- published: the service index counts the feedback closed in a period.
CREATE TABLE feedback (
    id TEXT PRIMARY KEY NOT NULL,
    reference TEXT NOT NULL UNIQUE,
    pin_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    subject TEXT NOT NULL,
    content TEXT NOT NULL,
    dossier_id TEXT REFERENCES dossiers (id),
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    procedure_code TEXT,
    status TEXT NOT NULL CHECK (status IN ('received', 'refused', 'accepted',
        'information_requested', 'answered', 'published')),
    step_due_at TIMESTAMP,
    received_at TIMESTAMP NOT NULL,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users (id),
    refusal_reason TEXT,
    information_request TEXT,
    information_requested_at TIMESTAMP,
    information_reply TEXT,
    information_given_at TIMESTAMP,
    answer TEXT,
    answered_at TIMESTAMP,
    answered_by TEXT REFERENCES users (id),
    public_summary TEXT,
    published_at TIMESTAMP,
    closed_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX feedback_agency_status ON feedback (agency_code, status, step_due_at);
CREATE INDEX feedback_status_due ON feedback (status, step_due_at);
CREATE INDEX feedback_published ON feedback (published_at);
CREATE INDEX feedback_agency_closed ON feedback (agency_code, closed_at);
CREATE INDEX feedback_dossier ON feedback (dossier_id);

-- A step of a feedback past its limit, recorded once per step and due
-- time by the breach scan (or by the step done late), like a dossier's
-- breach.
CREATE TABLE feedback_breaches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    feedback_id TEXT NOT NULL REFERENCES feedback (id),
    step TEXT NOT NULL CHECK (step IN ('accept', 'request_information', 'answer', 'publish')),
    due_at TIMESTAMP NOT NULL,
    detected_at TIMESTAMP NOT NULL,
    agency_code TEXT NOT NULL,
    UNIQUE (feedback_id, step, due_at)
);
CREATE INDEX feedback_breaches_agency_due ON feedback_breaches (agency_code, due_at);
