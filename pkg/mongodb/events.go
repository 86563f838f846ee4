package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Events is the events.Store on MongoDB: collections events, calendars and
// calendar_leases.
type Events struct{ DB *mongo.Database }

var _ events.Store = (*Events)(nil)

func (s *Events) events() *mongo.Collection    { return s.DB.Collection("events") }
func (s *Events) calendars() *mongo.Collection { return s.DB.Collection("calendars") }
func (s *Events) leases() *mongo.Collection    { return s.DB.Collection("calendar_leases") }

// EnsureIndexes creates the indexes of the events' query shapes (the names
// and keys the server has always created).
func (s *Events) EnsureIndexes(ctx context.Context) error {
	for _, x := range []struct {
		c   *mongo.Collection
		idx Index
	}{
		{s.calendars(), Index{Name: "calendars_user", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}}}},
		{s.events(), Index{Name: "events_user_starts", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}}},
		{s.events(), Index{Name: "events_user_source", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "source.calendar_id", Value: 1}, {Key: "source.uid", Value: 1}}}},
		{s.events(), Index{Name: "events_user_updated", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "updated_at", Value: 1}}}},
	} {
		if err := ensureIndexes(ctx, x.c, x.idx); err != nil {
			return err
		}
	}
	return nil
}

// CreateEvent stores e.
func (s *Events) CreateEvent(ctx context.Context, e *events.Event) error {
	_, err := s.events().InsertOne(ctx, eventDoc(e))
	return translate(err, "event")
}

// ImportEvents stores new events with one insert.
func (s *Events) ImportEvents(ctx context.Context, es []*events.Event) error {
	if len(es) == 0 {
		return nil
	}
	docs := make([]any, len(es))
	for i, e := range es {
		docs[i] = eventDoc(e)
	}
	_, err := s.events().InsertMany(ctx, docs)
	return translate(err, "event")
}

// Event returns one of the user's events (events._id, owner checked).
func (s *Events) Event(ctx context.Context, userID, id string) (*events.Event, error) {
	var e events.Event
	if err := findOwned(ctx, s.events(), id, userID, &e, "event"); err != nil {
		return nil, err
	}
	return &e, nil
}

// UpdateEvent replaces the user's event (events._id, scoped by user_id).
func (s *Events) UpdateEvent(ctx context.Context, e *events.Event) error {
	old, _ := s.Event(ctx, e.UserID, e.ID)
	res, err := s.events().ReplaceOne(ctx, bson.M{"_id": e.ID, "user_id": e.UserID}, eventDoc(e))
	if err != nil {
		return translate(err, "event")
	}
	if res.MatchedCount == 0 {
		return apperr.E(apperr.NotFound, "event not found")
	}
	if old != nil && old.Title != e.Title {
		// The cards of everyone met there name the event.
		met, _ := (&Contacts{DB: s.DB}).ContactIDsAtEvent(ctx, e.UserID, e.ID)
		journal(ctx, s.DB, e.UserID, "cards", met...)
	}
	if old != nil && (old.Title != e.Title || !old.StartsAt.Equal(e.StartsAt)) {
		// Its tasks name the event and its day.
		journal(ctx, s.DB, e.UserID, "tasks", idsOf(ctx, s.DB.Collection("followups"), bson.M{"user_id": e.UserID, "event_id": e.ID})...)
	}
	return nil
}

// DeleteEvent removes one of the user's events (events._id, scoped by user_id).
func (s *Events) DeleteEvent(ctx context.Context, userID, id string) error {
	return deleteOwned(ctx, s.events(), id, userID, "event")
}

// Events returns one page of the user's events by starts_at (events_user_starts).
func (s *Events) Events(ctx context.Context, userID string, q events.EventQuery) (*record.Page[events.Event], error) {
	f := bson.M{"user_id": userID}
	when := bson.M{}
	if q.From != nil {
		when["$gte"] = *q.From
	}
	if q.To != nil {
		when["$lt"] = *q.To
	}
	if len(when) > 0 {
		f["starts_at"] = when
	}
	if q.Tag != "" {
		f["tags_lower"] = input.LowerAll([]string{q.Tag})[0]
	}
	if p := input.Search(q.Q); p != "" {
		f["search"] = bson.M{"$regex": p} // escaped: plain text
	}
	if q.Cursor != nil && q.Cursor.T == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	page, err := findPage(ctx, s.events(), pageQuery{Filter: f, SortField: "starts_at", Limit: q.Limit, Cursor: q.Cursor},
		func(e *events.Event) record.Cursor { return record.Cursor{T: &e.StartsAt, ID: e.ID} }, "event")
	if err != nil {
		return nil, err
	}
	return page, nil
}

func (s *Events) find(ctx context.Context, f bson.M, o *options.FindOptionsBuilder) ([]events.Event, error) {
	out := []events.Event{}
	if err := findAll(ctx, s.events(), "event", &out, f, o); err != nil {
		return nil, err
	}
	return out, nil
}

// EventsByID returns those of ids that are the user's events (events._id, scoped by user_id).
func (s *Events) EventsByID(ctx context.Context, userID string, ids []string) (map[string]*events.Event, error) {
	out := map[string]*events.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	es, err := s.find(ctx, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID}, options.Find())
	for i := range es {
		out[es[i].ID] = &es[i]
	}
	return out, err
}

// AllEvents returns all of the user's events by starts_at (events_user_starts).
func (s *Events) AllEvents(ctx context.Context, userID string) ([]events.Event, error) {
	return s.find(ctx, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "starts_at", Value: 1}, {Key: "_id", Value: 1}}))
}

// EventsFromCalendar returns the user's events a calendar brought in (events_user_source).
func (s *Events) EventsFromCalendar(ctx context.Context, userID, calendarID string) ([]events.Event, error) {
	return s.find(ctx, bson.M{"user_id": userID, "source.calendar_id": calendarID}, options.Find())
}

// CreateCalendar stores a followed calendar.
func (s *Events) CreateCalendar(ctx context.Context, c *events.Calendar) error {
	_, err := s.calendars().InsertOne(ctx, c)
	return translate(err, "calendar")
}

// Calendar returns one of the user's calendars (calendars._id, owner checked).
func (s *Events) Calendar(ctx context.Context, userID, id string) (*events.Calendar, error) {
	var c events.Calendar
	if err := findOwned(ctx, s.calendars(), id, userID, &c, "calendar"); err != nil {
		return nil, err
	}
	return &c, nil
}

// Calendars lists the user's calendars (all users' when userID is "") (calendars_user).
func (s *Events) Calendars(ctx context.Context, userID string) ([]events.Calendar, error) {
	f := bson.M{}
	if userID != "" {
		f["user_id"] = userID
	}
	out := []events.Calendar{}
	return out, findAll(ctx, s.calendars(), "calendar", &out, f, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
}

// DeleteCalendar removes one of the user's calendars (calendars._id, scoped by user_id).
func (s *Events) DeleteCalendar(ctx context.Context, userID, id string) error {
	return deleteOwned(ctx, s.calendars(), id, userID, "calendar")
}

// RecordSync stores the outcome of a sync (calendars._id).
func (s *Events) RecordSync(ctx context.Context, calendarID string, at time.Time, result *events.SyncResult, failure string) error {
	update := bson.M{"$set": bson.M{"last_sync_at": record.Time(at), "last_error": failure}}
	if result != nil {
		update = bson.M{"$set": bson.M{"last_sync_at": record.Time(at), "last_result": result}, "$unset": bson.M{"last_error": ""}}
	}
	_, err := s.calendars().UpdateOne(ctx, bson.M{"_id": calendarID}, update)
	return translate(err, "calendar")
}

// NameCalendar sets a calendar's name (calendars._id).
func (s *Events) NameCalendar(ctx context.Context, calendarID, name string) error {
	_, err := s.calendars().UpdateOne(ctx, bson.M{"_id": calendarID}, bson.M{"$set": bson.M{"name": name}})
	return translate(err, "calendar")
}

// ClaimSync inserts the calendar's lease for slot (calendar_leases._id).
func (s *Events) ClaimSync(ctx context.Context, calendarID, slot string, at time.Time) (bool, error) {
	_, err := s.leases().InsertOne(ctx, bson.M{"_id": calendarID + "#" + slot, "at": record.Time(at)})
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, translate(err, "calendar lease")
}

// PurgeSyncClaims removes leases taken before a time.
func (s *Events) PurgeSyncClaims(ctx context.Context, before time.Time) error {
	_, err := s.leases().DeleteMany(ctx, bson.M{"at": bson.M{"$lt": record.Time(before)}})
	return translate(err, "calendar lease")
}

// EventArchive walks and restores the user's events.
func (s *Events) EventArchive() record.Archive[events.Event] {
	return archive[events.Event]{db: s.DB, coll: "events", doc: eventDoc}
}

// CalendarArchive walks and restores the calendars the user follows.
func (s *Events) CalendarArchive() record.Archive[events.Calendar] {
	return archive[events.Calendar]{db: s.DB, coll: "calendars"}
}
