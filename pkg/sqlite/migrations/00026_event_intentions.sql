-- +goose Up
-- Why you go (PRODUCT.md §11): an event's intentions (what to meet,
-- learn, give), targets (contacts, companies or names to meet there) and
-- series (a recurring meetup's name), as JSON and text.
ALTER TABLE events ADD COLUMN intentions TEXT NOT NULL DEFAULT '{"meet":[],"learn":[],"give":[]}';
ALTER TABLE events ADD COLUMN targets TEXT NOT NULL DEFAULT '[]';
ALTER TABLE events ADD COLUMN series TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE events DROP COLUMN series;
ALTER TABLE events DROP COLUMN targets;
ALTER TABLE events DROP COLUMN intentions;
