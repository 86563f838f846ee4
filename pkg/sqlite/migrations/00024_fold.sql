-- +goose Up
-- Search folds ø ł đ ß æ œ þ as input.Fold does ("sorensen" finds
-- Sørensen, "strasse" Straße), on both engines. unicode61 drops accents
-- but keeps those letters, so the full-text index gains a column, alt,
-- with the words it would miss as Fold spells them (rapport_search_alt,
-- a Go function of pkg/sqlite/fold.go); and the q= text of contacts and
-- events is folded (rapport_fold). Writing through the sqlite3 shell
-- needs those functions; reading does not.
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
UPDATE contacts SET search = rapport_fold(search) WHERE search <> rapport_fold(search);
UPDATE events SET search = rapport_fold(search) WHERE search <> rapport_fold(search);

-- +goose Down
DROP TRIGGER search_put_row;
DROP TRIGGER search_drop_row;
CREATE VIRTUAL TABLE search_plain USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');
INSERT INTO search_plain(rowid, name, body) SELECT rowid, name, body FROM search;
DROP TABLE search;
ALTER TABLE search_plain RENAME TO search;
-- +goose StatementBegin
CREATE TRIGGER search_put_row INSTEAD OF INSERT ON search_put BEGIN
    INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
        VALUES (new.user_id, new.type, new.ref, new.title, new.contact_id, new.other_id, new.event_id, new.at);
    INSERT INTO search(rowid, name, body)
        VALUES ((SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref), new.name, new.body);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER search_drop_row INSTEAD OF INSERT ON search_drop BEGIN
    DELETE FROM search WHERE rowid = (SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref);
    DELETE FROM search_rows WHERE type = new.type AND ref = new.ref;
END;
-- +goose StatementEnd
