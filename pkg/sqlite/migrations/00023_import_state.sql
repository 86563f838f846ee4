-- +goose Up
-- An import's record is written before its first contact and as it goes
-- (PRODUCT.md §10: GET /v1/imports; one cut short is listed as interrupted
-- and undone like any other), and stays, marked undone, after an undo.
ALTER TABLE imports ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN state TEXT NOT NULL DEFAULT '';
ALTER TABLE imports ADD COLUMN updated_at TEXT;
ALTER TABLE imports ADD COLUMN created_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN updated_n INTEGER NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN undone_at TEXT;
-- The counts of imports made before: what their records hold.
UPDATE imports SET created_n = json_array_length(created), updated_n = json_array_length(before);

-- +goose Down
ALTER TABLE imports DROP COLUMN undone_at;
ALTER TABLE imports DROP COLUMN updated_n;
ALTER TABLE imports DROP COLUMN created_n;
ALTER TABLE imports DROP COLUMN updated_at;
ALTER TABLE imports DROP COLUMN state;
ALTER TABLE imports DROP COLUMN kind;
