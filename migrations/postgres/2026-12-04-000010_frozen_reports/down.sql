DROP TABLE frozen_reports;
