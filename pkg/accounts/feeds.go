package accounts

import (
	"context"
	"strings"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// feedTokenPrefix marks calendar feed tokens (read-only, unlike API tokens).
const feedTokenPrefix = "rfd_"

// FeedSet is one set of calendar feed links (events, follow-ups, all) that
// share a secret token: one per device or app, so that revoking one leaves
// the others working. The token is stored only as its hash.
type FeedSet struct {
	Hash   string `json:"-"`
	UserID string `json:"-"`
	// ID names the set in the API; the default set's is DefaultFeedSetID.
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// Default reports whether s is the user's default set (the one
// POST /v1/feeds/rotate acts on).
func (f *FeedSet) Default() bool { return strings.HasPrefix(f.ID, defaultSetPrefix) }

// DefaultFeedSetID is the set id of the user's default set, derived from
// the user id so that the unique set id keeps one per user.
func DefaultFeedSetID(userID string) string { return defaultSetPrefix + userID }

// Feeds names the calendar feeds of a set: /ical/{token}/{feed}.ics.
var Feeds = []string{"events", "followups", "all"}

// FeedURL is the https URL of one feed of a set, under the server's
// public baseURL.
func FeedURL(baseURL, token, feed string) string {
	return baseURL + "/ical/" + token + "/" + feed + ".ics"
}

// WebcalURL is FeedURL with the webcal:// scheme calendar apps subscribe to.
func WebcalURL(baseURL, token, feed string) string {
	u := FeedURL(baseURL, token, feed)
	return "webcal://" + strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
}

// defaultSetPrefix starts the set id of a user's default set, which is
// derived from the user id so the unique index on set_id keeps one.
const defaultSetPrefix = "default-"

// lastUsedEvery bounds how often a feed fetch records last_used_at
// (calendar apps poll every few minutes).
const lastUsedEvery = time.Hour

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
	secret, set, err := s.insertSet(ctx, userID, record.NewID(), name)
	return set, secret, err
}

func (s *Service) insertSet(ctx context.Context, userID, setID, name string) (string, *FeedSet, error) {
	secret, hash := NewSecret(feedTokenPrefix)
	set := &FeedSet{Hash: hash, UserID: userID, ID: setID, Name: name, CreatedAt: record.Time(s.Now())}
	if err := s.Store.CreateFeedSet(ctx, set); err != nil {
		return "", nil, err
	}
	return secret, set, nil
}

// FeedSets lists the user's feed sets, oldest first, without tokens.
func (s *Service) FeedSets(ctx context.Context, userID string) ([]FeedSet, error) {
	return s.Store.FeedSets(ctx, userID)
}

// DeleteFeedSet revokes one set: its URLs answer 404 at once, the user's
// other sets keep working. NotFound if the user has no set with id.
func (s *Service) DeleteFeedSet(ctx context.Context, userID, id string) error {
	return s.Store.DeleteFeedSet(ctx, userID, id)
}

// RotateFeedToken replaces the token of the user's default set; its old
// URLs stop working at once, other sets are untouched.
func (s *Service) RotateFeedToken(ctx context.Context, userID string) (string, error) {
	if err := s.Store.DeleteFeedSet(ctx, userID, defaultSetPrefix+userID); err != nil && !apperr.Is(err, apperr.NotFound) {
		return "", err
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
	t, err := s.Store.FeedSetByHash(ctx, hash)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
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
		if now := record.Time(s.Now()); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastUsedEvery {
			// A failure here must not fail the feed.
			s.Store.TouchFeedSet(ctx, hash, now)
		}
	}
	return u, err
}
