-- +goose Up
-- A user's done follow-ups by when they ended: the task list shows those
-- of the last 30 days (DoneSince), where it read every one ever done.
CREATE INDEX followups_user_done_ended ON followups(user_id, ended_at, id) WHERE status = 'done';

-- +goose Down
DROP INDEX followups_user_done_ended;
