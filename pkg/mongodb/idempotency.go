package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/idempotency"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Idempotency is the idempotency.Records on MongoDB: the claim is one
// document and the response a second (_id + "#done"), so that a keyed
// request costs two inserts and no update.
type Idempotency struct{ DB *mongo.Database }

var _ idempotency.Records = (*Idempotency)(nil)

func (s *Idempotency) c() *mongo.Collection { return s.DB.Collection("idempotency") }

// doneSuffix marks the document holding a key's response.
const doneSuffix = "#done"

// EnsureIndexes creates the index Purge uses.
func (s *Idempotency) EnsureIndexes(ctx context.Context) error {
	return ensureIndexes(ctx, s.c(), Index{Name: "idempotency_created", Keys: bson.D{{Key: "created_at", Value: 1}}})
}

// Claim inserts the claim, or returns the record that holds the key.
func (s *Idempotency) Claim(ctx context.Context, r *idempotency.Record) (*idempotency.Record, error) {
	for range 3 {
		old, again, err := s.claim(ctx, r)
		if !again {
			return old, err
		}
	}
	return nil, apperr.E(apperr.Conflict, "the Idempotency-Key is contended; retry shortly")
}

// claim tries once; again says the holder went away meanwhile.
func (s *Idempotency) claim(ctx context.Context, r *idempotency.Record) (old *idempotency.Record, again bool, err error) {
	claim := *r
	claim.Done = false
	_, err = s.c().InsertOne(ctx, &claim)
	if err == nil {
		return nil, false, nil
	}
	if !mongo.IsDuplicateKeyError(err) {
		return nil, false, translate(err, "idempotency record")
	}
	// idempotency._id
	var recs []idempotency.Record
	if err := findAll(ctx, s.c(), "idempotency record", &recs, bson.M{"_id": bson.M{"$in": bson.A{r.ID, r.ID + doneSuffix}}}); err != nil {
		return nil, false, err
	}
	var done *idempotency.Record
	for i := range recs {
		if recs[i].Done {
			done = &recs[i]
		} else {
			old = &recs[i]
		}
	}
	if old == nil {
		return nil, true, nil // released in between: claim again
	}
	if done != nil {
		old.Done, old.Status, old.ContentType, old.Body = true, done.Status, done.ContentType, done.Body
	}
	return old, false, nil
}

// Complete inserts the response document (one stored already stays),
// the user's as the claim is (a deleted user's are purged by it).
func (s *Idempotency) Complete(ctx context.Context, userID, id string, status int, contentType string, body []byte, at time.Time) error {
	_, err := s.c().InsertOne(ctx, idempotency.Record{ID: id + doneSuffix, UserID: userID, Done: true, Status: status, ContentType: contentType,
		Body: body, CreatedAt: record.Time(at)})
	if mongo.IsDuplicateKeyError(err) {
		return nil
	}
	return translate(err, "idempotency record")
}

// Release removes a claim and its response (idempotency._id).
func (s *Idempotency) Release(ctx context.Context, id string, createdAt time.Time) error {
	f := bson.M{"_id": id}
	if !createdAt.IsZero() {
		f["created_at"] = record.Time(createdAt)
	}
	res, err := s.c().DeleteOne(ctx, f)
	if err != nil {
		return translate(err, "idempotency record")
	}
	if res.DeletedCount == 1 {
		_, err = s.c().DeleteOne(ctx, bson.M{"_id": id + doneSuffix})
	}
	return translate(err, "idempotency record")
}

// Renew moves the claim made at createdAt to at (idempotency._id).
func (s *Idempotency) Renew(ctx context.Context, id string, createdAt, at time.Time) (bool, error) {
	res, err := s.c().UpdateOne(ctx, bson.M{"_id": id, "created_at": record.Time(createdAt)},
		bson.M{"$set": bson.M{"created_at": record.Time(at)}})
	if err != nil {
		return false, translate(err, "idempotency record")
	}
	return res.MatchedCount == 1, nil
}

// Purge removes records claimed before a time (idempotency_created).
func (s *Idempotency) Purge(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.c().DeleteMany(ctx, bson.M{"created_at": bson.M{"$lt": record.Time(before)}})
	if err != nil {
		return 0, translate(err, "idempotency record")
	}
	return res.DeletedCount, nil
}
