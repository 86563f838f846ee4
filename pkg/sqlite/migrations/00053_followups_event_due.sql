-- +goose Up
-- An event's follow-ups by due time, of any status (the event's page lists
-- them with their state; its review counts them). Keyed by user and event
-- alone, they would come through followups_user_due, walking all of the
-- user's follow-ups, as a contact's did before 00052.
CREATE INDEX followups_user_event_due ON followups(user_id, event_id, due_at, id) WHERE event_id != '';
DROP INDEX followups_user_event;

-- +goose Down
CREATE INDEX followups_user_event ON followups(user_id, event_id) WHERE event_id != '';
DROP INDEX followups_user_event_due;
