-- Filing on someone's behalf (ủy quyền; issue 19; docs/representation.md).

-- Whether a representative may file for the applicant. The law allows it
-- unless it asks for the applicant in person, so procedures kept before
-- read as allowing it; administrators turn it off where the law says so.
ALTER TABLE procedures ADD COLUMN representation_allowed BOOLEAN NOT NULL DEFAULT 1;

-- Who filed the dossier for its applicant, as JSON (name, id_number,
-- relation, authorisation: title, number, issued_on, original, copies);
-- NULL when the applicant filed in person. The authorisation is also a
-- line of the dossier's documents (code UY-QUYEN).
ALTER TABLE dossiers ADD COLUMN representative TEXT;

-- The same for an online submission, kept for its acceptance.
ALTER TABLE submissions ADD COLUMN representative TEXT;
