-- 0005: where each answer came from (carried from an earlier visit, with that visit's
-- author and confirmer), whether it must be confirmed and who did, the revision history
-- of answers, and what the carry-forward plan said when the intake started.
-- Append-only: never edit this file once released; add 0006_... instead.

-- SQLite cannot widen a CHECK in place: the answers table is rebuilt with the new
-- columns, its rows copied, its triggers made again.
CREATE TABLE encounter_answers_0005 (
    encounter_id        INTEGER NOT NULL REFERENCES encounters (id),
    answer_key          TEXT    NOT NULL,
    link_id             TEXT    NOT NULL,
    value_json          TEXT    NOT NULL,
    source              TEXT    NOT NULL
                        CHECK (source IN ('typed', 'initial', 'calculated', 'record', 'carried')),
    author              TEXT    NOT NULL,
    at                  TEXT    NOT NULL,
    rev                 INTEGER NOT NULL,
    in_record           INTEGER NOT NULL DEFAULT 1 CHECK (in_record IN (0, 1)),
    -- For source 'carried': the earlier visit, its date, who entered the value there and
    -- who confirmed it there.
    source_encounter    INTEGER REFERENCES encounters (id),
    source_date         TEXT,
    source_author       TEXT,
    source_confirmed_by TEXT,
    -- This visit's confirmation of a carried value.
    needs_confirmation  INTEGER NOT NULL DEFAULT 0 CHECK (needs_confirmation IN (0, 1)),
    confirmed_by        TEXT,
    confirmed_at        TEXT,
    PRIMARY KEY (encounter_id, answer_key),
    CHECK (source = 'carried' OR source_encounter IS NULL)
) STRICT, WITHOUT ROWID;

INSERT INTO encounter_answers_0005
    (encounter_id, answer_key, link_id, value_json, source, author, at, rev, in_record)
SELECT encounter_id, answer_key, link_id, value_json, source, author, at, rev, in_record
FROM encounter_answers;

DROP TABLE encounter_answers;
ALTER TABLE encounter_answers_0005 RENAME TO encounter_answers;

-- Only a draft's answers change, whatever the code path.
CREATE TRIGGER encounter_answers_insert_only_in_drafts
BEFORE INSERT ON encounter_answers
WHEN (SELECT status FROM encounters WHERE id = NEW.encounter_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'the answers of an encounter that is not a draft never change');
END;
CREATE TRIGGER encounter_answers_update_only_in_drafts
BEFORE UPDATE ON encounter_answers
WHEN (SELECT status FROM encounters WHERE id = OLD.encounter_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'the answers of an encounter that is not a draft never change');
END;
CREATE TRIGGER encounter_answers_delete_only_in_drafts
BEFORE DELETE ON encounter_answers
WHEN (SELECT status FROM encounters WHERE id = OLD.encounter_id) <> 'draft'
BEGIN
    SELECT RAISE(ABORT, 'the answers of an encounter that is not a draft never change');
END;

-- Every value an answer held before it was replaced or removed: kept by triggers, so
-- no code path can change an answer without leaving the old one here.
CREATE TABLE encounter_answer_revisions (
    encounter_id     INTEGER NOT NULL REFERENCES encounters (id),
    answer_key       TEXT    NOT NULL,
    rev              INTEGER NOT NULL,
    link_id          TEXT    NOT NULL,
    value_json       TEXT    NOT NULL,
    source           TEXT    NOT NULL,
    author           TEXT    NOT NULL,
    at               TEXT    NOT NULL,
    source_encounter INTEGER,
    confirmed_by     TEXT,
    confirmed_at     TEXT,
    removed          INTEGER NOT NULL DEFAULT 0 CHECK (removed IN (0, 1)),
    PRIMARY KEY (encounter_id, answer_key, rev)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER encounter_answers_keep_replaced
AFTER UPDATE ON encounter_answers
WHEN NEW.rev <> OLD.rev
BEGIN
    INSERT INTO encounter_answer_revisions
        (encounter_id, answer_key, rev, link_id, value_json, source, author, at,
         source_encounter, confirmed_by, confirmed_at)
    VALUES (OLD.encounter_id, OLD.answer_key, OLD.rev, OLD.link_id, OLD.value_json,
            OLD.source, OLD.author, OLD.at, OLD.source_encounter, OLD.confirmed_by,
            OLD.confirmed_at);
END;
CREATE TRIGGER encounter_answers_keep_removed
AFTER DELETE ON encounter_answers
BEGIN
    INSERT INTO encounter_answer_revisions
        (encounter_id, answer_key, rev, link_id, value_json, source, author, at,
         source_encounter, confirmed_by, confirmed_at, removed)
    VALUES (OLD.encounter_id, OLD.answer_key, OLD.rev, OLD.link_id, OLD.value_json,
            OLD.source, OLD.author, OLD.at, OLD.source_encounter, OLD.confirmed_by,
            OLD.confirmed_at, 1);
END;
CREATE TRIGGER encounter_answer_revisions_no_update
BEFORE UPDATE ON encounter_answer_revisions
BEGIN
    SELECT RAISE(ABORT, 'answer revisions are kept as written');
END;
CREATE TRIGGER encounter_answer_revisions_no_delete
BEFORE DELETE ON encounter_answer_revisions
BEGIN
    SELECT RAISE(ABORT, 'answer revisions are kept as written');
END;

-- What the carry-forward plan said when the intake started (JSON: visits not used and
-- why, hints for items never carried, values found but not carried and why).
ALTER TABLE encounters ADD COLUMN carry_notes TEXT;
