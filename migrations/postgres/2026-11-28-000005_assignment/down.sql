DROP INDEX dossiers_assigned;
ALTER TABLE dossiers DROP COLUMN assigned_to;
