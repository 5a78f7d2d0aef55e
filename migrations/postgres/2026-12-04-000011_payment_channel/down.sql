ALTER TABLE dossiers DROP COLUMN paid_at;
ALTER TABLE dossiers DROP COLUMN payment_channel;
