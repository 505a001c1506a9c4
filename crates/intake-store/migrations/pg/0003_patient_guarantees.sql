-- Intake Desk on PostgreSQL, schema version 3: the guarantees on patients, their
-- revisions and merges, as PL/pgSQL triggers (the SQLite triggers of migrations 0002,
-- 0008 and 0010, one for one, with the same messages), and a refusal of TRUNCATE on
-- each of those tables.
--
-- SQLite's "no_replace" triggers keep INSERT OR REPLACE from deleting the row it
-- collides with. PostgreSQL has no REPLACE; its INSERT … ON CONFLICT DO UPDATE meets the
-- same BEFORE INSERT refusal first, and the BEFORE UPDATE triggers below (which watch
-- every update, not only those naming a column) as well. A taken key is refused with
-- SQLSTATE 23505 (unique_violation), so the store reads it as a duplicate, as SQLite's
-- store reads its "the key is taken" refusals.

-- Refuses the statement with the trigger's first argument as the message.
CREATE FUNCTION intake_patients_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0];
END;
$$;

-- 0002: patients and their revisions.

CREATE TRIGGER patient_revisions_no_update BEFORE UPDATE ON patient_revisions
FOR EACH ROW EXECUTE FUNCTION intake_patients_refuse('patient revisions are append-only');

CREATE TRIGGER patient_revisions_no_delete BEFORE DELETE ON patient_revisions
FOR EACH ROW EXECUTE FUNCTION intake_patients_refuse('patient revisions are append-only');

CREATE TRIGGER patient_revisions_no_truncate BEFORE TRUNCATE ON patient_revisions
FOR EACH STATEMENT EXECUTE FUNCTION intake_patients_refuse('patient revisions are append-only');

CREATE TRIGGER patients_no_delete BEFORE DELETE ON patients
FOR EACH ROW EXECUTE FUNCTION
    intake_patients_refuse('patients are never deleted; mark them entered in error');

CREATE TRIGGER patients_no_truncate BEFORE TRUNCATE ON patients
FOR EACH STATEMENT EXECUTE FUNCTION
    intake_patients_refuse('patients are never deleted; mark them entered in error');

-- 0008: no insert lands on a taken key; a patient's id and MRN never change.

CREATE FUNCTION patients_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patients WHERE id = NEW.id OR mrn = NEW.mrn) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: a patient is never replaced (id or MRN)';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER patients_no_replace BEFORE INSERT ON patients
FOR EACH ROW EXECUTE FUNCTION patients_no_replace();

CREATE FUNCTION patients_id_and_mrn_never_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.mrn IS DISTINCT FROM OLD.mrn THEN
        RAISE EXCEPTION 'a patient''s id and MRN never change';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER patients_id_and_mrn_never_change BEFORE UPDATE ON patients
FOR EACH ROW EXECUTE FUNCTION patients_id_and_mrn_never_change();

CREATE FUNCTION patient_revisions_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patient_revisions WHERE id = NEW.id
               OR (patient_id = NEW.patient_id AND version = NEW.version)) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: patient revisions are append-only, a revision is never replaced';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER patient_revisions_no_replace BEFORE INSERT ON patient_revisions
FOR EACH ROW EXECUTE FUNCTION patient_revisions_no_replace();

-- 0010: merges are links, kept for ever, one level deep, changed only by their undo.

CREATE FUNCTION patient_merges_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patient_merges WHERE id = NEW.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: a merge is never replaced';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER patient_merges_no_replace BEFORE INSERT ON patient_merges
FOR EACH ROW EXECUTE FUNCTION patient_merges_no_replace();

-- One chart is merged into one other at a time, never into a chart that is itself
-- merged, and a chart others are merged into is not merged away (no chains).
CREATE FUNCTION patient_merges_one_level() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.undone_at IS NOT NULL
       OR EXISTS (SELECT 1 FROM patient_merges WHERE undone_at IS NULL
                  AND merged_id IN (NEW.merged_id, NEW.survivor_id))
       OR EXISTS (SELECT 1 FROM patient_merges WHERE undone_at IS NULL
                  AND survivor_id = NEW.merged_id) THEN
        RAISE EXCEPTION 'a chart is merged once, into a chart that is not itself merged, and a chart others are merged into stays';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER patient_merges_one_level BEFORE INSERT ON patient_merges
FOR EACH ROW EXECUTE FUNCTION patient_merges_one_level();

CREATE TRIGGER patient_merges_no_delete BEFORE DELETE ON patient_merges
FOR EACH ROW EXECUTE FUNCTION
    intake_patients_refuse('a merge is kept; it is undone, never deleted');

CREATE TRIGGER patient_merges_no_truncate BEFORE TRUNCATE ON patient_merges
FOR EACH STATEMENT EXECUTE FUNCTION
    intake_patients_refuse('a merge is kept; it is undone, never deleted');

CREATE FUNCTION patient_merges_only_undone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS DISTINCT FROM OLD.id OR NEW.merged_id IS DISTINCT FROM OLD.merged_id
       OR NEW.survivor_id IS DISTINCT FROM OLD.survivor_id
       OR NEW.reason IS DISTINCT FROM OLD.reason
       OR NEW.merged_by IS DISTINCT FROM OLD.merged_by
       OR NEW.merged_at IS DISTINCT FROM OLD.merged_at
       OR OLD.undone_at IS NOT NULL OR NEW.undone_at IS NULL THEN
        RAISE EXCEPTION 'a merge changes only once, when it is undone';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER patient_merges_only_undone BEFORE UPDATE ON patient_merges
FOR EACH ROW EXECUTE FUNCTION patient_merges_only_undone();

-- For the store's count of patients a tool did not flag (SQLite's json_valid and
-- json_type): `changes` as jsonb, or NULL when it is not valid JSON text.
CREATE FUNCTION intake_try_jsonb(t text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
    RETURN t::jsonb;
EXCEPTION WHEN others THEN
    RETURN NULL;
END;
$$;
