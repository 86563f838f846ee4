-- +goose Up
-- Opportunities (PRODUCT.md §8): lists read whole are JSON (recruiters,
-- stage history); the references queried have their own indexes.
CREATE TABLE opportunities (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL,
    title             TEXT NOT NULL,
    company_id        TEXT NOT NULL DEFAULT '',
    kind              TEXT NOT NULL,
    stage             TEXT NOT NULL,
    source_contact_id TEXT NOT NULL DEFAULT '',
    source_event_id   TEXT NOT NULL DEFAULT '',
    recruiter_ids     TEXT NOT NULL DEFAULT '[]',
    next_step         TEXT NOT NULL DEFAULT '',
    next_step_at      TEXT,
    notes             TEXT NOT NULL DEFAULT '',
    history           TEXT NOT NULL DEFAULT '[]',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX opportunities_user ON opportunities(user_id, created_at, id);
CREATE INDEX opportunities_user_stage ON opportunities(user_id, stage, created_at, id);
CREATE INDEX opportunities_user_company ON opportunities(user_id, company_id) WHERE company_id != '';
CREATE INDEX opportunities_user_contact ON opportunities(user_id, source_contact_id) WHERE source_contact_id != '';
CREATE INDEX opportunities_user_event ON opportunities(user_id, source_event_id) WHERE source_event_id != '';

-- An opportunity's next step is a follow-up pointing at it.
ALTER TABLE followups ADD COLUMN opportunity_id TEXT NOT NULL DEFAULT '';
CREATE INDEX followups_user_opportunity ON followups(user_id, opportunity_id) WHERE opportunity_id != '';

-- +goose Down
DROP INDEX followups_user_opportunity;
ALTER TABLE followups DROP COLUMN opportunity_id;
DROP TABLE opportunities;
