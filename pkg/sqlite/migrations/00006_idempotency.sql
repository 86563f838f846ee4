-- Idempotency-Key records: the claim and, once its request finished, the
-- response to replay.

-- +goose Up
CREATE TABLE idempotency (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    done         INTEGER NOT NULL DEFAULT 0,
    status       INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    body         BLOB,
    created_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;
-- Purge.
CREATE INDEX idempotency_created ON idempotency(created_at);

-- +goose Down
DROP TABLE idempotency;
