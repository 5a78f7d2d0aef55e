DROP INDEX dossiers_procedure_received;
ALTER TABLE procedures DROP COLUMN compliance;
