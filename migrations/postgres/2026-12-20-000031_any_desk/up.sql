-- Intake at any desk (tiếp nhận không phụ thuộc địa giới hành chính;
-- issue 19; docs/desk.md, Intake at any desk).

-- Whether any desk may receive the procedure, not only its own agency's.
ALTER TABLE procedures ADD COLUMN any_desk BOOLEAN NOT NULL DEFAULT FALSE;

-- The competent agency a dossier was received for at another desk (NULL:
-- received at its own agency's desk). Its tracking book lists it.
ALTER TABLE dossiers ADD COLUMN received_for TEXT;
CREATE INDEX dossiers_received_for ON dossiers (received_for) WHERE received_for IS NOT NULL;
