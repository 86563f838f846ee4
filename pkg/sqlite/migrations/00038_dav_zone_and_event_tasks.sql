-- +goose Up
-- What cards and tasks show that the journal did not list: the dates on
-- both are in the user's time zone, so a change of time zone lists every
-- card and task of the user; a task names the event it follows up and its
-- day, so a change of an event's title or start lists the tasks at it (a
-- title change listed its cards already, dav_events_title). Without these
-- a client syncing by sync-collection kept the old text, and an ETag its
-- next PUT failed against.
-- +goose StatementBegin
CREATE TRIGGER dav_users_timezone AFTER UPDATE OF timezone ON users WHEN OLD.timezone IS NOT NEW.timezone BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.id AND coll = 'cards') - 1 + row_number() OVER (), id
        FROM contacts WHERE user_id = NEW.id;
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.id AND coll = 'tasks') - 1 + row_number() OVER (), id
        FROM followups WHERE user_id = NEW.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER dav_events_tasks AFTER UPDATE OF title, starts_at ON events
WHEN OLD.title IS NOT NEW.title OR OLD.starts_at IS NOT NEW.starts_at BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id)
        SELECT NEW.user_id, 'tasks', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'tasks') - 1 + row_number() OVER (), id
        FROM followups WHERE user_id = NEW.user_id AND event_id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER dav_users_timezone;
DROP TRIGGER dav_events_tasks;
