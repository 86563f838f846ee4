-- Indexes for the insights' window counts.

-- +goose Up
-- Encounters of a user in a time window (topics, people), covering the
-- columns those counts read.
CREATE INDEX encounters_user_met ON encounters(user_id, met_at, contact_id, topics); -- covering: no row reads
-- Contacts with a stay-in-touch cadence (lapsed contacts).
CREATE INDEX contacts_user_cadence ON contacts(user_id) WHERE cadence_days > 0;

-- +goose Down
DROP INDEX contacts_user_cadence;
DROP INDEX encounters_user_met;
