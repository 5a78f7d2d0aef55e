DROP INDEX dossiers_received_for;
ALTER TABLE dossiers DROP COLUMN received_for;
ALTER TABLE procedures DROP COLUMN any_desk;
