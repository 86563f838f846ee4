-- +goose Up
-- The address for logging email by BCC, log+<secret>@domain: its hash, one
-- per user (POST /v1/me/inbound/rotate replaces it).
CREATE TABLE inbound (
    user_id    TEXT PRIMARY KEY,
    hash       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE inbound;
