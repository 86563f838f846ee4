package crm

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Prep answers GET /v1/events/{id}/prep: whom you know on the guest list
// and what you last talked about, whom to meet and why, and the speakers.
type Prep struct {
	Event      *events.Event     `json:"event"`
	Intentions events.Intentions `json:"intentions"`
	Targets    []events.Target   `json:"targets"`
	Known      []KnownGuest      `json:"known"`
	ToMeet     []events.ToMeet   `json:"to_meet"`
	Speakers   []PrepSpeaker     `json:"speakers"`
}

// KnownGuest is someone on the list who is a contact: when you last met,
// where, what about, and what is open between you.
type KnownGuest struct {
	Contact        *contacts.Contact   `json:"contact"`
	AttendeeID     string              `json:"attendee_id"`
	Status         string              `json:"status"`
	LastMetAt      *time.Time          `json:"last_met_at"`
	LastEventTitle string              `json:"last_event_title"`
	Topics         []string            `json:"topics"`
	OpenFollowups  []followup.FollowUp `json:"open_followups"`
	PendingIntros  []contacts.Intro    `json:"pending_intros"`
}

// PrepSpeaker is a speaker of the event: your contact of that name, and
// the other events you saw them speak at in the two years before it, the
// latest first.
type PrepSpeaker struct {
	Name      string   `json:"name"`
	ContactID *string  `json:"contact_id"`
	SeenAt    []string `json:"seen_at"`
}

// Bounds of a brief.
const (
	prepGuests     = 10000 // the guest list read (guestlist.MaxRows)
	prepKnownMax   = 100   // known guests given their history
	prepPerContact = 5     // open follow-ups shown per known guest
	prepHotTopics  = 10
	prepSeenEvents = 1000 // the latest earlier events looked at for the speakers
	prepSeenTitles = 10
)

// Prep briefs the user before an event (PRODUCT.md §11).
func (s *Service) Prep(ctx context.Context, u *accounts.User, eventID string) (*Prep, error) {
	ev, err := s.Events.Store.Event(ctx, u.ID, eventID)
	if err != nil {
		return nil, err
	}
	p := &Prep{Event: ev, Intentions: ev.Intentions, Targets: ev.Targets, Known: []KnownGuest{}, ToMeet: []events.ToMeet{}, Speakers: []PrepSpeaker{}}
	if p.Targets == nil {
		p.Targets = []events.Target{}
	}
	guests, err := s.Attendees.AttendeesOf(ctx, u.ID, eventID, prepGuests)
	if err != nil {
		return nil, err
	}
	known, err := s.contactsOfAttendees(ctx, u.ID, guests, s.metAt(u.ID, eventID))
	if err != nil {
		return nil, err
	}
	var strangers []events.Attendee
	var knownGuests []events.Attendee
	for _, a := range guests {
		if _, ok := known[a.Key]; ok {
			knownGuests = append(knownGuests, a)
		} else {
			strangers = append(strangers, a)
		}
	}
	if p.Known, err = s.knownGuests(ctx, u.ID, knownGuests, known); err != nil {
		return nil, err
	}
	if p.ToMeet, err = s.toMeet(ctx, u.ID, ev, strangers); err != nil {
		return nil, err
	}
	if p.Speakers, err = s.prepSpeakers(ctx, u.ID, ev); err != nil {
		return nil, err
	}
	return p, nil
}

// knownGuests gives each guest who is a contact their history with you,
// the most recently met first.
func (s *Service) knownGuests(ctx context.Context, userID string, guests []events.Attendee, known map[string]string) ([]KnownGuest, error) {
	out := []KnownGuest{}
	if len(guests) == 0 {
		return out, nil
	}
	ids := make([]string, 0, len(guests))
	for _, a := range guests {
		ids = append(ids, known[a.Key])
	}
	people, err := s.Contacts.Store.ContactsByID(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, a := range guests {
		c, ok := people[known[a.Key]]
		if !ok || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		out = append(out, KnownGuest{Contact: c, AttendeeID: a.ID, Status: a.Status, Topics: []string{},
			OpenFollowups: []followup.FollowUp{}, PendingIntros: []contacts.Intro{}})
	}
	last := func(k KnownGuest) time.Time {
		if k.Contact.LastContactedAt == nil {
			return time.Time{}
		}
		return *k.Contact.LastContactedAt
	}
	slices.SortStableFunc(out, func(a, b KnownGuest) int {
		return cmp.Or(last(b).Compare(last(a)), strings.Compare(a.Contact.Name, b.Contact.Name))
	})
	// Open intros involving them: the user's proposed and accepted ones.
	byContact := map[string][]contacts.Intro{}
	for _, st := range []string{contacts.IntroProposed, contacts.IntroAccepted} {
		its, err := s.introsOf(ctx, userID, contacts.IntroFilter{Status: st})
		if err != nil {
			return nil, err
		}
		for _, it := range its {
			for _, id := range it.ContactIDs {
				byContact[id] = append(byContact[id], it)
			}
		}
	}
	// Their open follow-ups, read at once (followups_user_status_due).
	first := out[:min(len(out), prepKnownMax)]
	ids = ids[:0]
	for _, k := range first {
		ids = append(ids, k.Contact.ID)
	}
	open, err := s.Followups.Store.Pending(ctx, userID, followup.PendingFilter{Ref: followup.RefContact, RefIDs: ids})
	if err != nil {
		return nil, err
	}
	openOf := map[string][]followup.FollowUp{}
	for _, f := range open {
		if len(openOf[f.ContactID]) < prepPerContact {
			openOf[f.ContactID] = append(openOf[f.ContactID], f)
		}
	}
	latest, err := s.Contacts.Store.LatestEncounters(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	var eventIDs []string
	lastEvent := map[int]string{} // index in out → the event of the last encounter
	for i := range first {
		k := &out[i]
		if its := byContact[k.Contact.ID]; its != nil {
			k.PendingIntros = its
		}
		if e, ok := latest[k.Contact.ID]; ok {
			k.LastMetAt, lastEvent[i] = &e.MetAt, e.EventID
			if e.Topics != nil {
				k.Topics = e.Topics
			}
			eventIDs = append(eventIDs, e.EventID)
		}
		if fs := openOf[k.Contact.ID]; fs != nil {
			k.OpenFollowups = fs
		}
	}
	evs, err := s.Events.Store.EventsByID(ctx, userID, eventIDs)
	if err != nil {
		return nil, err
	}
	for i, id := range lastEvent {
		if e, ok := evs[id]; ok {
			out[i].LastEventTitle = e.Title
		}
	}
	return out, nil
}

// toMeet ranks the guests who are not contacts (events.RankToMeet) from
// what the user has at their companies.
func (s *Service) toMeet(ctx context.Context, userID string, ev *events.Event, guests []events.Attendee) ([]events.ToMeet, error) {
	if len(guests) == 0 {
		return []events.ToMeet{}, nil
	}
	f := events.PrepFacts{Targets: ev.Targets}
	var texts []string
	for _, a := range guests {
		if a.Company != "" {
			texts = append(texts, a.Company)
		}
	}
	var err error
	if f.CompanyOf, err = s.Companies.Find(ctx, userID, texts); err != nil {
		return nil, err
	}
	ids := []string{}
	for _, id := range f.CompanyOf {
		ids = append(ids, id)
	}
	for _, t := range ev.Targets {
		if t.CompanyID != "" {
			ids = append(ids, t.CompanyID)
		}
	}
	cos, err := s.Companies.Store.CompaniesByID(ctx, userID, ids)
	if err != nil {
		return nil, err
	}
	f.CompanyNames, f.CompanyTags = map[string]string{}, map[string][]string{}
	for id, co := range cos {
		f.CompanyNames[id] = co.Name
		f.CompanyTags[id] = input.LowerAll(co.Tags)
	}
	if f.Warm, err = s.Contacts.Store.Headcounts(ctx, userID, ids); err != nil {
		return nil, err
	}
	if f.Openings, err = s.openings(ctx, userID); err != nil {
		return nil, err
	}
	if f.HotTopics, err = s.hotTopics(ctx, userID); err != nil {
		return nil, err
	}
	return events.RankToMeet(guests, f), nil
}

// openings are the user's open opportunities by company, the newest of
// each: every page of each open stage, up to ledgerLimit of them (the
// first page alone missed a company whose lead was older than the
// stage's latest 200).
func (s *Service) openings(ctx context.Context, userID string) (map[string]events.Opening, error) {
	out := map[string]events.Opening{}
	for _, st := range opportunities.Stages {
		if opportunities.Closed(st) {
			continue
		}
		read := 0
		err := record.EachPage(func(cur *record.Cursor) (*record.Page[opportunities.Opportunity], error) {
			return s.Opportunities.Opportunities(ctx, userID, opportunities.Query{Stage: st, Limit: record.MaxLimit, Cursor: cur})
		}, func(items []opportunities.Opportunity) bool {
			for _, o := range items {
				if _, ok := out[o.CompanyID]; !ok && o.CompanyID != "" {
					out[o.CompanyID] = events.Opening{ID: o.ID, Title: o.Title}
				}
			}
			read += len(items)
			return read < ledgerLimit
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// hotTopics are the user's most counted topics of the last three months
// (topic_days through insights.Source.TopicMonths).
func (s *Service) hotTopics(ctx context.Context, userID string) ([]string, error) {
	now := s.Now().UTC()
	from := time.Date(now.Year(), now.Month()-2, 1, 0, 0, 0, 0, time.UTC)
	months, err := s.insightSource.TopicMonths(ctx, userID, from, time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, m := range months {
		for t, n := range m {
			counts[t] += n
		}
	}
	topics := make([]string, 0, len(counts))
	for t := range counts {
		topics = append(topics, t)
	}
	slices.SortFunc(topics, func(a, b string) int { return cmp.Or(cmp.Compare(counts[b], counts[a]), strings.Compare(a, b)) })
	return topics[:min(len(topics), prepHotTopics)], nil
}

// prepSpeakers are the event's speakers, each with your contact of that
// name and the earlier events (two years back) you saw them speak at.
func (s *Service) prepSpeakers(ctx context.Context, userID string, ev *events.Event) ([]PrepSpeaker, error) {
	out := []PrepSpeaker{}
	index := map[string]int{}
	for _, t := range ev.Talks {
		name := strings.TrimSpace(t.Speaker)
		k := events.FoldName(name)
		if k == "" {
			continue
		}
		if _, ok := index[k]; ok {
			continue
		}
		index[k] = len(out)
		sp := PrepSpeaker{Name: name, SeenAt: []string{}}
		// Read through the name order (Named): a text search's first five
		// could all be others whose names contain the speaker's.
		named, err := s.Named(ctx, userID, name, 1)
		if err != nil {
			return nil, err
		}
		if len(named) > 0 {
			sp.ContactID = &named[0].ID
		}
		out = append(out, sp)
	}
	if len(out) == 0 {
		return out, nil
	}
	// The latest first (a page of the two years from their start held the
	// oldest, and a busy calendar's filled it before last month's).
	earlier, err := s.LatestEventsSince(ctx, userID, ev.StartsAt.AddDate(-2, 0, 0), ev.StartsAt, prepSeenEvents)
	if err != nil {
		return nil, err
	}
	var spoken []events.Event // those where one of the speakers spoke
	for _, e := range earlier {
		if e.ID != ev.ID && slices.ContainsFunc(e.Talks, func(t events.Talk) bool { _, ok := index[events.FoldName(t.Speaker)]; return ok }) {
			spoken = append(spoken, e)
		}
	}
	went, err := s.eventsWent(ctx, userID, spoken)
	if err != nil {
		return nil, err
	}
	for _, e := range went {
		for _, t := range e.Talks {
			if i, ok := index[events.FoldName(t.Speaker)]; ok && len(out[i].SeenAt) < prepSeenTitles && !slices.Contains(out[i].SeenAt, e.Title) {
				out[i].SeenAt = append(out[i].SeenAt, e.Title)
			}
		}
	}
	return out, nil
}

// CreateEvent stores a new event, with the brief before it when it has
// intentions or targets (planPrep).
func (s *Service) CreateEvent(ctx context.Context, u *accounts.User, in events.Input) (*events.Event, error) {
	e, err := s.Events.Create(ctx, u.ID, u.Timezone, in)
	if err != nil {
		return nil, err
	}
	return e, s.planPrep(ctx, u, e)
}

// UpdateEvent applies a merge patch to an event and keeps the brief before
// it in step: made, moved with it, or cancelled with it.
func (s *Service) UpdateEvent(ctx context.Context, u *accounts.User, id string, patch []byte) (*events.Event, error) {
	e, err := s.Events.Update(ctx, u.ID, id, patch)
	if err != nil {
		return nil, err
	}
	return e, s.planPrep(ctx, u, e)
}

// planPrep keeps the `prep` follow-up of an event (PRODUCT.md §11): one
// while the event has intentions, targets or a guest list and is still
// planned; none once it is cancelled or skipped.
func (s *Service) planPrep(ctx context.Context, u *accounts.User, e *events.Event) error {
	want := e.Status != "cancelled" && e.Status != "skipped" && (!e.Intentions.Empty() || len(e.Targets) > 0)
	if !want && e.Status != "cancelled" && e.Status != "skipped" {
		page, err := s.Attendees.Attendees(ctx, u.ID, e.ID, 1, nil)
		if err != nil {
			return err
		}
		want = len(page.Items) > 0
	}
	return s.Followups.ForEvent(ctx, u, e.ID, e.Title, e.StartsAt, want)
}

// PlanPreps is the hook a calendar sync calls with the events it wrote or
// gave a guest list (events.Importer.Planned): the brief before each is
// planned as for an event saved by hand. users reads the user (time zone,
// nudge hour).
func (s *Service) PlanPreps(users func(ctx context.Context, id string) (*accounts.User, error)) func(ctx context.Context, userID string, eventIDs []string) error {
	return func(ctx context.Context, userID string, eventIDs []string) error {
		u, err := users(ctx, userID)
		if err != nil {
			return err
		}
		evs, err := s.Events.Store.EventsByID(ctx, userID, eventIDs)
		if err != nil {
			return err
		}
		for _, id := range eventIDs {
			if e, ok := evs[id]; ok {
				if err := s.planPrep(ctx, u, e); err != nil {
					return err
				}
			}
		}
		return nil
	}
}
