-- A procedure's online service level (issue 18; docs/catalogue.md,
-- Service level): not online, partly online (filed online, collected at
-- the desk) or fully online (toàn trình). It replaces `online_allowed`,
-- which said only whether a dossier could be filed online: a procedure
-- that could is partly online until an administrator says it is fully.
ALTER TABLE procedures ADD COLUMN service_level TEXT NOT NULL DEFAULT 'not_online'
    CHECK (service_level IN ('not_online', 'partly_online', 'fully_online'));
UPDATE procedures
SET service_level = CASE WHEN online_allowed THEN 'partly_online' ELSE 'not_online' END;
ALTER TABLE procedures DROP COLUMN online_allowed;

-- Every version published keeps its snapshot: the same rewrite there.
UPDATE procedure_versions
SET snapshot = json_set(json_remove(snapshot, '$.online_allowed'), '$.service_level',
    CASE WHEN json_extract(snapshot, '$.online_allowed') THEN 'partly_online' ELSE 'not_online' END);
