-- 0004: encounters (one intake form filled for one patient) and their answers.
-- Append-only: never edit this file once released; add 0005_... instead.

CREATE TABLE encounters (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients (id),
    template_id  INTEGER NOT NULL REFERENCES templates (id),  -- the exact version used
    status       TEXT    NOT NULL DEFAULT 'draft'
                         CHECK (status IN ('draft', 'submitted', 'signed', 'amended',
                                           'entered_in_error')),
    section      TEXT,                -- the top-level item the nurse was last in
    started_at   TEXT    NOT NULL,
    started_by   TEXT    NOT NULL,
    updated_at   TEXT    NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT
) STRICT;
CREATE INDEX encounters_by_patient ON encounters (patient_id, started_at);
CREATE INDEX encounters_by_status ON encounters (status, started_at);

-- One row per answered item instance. `answer_key` is "<rows>:<linkId>" (see
-- intake_core::questionnaire::response::Key); `value_json` a JSON array of FHIR
-- value[x] objects; `rev` counts the writes to this key, for conflict detection.
CREATE TABLE encounter_answers (
    encounter_id INTEGER NOT NULL REFERENCES encounters (id),
    answer_key   TEXT    NOT NULL,
    link_id      TEXT    NOT NULL,
    value_json   TEXT    NOT NULL,
    source       TEXT    NOT NULL CHECK (source IN ('typed', 'initial', 'calculated', 'record')),
    author       TEXT    NOT NULL,
    at           TEXT    NOT NULL,
    rev          INTEGER NOT NULL,
    in_record    INTEGER NOT NULL DEFAULT 1 CHECK (in_record IN (0, 1)),
    PRIMARY KEY (encounter_id, answer_key)
) STRICT, WITHOUT ROWID;

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
CREATE TRIGGER encounters_no_delete BEFORE DELETE ON encounters
BEGIN
    SELECT RAISE(ABORT, 'encounters are kept, never deleted');
END;
