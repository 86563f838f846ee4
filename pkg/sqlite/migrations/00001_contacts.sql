-- The first schema of the embedded store: the health row of /readyz and
-- the contacts domain. Times are UTC text, 2006-01-02T15:04:05.000Z, which
-- sorts as time; lists are JSON arrays where only the whole list is read.

-- +goose Up
CREATE TABLE health (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL
) STRICT;

-- seq is the stable row number (VACUUM may renumber implicit rowids) that
-- side tables and a future full-text index refer to.
CREATE TABLE contacts (
    seq               INTEGER PRIMARY KEY,
    id                TEXT NOT NULL UNIQUE,
    user_id           TEXT NOT NULL,
    name              TEXT NOT NULL,
    name_lower        TEXT NOT NULL,
    emails            TEXT NOT NULL DEFAULT '[]',
    phones            TEXT NOT NULL DEFAULT '[]',
    company           TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    linkedin_url      TEXT NOT NULL DEFAULT '',
    tags              TEXT NOT NULL DEFAULT '[]',
    notes             TEXT NOT NULL DEFAULT '',
    cadence_days      INTEGER NOT NULL DEFAULT 0,
    last_contacted_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    -- lower-cased name, company, emails, tags and notes: what q= matches
    search            TEXT NOT NULL DEFAULT ''
) STRICT;
-- Lists in name order, paged by (name_lower, id): GET /v1/contacts.
CREATE INDEX contacts_user_name ON contacts(user_id, name_lower, id);

-- One row per email or LinkedIn URL of a contact: the primary key is what
-- makes "one contact per person" hold under concurrent requests.
CREATE TABLE contact_keys (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_keys_contact ON contact_keys(contact_id);

-- Tag filter in name order: GET /v1/contacts?tag=.
CREATE TABLE contact_tags (
    user_id    TEXT NOT NULL,
    tag_lower  TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, tag_lower, name_lower, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_contact ON contact_tags(contact_id);

-- Substring search (q=) for three characters or more: a trigram index of
-- contacts.search, kept in step by the triggers below for updates and
-- deletes. New rows are indexed by the adapter, many in one statement: a
-- trigger per row would make FTS5 flush its index at every row's
-- statement savepoint (an import of 50,000 spent half its time there).
CREATE VIRTUAL TABLE contacts_fts USING fts5(search, content='contacts', content_rowid='seq', tokenize='trigram');

-- +goose StatementBegin
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, search) VALUES ('delete', old.seq, old.search);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, search) VALUES ('delete', old.seq, old.search);
    INSERT INTO contacts_fts(rowid, search) VALUES (new.seq, new.search);
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE contacts_fts;
DROP TABLE contact_tags;
DROP TABLE contact_keys;
DROP TABLE contacts;
DROP TABLE health;
