-- +goose Up
-- A contact's follow-ups of one status by due time (the contact page's
-- timeline: those done, latest first). Keyed only by user, contact and
-- status, SQLite read them through followups_user_status_due instead,
-- walking all of the user's done follow-ups for one contact's: 34-38 ms
-- at 100,000 (BenchmarkContactHistory). This index has the old one's keys
-- first, so it serves what that served.
CREATE INDEX followups_user_contact_due ON followups(user_id, contact_id, status, due_at, id);
DROP INDEX followups_user_contact;

-- +goose Down
CREATE INDEX followups_user_contact ON followups(user_id, contact_id, status);
DROP INDEX followups_user_contact_due;
