ALTER TABLE procedures ADD COLUMN online_allowed BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE procedures SET online_allowed = service_level <> 'not_online';
ALTER TABLE procedures DROP COLUMN service_level;
UPDATE procedure_versions
SET snapshot = ((snapshot::jsonb - 'service_level') || jsonb_build_object('online_allowed',
    (snapshot::jsonb ->> 'service_level') <> 'not_online'))::text;
