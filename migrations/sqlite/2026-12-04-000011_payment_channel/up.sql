-- How the fee asked for was paid (issue 14, service index: fees paid
-- online), recorded with every payment from now on; earlier payments
-- stay NULL (unknown) and the index counts them apart.
ALTER TABLE dossiers ADD COLUMN payment_channel TEXT CHECK (payment_channel IN ('online', 'counter', 'transfer'));
ALTER TABLE dossiers ADD COLUMN paid_at TIMESTAMP;
