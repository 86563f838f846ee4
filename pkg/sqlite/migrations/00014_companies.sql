-- +goose Up
-- Companies (PRODUCT.md §8) and the keys that keep one company per
-- organisation: its name's key and its domain, each held by one company
-- of a user. Contacts point at theirs by company_id.
CREATE TABLE companies (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    domain     TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL DEFAULT '',
    tags       TEXT NOT NULL DEFAULT '[]',
    notes      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX companies_user_name ON companies(user_id, name_lower, id);

CREATE TABLE company_keys (
    user_id    TEXT NOT NULL,
    key        TEXT NOT NULL,
    company_id TEXT NOT NULL,
    PRIMARY KEY (user_id, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX company_keys_company ON company_keys(company_id);

ALTER TABLE contacts ADD COLUMN company_id TEXT NOT NULL DEFAULT '';
CREATE INDEX contacts_user_company ON contacts(user_id, company_id) WHERE company_id != '';

-- +goose Down
DROP INDEX contacts_user_company;
ALTER TABLE contacts DROP COLUMN company_id;
DROP TABLE company_keys;
DROP TABLE companies;
