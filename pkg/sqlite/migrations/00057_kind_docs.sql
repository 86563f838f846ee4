-- +goose Up
-- The documents of every kind (pkg/kinds): a small resource read by id
-- and listed newest first, its record as JSON.
CREATE TABLE kind_docs (
    id      TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    kind    TEXT NOT NULL,
    body    TEXT NOT NULL
) STRICT;
CREATE INDEX kind_docs_user ON kind_docs(user_id, kind, id);

-- +goose Down
DROP TABLE kind_docs;
