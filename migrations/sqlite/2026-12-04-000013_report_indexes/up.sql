-- The results report reads an agency's dossiers by the time they were
-- received (issue 14): without this index, one agency's month read the
-- received_at index of every agency.
CREATE INDEX dossiers_handling_received ON dossiers (handling_agency_code, received_at);
