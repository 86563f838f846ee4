package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/record"
)

// knownSinceGiven is the migration stamp of giveKnownSince.
const knownSinceGiven = "contacts-known-since"

// giveKnownSince gives the contacts stored before known_since theirs, as
// SQLite's migration 00050 does: when each was made, moved back to its
// first encounter and its first interaction; then it drops the index
// the "known since" order read before (by created_at) and stamps that it
// is done: once per database.
func (s *Contacts) giveKnownSince(ctx context.Context) error {
	stamps := &Stamps{DB: s.DB}
	if nonce, _, err := stamps.Stamp(ctx, record.MigrationStamp, knownSinceGiven); err != nil || nonce != "" {
		return err
	}
	err := s.updateEach(ctx, s.contacts(), bson.M{"known_since": bson.M{"$exists": false}}, "created_at", func(raw bson.Raw, t time.Time) mongo.WriteModel {
		id, _ := raw.Lookup("_id").StringValueOK()
		return mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": id}).SetUpdate(bson.M{"$set": bson.M{"known_since": t}})
	})
	if err != nil {
		return err
	}
	// Each encounter and interaction moves its contact's back.
	back := func(raw bson.Raw, t time.Time) mongo.WriteModel {
		userID, _ := raw.Lookup("user_id").StringValueOK()
		contactID, _ := raw.Lookup("contact_id").StringValueOK()
		// contacts._id, scoped by user_id
		return mongo.NewUpdateOneModel().SetFilter(bson.M{"_id": contactID, "user_id": userID}).
			SetUpdate(bson.M{"$min": bson.M{"known_since": t}})
	}
	if err := s.updateEach(ctx, s.encounters(), bson.M{}, "met_at", back); err != nil {
		return err
	}
	if err := s.updateEach(ctx, s.interactions(), bson.M{}, "at", back); err != nil {
		return err
	}
	s.contacts().Indexes().DropOne(ctx, "contacts_user_since") // absent from a new database
	return stamps.Touch(ctx, record.MigrationStamp, knownSinceGiven, "done", record.Time(time.Now()))
}

// updateEach runs on the contacts, in bulk writes, the update model makes
// of each document of coll that filter finds and its time field at (one
// without it is passed over).
func (s *Contacts) updateEach(ctx context.Context, coll *mongo.Collection, filter bson.M, at string, model func(raw bson.Raw, t time.Time) mongo.WriteModel) error {
	cur, err := coll.Find(ctx, filter, options.Find().SetProjection(bson.M{"_id": 1, "user_id": 1, "contact_id": 1, at: 1}))
	if err != nil {
		return translate(err, "contact")
	}
	defer cur.Close(ctx)
	var models []mongo.WriteModel
	for cur.Next(ctx) {
		t, ok := cur.Current.Lookup(at).TimeOK()
		if !ok {
			continue
		}
		if models = append(models, model(cur.Current, record.Time(t))); len(models) == 1000 {
			if err := s.writeAll(ctx, models); err != nil {
				return err
			}
			models = models[:0]
		}
	}
	if err := cur.Err(); err != nil {
		return translate(err, "contact")
	}
	return s.writeAll(ctx, models)
}

// writeAll runs models on the contacts, maxStatements to a bulk write.
func (s *Contacts) writeAll(ctx context.Context, models []mongo.WriteModel) error {
	for len(models) > 0 {
		n := min(len(models), maxStatements)
		if _, err := s.contacts().BulkWrite(ctx, models[:n], options.BulkWrite().SetOrdered(false)); err != nil {
			return translate(err, "contact")
		}
		models = models[n:]
	}
	return nil
}
