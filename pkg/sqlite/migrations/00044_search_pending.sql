-- +goose Up
-- An import's contacts enter the search index (search, search_rows) after
-- the import answers: once writes pause, or before their user's next
-- search, whichever comes first (pkg/sqlite/search_pending.go); until then
-- they are listed here, by the contact's seq: a user's are indexed in the
-- order they were written, so an import's chunk stays together in the
-- index (an undo deletes it a chunk at a time). Their list, q=, keys,
-- tags and sync journal are written with them as before.
CREATE TABLE search_pending (
    user_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    ref     TEXT NOT NULL,
    PRIMARY KEY (user_id, seq)
) STRICT, WITHOUT ROWID;
-- Deleted contacts leave the search index the same way (their entries'
-- seq listed here; their search_rows rows are kept, as type 'gone', until
-- then, so no new row takes their seq as its rowid in the index).
CREATE TABLE search_gone (
    user_id TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (user_id, seq)
) STRICT, WITHOUT ROWID;
-- And deleted contacts leave the q= index (contacts_fts) after the delete
-- answers: their seq, user and search text, which their grams are made of
-- again to delete them. A new contact given a listed seq (SQLite reuses
-- the highest rowid once it is deleted) has the old grams deleted first,
-- in the statement that indexes it.
CREATE TABLE contacts_q_gone (
    seq     INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL,
    search  TEXT NOT NULL
) STRICT;

-- +goose Down
-- What is still pending is indexed now, and what is gone deleted, as the
-- store before this did at once (a contact a later change already indexed
-- is left as it is).
DELETE FROM search WHERE rowid IN (SELECT seq FROM search_gone);
DELETE FROM search_rows WHERE type = 'gone';
DROP TABLE search_gone;
INSERT INTO contacts_fts(contacts_fts, rowid, grams) SELECT 'delete', seq, rapport_grams(user_id, search) FROM contacts_q_gone;
DROP TABLE contacts_q_gone;
DELETE FROM search_pending WHERE ref IN (SELECT ref FROM search_rows WHERE type = 'contact');
INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
    SELECT user_id, type, ref, title, contact_id, other_id, event_id, at FROM contacts_search
    WHERE ref IN (SELECT ref FROM search_pending) ORDER BY ref;
INSERT INTO search(rowid, name, body, words_name, words_body, kind)
    SELECT r.seq, s.name, s.body, rapport_search_words(s.user_id, s.name), rapport_search_words(s.user_id, s.body),
        rapport_search_words(s.user_id, 'type' || s.type)
    FROM contacts_search s JOIN search_rows r ON r.type = s.type AND r.ref = s.ref
    WHERE s.ref IN (SELECT ref FROM search_pending) ORDER BY r.seq;
DROP TABLE search_pending;
