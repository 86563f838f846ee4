-- +goose Up
-- What a contact's card in an address book holds that Rapport has no
-- field for (a birthday, an address, a photo), as a vCard of those
-- properties: served back in the card (contacts.Contact.CardExtra).
ALTER TABLE contacts ADD COLUMN card_extra TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE contacts DROP COLUMN card_extra;
