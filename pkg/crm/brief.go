package crm

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Brief is everything about one contact before you meet them again
// (the MCP tool prep_brief): how you met, what you talked about, the
// intros you made for them, open follow-ups and opportunities.
type Brief struct {
	Contact       *contacts.Contact           `json:"contact"`
	Met           []BriefMeeting              `json:"met"`
	Topics        []string                    `json:"topics"`
	Intros        []BriefIntro                `json:"intros"`
	Followups     []followup.FollowUp         `json:"open_followups"`
	Opportunities []opportunities.Opportunity `json:"opportunities"`
	// FirstMetAt is when the first encounter was, kept when Met holds
	// only the newest briefLimit (nil: never met at an event).
	FirstMetAt *time.Time `json:"first_met_at,omitempty"`
}

// BriefMeeting is one encounter, newest first, with its event's title.
type BriefMeeting struct {
	EventID    string    `json:"event_id"`
	EventTitle string    `json:"event_title"`
	Moment     string    `json:"moment"`
	MetAt      time.Time `json:"met_at"`
	Topics     []string  `json:"topics"`
	Notes      string    `json:"notes"`
}

// BriefIntro is an intro with the other person's name.
type BriefIntro struct {
	ID        string `json:"id"`
	OtherID   string `json:"other_id"`
	OtherName string `json:"other_name"`
	Status    string `json:"status"`
	Context   string `json:"context"`
	Outcome   string `json:"outcome"`
}

// briefLimit bounds each list of a brief.
const briefLimit = 50

// Brief gathers the brief of the user's contact id; NotFound if it is not
// theirs.
func (s *Service) Brief(ctx context.Context, userID, id string) (*Brief, error) {
	c, err := s.Contacts.Store.Contact(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	b := &Brief{Contact: c, Met: []BriefMeeting{}, Topics: []string{}, Intros: []BriefIntro{}}
	// Every meeting is read (pages come oldest first) for the topics; the
	// newest briefLimit are kept.
	var encs []contacts.Encounter
	topics := map[string]bool{}
	f := contacts.EncounterFilter{ContactID: id, Limit: record.MaxLimit}
	err = record.EachPage(func(cur *record.Cursor) (*record.Page[contacts.Encounter], error) {
		f.Cursor = cur
		return s.Contacts.Store.Encounters(ctx, userID, f)
	}, func(items []contacts.Encounter) bool {
		for _, e := range items {
			for _, t := range e.Topics {
				if k := strings.ToLower(t); !topics[k] {
					topics[k] = true
					b.Topics = append(b.Topics, t)
				}
			}
		}
		if b.FirstMetAt == nil && len(items) > 0 {
			b.FirstMetAt = &items[0].MetAt
		}
		encs = append(encs, items...)
		encs = encs[max(0, len(encs)-briefLimit):]
		return true
	})
	if err != nil {
		return nil, err
	}
	eventIDs := make([]string, len(encs))
	for i, e := range encs {
		eventIDs[i] = e.EventID
	}
	evs, err := s.Events.Store.EventsByID(ctx, userID, eventIDs)
	if err != nil {
		return nil, err
	}
	for i := len(encs) - 1; i >= 0; i-- { // newest first
		e := encs[i]
		m := BriefMeeting{EventID: e.EventID, Moment: e.Moment, MetAt: e.MetAt, Topics: e.Topics, Notes: e.Notes}
		if ev, ok := evs[e.EventID]; ok {
			m.EventTitle = ev.Title
		}
		b.Met = append(b.Met, m)
	}
	intros, err := s.Contacts.Store.Intros(ctx, userID, contacts.IntroFilter{ContactID: id, Limit: briefLimit})
	if err != nil {
		return nil, err
	}
	var others []string
	for _, it := range intros.Items {
		for _, o := range it.ContactIDs {
			if o != id {
				others = append(others, o)
				b.Intros = append(b.Intros, BriefIntro{ID: it.ID, OtherID: o, Status: it.Status, Context: it.Context, Outcome: it.Outcome})
			}
		}
	}
	names, err := s.Contacts.Store.ContactsByID(ctx, userID, others)
	if err != nil {
		return nil, err
	}
	for i := range b.Intros {
		if o, ok := names[b.Intros[i].OtherID]; ok {
			b.Intros[i].OtherName = o.Name
		}
	}
	fs, err := s.Followups.List(ctx, userID, followup.Filter{Status: "pending", ContactID: id, Limit: briefLimit})
	if err != nil {
		return nil, err
	}
	b.Followups = fs.Items
	ops, err := s.Opportunities.Opportunities(ctx, userID, opportunities.Query{ContactID: id, Limit: briefLimit})
	if err != nil {
		return nil, err
	}
	b.Opportunities = ops.Items
	return b, nil
}
