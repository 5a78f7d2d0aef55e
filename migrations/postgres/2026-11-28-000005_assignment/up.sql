-- Officers assigned to a dossier at the agency holding it.
ALTER TABLE dossiers ADD COLUMN assigned_to TEXT REFERENCES users (id);
CREATE INDEX dossiers_assigned ON dossiers (assigned_to, due_at);
