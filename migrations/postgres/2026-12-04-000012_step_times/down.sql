DROP INDEX dossiers_ended_at;
DROP INDEX handovers_sent_at;
DROP TABLE step_times;
