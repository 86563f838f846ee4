-- +goose Up
-- Search is partitioned by user (issue 28): a user's query must not walk
-- other users' words. The full-text index no longer tokenizes the text
-- itself; it indexes words_name and words_body, the text's folded words
-- (search.Fold, as MongoDB's words) each prefixed with the user's search
-- key (rapport_search_words, pkg/sqlite/fold.go: sixteen hex digits of a
-- hash of the user id). A query's terms carry the same key, so a prefix
-- expands over the user's own vocabulary and a word's postings are the
-- user's own records. name and body stay, unindexed, for snippets.
-- kind holds the record's type, keyed the same way, so a type filter is
-- part of the match. The prefix indexes are the key plus two and three
-- letters. rank is bm25 with a name four times the body.
DROP TRIGGER search_put_row;
DROP TRIGGER search_drop_row;
CREATE VIRTUAL TABLE search_by_user USING fts5(name UNINDEXED, body UNINDEXED, words_name, words_body, kind,
    tokenize = 'unicode61 remove_diacritics 0', prefix = '18 19');
INSERT INTO search_by_user(search_by_user, rank) VALUES ('rank', 'bm25(0.0, 0.0, 4.0, 1.0, 0.0)');
INSERT INTO search_by_user(rowid, name, body, words_name, words_body, kind)
    SELECT s.rowid, s.name, s.body, rapport_search_words(r.user_id, s.name), rapport_search_words(r.user_id, s.body),
        rapport_search_words(r.user_id, 'type' || r.type)
    FROM search s JOIN search_rows r ON r.seq = s.rowid;
DROP TABLE search;
ALTER TABLE search_by_user RENAME TO search;
-- +goose StatementBegin
CREATE TRIGGER search_put_row INSTEAD OF INSERT ON search_put BEGIN
    INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
        VALUES (new.user_id, new.type, new.ref, new.title, new.contact_id, new.other_id, new.event_id, new.at);
    INSERT INTO search(rowid, name, body, words_name, words_body, kind)
        VALUES ((SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref), new.name, new.body,
            rapport_search_words(new.user_id, new.name), rapport_search_words(new.user_id, new.body),
            rapport_search_words(new.user_id, 'type' || new.type));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_drop_row INSTEAD OF INSERT ON search_drop BEGIN
    DELETE FROM search WHERE rowid = (SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref);
    DELETE FROM search_rows WHERE type = new.type AND ref = new.ref;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER search_put_row;
DROP TRIGGER search_drop_row;
CREATE VIRTUAL TABLE search_folded USING fts5(name, body, alt, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO search_folded(rowid, name, body, alt)
    SELECT rowid, name, body, rapport_search_alt(concat_ws(' ', name, body)) FROM search;
DROP TABLE search;
ALTER TABLE search_folded RENAME TO search;
-- +goose StatementBegin
CREATE TRIGGER search_put_row INSTEAD OF INSERT ON search_put BEGIN
    INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
        VALUES (new.user_id, new.type, new.ref, new.title, new.contact_id, new.other_id, new.event_id, new.at);
    INSERT INTO search(rowid, name, body, alt)
        VALUES ((SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref), new.name, new.body,
            rapport_search_alt(concat_ws(' ', new.name, new.body)));
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_drop_row INSTEAD OF INSERT ON search_drop BEGIN
    DELETE FROM search WHERE rowid = (SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref);
    DELETE FROM search_rows WHERE type = new.type AND ref = new.ref;
END;
-- +goose StatementEnd
