-- +goose Up
-- The contacts' q= index is partitioned by user too (issue 28): it was a
-- trigram index of every user's contacts.search, so a text common among
-- other users' contacts made one user's q= read their postings. It now
-- indexes grams: each trigram of contacts.search, spelled in letters and
-- digits, behind eight hex digits of the user's search key (rapport_grams,
-- pkg/sqlite/fold.go), as unicode61 tokens. A q= text is its trigrams in a
-- row, a phrase of the same tokens, so it reads the user's postings (and
-- those of the rare user whose key begins the same; the query keeps the
-- user's rows). The index is contentless: it is only ever asked for
-- rowids; the triggers delete what they indexed.
DROP TRIGGER contacts_fts_delete;
DROP TRIGGER contacts_fts_update;
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5(grams, content = '', tokenize = 'unicode61 remove_diacritics 0');
INSERT INTO contacts_fts(rowid, grams) SELECT seq, rapport_grams(user_id, search) FROM contacts;
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, grams) VALUES ('delete', old.seq, rapport_grams(old.user_id, old.search));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF search ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, grams) VALUES ('delete', old.seq, rapport_grams(old.user_id, old.search));
    INSERT INTO contacts_fts(rowid, grams) VALUES (new.seq, rapport_grams(new.user_id, new.search));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER contacts_fts_delete;
DROP TRIGGER contacts_fts_update;
DROP TABLE contacts_fts;
CREATE VIRTUAL TABLE contacts_fts USING fts5(search, content='contacts', content_rowid='seq', tokenize='trigram');
INSERT INTO contacts_fts(contacts_fts) VALUES ('rebuild');
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
