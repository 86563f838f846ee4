package web

import (
	"context"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// namedOrMatching returns the contacts a name typed into a form may mean,
// besides the contact except (the page's own; "" for none): exact, those
// of that very name, case, accents and spaces aside (crm.NamedAnySpelling:
// found however many others contain the name, José when Jose is typed
// too), and all, exact first and then those the text search finds, at
// most max in all. A text search alone, in name order, filled its places
// with the names that contain the one typed and sort before it, and left
// out the very contact named.
func (s *pages) namedOrMatching(ctx context.Context, userID, name, except string, max int) (exact, all []contacts.Contact, err error) {
	named, err := s.CRM.NamedAnySpelling(ctx, userID, name, max+1)
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{except: true}
	for _, c := range named {
		if !seen[c.ID] && len(exact) < max {
			seen[c.ID] = true
			exact = append(exact, c)
		}
	}
	all = append(all, exact...)
	page, err := s.CRM.Contacts.Store.Contacts(ctx, userID, contacts.Filter{Q: name, Limit: max + 1})
	if err != nil {
		return nil, nil, err
	}
	for _, c := range page.Items {
		if !seen[c.ID] && len(all) < max {
			seen[c.ID] = true
			all = append(all, c)
		}
	}
	return exact, all, nil
}
