-- 0008: immutability that holds against any SQL, not only against our own code.
--
-- * No INSERT lands on an existing key (the primary key or any UNIQUE key) of a kept
--   table: `INSERT OR REPLACE` deletes the row it collides with without running its
--   DELETE or UPDATE triggers (recursive triggers are off), so it could turn a signed
--   visit back into a draft or overwrite the audit log. UPDATEs that would collide
--   (`UPDATE OR REPLACE ... SET id = ...`) are refused the same way.
-- * Every column of an encounter that is not a draft is frozen, but for the moves the
--   review makes (sign, return, open/close an amendment, mark in error). An amendment
--   opens and closes only through its event: the encounter's newest event must say so,
--   with the same person, time and reason; a signature on the encounter must match its
--   newest `signed`/`amended` event. (Status moves themselves stay guarded by
--   `encounters_status_moves`.)
-- * An answer's value or provenance changes only with `rev + 1`, which makes
--   `encounter_answers_keep_replaced` keep the old value as a revision; its key never
--   changes. A carried value's confirmation (confirmed_by/at set once) is the one change
--   without a revision.
-- Append-only: never edit this file once released; add 0009_... instead.

-- Inserts over an existing key. Their messages start with "the key is taken: ", which the
-- store reads as a duplicate (like a UNIQUE constraint) for its own inserts.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: the audit log is append-only, an entry is never replaced');
END;

CREATE TRIGGER patients_no_replace BEFORE INSERT ON patients
WHEN EXISTS (SELECT 1 FROM patients WHERE id = NEW.id OR mrn = NEW.mrn)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: a patient is never replaced (id or MRN)');
END;
CREATE TRIGGER patients_id_and_mrn_never_change
BEFORE UPDATE OF id, mrn ON patients
WHEN NEW.id IS NOT OLD.id OR NEW.mrn IS NOT OLD.mrn
BEGIN
    SELECT RAISE(ABORT, 'a patient''s id and MRN never change');
END;

CREATE TRIGGER patient_revisions_no_replace BEFORE INSERT ON patient_revisions
WHEN EXISTS (SELECT 1 FROM patient_revisions WHERE id = NEW.id
             OR (patient_id = NEW.patient_id AND version = NEW.version))
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: patient revisions are append-only, a revision is never replaced');
END;

CREATE TRIGGER templates_no_replace BEFORE INSERT ON templates
WHEN EXISTS (SELECT 1 FROM templates WHERE id = NEW.id
             OR (slug = NEW.slug AND version = NEW.version))
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: a template is never replaced (id, or slug and version)');
END;
CREATE TRIGGER templates_id_never_changes BEFORE UPDATE OF id ON templates
WHEN NEW.id IS NOT OLD.id
BEGIN
    SELECT RAISE(ABORT, 'a template''s id never changes');
END;

CREATE TRIGGER users_no_replace BEFORE INSERT ON users
WHEN EXISTS (SELECT 1 FROM users WHERE id = NEW.id OR username = NEW.username)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: a user account is never replaced (id or user name)');
END;
-- Accounts are disabled, never deleted: the audit log names them by user name, and a
-- deleted name could be created again by someone else.
CREATE TRIGGER users_no_delete BEFORE DELETE ON users
BEGIN
    SELECT RAISE(ABORT, 'user accounts are disabled, never deleted');
END;
CREATE TRIGGER users_no_takeover BEFORE UPDATE OF id, username ON users
WHEN NEW.id IS NOT OLD.id
  OR EXISTS (SELECT 1 FROM users WHERE username = NEW.username AND id <> OLD.id)
BEGIN
    SELECT RAISE(ABORT, 'a user''s id never changes, and a user name is never taken from another account');
END;

CREATE TRIGGER encounters_no_replace BEFORE INSERT ON encounters
WHEN EXISTS (SELECT 1 FROM encounters WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: an encounter is never replaced');
END;
CREATE TRIGGER encounters_start_as_drafts BEFORE INSERT ON encounters
WHEN NEW.status <> 'draft' OR NEW.submitted_at IS NOT NULL OR NEW.submitted_by IS NOT NULL
  OR NEW.signed_at IS NOT NULL OR NEW.signed_by IS NOT NULL OR NEW.amending_by IS NOT NULL
  OR NEW.amending_since IS NOT NULL OR NEW.amending_reason IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'an encounter starts as a draft, never submitted, signed or amended');
END;
CREATE TRIGGER encounters_id_never_changes BEFORE UPDATE OF id ON encounters
WHEN NEW.id IS NOT OLD.id
BEGIN
    SELECT RAISE(ABORT, 'an encounter''s id never changes');
END;

CREATE TRIGGER encounter_events_in_order BEFORE INSERT ON encounter_events
WHEN NEW.seq IS NOT 1 + coalesce((SELECT max(seq) FROM encounter_events
                                  WHERE encounter_id = NEW.encounter_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: encounter events are kept as written, an event is only appended after the newest, never replaced');
END;

CREATE TRIGGER encounter_answers_no_replace BEFORE INSERT ON encounter_answers
WHEN EXISTS (SELECT 1 FROM encounter_answers WHERE encounter_id = NEW.encounter_id
             AND answer_key = NEW.answer_key)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: an answer is never replaced by an insert, it is updated with a new revision');
END;

CREATE TRIGGER encounter_answer_revisions_no_replace BEFORE INSERT ON encounter_answer_revisions
WHEN EXISTS (SELECT 1 FROM encounter_answer_revisions WHERE encounter_id = NEW.encounter_id
             AND answer_key = NEW.answer_key AND rev = NEW.rev)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: answer revisions are kept as written, a revision is never replaced');
END;

-- Every change of an answer's value or provenance leaves a revision.
CREATE TRIGGER encounter_answers_changes_leave_a_revision
BEFORE UPDATE ON encounter_answers
WHEN NEW.encounter_id IS NOT OLD.encounter_id OR NEW.answer_key IS NOT OLD.answer_key
  OR (NEW.rev IS NOT OLD.rev AND NEW.rev IS NOT OLD.rev + 1)
  OR (NEW.rev IS OLD.rev AND (
         NEW.link_id IS NOT OLD.link_id OR NEW.value_json IS NOT OLD.value_json
      OR NEW.source IS NOT OLD.source OR NEW.author IS NOT OLD.author OR NEW.at IS NOT OLD.at
      OR NEW.source_encounter IS NOT OLD.source_encounter
      OR NEW.source_date IS NOT OLD.source_date OR NEW.source_author IS NOT OLD.source_author
      OR NEW.source_confirmed_by IS NOT OLD.source_confirmed_by
      OR NEW.needs_confirmation IS NOT OLD.needs_confirmation
      OR ((NEW.confirmed_by IS NOT OLD.confirmed_by OR NEW.confirmed_at IS NOT OLD.confirmed_at)
          AND NOT (OLD.needs_confirmation = 1 AND OLD.confirmed_by IS NULL
                   AND OLD.confirmed_at IS NULL AND NEW.confirmed_by IS NOT NULL
                   AND NEW.confirmed_at IS NOT NULL))))
BEGIN
    SELECT RAISE(ABORT, 'an answer''s value or provenance changes only with rev + 1, which keeps the old one as a revision; its key never changes');
END;

-- A non-draft encounter: every column frozen but for the review's moves.
CREATE TRIGGER encounters_frozen_but_by_the_review
BEFORE UPDATE ON encounters
WHEN OLD.status <> 'draft' AND (
       NEW.patient_id IS NOT OLD.patient_id OR NEW.template_id IS NOT OLD.template_id
    OR NEW.started_at IS NOT OLD.started_at OR NEW.started_by IS NOT OLD.started_by
    OR NEW.carry_notes IS NOT OLD.carry_notes
    -- The section and the time of the last change move only while an amendment is open
    -- (edits) or with a move of the review.
    OR (NEW.section IS NOT OLD.section AND OLD.amending_by IS NULL)
    OR (NEW.updated_at IS NOT OLD.updated_at AND OLD.amending_by IS NULL
        AND NEW.amending_by IS NULL AND NEW.status IS OLD.status)
    -- Only a return to the nurse clears the submission, after its event.
    OR ((NEW.submitted_at IS NOT OLD.submitted_at OR NEW.submitted_by IS NOT OLD.submitted_by)
        AND NOT (OLD.status = 'submitted' AND NEW.status = 'draft'
                 AND NEW.submitted_at IS NULL AND NEW.submitted_by IS NULL
                 AND (SELECT kind FROM encounter_events WHERE encounter_id = OLD.id
                      ORDER BY seq DESC LIMIT 1) IS 'returned'))
    -- A signature on the encounter is its newest event's, made the moment it is written.
    OR ((NEW.signed_at IS NOT OLD.signed_at OR NEW.signed_by IS NOT OLD.signed_by)
        AND NOT EXISTS (
            SELECT 1 FROM (SELECT kind, at, by FROM encounter_events WHERE encounter_id = OLD.id
                           ORDER BY seq DESC LIMIT 1) AS ev
            WHERE ev.at IS NEW.signed_at AND ev.by IS NEW.signed_by
              AND ((ev.kind = 'signed' AND OLD.status = 'submitted' AND NEW.status = 'signed')
                OR (ev.kind = 'amended' AND OLD.amending_by IS NOT NULL
                    AND NEW.status = 'amended'))))
    -- An amendment opens only after its `amendment_started` event (same person, time and
    -- reason), and closes only after an event that ends it.
    OR ((NEW.amending_by IS NOT OLD.amending_by OR NEW.amending_since IS NOT OLD.amending_since
         OR NEW.amending_reason IS NOT OLD.amending_reason)
        AND NOT (
            (OLD.amending_by IS NULL AND NEW.amending_by IS NOT NULL AND EXISTS (
                SELECT 1 FROM (SELECT kind, at, by, text FROM encounter_events
                               WHERE encounter_id = OLD.id ORDER BY seq DESC LIMIT 1) AS ev
                WHERE ev.kind = 'amendment_started' AND ev.by IS NEW.amending_by
                  AND ev.at IS NEW.amending_since AND ev.text IS NEW.amending_reason))
         OR (OLD.amending_by IS NOT NULL AND NEW.amending_by IS NULL
             AND NEW.amending_since IS NULL AND NEW.amending_reason IS NULL
             AND (SELECT kind FROM encounter_events WHERE encounter_id = OLD.id
                  ORDER BY seq DESC LIMIT 1)
                 IN ('amended', 'amendment_discarded', 'entered_in_error')))))
BEGIN
    SELECT RAISE(ABORT, 'an encounter that is not a draft changes only by the review (sign, return, amend, mark in error), each after its event; this change is none of them');
END;
