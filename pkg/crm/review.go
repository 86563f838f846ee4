package crm

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/words"
)

// Review is what an event came to (GET /v1/events/{id}/review, PRODUCT.md
// §11): whom you met, new and known, which targets you met and missed,
// intros and help given, its follow-ups, the opportunities it sourced.
type Review struct {
	Event *events.Event `json:"event"`
	// Met counts the people met there.
	Met         int                 `json:"met"`
	NewPeople   []ReviewPerson      `json:"new_people"`
	KnownPeople []ReviewPerson      `json:"known_people"`
	TargetsMet  []events.Target     `json:"targets_met"`
	Missed      []events.Target     `json:"targets_missed"`
	NotMet      []ReviewPerson      `json:"attendees_not_met"`
	IntrosGiven int                 `json:"intros_given"`
	HelpGiven   int                 `json:"help_given"`
	Followups   ReviewFollowups     `json:"followups"`
	Opps        []ReviewOpportunity `json:"opportunities"`
	// thankYous counts the thank-yous still to send.
	thankYous int
}

// Summary is the review in one line: "Met 6 — 2 of 3 you wanted; 4
// thank-yous to send".
func (r *Review) Summary() string {
	out := fmt.Sprintf("Met %d", r.Met)
	if r.Met == 0 {
		out = "Met nobody"
	}
	if n := len(r.TargetsMet) + len(r.Missed); n > 0 {
		out += fmt.Sprintf(" — %d of %d you wanted", len(r.TargetsMet), n)
	}
	switch {
	case r.thankYous > 0:
		out += "; " + words.Counted(r.thankYous, "thank-you") + " to send"
	case r.Followups.Pending > 0:
		out += "; " + words.Counted(r.Followups.Pending, "follow-up") + " to do"
	}
	return out
}

// ReviewPerson is someone in a review.
type ReviewPerson struct {
	ContactID string `json:"contact_id"`
	Name      string `json:"name"`
	// AttendeeID is their place on the guest list (attendees_not_met).
	AttendeeID string `json:"attendee_id,omitempty"`
}

// ReviewFollowups counts the event's follow-ups.
type ReviewFollowups struct {
	Done    int `json:"done"`
	Pending int `json:"pending"`
	Overdue int `json:"overdue"`
}

// ReviewOpportunity is an opportunity the event sourced.
type ReviewOpportunity struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Stage string `json:"stage"`
}

// reviewLimit bounds each list a review reads.
const reviewLimit = 2000

// Review gathers the review of the user's event; NotFound if it is not
// theirs.
func (s *Service) Review(ctx context.Context, userID, id string) (*Review, error) {
	ev, err := s.Events.Store.Event(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	r := &Review{Event: ev, NewPeople: []ReviewPerson{}, KnownPeople: []ReviewPerson{}, NotMet: []ReviewPerson{}, Opps: []ReviewOpportunity{}}
	met := s.metAt(userID, ev.ID) // read once, for whom was met and the guests not met
	people, err := s.reviewMet(ctx, ev, met, r)
	if err != nil {
		return nil, err
	}
	if err := s.reviewNotMet(ctx, userID, ev, met, r); err != nil {
		return nil, err
	}
	for _, part := range []func(context.Context, string, *events.Event, map[string]*contacts.Contact, *Review) error{
		s.reviewGiving, s.reviewFollowups, s.reviewOpportunities,
	} {
		if err := part(ctx, userID, ev, people, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// reviewMet counts whom the user met at ev, new and known, and the targets
// met and missed; it returns the contacts met, by id.
func (s *Service) reviewMet(ctx context.Context, ev *events.Event, met *metHere, r *Review) (map[string]*contacts.Contact, error) {
	people, err := met.contacts(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := met.contactIDs(ctx) // read with the contacts, kept
	if err != nil {
		return nil, err
	}
	var metPeople []events.MetPerson
	for _, cid := range ids {
		c, ok := people[cid]
		if !ok {
			continue
		}
		p := ReviewPerson{ContactID: c.ID, Name: c.Name}
		if newThere(ev, c.KnownSince) {
			r.NewPeople = append(r.NewPeople, p)
		} else {
			r.KnownPeople = append(r.KnownPeople, p)
		}
		metPeople = append(metPeople, events.MetPerson{ContactID: c.ID, CompanyID: c.CompanyID, Name: c.Name, Company: c.Company})
	}
	r.Met = len(metPeople)
	r.TargetsMet, r.Missed = events.MatchTargets(ev.Targets, metPeople)
	return people, nil
}

// newThere reports whether someone the user has known since since was
// new at ev: not known before its day (12 hours before it starts). Since
// is Contact.KnownSince, not when the contact was made: people met at
// past events and logged afterwards are new at the first of them only,
// and so is someone known from before (a LinkedIn connection, a date the
// user gave).
func newThere(ev *events.Event, since time.Time) bool {
	return !since.Before(ev.StartsAt.Add(-12 * time.Hour))
}

// reviewNotMet lists the guests coming whom the user did not meet (not
// the declined).
func (s *Service) reviewNotMet(ctx context.Context, userID string, ev *events.Event, met *metHere, r *Review) error {
	all, err := s.Attendees.AttendeesOf(ctx, userID, ev.ID, prepGuests)
	if err != nil {
		return err
	}
	var guests []events.Attendee
	for _, a := range all {
		if a.Status != events.AttendeeDeclined {
			guests = append(guests, a)
		}
	}
	known, err := s.contactsOfAttendees(ctx, userID, guests, met)
	if err != nil {
		return err
	}
	people, err := met.contacts(ctx)
	if err != nil {
		return err
	}
	for _, a := range guests {
		cid := known[a.Key]
		if _, metThere := people[cid]; cid != "" && metThere {
			continue
		}
		r.NotMet = append(r.NotMet, ReviewPerson{ContactID: cid, Name: a.Name, AttendeeID: a.ID})
	}
	return nil
}

// reviewGiving counts the intros made at ev and the help given: to people
// met there within helpAfter, and to the event itself (volunteered,
// spoke).
func (s *Service) reviewGiving(ctx context.Context, userID string, ev *events.Event, people map[string]*contacts.Contact, r *Review) error {
	intros, err := s.introsOf(ctx, userID, contacts.IntroFilter{EventID: ev.ID})
	if err != nil {
		return err
	}
	for _, it := range intros {
		if it.Status != contacts.IntroDeclined {
			r.IntrosGiven++
		}
	}
	helped, err := s.Contacts.Store.InteractionsOfKinds(ctx, userID, []string{contacts.Helped, contacts.Volunteered, contacts.Spoke},
		ev.StartsAt.AddDate(0, 0, -30), reviewLimit)
	if err != nil {
		return err
	}
	for _, h := range helped {
		_, metThere := people[h.ContactID]
		if h.EventID == ev.ID || (metThere && h.Kind == contacts.Helped && !h.At.Before(ev.StartsAt) && h.At.Before(ev.StartsAt.Add(helpAfter))) {
			r.HelpGiven++
		}
	}
	return nil
}

// reviewFollowups counts the event's follow-ups (followups_user_event_due):
// pending (thank-yous among them), overdue and done. The brief before it
// (a prep follow-up) is not one of them.
func (s *Service) reviewFollowups(ctx context.Context, userID string, ev *events.Event, _ map[string]*contacts.Contact, r *Review) error {
	now := s.Now()
	return eachItem(reviewLimit, func(cur *record.Cursor) (*record.Page[followup.FollowUp], error) {
		return s.Followups.Store.Followups(ctx, userID, followup.Query{EventID: ev.ID, Limit: record.MaxLimit, Cursor: cur})
	}, func(f *followup.FollowUp) {
		switch {
		case followup.Contactless(f):
		case f.Status == followup.Pending:
			r.Followups.Pending++
			if f.Kind == followup.ThankYou {
				r.thankYous++
			}
			if f.DueAt.Before(now) {
				r.Followups.Overdue++
			}
		case f.Status == followup.Done:
			r.Followups.Done++
		}
	})
}

// reviewOpportunities lists the opportunities that came from ev.
func (s *Service) reviewOpportunities(ctx context.Context, userID string, ev *events.Event, _ map[string]*contacts.Contact, r *Review) error {
	opps, err := s.Opportunities.Opportunities(ctx, userID, opportunities.Query{EventID: ev.ID, Limit: record.MaxLimit})
	if err != nil {
		return err
	}
	for _, o := range opps.Items {
		r.Opps = append(r.Opps, ReviewOpportunity{ID: o.ID, Title: o.Title, Stage: o.Stage})
	}
	return nil
}

// recapEvents bounds the events of one day a recap reviews.
const recapEvents = 10

// lateNight is how far past midnight an evening may end and still be that
// day's.
const lateNight = 6 * time.Hour

// runningDays is how long before a day an event may have begun and still
// run into it (a week-long conference).
const runningDays = 7

// RunningInto returns the user's events begun in the runningDays before
// from that end after it, earliest first: a conference on its third day
// runs into the day. The store reads events by their start, so these are
// read apart from those begun in the day itself; and all of the week is
// read (up to latestWindowRead), since the ones most likely to run into
// the day began last, where a first page of a busy week (a followed
// calendar's) ended before them.
func (s *Service) RunningInto(ctx context.Context, userID string, from time.Time) ([]events.Event, error) {
	week, err := s.Events.Begun(ctx, userID, from.AddDate(0, 0, -runningDays), from, latestWindowRead)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(week, func(e events.Event) bool { return !e.EndsAt.After(from) }), nil
}

// Recaps are the one-line reviews of the user's events whose last day
// falls in [from, to), not cancelled or skipped, where someone was met:
// "GoDays: Met 6 — 2 of 3 you wanted; 4 thank-yous to send". The morning's
// nudge carries yesterday's: a conference's the morning after its last
// day, not after its first; a meetup that ends at half past midnight, the
// morning after it began. All of the day's events are read
// (EventsOfDays) and those where nobody was met left out before any is
// reviewed: a followed conference schedule brings dozens of sessions a
// day, and the day's first ten by start were its morning's, not the
// evening where the user met people.
func (s *Service) Recaps(ctx context.Context, u *accounts.User, from, to time.Time) ([]string, error) {
	day, err := s.EventsOfDays(ctx, u.ID, from, to)
	if err != nil {
		return nil, err
	}
	day = slices.DeleteFunc(day, func(ev events.Event) bool {
		last := ev.EndsAt.Add(-lateNight)
		if ev.StartsAt.After(last) {
			last = ev.StartsAt
		}
		return last.Before(from) || !last.Before(to) || ev.Status == "cancelled" || ev.Status == "skipped"
	})
	met, err := s.eventsMetAt(ctx, u.ID, day)
	if err != nil {
		return nil, err
	}
	var out []string
	for i := 0; i < len(day) && len(out) < recapEvents; i++ {
		if !met[day[i].ID] {
			continue
		}
		r, err := s.Review(ctx, u.ID, day[i].ID)
		if err != nil {
			return nil, err
		}
		if r.Met > 0 {
			out = append(out, day[i].Title+": "+r.Summary())
		}
	}
	return out, nil
}

// GiveAtEvent records what the user gave an event with no contact:
// volunteered or spoke (POST /v1/events/{id}/giving); NotFound if the event
// is not theirs.
func (s *Service) GiveAtEvent(ctx context.Context, userID, eventID string, in contacts.InteractionInput) (*contacts.Interaction, error) {
	if _, err := s.Events.Store.Event(ctx, userID, eventID); err != nil {
		return nil, err
	}
	return s.Contacts.GiveAtEvent(ctx, userID, eventID, in)
}
