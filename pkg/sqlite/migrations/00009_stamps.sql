-- Change stamps: a nonce and a time per user and kind, for caches (feeds).

-- +goose Up
CREATE TABLE stamps (
    kind    TEXT NOT NULL,
    user_id TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    at      TEXT NOT NULL,
    PRIMARY KEY (kind, user_id)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE stamps;
