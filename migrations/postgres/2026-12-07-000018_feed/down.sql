DROP TABLE subscribers;
DROP TABLE feed_items;
