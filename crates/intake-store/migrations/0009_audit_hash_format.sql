-- 0009: each audit entry records the format its hash was computed in
-- (`intake_core::audit::HashFormat`). Entries written before this migration keep format 1
-- and still verify; new entries are written in format 2, where an absent optional field
-- (patient, entity id) hashes differently from an empty one.
-- Append-only: never edit this file once released; add 0010_... instead.

ALTER TABLE audit_log ADD COLUMN hash_format INTEGER NOT NULL DEFAULT 1
    CHECK (hash_format IN (1, 2));
