package mongodb

import (
	"context"
	"errors"
	"slices"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/events"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Attendees is the events.AttendeeStore on MongoDB: collection attendees,
// one document per person on one event's list.
type Attendees struct{ DB *mongo.Database }

var _ events.AttendeeStore = (*Attendees)(nil)

func (s *Attendees) attendees() *mongo.Collection { return s.DB.Collection("attendees") }

// EnsureIndexes creates the unique key of a list's people and the index
// of a list in name order.
func (s *Attendees) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, s.attendees(),
		Index{Name: "attendees_user_event_key", Unique: true, Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "key", Value: 1}}},
		Index{Name: "attendees_user_event_name", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "event_id", Value: 1}, {Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}})
}

// upsertsPerRequest is the most upserts UpsertAttendees sends in one
// request. FerretDB 1.24, the MongoDB-wire server the tests run, holds one
// connection of a pool of 100 for each update of a request until the
// request ends: four imports at once of 50 each starved it and hung.
const upsertsPerRequest = 20

// UpsertAttendees implements events.AttendeeStore with unordered bulks of
// upserts (upsertsPerRequest at a time) on the unique key
// (attendees_user_event_key). Two imports racing to insert one key: the
// loser's upsert fails with a duplicate key and is run again, and then
// updates.
func (s *Attendees) UpsertAttendees(ctx context.Context, userID, eventID string, as []events.Attendee) (added, updated int, err error) {
	for part := range slices.Chunk(as, upsertsPerRequest) {
		if err := s.upsert(ctx, userID, eventID, part); err != nil {
			return 0, 0, err
		}
	}
	return s.counted(ctx, userID, eventID, as)
}

// upsert writes as in one unordered bulk, and runs again the upserts that
// lost a race to insert their key.
func (s *Attendees) upsert(ctx context.Context, userID, eventID string, as []events.Attendee) error {
	models := make([]mongo.WriteModel, len(as))
	for i := range as {
		a := &as[i]
		a.UserID, a.EventID = userID, eventID
		models[i] = mongo.NewUpdateOneModel().SetUpsert(true).
			SetFilter(bson.M{"user_id": userID, "event_id": eventID, "key": a.Key}).
			SetUpdate(bson.M{
				"$set": bson.M{"name": a.Name, "name_lower": toLower(a.Name), "email": a.Email, "company": a.Company, "title": a.Title,
					"linkedin_url": a.LinkedInURL, "status": a.Status, "updated_at": record.Time(a.UpdatedAt)},
				"$setOnInsert": bson.M{"_id": a.ID, "created_at": record.Time(a.CreatedAt)},
			})
	}
	for try := 0; len(models) > 0; try++ {
		_, err := s.attendees().BulkWrite(ctx, models, options.BulkWrite().SetOrdered(false))
		var bwe mongo.BulkWriteException
		if err == nil {
			break
		}
		if !errors.As(err, &bwe) || try > 0 {
			return translate(err, "attendee")
		}
		var again []mongo.WriteModel
		for _, we := range bwe.WriteErrors {
			if !mongo.IsDuplicateKeyError(we) {
				return translate(err, "attendee")
			}
			again = append(again, models[we.Index])
		}
		models = again
	}
	return nil
}

// counted says how many of as were added and how many updated.
func (s *Attendees) counted(ctx context.Context, userID, eventID string, as []events.Attendee) (added, updated int, err error) {
	// Which were added: the rows that kept the id given here (an upsert
	// that updated kept the one stored before). Counted from the store, not
	// from the bulk's answer, so imports racing count each row once.
	ours := map[string]string{} // key → id given
	keys := make([]string, 0, len(as))
	for i := range as {
		ours[as[i].Key] = as[i].ID
		keys = append(keys, as[i].Key)
	}
	// attendees_user_event_key
	var docs []struct {
		ID  string `bson:"_id"`
		Key string `bson:"key"`
	}
	if err := findAll(ctx, s.attendees(), "attendee", &docs, bson.M{"user_id": userID, "event_id": eventID, "key": bson.M{"$in": keys}},
		options.Find().SetProjection(bson.M{"_id": 1, "key": 1})); err != nil {
		return 0, 0, err
	}
	for _, d := range docs {
		if ours[d.Key] == d.ID {
			added++
		}
	}
	return added, len(ours) - added, nil
}

// Attendees implements events.AttendeeStore (attendees_user_event_name).
func (s *Attendees) Attendees(ctx context.Context, userID, eventID string, limit int, cur *record.Cursor) (*record.Page[events.Attendee], error) {
	if cur != nil && cur.S == nil {
		return nil, apperr.InvalidField("cursor", "is not a cursor of this list")
	}
	return findPage(ctx, s.attendees(), pageQuery{Filter: bson.M{"user_id": userID, "event_id": eventID}, SortField: "name_lower",
		Limit: limit, Cursor: cur}, nameCursor(func(a *events.Attendee) (string, string) { return a.Name, a.ID }), "attendee")
}

// AttendeesOf implements events.AttendeeStore (attendees_user_event_name).
func (s *Attendees) AttendeesOf(ctx context.Context, userID, eventID string, max int) ([]events.Attendee, error) {
	return s.byName(ctx, bson.M{"user_id": userID, "event_id": eventID}, max)
}

// AttendeesNamed implements events.AttendeeStore (attendees_user_event_name).
func (s *Attendees) AttendeesNamed(ctx context.Context, userID, eventID, name string, max int) ([]events.Attendee, error) {
	return s.byName(ctx, bson.M{"user_id": userID, "event_id": eventID, "name_lower": toLower(name)}, max)
}

// byName reads at most max attendees that filter selects, by name.
func (s *Attendees) byName(ctx context.Context, filter bson.M, max int) ([]events.Attendee, error) {
	out := []events.Attendee{}
	if err := findAll(ctx, s.attendees(), "attendee", &out, filter,
		options.Find().SetSort(bson.D{{Key: "name_lower", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(int64(max))); err != nil {
		return nil, err
	}
	return out, nil
}

// Attendee implements events.AttendeeStore (_id, scoped by user and event).
func (s *Attendees) Attendee(ctx context.Context, userID, eventID, id string) (*events.Attendee, error) {
	var a events.Attendee
	if err := s.attendees().FindOne(ctx, bson.M{"_id": id, "user_id": userID, "event_id": eventID}).Decode(&a); err != nil {
		return nil, translate(err, "attendee")
	}
	return &a, nil
}

// DeleteAttendee implements events.AttendeeStore (_id, scoped by user and
// event).
func (s *Attendees) DeleteAttendee(ctx context.Context, userID, eventID, id string) error {
	res, err := s.attendees().DeleteOne(ctx, bson.M{"_id": id, "user_id": userID, "event_id": eventID})
	if err != nil {
		return translate(err, "attendee")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such attendee")
	}
	return nil
}

// DeleteAttendeesOf implements events.AttendeeStore (attendees_user_event_key).
func (s *Attendees) DeleteAttendeesOf(ctx context.Context, userID, eventID string) error {
	_, err := s.attendees().DeleteMany(ctx, bson.M{"user_id": userID, "event_id": eventID})
	return translate(err, "attendee")
}

// AttendeeArchive walks and restores the user's guest lists.
func (s *Attendees) AttendeeArchive() record.Archive[events.Attendee] {
	return archive[events.Attendee]{db: s.DB, coll: "attendees", doc: attendeeDoc}
}
