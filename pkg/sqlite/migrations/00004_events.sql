-- Events and followed calendars. Talks and tags are read whole with their
-- event (JSON); the tag filter reads them with json_each over the user's
-- events in time order.

-- +goose Up
CREATE TABLE events (
    id                 TEXT PRIMARY KEY,
    user_id            TEXT NOT NULL,
    title              TEXT NOT NULL,
    kind               TEXT NOT NULL,
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    timezone           TEXT NOT NULL,
    location           TEXT NOT NULL DEFAULT '',
    url                TEXT NOT NULL DEFAULT '',
    organizer          TEXT NOT NULL DEFAULT '',
    talks              TEXT NOT NULL DEFAULT '[]',
    tags               TEXT NOT NULL DEFAULT '[]',
    notes              TEXT NOT NULL DEFAULT '',
    status             TEXT NOT NULL,
    sequence           INTEGER NOT NULL DEFAULT 0,
    source_calendar_id TEXT,
    source_uid         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    -- lower-cased title, location, organizer, notes, tags and talks: what q= matches
    search             TEXT NOT NULL DEFAULT ''
) STRICT;
-- GET /v1/events (by starts_at) and the feeds.
CREATE INDEX events_user_starts ON events(user_id, starts_at, id);
-- A calendar sync's events, by source uid.
CREATE INDEX events_user_source ON events(user_id, source_calendar_id, source_uid);

CREATE TABLE calendars (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    url          TEXT NOT NULL,
    name         TEXT NOT NULL,
    tags         TEXT NOT NULL DEFAULT '[]',
    last_sync_at TEXT,
    last_error   TEXT NOT NULL DEFAULT '',
    last_result  TEXT,
    created_at   TEXT NOT NULL
) STRICT;
CREATE INDEX calendars_user ON calendars(user_id, created_at, id);

-- One row per calendar and sync window: the primary key lets one process
-- of many sync a calendar in a window.
CREATE TABLE calendar_leases (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX calendar_leases_at ON calendar_leases(at);

-- +goose Down
DROP TABLE calendar_leases;
DROP TABLE calendars;
DROP TABLE events;
