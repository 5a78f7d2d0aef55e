DROP TRIGGER feed_items_deliver ON feed_items;
DROP FUNCTION feed_items_deliver();
DROP TABLE deliveries;
DROP TABLE webhook_scopes;
ALTER TABLE subscribers DROP COLUMN webhook_kinds;
ALTER TABLE subscribers DROP COLUMN webhook_secret;
ALTER TABLE subscribers DROP COLUMN webhook_url;
