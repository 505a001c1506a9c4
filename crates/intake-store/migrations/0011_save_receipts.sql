-- 0011: autosave receipts. Each save the window sends carries a key of its own; a save
-- sent again after its acknowledgement was lost (a timeout, a restart) finds its receipt
-- and is answered as the save it was, neither applied twice nor refused as a conflict.
-- Receipts are working data, not the record: not audited, not copied to the clinic
-- server, and a visit's receipts older than a day are removed as new ones are kept.
-- Append-only: never edit this file once released; add 0012_... instead.

CREATE TABLE save_receipts (
    encounter_id INTEGER NOT NULL REFERENCES encounters (id),
    save_id      TEXT NOT NULL CHECK (length(save_id) BETWEEN 1 AND 64),
    saved_by     TEXT NOT NULL,
    saved_at     TEXT NOT NULL,
    PRIMARY KEY (encounter_id, save_id)
) STRICT;
