-- +goose Up
-- The desk's hot topics by month (insights.Source.TopicMonths): a count
-- per user, month (UTC, "2006-01") and topic (encounter topics and event
-- tags, lower-cased and trimmed by rapport_topic, a Go function of
-- pkg/sqlite/fold.go), kept by the triggers below as encounters and events
-- are written, so the chart reads a few rows instead of counting every
-- encounter of a year (240 ms on 100,000).
CREATE TABLE topic_months (
    user_id TEXT NOT NULL,
    month   TEXT NOT NULL,
    topic   TEXT NOT NULL,
    n       INTEGER NOT NULL,
    PRIMARY KEY (user_id, month, topic)
) STRICT, WITHOUT ROWID;
-- +goose StatementBegin
CREATE TRIGGER encounters_topic_months_insert AFTER INSERT ON encounters BEGIN
    INSERT INTO topic_months(user_id, month, topic, n)
        SELECT new.user_id, substr(new.met_at, 1, 7), rapport_topic(value), count(*) FROM json_each(new.topics)
        WHERE rapport_topic(value) <> '' GROUP BY 3
        ON CONFLICT(user_id, month, topic) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounters_topic_months_delete AFTER DELETE ON encounters BEGIN
    UPDATE topic_months SET n = n - (SELECT count(*) FROM json_each(old.topics) WHERE rapport_topic(value) = topic_months.topic)
        WHERE user_id = old.user_id AND month = substr(old.met_at, 1, 7) AND topic IN (SELECT rapport_topic(value) FROM json_each(old.topics));
    DELETE FROM topic_months WHERE user_id = old.user_id AND month = substr(old.met_at, 1, 7) AND n <= 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounters_topic_months_update AFTER UPDATE OF user_id, met_at, topics ON encounters BEGIN
    UPDATE topic_months SET n = n - (SELECT count(*) FROM json_each(old.topics) WHERE rapport_topic(value) = topic_months.topic)
        WHERE user_id = old.user_id AND month = substr(old.met_at, 1, 7) AND topic IN (SELECT rapport_topic(value) FROM json_each(old.topics));
    DELETE FROM topic_months WHERE user_id = old.user_id AND month = substr(old.met_at, 1, 7) AND n <= 0;
    INSERT INTO topic_months(user_id, month, topic, n)
        SELECT new.user_id, substr(new.met_at, 1, 7), rapport_topic(value), count(*) FROM json_each(new.topics)
        WHERE rapport_topic(value) <> '' GROUP BY 3
        ON CONFLICT(user_id, month, topic) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_topic_months_insert AFTER INSERT ON events BEGIN
    INSERT INTO topic_months(user_id, month, topic, n)
        SELECT new.user_id, substr(new.starts_at, 1, 7), rapport_topic(value), count(*) FROM json_each(new.tags)
        WHERE rapport_topic(value) <> '' GROUP BY 3
        ON CONFLICT(user_id, month, topic) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_topic_months_delete AFTER DELETE ON events BEGIN
    UPDATE topic_months SET n = n - (SELECT count(*) FROM json_each(old.tags) WHERE rapport_topic(value) = topic_months.topic)
        WHERE user_id = old.user_id AND month = substr(old.starts_at, 1, 7) AND topic IN (SELECT rapport_topic(value) FROM json_each(old.tags));
    DELETE FROM topic_months WHERE user_id = old.user_id AND month = substr(old.starts_at, 1, 7) AND n <= 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_topic_months_update AFTER UPDATE OF user_id, starts_at, tags ON events BEGIN
    UPDATE topic_months SET n = n - (SELECT count(*) FROM json_each(old.tags) WHERE rapport_topic(value) = topic_months.topic)
        WHERE user_id = old.user_id AND month = substr(old.starts_at, 1, 7) AND topic IN (SELECT rapport_topic(value) FROM json_each(old.tags));
    DELETE FROM topic_months WHERE user_id = old.user_id AND month = substr(old.starts_at, 1, 7) AND n <= 0;
    INSERT INTO topic_months(user_id, month, topic, n)
        SELECT new.user_id, substr(new.starts_at, 1, 7), rapport_topic(value), count(*) FROM json_each(new.tags)
        WHERE rapport_topic(value) <> '' GROUP BY 3
        ON CONFLICT(user_id, month, topic) DO UPDATE SET n = n + excluded.n;
END;
-- +goose StatementEnd

-- What was written before this migration.
INSERT INTO topic_months(user_id, month, topic, n)
    SELECT user_id, month, topic, sum(n) FROM (
        SELECT e.user_id, substr(e.met_at, 1, 7) AS month, rapport_topic(j.value) AS topic, count(*) AS n
            FROM encounters e, json_each(e.topics) j WHERE rapport_topic(j.value) <> '' GROUP BY 1, 2, 3
        UNION ALL
        SELECT e.user_id, substr(e.starts_at, 1, 7), rapport_topic(j.value), count(*)
            FROM events e, json_each(e.tags) j WHERE rapport_topic(j.value) <> '' GROUP BY 1, 2, 3)
    WHERE true GROUP BY 1, 2, 3;

-- +goose Down
DROP TRIGGER events_topic_months_update;
DROP TRIGGER events_topic_months_delete;
DROP TRIGGER events_topic_months_insert;
DROP TRIGGER encounters_topic_months_update;
DROP TRIGGER encounters_topic_months_delete;
DROP TRIGGER encounters_topic_months_insert;
DROP TABLE topic_months;
