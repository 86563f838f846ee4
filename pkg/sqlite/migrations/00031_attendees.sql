-- +goose Up
-- Events' guest lists (PRODUCT.md §11): one row per person on one event's
-- list, by its key (email, else LinkedIn profile, else folded name), so a
-- list imported again updates and never duplicates.
CREATE TABLE attendees (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    key          TEXT NOT NULL,
    name         TEXT NOT NULL,
    name_lower   TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    company      TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    linkedin_url TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX attendees_user_event_key ON attendees(user_id, event_id, key);
CREATE INDEX attendees_user_event_name ON attendees(user_id, event_id, name_lower, id);

-- +goose Down
DROP TABLE attendees;
