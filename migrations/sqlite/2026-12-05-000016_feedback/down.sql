DROP TABLE feedback_breaches;
DROP TABLE feedback;
