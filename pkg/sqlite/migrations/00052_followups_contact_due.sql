-- +goose Up
-- A contact's follow-ups by due time, of any status or of one (the contact
-- page's timeline: those done, latest first; GET /v1/followups?contact_id=).
-- Keyed only by user, contact and status, they could not come in due
-- order: SQLite read them through followups_user_status_due or
-- followups_user_due instead, walking all of the user's follow-ups for
-- one contact's: 34-79 ms at 100,000 (BenchmarkContactHistory). A
-- contact's follow-ups are few, so one of a status is found among them.
CREATE INDEX followups_user_contact_due ON followups(user_id, contact_id, due_at, id);
DROP INDEX followups_user_contact;

-- +goose Down
CREATE INDEX followups_user_contact ON followups(user_id, contact_id, status);
DROP INDEX followups_user_contact_due;
