package contacts

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// InteractionKinds are the kinds of interaction (PRODUCT.md §3), and the
// giving ledger's (§11): helped (you helped them), helped_me (they helped
// you), volunteered and spoke.
var InteractionKinds = []string{"email", "call", "meeting", "message", "social", "other", Helped, HelpedMe, Volunteered, Spoke}

// The giving ledger's kinds of interaction (PRODUCT.md §11).
const (
	Helped      = "helped"
	HelpedMe    = "helped_me"
	Volunteered = "volunteered"
	Spoke       = "spoke"
)

// GivingKinds are the kinds the giving ledger counts.
var GivingKinds = []string{Helped, HelpedMe, Volunteered, Spoke}

// Interaction is a coffee, call or email with a contact.
type Interaction struct {
	ID        string `json:"id"`
	UserID    string `json:"-"`
	ContactID string `json:"contact_id"`
	// EventID is set on what you gave an event with no contact
	// (volunteered, spoke: POST /v1/events/{id}/giving).
	EventID   string    `json:"event_id,omitempty"`
	Kind      string    `json:"kind"`
	At        time.Time `json:"at"`
	Notes     string    `json:"notes"`
	CreatedAt time.Time `json:"created_at"`
}

// InteractionInput is the body of POST /v1/contacts/{id}/interactions.
type InteractionInput struct {
	Kind  string `json:"kind"`
	At    string `json:"at,omitempty"`
	Notes string `json:"notes,omitempty"`
}

// CreateInteraction validates in and stores it for the contact (whose
// existence the caller has checked).
func (s *Service) CreateInteraction(ctx context.Context, userID, contactID string, in InteractionInput) (*Interaction, error) {
	var c input.Checker
	now := record.Time(s.Now())
	it := &Interaction{ID: record.NewID(), UserID: userID, ContactID: contactID, At: now, CreatedAt: now}
	interactionFields(&c, it, in.Kind, in.Notes, InteractionKinds)
	if t := c.Time("at", in.At); t != nil {
		it.At = *t
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateInteraction(ctx, it); err != nil {
		return nil, err
	}
	return it, nil
}

// EventGivingKinds are what may be given to an event with no contact.
var EventGivingKinds = []string{Volunteered, Spoke}

// GiveAtEvent validates in (kind volunteered or spoke) and stores it for
// the event (whose existence the caller has checked), with no contact.
func (s *Service) GiveAtEvent(ctx context.Context, userID, eventID string, in InteractionInput) (*Interaction, error) {
	var c input.Checker
	now := record.Time(s.Now())
	it := &Interaction{ID: record.NewID(), UserID: userID, EventID: eventID, At: now, CreatedAt: now}
	interactionFields(&c, it, in.Kind, in.Notes, EventGivingKinds)
	if t := c.Time("at", in.At); t != nil {
		it.At = *t
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if err := s.Store.CreateInteraction(ctx, it); err != nil {
		return nil, err
	}
	return it, nil
}

// interactionFields checks an interaction's kind (one of kinds) and notes
// into it: the rules every interaction is written under.
func interactionFields(c *input.Checker, it *Interaction, kind, notes string, kinds []string) {
	it.Kind = c.RequiredOneOf("kind", kind, kinds...)
	it.Notes = c.Text("notes", notes, input.MaxNotes)
}

// Validate checks it, read from outside the product (a backup), against
// the rules every interaction is written under: with a contact, any kind;
// given to an event alone, volunteered or spoke.
func (it *Interaction) Validate() error {
	var c input.Checker
	kinds := InteractionKinds
	if it.ContactID == "" {
		kinds = EventGivingKinds
	}
	interactionFields(&c, &Interaction{}, it.Kind, it.Notes, kinds)
	return c.Err()
}
