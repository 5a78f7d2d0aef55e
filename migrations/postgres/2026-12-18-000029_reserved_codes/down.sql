DROP TABLE reserved_codes;
