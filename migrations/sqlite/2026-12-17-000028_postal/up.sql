-- The public postal service both ways (bưu chính công ích; issue 19;
-- docs/post.md).

-- The tracking code of the parcel a dossier came in (channel 3, post).
ALTER TABLE dossiers ADD COLUMN postal_inbound_code TEXT;
-- Where the citizen asked the result to be sent (NULL: collected).
ALTER TABLE dossiers ADD COLUMN postal_return_address TEXT;
-- The result's parcel: its tracking code and when it was handed to the
-- post; delivered (the return), or given up and sent back (a new
-- dispatch clears the failure).
ALTER TABLE dossiers ADD COLUMN postal_outbound_code TEXT;
ALTER TABLE dossiers ADD COLUMN postal_dispatched_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN postal_delivered_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN postal_failed_at TIMESTAMP;
ALTER TABLE dossiers ADD COLUMN postal_failure TEXT;
-- The postal service's notices name the parcel, not the dossier.
CREATE INDEX dossiers_postal_outbound ON dossiers (postal_outbound_code)
    WHERE postal_outbound_code IS NOT NULL;

-- The address an online submission asked the result to be sent to.
ALTER TABLE submissions ADD COLUMN postal_return_address TEXT;

-- Each notice of the postal service, once: a notice id seen before is a
-- repeat (the service resends until acknowledged).
CREATE TABLE postal_notices (
    notice_id TEXT PRIMARY KEY,
    dossier_id TEXT NOT NULL REFERENCES dossiers (id),
    tracking_code TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    happened_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX postal_notices_dossier ON postal_notices (dossier_id);
