-- +goose Up
-- A contact's keys and tags no longer name it as a foreign key (issue 28:
-- an import's time). Each key and tag row an import wrote looked its
-- contact up again to check the reference (a twentieth of the import),
-- and a deleted contact's rows went by a cascade run for each row. The
-- statements that delete contacts (unindexContacts) delete their keys
-- and tags first, a statement each.
CREATE TABLE contact_keys_new (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
INSERT INTO contact_keys_new(user_id, key, contact_id) SELECT user_id, key, contact_id FROM contact_keys;
DROP TABLE contact_keys;
ALTER TABLE contact_keys_new RENAME TO contact_keys;
CREATE INDEX contact_keys_contact ON contact_keys(contact_id);

CREATE TABLE contact_tags_new (
    user_id    TEXT NOT NULL,
    tag_lower  TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (user_id, tag_lower, name_lower, contact_id)
) STRICT, WITHOUT ROWID;
INSERT INTO contact_tags_new(user_id, tag_lower, name_lower, contact_id) SELECT user_id, tag_lower, name_lower, contact_id FROM contact_tags;
DROP TABLE contact_tags;
ALTER TABLE contact_tags_new RENAME TO contact_tags;
CREATE INDEX contact_tags_contact ON contact_tags(contact_id);

-- +goose Down
CREATE TABLE contact_keys_old (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
INSERT INTO contact_keys_old(user_id, key, contact_id) SELECT user_id, key, contact_id FROM contact_keys;
DROP TABLE contact_keys;
ALTER TABLE contact_keys_old RENAME TO contact_keys;
CREATE INDEX contact_keys_contact ON contact_keys(contact_id);

CREATE TABLE contact_tags_old (
    user_id    TEXT NOT NULL,
    tag_lower  TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, tag_lower, name_lower, contact_id)
) STRICT, WITHOUT ROWID;
INSERT INTO contact_tags_old(user_id, tag_lower, name_lower, contact_id) SELECT user_id, tag_lower, name_lower, contact_id FROM contact_tags;
DROP TABLE contact_tags;
ALTER TABLE contact_tags_old RENAME TO contact_tags;
CREATE INDEX contact_tags_contact ON contact_tags(contact_id);
