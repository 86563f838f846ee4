package crm

import (
	"context"
	"strings"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/search"
)

// SearchInput is the query of GET /v1/search.
type SearchInput struct {
	Q     string
	Types string // comma-separated search types; empty is all
	Limit int    // 0 is search.DefaultLimit
}

// Search finds the user's records whose words start with every word of
// in.Q, best first, and names encounters, interactions and intros after
// their people and events. Invalid (naming q, types or limit) for an
// empty query, an unknown type or a limit out of range.
func (s *Service) Search(ctx context.Context, userID string, in SearchInput) ([]search.Hit, error) {
	var c input.Checker
	q := search.Query{UserID: userID, Terms: search.Terms(in.Q), Limit: in.Limit}
	if len(q.Terms) == 0 {
		c.Add("q", "must have a word to search for")
	}
	for _, t := range strings.Split(in.Types, ",") {
		if t = strings.TrimSpace(t); t != "" {
			q.Types = append(q.Types, c.OneOf("types", t, "", search.Types...))
		}
	}
	if q.Limit == 0 {
		q.Limit = search.DefaultLimit
	}
	c.Range("limit", q.Limit, 1, search.MaxLimit)
	if err := c.Err(); err != nil {
		return nil, err
	}
	hits, err := s.search.Search(ctx, q)
	if err != nil {
		return nil, err
	}
	return hits, s.nameHits(ctx, userID, hits)
}

// nameHits titles the hits without a name of their own: "Ada Lovelace at
// GoDays", "Ada Lovelace ↔ Grace Hopper", "Ada Lovelace".
func (s *Service) nameHits(ctx context.Context, userID string, hits []search.Hit) error {
	var people, evs []string
	for _, h := range hits {
		if h.Title == "" {
			people = append(people, h.ContactID, h.OtherID)
			evs = append(evs, h.EventID)
		}
	}
	if len(people) == 0 {
		return nil
	}
	names, err := s.Contacts.Store.ContactsByID(ctx, userID, people)
	if err != nil {
		return err
	}
	titles, err := s.Events.Store.EventsByID(ctx, userID, evs)
	if err != nil {
		return err
	}
	name := func(id string) string {
		if c, ok := names[id]; ok {
			return c.Name
		}
		return "(deleted contact)"
	}
	for i := range hits {
		h := &hits[i]
		if h.Title != "" {
			continue
		}
		switch h.Type {
		case search.Intro:
			h.Title = name(h.ContactID) + " ↔ " + name(h.OtherID)
		default:
			h.Title = name(h.ContactID)
		}
		if e, ok := titles[h.EventID]; ok && h.Type == search.Encounter {
			h.Title += " at " + e.Title
		}
	}
	return nil
}
