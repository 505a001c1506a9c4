-- Intake Desk on PostgreSQL, schema version 2: the guarantees on users, sessions, settings,
-- sign-in failures and the audit log, as PL/pgSQL triggers (the SQLite triggers of
-- migrations 0001, 0008 and 0009, one for one), and intake_grant_app().
--
-- Each trigger raises the SQLite trigger's message. Those SQLite refuses as "the key is
-- taken: …" (an insert over an existing key) are raised as unique_violation (23505), so
-- the store reads them as a duplicate, as it reads SQLite's. A TRUNCATE, which SQLite
-- does not have, is refused on the audit log and the users as their DELETE is.

-- The audit log is append-only (SQLite 0001: audit_log_no_update, audit_log_no_delete).
CREATE FUNCTION intake_audit_log_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
FOR EACH ROW EXECUTE FUNCTION intake_audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION intake_audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION intake_audit_log_append_only();

-- SQLite 0008: audit_log_no_replace.
CREATE FUNCTION intake_audit_log_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq) THEN
        RAISE EXCEPTION 'the key is taken: the audit log is append-only, an entry is never replaced'
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
FOR EACH ROW EXECUTE FUNCTION intake_audit_log_no_replace();

-- SQLite 0008: users_no_replace.
CREATE FUNCTION intake_users_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE id = NEW.id OR username = NEW.username) THEN
        RAISE EXCEPTION 'the key is taken: a user account is never replaced (id or user name)'
            USING ERRCODE = 'unique_violation';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_no_replace BEFORE INSERT ON users
FOR EACH ROW EXECUTE FUNCTION intake_users_no_replace();

-- Accounts are disabled, never deleted: the audit log names them by user name, and a
-- deleted name could be created again by someone else (SQLite 0008: users_no_delete).
CREATE FUNCTION intake_users_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'user accounts are disabled, never deleted';
END;
$$;

CREATE TRIGGER users_no_delete BEFORE DELETE ON users
FOR EACH ROW EXECUTE FUNCTION intake_users_no_delete();
CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users
FOR EACH STATEMENT EXECUTE FUNCTION intake_users_no_delete();

-- SQLite 0008: users_no_takeover.
CREATE FUNCTION intake_users_no_takeover() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id
       OR EXISTS (SELECT 1 FROM users WHERE username = NEW.username AND id <> OLD.id) THEN
        RAISE EXCEPTION 'a user''s id never changes, and a user name is never taken from another account';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER users_no_takeover BEFORE UPDATE OF id, username ON users
FOR EACH ROW EXECUTE FUNCTION intake_users_no_takeover();

-- What the app's role may do. It never owns a table, so it can neither change the schema
-- nor switch a trigger off; on the audit log it may only read and append.
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
    EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log FROM %I',
                   app_role);
    EXECUTE format('GRANT SELECT, UPDATE ON mrn_sequence TO %I', app_role);
    EXECUTE format('GRANT SELECT ON intake_schema, intake_app_roles TO %I', app_role);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), app_role);
END;
$$;
