package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// archive is the record.Archive of one collection: its documents read in
// _id order through a cursor, restored in bulk.
type archive[T any] struct {
	db   *mongo.Database
	coll string
	// doc is how a record is stored (nil: as it is).
	doc func(*T) any
	// keys are the documents of keyColl that claim a record's keys; they
	// go in first, so records sharing a key are refused with conflict.
	keys     func(*T) []any
	keyColl  string
	conflict string
	// changed names the user, the journal ("cards", "tasks") and the ids
	// a restored record changes (nil: it changes no synced collection).
	changed func(*T) (userID, journal string, ids []string)
}

var _ record.Archive[struct{}] = archive[struct{}]{}

// Each calls fn with each of the user's records, in _id order.
func (a archive[T]) Each(ctx context.Context, userID string, fn func(*T) error) error {
	cur, err := a.db.Collection(a.coll).Find(ctx, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(500))
	if err != nil {
		return translate(err, a.coll)
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		x := new(T)
		if err := cur.Decode(x); err != nil {
			return translate(err, a.coll)
		}
		if err := fn(x); err != nil {
			return err
		}
	}
	return translate(cur.Err(), a.coll)
}

// Restore inserts the records' keys, then the records, in bulk, and
// journals what they change.
func (a archive[T]) Restore(ctx context.Context, records []*T) error {
	if len(records) == 0 {
		return nil
	}
	docs := make([]any, len(records))
	var keys []any
	for i, x := range records {
		docs[i] = x
		if a.doc != nil {
			docs[i] = a.doc(x)
		}
		if a.keys != nil {
			keys = append(keys, a.keys(x)...)
		}
	}
	if len(keys) > 0 {
		// <keyColl>._id
		if _, err := a.db.Collection(a.keyColl).InsertMany(ctx, keys); err != nil {
			if mongo.IsDuplicateKeyError(err) {
				return apperr.E(apperr.Conflict, "%s", a.conflict)
			}
			return translate(err, a.coll)
		}
	}
	if _, err := a.db.Collection(a.coll).InsertMany(ctx, docs); err != nil {
		return translate(err, a.coll)
	}
	if a.changed != nil {
		changed := map[[2]string][]string{}
		for _, x := range records {
			u, j, ids := a.changed(x)
			changed[[2]string{u, j}] = append(changed[[2]string{u, j}], ids...)
		}
		for k, ids := range changed {
			journal(ctx, a.db, k[0], k[1], ids...)
		}
	}
	return nil
}
