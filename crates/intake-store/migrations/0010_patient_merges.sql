-- 0010: two charts of one person, linked (a merge), and MRNs found with or without
-- their dash.
--
-- A merge is a link, never an edit: the merged chart, its visits and their signed
-- records stay as they are; the link says the merged chart's visits belong with the
-- surviving chart. A link is kept for ever: undoing it stamps `undone_at`/`undone_by`
-- once, and a later merge of the same chart is a new row. Like the other kept tables
-- (0008), no insert lands on a taken key, no row is deleted, and no column changes but
-- the one undo.
-- Append-only: never edit this file once released; add 0011_... instead.

CREATE TABLE patient_merges (
    id          INTEGER PRIMARY KEY,
    merged_id   INTEGER NOT NULL REFERENCES patients (id),
    survivor_id INTEGER NOT NULL REFERENCES patients (id),
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    merged_by   TEXT NOT NULL,
    merged_at   TEXT NOT NULL,
    undone_by   TEXT,
    undone_at   TEXT,
    CHECK (merged_id <> survivor_id),
    CHECK ((undone_by IS NULL) = (undone_at IS NULL))
) STRICT;
CREATE INDEX patient_merges_merged ON patient_merges (merged_id) WHERE undone_at IS NULL;
CREATE INDEX patient_merges_survivor ON patient_merges (survivor_id) WHERE undone_at IS NULL;

CREATE TRIGGER patient_merges_no_replace BEFORE INSERT ON patient_merges
WHEN EXISTS (SELECT 1 FROM patient_merges WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'the key is taken: a merge is never replaced');
END;

-- One chart is merged into one other at a time, never into a chart that is itself
-- merged, and a chart others are merged into is not merged away (no chains).
CREATE TRIGGER patient_merges_one_level BEFORE INSERT ON patient_merges
WHEN NEW.undone_at IS NOT NULL
  OR EXISTS (SELECT 1 FROM patient_merges WHERE undone_at IS NULL
             AND merged_id IN (NEW.merged_id, NEW.survivor_id))
  OR EXISTS (SELECT 1 FROM patient_merges WHERE undone_at IS NULL
             AND survivor_id = NEW.merged_id)
BEGIN
    SELECT RAISE(ABORT, 'a chart is merged once, into a chart that is not itself merged, and a chart others are merged into stays');
END;

CREATE TRIGGER patient_merges_no_delete BEFORE DELETE ON patient_merges
BEGIN
    SELECT RAISE(ABORT, 'a merge is kept; it is undone, never deleted');
END;

CREATE TRIGGER patient_merges_only_undone BEFORE UPDATE ON patient_merges
WHEN NEW.id IS NOT OLD.id OR NEW.merged_id IS NOT OLD.merged_id
  OR NEW.survivor_id IS NOT OLD.survivor_id OR NEW.reason IS NOT OLD.reason
  OR NEW.merged_by IS NOT OLD.merged_by OR NEW.merged_at IS NOT OLD.merged_at
  OR OLD.undone_at IS NOT NULL OR NEW.undone_at IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a merge changes only once, when it is undone');
END;

-- An MRN typed without its dash ("0000034") finds "000003-4".
CREATE INDEX patients_mrn_compact ON patients (replace(mrn, '-', ''));

-- The words of the name index, for names one typing error from a typed word: the app
-- reads the words sharing its first two letters (a range of terms) and compares them.
CREATE VIRTUAL TABLE patient_search_terms USING fts5vocab (patient_search, 'col');
