-- +goose Up
-- New encounters are put in the search index, counted (topics by day,
-- encounters by contact) and journaled for sync-collection by a statement
-- each for all of them (indexEncounters: one encounter when it is logged,
-- a batch of a restore) instead of four triggers run for each row: issue
-- 28, a restore's time. Updates and deletes keep their triggers.
DROP TRIGGER dav_encounters_ins;
DROP TRIGGER encounters_search_insert;
DROP TRIGGER encounters_topic_days_insert;
DROP TRIGGER encounter_counts_insert;

-- +goose Down
-- +goose StatementBegin
CREATE TRIGGER dav_encounters_ins AFTER INSERT ON encounters BEGIN
    INSERT INTO dav_changes(user_id, coll, seq, item_id) VALUES (NEW.user_id, 'cards', (SELECT coalesce(max(seq), 0) + 1 FROM dav_changes WHERE user_id = NEW.user_id AND coll = 'cards'), NEW.contact_id);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounters_search_insert AFTER INSERT ON encounters BEGIN
    INSERT INTO search_put SELECT * FROM encounters_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounters_topic_days_insert AFTER INSERT ON encounters BEGIN
    INSERT INTO topic_days(user_id, day, topic, n)
        SELECT new.user_id, substr(new.met_at, 1, 10), rapport_topic(value), count(*) FROM json_each(new.topics)
        WHERE rapport_topic(value) <> '' GROUP BY 3
        ON CONFLICT(user_id, day, topic) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounter_counts_insert AFTER INSERT ON encounters BEGIN
    INSERT INTO encounter_counts(user_id, contact_id, n) VALUES (new.user_id, new.contact_id, 1)
        ON CONFLICT(user_id, contact_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
