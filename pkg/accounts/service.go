package accounts

import (
	"context"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/store"
)

// Service stores users and tokens.
type Service struct {
	users, tokens, meta *mongo.Collection
	// Now is the clock; tests replace it.
	Now func() time.Time
	// URLCheck, if set, vets webhook URLs (private addresses, say).
	URLCheck URLCheck
}

// New returns a Service on db.
func New(db *mongo.Database) *Service {
	return &Service{
		users: db.Collection("users"), tokens: db.Collection("tokens"), meta: db.Collection("meta"),
		Now: time.Now,
	}
}

// EnsureIndexes creates the collections' indexes.
func (s *Service) EnsureIndexes(ctx context.Context) error {
	if err := store.EnsureIndexes(ctx, s.users,
		store.Index{Name: "users_email", Keys: bson.D{{Key: "email", Value: 1}}, Unique: true}); err != nil {
		return err
	}
	if err := store.EnsureIndexes(ctx, s.tokens,
		store.Index{Name: "tokens_hash", Keys: bson.D{{Key: "hash", Value: 1}}, Unique: true},
		store.Index{Name: "tokens_user", Keys: bson.D{{Key: "user_id", Value: 1}, {Key: "created_at", Value: 1}}}); err != nil {
		return err
	}
	return s.EnsureFeedIndexes(ctx)
}

// firstUserMarker is the _id of the meta document the first sign-up
// inserts; its unique _id makes "only the first user" safe under races.
const firstUserMarker = "first_user"

// Signup creates a user and a first token. Unless open is true it is allowed
// only while no user exists: it returns Forbidden otherwise, Invalid for bad
// input, and Conflict if the email is taken.
func (s *Service) Signup(ctx context.Context, in SignupInput, open bool) (*User, *NewToken, error) {
	var c input.Checker
	email := c.Email("email", in.Email)
	if err := c.Err(); err != nil {
		return nil, nil, err
	}
	now := store.Time(s.Now())
	u := &User{ID: store.NewID(), Email: email, CreatedAt: now, UpdatedAt: now}
	if err := (Settings{Name: in.Name, Timezone: in.Timezone}).apply(u, nil); err != nil {
		return nil, nil, err
	}
	_, err := s.meta.InsertOne(ctx, bson.M{"_id": firstUserMarker, "user_id": u.ID, "created_at": now})
	markerOurs := err == nil
	if err != nil && !mongo.IsDuplicateKeyError(err) {
		return nil, nil, store.Err(err, "user")
	}
	if !markerOurs && !open {
		return nil, nil, apperr.E(apperr.Forbidden, "sign-up is closed: this server already has its user (set CRM_OPEN_SIGNUP=true to allow more)")
	}
	if _, err := s.users.InsertOne(ctx, u); err != nil {
		if markerOurs {
			// Let the next attempt be the first user again.
			s.meta.DeleteOne(context.WithoutCancel(ctx), bson.M{"_id": firstUserMarker, "user_id": u.ID})
		}
		if mongo.IsDuplicateKeyError(err) {
			return nil, nil, &apperr.Error{Kind: apperr.Conflict, Message: "a user with this email exists", Err: err}
		}
		return nil, nil, store.Err(err, "user")
	}
	tok, err := s.CreateToken(ctx, u.ID, "sign-up")
	if err != nil {
		return nil, nil, err
	}
	return u, tok, nil
}

// User returns the user with id; NotFound if there is none.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	var u User
	// users._id
	if err := s.users.FindOne(ctx, bson.M{"_id": id}).Decode(&u); err != nil {
		return nil, store.Err(err, "user")
	}
	return &u, nil
}

// UpdateSettings applies a merge patch (PATCH /v1/me) to the user's settings
// and returns the updated user. It returns Invalid naming each bad field.
func (s *Service) UpdateSettings(ctx context.Context, userID string, patch []byte) (*User, error) {
	u, err := s.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	var set Settings
	if err := input.MergePatch(SettingsOf(u), patch, &set); err != nil {
		return nil, err
	}
	if err := set.apply(u, s.URLCheck); err != nil {
		return nil, err
	}
	u.UpdatedAt = store.Time(s.Now())
	// users._id
	res, err := s.users.ReplaceOne(ctx, bson.M{"_id": u.ID}, u)
	if err != nil {
		return nil, store.Err(err, "user")
	}
	if res.MatchedCount == 0 {
		return nil, apperr.E(apperr.NotFound, "user not found")
	}
	return u, nil
}

// ForEachUser calls fn for every user, in id order, until fn returns an error.
func (s *Service) ForEachUser(ctx context.Context, fn func(*User) error) error {
	cur, err := s.users.Find(ctx, bson.M{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}))
	if err != nil {
		return store.Err(err, "user")
	}
	defer cur.Close(ctx)
	for cur.Next(ctx) {
		var u User
		if err := cur.Decode(&u); err != nil {
			return store.Err(err, "user")
		}
		if err := fn(&u); err != nil {
			return err
		}
	}
	return store.Err(cur.Err(), "user")
}

// CreateToken makes a new API token for the user; the secret is in the
// result and nowhere else.
func (s *Service) CreateToken(ctx context.Context, userID, name string) (*NewToken, error) {
	var c input.Checker
	name = c.Required("name", name, input.MaxName)
	if err := c.Err(); err != nil {
		return nil, err
	}
	secret, hash := NewSecret(tokenPrefix)
	t := Token{ID: store.NewID(), UserID: userID, Name: name, Hash: hash, CreatedAt: store.Time(s.Now())}
	if _, err := s.tokens.InsertOne(ctx, t); err != nil {
		return nil, store.Err(err, "token")
	}
	return &NewToken{ID: t.ID, Name: t.Name, Token: secret, CreatedAt: t.CreatedAt}, nil
}

// Tokens lists the user's tokens, oldest first, without secrets.
func (s *Service) Tokens(ctx context.Context, userID string) ([]Token, error) {
	// tokens_user
	cur, err := s.tokens.Find(ctx, bson.M{"user_id": userID},
		options.Find().SetSort(bson.D{{Key: "created_at", Value: 1}, {Key: "_id", Value: 1}}).SetLimit(1000))
	if err != nil {
		return nil, store.Err(err, "token")
	}
	out := []Token{}
	if err := cur.All(ctx, &out); err != nil {
		return nil, store.Err(err, "token")
	}
	return out, nil
}

// DeleteToken revokes one of the user's tokens at once; NotFound if the
// user has no token with that id.
func (s *Service) DeleteToken(ctx context.Context, userID, id string) error {
	// tokens._id (scoped by user_id)
	return store.DeleteOwned(ctx, s.tokens, id, userID, "token")
}

// Authenticate returns the user a bearer token belongs to, and the token's
// id. It returns Unauthorized for an unknown, malformed or revoked token.
func (s *Service) Authenticate(ctx context.Context, secret string) (*User, string, error) {
	unauthorized := apperr.E(apperr.Unauthorized, "the token is missing, invalid or revoked")
	if !plausibleToken(secret) {
		return nil, "", unauthorized
	}
	hash := HashSecret(secret)
	var t Token
	// tokens_hash
	if err := s.tokens.FindOne(ctx, bson.M{"hash": hash}).Decode(&t); err != nil {
		if err = store.Err(err, "token"); apperr.Is(err, apperr.NotFound) {
			return nil, "", unauthorized
		}
		return nil, "", err
	}
	if !SameHash(t.Hash, hash) {
		return nil, "", unauthorized
	}
	u, err := s.User(ctx, t.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, "", unauthorized
	}
	if err != nil {
		return nil, "", err
	}
	s.touch(ctx, &t)
	return u, t.ID, nil
}

// touch records when a token was last used, at most once an hour, so the
// token list shows stale tokens without a write on every request.
func (s *Service) touch(ctx context.Context, t *Token) {
	now := store.Time(s.Now())
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < time.Hour {
		return
	}
	// tokens._id; best effort: a failure here must not fail the request.
	s.tokens.UpdateOne(ctx, bson.M{"_id": t.ID}, bson.M{"$set": bson.M{"last_used_at": now}})
}
