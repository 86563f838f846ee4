package contacts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/store"
)

// InteractionKinds are the kinds of interaction (PRODUCT.md §3).
var InteractionKinds = []string{"email", "call", "meeting", "message", "social", "other"}

// Interaction is a coffee, call or email with a contact.
type Interaction struct {
	ID        string    `bson:"_id" json:"id"`
	UserID    string    `bson:"user_id" json:"-"`
	ContactID string    `bson:"contact_id" json:"contact_id"`
	Kind      string    `bson:"kind" json:"kind"`
	At        time.Time `bson:"at" json:"at"`
	Notes     string    `bson:"notes" json:"notes"`
	CreatedAt time.Time `bson:"created_at" json:"created_at"`
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
	now := store.Time(s.Now())
	it := &Interaction{ID: store.NewID(), UserID: userID, ContactID: contactID, At: now, CreatedAt: now}
	if in.Kind == "" {
		c.Add("kind", "is required (one of email, call, meeting, message, social, other)")
	} else {
		it.Kind = c.OneOf("kind", in.Kind, "", InteractionKinds...)
	}
	if t := c.Time("at", in.At); t != nil {
		it.At = *t
	}
	it.Notes = c.Text("notes", in.Notes, input.MaxNotes)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if _, err := s.interactions.InsertOne(ctx, it); err != nil {
		return nil, store.Err(err, "interaction")
	}
	return it, nil
}

// InteractionPage is one page of interactions.
type InteractionPage struct {
	Items      []Interaction `json:"items"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// Interactions lists a contact's interactions, newest first.
func (s *Service) Interactions(ctx context.Context, userID, contactID string, limit int, cursor *store.Cursor) (*InteractionPage, error) {
	if limit <= 0 {
		limit = store.DefaultLimit
	}
	q := bson.M{"user_id": userID, "contact_id": contactID}
	var after bson.M
	if cursor != nil && cursor.T != nil {
		after = bson.M{"$or": bson.A{
			bson.M{"at": bson.M{"$lt": *cursor.T}},
			bson.M{"at": *cursor.T, "_id": bson.M{"$lt": cursor.ID}},
		}}
	}
	// interactions_user_contact
	cur, err := s.interactions.Find(ctx, store.And(q, after), options.Find().
		SetSort(bson.D{{Key: "at", Value: -1}, {Key: "_id", Value: -1}}).SetLimit(int64(limit+1)))
	if err != nil {
		return nil, store.Err(err, "interaction")
	}
	items := []Interaction{}
	if err := cur.All(ctx, &items); err != nil {
		return nil, store.Err(err, "interaction")
	}
	page := &InteractionPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		last := page.Items[limit-1]
		t := last.At
		page.NextCursor = store.Cursor{T: &t, ID: last.ID}.Encode()
	}
	return page, nil
}

// DeleteInteractionsOf removes all of a contact's interactions.
func (s *Service) DeleteInteractionsOf(ctx context.Context, userID, contactID string) error {
	// interactions_user_contact
	_, err := s.interactions.DeleteMany(ctx, bson.M{"user_id": userID, "contact_id": contactID})
	return store.Err(err, "interaction")
}
