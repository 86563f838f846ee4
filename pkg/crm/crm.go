// Package crm holds the rules that span several domains: logging an
// encounter (with an inline contact that may already exist), intros that
// schedule their check, interactions that resolve follow-ups, and deletes
// that leave nothing pointing at what was deleted. The HTTP API and the web
// pages both call it, so there is one copy of these rules.
package crm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/companies"
	"github.com/rapport-crm/rapport/pkg/contacts"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/followup"
	"github.com/rapport-crm/rapport/pkg/insights"
	"github.com/rapport-crm/rapport/pkg/kinds"
	"github.com/rapport-crm/rapport/pkg/opportunities"
	"github.com/rapport-crm/rapport/pkg/record"
	"github.com/rapport-crm/rapport/pkg/search"
	"golang.org/x/sync/singleflight"
)

// Service composes the domain services.
type Service struct {
	Events    *events.Service
	Contacts  *contacts.Service
	Followups *followup.Service
	Companies *companies.Service
	// Opportunities is the store of opportunities; their rules are the
	// workflows in opportunities.go.
	Opportunities opportunities.Store
	// Attendees keeps events' guest lists; their rules are attendees.go's.
	Attendees events.AttendeeStore
	Now       func() time.Time
	// URLCheck vets a user-given URL that the server will fetch (see
	// netguard.Guard.CheckURL), returning a reason or ""; nil allows any
	// http(s) URL.
	URLCheck func(raw string) string
	// Stamps records when a user's feeds and contacts last changed.
	Stamps record.Stamps
	// Docs keeps the records of every kind; Kinds are the kinds the
	// server keeps (pkg/app lists them), which the API's routes and a
	// backup serve alike.
	Docs          kinds.Docs
	Kinds         []kinds.Any
	insightSource insights.Source
	insights      *insightCache
	// duplicates share the finding of a user's likely duplicates among
	// the requests that ask at once (Duplicates).
	duplicates *singleflight.Group
	search     search.Store
	update     func(context.Context, func(context.Context, Tx) error) error
	// tx is the unit of work this Service is bound to (see bound), nil
	// for the Service itself.
	tx Tx
}

// atomically runs one workflow as one unit of work (Stores.Update): fn
// gets a Service bound to the unit, whose every store call is the unit's,
// so the workflow commits whole or not at all. Inside a unit it joins it.
func atomically[T any](ctx context.Context, s *Service, fn func(context.Context, *Service) (T, error)) (T, error) {
	if s.tx != nil {
		return fn(ctx, s)
	}
	var out T
	err := s.update(ctx, func(ctx context.Context, tx Tx) error {
		var err error
		out, err = fn(ctx, s.bound(tx))
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return out, nil
}

// bound returns a Service on the stores of the unit of work tx, sharing
// s's clock, URL check and insights cache.
func (s *Service) bound(tx Tx) *Service {
	b := New(tx.Stores(), s.Now)
	b.URLCheck, b.insights, b.duplicates, b.tx, b.Kinds = s.URLCheck, s.insights, s.duplicates, tx, s.Kinds
	return b
}

// CheckURL vets a URL the server will fetch: http(s) with a host, and
// URLCheck when set; it returns the reason it is refused, or "".
func (s *Service) CheckURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "must be an http(s) URL"
	}
	if s.URLCheck == nil {
		return ""
	}
	return s.URLCheck(raw)
}

// LogEncounterAtNewEvent creates the event ev and logs the encounter at
// it, or neither: everything is validated before the event is stored, and
// the event is removed again if logging the encounter fails. Field errors
// of the event are named "event.<field>".
func (s *Service) LogEncounterAtNewEvent(ctx context.Context, u *accounts.User, ev events.Input, in contacts.EncounterInput) (*EncounterResult, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*EncounterResult, error) {
		return s.logEncounterAtNewEvent(ctx, u, ev, in)
	})
}

func (s *Service) logEncounterAtNewEvent(ctx context.Context, u *accounts.User, ev events.Input, in contacts.EncounterInput) (*EncounterResult, error) {
	err := renamePrefix(ev.Validate(u.Timezone), "event.")
	_, encErr := in.Check(s.Now())
	err = mergeInvalid(err, encErr)
	if in.Contact != nil {
		err = mergeInvalid(err, in.Contact.Validate("contact."))
	}
	if err != nil {
		return nil, err
	}
	e, err := s.Events.Create(ctx, u.ID, u.Timezone, ev)
	if err != nil {
		return nil, renamePrefix(err, "event.")
	}
	// Nothing the failed request started may remain.
	s.tx.OnFail(func(ctx context.Context) error { return s.Events.Delete(ctx, u.ID, e.ID) })
	return s.logEncounter(ctx, u, e.ID, in)
}

// renamePrefix puts prefix before the field names of an Invalid error.
func renamePrefix(err error, prefix string) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) || len(ae.Fields) == 0 {
		return err
	}
	out := *ae
	out.Fields = make([]apperr.FieldError, len(ae.Fields))
	for i, f := range ae.Fields {
		out.Fields[i] = apperr.FieldError{Field: prefix + f.Field, Message: f.Message}
	}
	return &out
}

// EncounterResult is the answer to logging an encounter.
type EncounterResult struct {
	Encounter *contacts.Encounter `json:"encounter"`
	Contact   *contacts.Contact   `json:"contact"`
	Followups []followup.FollowUp `json:"followups"`
	// ContactCreated says whether the inline contact was new.
	ContactCreated bool `json:"-"`
}

// notFoundField is a 404 that also names the body field holding the id.
func notFoundField(err error, field string) error {
	if apperr.Is(err, apperr.NotFound) {
		e := *(err.(*apperr.Error))
		e.Fields = []apperr.FieldError{{Field: field, Message: e.Message}}
		return &e
	}
	return err
}

// LogEncounter records meeting a contact at an event, in one call: the
// contact is an existing one (contact_id) or an inline one, which is reused
// when one of its emails or its LinkedIn URL is known already. It schedules
// the automatic follow-ups unless in.Followup is false.
func (s *Service) LogEncounter(ctx context.Context, u *accounts.User, eventID string, in contacts.EncounterInput) (*EncounterResult, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*EncounterResult, error) {
		return s.logEncounter(ctx, u, eventID, in)
	})
}

func (s *Service) logEncounter(ctx context.Context, u *accounts.User, eventID string, in contacts.EncounterInput) (_ *EncounterResult, err error) {
	enc, err := in.Check(s.Now())
	if in.Contact != nil {
		// Validate the inline contact too, so one answer lists every bad field.
		if cerr := in.Contact.Validate("contact."); cerr != nil {
			err = mergeInvalid(err, cerr)
		}
	}
	if err != nil {
		return nil, err
	}
	ev, err := s.Events.Store.Event(ctx, u.ID, eventID)
	if err != nil {
		return nil, err
	}
	if !in.MetNow && in.MetAt == "" {
		enc.MetAt = record.Time(events.MetAt(ev, enc.Moment, s.Now()))
	}
	res := &EncounterResult{Encounter: enc}
	if in.ContactID != "" {
		if res.Contact, err = s.Contacts.Store.Contact(ctx, u.ID, in.ContactID); err != nil {
			return nil, notFoundField(err, "contact_id")
		}
	} else {
		c, err := s.fromTheGuestList(ctx, u.ID, ev.ID, *in.Contact)
		if err != nil {
			return nil, err
		}
		if res.Contact, res.ContactCreated, err = s.findOrCreate(ctx, u.ID, c, enc.MetAt); err != nil {
			return nil, err
		}
	}
	if res.ContactCreated {
		// If a later step fails, a contact this request created goes again,
		// with whatever was stored for it (an engine that rolls back needs
		// no undo and drops it).
		created := res.Contact.ID
		s.tx.OnFail(func(ctx context.Context) error {
			if err := s.deleteContact(ctx, u.ID, created); err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			return nil
		})
	}
	enc.EventID, enc.ContactID = ev.ID, res.Contact.ID
	if err := s.Contacts.CreateEncounter(ctx, u.ID, enc); err != nil {
		return nil, err
	}
	if !res.ContactCreated {
		// A new contact was stored with last_contacted_at already; only a
		// known one needs the update (which scans on the embedded store).
		if res.Contact, err = s.Contacts.Touch(ctx, u.ID, res.Contact.ID, enc.MetAt); err != nil {
			return nil, err
		}
	}
	res.Followups = []followup.FollowUp{}
	if in.Followup == nil || *in.Followup {
		if res.Followups, err = s.Followups.ForEncounter(ctx, u, res.Contact.ID, enc.ID, ev.ID, encounterWhy(enc), enc.MetAt); err != nil {
			return nil, err
		}
	}
	if res.Contact.CadenceDays > 0 {
		// Meeting in person is contact: the stay-in-touch clock restarts.
		if err := s.cadence(ctx, u, res.Contact); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// findOrCreate creates the inline contact or returns the existing one that
// has one of its emails or its LinkedIn URL (filling its blank fields).
func (s *Service) findOrCreate(ctx context.Context, userID string, in contacts.Input, metAt time.Time) (*contacts.Contact, bool, error) {
	c, err := s.Contacts.Create(ctx, userID, in, contacts.CreateOpts{Prefix: "contact.", LastContactedAt: &metAt})
	if err == nil {
		return c, true, nil
	}
	var ae *apperr.Error
	if !apperr.Is(err, apperr.Conflict) || !errors.As(err, &ae) || ae.ExistingID == "" {
		return nil, false, err
	}
	// The existing contact may be a create in flight whose keys are in and
	// whose document is a moment away: wait for it briefly.
	for i := 0; ; i++ {
		c, err = s.Contacts.Store.Contact(ctx, userID, ae.ExistingID)
		if err == nil || !apperr.Is(err, apperr.NotFound) || i == 40 {
			break
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(25 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, false, err
	}
	c, err = s.Contacts.FillBlanks(ctx, c, in)
	return c, false, err
}

// CreateContact creates a contact and, if it has a cadence, its first
// stay-in-touch follow-up (counted from now).
func (s *Service) CreateContact(ctx context.Context, u *accounts.User, in contacts.Input) (*contacts.Contact, error) {
	return s.CreateContactWith(ctx, u, in, contacts.CreateOpts{})
}

// CreateContactWith is CreateContact with options (a chosen id).
func (s *Service) CreateContactWith(ctx context.Context, u *accounts.User, in contacts.Input, o contacts.CreateOpts) (*contacts.Contact, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Contact, error) {
		return s.createContact(ctx, u, in, o)
	})
}

func (s *Service) createContact(ctx context.Context, u *accounts.User, in contacts.Input, o contacts.CreateOpts) (*contacts.Contact, error) {
	c, err := s.Contacts.Create(ctx, u.ID, in, o)
	if err != nil || c.CadenceDays == 0 {
		return c, err
	}
	return c, s.cadence(ctx, u, c)
}

// UpdateContact applies a merge patch and keeps the stay-in-touch follow-up
// in line with the cadence.
func (s *Service) UpdateContact(ctx context.Context, u *accounts.User, id string, patch []byte) (*contacts.Contact, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Contact, error) {
		return s.updateContact(ctx, u, id, patch, nil, nil)
	})
}

// UpdateContactCard is UpdateContact for a card an address book sent: the
// patch of its fields and what else it held (contacts.Contact.CardExtra),
// written together.
func (s *Service) UpdateContactCard(ctx context.Context, u *accounts.User, id string, patch []byte, extra string) (*contacts.Contact, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Contact, error) {
		return s.updateContact(ctx, u, id, patch, nil, &extra)
	})
}

// UpdateContactSeen is UpdateContact for an edit made on a copy last
// updated at seen (the desk's edit form): if the contact changed since,
// nothing is written and the error is a Conflict naming updated_at.
func (s *Service) UpdateContactSeen(ctx context.Context, u *accounts.User, id string, patch []byte, seen time.Time) (*contacts.Contact, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Contact, error) {
		return s.updateContact(ctx, u, id, patch, &seen, nil)
	})
}

// changedSince is the Conflict of an edit made on an older copy.
func changedSince() error {
	e := apperr.E(apperr.Conflict, "changed since this copy was read")
	e.Fields = []apperr.FieldError{{Field: "updated_at", Message: "changed since this copy was read"}}
	return e
}

func (s *Service) updateContact(ctx context.Context, u *accounts.User, id string, patch []byte, seen *time.Time, extra *string) (*contacts.Contact, error) {
	old, err := s.Contacts.Store.Contact(ctx, u.ID, id)
	if err != nil {
		return nil, err
	}
	if seen != nil && !old.UpdatedAt.Equal(*seen) {
		return nil, changedSince()
	}
	c, err := s.Contacts.UpdateCard(ctx, u.ID, id, patch, extra)
	if err != nil {
		return nil, err
	}
	if c.CadenceDays != old.CadenceDays {
		err = s.cadence(ctx, u, c)
	}
	return c, err
}

// cadence schedules (or re-dates, or cancels) the contact's stay-in-touch
// follow-up from its last contact, or from its creation if never contacted.
func (s *Service) cadence(ctx context.Context, u *accounts.User, c *contacts.Contact) error {
	last := c.CreatedAt
	if c.LastContactedAt != nil {
		last = *c.LastContactedAt
	}
	return s.Followups.ForCadence(ctx, u, c.ID, c.CadenceDays, last)
}

// LogInteraction records a coffee, call or email: last_contacted_at moves
// to the latest one, the follow-ups it takes care of are done, and the
// stay-in-touch follow-up is re-dated from it.
func (s *Service) LogInteraction(ctx context.Context, u *accounts.User, contactID string, in contacts.InteractionInput) (*contacts.Interaction, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Interaction, error) {
		return s.logInteraction(ctx, u, contactID, in)
	})
}

func (s *Service) logInteraction(ctx context.Context, u *accounts.User, contactID string, in contacts.InteractionInput) (*contacts.Interaction, error) {
	if _, err := s.Contacts.Store.Contact(ctx, u.ID, contactID); err != nil {
		return nil, err
	}
	it, err := s.Contacts.CreateInteraction(ctx, u.ID, contactID, in)
	if err != nil {
		return nil, err
	}
	c, err := s.Contacts.Touch(ctx, u.ID, contactID, it.At)
	if err != nil {
		return nil, err
	}
	if err := s.Followups.ResolveForInteraction(ctx, u.ID, contactID, it.At); err != nil {
		return nil, err
	}
	return it, s.cadence(ctx, u, c)
}

// CreateIntro records an introduction between two of the user's contacts;
// one made at once schedules its intro check.
func (s *Service) CreateIntro(ctx context.Context, u *accounts.User, in contacts.IntroInput) (*contacts.Intro, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Intro, error) { return s.createIntro(ctx, u, in) })
}

func (s *Service) createIntro(ctx context.Context, u *accounts.User, in contacts.IntroInput) (*contacts.Intro, error) {
	it, err := in.Check(s.Now())
	if err != nil {
		return nil, err
	}
	for i, id := range it.ContactIDs {
		if _, err := s.Contacts.Store.Contact(ctx, u.ID, id); err != nil {
			return nil, notFoundField(err, fmt.Sprintf("contact_ids[%d]", i))
		}
	}
	if it.EventID != "" {
		if _, err := s.Events.Store.Event(ctx, u.ID, it.EventID); err != nil {
			return nil, notFoundField(err, "event_id")
		}
	}
	if err := s.Contacts.CreateIntro(ctx, u.ID, it); err != nil {
		return nil, err
	}
	s.touchContacts(ctx, u.ID) // insights count intros
	if it.Status == contacts.IntroMade {
		if _, err := s.Followups.ForIntro(ctx, u, it.ID, it.ContactIDs[0], s.introWhy(ctx, u.ID, it), it.CreatedAt); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// whyMax bounds the text a follow-up carries to say why it exists.
const whyMax = 500

// encounterWhy is what an encounter's follow-ups say about why: its note
// and topics ("Wants our Go–Rust FFI notes · Topics: go, rust").
func encounterWhy(e *contacts.Encounter) string {
	var parts []string
	if n := strings.TrimSpace(e.Notes); n != "" {
		if r := []rune(n); len(r) > whyMax {
			n = string(r[:whyMax]) + "…"
		}
		parts = append(parts, n)
	}
	if len(e.Topics) > 0 {
		parts = append(parts, whyTopics+strings.Join(e.Topics, ", "))
	}
	return strings.Join(parts, " · ")
}

// whyTopics marks the topics in encounterWhy's note.
const whyTopics = "Topics: "

// EncounterWhyParts splits the note of an encounter's follow-up, as
// encounterWhy wrote it, into the encounter's notes and its topics; a
// note written otherwise (edited by hand) is all notes.
func EncounterWhyParts(note string) (notes string, topics []string) {
	rest := note
	switch i := strings.LastIndex(note, " · "+whyTopics); {
	case i >= 0:
		notes, rest = note[:i], note[i+len(" · "):]
	case strings.HasPrefix(note, whyTopics):
		rest = note
	default:
		return note, nil
	}
	for _, t := range strings.Split(strings.TrimPrefix(rest, whyTopics), ", ") {
		if t = strings.TrimSpace(t); t != "" {
			topics = append(topics, t)
		}
	}
	return notes, topics
}

// introduced starts introWhy's note.
const introduced = "You introduced "

// IntroWhyParts splits the note of an intro check, as introWhy wrote it,
// into the two people's names and the intro's context; ok is false for a
// note written otherwise (edited by hand).
func IntroWhyParts(note string) (a, b, context string, ok bool) {
	rest, ok := strings.CutPrefix(note, introduced)
	if !ok {
		return "", "", "", false
	}
	names, context, _ := strings.Cut(rest, ": ")
	a, b, ok = strings.Cut(names, " to ")
	return a, b, context, ok
}

// introWhy says whom an intro check is about: "You introduced Dana Lee to
// Sam Roe: <context>".
func (s *Service) introWhy(ctx context.Context, userID string, it *contacts.Intro) string {
	names := make([]string, len(it.ContactIDs))
	for i, id := range it.ContactIDs {
		names[i] = "a contact"
		if c, err := s.Contacts.Store.Contact(ctx, userID, id); err == nil {
			names[i] = c.Name
		}
	}
	why := introduced + strings.Join(names, " to ")
	if c := strings.TrimSpace(it.Context); c != "" {
		if r := []rune(c); len(r) > whyMax {
			c = string(r[:whyMax]) + "…"
		}
		why += ": " + c
	}
	return why
}

// MoveIntro changes an intro's status or outcome; becoming made schedules
// the intro check, and being declined cancels a pending one.
func (s *Service) MoveIntro(ctx context.Context, u *accounts.User, id string, p contacts.IntroPatch) (*contacts.Intro, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*contacts.Intro, error) { return s.moveIntro(ctx, u, id, p) })
}

func (s *Service) moveIntro(ctx context.Context, u *accounts.User, id string, p contacts.IntroPatch) (*contacts.Intro, error) {
	it, from, err := s.Contacts.MoveIntro(ctx, u.ID, id, p)
	if err != nil {
		return nil, err
	}
	s.touchContacts(ctx, u.ID)
	if from != contacts.IntroMade && it.Status == contacts.IntroMade {
		if _, err := s.Followups.ForIntro(ctx, u, it.ID, it.ContactIDs[0], s.introWhy(ctx, u.ID, it), it.UpdatedAt); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// CreateFollowup stores a custom follow-up for one of the user's contacts.
func (s *Service) CreateFollowup(ctx context.Context, u *accounts.User, in followup.CustomInput) (*followup.FollowUp, error) {
	return atomically(ctx, s, func(ctx context.Context, s *Service) (*followup.FollowUp, error) { return s.createFollowup(ctx, u, in) })
}

func (s *Service) createFollowup(ctx context.Context, u *accounts.User, in followup.CustomInput) (*followup.FollowUp, error) {
	f, err := in.Check()
	if err != nil {
		return nil, err
	}
	if _, err := s.Contacts.Store.Contact(ctx, u.ID, f.ContactID); err != nil {
		return nil, notFoundField(err, "contact_id")
	}
	return s.Followups.Create(ctx, u.ID, f)
}

// UpdateSettings applies PATCH /v1/me and re-plans the user's agenda email.
func (s *Service) UpdateSettings(ctx context.Context, acc *accounts.Service, userID string, patch []byte) (*accounts.User, error) {
	u, err := acc.UpdateSettings(ctx, userID, patch)
	if err != nil {
		return nil, err
	}
	if next := acc.NextAgenda(u, nil); next != nil {
		return u, s.Followups.Wake(ctx, u.ID, *next)
	}
	return u, nil
}
