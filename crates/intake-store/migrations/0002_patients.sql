-- 0002: patients, their revisions, the MRN sequence and the search index.
-- Append-only: never edit this file once released; add 0003_... instead.

CREATE TABLE patients (
    id                     INTEGER PRIMARY KEY,
    mrn                    TEXT    NOT NULL UNIQUE,
    family                 TEXT    NOT NULL,
    given                  TEXT    NOT NULL,
    birth_date             TEXT    NOT NULL,  -- YYYY-MM-DD
    sex                    TEXT    NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    phone                  TEXT    NOT NULL DEFAULT '',
    phone_digits           TEXT    NOT NULL DEFAULT '',
    email                  TEXT    NOT NULL DEFAULT '',
    address_line           TEXT    NOT NULL DEFAULT '',
    city                   TEXT    NOT NULL DEFAULT '',
    postal_code            TEXT    NOT NULL DEFAULT '',
    country                TEXT    NOT NULL DEFAULT '',
    language               TEXT    NOT NULL DEFAULT '',
    emergency_name         TEXT    NOT NULL DEFAULT '',
    emergency_relationship TEXT    NOT NULL DEFAULT '',
    emergency_phone        TEXT    NOT NULL DEFAULT '',
    notes                  TEXT    NOT NULL DEFAULT '',
    status                 TEXT    NOT NULL DEFAULT 'active'
                                   CHECK (status IN ('active', 'entered_in_error')),
    status_reason          TEXT,
    version                INTEGER NOT NULL DEFAULT 1,
    created_at             TEXT    NOT NULL,
    created_by             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL,
    updated_by             TEXT    NOT NULL
) STRICT;
CREATE INDEX patients_birth_date ON patients (birth_date);
CREATE INDEX patients_phone_digits ON patients (phone_digits) WHERE phone_digits <> '';
CREATE INDEX patients_email ON patients (email) WHERE email <> '';

-- Every change to a patient: the fields that changed, old and new, who, when, why.
CREATE TABLE patient_revisions (
    id         INTEGER PRIMARY KEY,
    patient_id INTEGER NOT NULL REFERENCES patients (id),
    version    INTEGER NOT NULL,
    at         TEXT    NOT NULL,
    by         TEXT    NOT NULL,
    changes    TEXT    NOT NULL,  -- JSON: { field: [old, new] }
    reason     TEXT,
    UNIQUE (patient_id, version)
) STRICT;
CREATE TRIGGER patient_revisions_no_update BEFORE UPDATE ON patient_revisions
BEGIN
    SELECT RAISE(ABORT, 'patient revisions are append-only');
END;
CREATE TRIGGER patient_revisions_no_delete BEFORE DELETE ON patient_revisions
BEGIN
    SELECT RAISE(ABORT, 'patient revisions are append-only');
END;
CREATE TRIGGER patients_no_delete BEFORE DELETE ON patients
BEGIN
    SELECT RAISE(ABORT, 'patients are never deleted; mark them entered in error');
END;

CREATE TABLE mrn_sequence (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    next INTEGER NOT NULL
) STRICT;
INSERT INTO mrn_sequence (id, next) VALUES (1, 1);

-- Search index, rowid = patients.id. The app writes folded text (lower case, accents
-- removed) so the tokenizer only splits words; `prefix` makes typed fragments fast.
CREATE VIRTUAL TABLE patient_search USING fts5 (
    names,
    phones,
    tokenize = 'unicode61',
    prefix = '1 2 3'
);
