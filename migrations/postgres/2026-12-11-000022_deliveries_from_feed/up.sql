-- The delivery queue is filled from the feed, not by a trigger (issue 17:
-- the queue may add at most 5 % to the cost of the change that feeds it).
--
-- Until now a trigger on feed_items wrote one delivery row per webhook
-- subscriber in the transaction of every change: on SQLite that row and
-- its three indexes added about 6 % to an intake. The feed row itself is
-- already the change's entry in a transactional outbox: written in the
-- change's transaction, given a position once committed, never skipped
-- by a reader following positions (migration 18). So each subscriber now
-- keeps how far down the feed its deliveries were made
-- (`delivered_through`, a position), and the webhook worker turns the
-- items past it into delivery rows in one statement per subscriber,
-- moving the cursor in the same transaction (crates/store/src/deliveries.rs,
-- `enqueue`). A change commits with its feed row, so it is never lost;
-- the cursor moves only with the rows it covers, so none is made twice.
--
-- A subscriber's deliveries begin at the feed's end when it gets a
-- webhook or is enabled again, as they did with the trigger; existing
-- subscribers begin there now (the trigger made the earlier ones).
DROP TRIGGER feed_items_deliver ON feed_items;
DROP FUNCTION feed_items_deliver();
ALTER TABLE subscribers ADD COLUMN delivered_through BIGINT NOT NULL DEFAULT 0;
-- The rows not sequenced yet take the next positions, in id order: the
-- trigger queued them too, so the cursor goes past them.
UPDATE subscribers SET delivered_through = COALESCE((SELECT MAX(position) FROM feed_items), 0)
    + (SELECT COUNT(*) FROM feed_items WHERE position IS NULL);
