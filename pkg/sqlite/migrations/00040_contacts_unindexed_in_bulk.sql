-- +goose Up
-- Deleted contacts leave the full-text indexes and are journaled by the
-- statements that run before their delete (unindexContacts, a statement
-- for a chunk of an import's undo) instead of triggers run for each row:
-- issue 28, the undo's time.
DROP TRIGGER contacts_search_delete;
DROP TRIGGER dav_contacts_del;
DROP TRIGGER contacts_fts_delete;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO search_drop VALUES ('contact', old.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_del AFTER DELETE ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'),
        CASE WHEN OLD.dav_name != '' THEN OLD.dav_name ELSE OLD.id END);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO contacts_fts(contacts_fts, rowid, grams) VALUES ('delete', old.seq, rapport_grams(old.user_id, old.search));
END;
-- +goose StatementEnd
