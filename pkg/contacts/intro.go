package contacts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/store"
)

// Intro statuses.
const (
	IntroProposed = "proposed"
	IntroAccepted = "accepted"
	IntroMade     = "made"
	IntroDeclined = "declined"
)

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
	ID          string    `bson:"_id" json:"id"`
	UserID      string    `bson:"user_id" json:"-"`
	ContactIDs  []string  `bson:"contact_ids" json:"contact_ids"`
	EventID     string    `bson:"event_id,omitempty" json:"event_id,omitempty"`
	Context     string    `bson:"context" json:"context"`
	DoubleOptIn bool      `bson:"double_opt_in" json:"double_opt_in"`
	Status      string    `bson:"status" json:"status"`
	Outcome     string    `bson:"outcome" json:"outcome"`
	CreatedAt   time.Time `bson:"created_at" json:"created_at"`
	UpdatedAt   time.Time `bson:"updated_at" json:"updated_at"`
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
	switch {
	case len(in.ContactIDs) != 2:
		c.Add("contact_ids", "must name exactly two contacts")
	case in.ContactIDs[0] == in.ContactIDs[1]:
		c.Add("contact_ids", "must name two different contacts")
	case in.ContactIDs[0] == "" || in.ContactIDs[1] == "":
		c.Add("contact_ids", "must not be empty")
	}
	now = store.Time(now)
	it := &Intro{ID: store.NewID(), ContactIDs: in.ContactIDs, EventID: in.EventID, DoubleOptIn: in.DoubleOptIn,
		Status: IntroMade, CreatedAt: now, UpdatedAt: now}
	it.Context = c.Text("context", in.Context, input.MaxNotes)
	if in.DoubleOptIn {
		it.Status = IntroProposed
	}
	return it, c.Err()
}

// CreateIntro stores it for the user.
func (s *Service) CreateIntro(ctx context.Context, userID string, it *Intro) error {
	it.UserID = userID
	if _, err := s.intros.InsertOne(ctx, it); err != nil {
		return store.Err(err, "intro")
	}
	s.Observe.Tell(userID, it)
	return nil
}

// GetIntro returns one of the user's intros; NotFound if none.
func (s *Service) GetIntro(ctx context.Context, userID, id string) (*Intro, error) {
	var it Intro
	// intros._id (owner checked in FindOwned)
	if err := store.FindOwned(ctx, s.intros, id, userID, &it, "intro"); err != nil {
		return nil, err
	}
	return &it, nil
}

// MoveIntro changes an intro's status and/or outcome. An impossible move is
// Invalid (422). The status is compared-and-set, so two concurrent moves
// cannot both succeed from the same status. It returns the updated intro and
// its previous status.
func (s *Service) MoveIntro(ctx context.Context, userID, id string, p IntroPatch) (*Intro, string, error) {
	it, err := s.GetIntro(ctx, userID, id)
	if err != nil {
		return nil, "", err
	}
	var c input.Checker
	to := it.Status
	if p.Status != "" {
		to = c.OneOf("status", p.Status, "", IntroProposed, IntroAccepted, IntroMade, IntroDeclined)
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
	from := it.Status
	now := store.Time(s.Now())
	var out Intro
	// intros._id, scoped by user_id, compare-and-set on status
	err = s.intros.FindOneAndUpdate(ctx, bson.M{"_id": id, "user_id": userID, "status": from},
		bson.M{"$set": bson.M{"status": to, "outcome": outcome, "updated_at": now}},
		options.FindOneAndUpdate().SetReturnDocument(options.After)).Decode(&out)
	if err != nil {
		if err = store.Err(err, "intro"); apperr.Is(err, apperr.NotFound) {
			return nil, "", apperr.E(apperr.Conflict, "the intro changed meanwhile; read it again")
		}
		return nil, "", err
	}
	s.Observe.Tell(userID, &out)
	return &out, from, nil
}

// IntroFilter selects intros for Intros.
type IntroFilter struct {
	ContactID, Status string
	Limit             int
	Cursor            *store.Cursor
}

// Intros lists the user's intros, oldest first.
func (s *Service) Intros(ctx context.Context, userID string, f IntroFilter) (*store.Page[Intro], error) {
	q := bson.M{"user_id": userID}
	if f.ContactID != "" {
		q["contact_ids"] = f.ContactID // intros_user_contacts
	}
	if f.Status != "" {
		q["status"] = f.Status
	}
	// intros_user_created
	return store.FindPage(ctx, s.intros, store.PageQuery{Filter: q, SortField: "created_at", Limit: f.Limit, Cursor: f.Cursor},
		func(it *Intro) store.Cursor { return store.Cursor{T: &it.CreatedAt, ID: it.ID} }, "intro")
}

// DeleteIntrosOf removes the user's intros that involve a contact and
// returns their ids.
func (s *Service) DeleteIntrosOf(ctx context.Context, userID, contactID string) ([]string, error) {
	// intros_user_contacts
	ids, err := store.DeleteReturningIDs(ctx, s.intros, bson.M{"user_id": userID, "contact_ids": contactID}, "intro")
	s.Observe.Tell(userID, store.Removal("intros", ids, err))
	return ids, err
}

// DetachIntrosFromEvent clears the event of the user's intros made at it.
func (s *Service) DetachIntrosFromEvent(ctx context.Context, userID, eventID string) error {
	_, err := s.intros.UpdateMany(ctx, bson.M{"user_id": userID, "event_id": eventID},
		bson.M{"$unset": bson.M{"event_id": ""}, "$set": bson.M{"updated_at": store.Time(s.Now())}})
	return store.Err(err, "intro")
}
