-- +goose Up
-- What changed in each user's synced collections (CardDAV cards, CalDAV
-- tasks), in order, for sync-collection (RFC 6578): a sync token is a seq,
-- and a client asking with one gets the items changed after it. Written by
-- triggers, so every path that changes a card or a task (API, phone, DAV,
-- imports, restores, cascading deletes) is journaled in its transaction.
CREATE TABLE dav_changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id TEXT NOT NULL,
    coll    TEXT NOT NULL,  -- 'cards' or 'tasks'
    item_id TEXT NOT NULL
) STRICT;
CREATE INDEX dav_changes_user ON dav_changes(user_id, coll, seq);

-- +goose StatementBegin
CREATE TRIGGER dav_contacts_ins AFTER INSERT ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'cards', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_upd AFTER UPDATE ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'cards', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_name AFTER UPDATE OF name ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id)
        SELECT user_id, 'tasks', id FROM followups WHERE user_id = NEW.user_id AND contact_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_del AFTER DELETE ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (OLD.user_id, 'cards', OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_encounters_ins AFTER INSERT ON encounters BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'cards', NEW.contact_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_encounters_del AFTER DELETE ON encounters BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (OLD.user_id, 'cards', OLD.contact_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_intros_ins AFTER INSERT ON intros BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'cards', NEW.contact_a), (NEW.user_id, 'cards', NEW.contact_b);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_intros_upd AFTER UPDATE ON intros BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'cards', NEW.contact_a), (NEW.user_id, 'cards', NEW.contact_b);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_intros_del AFTER DELETE ON intros BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (OLD.user_id, 'cards', OLD.contact_a), (OLD.user_id, 'cards', OLD.contact_b);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_events_title AFTER UPDATE OF title ON events BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id)
        SELECT DISTINCT user_id, 'cards', contact_id FROM encounters WHERE user_id = NEW.user_id AND event_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_followups_ins AFTER INSERT ON followups BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'tasks', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_followups_upd AFTER UPDATE ON followups BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (NEW.user_id, 'tasks', NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_followups_del AFTER DELETE ON followups BEGIN
    INSERT INTO dav_changes(user_id, coll, item_id) VALUES (OLD.user_id, 'tasks', OLD.id);
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER dav_contacts_ins;
DROP TRIGGER dav_contacts_upd;
DROP TRIGGER dav_contacts_name;
DROP TRIGGER dav_contacts_del;
DROP TRIGGER dav_encounters_ins;
DROP TRIGGER dav_encounters_del;
DROP TRIGGER dav_intros_ins;
DROP TRIGGER dav_intros_upd;
DROP TRIGGER dav_intros_del;
DROP TRIGGER dav_events_title;
DROP TRIGGER dav_followups_ins;
DROP TRIGGER dav_followups_upd;
DROP TRIGGER dav_followups_del;
DROP TABLE dav_changes;
