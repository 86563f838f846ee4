-- +goose Up
-- The personal card (PRODUCT.md §7): its settings as JSON, its public id
-- apart so /c/{card_id} finds the user by index.
ALTER TABLE users ADD COLUMN card TEXT NOT NULL DEFAULT '{}';
ALTER TABLE users ADD COLUMN card_id TEXT;
CREATE UNIQUE INDEX users_card ON users(card_id) WHERE card_id IS NOT NULL;

-- +goose Down
DROP INDEX users_card;
ALTER TABLE users DROP COLUMN card_id;
ALTER TABLE users DROP COLUMN card;
