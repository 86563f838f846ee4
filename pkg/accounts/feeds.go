package accounts

import (
	"context"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/store"
)

// feedTokenPrefix marks calendar feed tokens (read-only, unlike API tokens).
const feedTokenPrefix = "rfd_"

// FeedSet is one set of calendar feed links (events, follow-ups, all) that
// share a secret token: one per device or app, so that revoking one leaves
// the others working. The token is stored only as its hash.
type FeedSet struct {
	Hash   string `bson:"_id" json:"-"`
	UserID string `bson:"user_id" json:"-"`
	// ID names the set in the API; the default set's is DefaultFeedSetID.
	ID         string     `bson:"set_id" json:"id"`
	Name       string     `bson:"name" json:"name"`
	CreatedAt  time.Time  `bson:"created_at" json:"created_at"`
	LastUsedAt *time.Time `bson:"last_used_at,omitempty" json:"last_used_at"`
}

// Default reports whether s is the user's default set (the one
// POST /v1/feeds/rotate acts on).
func (f *FeedSet) Default() bool { return strings.HasPrefix(f.ID, defaultSetPrefix) }

// defaultSetPrefix starts the set id of a user's default set, which is
// derived from the user id so the unique index on set_id keeps one.
const defaultSetPrefix = "default-"

// lastUsedEvery bounds how often a feed fetch records last_used_at
// (calendar apps poll every few minutes).
const lastUsedEvery = time.Hour

func (s *Service) feeds() *mongo.Collection { return s.users.Database().Collection("feed_tokens") }

// EnsureFeedIndexes creates the feed token indexes, moving tokens of the
// one-per-user era to default sets first.
func (s *Service) EnsureFeedIndexes(ctx context.Context) error {
	// The old index kept one token per user; sets need many.
	s.feeds().Indexes().DropOne(ctx, "feed_tokens_user")
	// feed_tokens: tokens without a set_id (a few, from before sets)
	cur, err := s.feeds().Find(ctx, bson.M{"set_id": bson.M{"$exists": false}})
	if err != nil {
		return store.Err(err, "feed token")
	}
	var old []FeedSet
	if err := cur.All(ctx, &old); err != nil {
		return store.Err(err, "feed token")
	}
	for _, f := range old {
		if _, err := s.feeds().UpdateOne(ctx, bson.M{"_id": f.Hash}, bson.M{"$set": bson.M{"set_id": defaultSetPrefix + f.UserID, "name": "Default"}}); err != nil {
			return store.Err(err, "feed token")
		}
	}
	if err := store.EnsureIndexes(ctx, s.feeds(), store.Index{Name: "feed_tokens_set", Keys: bson.D{{Key: "set_id", Value: 1}}, Unique: true}); err != nil {
		return err
	}
	return store.EnsureIndexes(ctx, s.feeds(), store.Index{Name: "feed_tokens_user_created", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}}})
}

// FeedToken returns the token of the user's default set if this call
// created it, or "" when it exists already (it is stored only as a hash and
// cannot be shown again; RotateFeedToken makes a new one).
func (s *Service) FeedToken(ctx context.Context, userID string) (string, error) {
	secret, _, err := s.insertSet(ctx, userID, defaultSetPrefix+userID, "Default")
	if apperr.Is(err, apperr.Conflict) {
		return "", nil
	}
	return secret, err
}

// CreateFeedSet adds a named set of feed links for a device or app and
// returns it with its token (shown this once).
func (s *Service) CreateFeedSet(ctx context.Context, userID, name string) (*FeedSet, string, error) {
	var c input.Checker
	name = c.Required("name", name, input.MaxName)
	if err := c.Err(); err != nil {
		return nil, "", err
	}
	secret, set, err := s.insertSet(ctx, userID, store.NewID(), name)
	return set, secret, err
}

func (s *Service) insertSet(ctx context.Context, userID, setID, name string) (string, *FeedSet, error) {
	secret, hash := NewSecret(feedTokenPrefix)
	set := &FeedSet{Hash: hash, UserID: userID, ID: setID, Name: name, CreatedAt: store.Time(s.Now())}
	if _, err := s.feeds().InsertOne(ctx, set); err != nil {
		return "", nil, store.Err(err, "feed set")
	}
	return secret, set, nil
}

// FeedSets lists the user's feed sets, oldest first, without tokens.
func (s *Service) FeedSets(ctx context.Context, userID string) ([]FeedSet, error) {
	// feed_tokens_user_created
	cur, err := s.feeds().Find(ctx, bson.M{"user_id": userID}, options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}))
	if err != nil {
		return nil, store.Err(err, "feed set")
	}
	out := []FeedSet{}
	return out, store.Err(cur.All(ctx, &out), "feed set")
}

// DeleteFeedSet revokes one set: its URLs answer 404 at once, the user's
// other sets keep working. NotFound if the user has no set with id.
func (s *Service) DeleteFeedSet(ctx context.Context, userID, id string) error {
	// feed_tokens_set, scoped by user_id
	res, err := s.feeds().DeleteOne(ctx, bson.M{"set_id": id, "user_id": userID})
	if err != nil {
		return store.Err(err, "feed set")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such feed set")
	}
	return nil
}

// RotateFeedToken replaces the token of the user's default set; its old
// URLs stop working at once, other sets are untouched.
func (s *Service) RotateFeedToken(ctx context.Context, userID string) (string, error) {
	// feed_tokens_set
	if _, err := s.feeds().DeleteOne(ctx, bson.M{"set_id": defaultSetPrefix + userID}); err != nil {
		return "", store.Err(err, "feed token")
	}
	secret, err := s.FeedToken(ctx, userID)
	if err == nil && secret == "" {
		return "", apperr.E(apperr.Conflict, "the feed token was rotated at the same time by another request; try again")
	}
	return secret, err
}

// FeedUser returns the user a feed token belongs to; NotFound for an
// unknown, malformed, rotated or revoked token. It records when the set was
// last used (at most once an hour).
func (s *Service) FeedUser(ctx context.Context, secret string) (*User, error) {
	notFound := apperr.E(apperr.NotFound, "no such feed")
	if len(secret) != len(feedTokenPrefix)+43 || secret[:len(feedTokenPrefix)] != feedTokenPrefix {
		return nil, notFound
	}
	hash := HashSecret(secret)
	var t FeedSet
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
	if err == nil {
		if now := store.Time(s.Now()); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedEvery {
			// feed_tokens._id; a failure here must not fail the feed
			s.feeds().UpdateOne(ctx, bson.M{"_id": hash}, bson.M{"$set": bson.M{"last_used_at": now}})
		}
	}
	return u, err
}
