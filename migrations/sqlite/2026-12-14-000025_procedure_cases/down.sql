ALTER TABLE procedures DROP COLUMN cases;
ALTER TABLE dossiers DROP COLUMN case_code;
ALTER TABLE submissions DROP COLUMN case_code;
