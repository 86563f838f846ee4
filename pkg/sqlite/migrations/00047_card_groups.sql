-- +goose Up
-- The group cards of each user's address book (contacts.CardGroup): a
-- group an app keeps as a card of its own, kept as sent, beside the
-- contacts. One per resource name (dav_name, the href's name; contacts'
-- names are checked against it by pkg/dav). Journaled for sync-collection
-- under that name, as a contact's deleted card is.
CREATE TABLE card_groups (
    user_id    TEXT NOT NULL,
    dav_name   TEXT NOT NULL,
    id         TEXT NOT NULL,
    name       TEXT NOT NULL,
    card       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, dav_name)
) STRICT, WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER dav_card_groups_ins AFTER INSERT ON card_groups BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.dav_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_card_groups_upd AFTER UPDATE ON card_groups BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.dav_name);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_card_groups_del AFTER DELETE ON card_groups BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'), OLD.dav_name);
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE card_groups;
