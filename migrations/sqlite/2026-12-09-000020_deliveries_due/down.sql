DROP INDEX deliveries_due;
CREATE INDEX deliveries_waiting ON deliveries (id) WHERE state = 'pending';
