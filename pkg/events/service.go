package events

import (
	"context"
	"encoding/json"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/store"
)

// Service stores events.
type Service struct {
	c   *mongo.Collection
	Now func() time.Time
	// Changed, if set, is told after every write that changes what the
	// user's calendar feeds show (crm uses it to invalidate cached feeds).
	Changed func(ctx context.Context, userID string)
	// Observe, if set, is told of each event written (*Event) and of
	// removals (store.Removed).
	Observe store.Observer
}

// New returns a Service on db.
func New(db *mongo.Database) *Service {
	return &Service{c: db.Collection("events"), Now: time.Now}
}

// EnsureIndexes creates the indexes the queries below name.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	if err := s.EnsureCalendarIndexes(ctx); err != nil {
		return err
	}
	return store.EnsureIndexes(ctx, s.c,
		store.Index{Name: "events_user_starts", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}},
		store.Index{Name: "events_user_source", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "source.calendar_id", Value: 1}, {Key: "source.uid", Value: 1}}},
		store.Index{Name: "events_user_updated", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "updated_at", Value: 1}}},
	)
}

// Create validates in and stores a new event. defTZ is the user's time zone,
// the event's default. It returns Invalid naming each bad field.
func (s *Service) Create(ctx context.Context, userID, defTZ string, in Input) (*Event, error) {
	now := store.Time(s.Now())
	e := &Event{ID: store.NewID(), UserID: userID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(e, defTZ); err != nil {
		return nil, err
	}
	if _, err := s.c.InsertOne(ctx, e); err != nil {
		return nil, store.Err(err, "event")
	}
	s.Observe.Tell(userID, e)
	s.changed(ctx, userID)
	return e, nil
}

// Get returns the user's event with id; NotFound if the user has none.
func (s *Service) Get(ctx context.Context, userID, id string) (*Event, error) {
	var e Event
	// events._id (owner checked in FindOwned)
	if err := store.FindOwned(ctx, s.c, id, userID, &e, "event"); err != nil {
		return nil, err
	}
	return &e, nil
}

// Update applies a merge patch to the user's event. Moving starts_at without
// naming ends_at keeps the duration. A change of time, place or status
// increments the sequence. It returns NotFound or Invalid.
func (s *Service) Update(ctx context.Context, userID, id string, patch []byte) (*Event, error) {
	old, err := s.Get(ctx, userID, id)
	if err != nil {
		return nil, err
	}
	var in Input
	if err := input.MergePatch(inputOf(old), patch, &in); err != nil {
		return nil, err
	}
	var keys map[string]json.RawMessage
	json.Unmarshal(patch, &keys)
	if _, endsNamed := keys["ends_at"]; !endsNamed {
		if starts, err := time.Parse(time.RFC3339Nano, in.StartsAt); err == nil && !starts.Equal(old.StartsAt) {
			in.EndsAt = starts.Add(old.EndsAt.Sub(old.StartsAt)).Format(time.RFC3339Nano)
		}
	}
	e := *old
	if err := in.apply(&e, old.Timezone); err != nil {
		return nil, err
	}
	if !e.StartsAt.Equal(old.StartsAt) || !e.EndsAt.Equal(old.EndsAt) || e.Location != old.Location || e.Status != old.Status {
		e.Sequence++
	}
	e.UpdatedAt = store.Time(s.Now())
	if err := s.replace(ctx, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

func (s *Service) replace(ctx context.Context, e *Event) error {
	// events._id, scoped by user_id
	res, err := s.c.ReplaceOne(ctx, bson.M{"_id": e.ID, "user_id": e.UserID}, e)
	if err != nil {
		return store.Err(err, "event")
	}
	if res.MatchedCount == 0 {
		return apperr.E(apperr.NotFound, "event not found")
	}
	s.Observe.Tell(e.UserID, e)
	s.changed(ctx, e.UserID)
	return nil
}

// Delete removes the user's event; NotFound if there is none. Callers
// remove what points at it first (see crm.Service.DeleteEvent).
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	// events._id, scoped by user_id
	if err := store.DeleteOwned(ctx, s.c, id, userID, "event"); err != nil {
		return err
	}
	s.Observe.Tell(userID, store.Removed{Collection: "events", IDs: []string{id}})
	s.changed(ctx, userID)
	return nil
}

// Filter selects events for List.
type Filter struct {
	From, To *time.Time // starts_at in [From, To)
	Tag      string
	Q        string
	Limit    int
	Cursor   *store.Cursor
}

// List returns the user's events in starts_at order.
func (s *Service) List(ctx context.Context, userID string, f Filter) (*store.Page[Event], error) {
	q := bson.M{"user_id": userID}
	when := bson.M{}
	if f.From != nil {
		when["$gte"] = *f.From
	}
	if f.To != nil {
		when["$lt"] = *f.To
	}
	if len(when) > 0 {
		q["starts_at"] = when
	}
	if f.Tag != "" {
		q["tags_lower"] = input.LowerAll([]string{f.Tag})[0]
	}
	if p := input.Search(f.Q); p != "" {
		q["search"] = bson.M{"$regex": p}
	}
	// events_user_starts
	return store.FindPage(ctx, s.c, store.PageQuery{Filter: q, SortField: "starts_at", Limit: f.Limit, Cursor: f.Cursor},
		func(e *Event) store.Cursor { return store.Cursor{T: &e.StartsAt, ID: e.ID} }, "event")
}

// GetMany returns the user's events among ids, by id.
func (s *Service) GetMany(ctx context.Context, userID string, ids []string) (map[string]*Event, error) {
	out := map[string]*Event{}
	if len(ids) == 0 {
		return out, nil
	}
	// events._id, scoped by user_id
	cur, err := s.c.Find(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID})
	if err != nil {
		return nil, store.Err(err, "event")
	}
	var es []Event
	if err := cur.All(ctx, &es); err != nil {
		return nil, store.Err(err, "event")
	}
	for i := range es {
		out[es[i].ID] = &es[i]
	}
	return out, nil
}

// All returns all of the user's events in start order (for calendar feeds).
func (s *Service) All(ctx context.Context, userID string) ([]Event, error) {
	// events_user_starts
	cur, err := s.c.Find(ctx, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, store.Err(err, "event")
	}
	out := []Event{}
	return out, store.Err(cur.All(ctx, &out), "event")
}

// changed reports a change of feed content to the Changed hook.
func (s *Service) changed(ctx context.Context, userID string) {
	if s.Changed != nil {
		s.Changed(ctx, userID)
	}
}
