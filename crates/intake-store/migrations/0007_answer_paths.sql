-- 0007: answer keys name the item by its path in the form
-- ("medications/medication[3]/med-name", no longer "3:med-name"), so a form that
-- repeats a linkId in different groups needs no other key. The keys of answers, of
-- their revisions and of the carry-forward notes are rewritten by Rust code run right
-- after this file in the same transaction (`migrations::rekey`: each form's item tree
-- is needed), which drops the triggers guarding those tables and recreates them from
-- their exact stored text.
--
-- A signature keeps the record exactly as it was signed, hashed in the form of its day:
-- `record_form` says which (1: keys as "<rows>:<linkId>", every signature made before
-- this migration; 2: keys as paths). Events are never updated, so the column's default
-- gives every existing row form 1; the app writes the form of each new signature.
-- Append-only: never edit this file once released; add 0008_... instead.

ALTER TABLE encounter_events ADD COLUMN record_form INTEGER NOT NULL DEFAULT 1
    CHECK (record_form IN (1, 2));
