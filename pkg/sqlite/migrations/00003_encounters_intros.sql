-- Encounters, interactions and intros of the contacts domain. They name
-- contacts and events by id without foreign keys: the workflows that delete
-- a contact or an event remove or detach them in the same transaction.

-- +goose Up
CREATE TABLE encounters (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    moment     TEXT NOT NULL,
    met_at     TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    topics     TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL
) STRICT;
-- GET /v1/events/{id}/encounters, by met_at.
CREATE INDEX encounters_user_event ON encounters(user_id, event_id, met_at, id);
-- GET /v1/contacts/{id}/encounters, by met_at.
CREATE INDEX encounters_user_contact ON encounters(user_id, contact_id, met_at, id);

CREATE TABLE interactions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    kind       TEXT NOT NULL,
    at         TEXT NOT NULL,
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;
-- GET /v1/contacts/{id}/interactions, newest first.
CREATE INDEX interactions_user_contact ON interactions(user_id, contact_id, at, id);

CREATE TABLE intros (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL,
    contact_a     TEXT NOT NULL,
    contact_b     TEXT NOT NULL,
    event_id      TEXT NOT NULL DEFAULT '',
    context       TEXT NOT NULL DEFAULT '',
    double_opt_in INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    outcome       TEXT NOT NULL DEFAULT '',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
-- GET /v1/intros, oldest first.
CREATE INDEX intros_user_created ON intros(user_id, created_at, id);
-- GET /v1/intros?contact_id=, either side of the intro.
CREATE INDEX intros_user_a ON intros(user_id, contact_a, created_at, id);
CREATE INDEX intros_user_b ON intros(user_id, contact_b, created_at, id);
CREATE INDEX intros_user_event ON intros(user_id, event_id);

-- +goose Down
DROP TABLE intros;
DROP TABLE interactions;
DROP TABLE encounters;
