package accounts

import (
	"context"
	"time"
)

// Store keeps users, their API tokens and their calendar feed sets. The
// embedded store (pkg/sqlite) and MongoDB (pkg/mongodb) implement it, and
// pkg/storetest checks both. Secrets are stored only as hashes.
type Store interface {
	// CreateUser stores u and its first token together. With onlyFirst
	// it succeeds only while the store has no user: Forbidden otherwise,
	// also when two sign-ups race. Conflict if the email is taken. Nothing
	// is stored on an error.
	CreateUser(ctx context.Context, u *User, first *Token, onlyFirst bool) error
	// User returns the user with id; NotFound if there is none.
	User(ctx context.Context, id string) (*User, error)
	// UpdateUser replaces the stored user u.ID; NotFound if there is none.
	UpdateUser(ctx context.Context, u *User) error
	// Users calls fn for every user in id order until fn returns an error.
	Users(ctx context.Context, fn func(*User) error) error

	// CreateToken stores a token (its hash only).
	CreateToken(ctx context.Context, t *Token) error
	// TokenByHash returns the token with that hash; NotFound if none.
	TokenByHash(ctx context.Context, hash string) (*Token, error)
	// Tokens lists the user's tokens, oldest first.
	Tokens(ctx context.Context, userID string) ([]Token, error)
	// DeleteToken removes one of the user's tokens; NotFound if the user
	// has none with that id.
	DeleteToken(ctx context.Context, userID, id string) error
	// TouchToken records when a token was last used.
	TouchToken(ctx context.Context, id string, at time.Time) error

	// CreateFeedSet stores a set of feed links (its token's hash only).
	// Conflict if a set with its ID exists (a user's default set is one).
	CreateFeedSet(ctx context.Context, f *FeedSet) error
	// FeedSetByHash returns the set whose token has that hash; NotFound if none.
	FeedSetByHash(ctx context.Context, hash string) (*FeedSet, error)
	// FeedSets lists the user's sets, oldest first.
	FeedSets(ctx context.Context, userID string) ([]FeedSet, error)
	// DeleteFeedSet removes one of the user's sets; NotFound if the user
	// has none with that id.
	DeleteFeedSet(ctx context.Context, userID, id string) error
	// TouchFeedSet records when a set's links were last used.
	TouchFeedSet(ctx context.Context, hash string, at time.Time) error

	// UserByEmail returns the user with that (lower-case) email; NotFound
	// if there is none.
	UserByEmail(ctx context.Context, email string) (*User, error)
	// SetPassword stores the hash of the user's password (replacing one).
	SetPassword(ctx context.Context, userID, hash string, at time.Time) error
	// PasswordHash returns the hash of the user's password; NotFound if
	// the user has none.
	PasswordHash(ctx context.Context, userID string) (string, error)

	// UserByCard returns the user whose card has that id (enabled or
	// not); NotFound if there is none.
	UserByCard(ctx context.Context, cardID string) (*User, error)

	// SetInbound stores the hash of the user's inbound email address. With
	// replace it replaces the one there; without, it stores nothing when
	// the user has one. It reports whether it stored the hash.
	SetInbound(ctx context.Context, userID, hash string, at time.Time, replace bool) (bool, error)
	// InboundUser returns the id of the user whose inbound address has
	// that hash; NotFound if none.
	InboundUser(ctx context.Context, hash string) (string, error)

	// CreateSession stores a phone-page session (its secret's hash only).
	CreateSession(ctx context.Context, s *Session) error
	// Session returns the session with that hash; NotFound if none.
	Session(ctx context.Context, hash string) (*Session, error)
	// DeleteSession removes a session; NotFound if none.
	DeleteSession(ctx context.Context, hash string) error

	// DeleteUser removes the user, so that nothing signs in as them from
	// then on (every way in finds the user by id), and notes the id as
	// deleted at (DeletedUsers); NotFound if there is none. What else is
	// stored under the id stays until PurgeUser.
	DeleteUser(ctx context.Context, id string, at time.Time) error
	// PurgeUser removes everything the engine holds under a deleted
	// user's id — their records, journals, counters, caches, import
	// history, idempotency records — but the note that they are deleted.
	// It may run in steps (other users' writes go between them); run
	// again after an error it goes on where it stopped, and again later
	// it takes what work in flight at the deletion wrote since.
	PurgeUser(ctx context.Context, id string) error
	// DeletedUsers lists the notes of deleted users, oldest first.
	DeletedUsers(ctx context.Context) ([]DeletedUser, error)
	// ForgetDeleted removes the note that the user id is deleted.
	ForgetDeleted(ctx context.Context, id string) error
}
