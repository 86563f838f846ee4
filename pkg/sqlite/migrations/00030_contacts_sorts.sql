-- +goose Up
-- The desk's contacts table sorted by last contact (latest first, read
-- backwards: the never contacted, NULL, come last) and by known since,
-- a page at a time, without sorting the user's contacts.
CREATE INDEX contacts_user_last ON contacts(user_id, last_contacted_at, id);
CREATE INDEX contacts_user_since ON contacts(user_id, created_at, id);

-- +goose Down
DROP INDEX contacts_user_since;
DROP INDEX contacts_user_last;
