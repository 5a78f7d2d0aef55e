-- The worker claims each subscriber's due rows on their own (so that one
-- slow receiver cannot take every post in flight): the waiting rows by
-- subscriber, oldest first. It replaces the index of every waiting row.
DROP INDEX deliveries_waiting;
CREATE INDEX deliveries_due ON deliveries (subscriber_id, id) WHERE state = 'pending';
