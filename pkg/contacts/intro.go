package contacts

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Intro statuses.
const (
	IntroProposed = "proposed"
	IntroAccepted = "accepted"
	IntroMade     = "made"
	IntroDeclined = "declined"
)

// introStatuses are an intro's statuses.
var introStatuses = []string{IntroProposed, IntroAccepted, IntroMade, IntroDeclined}

// introMoves lists the allowed status changes: with double opt-in an intro
// is proposed, accepted once both agree, then made; declined ends it.
var introMoves = map[string][]string{
	IntroProposed: {IntroAccepted, IntroDeclined},
	IntroAccepted: {IntroMade, IntroDeclined},
	IntroMade:     {},
	IntroDeclined: {},
}

// CanMove reports whether an intro may go from one status to another.
// Staying in the same status is allowed (to change only the outcome).
func CanMove(from, to string) bool {
	if from == to {
		return true
	}
	for _, s := range introMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Intro is an introduction the user gave between two of their contacts.
type Intro struct {
	ID          string    `json:"id"`
	UserID      string    `json:"-"`
	ContactIDs  []string  `json:"contact_ids"`
	EventID     string    `json:"event_id,omitempty"`
	Context     string    `json:"context"`
	DoubleOptIn bool      `json:"double_opt_in"`
	Status      string    `json:"status"`
	Outcome     string    `json:"outcome"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// IntroInput is the body of POST /v1/intros.
type IntroInput struct {
	ContactIDs  []string `json:"contact_ids"`
	EventID     string   `json:"event_id,omitempty"`
	Context     string   `json:"context,omitempty"`
	DoubleOptIn bool     `json:"double_opt_in,omitempty"`
}

// IntroPatch is the body of PATCH /v1/intros/{id}.
type IntroPatch struct {
	Status  string  `json:"status,omitempty"`
	Outcome *string `json:"outcome,omitempty"`
}

// CheckIntro validates in (the caller checks that the contacts and event
// are the user's) and returns the intro to store.
func (in IntroInput) Check(now time.Time) (*Intro, error) {
	var c input.Checker
	checkIntroduced(&c, in.ContactIDs)
	now = record.Time(now)
	it := &Intro{ID: record.NewID(), ContactIDs: in.ContactIDs, EventID: in.EventID, DoubleOptIn: in.DoubleOptIn,
		Status: IntroMade, CreatedAt: now, UpdatedAt: now}
	it.Context = c.Text("context", in.Context, input.MaxNotes)
	if in.DoubleOptIn {
		it.Status = IntroProposed
	}
	return it, c.Err()
}

// checkIntroduced checks an intro's two contacts.
func checkIntroduced(c *input.Checker, ids []string) {
	switch {
	case len(ids) != 2:
		c.Add("contact_ids", "must name exactly two contacts")
	case ids[0] == ids[1]:
		c.Add("contact_ids", "must name two different contacts")
	case ids[0] == "" || ids[1] == "":
		c.Add("contact_ids", "must not be empty")
	}
}

// Validate checks it, read from outside the product (a backup), against
// the rules every intro is written under: two contacts, a status, a
// context and an outcome of notes' length.
func (it *Intro) Validate() error {
	var c input.Checker
	checkIntroduced(&c, it.ContactIDs)
	c.RequiredOneOf("status", it.Status, introStatuses...)
	c.Text("context", it.Context, input.MaxNotes)
	c.Text("outcome", it.Outcome, input.MaxNotes)
	return c.Err()
}

// CreateIntro stores it for the user.
func (s *Service) CreateIntro(ctx context.Context, userID string, it *Intro) error {
	it.UserID = userID
	if err := s.Store.CreateIntro(ctx, it); err != nil {
		return err
	}
	return nil
}

// MoveIntro changes an intro's status and/or outcome. An impossible move is
// Invalid (422). The status is compared-and-set, so two concurrent moves
// cannot both succeed from the same status. It returns the updated intro and
// its previous status.
func (s *Service) MoveIntro(ctx context.Context, userID, id string, p IntroPatch) (*Intro, string, error) {
	it, err := s.Store.Intro(ctx, userID, id)
	if err != nil {
		return nil, "", err
	}
	var c input.Checker
	to := it.Status
	if p.Status != "" {
		to = c.OneOf("status", p.Status, "", introStatuses...)
	}
	outcome := it.Outcome
	if p.Outcome != nil {
		outcome = c.Text("outcome", *p.Outcome, input.MaxNotes)
	}
	if err := c.Err(); err != nil {
		return nil, "", err
	}
	if !CanMove(it.Status, to) {
		return nil, "", apperr.InvalidField("status", "cannot move an intro from %s to %s", it.Status, to)
	}
	out, err := s.Store.MoveIntro(ctx, userID, id, it.Status, to, outcome, record.Time(s.Now()))
	if err != nil {
		return nil, "", err
	}
	return out, it.Status, nil
}

// IntroFilter selects intros; it is the store's query (one type, not two).
type IntroFilter = IntroQuery

// DeleteIntrosOf removes the user's intros that involve any of
// contactIDs and returns their ids.
func (s *Service) DeleteIntrosOf(ctx context.Context, userID string, contactIDs []string) ([]string, error) {
	return s.Store.DeleteIntrosOf(ctx, userID, contactIDs)
}

// DetachIntrosFromEvent clears the event of the user's intros made at it.
func (s *Service) DetachIntrosFromEvent(ctx context.Context, userID, eventID string) error {
	return s.Store.DetachIntrosFromEvent(ctx, userID, eventID, record.Time(s.Now()))
}
