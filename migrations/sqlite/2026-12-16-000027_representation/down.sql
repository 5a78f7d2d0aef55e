ALTER TABLE procedures DROP COLUMN representation_allowed;
ALTER TABLE dossiers DROP COLUMN representative;
ALTER TABLE submissions DROP COLUMN representative;
