package mongodb

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Index declares one index: its name (so queries can name it in comments),
// its keys in order, and whether it is unique.
type Index struct {
	Name   string
	Keys   bson.D
	Unique bool
}

// ensureIndexes creates the indexes on coll; it is idempotent and safe to
// run at every start and from several processes at once.
//
// Indexes are created one per command: FerretDB 1.24 panics (and drops the
// connection) when one createIndexes command names two or more indexes that
// already exist, because it deletes from a filtered copy of the list by the
// unfiltered position.
func ensureIndexes(ctx context.Context, coll *mongo.Collection, idx ...Index) error {
	for _, x := range idx {
		o := options.Index().SetName(x.Name)
		if x.Unique {
			o.SetUnique(true)
		}
		if _, err := coll.Indexes().CreateOne(ctx, mongo.IndexModel{Keys: x.Keys, Options: o}); err != nil {
			return translate(err, "index "+x.Name)
		}
	}
	return nil
}

// findOwned finds the document with id and decodes it into out if it
// belongs to userID (its user_id field); otherwise NotFound, as for a
// missing one. It filters on _id alone because that is the one filter the
// embedded store pushes down to SQLite; any other filter makes it decode
// every document of the collection in Go (see STYLE.md), so scoping by user
// is checked here instead of in the query.
func findOwned(ctx context.Context, coll *mongo.Collection, id, userID string, out any, what string) error {
	raw, err := coll.FindOne(ctx, bson.M{"_id": id}).Raw()
	if err != nil {
		return translate(err, what)
	}
	if owner, ok := raw.Lookup("user_id").StringValueOK(); !ok || owner != userID {
		return &apperr.Error{Kind: apperr.NotFound, Message: what + " not found"}
	}
	return translate(unmarshal(raw, out), what)
}

// findAll decodes every document of coll that filter selects into out (a
// pointer to a slice); an error names what.
func findAll(ctx context.Context, coll *mongo.Collection, what string, out, filter any, opts ...options.Lister[options.FindOptions]) error {
	cur, err := coll.Find(ctx, filter, opts...)
	if err == nil {
		err = cur.All(ctx, out)
	}
	return translate(err, what)
}

// deleteOwned deletes the document with id if it belongs to userID;
// otherwise (or if there is none) it returns NotFound ("<what> not found").
func deleteOwned(ctx context.Context, coll *mongo.Collection, id, userID, what string) error {
	res, err := coll.DeleteOne(ctx, bson.M{"_id": id, "user_id": userID})
	if err != nil {
		return translate(err, what)
	}
	if res.DeletedCount == 0 {
		return &apperr.Error{Kind: apperr.NotFound, Message: what + " not found"}
	}
	return nil
}

// upsertOne runs an upserting UpdateOne, retrying when two writers race to
// insert the same document: the loser of that race gets a duplicate-key
// error (MongoDB retries some such upserts itself; FerretDB does not), and
// on a retry it finds the document and updates it.
func upsertOne(ctx context.Context, coll *mongo.Collection, filter, update any) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		_, err = coll.UpdateOne(ctx, filter, update, options.UpdateOne().SetUpsert(true))
		if !mongo.IsDuplicateKeyError(err) {
			break
		}
	}
	return err
}

// deleteReturningIDs deletes the documents matching filter and returns
// their ids, so that what points at them can be cleaned up.
func deleteReturningIDs(ctx context.Context, c *mongo.Collection, filter bson.M, what string) ([]string, error) {
	var rows []struct {
		ID string `bson:"_id"`
	}
	if err := findAll(ctx, c, what, &rows, filter, options.Find().SetProjection(bson.M{"_id": 1})); err != nil {
		return nil, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	if len(ids) == 0 {
		return ids, nil
	}
	_, err := c.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": ids}})
	return ids, translate(err, what)
}
