package sqlite

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// ImportContacts stores many contacts in one transaction. Which ones are
// held is decided before writing (the transaction holds the write lock, so
// nothing changes meanwhile): no savepoints, which cost a statement journal
// and a flush of the full-text index for each contact. The keys held
// before are read in one query a user (heldKeys). The contacts enter the
// search index after it answers (search_pending.go).
func (s *Contacts) ImportContacts(ctx context.Context, cs []*contacts.Contact) (map[int]string, error) {
	held := map[int]string{}
	err := s.DB.Update(ctx, func(tx *Tx) error {
		clear(held)
		claimed, err := tx.heldKeys(ctx, cs) // user|key -> contact, before and within this batch
		if err != nil {
			return err
		}
		var stored []*contacts.Contact
	next:
		for i, c := range cs {
			keys := contacts.DedupeKeys(c)
			for _, k := range keys {
				if holder, ok := claimed[c.UserID+"|"+k]; ok {
					held[i] = holder
					continue next
				}
			}
			for _, k := range keys {
				claimed[c.UserID+"|"+k] = c.ID
			}
			stored = append(stored, c)
		}
		if err := tx.insertContacts(ctx, stored); err != nil {
			return err
		}
		return tx.indexContactsLater(ctx, stored)
	})
	if err != nil {
		return nil, err
	}
	return held, nil
}

// heldKeys returns which contacts hold the dedupe keys of cs already, as
// user|key -> contact id: one query of contact_keys' primary key a user.
func (tx *Tx) heldKeys(ctx context.Context, cs []*contacts.Contact) (map[string]string, error) {
	keysOf := map[string][]string{}
	for _, c := range cs {
		keysOf[c.UserID] = append(keysOf[c.UserID], contacts.DedupeKeys(c)...)
	}
	out := map[string]string{}
	for userID, keys := range keysOf {
		held, err := contactKeys.holders(ctx, tx.tx, userID, keys)
		if err != nil {
			return nil, err
		}
		for key, id := range held {
			out[userID+"|"+key] = id
		}
	}
	return out, nil
}
