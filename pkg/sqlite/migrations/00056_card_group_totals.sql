-- +goose Up
-- How many group cards each user keeps and their cards' bytes together,
-- kept by triggers: a group card's PUT checks its bound in its write
-- transaction from this one row, not by reading every card (up to 1 MiB
-- each, on overflow pages).
CREATE TABLE card_group_totals (
    user_id TEXT PRIMARY KEY,
    cards   INTEGER NOT NULL,
    bytes   INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO card_group_totals(user_id, cards, bytes)
    SELECT user_id, count(*), sum(octet_length(card)) FROM card_groups GROUP BY user_id;

-- +goose StatementBegin
CREATE TRIGGER card_group_totals_ins AFTER INSERT ON card_groups BEGIN
    INSERT INTO card_group_totals(user_id, cards, bytes) VALUES (NEW.user_id, 1, octet_length(NEW.card))
        ON CONFLICT (user_id) DO UPDATE SET cards = cards + 1, bytes = bytes + excluded.bytes;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER card_group_totals_upd AFTER UPDATE OF card ON card_groups BEGIN
    UPDATE card_group_totals SET bytes = bytes - octet_length(OLD.card) + octet_length(NEW.card) WHERE user_id = NEW.user_id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER card_group_totals_del AFTER DELETE ON card_groups BEGIN
    UPDATE card_group_totals SET cards = cards - 1, bytes = bytes - octet_length(OLD.card) WHERE user_id = OLD.user_id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER card_group_totals_ins;
DROP TRIGGER card_group_totals_upd;
DROP TRIGGER card_group_totals_del;
DROP TABLE card_group_totals;
