-- +goose Up
-- Since when the user has known each contact (contacts.Contact.KnownSince):
-- the earliest of when it was made, its first encounter and its first
-- interaction. The desk's "known since" order reads it in place of
-- created_at. No trigger runs on this column (the DAV journal's and the
-- search index's name theirs), so nothing is journaled or re-indexed.
ALTER TABLE contacts ADD COLUMN known_since TEXT NOT NULL DEFAULT '';
UPDATE contacts SET known_since = min(created_at,
    coalesce((SELECT min(met_at) FROM encounters e WHERE e.user_id = contacts.user_id AND e.contact_id = contacts.id), created_at),
    coalesce((SELECT min(at) FROM interactions i WHERE i.user_id = contacts.user_id AND i.contact_id = contacts.id), created_at));
CREATE INDEX contacts_user_known ON contacts(user_id, known_since, id);
DROP INDEX contacts_user_since;

-- +goose Down
CREATE INDEX contacts_user_since ON contacts(user_id, created_at, id);
DROP INDEX contacts_user_known;
ALTER TABLE contacts DROP COLUMN known_since;
