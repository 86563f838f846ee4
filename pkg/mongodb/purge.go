package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// deleted holds a document per deleted user whose records are not all
// gone yet (_id the user's id).
func (s *Accounts) deleted() *mongo.Collection { return s.DB.Collection("deleted_users") }

// DeleteUser implements accounts.Store: the note that the user is deleted
// goes in first, then the user's document, so that an error between the
// two leaves a note PurgeUser acts on (the user's documents without a
// user sign nobody in).
func (s *Accounts) DeleteUser(ctx context.Context, id string, at time.Time) error {
	// deleted_users._id
	if _, err := s.deleted().UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$setOnInsert": bson.M{"at": at}}, options.UpdateOne().SetUpsert(true)); err != nil {
		return translate(err, "user")
	}
	res, err := s.users().DeleteOne(ctx, bson.M{"_id": id})
	if err != nil {
		return translate(err, "user")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such user")
	}
	return nil
}

// DeletedUsers implements accounts.Store.
func (s *Accounts) DeletedUsers(ctx context.Context) ([]accounts.DeletedUser, error) {
	// deleted_users: a few documents, all read
	var docs []struct {
		ID string    `bson:"_id"`
		At time.Time `bson:"at"`
	}
	if err := findAll(ctx, s.deleted(), "user", &docs, bson.M{}, options.Find().SetSort(bson.D{{Key: "at", Value: 1}})); err != nil {
		return nil, err
	}
	out := make([]accounts.DeletedUser, len(docs))
	for i, d := range docs {
		out[i] = accounts.DeletedUser{ID: d.ID, At: d.At}
	}
	return out, nil
}

// ForgetDeleted implements accounts.Store (deleted_users._id).
func (s *Accounts) ForgetDeleted(ctx context.Context, id string) error {
	_, err := s.deleted().DeleteOne(ctx, bson.M{"_id": id})
	return translate(err, "user")
}

// purgeKept are the collections a purge does not sweep: the first-user
// marker (meta: it goes only with the last user) and the notes of deleted
// users (ForgetDeleted).
var purgeKept = map[string]bool{"meta": true, "deleted_users": true}

// PurgeUser implements accounts.Store: every collection of the database
// (listed, so that one added later is too) loses the user's documents —
// those whose user_id is the user's, or whose _id is (a user's stamps,
// password, inbound address, dispatch state) — and the journal's counters
// theirs; the first-user marker goes if no user is left (whoever signed
// up first), as SQLite then takes a first sign-up too, and else forgets
// the user if it names them. The note in deleted_users stays
// (ForgetDeleted).
func (s *Accounts) PurgeUser(ctx context.Context, id string) error {
	names, err := s.DB.ListCollectionNames(ctx, bson.M{})
	if err != nil {
		return translate(err, "user")
	}
	for _, name := range names {
		if purgeKept[name] {
			continue
		}
		filter := bson.M{"$or": bson.A{bson.M{"user_id": id}, bson.M{"_id": id}}}
		if name == "dav_seq" { // _id = user|journal (changes.go)
			filter = bson.M{"_id": bson.M{"$in": bson.A{id + "|cards", id + "|tasks"}}}
		}
		// <collection>.user_id (its index, or a whole read of a small
		// collection: a purge is rare) and _id
		if _, err := s.DB.Collection(name).DeleteMany(ctx, filter); err != nil {
			return translate(err, "user")
		}
	}
	// users: any one left keeps the marker, without the deleted user's id
	err = s.users().FindOne(ctx, bson.M{}).Err()
	switch {
	case errors.Is(err, mongo.ErrNoDocuments):
		// meta._id
		_, err = s.meta().DeleteOne(ctx, bson.M{"_id": firstUserMarker})
	case err == nil:
		// meta._id
		_, err = s.meta().UpdateOne(ctx, bson.M{"_id": firstUserMarker, "user_id": id}, bson.M{"$unset": bson.M{"user_id": ""}})
	}
	return translate(err, "user")
}
