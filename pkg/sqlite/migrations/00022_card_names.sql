-- +goose Up
-- A card a CardDAV client made keeps the client's resource name and UID
-- (PRODUCT.md §2, §6). The name is only that user's name for the card —
-- held unique per user as the key 'dav:<name>' in contact_keys — never
-- the contact's id, which is always random. A deleted card is journaled
-- under the href the client knows it by.
ALTER TABLE contacts ADD COLUMN dav_name TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN card_uid TEXT NOT NULL DEFAULT '';
DROP TRIGGER dav_contacts_del;
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_del AFTER DELETE ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'),
        CASE WHEN OLD.dav_name != '' THEN OLD.dav_name ELSE OLD.id END);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER dav_contacts_del;
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_del AFTER DELETE ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'), OLD.id);
END;
-- +goose StatementEnd
DELETE FROM contact_keys WHERE key LIKE 'dav:%';
ALTER TABLE contacts DROP COLUMN card_uid;
ALTER TABLE contacts DROP COLUMN dav_name;
