ALTER TABLE subscribers DROP COLUMN delivered_through;
CREATE FUNCTION feed_items_deliver() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO deliveries (subscriber_id, feed_item_id, dossier_id, state, attempts,
        next_attempt_at, created_at)
    SELECT DISTINCT w.subscriber_id, NEW.id, NEW.dossier_id, 'pending', 0, NEW.recorded_at,
        NEW.recorded_at
    FROM webhook_scopes w
    WHERE w.agency_code IN (NEW.handling_agency_code, NEW.receiving_agency_code);
    RETURN NULL;
END;
$$;
CREATE TRIGGER feed_items_deliver AFTER INSERT ON feed_items
    FOR EACH ROW EXECUTE FUNCTION feed_items_deliver();
