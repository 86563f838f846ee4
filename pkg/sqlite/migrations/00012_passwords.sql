-- +goose Up
-- Phone sign-in passwords (bcrypt hashes), one per user at most.
CREATE TABLE passwords (
    user_id    TEXT PRIMARY KEY,
    hash       TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE passwords;
