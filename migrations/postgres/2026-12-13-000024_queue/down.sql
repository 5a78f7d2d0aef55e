DROP TABLE queue_ticket_dossiers;
DROP TABLE queue_tickets;
DROP TABLE queue_counters;
DROP TABLE queue_areas;
