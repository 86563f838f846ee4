package crm

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/qr"
)

// CardDetails is what someone leaves on a personal card's form.
type CardDetails struct {
	Name, Email, Company, Title, LinkedInURL, Note string
}

// cardEventTitle names the day's event that holds the details left on a
// card shown without an event.
const cardEventTitle = "Met through my card"

// cardEventWindow is how far back a card's event reference is looked for:
// the form may be filled in on the way home, or the day after.
const cardEventWindow = 3 * 24 * time.Hour

// CardEvent returns the owner's event that a card's event reference names
// among those of the last few days, or nil.
func (s *Service) CardEvent(ctx context.Context, owner *accounts.User, ref string) (*events.Event, error) {
	if ref == "" {
		return nil, nil
	}
	now := s.Now()
	// All of the window (a conference's schedule brings more to a few days
	// than a page holds: the card read one page, cut to 50).
	evs, err := s.Events.Begun(ctx, owner.ID, now.Add(-cardEventWindow), now.Add(24*time.Hour), latestWindowRead)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(evs, func(e events.Event) bool { return accounts.SameRef(owner.Card.EventRef(e.ID), ref) })
	if i < 0 {
		return nil, nil
	}
	return &evs[i], nil
}

// LeaveDetails records details left on owner's card: the contact is
// created or reused (same email or LinkedIn URL), and met at ev with the
// moment its talks give for now (left long after the event: at the
// event's time for it, events.MetAt), the thank-you scheduled. Without an event
// the encounter is at the day's "Met through my card" event (made when
// first needed), moment "other". Field errors name the contact's fields
// (contact.name, contact.emails[0], …).
func (s *Service) LeaveDetails(ctx context.Context, owner *accounts.User, ev *events.Event, d CardDetails) (*EncounterResult, error) {
	in := contacts.Input{Name: strings.TrimSpace(d.Name), Company: d.Company, Title: d.Title, LinkedInURL: d.LinkedInURL}
	if d.Email != "" {
		in.Emails = []string{d.Email}
	}
	notes := "Left their details on your card."
	if note := strings.TrimSpace(d.Note); note != "" {
		notes += "\n\n" + note
	}
	enc := contacts.EncounterInput{Contact: &in, Moment: "other", Notes: notes}
	now := s.Now()
	if ev != nil {
		// Left the next day, from the code scanned at the event, they are
		// met there (LogEncounter dates it at the event).
		enc.Moment = events.MomentAt(ev, now)
		return s.LogEncounter(ctx, owner, ev.ID, enc)
	}
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*EncounterResult, error) {
		loc := owner.Location()
		local := now.In(loc)
		day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
		evs, err := s.Events.Begun(ctx, owner.ID, day.UTC(), day.AddDate(0, 0, 1).UTC(), latestWindowRead)
		if err != nil {
			return nil, err
		}
		if i := slices.IndexFunc(evs, func(e events.Event) bool { return e.Title == cardEventTitle && e.Kind == "other" }); i >= 0 {
			return s.logEncounter(ctx, owner, evs[i].ID, enc)
		}
		return s.logEncounterAtNewEvent(ctx, owner, events.Input{Title: cardEventTitle, Kind: "other", Status: "attended",
			StartsAt: day.Format(time.RFC3339), EndsAt: day.AddDate(0, 0, 1).Format(time.RFC3339)}, enc)
	})
}

// CardURL is the address of the user's card, with the opaque reference
// to eventID when there is one.
func CardURL(baseURL string, c *accounts.Card, eventID string) string {
	u := strings.TrimRight(baseURL, "/") + "/c/" + c.ID
	if eventID != "" {
		u += "?e=" + c.EventRef(eventID)
	}
	return u
}

// CardQR returns the user's card URL for eventID ("" for none) and its QR
// code as a size×size PNG. The card must be on (Conflict otherwise); an
// event that is not the user's is NotFound, naming event_id.
func (s *Service) CardQR(ctx context.Context, u *accounts.User, baseURL, eventID string, size int) (png []byte, url string, err error) {
	if !u.Card.Enabled || u.Card.ID == "" {
		return nil, "", apperr.E(apperr.Conflict, "your card is off: turn it on with PATCH /v1/me {\"card\": {\"enabled\": true}} or in the phone's settings")
	}
	if eventID != "" {
		if _, err := s.Events.Store.Event(ctx, u.ID, eventID); err != nil {
			return nil, "", notFoundField(err, "event_id")
		}
	}
	url = CardURL(baseURL, &u.Card, eventID)
	png, err = qr.PNG(url, size)
	return png, url, err
}
