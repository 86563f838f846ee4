-- +goose Up
-- How many encounters each contact has (issue 28: insights on a dense
-- account). Kept by triggers in the same statement as the encounters, so
-- when every encounter of a user falls in an insights window the people
-- met most are read from encounter_counts_user_n, twenty rows, instead of
-- grouping all the user's encounters (pkg/sqlite/insights.go).
CREATE TABLE encounter_counts (
    user_id    TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    n          INTEGER NOT NULL,
    PRIMARY KEY (user_id, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX encounter_counts_user_n ON encounter_counts(user_id, n DESC, contact_id);
INSERT INTO encounter_counts(user_id, contact_id, n)
    SELECT user_id, contact_id, count(*) FROM encounters GROUP BY user_id, contact_id;
-- +goose StatementBegin
CREATE TRIGGER encounter_counts_insert AFTER INSERT ON encounters BEGIN
    INSERT INTO encounter_counts(user_id, contact_id, n) VALUES (new.user_id, new.contact_id, 1)
        ON CONFLICT(user_id, contact_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounter_counts_delete AFTER DELETE ON encounters BEGIN
    UPDATE encounter_counts SET n = n - 1 WHERE user_id = old.user_id AND contact_id = old.contact_id;
    DELETE FROM encounter_counts WHERE user_id = old.user_id AND contact_id = old.contact_id AND n <= 0;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER encounter_counts_move AFTER UPDATE OF contact_id ON encounters WHEN old.contact_id != new.contact_id BEGIN
    UPDATE encounter_counts SET n = n - 1 WHERE user_id = old.user_id AND contact_id = old.contact_id;
    DELETE FROM encounter_counts WHERE user_id = old.user_id AND contact_id = old.contact_id AND n <= 0;
    INSERT INTO encounter_counts(user_id, contact_id, n) VALUES (new.user_id, new.contact_id, 1)
        ON CONFLICT(user_id, contact_id) DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER encounter_counts_move;
DROP TRIGGER encounter_counts_delete;
DROP TRIGGER encounter_counts_insert;
DROP TABLE encounter_counts;
