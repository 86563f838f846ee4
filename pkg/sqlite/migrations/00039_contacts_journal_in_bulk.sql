-- +goose Up
-- New contacts are journaled for sync-collection by the statement that
-- indexes them (indexContacts, a statement for a chunk of an import)
-- instead of a trigger run for each row: issue 28, the import's time.
DROP TRIGGER dav_contacts_ins;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_ins AFTER INSERT ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.id);
END;
-- +goose StatementEnd
