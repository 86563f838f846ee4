-- +goose Up
-- Since when the user has known each contact, by its id, without its row:
-- "Worth it?" (PeopleMetAt) looks up the people met at the latest events
-- one by one, and known_since is the row's last column, after card_extra,
-- so each lookup walked a card's photo page by page to reach it
-- (BenchmarkPeopleMetAt, 30 KB photos: 20-30 ms, 10-11 ms from this index;
-- without photos the same, 9-11 ms).
CREATE INDEX contacts_known_of ON contacts(id, user_id, known_since, created_at);

-- +goose Down
DROP INDEX contacts_known_of;
