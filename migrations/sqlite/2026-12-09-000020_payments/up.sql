-- Each fee or charge paid for a dossier, as it is paid: at the counter, by
-- transfer, or online (then usually confirmed by the payment gateway's
-- signed notification, whose transaction id is kept so a repeat records
-- nothing twice).
CREATE TABLE payments (
    id TEXT PRIMARY KEY NOT NULL,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    amount_vnd BIGINT NOT NULL CHECK (amount_vnd > 0),
    channel TEXT NOT NULL CHECK (channel IN ('online', 'counter', 'transfer')),
    receipt_number TEXT NOT NULL,
    -- The staff member's user id; NULL for the gateway.
    recorded_by TEXT REFERENCES users (id),
    gateway_transaction TEXT UNIQUE,
    paid_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX payments_dossier ON payments (dossier_id, recorded_at);
CREATE INDEX payments_recorded_at ON payments (recorded_at);
