ALTER TABLE procedures ADD COLUMN online_allowed BOOLEAN NOT NULL DEFAULT 0;
UPDATE procedures SET online_allowed = service_level <> 'not_online';
ALTER TABLE procedures DROP COLUMN service_level;
UPDATE procedure_versions
SET snapshot = json_set(json_remove(snapshot, '$.service_level'), '$.online_allowed',
    json(CASE WHEN json_extract(snapshot, '$.service_level') = 'not_online' THEN 'false' ELSE 'true' END));
