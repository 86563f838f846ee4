package web

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
)

// The groups an address book app keeps as cards of their own (macOS
// Contacts, DAVx5 in its default mode: contacts.CardGroup) shown on the
// desk: on a contact's page, the groups the phone has them in; in the
// contacts table, a filter by group. Read from the cards as the app sent
// them; changed only in the app.

// phoneGroup is one of the user's group cards with its members' UIDs.
type phoneGroup struct {
	Name, DAVName string
	members       map[string]bool
}

// phoneGroups reads the user's group cards (at most
// contacts.MaxCardGroups), in the order the store lists them.
func (s *pages) phoneGroups(ctx context.Context, userID string) ([]phoneGroup, error) {
	gs, err := s.CRM.Contacts.Store.CardGroups(ctx, userID)
	if err != nil {
		return nil, err
	}
	out := make([]phoneGroup, 0, len(gs))
	for _, g := range gs {
		pg := phoneGroup{Name: g.Name, DAVName: g.DAVName, members: map[string]bool{}}
		for _, uid := range codec.GroupMembers(g.Card) {
			pg.members[uid] = true
		}
		out = append(out, pg)
	}
	return out, nil
}

// groupsOf are those of gs the contact's card is a member of.
func groupsOf(gs []phoneGroup, ct *contacts.Contact) []phoneGroup {
	var in []phoneGroup
	for _, g := range gs {
		if g.members[ct.ServedUID()] {
			in = append(in, g)
		}
	}
	return in
}

// groupMembers returns the ids of the user's contacts whose cards are
// members of the group card named davName (none if there is no such
// group). A member is named by its card's UID: a card Rapport named
// carries the contact's id; one an app made, the app's UID, which apps
// also name the card's file by (its resource name, a key the store
// finds) — each found checked against the UID it carries.
func (s *pages) groupMembers(ctx context.Context, userID, davName string) ([]string, error) {
	ids := []string{}
	g, err := s.CRM.Contacts.Store.CardGroup(ctx, userID, davName)
	if apperr.Is(err, apperr.NotFound) {
		return ids, nil
	}
	if err != nil {
		return nil, err
	}
	uids := codec.GroupMembers(g.Card)
	if len(uids) == 0 {
		return ids, nil
	}
	keys := make([]string, len(uids))
	for i, uid := range uids {
		keys[i] = contacts.DAVKey(uid)
	}
	named, err := s.CRM.Contacts.Store.ContactIDsByKeys(ctx, userID, keys)
	if err != nil {
		return nil, err
	}
	candidates := append([]string{}, uids...)
	for _, id := range named {
		candidates = append(candidates, id)
	}
	found, err := s.CRM.Contacts.Store.ContactsByID(ctx, userID, candidates)
	if err != nil {
		return nil, err
	}
	member := map[string]bool{}
	for _, uid := range uids {
		member[uid] = true
	}
	for id, ct := range found {
		if member[ct.ServedUID()] {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
