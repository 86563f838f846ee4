package store

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// NewID returns a new opaque id. Ids sort roughly by creation time, which
// cursor paging by _id relies on for a stable order (not for meaning).
func NewID() string { return bson.NewObjectID().Hex() }

// Time returns t in UTC truncated to milliseconds, the precision BSON keeps,
// so a value read back equals the value written.
func Time(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// Index declares one index: its name (so queries can name it in comments),
// its keys in order, and whether it is unique.
type Index struct {
	Name   string
	Keys   bson.D
	Unique bool
}

// EnsureIndexes creates the indexes on coll; it is idempotent and safe to
// run at every start and from several processes at once.
//
// Indexes are created one per command: FerretDB 1.24 panics (and drops the
// connection) when one createIndexes command names two or more indexes that
// already exist, because it deletes from a filtered copy of the list by the
// unfiltered position.
func EnsureIndexes(ctx context.Context, coll *mongo.Collection, idx ...Index) error {
	for _, x := range idx {
		o := options.Index().SetName(x.Name)
		if x.Unique {
			o.SetUnique(true)
		}
		if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: x.Keys, Options: o}); err != nil {
			return Err(err, "index "+x.Name)
		}
	}
	return nil
}

// Upsert runs an upserting UpdateOne, retrying when two writers race to
// insert the same document: the loser of that race gets a duplicate-key
// error (MongoDB retries some such upserts itself; FerretDB does not), and
// on a retry it finds the document and updates it.
func Upsert(ctx context.Context, coll *mongo.Collection, filter, update any) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		_, err = coll.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	return err
}
