-- +goose Up
-- What an import added to each contact it merged into (contacts.Addition,
-- a JSON array), so that its undo takes out only that and keeps what was
-- changed since. Records made before have none ('[]'): their undo works
-- from the earlier versions they hold (before) and the card extras they
-- filled (extra_filled), which new records no longer write.
ALTER TABLE imports ADD COLUMN added TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE imports DROP COLUMN added;
