package mongodb

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/accounts"
	"github.com/rapport-crm/rapport/pkg/apperr"
)

// Accounts is the accounts.Store on MongoDB: collections users, tokens,
// feed_tokens and meta (the first-user marker).
type Accounts struct{ DB *mongo.Database }

var _ accounts.Store = (*Accounts)(nil)

func (s *Accounts) users() *mongo.Collection  { return s.DB.Collection("users") }
func (s *Accounts) tokens() *mongo.Collection { return s.DB.Collection("tokens") }
func (s *Accounts) feeds() *mongo.Collection  { return s.DB.Collection("feed_tokens") }
func (s *Accounts) meta() *mongo.Collection   { return s.DB.Collection("meta") }

// inbound holds one document per user (_id the user id) with the hash of
// its inbound email address.
func (s *Accounts) inbound() *mongo.Collection { return s.DB.Collection("inbound") }

// EnsureIndexes creates the indexes of the accounts' query shapes, moving
// feed tokens of the one-per-user era to default sets first.
func (s *Accounts) EnsureIndexes(ctx context.Context) error {
	// The old index kept one feed token per user; sets need many.
	s.feeds().Indexes().DropOne(ctx, "feed_tokens_user")
	// feed_tokens: tokens without a set_id (a few, from before sets)
	var old []accounts.FeedSet
	if err := findAll(ctx, s.feeds(), "feed token", &old, bson.M{"set_id": bson.M{"$exists": false}}); err != nil {
		return err
	}
	for _, f := range old {
		if _, err := s.feeds().UpdateOne(ctx, bson.M{"_id": f.Hash}, bson.M{"$set": bson.M{"set_id": accounts.DefaultFeedSetID(f.UserID), "name": "Default"}}); err != nil {
			return translate(err, "feed token")
		}
	}
	for _, x := range []struct {
		c   *mongo.Collection
		idx Index
	}{
		{s.users(), Index{Name: "users_email", Keys: bson.D{{Key: "email", Value: 1}}, Unique: true}},
		{s.tokens(), Index{Name: "tokens_hash", Keys: bson.D{{Key: "hash", Value: 1}}, Unique: true}},
		{s.tokens(), Index{Name: "tokens_user", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}}}},
		{s.feeds(), Index{Name: "feed_tokens_set", Keys: bson.D{{Key: "set_id", Value: 1}}, Unique: true}},
		{s.feeds(), Index{Name: "feed_tokens_user_created", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}}}},
		{s.inbound(), Index{Name: "inbound_hash", Keys: bson.D{{Key: "hash", Value: 1}}, Unique: true}},
		// Card ids are 128 random bits; users without a card have none.
		{s.users(), Index{Name: "users_card", Keys: bson.D{{Key: "card.id", Value: 1}}}},
	} {
		if err := ensureIndexes(ctx, x.c, x.idx); err != nil {
			return err
		}
	}
	return nil
}

// firstUserMarker is the _id of the meta document the first sign-up
// inserts: its unique _id makes "only the first user" hold under races.
const firstUserMarker = "first_user"

// CreateUser inserts the first-user marker (if it is not there), the user
// and the token in that order, and undoes what it did on a
// failure, so that nothing remains of a refused sign-up.
func (s *Accounts) CreateUser(ctx context.Context, u *accounts.User, first *accounts.Token, onlyFirst bool) error {
	undo := context.WithoutCancel(ctx)
	// The marker goes in with the first user whether or not sign-up is
	// open, so that closing sign-up later still finds it.
	// meta._id
	_, err := s.meta().InsertOne(ctx, bson.M{"_id": firstUserMarker, "user_id": u.ID, "created_at": u.CreatedAt})
	ours := err == nil
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return translate(err, "user")
	}
	if !ours && onlyFirst {
		return apperr.E(apperr.Forbidden, "sign-up is closed: this server already has its user (set CRM_OPEN_SIGNUP=true to allow more)")
	}
	releaseMarker := func() {
		if ours {
			s.meta().DeleteOne(undo, bson.M{"_id": firstUserMarker, "user_id": u.ID})
		}
	}
	if _, err := s.users().InsertOne(ctx, u); err != nil {
		releaseMarker()
		if mongo.IsDuplicateKeyError(err) {
			return &apperr.Error{Kind: apperr.Conflict, Message: "a user with this email exists", Err: err}
		}
		return translate(err, "user")
	}
	if _, err := s.tokens().InsertOne(ctx, first); err != nil {
		s.users().DeleteOne(undo, bson.M{"_id": u.ID})
		releaseMarker()
		return translate(err, "token")
	}
	return nil
}

// User returns the user with id (users._id).
func (s *Accounts) User(ctx context.Context, id string) (*accounts.User, error) {
	var u accounts.User
	if err := s.users().FindOne(ctx, bson.M{"_id": id}).Decode(&u); err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// UpdateUser replaces the stored user (users._id).
func (s *Accounts) UpdateUser(ctx context.Context, u *accounts.User) error {
	old, _ := s.User(ctx, u.ID)
	res, err := s.users().ReplaceOne(ctx, bson.M{"_id": u.ID}, u)
	if err != nil {
		return translate(err, "user")
	}
	if res.MatchedCount == 0 {
		return apperr.E(apperr.NotFound, "user not found")
	}
	if old != nil && old.Timezone != u.Timezone {
		// Cards and tasks show dates in the user's time zone.
		journal(ctx, s.DB, u.ID, "cards", idsOf(ctx, s.DB.Collection("contacts"), bson.M{"user_id": u.ID})...)
		journal(ctx, s.DB, u.ID, "tasks", idsOf(ctx, s.DB.Collection("followups"), bson.M{"user_id": u.ID})...)
	}
	return nil
}

// Users calls fn for every user in id order (users._id).
func (s *Accounts) Users(ctx context.Context, fn func(*accounts.User) error) error {
	cur, err := s.users().Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return translate(err, "user")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var u accounts.User
		if err := cur.Decode(&u); err != nil {
			return translate(err, "user")
		}
		if err := fn(&u); err != nil {
			return err
		}
	}
	return translate(cur.Err(), "user")
}

// CreateToken stores a token.
func (s *Accounts) CreateToken(ctx context.Context, t *accounts.Token) error {
	_, err := s.tokens().InsertOne(ctx, t)
	return translate(err, "token")
}

// TokenByHash returns the token with that hash (tokens_hash).
func (s *Accounts) TokenByHash(ctx context.Context, hash string) (*accounts.Token, error) {
	var t accounts.Token
	if err := s.tokens().FindOne(ctx, bson.M{"hash": hash}).Decode(&t); err != nil {
		return nil, translate(err, "token")
	}
	return &t, nil
}

// Tokens lists the user's tokens, oldest first (tokens_user).
func (s *Accounts) Tokens(ctx context.Context, userID string) ([]accounts.Token, error) {
	out := []accounts.Token{}
	return out, findAll(ctx, s.tokens(), "token", &out, bson.M{"user_id": userID},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
}

// DeleteToken removes one of the user's tokens (tokens._id, scoped by user_id).
func (s *Accounts) DeleteToken(ctx context.Context, userID, id string) error {
	return deleteOwned(ctx, s.tokens(), id, userID, "token")
}

// TouchToken records when a token was last used (tokens._id).
func (s *Accounts) TouchToken(ctx context.Context, id string, at time.Time) error {
	_, err := s.tokens().UpdateOne(ctx, bson.M{"_id": id}, bson.M{"$set": bson.M{"last_used_at": at}})
	return translate(err, "token")
}

// CreateFeedSet stores a set of feed links.
func (s *Accounts) CreateFeedSet(ctx context.Context, f *accounts.FeedSet) error {
	_, err := s.feeds().InsertOne(ctx, f)
	return translate(err, "feed set")
}

// FeedSetByHash returns the set whose token has that hash (feed_tokens._id).
func (s *Accounts) FeedSetByHash(ctx context.Context, hash string) (*accounts.FeedSet, error) {
	var f accounts.FeedSet
	if err := s.feeds().FindOne(ctx, bson.M{"_id": hash}).Decode(&f); err != nil {
		return nil, translate(err, "feed set")
	}
	return &f, nil
}

// FeedSets lists the user's sets, oldest first (feed_tokens_user_created).
func (s *Accounts) FeedSets(ctx context.Context, userID string) ([]accounts.FeedSet, error) {
	out := []accounts.FeedSet{}
	return out, findAll(ctx, s.feeds(), "feed set", &out, bson.M{"user_id": userID},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "set_id", Value: 1}}).SetLimit(1000))
}

// DeleteFeedSet removes one of the user's sets (feed_tokens_set, scoped by user_id).
func (s *Accounts) DeleteFeedSet(ctx context.Context, userID, id string) error {
	res, err := s.feeds().DeleteOne(ctx, bson.M{"set_id": id, "user_id": userID})
	if err != nil {
		return translate(err, "feed set")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such feed set")
	}
	return nil
}

// TouchFeedSet records when a set's links were last used (feed_tokens._id).
func (s *Accounts) TouchFeedSet(ctx context.Context, hash string, at time.Time) error {
	_, err := s.feeds().UpdateOne(ctx, bson.M{"_id": hash}, bson.M{"$set": bson.M{"last_used_at": at}})
	return translate(err, "feed set")
}

func (s *Accounts) sessions() *mongo.Collection { return s.DB.Collection("web_sessions") }

// CreateSession stores a phone-page session.
func (s *Accounts) CreateSession(ctx context.Context, sess *accounts.Session) error {
	_, err := s.sessions().InsertOne(ctx, sess)
	return translate(err, "session")
}

// Session returns the session with that hash (web_sessions._id).
func (s *Accounts) Session(ctx context.Context, hash string) (*accounts.Session, error) {
	var sess accounts.Session
	if err := s.sessions().FindOne(ctx, bson.M{"_id": hash}).Decode(&sess); err != nil {
		return nil, translate(err, "session")
	}
	return &sess, nil
}

// DeleteSession removes a session (web_sessions._id).
func (s *Accounts) DeleteSession(ctx context.Context, hash string) error {
	res, err := s.sessions().DeleteOne(ctx, bson.M{"_id": hash})
	if err != nil {
		return translate(err, "session")
	}
	if res.DeletedCount == 0 {
		return apperr.E(apperr.NotFound, "no such session")
	}
	return nil
}

// SetInbound stores the hash of the user's inbound address (one per user).
func (s *Accounts) SetInbound(ctx context.Context, userID, hash string, at time.Time, replace bool) (bool, error) {
	doc := bson.M{"_id": userID, "hash": hash, "created_at": at}
	if replace {
		_, err := s.inbound().ReplaceOne(ctx, bson.M{"_id": userID}, doc, options.Replace().SetUpsert(true))
		return err == nil, translate(err, "inbound address")
	}
	_, err := s.inbound().InsertOne(ctx, doc)
	if mongo.IsDuplicateKeyError(err) {
		return false, nil
	}
	return err == nil, translate(err, "inbound address")
}

// InboundUser returns the user of an inbound address's hash (inbound_hash).
func (s *Accounts) InboundUser(ctx context.Context, hash string) (string, error) {
	var d struct {
		ID string `bson:"_id"`
	}
	if err := s.inbound().FindOne(ctx, bson.M{"hash": hash}).Decode(&d); err != nil {
		return "", translate(err, "inbound address")
	}
	return d.ID, nil
}

// UserByEmail returns the user with that email (users_email).
func (s *Accounts) UserByEmail(ctx context.Context, email string) (*accounts.User, error) {
	var u accounts.User
	if err := s.users().FindOne(ctx, bson.M{"email": email}).Decode(&u); err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// UserByCard returns the user whose card has that id (users_card).
func (s *Accounts) UserByCard(ctx context.Context, cardID string) (*accounts.User, error) {
	var u accounts.User
	if err := s.users().FindOne(ctx, bson.M{"card.id": cardID}).Decode(&u); err != nil {
		return nil, translate(err, "user")
	}
	return &u, nil
}

// SetPassword stores the hash of the user's password (passwords._id is
// the user id).
func (s *Accounts) SetPassword(ctx context.Context, userID, hash string, at time.Time) error {
	_, err := s.DB.Collection("passwords").ReplaceOne(ctx, bson.M{"_id": userID},
		bson.M{"_id": userID, "hash": hash, "updated_at": at}, options.Replace().SetUpsert(true))
	return translate(err, "password")
}

// PasswordHash returns the hash of the user's password.
func (s *Accounts) PasswordHash(ctx context.Context, userID string) (string, error) {
	var d struct {
		Hash string `bson:"hash"`
	}
	if err := s.DB.Collection("passwords").FindOne(ctx, bson.M{"_id": userID}).Decode(&d); err != nil {
		return "", translate(err, "password")
	}
	return d.Hash, nil
}
