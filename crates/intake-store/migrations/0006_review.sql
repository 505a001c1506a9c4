-- 0006: the physician's review. Signatures (with the record exactly as signed), returns
-- to the nurse, amendments and entered-in-error marks, kept as events that never change;
-- the latest signature and an amendment in progress on the encounter itself.
-- Append-only: never edit this file once released; add 0007_... instead.

ALTER TABLE encounters ADD COLUMN signed_at TEXT;        -- the latest signature
ALTER TABLE encounters ADD COLUMN signed_by TEXT;
ALTER TABLE encounters ADD COLUMN amending_by TEXT;      -- an amendment in progress, by whom
ALTER TABLE encounters ADD COLUMN amending_since TEXT;
ALTER TABLE encounters ADD COLUMN amending_reason TEXT;

-- What happened to an encounter after submission. `text` is the return comment or the
-- reason (amendment, entered in error); `record_json` and `record_sha256` hold, for
-- `signed` and `amended`, the record exactly as it was signed (every earlier revision).
CREATE TABLE encounter_events (
    encounter_id  INTEGER NOT NULL REFERENCES encounters (id),
    seq           INTEGER NOT NULL,
    kind          TEXT    NOT NULL CHECK (kind IN ('returned', 'signed', 'amendment_started',
                                                   'amendment_discarded', 'amended',
                                                   'entered_in_error')),
    at            TEXT    NOT NULL,
    by            TEXT    NOT NULL,
    text          TEXT,
    record_json   TEXT,
    record_sha256 TEXT,
    PRIMARY KEY (encounter_id, seq),
    CHECK ((kind IN ('signed', 'amended')) = (record_json IS NOT NULL))
) STRICT, WITHOUT ROWID;

CREATE TRIGGER encounter_events_no_update BEFORE UPDATE ON encounter_events
BEGIN
    SELECT RAISE(ABORT, 'encounter events are kept as written');
END;
CREATE TRIGGER encounter_events_no_delete BEFORE DELETE ON encounter_events
BEGIN
    SELECT RAISE(ABORT, 'encounter events are kept as written');
END;

-- Answers change in a draft, or in a signed record while an amendment is open; never
-- otherwise, whatever the code path.
DROP TRIGGER encounter_answers_insert_only_in_drafts;
DROP TRIGGER encounter_answers_update_only_in_drafts;
DROP TRIGGER encounter_answers_delete_only_in_drafts;
CREATE TRIGGER encounter_answers_insert_only_in_drafts
BEFORE INSERT ON encounter_answers
WHEN NOT EXISTS (SELECT 1 FROM encounters WHERE id = NEW.encounter_id
                 AND (status = 'draft' OR amending_by IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, 'the answers of an encounter that is not a draft never change, but by an amendment');
END;
CREATE TRIGGER encounter_answers_update_only_in_drafts
BEFORE UPDATE ON encounter_answers
WHEN NOT EXISTS (SELECT 1 FROM encounters WHERE id = OLD.encounter_id
                 AND (status = 'draft' OR amending_by IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, 'the answers of an encounter that is not a draft never change, but by an amendment');
END;
CREATE TRIGGER encounter_answers_delete_only_in_drafts
BEFORE DELETE ON encounter_answers
WHEN NOT EXISTS (SELECT 1 FROM encounters WHERE id = OLD.encounter_id
                 AND (status = 'draft' OR amending_by IS NOT NULL))
BEGIN
    SELECT RAISE(ABORT, 'the answers of an encounter that is not a draft never change, but by an amendment');
END;

-- The only moves between statuses: a draft is submitted, a submitted intake is signed or
-- returned to the nurse, a signed one becomes amended, anything may be entered in error,
-- and nothing comes back from entered in error.
CREATE TRIGGER encounters_status_moves
BEFORE UPDATE OF status ON encounters
WHEN NEW.status <> OLD.status AND NOT (
       (OLD.status = 'draft' AND NEW.status IN ('submitted', 'entered_in_error'))
    OR (OLD.status = 'submitted' AND NEW.status IN ('draft', 'signed', 'entered_in_error'))
    OR (OLD.status = 'signed' AND NEW.status IN ('amended', 'entered_in_error'))
    OR (OLD.status = 'amended' AND NEW.status = 'entered_in_error'))
BEGIN
    SELECT RAISE(ABORT, 'a signed encounter changes only by an amendment, and one entered in error stays so');
END;

-- Only a signed (or amended) record is amended.
CREATE TRIGGER encounters_amend_only_signed
BEFORE UPDATE OF amending_by ON encounters
WHEN NEW.amending_by IS NOT NULL AND NEW.status NOT IN ('signed', 'amended')
BEGIN
    SELECT RAISE(ABORT, 'only a signed encounter can be amended');
END;

CREATE INDEX encounters_by_submission ON encounters (status, submitted_at);
