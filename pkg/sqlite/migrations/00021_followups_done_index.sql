-- +goose Up
-- The done follow-ups by when they ended: the sweep journals those whose
-- 30 days in the task list just ended (dav.Changes.AgeOut).
CREATE INDEX followups_done_ended ON followups(ended_at) WHERE status = 'done';

-- +goose Down
DROP INDEX followups_done_ended;
