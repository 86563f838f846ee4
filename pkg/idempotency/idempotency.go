// Package idempotency remembers the response to a POST sent with an
// Idempotency-Key for 24 hours, so that a retried request (a phone on hotel
// wifi) replays the first answer instead of creating anything again.
//
// A key is claimed by inserting a claim document first: the unique _id makes
// two concurrent requests with one key safe. The response is then stored as a
// second document (_id + "#done") rather than by updating the claim, so the
// path every keyed request takes is two inserts: the embedded store scans the
// whole collection for any find or update, and this one holds a day of requests.
// Expired records are deleted by Purge; the store has no TTL indexes.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/store"
)

// TTL is how long a response is replayed.
const TTL = 24 * time.Hour

// pendingTimeout is how long a claimed key waits for its first request to
// finish before another request may take it over (the first one crashed).
const pendingTimeout = time.Minute

// Record is a stored response.
type Record struct {
	ID          string    `bson:"_id"`
	UserID      string    `bson:"user_id"`
	Fingerprint string    `bson:"fingerprint"`
	Done        bool      `bson:"done"`
	Status      int       `bson:"status,omitempty"`
	ContentType string    `bson:"content_type,omitempty"`
	Body        []byte    `bson:"body,omitempty"`
	CreatedAt   time.Time `bson:"created_at"`
}

// Store keeps idempotency records.
type Store struct {
	c   *mongo.Collection
	Now func() time.Time
}

// New returns a Store on db.
func New(db *mongo.Database) *Store {
	return &Store{c: db.Collection("idempotency"), Now: time.Now}
}

// EnsureIndexes creates the index Purge uses.
func (s *Store) EnsureIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.c, store.Index{Name: "idempotency_created", Keys: bson.D{{Key: "created_at", Value: 1}}})
}

// Fingerprint identifies a request, so a key reused for a different request
// is refused instead of replaying an unrelated answer.
func Fingerprint(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Begin claims key for the user. It returns (nil, nil) when the caller
// should run the request and then call Finish or Abort; a finished Record
// to replay; Conflict while the same key's first request is still running;
// Invalid if the key was used for a different request.
func (s *Store) Begin(ctx context.Context, userID, key, fingerprint string) (*Record, error) {
	id := s.id(userID, key)
	for attempt := 0; attempt < 3; attempt++ {
		now := store.Time(s.Now())
		_, err := s.c.InsertOne(ctx, Record{ID: id, UserID: userID, Fingerprint: fingerprint, CreatedAt: now})
		if err == nil {
			return nil, nil
		}
		if !mongo.IsDuplicateKeyError(err) {
			return nil, store.Err(err, "idempotency record")
		}
		// The key was used before: read its claim and, if any, its response.
		// idempotency._id
		cur, err := s.c.Find(ctx, bson.M{"_id": bson.M{"$in": bson.A{id, id + doneSuffix}}})
		if err != nil {
			return nil, store.Err(err, "idempotency record")
		}
		var recs []Record
		if err := cur.All(ctx, &recs); err != nil {
			return nil, store.Err(err, "idempotency record")
		}
		var claim, done *Record
		for i := range recs {
			if recs[i].Done {
				done = &recs[i]
			} else {
				claim = &recs[i]
			}
		}
		switch {
		case claim == nil:
			continue // purged in between: claim again
		case now.Sub(claim.CreatedAt) >= TTL:
			// idempotency._id: expired, forget it and claim again.
			s.c.DeleteMany(ctx, bson.M{"_id": bson.M{"$in": bson.A{id, id + doneSuffix}}, "created_at": bson.M{"$lte": claim.CreatedAt.Add(time.Hour)}})
			continue
		case claim.Fingerprint != fingerprint:
			return nil, apperr.InvalidField("Idempotency-Key", "was already used for a different request")
		case done != nil:
			return done, nil
		case now.Sub(claim.CreatedAt) >= pendingTimeout:
			// idempotency._id: its request died without an answer; take over.
			s.c.DeleteOne(ctx, bson.M{"_id": id, "created_at": claim.CreatedAt})
			continue
		default:
			return nil, apperr.E(apperr.Conflict, "a request with this Idempotency-Key is still being processed; retry shortly")
		}
	}
	return nil, apperr.E(apperr.Conflict, "the Idempotency-Key is contended; retry shortly")
}

// doneSuffix marks the document holding a key's response.
const doneSuffix = "#done"

func (s *Store) id(userID, key string) string {
	sum := sha256.Sum256([]byte(key))
	return userID + ":" + hex.EncodeToString(sum[:])
}

// Finish stores the response to replay for key.
func (s *Store) Finish(ctx context.Context, userID, key string, status int, contentType string, body []byte) error {
	_, err := s.c.InsertOne(ctx, Record{ID: s.id(userID, key) + doneSuffix, UserID: userID, Done: true,
		Status: status, ContentType: contentType, Body: body, CreatedAt: store.Time(s.Now())})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return store.Err(err, "idempotency record")
}

// Abort releases key so the request can be retried (it failed on our side).
func (s *Store) Abort(ctx context.Context, userID, key string) error {
	// idempotency._id
	_, err := s.c.DeleteOne(ctx, bson.M{"_id": s.id(userID, key)})
	return store.Err(err, "idempotency record")
}

// Purge deletes records older than TTL and returns how many it deleted.
func (s *Store) Purge(ctx context.Context) (int64, error) {
	// idempotency_created
	res, err := s.c.DeleteMany(ctx, bson.M{"created_at": bson.M{"$lt": store.Time(s.Now().Add(-TTL))}})
	if err != nil {
		return 0, store.Err(err, "idempotency record")
	}
	return res.DeletedCount, nil
}
