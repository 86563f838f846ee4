package contacts

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Moments at which one meets someone at an event.
var Moments = []string{"before_talk", "during_talk", "after_talk", "other"}

// Encounter records meeting a contact at an event.
type Encounter struct {
	ID        string    `json:"id"`
	UserID    string    `json:"-"`
	EventID   string    `json:"event_id"`
	ContactID string    `json:"contact_id"`
	Moment    string    `json:"moment"`
	MetAt     time.Time `json:"met_at"`
	Notes     string    `json:"notes"`
	Topics    []string  `json:"topics"`
	CreatedAt time.Time `json:"created_at"`
	// ContactName is the contact's current name, filled in by lists (not stored).
	ContactName string `json:"contact_name,omitempty"`
}

// KnownPerson is someone the user met at an event (EncounterStore's
// PeopleMetAt), and since when the user has known them.
type KnownPerson struct {
	ContactID  string
	KnownSince time.Time
}

// EncounterInput is the body of POST /v1/events/{id}/encounters: an
// existing contact by id, or an inline contact.
type EncounterInput struct {
	ContactID string   `json:"contact_id,omitempty"`
	Contact   *Input   `json:"contact,omitempty"`
	Moment    string   `json:"moment"`
	MetAt     string   `json:"met_at,omitempty"`
	Notes     string   `json:"notes,omitempty"`
	Topics    []string `json:"topics,omitempty"`
	// Followup (default true) schedules the automatic follow-ups.
	Followup *bool `json:"followup,omitempty"`
	// MetNow dates a meeting given no met_at now, however long after its
	// event it is logged: the API's default, as PRODUCT.md gives it.
	// Without it such a meeting logged after the event is dated at the
	// event (events.MetAt: the event's time for the moment), which is what
	// someone logging at the desk, from the guest list, from the card or
	// through an assistant the next week means.
	MetNow bool `json:"-"`
}

// ClockSkew is how far ahead of the server's clock an encounter's met_at
// may be (a phone's clock runs fast); later is refused: it would drop out
// of insights' windows until then.
const ClockSkew = 15 * time.Minute

// Check validates the encounter's own fields (not the inline contact) and
// returns the encounter to store, for the event and contact the caller resolves.
func (in EncounterInput) Check(now time.Time) (*Encounter, error) {
	var c input.Checker
	switch {
	case in.ContactID == "" && in.Contact == nil:
		c.Add("contact_id", "or contact is required")
	case in.ContactID != "" && in.Contact != nil:
		c.Add("contact", "give contact_id or contact, not both")
	}
	e := &Encounter{ID: record.NewID(), CreatedAt: record.Time(now)}
	encounterFields(&c, e, in.Moment, in.Notes, in.Topics)
	e.MetAt = record.Time(now)
	if t := c.Time("met_at", in.MetAt); t != nil {
		e.MetAt = *t
		if e.MetAt.After(now.Add(ClockSkew)) {
			c.Add("met_at", "is in the future: an encounter is logged when or after it happens")
		}
	}
	return e, c.Err()
}

// encounterFields checks an encounter's moment, notes and topics into e:
// the rules every encounter is written under.
func encounterFields(c *input.Checker, e *Encounter, moment, notes string, topics []string) {
	e.Moment = c.RequiredOneOf("moment", moment, Moments...)
	e.Notes = c.Text("notes", notes, input.MaxNotes)
	e.Topics = c.Tags("topics", topics)
}

// Validate checks e, read from outside the product (a backup), against
// the rules every encounter is written under (its time may be any).
func (e *Encounter) Validate() error {
	var c input.Checker
	encounterFields(&c, &Encounter{}, e.Moment, e.Notes, e.Topics)
	return c.Err()
}

// CreateEncounter stores e for the user.
func (s *Service) CreateEncounter(ctx context.Context, userID string, e *Encounter) error {
	e.UserID = userID
	if err := s.Store.CreateEncounter(ctx, e); err != nil {
		return err
	}
	return nil
}

// EncounterFilter selects encounters: of one event or one contact; it is the store's query (one type, not two).
type EncounterFilter = EncounterQuery

// DeleteEncountersOf removes the user's encounters at any of the events
// ids (field "event_id") or with any of the contacts ids ("contact_id")
// and returns their ids.
func (s *Service) DeleteEncountersOf(ctx context.Context, userID, field string, ids []string) ([]string, error) {
	of := ByEvent
	if field == "contact_id" {
		of = ByContact
	}
	return s.Store.DeleteEncountersOf(ctx, userID, of, ids)
}
