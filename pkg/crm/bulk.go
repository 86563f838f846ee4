package crm

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
)

// TagContacts adds tag to each of the user's contacts ids (add), or takes
// it off each (compared without case), as one unit of work; it returns how
// many changed. Every contact's tags are checked before any is written: a
// contact that would hold more than input.MaxTags refuses the whole
// (Invalid, naming tags and the contact), and nothing is written. NotFound
// if one of ids is not the user's contact.
func (s *Service) TagContacts(ctx context.Context, u *accounts.User, ids []string, tag string, add bool) (int, error) {
	if tag = strings.TrimSpace(tag); tag == "" {
		return 0, apperr.InvalidField("tag", "is required")
	}
	return atomically(ctx, s, func(ctx context.Context, s *Service) (int, error) {
		people, err := s.Contacts.Store.ContactsByID(ctx, u.ID, ids)
		if err != nil {
			return 0, err
		}
		patches := make([][]byte, len(ids))
		for i, id := range ids {
			c := people[id]
			if c == nil {
				return 0, apperr.E(apperr.NotFound, "no such contact")
			}
			tags := slices.DeleteFunc(slices.Clone(c.Tags), func(t string) bool { return strings.EqualFold(t, tag) })
			if add {
				tags = append(tags, tag)
			}
			if slices.Equal(tags, c.Tags) {
				continue
			}
			var ch input.Checker
			if ch.Tags("tags", tags); ch.Err() != nil {
				if len(tags) > input.MaxTags {
					return 0, apperr.InvalidField("tags", "%s has %d tags already, the most a contact holds", c.Name, len(c.Tags))
				}
				return 0, ch.Err()
			}
			patches[i], _ = json.Marshal(map[string][]string{"tags": tags})
		}
		n := 0
		for i, id := range ids {
			if patches[i] == nil {
				continue
			}
			if _, err := s.updateContact(ctx, u, id, patches[i], nil, nil); err != nil {
				return 0, err
			}
			n++
		}
		return n, nil
	})
}
