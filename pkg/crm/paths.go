package crm

import (
	"context"
	"sort"

	"github.com/rapport-crm/rapport/pkg/contacts"
)

// WarmPath is one way into a company: a contact who works there, or one
// who was introduced to, or met at the same events as, people there.
type WarmPath struct {
	Contact    *contacts.Contact `json:"contact"`
	WorksThere bool              `json:"works_there"`
	Score      int               `json:"score"`
	Via        []PathLink        `json:"via"`
}

// PathLink says how a contact is linked to someone at the company.
type PathLink struct {
	// How is "introduced" (you introduced them to each other) or
	// "met_at_event" (you met both at one event).
	How        string `json:"how"`
	ContactID  string `json:"contact_id"`
	Name       string `json:"name"`
	EventID    string `json:"event_id,omitempty"`
	EventTitle string `json:"event_title,omitempty"`
}

// Scores of warm paths: knowing someone there counts most, and more the
// more often you met them; an introduction you made is a strong tie, a
// shared event a weak one.
const (
	scoreWorksThere  = 10
	scorePerMeeting  = 2
	scoreIntro       = 5
	scoreSharedEvent = 1
	maxPaths         = 50
	maxPathEvents    = 50
)

// warmPaths gathers the paths into one company, by contact id.
type warmPaths struct {
	paths  map[string]*WarmPath
	inside map[string]*contacts.Contact // the contacts who work there
}

// link adds a link from the contact otherID (not one inside) to the path.
func (w *warmPaths) link(otherID string, l PathLink, score int) {
	if w.inside[otherID] != nil {
		return
	}
	p := w.paths[otherID]
	if p == nil {
		p = &WarmPath{Via: []PathLink{}}
		w.paths[otherID] = p
	}
	p.Score += score
	p.Via = append(p.Via, l)
}

// pathsFrom scores the insider c by the times the user met them (noting
// the events in eventsOf: those of the latest maxPathEvents meetings, where
// an insider met every week was noted at the first fifty) and links the
// contacts the user introduced to them.
func (s *Service) pathsFrom(ctx context.Context, userID string, c *contacts.Contact, w *warmPaths, eventsOf map[string][]string) error {
	encs, err := s.Contacts.Store.Encounters(ctx, userID, contacts.EncounterQuery{ContactID: c.ID, NewestFirst: true, Limit: maxPathEvents})
	if err != nil {
		return err
	}
	w.paths[c.ID].Score += scorePerMeeting * len(encs.Items)
	for _, e := range encs.Items {
		eventsOf[e.EventID] = append(eventsOf[e.EventID], c.ID)
	}
	intros, err := s.Contacts.Store.Intros(ctx, userID, contacts.IntroFilter{ContactID: c.ID, Limit: 200})
	if err != nil {
		return err
	}
	for _, it := range intros.Items {
		if it.Status == "declined" {
			continue
		}
		for _, other := range it.ContactIDs {
			if other != c.ID {
				w.link(other, PathLink{How: "introduced", ContactID: c.ID, Name: c.Name, EventID: it.EventID}, scoreIntro)
			}
		}
	}
	return nil
}

// pathsAtEvents links the contacts met at the events where the user met
// an insider (eventsOf).
func (s *Service) pathsAtEvents(ctx context.Context, userID string, w *warmPaths, eventsOf map[string][]string) error {
	evIDs := make([]string, 0, len(eventsOf))
	for id := range eventsOf {
		evIDs = append(evIDs, id)
	}
	sort.Strings(evIDs)
	evs, err := s.Events.Store.EventsByID(ctx, userID, evIDs)
	if err != nil {
		return err
	}
	for _, evID := range evIDs {
		met, err := s.Contacts.Store.ContactIDsAtEvent(ctx, userID, evID)
		if err != nil {
			return err
		}
		title := ""
		if e := evs[evID]; e != nil {
			title = e.Title
		}
		for _, other := range met {
			for _, in := range eventsOf[evID] {
				w.link(other, PathLink{How: "met_at_event", ContactID: in, Name: w.inside[in].Name, EventID: evID, EventTitle: title}, scoreSharedEvent)
			}
		}
	}
	return nil
}

// WarmPaths ranks the user's ways into a company: the contacts there
// (score 10 + 2 per encounter), then contacts linked to them by an intro
// the user made (5 each) or an event where the user met both (1 each);
// ties go to the more recently contacted, then by name.
func (s *Service) WarmPaths(ctx context.Context, userID, companyID string) ([]WarmPath, error) {
	if _, err := s.Companies.Store.Company(ctx, userID, companyID); err != nil {
		return nil, err
	}
	page, err := s.Contacts.Store.ContactsAtCompany(ctx, userID, companyID, nil, maxPeople)
	if err != nil {
		return nil, err
	}
	inside := page.Items
	w := &warmPaths{paths: map[string]*WarmPath{}, inside: map[string]*contacts.Contact{}}
	for i := range inside {
		c := &inside[i]
		w.inside[c.ID] = c
		w.paths[c.ID] = &WarmPath{Contact: c, WorksThere: true, Score: scoreWorksThere, Via: []PathLink{}}
	}
	eventsOf := map[string][]string{} // event → the insiders met there
	for i := range inside {
		if err := s.pathsFrom(ctx, userID, &inside[i], w, eventsOf); err != nil {
			return nil, err
		}
	}
	if err := s.pathsAtEvents(ctx, userID, w, eventsOf); err != nil {
		return nil, err
	}
	paths := w.paths
	var outsideIDs []string
	for id, p := range paths {
		if p.Contact == nil {
			outsideIDs = append(outsideIDs, id)
		}
	}
	found, err := s.Contacts.Store.ContactsByID(ctx, userID, outsideIDs)
	if err != nil {
		return nil, err
	}
	out := make([]WarmPath, 0, len(paths))
	for id, p := range paths {
		if p.Contact == nil {
			if p.Contact = found[id]; p.Contact == nil {
				continue
			}
		}
		out = append(out, *p)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		la, lb := a.Contact.LastContactedAt, b.Contact.LastContactedAt
		if (la == nil) != (lb == nil) {
			return la != nil
		}
		if la != nil && !la.Equal(*lb) {
			return la.After(*lb)
		}
		if a.Contact.Name != b.Contact.Name {
			return a.Contact.Name < b.Contact.Name
		}
		return a.Contact.ID < b.Contact.ID
	})
	if len(out) > maxPaths {
		out = out[:maxPaths]
	}
	return out, nil
}
