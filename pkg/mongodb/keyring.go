package mongodb

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// keyring keeps unique keys, each held by one record: one document per key
// (_id = user|key) naming its holder in the field owner. The key goes in
// before its record (insert-first), so two writers of one key cannot both
// win; a key whose record never came (a crash in between) is taken back
// after orphanAfter. Contacts (emails, LinkedIn URLs) and companies (names,
// domains) keep theirs in one.
type keyring struct {
	keys    *mongo.Collection
	records *mongo.Collection // where holders live
	owner   string            // the field naming the holder: contact_id, company_id
	what    string            // the record, in errors
	many    string            // its plural, in the Conflict
	// taken says what a Conflict on key is about ("this email").
	taken func(key string) string
}

// ringKey is a key document as the keyring reads it.
type ringKey struct {
	ID        string    `bson:"_id"`
	CreatedAt time.Time `bson:"created_at"`
	Owner     string    `bson:"-"`
}

func (k keyring) doc(userID, ownerID, key string, at time.Time) bson.M {
	return bson.M{"_id": keyID(userID, key), "user_id": userID, k.owner: ownerID, "created_at": record.Time(at)}
}

func (k keyring) holder(ctx context.Context, id string) (*ringKey, error) {
	var m bson.M
	if err := k.keys.FindOne(ctx, bson.M{"_id": id}).Decode(&m); err != nil {
		return nil, err
	}
	rk := &ringKey{ID: id}
	rk.Owner, _ = m[k.owner].(string)
	if t, ok := m["created_at"].(bson.DateTime); ok {
		rk.CreatedAt = t.Time()
	}
	return rk, nil
}

// holders returns which of the user's records hold keys, by key. A key
// whose holder is gone (a crash between the two writes) is left out.
func (k keyring) holders(ctx context.Context, userID string, keys []string) (map[string]string, error) {
	out := map[string]string{}
	if len(keys) == 0 {
		return out, nil
	}
	ids := make([]string, len(keys))
	for i, key := range keys {
		ids[i] = keyID(userID, key)
	}
	// <keys>._id
	var docs []bson.M
	if err := findAll(ctx, k.keys, k.what, &docs, bson.M{"_id": bson.M{"$in": ids}, "user_id": userID}); err != nil {
		return nil, err
	}
	held := map[string]string{} // key → holder
	var owners []string
	for _, d := range docs {
		id, _ := d["_id"].(string)
		owner, _ := d[k.owner].(string)
		held[strings.TrimPrefix(id, userID+"|")] = owner
		owners = append(owners, owner)
	}
	if len(owners) == 0 {
		return out, nil
	}
	// <records>._id, scoped by user_id
	var live []struct {
		ID string `bson:"_id"`
	}
	if err := findAll(ctx, k.records, k.what, &live, bson.M{"_id": bson.M{"$in": owners}, "user_id": userID}, options.Find().SetProjection(bson.M{"_id": 1})); err != nil {
		return nil, err
	}
	alive := make(map[string]bool, len(live))
	for _, l := range live {
		alive[l.ID] = true
	}
	for key, owner := range held {
		if alive[owner] {
			out[key] = owner
		}
	}
	return out, nil
}

// claim inserts the keys for ownerID; a key held by another record is a
// Conflict naming it, and the keys claimed by this call are released.
func (k keyring) claim(ctx context.Context, userID, ownerID string, keys []string) error {
	var done []string
	for _, key := range keys {
		_, err := k.keys.InsertOne(ctx, k.doc(userID, ownerID, key, time.Now())) // <keys>._id
		if err == nil {
			done = append(done, key)
			continue
		}
		if !mongo.IsDuplicateKeyError(err) {
			k.release(context.WithoutCancel(ctx), userID, ownerID, done)
			return translate(err, k.what)
		}
		held, ferr := k.holder(ctx, keyID(userID, key))
		if ferr != nil {
			k.release(context.WithoutCancel(ctx), userID, ownerID, done)
			return translate(ferr, k.what)
		}
		if held.Owner == ownerID {
			continue // ours already (a retried write)
		}
		if k.orphan(ctx, held) {
			// Left behind by a process that died between the key and its
			// record: take it back, then claim it again.
			k.keys.DeleteOne(ctx, bson.M{"_id": held.ID, k.owner: held.Owner})
			if _, err := k.keys.InsertOne(ctx, k.doc(userID, ownerID, key, time.Now())); err == nil {
				done = append(done, key)
				continue
			}
			// Someone else got it in between: fall through to the Conflict.
			if h, err := k.holder(ctx, keyID(userID, key)); err == nil {
				held = h
			}
		}
		k.release(context.WithoutCancel(ctx), userID, ownerID, done)
		return &apperr.Error{Kind: apperr.Conflict, Message: "one of your " + k.many + " has " + k.taken(key) + " already", ExistingID: held.Owner}
	}
	return nil
}

// orphanAfter is how old a key must be, whose record does not exist,
// before it counts as left behind by a crash rather than held by a create
// in flight (which inserts its record right after its keys).
const orphanAfter = 30 * time.Second

// orphan reports whether held is a key whose record was never stored.
func (k keyring) orphan(ctx context.Context, held *ringKey) bool {
	if time.Since(held.CreatedAt) <= orphanAfter {
		return false
	}
	n, err := k.records.CountDocuments(ctx, bson.M{"_id": held.Owner}, options.Count().SetLimit(1)) // <records>._id
	return err == nil && n == 0
}

// release deletes those of keys that ownerID holds.
func (k keyring) release(ctx context.Context, userID, ownerID string, keys []string) {
	if len(keys) == 0 {
		return
	}
	ids := make([]string, len(keys))
	for i, key := range keys {
		ids[i] = keyID(userID, key)
	}
	k.keys.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": ids}, k.owner: ownerID}) // <keys>._id
}
