-- +goose Up
-- What each contacts import did, so it can be undone (DELETE /v1/imports/{id}):
-- the ids it created and, as JSON, the contacts it merged into as they were.
CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created    TEXT NOT NULL,
    before     TEXT NOT NULL
) STRICT;
CREATE INDEX imports_user ON imports(user_id, created_at);

-- +goose Down
DROP TABLE imports;
