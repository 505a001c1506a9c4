-- Intake Desk on PostgreSQL, schema version 4: the guarantees on templates, encounters,
-- answers, their revisions and events, as PL/pgSQL triggers (the SQLite triggers of
-- migrations 0003 to 0008, one for one: each has the same name, refuses the same change
-- and says so with the same words), and a refusal of TRUNCATE on each of those tables.
--
-- * A trigger whose SQLite condition has no subquery keeps it as its WHEN clause and runs
--   intake_record_refuse(message); the others test their condition in a function of
--   their own name. `a IS b` / `a IS NOT b` of SQLite are IS NOT DISTINCT FROM / IS
--   DISTINCT FROM here; a condition that is NULL refuses nothing, as on SQLite.
-- * An insert over a taken key ("no_replace", and events out of order) is refused with
--   SQLSTATE 23505 (unique_violation) and SQLite's "the key is taken: ..." words, so the
--   store reads it as a duplicate, as the SQLite store reads those triggers. PostgreSQL
--   has no INSERT OR REPLACE; INSERT ... ON CONFLICT DO UPDATE is stopped by the same
--   BEFORE INSERT triggers (they fire before the conflict is looked for), and its update
--   would run the BEFORE UPDATE guards anyway.
-- * encounter_answers_keep_replaced and _keep_removed write the old answer into
--   encounter_answer_revisions, as on SQLite.
-- Append-only: never edit this file once released; add 0005_... instead.

-- A refusal whose words are the trigger's first argument.
CREATE FUNCTION intake_record_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING MESSAGE = TG_ARGV[0];
END;
$$;

-- Templates (0003, 0008) --------------------------------------------------------------

CREATE TRIGGER templates_original_never_changes
BEFORE UPDATE OF slug, version, original, sha256 ON templates
FOR EACH ROW EXECUTE FUNCTION
    intake_record_refuse('a template''s identity and original JSON never change');

CREATE TRIGGER templates_no_delete BEFORE DELETE ON templates
FOR EACH ROW EXECUTE FUNCTION intake_record_refuse('templates are retired, never deleted');

CREATE FUNCTION templates_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM templates WHERE id = NEW.id
               OR (slug = NEW.slug AND version = NEW.version)) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: a template is never replaced (id, or slug and version)';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER templates_no_replace BEFORE INSERT ON templates
FOR EACH ROW EXECUTE FUNCTION templates_no_replace();

CREATE TRIGGER templates_id_never_changes BEFORE UPDATE OF id ON templates
FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
EXECUTE FUNCTION intake_record_refuse('a template''s id never changes');

CREATE TRIGGER templates_no_truncate BEFORE TRUNCATE ON templates
FOR EACH STATEMENT EXECUTE FUNCTION intake_record_refuse('templates are retired, never deleted');

-- Encounters (0004, 0006, 0008) -------------------------------------------------------

CREATE TRIGGER encounters_no_delete BEFORE DELETE ON encounters
FOR EACH ROW EXECUTE FUNCTION intake_record_refuse('encounters are kept, never deleted');

CREATE TRIGGER encounters_no_truncate BEFORE TRUNCATE ON encounters
FOR EACH STATEMENT EXECUTE FUNCTION intake_record_refuse('encounters are kept, never deleted');

-- The only moves between statuses: a draft is submitted, a submitted intake is signed or
-- returned to the nurse, a signed one becomes amended, anything may be entered in error,
-- and nothing comes back from entered in error.
CREATE TRIGGER encounters_status_moves
BEFORE UPDATE OF status ON encounters
FOR EACH ROW WHEN (NEW.status <> OLD.status AND NOT (
       (OLD.status = 'draft' AND NEW.status IN ('submitted', 'entered_in_error'))
    OR (OLD.status = 'submitted' AND NEW.status IN ('draft', 'signed', 'entered_in_error'))
    OR (OLD.status = 'signed' AND NEW.status IN ('amended', 'entered_in_error'))
    OR (OLD.status = 'amended' AND NEW.status = 'entered_in_error')))
EXECUTE FUNCTION intake_record_refuse(
    'a signed encounter changes only by an amendment, and one entered in error stays so');

-- Only a signed (or amended) record is amended.
CREATE TRIGGER encounters_amend_only_signed
BEFORE UPDATE OF amending_by ON encounters
FOR EACH ROW WHEN (NEW.amending_by IS NOT NULL AND NEW.status NOT IN ('signed', 'amended'))
EXECUTE FUNCTION intake_record_refuse('only a signed encounter can be amended');

CREATE FUNCTION encounters_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM encounters WHERE id = NEW.id) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: an encounter is never replaced';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER encounters_no_replace BEFORE INSERT ON encounters
FOR EACH ROW EXECUTE FUNCTION encounters_no_replace();

CREATE TRIGGER encounters_start_as_drafts BEFORE INSERT ON encounters
FOR EACH ROW WHEN (NEW.status <> 'draft' OR NEW.submitted_at IS NOT NULL
  OR NEW.submitted_by IS NOT NULL OR NEW.signed_at IS NOT NULL OR NEW.signed_by IS NOT NULL
  OR NEW.amending_by IS NOT NULL OR NEW.amending_since IS NOT NULL
  OR NEW.amending_reason IS NOT NULL)
EXECUTE FUNCTION intake_record_refuse(
    'an encounter starts as a draft, never submitted, signed or amended');

CREATE TRIGGER encounters_id_never_changes BEFORE UPDATE OF id ON encounters
FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
EXECUTE FUNCTION intake_record_refuse('an encounter''s id never changes');

-- A non-draft encounter: every column frozen but for the review's moves.
CREATE FUNCTION encounters_frozen_but_by_the_review() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' AND (
           NEW.patient_id IS DISTINCT FROM OLD.patient_id
        OR NEW.template_id IS DISTINCT FROM OLD.template_id
        OR NEW.started_at IS DISTINCT FROM OLD.started_at
        OR NEW.started_by IS DISTINCT FROM OLD.started_by
        OR NEW.carry_notes IS DISTINCT FROM OLD.carry_notes
        -- The section and the time of the last change move only while an amendment is
        -- open (edits) or with a move of the review.
        OR (NEW.section IS DISTINCT FROM OLD.section AND OLD.amending_by IS NULL)
        OR (NEW.updated_at IS DISTINCT FROM OLD.updated_at AND OLD.amending_by IS NULL
            AND NEW.amending_by IS NULL AND NEW.status IS NOT DISTINCT FROM OLD.status)
        -- Only a return to the nurse clears the submission, after its event.
        OR ((NEW.submitted_at IS DISTINCT FROM OLD.submitted_at
             OR NEW.submitted_by IS DISTINCT FROM OLD.submitted_by)
            AND NOT (OLD.status = 'submitted' AND NEW.status = 'draft'
                     AND NEW.submitted_at IS NULL AND NEW.submitted_by IS NULL
                     AND (SELECT v.kind FROM encounter_events v WHERE v.encounter_id = OLD.id
                          ORDER BY v.seq DESC LIMIT 1) IS NOT DISTINCT FROM 'returned'))
        -- A signature on the encounter is its newest event's, made the moment it is
        -- written.
        OR ((NEW.signed_at IS DISTINCT FROM OLD.signed_at
             OR NEW.signed_by IS DISTINCT FROM OLD.signed_by)
            AND NOT EXISTS (
                SELECT 1 FROM (SELECT v.kind, v.at, v.by FROM encounter_events v
                               WHERE v.encounter_id = OLD.id
                               ORDER BY v.seq DESC LIMIT 1) AS ev
                WHERE ev.at IS NOT DISTINCT FROM NEW.signed_at
                  AND ev.by IS NOT DISTINCT FROM NEW.signed_by
                  AND ((ev.kind = 'signed' AND OLD.status = 'submitted'
                        AND NEW.status = 'signed')
                    OR (ev.kind = 'amended' AND OLD.amending_by IS NOT NULL
                        AND NEW.status = 'amended'))))
        -- An amendment opens only after its `amendment_started` event (same person, time
        -- and reason), and closes only after an event that ends it.
        OR ((NEW.amending_by IS DISTINCT FROM OLD.amending_by
             OR NEW.amending_since IS DISTINCT FROM OLD.amending_since
             OR NEW.amending_reason IS DISTINCT FROM OLD.amending_reason)
            AND NOT (
                (OLD.amending_by IS NULL AND NEW.amending_by IS NOT NULL AND EXISTS (
                    SELECT 1 FROM (SELECT v.kind, v.at, v.by, v.text FROM encounter_events v
                                   WHERE v.encounter_id = OLD.id
                                   ORDER BY v.seq DESC LIMIT 1) AS ev
                    WHERE ev.kind = 'amendment_started'
                      AND ev.by IS NOT DISTINCT FROM NEW.amending_by
                      AND ev.at IS NOT DISTINCT FROM NEW.amending_since
                      AND ev.text IS NOT DISTINCT FROM NEW.amending_reason))
             OR (OLD.amending_by IS NOT NULL AND NEW.amending_by IS NULL
                 AND NEW.amending_since IS NULL AND NEW.amending_reason IS NULL
                 AND (SELECT v.kind FROM encounter_events v WHERE v.encounter_id = OLD.id
                      ORDER BY v.seq DESC LIMIT 1)
                     IN ('amended', 'amendment_discarded', 'entered_in_error'))))) THEN
        RAISE EXCEPTION 'an encounter that is not a draft changes only by the review (sign, return, amend, mark in error), each after its event; this change is none of them';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER encounters_frozen_but_by_the_review BEFORE UPDATE ON encounters
FOR EACH ROW EXECUTE FUNCTION encounters_frozen_but_by_the_review();

-- Answers (0004, 0005, 0006, 0008) ----------------------------------------------------

-- Answers change in a draft, or in a signed record while an amendment is open; never
-- otherwise, whatever the code path. (One function for the three triggers: an insert
-- names its encounter in NEW, an update or a delete in OLD.)
CREATE FUNCTION encounter_answers_only_in_drafts() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    visit bigint;
BEGIN
    IF TG_OP = 'INSERT' THEN
        visit := NEW.encounter_id;
    ELSE
        visit := OLD.encounter_id;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM encounters WHERE id = visit
                   AND (status = 'draft' OR amending_by IS NOT NULL)) THEN
        RAISE EXCEPTION 'the answers of an encounter that is not a draft never change, but by an amendment';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER encounter_answers_insert_only_in_drafts BEFORE INSERT ON encounter_answers
FOR EACH ROW EXECUTE FUNCTION encounter_answers_only_in_drafts();
CREATE TRIGGER encounter_answers_update_only_in_drafts BEFORE UPDATE ON encounter_answers
FOR EACH ROW EXECUTE FUNCTION encounter_answers_only_in_drafts();
CREATE TRIGGER encounter_answers_delete_only_in_drafts BEFORE DELETE ON encounter_answers
FOR EACH ROW EXECUTE FUNCTION encounter_answers_only_in_drafts();

-- A TRUNCATE would remove answers without leaving their revisions.
CREATE TRIGGER encounter_answers_no_truncate BEFORE TRUNCATE ON encounter_answers
FOR EACH STATEMENT EXECUTE FUNCTION intake_record_refuse(
    'the answers of an encounter are removed one at a time, each kept as a revision, never truncated');

-- Every value an answer held before it was replaced or removed: kept by triggers, so no
-- code path can change an answer without leaving the old one in the revisions.
CREATE FUNCTION encounter_answers_keep_replaced() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO encounter_answer_revisions
        (encounter_id, answer_key, rev, link_id, value_json, source, author, at,
         source_encounter, confirmed_by, confirmed_at)
    VALUES (OLD.encounter_id, OLD.answer_key, OLD.rev, OLD.link_id, OLD.value_json,
            OLD.source, OLD.author, OLD.at, OLD.source_encounter, OLD.confirmed_by,
            OLD.confirmed_at);
    RETURN NULL;
END;
$$;
CREATE TRIGGER encounter_answers_keep_replaced AFTER UPDATE ON encounter_answers
FOR EACH ROW WHEN (NEW.rev <> OLD.rev)
EXECUTE FUNCTION encounter_answers_keep_replaced();

CREATE FUNCTION encounter_answers_keep_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO encounter_answer_revisions
        (encounter_id, answer_key, rev, link_id, value_json, source, author, at,
         source_encounter, confirmed_by, confirmed_at, removed)
    VALUES (OLD.encounter_id, OLD.answer_key, OLD.rev, OLD.link_id, OLD.value_json,
            OLD.source, OLD.author, OLD.at, OLD.source_encounter, OLD.confirmed_by,
            OLD.confirmed_at, true);
    RETURN NULL;
END;
$$;
CREATE TRIGGER encounter_answers_keep_removed AFTER DELETE ON encounter_answers
FOR EACH ROW EXECUTE FUNCTION encounter_answers_keep_removed();

CREATE FUNCTION encounter_answers_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM encounter_answers WHERE encounter_id = NEW.encounter_id
               AND answer_key = NEW.answer_key) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: an answer is never replaced by an insert, it is updated with a new revision';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER encounter_answers_no_replace BEFORE INSERT ON encounter_answers
FOR EACH ROW EXECUTE FUNCTION encounter_answers_no_replace();

-- Every change of an answer's value or provenance leaves a revision.
CREATE TRIGGER encounter_answers_changes_leave_a_revision
BEFORE UPDATE ON encounter_answers
FOR EACH ROW WHEN (NEW.encounter_id IS DISTINCT FROM OLD.encounter_id
  OR NEW.answer_key IS DISTINCT FROM OLD.answer_key
  OR (NEW.rev IS DISTINCT FROM OLD.rev AND NEW.rev IS DISTINCT FROM OLD.rev + 1)
  OR (NEW.rev IS NOT DISTINCT FROM OLD.rev AND (
         NEW.link_id IS DISTINCT FROM OLD.link_id
      OR NEW.value_json IS DISTINCT FROM OLD.value_json
      OR NEW.source IS DISTINCT FROM OLD.source
      OR NEW.author IS DISTINCT FROM OLD.author
      OR NEW.at IS DISTINCT FROM OLD.at
      OR NEW.source_encounter IS DISTINCT FROM OLD.source_encounter
      OR NEW.source_date IS DISTINCT FROM OLD.source_date
      OR NEW.source_author IS DISTINCT FROM OLD.source_author
      OR NEW.source_confirmed_by IS DISTINCT FROM OLD.source_confirmed_by
      OR NEW.needs_confirmation IS DISTINCT FROM OLD.needs_confirmation
      OR ((NEW.confirmed_by IS DISTINCT FROM OLD.confirmed_by
           OR NEW.confirmed_at IS DISTINCT FROM OLD.confirmed_at)
          AND NOT (OLD.needs_confirmation AND OLD.confirmed_by IS NULL
                   AND OLD.confirmed_at IS NULL AND NEW.confirmed_by IS NOT NULL
                   AND NEW.confirmed_at IS NOT NULL)))))
EXECUTE FUNCTION intake_record_refuse(
    'an answer''s value or provenance changes only with rev + 1, which keeps the old one as a revision; its key never changes');

-- Answer revisions (0005, 0008) -------------------------------------------------------

CREATE TRIGGER encounter_answer_revisions_no_update
BEFORE UPDATE ON encounter_answer_revisions
FOR EACH ROW EXECUTE FUNCTION intake_record_refuse('answer revisions are kept as written');

CREATE TRIGGER encounter_answer_revisions_no_delete
BEFORE DELETE ON encounter_answer_revisions
FOR EACH ROW EXECUTE FUNCTION intake_record_refuse('answer revisions are kept as written');

CREATE FUNCTION encounter_answer_revisions_no_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM encounter_answer_revisions WHERE encounter_id = NEW.encounter_id
               AND answer_key = NEW.answer_key AND rev = NEW.rev) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: answer revisions are kept as written, a revision is never replaced';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER encounter_answer_revisions_no_replace
BEFORE INSERT ON encounter_answer_revisions
FOR EACH ROW EXECUTE FUNCTION encounter_answer_revisions_no_replace();

CREATE TRIGGER encounter_answer_revisions_no_truncate
BEFORE TRUNCATE ON encounter_answer_revisions
FOR EACH STATEMENT EXECUTE FUNCTION intake_record_refuse('answer revisions are kept as written');

-- Encounter events (0006, 0008) -------------------------------------------------------

CREATE TRIGGER encounter_events_no_update BEFORE UPDATE ON encounter_events
FOR EACH ROW EXECUTE FUNCTION intake_record_refuse('encounter events are kept as written');

CREATE TRIGGER encounter_events_no_delete BEFORE DELETE ON encounter_events
FOR EACH ROW EXECUTE FUNCTION intake_record_refuse('encounter events are kept as written');

CREATE FUNCTION encounter_events_in_order() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM 1 + coalesce((SELECT max(seq) FROM encounter_events
                                             WHERE encounter_id = NEW.encounter_id), 0) THEN
        RAISE EXCEPTION USING ERRCODE = 'unique_violation',
            MESSAGE = 'the key is taken: encounter events are kept as written, an event is only appended after the newest, never replaced';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER encounter_events_in_order BEFORE INSERT ON encounter_events
FOR EACH ROW EXECUTE FUNCTION encounter_events_in_order();

CREATE TRIGGER encounter_events_no_truncate BEFORE TRUNCATE ON encounter_events
FOR EACH STATEMENT EXECUTE FUNCTION intake_record_refuse('encounter events are kept as written');
