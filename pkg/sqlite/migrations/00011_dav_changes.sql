-- +goose Up
-- What changed in each user's synced collections (CardDAV cards, CalDAV
-- tasks), in order, for sync-collection (RFC 6578): a sync token is a seq,
-- and a client asking with one gets the items changed after it. Written by
-- triggers, so every path that changes a card or a task (API, phone, DAV,
-- imports, restores, cascading deletes) is journaled in its transaction.
-- One b-tree (a commit touches one more page, not three): seq counts per
-- user and collection.
CREATE TABLE dav_changes (
    user_id TEXT NOT NULL,
    coll    TEXT NOT NULL,  -- 'cards' or 'tasks'
    seq     INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    PRIMARY KEY (user_id, coll, seq)
) STRICT, WITHOUT ROWID;

-- +goose StatementBegin
CREATE TRIGGER dav_contacts_ins AFTER INSERT ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_upd AFTER UPDATE ON contacts
WHEN OLD.updated_at IS NOT NEW.updated_at OR OLD.last_contacted_at IS NOT NEW.last_contacted_at BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_name AFTER UPDATE OF name ON contacts WHEN OLD.name IS NOT NEW.name BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'tasks') - 1 + row_number() OVER (), id
        FROM followups WHERE user_id = NEW.user_id AND contact_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_contacts_del AFTER DELETE ON contacts BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'), OLD.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_encounters_ins AFTER INSERT ON encounters BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.contact_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_encounters_del AFTER DELETE ON encounters BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'), OLD.contact_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_intros_ins AFTER INSERT ON intros BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.contact_a);
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.contact_b);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_intros_upd AFTER UPDATE ON intros BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.contact_a);
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.contact_b);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_intros_del AFTER DELETE ON intros BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'), OLD.contact_a);
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'cards'), OLD.contact_b);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_events_title AFTER UPDATE OF title ON events WHEN OLD.title IS NOT NEW.title BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards') - 1 + row_number() OVER (), contact_id
        FROM (SELECT DISTINCT contact_id FROM encounters WHERE user_id = NEW.user_id AND event_id = NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_followups_ins AFTER INSERT ON followups BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'tasks'), NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_followups_upd AFTER UPDATE ON followups
WHEN OLD.updated_at IS NOT NEW.updated_at OR OLD.status IS NOT NEW.status OR OLD.due_at IS NOT NEW.due_at BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'tasks'), NEW.id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_followups_del AFTER DELETE ON followups BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (OLD.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = OLD.user_id AND coll = 'tasks'), OLD.id);
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
