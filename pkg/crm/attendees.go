package crm

import (
	"bytes"
	"context"
	"mime"
	"strings"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/contacts/codec"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/guestlist"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// AttendeeImport answers POST /v1/events/{id}/attendees/import.
type AttendeeImport struct {
	// Format is how the list was read: luma, meetup, eventbrite, csv or
	// json.
	Format  string          `json:"format"`
	Added   int             `json:"added"`
	Updated int             `json:"updated"`
	Matched int             `json:"matched"`
	Skipped int             `json:"skipped"`
	Errors  []AttendeeError `json:"errors"`
}

// AttendeeError says why one line of a guest list was not imported.
type AttendeeError struct {
	Line int `json:"line"`
	// Name is the guest's name on the line, shortened, when it has one.
	Name    string `json:"name,omitempty"`
	Message string `json:"message"`
}

// ImportAttendees reads an event's guest list (CSV as Luma, Meetup or
// Eventbrite export it, or JSON) and stores it by attendee key: a list
// imported again updates and never duplicates, a bad line is reported and
// the others are kept. Matched counts the attendees who are already the
// user's contacts (the same email or LinkedIn URL).
func (s *Service) ImportAttendees(ctx context.Context, u *accounts.User, eventID, contentType string, body []byte) (*AttendeeImport, error) {
	ev, err := s.Events.Store.Event(ctx, u.ID, eventID)
	if err != nil {
		return nil, err
	}
	res := &AttendeeImport{Errors: []AttendeeError{}}
	now := record.Time(s.Now())
	var rows []events.Attendee
	at := map[string]int{} // key → index in rows: a person twice in one file is one attendee
	keep := func(r guestlist.Row) error {
		if r.Err != nil {
			res.Skipped++
			res.Errors = append(res.Errors, AttendeeError{Line: r.Line, Name: input.OneLine(r.Attendee.Name, contacts.RowNameLen), Message: r.Err.Error()})
			return nil
		}
		a := r.Attendee
		a.ID, a.CreatedAt, a.UpdatedAt = record.NewID(), now, now
		a.Key = events.AttendeeKey(&a, contacts.NormalizeLinkedIn)
		if i, ok := at[a.Key]; ok {
			a.ID = rows[i].ID
			rows[i] = a
			return nil
		}
		at[a.Key] = len(rows)
		rows = append(rows, a)
		return nil
	}
	media, _, _ := mime.ParseMediaType(contentType)
	switch media {
	case "application/json":
		res.Format = guestlist.JSON
		if err := guestlist.ReadJSON(body, keep); err != nil {
			return nil, err
		}
	case "text/csv", "application/csv", "text/plain":
		r, err := codec.Decoded(bytes.NewReader(body), contentType)
		if err != nil {
			return nil, err
		}
		if res.Format, err = guestlist.ReadCSV(ctx, r, keep); err != nil {
			return nil, err
		}
	default:
		return nil, apperr.E(apperr.Unsupported, "send the guest list as text/csv or application/json")
	}
	if len(rows) > 0 {
		if res.Added, res.Updated, err = s.Attendees.UpsertAttendees(ctx, u.ID, eventID, rows); err != nil {
			return nil, err
		}
	}
	known, err := s.contactsOfAttendees(ctx, u.ID, rows, s.metAt(u.ID, eventID))
	if err != nil {
		return nil, err
	}
	res.Matched = len(known)
	if res.Added > 0 {
		if err := s.planPrep(ctx, u, ev); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// attendeeKeys are the contact dedupe keys an attendee would hold.
func attendeeKeys(a *events.Attendee) []string {
	var keys []string
	if e := strings.ToLower(strings.TrimSpace(a.Email)); e != "" {
		keys = append(keys, "email:"+e)
	}
	if li := contacts.NormalizeLinkedIn(a.LinkedInURL); li != "" {
		keys = append(keys, "linkedin:"+li)
	}
	return keys
}

// contactsOfAttendees returns the user's contact of each of the event's
// attendees who is one, by attendee key: the contact who has their email,
// else their LinkedIn URL; else, for an attendee known by neither, the
// contact met at the event under the same name. A Meetup list gives no
// email, and someone may be logged by name rather than picked from the
// list: either is still the guest, and met. met is whom the user met at
// the event, read only if a guest is left to match by name.
func (s *Service) contactsOfAttendees(ctx context.Context, userID string, as []events.Attendee, met *metHere) (map[string]string, error) {
	var keys []string
	for i := range as {
		keys = append(keys, attendeeKeys(&as[i])...)
	}
	byKey, err := s.Contacts.Store.ContactIDsByKeys(ctx, userID, keys)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var rest []*events.Attendee
	for i := range as {
		for _, k := range attendeeKeys(&as[i]) {
			if id, ok := byKey[k]; ok {
				out[as[i].Key] = id
				break
			}
		}
		if _, ok := out[as[i].Key]; !ok {
			rest = append(rest, &as[i])
		}
	}
	if len(rest) == 0 {
		return out, nil
	}
	byName, err := met.byName(ctx)
	if err != nil {
		return nil, err
	}
	for _, a := range rest {
		if id, ok := byName[events.FoldName(a.Name)]; ok {
			out[a.Key] = id
		}
	}
	return out, nil
}

// metHere is whom the user met at one event, read from the store when
// first needed and then kept for the rest of the request: the contacts'
// ids, first met first, and the contacts.
type metHere struct {
	s               *Service
	userID, eventID string
	ids             []string
	people          map[string]*contacts.Contact
	idsRead         bool
}

// metAt returns whom userID met at eventID, not yet read.
func (s *Service) metAt(userID, eventID string) *metHere {
	return &metHere{s: s, userID: userID, eventID: eventID}
}

// contactIDs returns the ids of the contacts met there, first met first.
func (m *metHere) contactIDs(ctx context.Context) ([]string, error) {
	if !m.idsRead {
		ids, err := m.s.Contacts.Store.ContactIDsAtEvent(ctx, m.userID, m.eventID)
		if err != nil {
			return nil, err
		}
		m.ids, m.idsRead = ids, true
	}
	return m.ids, nil
}

// contacts returns the contacts met there, by id.
func (m *metHere) contacts(ctx context.Context) (map[string]*contacts.Contact, error) {
	if m.people == nil {
		ids, err := m.contactIDs(ctx)
		if err != nil {
			return nil, err
		}
		m.people = map[string]*contacts.Contact{}
		if len(ids) > 0 {
			if m.people, err = m.s.Contacts.Store.ContactsByID(ctx, m.userID, ids); err != nil {
				m.people = nil
				return nil, err
			}
		}
	}
	return m.people, nil
}

// byName returns the contacts met there by their name as events.FoldName
// folds it (the first met of a name).
func (m *metHere) byName(ctx context.Context) (map[string]string, error) {
	people, err := m.contacts(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(m.ids))
	for _, id := range m.ids {
		if c := people[id]; c != nil {
			if k := events.FoldName(c.Name); out[k] == "" {
				out[k] = id
			}
		}
	}
	return out, nil
}

// GuestList returns one page of an event's guest list, by name, each
// attendee with the user's contact they are (if any) and whether they were
// met at the event.
func (s *Service) GuestList(ctx context.Context, userID, eventID string, limit int, cur *record.Cursor) (*record.Page[events.Attendee], error) {
	if _, err := s.Events.Store.Event(ctx, userID, eventID); err != nil {
		return nil, err
	}
	page, err := s.Attendees.Attendees(ctx, userID, eventID, limit, cur)
	if err != nil {
		return nil, err
	}
	here := s.metAt(userID, eventID)
	known, err := s.contactsOfAttendees(ctx, userID, page.Items, here)
	if err != nil {
		return nil, err
	}
	met := map[string]bool{}
	if len(known) > 0 {
		ids, err := here.contactIDs(ctx)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			met[id] = true
		}
	}
	for i := range page.Items {
		a := &page.Items[i]
		if id, ok := known[a.Key]; ok {
			a.ContactID, a.Met = &id, met[id]
		}
	}
	return page, nil
}

// DeleteAttendee removes one attendee from an event's list.
func (s *Service) DeleteAttendee(ctx context.Context, userID, eventID, id string) error {
	if _, err := s.Events.Store.Event(ctx, userID, eventID); err != nil {
		return err
	}
	return s.Attendees.DeleteAttendee(ctx, userID, eventID, id)
}

// LogAttendee logs meeting someone on an event's guest list: the
// encounter's contact is made from the attendee's details (or is the
// contact who already has their email or LinkedIn URL).
func (s *Service) LogAttendee(ctx context.Context, u *accounts.User, eventID, attendeeID string, in contacts.EncounterInput) (*EncounterResult, error) {
	a, err := s.Attendees.Attendee(ctx, u.ID, eventID, attendeeID)
	if err != nil {
		return nil, notFoundField(err, "attendee_id")
	}
	c := GuestContact(a)
	in.ContactID, in.Contact = "", &c
	if len(attendeeKeys(a)) == 0 {
		// Nothing to know them by but their name: whoever was met here
		// under it is them (marked met twice, they stay one contact).
		byName, err := s.metAt(u.ID, eventID).byName(ctx)
		if err != nil {
			return nil, err
		}
		if id, ok := byName[events.FoldName(a.Name)]; ok {
			in.ContactID, in.Contact = id, nil
		}
	}
	return s.LogEncounter(ctx, u, eventID, in)
}

// fromTheGuestList fills the blanks of a contact logged by name at an event
// from the one guest of that name on its list (case aside): their email,
// LinkedIn profile, company and title, as picking them from the list does,
// and the name as the list spells it ("zoe quinn" typed is "Zoe Quinn").
// Someone typed in at the event is then known by their email (the contact
// they already are, if they are one) and matched to the list by it. A name
// two guests share, a contact given an email or a LinkedIn profile, or a
// company other than the guest's takes nothing.
func (s *Service) fromTheGuestList(ctx context.Context, userID, eventID string, in contacts.Input) (contacts.Input, error) {
	name := strings.Join(strings.Fields(in.Name), " ")
	if len(in.Emails) > 0 || in.LinkedInURL != "" || name == "" {
		return in, nil
	}
	guests, err := s.Attendees.AttendeesNamed(ctx, userID, eventID, name, 2)
	if err != nil || len(guests) != 1 {
		return in, err
	}
	g := guests[0]
	if in.Company != "" && g.Company != "" && events.FoldName(in.Company) != events.FoldName(g.Company) {
		return in, nil // another person of that name, it seems
	}
	if e := guestEmail(&g); e != "" {
		in.Emails = []string{e}
	}
	in.Name, in.LinkedInURL = g.Name, g.LinkedInURL
	if in.Company == "" {
		in.Company = g.Company
	}
	if in.Title == "" {
		in.Title = g.Title
	}
	return in, nil
}

// GuestContact is the contact meeting guest a makes: the list's name,
// company, title, LinkedIn URL and email (guestEmail).
func GuestContact(a *events.Attendee) contacts.Input {
	c := contacts.Input{Name: a.Name, Company: a.Company, Title: a.Title, LinkedInURL: a.LinkedInURL}
	if e := guestEmail(a); e != "" {
		c.Emails = []string{e}
	}
	return c
}

// guestEmail is a guest's email as a contact takes it: "" for none, or for
// one a contact would refuse (a followed calendar's ATTENDEE may name a
// room or a list by an address that is not one), so that meeting the guest
// never fails on an email the user did not type.
func guestEmail(a *events.Attendee) string {
	if a.Email == "" {
		return ""
	}
	var ch input.Checker
	e := ch.Email("email", a.Email)
	if ch.Err() != nil {
		return ""
	}
	return e
}
