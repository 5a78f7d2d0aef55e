DROP TABLE procedure_file_policies;
DROP TABLE dossier_digitisation;
DROP TABLE dossier_files;
DROP TABLE files;
