package crm

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// SameNamed returns up to max of the user's contacts who bear the name
// that logging who at eventID (eventID "": at a new event) would give a
// new contact, case aside, when nothing else would tell that contact from
// them (Named, with its limit on other spellings of the name). It
// returns none when who has an email or a LinkedIn URL, or takes one from
// the event's guest list (fromTheGuestList): those find the contact they
// already are. A name alone does not say whether Jane Doe met again is the
// Jane Doe you know, so the log form asks before it makes a second one.
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
	return s.Named(ctx, userID, who.Name, max)
}

// Named returns up to max of the user's contacts whose name is name, case
// and spaces aside (events.FoldName), in name order. It reads the contacts
// from that name on through the name order's index (contacts_user_name on
// both engines, whose key is the lower-cased name), where those of this
// very name come first, so it finds them however many other contacts
// contain the name; another spelling of it (accents, spaces) is found only
// among those max. A blank name has none.
func (s *Service) Named(ctx context.Context, userID, name string, max int) ([]contacts.Contact, error) {
	folded := events.FoldName(name)
	if folded == "" {
		return nil, nil
	}
	from := strings.ToLower(strings.Join(strings.Fields(name), " "))
	page, err := s.Contacts.Store.Contacts(ctx, userID, contacts.Filter{Sort: contacts.SortName, Cursor: &record.Cursor{S: &from}, Limit: max})
	if err != nil {
		return nil, err
	}
	var same []contacts.Contact
	for _, c := range page.Items {
		if events.FoldName(c.Name) == folded {
			same = append(same, c)
		}
	}
	return same, nil
}
