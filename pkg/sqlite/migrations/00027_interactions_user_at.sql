-- +goose Up
-- The giving ledger reads a user's interactions of some kinds since a time
-- (contacts.Store.InteractionsOfKinds).
CREATE INDEX interactions_user_at ON interactions(user_id, at, kind);

-- +goose Down
DROP INDEX interactions_user_at;
