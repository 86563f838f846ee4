-- +goose Up
-- A backup reads a user's group cards a chunk of ids at a time (the
-- archive's reads, by id).
CREATE UNIQUE INDEX card_groups_id ON card_groups(id);

-- +goose Down
DROP INDEX card_groups_id;
