-- Intake Desk on PostgreSQL, schema version 2: the guarantees on users, sessions, settings,
-- sign-in failures and the audit log, as PL/pgSQL triggers (the SQLite triggers of
-- migrations 0001, 0008 and 0009, one for one), and intake_grant_app().

CREATE FUNCTION intake_grant_app(app_role name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON users, sessions, settings, patients, '
                   'templates, encounters, patient_merges TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_failures, '
                   'encounter_answers, patient_search_words TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT ON audit_log, patient_revisions, '
                   'encounter_answer_revisions, encounter_events TO %I', app_role);
    EXECUTE format('GRANT SELECT, UPDATE ON mrn_sequence TO %I', app_role);
    EXECUTE format('GRANT SELECT ON intake_schema, intake_app_roles TO %I', app_role);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
END;
$$;
