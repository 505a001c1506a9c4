-- 0003: form templates (FHIR R4 Questionnaires), kept byte-for-byte as imported.
-- Append-only: never edit this file once released; add 0004_... instead.

CREATE TABLE templates (
    id                INTEGER PRIMARY KEY,
    slug              TEXT    NOT NULL,
    version           TEXT    NOT NULL,
    title             TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'draft'
                              CHECK (status IN ('draft', 'active', 'retired')),
    original          BLOB    NOT NULL,  -- the imported bytes, unchanged
    sha256            TEXT    NOT NULL,
    report            TEXT    NOT NULL,  -- JSON: the import report
    imported_at       TEXT    NOT NULL,
    imported_by       TEXT    NOT NULL,
    status_changed_at TEXT,
    status_changed_by TEXT,
    UNIQUE (slug, version)
) STRICT;

CREATE TRIGGER templates_original_never_changes
BEFORE UPDATE OF slug, version, original, sha256 ON templates
BEGIN
    SELECT RAISE(ABORT, 'a template''s identity and original JSON never change');
END;
CREATE TRIGGER templates_no_delete BEFORE DELETE ON templates
BEGIN
    SELECT RAISE(ABORT, 'templates are retired, never deleted');
END;
