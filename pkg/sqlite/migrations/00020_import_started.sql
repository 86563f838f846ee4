-- +goose Up
-- When an import began (NULL for records made before): an undo keeps a
-- contact it created that is older than that — a merge gave it an older
-- contact's history (PRODUCT.md §9).
ALTER TABLE imports ADD COLUMN started_at TEXT;

-- +goose Down
ALTER TABLE imports DROP COLUMN started_at;
