package crm

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
)

// SameNamed returns up to max of the user's contacts who bear the name
// that logging who at eventID (eventID "": at a new event) would give a
// new contact, case and accents aside, when nothing else would tell that
// contact from them (NamedAnySpelling). It returns none when who has an
// email or a LinkedIn URL, or takes one from the event's guest list
// (fromTheGuestList): those find the contact they already are. A name
// alone does not say whether Jane Doe met again is the Jane Doe you know,
// so the log form asks before it makes a second one.
func (s *Service) SameNamed(ctx context.Context, userID, eventID string, who contacts.Input, max int) ([]contacts.Contact, error) {
	if eventID != "" {
		var err error
		if who, err = s.fromTheGuestList(ctx, userID, eventID, who); err != nil {
			return nil, err
		}
	}
	if len(who.Emails) > 0 || who.LinkedInURL != "" {
		return nil, nil
	}
	return s.NamedAnySpelling(ctx, userID, who.Name, max)
}

// Named returns up to max of the user's contacts whose name is name, case,
// accents and spaces aside (events.FoldName), in name order. It reads the
// contacts from that name on through the name order's index
// (contacts_user_name on both engines, whose key is the lower-cased name),
// where those of this very name come first, so it finds them however many
// other contacts contain the name; another spelling of it (accents,
// spaces) is found only among those max (NamedAnySpelling finds it
// anywhere). A blank name has none.
func (s *Service) Named(ctx context.Context, userID, name string, max int) ([]contacts.Contact, error) {
	same, _, err := s.named(ctx, userID, name, max)
	return same, err
}

// NamedAnySpelling is Named, and when that finds fewer than max, the
// contacts of the name spelled otherwise anywhere in the name order (José
// sorts after every "Jos…" in plain letters, and Jose before José): those
// are asked of the search index, which folds accents on both engines,
// among its best search.MaxLimit contacts for the name's words. It costs
// a search when Named comes short: for a name a person typed, not for
// every name on a page.
func (s *Service) NamedAnySpelling(ctx context.Context, userID, name string, max int) ([]contacts.Contact, error) {
	same, found, err := s.named(ctx, userID, name, max)
	if err != nil || found == nil || len(same) >= max { // found is nil for a blank name
		return same, err
	}
	others, err := s.spelledOtherwise(ctx, userID, name, events.FoldName(name), found)
	if err != nil {
		return nil, err
	}
	return append(same, others[:min(len(others), max-len(same))]...), nil
}

// named is Named, with the ids it found.
func (s *Service) named(ctx context.Context, userID, name string, max int) ([]contacts.Contact, map[string]bool, error) {
	folded := events.FoldName(name)
	if folded == "" {
		return nil, nil, nil
	}
	from := strings.ToLower(strings.Join(strings.Fields(name), " "))
	page, err := s.Contacts.Store.Contacts(ctx, userID, contacts.Filter{Sort: contacts.SortName, Cursor: &record.Cursor{S: &from}, Limit: max})
	if err != nil {
		return nil, nil, err
	}
	var same []contacts.Contact
	found := map[string]bool{}
	for _, c := range page.Items {
		if events.FoldName(c.Name) == folded {
			same, found[c.ID] = append(same, c), true
		}
	}
	return same, found, nil
}

// spelledOtherwise returns the user's contacts whose name folds to folded
// (name's folded form) that the search index finds for name's words, but
// for those in found, in name order.
func (s *Service) spelledOtherwise(ctx context.Context, userID, name, folded string, found map[string]bool) ([]contacts.Contact, error) {
	terms := search.Terms(name)
	if len(terms) == 0 {
		return nil, nil
	}
	hits, err := s.search.Search(ctx, search.Query{UserID: userID, Terms: terms, Types: []string{search.Contact}, Limit: search.MaxLimit})
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, h := range hits {
		if !found[h.ID] && events.FoldName(h.Title) == folded {
			ids = append(ids, h.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	byID, err := s.Contacts.Store.ContactsByID(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	var out []contacts.Contact
	for _, id := range ids {
		if c, ok := byID[id]; ok && events.FoldName(c.Name) == folded {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b contacts.Contact) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}
