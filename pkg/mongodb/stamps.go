package mongodb

import (
	"context"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/record"
)

// Stamps is the record.Stamps on MongoDB: one collection per kind
// (feed_stamps, contact_stamps), one small document per user.
type Stamps struct{ DB *mongo.Database }

var _ record.Stamps = (*Stamps)(nil)

var stampCollections = map[string]string{record.FeedStamp: "feed_stamps", record.ContactsStamp: "contact_stamps", record.MigrationStamp: "migrations"}

type stampDoc struct {
	UserID string    `bson:"_id"`
	Nonce  string    `bson:"nonce"`
	At     time.Time `bson:"at"`
}

func (s *Stamps) c(kind string) *mongo.Collection { return s.DB.Collection(stampCollections[kind]) }

// Touch sets the user's stamp of kind (<kind>_stamps._id).
func (s *Stamps) Touch(ctx context.Context, kind, userID, nonce string, at time.Time) error {
	err := upsertOne(ctx, s.c(kind), bson.M{"_id": userID}, bson.M{"$set": bson.M{"nonce": nonce, "at": record.Time(at)}})
	return translate(err, "stamp")
}

// Stamp returns the user's stamp of kind (<kind>_stamps._id).
func (s *Stamps) Stamp(ctx context.Context, kind, userID string) (string, time.Time, error) {
	var d stampDoc
	err := s.c(kind).FindOne(ctx, bson.M{"_id": userID}).Decode(&d)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, translate(err, "stamp")
	}
	return d.Nonce, d.At, nil
}
