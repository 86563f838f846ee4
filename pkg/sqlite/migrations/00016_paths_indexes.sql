-- +goose Up
-- Warm paths (GET /v1/companies/{id}/paths) read the people at a company
-- in name order and who was met at an event: indexes that answer both
-- without reading every contact or encounter of the user.
DROP INDEX contacts_user_company;
CREATE INDEX contacts_user_company ON contacts(user_id, company_id, name_lower, id) WHERE company_id != '';
CREATE INDEX encounters_user_event_contact ON encounters(user_id, event_id, contact_id, met_at);

-- +goose Down
DROP INDEX encounters_user_event_contact;
DROP INDEX contacts_user_company;
CREATE INDEX contacts_user_company ON contacts(user_id, company_id) WHERE company_id != '';
