-- What complying with a procedure costs its applicants, as the reform
-- plan counts it (issue 18; docs/catalogue.md, Compliance cost): the
-- inputs an administrator enters with the catalogue, as JSON (minutes to
-- prepare each document, trips, travel, waiting, collecting, outside
-- services, other costs), NULL until entered. Each published version's
-- snapshot carries them too, so two versions can be compared.
ALTER TABLE procedures ADD COLUMN compliance TEXT;

-- The yearly cost multiplies by the dossiers of the procedure received
-- over the last twelve months: counted through this index.
CREATE INDEX dossiers_procedure_received ON dossiers (procedure_code, received_at);
