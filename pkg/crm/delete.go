package crm

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Deleting: an event, a contact, an encounter or an interaction with what
// hangs on it, and the last contact set back when what it was goes.

// DeleteEvent deletes an event and its encounters; their pending
// follow-ups are cancelled, intros made at the event keep existing
// without an event, and the people met there whose last contact it was
// get the one before (as DeleteEncounter).
func (s *Service) DeleteEvent(ctx context.Context, u *accounts.User, id string) error {
	_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) {
		return struct{}{}, s.deleteEvent(ctx, u, id)
	})
	return err
}

func (s *Service) deleteEvent(ctx context.Context, u *accounts.User, id string) error {
	userID := u.ID
	if _, err := s.Events.Store.Event(ctx, userID, id); err != nil {
		return err
	}
	encs, err := s.encountersAt(ctx, userID, id)
	if err != nil {
		return err
	}
	met, gone := map[string]time.Time{}, map[string]bool{}
	for _, e := range encs {
		if e.MetAt.After(met[e.ContactID]) {
			met[e.ContactID] = e.MetAt
		}
		gone[e.ID] = true
	}
	// The last contacts are set back first, from what is left without the
	// event's encounters, then the encounters go, each step with its undo:
	// a unit that fails (on MongoDB, where the steps are not one
	// transaction) puts the encounters back before the last contacts, so
	// the delete sent again finds whom it must set back.
	if err := s.lastContactsWithout(ctx, u, met, gone); err != nil {
		return err
	}
	s.tx.OnFail(func(ctx context.Context) error { return s.putBack(ctx, encs) })
	encIDs, err := s.Contacts.DeleteEncountersOf(ctx, userID, "event_id", []string{id})
	if err != nil {
		return err
	}
	s.touchContacts(ctx, userID)
	if err := s.Followups.DetachFrom(ctx, userID, "encounter_id", encIDs); err != nil {
		return err
	}
	if err := s.Followups.DetachFrom(ctx, userID, "event_id", []string{id}); err != nil {
		return err
	}
	if err := s.Contacts.DetachIntrosFromEvent(ctx, userID, id); err != nil {
		return err
	}
	if err := s.detachOpportunities(ctx, userID, opportunities.RefEvent, []string{id}); err != nil {
		return err
	}
	if err := s.Contacts.Store.DeleteEventGiving(ctx, userID, id); err != nil {
		return err
	}
	if err := s.Attendees.DeleteAttendeesOf(ctx, userID, id); err != nil {
		return err
	}
	if err := s.Followups.CancelForEvent(ctx, userID, id); err != nil {
		return err
	}
	return s.Events.Delete(ctx, userID, id)
}

// encountersAt are the encounters at an event.
func (s *Service) encountersAt(ctx context.Context, userID, eventID string) ([]contacts.Encounter, error) {
	var out []contacts.Encounter
	err := record.EachPage(func(cur *record.Cursor) (*record.Page[contacts.Encounter], error) {
		return s.Contacts.Store.Encounters(ctx, userID, contacts.EncounterQuery{EventID: eventID, Limit: 500, Cursor: cur})
	}, func(es []contacts.Encounter) bool {
		out = append(out, es...)
		return true
	})
	return out, err
}

// putBack stores encounters deleted by a unit that failed again, those
// still there (a delete cut short) left as they are.
func (s *Service) putBack(ctx context.Context, encs []contacts.Encounter) error {
	for i := range encs {
		if err := s.Contacts.Store.CreateEncounter(ctx, &encs[i]); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	return nil
}

// DeleteContact deletes a contact with everything about it: encounters,
// interactions, intros it is part of, and its follow-ups (including intro
// checks filed under the other contact of a deleted intro).
func (s *Service) DeleteContact(ctx context.Context, userID, id string) error {
	_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) {
		return struct{}{}, s.deleteContact(ctx, userID, id)
	})
	return err
}

// deleteContact deletes one of the user's contacts with its history
// (removeHistory); NotFound, before anything is removed, if there is none.
func (s *Service) deleteContact(ctx context.Context, userID, id string) error {
	if _, err := s.Contacts.Store.Contact(ctx, userID, id); err != nil {
		return err
	}
	if err := s.removeHistory(ctx, userID, []string{id}); err != nil {
		return err
	}
	return s.Contacts.Delete(ctx, userID, id)
}

// removeHistory removes what points at contacts about to be deleted, a
// statement a kind for all of ids: their encounters, interactions,
// intros (and the follow-ups waiting on those), follow-ups, and their
// places in opportunities.
func (s *Service) removeHistory(ctx context.Context, userID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	if _, err := s.Contacts.DeleteEncountersOf(ctx, userID, "contact_id", ids); err != nil {
		return err
	}
	if err := s.Contacts.Store.DeleteInteractionsOf(ctx, userID, ids); err != nil {
		return err
	}
	introIDs, err := s.Contacts.DeleteIntrosOf(ctx, userID, ids)
	if err != nil {
		return err
	}
	if err := s.Followups.DetachFrom(ctx, userID, "intro_id", introIDs); err != nil {
		return err
	}
	if err := s.detachOpportunities(ctx, userID, opportunities.RefContact, ids); err != nil {
		return err
	}
	return s.Followups.DeleteForContacts(ctx, userID, ids)
}

// DeleteEncounter deletes an encounter and cancels the pending follow-ups
// it created; when it was the contact's last contact, last_contacted_at
// goes back as DeleteInteraction's does.
func (s *Service) DeleteEncounter(ctx context.Context, u *accounts.User, id string) error {
	_, err := atomically(ctx, s, func(ctx context.Context, s *Service) (struct{}, error) {
		return struct{}{}, s.deleteEncounter(ctx, u, id)
	})
	return err
}

func (s *Service) deleteEncounter(ctx context.Context, u *accounts.User, id string) error {
	e, err := s.Contacts.Store.DeleteEncounter(ctx, u.ID, id)
	if err != nil {
		return err
	}
	s.tx.OnFail(func(ctx context.Context) error { return s.Contacts.Store.CreateEncounter(ctx, e) })
	s.touchContacts(ctx, u.ID) // insights count encounters
	if err := s.Followups.DetachFrom(ctx, u.ID, "encounter_id", []string{id}); err != nil {
		return err
	}
	return s.lastContactWithout(ctx, u, e.ContactID, e.MetAt)
}

// DeleteInteraction removes an interaction logged by mistake (or a giving
// to an event). When it was the contact's last contact, last_contacted_at
// goes back to the latest encounter or interaction left (none: never) and
// the stay-in-touch follow-up is re-dated from it; follow-ups it marked
// done stay done, and known_since stays (the edit page sets it).
func (s *Service) DeleteInteraction(ctx context.Context, u *accounts.User, id string) (*contacts.Interaction, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Interaction, error) {
		it, err := s.Contacts.Store.DeleteInteraction(ctx, u.ID, id)
		if err != nil {
			return nil, err
		}
		s.tx.OnFail(func(ctx context.Context) error { return s.Contacts.Store.CreateInteraction(ctx, it) })
		s.touchContacts(ctx, u.ID) // insights and the giving ledger count them
		if it.ContactID == "" {
			return it, nil
		}
		return it, s.lastContactWithout(ctx, u, it.ContactID, it.At)
	})
}

// lastContactWithout sets the contact's last contact back from removed, a
// contact taken away, if removed was it: to the latest encounter or
// interaction left.
func (s *Service) lastContactWithout(ctx context.Context, u *accounts.User, contactID string, removed time.Time) error {
	return s.lastContactsWithout(ctx, u, map[string]time.Time{contactID: removed}, nil)
}

// lastContactsWithout is lastContactWithout for each contact of removed
// (contact id → the latest contact with them taken away), the encounters
// of gone (by id) left out as if deleted already. Contacts gone are left
// out.
func (s *Service) lastContactsWithout(ctx context.Context, u *accounts.User, removed map[string]time.Time, gone map[string]bool) error {
	cs, err := s.Contacts.Store.ContactsByID(ctx, u.ID, slices.Collect(maps.Keys(removed)))
	if err != nil {
		return err
	}
	var ids []string // those whose last contact was one taken away
	for id, c := range cs {
		if c.LastContactedAt != nil && !c.LastContactedAt.After(removed[id]) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	encs, err := s.Contacts.Store.EncountersWith(ctx, u.ID, ids)
	if err != nil {
		return err
	}
	met := map[string]contacts.Encounter{} // the latest left of each
	for _, e := range encs {
		if !gone[e.ID] && !e.MetAt.Before(met[e.ContactID].MetAt) {
			met[e.ContactID] = e
		}
	}
	for _, id := range ids {
		var last *time.Time
		its, err := s.Contacts.Store.Interactions(ctx, u.ID, id, 1, nil)
		if err != nil {
			return err
		}
		if len(its.Items) > 0 {
			last = &its.Items[0].At
		}
		if e, ok := met[id]; ok && (last == nil || e.MetAt.After(*last)) {
			last = &e.MetAt
		}
		was := cs[id].LastContactedAt
		c, err := s.Contacts.Store.SetLastContacted(ctx, u.ID, id, last)
		if err != nil {
			return err
		}
		s.tx.OnFail(func(ctx context.Context) error {
			_, err := s.Contacts.Store.SetLastContacted(ctx, u.ID, id, was)
			return err
		})
		if err := s.cadence(ctx, u, c); err != nil {
			return err
		}
	}
	return nil
}
