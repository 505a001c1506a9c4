-- Autosave receipts (SQLite's 0011): a save sent again after its acknowledgement was lost
-- is recognised by its key. Working data, not the record: not audited, not copied, and a
-- visit's receipts older than a day are removed as new ones are kept.
CREATE TABLE save_receipts (
    encounter_id BIGINT NOT NULL REFERENCES encounters (id),
    save_id      TEXT NOT NULL CHECK (length(save_id) BETWEEN 1 AND 64),
    saved_by     TEXT NOT NULL,
    saved_at     TEXT NOT NULL,
    PRIMARY KEY (encounter_id, save_id)
);

-- The app's role keeps and clears receipts (migrating grants it again to every app role).
CREATE OR REPLACE FUNCTION intake_grant_app(app_role name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON users, sessions, settings, patients, '
                   'templates, encounters, patient_merges TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON sign_in_failures, '
                   'encounter_answers, patient_search_words TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT, DELETE ON save_receipts TO %I', app_role);
    EXECUTE format('GRANT SELECT, INSERT ON audit_log, patient_revisions, '
                   'encounter_answer_revisions, encounter_events TO %I', app_role);
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM %I',
                   app_role);
    EXECUTE format('GRANT SELECT, UPDATE ON mrn_sequence TO %I', app_role);
    EXECUTE format('GRANT SELECT ON intake_schema, intake_app_roles TO %I', app_role);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
END;
$$;
