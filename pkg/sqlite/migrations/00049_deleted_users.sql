-- +goose Up
-- Users whose accounts were deleted and whose records are not all gone
-- yet (accounts.Store.DeleteUser, PurgeUser): the user's row goes at
-- once, what is stored under the id in steps after it.
CREATE TABLE deleted_users (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE deleted_users;
