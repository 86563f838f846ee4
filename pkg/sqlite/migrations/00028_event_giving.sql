-- +goose Up
-- What you gave an event with no contact (volunteered, spoke: PRODUCT.md
-- §11) is an interaction naming the event.
ALTER TABLE interactions ADD COLUMN event_id TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE interactions DROP COLUMN event_id;
