-- +goose Up
-- A card's "How we met" names those the contact was introduced to, so
-- renaming a contact changes the cards of the contacts it was introduced
-- to: the journal lists them (it listed only the renamed contact's tasks),
-- or a client syncing by sync-collection kept the old name, and an ETag
-- its next PUT to that card failed against.
DROP TRIGGER dav_contacts_name;
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_name AFTER UPDATE OF name ON contacts WHEN OLD.name IS NOT NEW.name BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'tasks') - 1 + row_number() OVER (), id
        FROM followups WHERE user_id = NEW.user_id AND contact_id = NEW.id;
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards') - 1 + row_number() OVER (), other
        FROM (SELECT DISTINCT CASE WHEN contact_a = NEW.id THEN contact_b ELSE contact_a END AS other
              FROM intros WHERE user_id = NEW.user_id AND (contact_a = NEW.id OR contact_b = NEW.id));
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER dav_contacts_name;
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_name AFTER UPDATE OF name ON contacts WHEN OLD.name IS NOT NEW.name BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'tasks') - 1 + row_number() OVER (), id
        FROM followups WHERE user_id = NEW.user_id AND contact_id = NEW.id;
END;
-- +goose StatementEnd
