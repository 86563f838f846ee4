package accounts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/store"
)

// feedTokenPrefix marks calendar feed tokens (read-only, unlike API tokens).
const feedTokenPrefix = "rfd_"

// feedToken is a user's calendar feed token, stored as its hash. The unique
// index on user_id keeps one per user.
type feedToken struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CreatedAt time.Time `bson:"created_at"`
}

func (s *Service) feeds() *mongo.Collection { return s.users.Database().Collection("feed_tokens") }

// EnsureFeedIndexes creates the feed token index.
func (s *Service) EnsureFeedIndexes(ctx context.Context) error {
	return store.EnsureIndexes(ctx, s.feeds(), store.Index{Name: "feed_tokens_user", Keys: bson.D{{Key: "user_id", Value: 1}}, Unique: true})
}

// FeedToken returns the user's feed token if this call created it, or ""
// when one exists already (it is stored only as a hash and cannot be shown
// again; RotateFeedToken makes a new one).
func (s *Service) FeedToken(ctx context.Context, userID string) (string, error) {
	secret, hash := NewSecret(feedTokenPrefix)
	_, err := s.feeds().InsertOne(ctx, feedToken{Hash: hash, UserID: userID, CreatedAt: store.Time(s.Now())})
	if mongo.IsDuplicateKeyError(err) {
		return "", nil
	}
	if err != nil {
		return "", store.Err(err, "feed token")
	}
	return secret, nil
}

// RotateFeedToken replaces the user's feed token; the old URLs stop working at once.
func (s *Service) RotateFeedToken(ctx context.Context, userID string) (string, error) {
	// feed_tokens_user
	if _, err := s.feeds().DeleteMany(ctx, bson.M{"user_id": userID}); err != nil {
		return "", store.Err(err, "feed token")
	}
	secret, err := s.FeedToken(ctx, userID)
	if err == nil && secret == "" {
		return "", apperr.E(apperr.Conflict, "the feed token was rotated at the same time by another request; try again")
	}
	return secret, err
}

// FeedUser returns the user a feed token belongs to; NotFound for an
// unknown, malformed or rotated token.
func (s *Service) FeedUser(ctx context.Context, secret string) (*User, error) {
	notFound := apperr.E(apperr.NotFound, "no such feed")
	if len(secret) != len(feedTokenPrefix)+43 || secret[:len(feedTokenPrefix)] != feedTokenPrefix {
		return nil, notFound
	}
	hash := HashSecret(secret)
	var t feedToken
	// feed_tokens._id
	if err := s.feeds().FindOne(ctx, bson.M{"_id": hash}).Decode(&t); err != nil {
		if err = store.Err(err, "feed"); apperr.Is(err, apperr.NotFound) {
			return nil, notFound
		}
		return nil, err
	}
	if !SameHash(t.Hash, hash) {
		return nil, notFound
	}
	u, err := s.User(ctx, t.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound
	}
	return u, err
}
