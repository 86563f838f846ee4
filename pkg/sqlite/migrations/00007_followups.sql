-- Follow-ups and the dispatcher's work: the queue (when each user next
-- needs a look), leases, per-user state (the batch in delivery, as JSON) and
-- nudge records (which follow-up was nudged for which due time).

-- +goose Up
CREATE TABLE followups (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL,
    contact_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    due_at       TEXT NOT NULL,
    status       TEXT NOT NULL,
    note         TEXT NOT NULL DEFAULT '',
    encounter_id TEXT NOT NULL DEFAULT '',
    intro_id     TEXT NOT NULL DEFAULT '',
    event_id     TEXT NOT NULL DEFAULT '',
    sequence     INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    ended_at     TEXT,
    -- user|contact|kind while pending (one pending of a kind per contact),
    -- the follow-up's own id otherwise
    pending_key  TEXT NOT NULL UNIQUE
) STRICT;
-- GET /v1/followups, by due_at.
CREATE INDEX followups_user_due ON followups(user_id, due_at, id);
-- Pending ones by due time: feeds, the dispatcher, the agenda.
CREATE INDEX followups_user_status_due ON followups(user_id, status, due_at, id);
CREATE INDEX followups_user_contact ON followups(user_id, contact_id, status);
CREATE INDEX followups_user_encounter ON followups(user_id, encounter_id) WHERE encounter_id != '';
CREATE INDEX followups_user_intro ON followups(user_id, intro_id) WHERE intro_id != '';
CREATE INDEX followups_user_event ON followups(user_id, event_id) WHERE event_id != '';
-- Sweep: pending ones of every user.
CREATE INDEX followups_status_due ON followups(status, due_at);

CREATE TABLE dispatch (
    user_id    TEXT PRIMARY KEY,
    next_at    TEXT NOT NULL,
    wake_nonce TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX dispatch_next ON dispatch(next_at);

CREATE TABLE dispatch_leases (
    id    TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX dispatch_leases_at ON dispatch_leases(at);

CREATE TABLE dispatch_state (
    user_id         TEXT PRIMARY KEY,
    batch           TEXT,
    agenda_sent     TEXT,
    agenda_retry_at TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE nudges (
    followup_id TEXT NOT NULL,
    due_at      TEXT NOT NULL,
    user_id     TEXT NOT NULL,
    at          TEXT NOT NULL,
    failed      INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (followup_id, due_at)
) STRICT, WITHOUT ROWID;
CREATE INDEX nudges_user ON nudges(user_id);

-- +goose Down
DROP TABLE nudges;
DROP TABLE dispatch_state;
DROP TABLE dispatch_leases;
DROP TABLE dispatch;
DROP TABLE followups;
