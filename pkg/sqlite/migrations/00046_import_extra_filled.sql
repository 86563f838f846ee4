-- +goose Up
-- The contacts whose empty card extra an import filled, with a digest of
-- what it put there (contacts.Import.ExtraFilled): an undo empties it again.
ALTER TABLE imports ADD COLUMN extra_filled TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE imports DROP COLUMN extra_filled;
