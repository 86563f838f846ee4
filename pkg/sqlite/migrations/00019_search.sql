-- +goose Up
-- GET /v1/search (PRODUCT.md §9): one full-text index over every record a
-- user wrote, folding case and diacritics (unicode61, remove_diacritics 2;
-- prefix indexes for two- and three-letter prefixes). search_rows names
-- each indexed row (its seq is the FTS rowid) with what an answer shows.
--
-- What is searched of each table is one view (<table>_search); search_put
-- and search_drop are views whose INSTEAD OF triggers add and remove a
-- record, so the triggers of each table only say when. New contacts are
-- added by the adapter, many in one statement (see contacts_fts in 00001).
CREATE TABLE search_rows (
    seq        INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    type       TEXT NOT NULL,
    ref        TEXT NOT NULL,
    title      TEXT NOT NULL DEFAULT '',
    contact_id TEXT NOT NULL DEFAULT '',
    other_id   TEXT NOT NULL DEFAULT '',
    event_id   TEXT NOT NULL DEFAULT '',
    at         TEXT,
    UNIQUE (type, ref)
) STRICT;
CREATE VIRTUAL TABLE search USING fts5(name, body, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE VIEW search_put AS SELECT '' AS user_id, '' AS type, '' AS ref, '' AS title, '' AS contact_id,
    '' AS other_id, '' AS event_id, NULL AS at, '' AS name, '' AS body WHERE 0;
-- +goose StatementBegin
CREATE TRIGGER search_put_row INSTEAD OF INSERT ON search_put BEGIN
    INSERT INTO search_rows(user_id, type, ref, title, contact_id, other_id, event_id, at)
        VALUES (new.user_id, new.type, new.ref, new.title, new.contact_id, new.other_id, new.event_id, new.at);
    INSERT INTO search(rowid, name, body)
        VALUES ((SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref), new.name, new.body);
END;
-- +goose StatementEnd
CREATE VIEW search_drop AS SELECT '' AS type, '' AS ref WHERE 0;
-- +goose StatementBegin
CREATE TRIGGER search_drop_row INSTEAD OF INSERT ON search_drop BEGIN
    DELETE FROM search WHERE rowid = (SELECT seq FROM search_rows WHERE type = new.type AND ref = new.ref);
    DELETE FROM search_rows WHERE type = new.type AND ref = new.ref;
END;
-- +goose StatementEnd

CREATE VIEW contacts_search AS SELECT user_id, 'contact' AS type, id AS ref, name AS title, id AS contact_id,
    '' AS other_id, '' AS event_id, NULL AS at, name,
    concat_ws(' ', company, title, (SELECT group_concat(value, ' ') FROM json_each(emails)),
        (SELECT group_concat(value, ' ') FROM json_each(tags)), notes) AS body
    FROM contacts;
CREATE VIEW encounters_search AS SELECT user_id, 'encounter' AS type, id AS ref, '' AS title, contact_id,
    '' AS other_id, event_id, met_at AS at, (SELECT group_concat(value, ' ') FROM json_each(topics)) AS name,
    notes AS body
    FROM encounters;
CREATE VIEW interactions_search AS SELECT user_id, 'interaction' AS type, id AS ref, '' AS title, contact_id,
    '' AS other_id, '' AS event_id, at, '' AS name, notes AS body
    FROM interactions;
CREATE VIEW intros_search AS SELECT user_id, 'intro' AS type, id AS ref, '' AS title, contact_a AS contact_id,
    contact_b AS other_id, event_id, created_at AS at, '' AS name, context AS body
    FROM intros;
CREATE VIEW events_search AS SELECT user_id, 'event' AS type, id AS ref, title, '' AS contact_id,
    '' AS other_id, id AS event_id, starts_at AS at, title AS name,
    concat_ws(' ', (SELECT group_concat(concat_ws(' ', value ->> 'title', value ->> 'speaker'), ' ') FROM json_each(talks)),
        organizer, location, (SELECT group_concat(value, ' ') FROM json_each(tags)), notes) AS body
    FROM events;
CREATE VIEW opportunities_search AS SELECT user_id, 'opportunity' AS type, id AS ref, title,
    source_contact_id AS contact_id, '' AS other_id, source_event_id AS event_id, created_at AS at, title AS name,
    concat_ws(' ', next_step, notes) AS body
    FROM opportunities;
CREATE VIEW companies_search AS SELECT user_id, 'company' AS type, id AS ref, name AS title, '' AS contact_id,
    '' AS other_id, '' AS event_id, NULL AS at, name,
    concat_ws(' ', domain, (SELECT group_concat(value, ' ') FROM json_each(tags)), notes) AS body
    FROM companies;

-- +goose StatementBegin
CREATE TRIGGER contacts_search_update AFTER UPDATE OF name, company, title, emails, tags, notes ON contacts BEGIN
    INSERT INTO search_drop VALUES ('contact', old.id);
    INSERT INTO search_put SELECT * FROM contacts_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER contacts_search_delete AFTER DELETE ON contacts BEGIN
    INSERT INTO search_drop VALUES ('contact', old.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER encounters_search_insert AFTER INSERT ON encounters BEGIN
    INSERT INTO search_put SELECT * FROM encounters_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounters_search_update AFTER UPDATE ON encounters BEGIN
    INSERT INTO search_drop VALUES ('encounter', old.id);
    INSERT INTO search_put SELECT * FROM encounters_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounters_search_delete AFTER DELETE ON encounters BEGIN
    INSERT INTO search_drop VALUES ('encounter', old.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER interactions_search_insert AFTER INSERT ON interactions BEGIN
    INSERT INTO search_put SELECT * FROM interactions_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interactions_search_update AFTER UPDATE ON interactions BEGIN
    INSERT INTO search_drop VALUES ('interaction', old.id);
    INSERT INTO search_put SELECT * FROM interactions_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER interactions_search_delete AFTER DELETE ON interactions BEGIN
    INSERT INTO search_drop VALUES ('interaction', old.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER intros_search_insert AFTER INSERT ON intros BEGIN
    INSERT INTO search_put SELECT * FROM intros_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER intros_search_update AFTER UPDATE OF contact_a, contact_b, event_id, context ON intros BEGIN
    INSERT INTO search_drop VALUES ('intro', old.id);
    INSERT INTO search_put SELECT * FROM intros_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER intros_search_delete AFTER DELETE ON intros BEGIN
    INSERT INTO search_drop VALUES ('intro', old.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER events_search_insert AFTER INSERT ON events BEGIN
    INSERT INTO search_put SELECT * FROM events_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_search_update AFTER UPDATE OF title, starts_at, talks, organizer, location, tags, notes ON events BEGIN
    INSERT INTO search_drop VALUES ('event', old.id);
    INSERT INTO search_put SELECT * FROM events_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER events_search_delete AFTER DELETE ON events BEGIN
    INSERT INTO search_drop VALUES ('event', old.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER opportunities_search_insert AFTER INSERT ON opportunities BEGIN
    INSERT INTO search_put SELECT * FROM opportunities_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER opportunities_search_update AFTER UPDATE OF title, source_contact_id, source_event_id, next_step, notes ON opportunities BEGIN
    INSERT INTO search_drop VALUES ('opportunity', old.id);
    INSERT INTO search_put SELECT * FROM opportunities_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER opportunities_search_delete AFTER DELETE ON opportunities BEGIN
    INSERT INTO search_drop VALUES ('opportunity', old.id);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER companies_search_insert AFTER INSERT ON companies BEGIN
    INSERT INTO search_put SELECT * FROM companies_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER companies_search_update AFTER UPDATE OF name, domain, tags, notes ON companies BEGIN
    INSERT INTO search_drop VALUES ('company', old.id);
    INSERT INTO search_put SELECT * FROM companies_search WHERE ref = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER companies_search_delete AFTER DELETE ON companies BEGIN
    INSERT INTO search_drop VALUES ('company', old.id);
END;
-- +goose StatementEnd

-- What was written before this migration.
INSERT INTO search_put SELECT * FROM contacts_search;
INSERT INTO search_put SELECT * FROM encounters_search;
INSERT INTO search_put SELECT * FROM interactions_search;
INSERT INTO search_put SELECT * FROM intros_search;
INSERT INTO search_put SELECT * FROM events_search;
INSERT INTO search_put SELECT * FROM opportunities_search;
INSERT INTO search_put SELECT * FROM companies_search;

-- +goose Down
DROP TRIGGER companies_search_delete;
DROP TRIGGER companies_search_update;
DROP TRIGGER companies_search_insert;
DROP TRIGGER opportunities_search_delete;
DROP TRIGGER opportunities_search_update;
DROP TRIGGER opportunities_search_insert;
DROP TRIGGER events_search_delete;
DROP TRIGGER events_search_update;
DROP TRIGGER events_search_insert;
DROP TRIGGER intros_search_delete;
DROP TRIGGER intros_search_update;
DROP TRIGGER intros_search_insert;
DROP TRIGGER interactions_search_delete;
DROP TRIGGER interactions_search_update;
DROP TRIGGER interactions_search_insert;
DROP TRIGGER encounters_search_delete;
DROP TRIGGER encounters_search_update;
DROP TRIGGER encounters_search_insert;
DROP TRIGGER contacts_search_delete;
DROP TRIGGER contacts_search_update;
DROP VIEW companies_search;
DROP VIEW opportunities_search;
DROP VIEW events_search;
DROP VIEW intros_search;
DROP VIEW interactions_search;
DROP VIEW encounters_search;
DROP VIEW contacts_search;
DROP TRIGGER search_drop_row;
DROP VIEW search_drop;
DROP TRIGGER search_put_row;
DROP VIEW search_put;
DROP TABLE search;
DROP TABLE search_rows;
