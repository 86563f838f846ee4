-- Users, API tokens and calendar feed sets. Settings that are read and
-- written whole (notify, follow-up policy, agenda) are JSON.

-- +goose Up
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    nudge_hour      INTEGER NOT NULL,
    notify          TEXT NOT NULL,
    followup_policy TEXT NOT NULL,
    agenda          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;

-- Secrets are stored as their SHA-256 only.
CREATE TABLE tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
) STRICT;
CREATE INDEX tokens_user ON tokens(user_id, created_at, id);

CREATE TABLE feed_sets (
    hash         TEXT PRIMARY KEY,
    set_id       TEXT NOT NULL UNIQUE,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT
) STRICT, WITHOUT ROWID;
CREATE INDEX feed_sets_user ON feed_sets(user_id, created_at, set_id);

-- +goose Down
DROP TABLE feed_sets;
DROP TABLE tokens;
DROP TABLE users;
