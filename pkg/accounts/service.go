package accounts

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/input"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Service is the accounts' rules (sign-up, settings, tokens, feed links)
// over a Store.
type Service struct {
	Store Store
	// Now is the clock; tests replace it.
	Now func() time.Time
	// URLCheck, if set, vets webhook URLs (private addresses, say).
	URLCheck URLCheck
	// Schedules parses the agenda's cron spec (the edge hands in
	// schedule.Parse, so this domain links no cron library).
	Schedules ParseSchedule
}

// Schedule is a parsed cron spec: Next is the first time after t it fires,
// computed in loc.
type Schedule = interface {
	Next(t time.Time, loc *time.Location) time.Time
}

// ParseSchedule parses a cron spec, or says why it is not one (the error
// reads after the field name: "is not a valid cron spec").
type ParseSchedule func(spec string) (Schedule, error)

// New returns a Service on st that parses agenda schedules with parse.
func New(st Store, parse ParseSchedule) *Service {
	return &Service{Store: st, Now: time.Now, Schedules: parse}
}

// NextAgenda returns when the user's next agenda email is due: the first
// slot of their schedule after the later of lastSent and their last change
// of settings; nil when agendas are off.
func (s *Service) NextAgenda(u *User, lastSent *time.Time) *time.Time {
	if !u.Agenda.Enabled {
		return nil
	}
	sp, err := s.Schedules(u.Agenda.Schedule)
	if err != nil {
		return nil
	}
	ref := u.UpdatedAt
	if lastSent != nil && lastSent.After(ref) {
		ref = *lastSent
	}
	t := record.Time(sp.Next(ref, u.Location()))
	return &t
}

// Signup creates a user and a first token. Unless open is true it is allowed
// only while no user exists: it returns Forbidden otherwise, Invalid for bad
// input, and Conflict if the email is taken.
func (s *Service) Signup(ctx context.Context, in SignupInput, open bool) (*User, *NewToken, error) {
	var c input.Checker
	email := c.Email("email", in.Email)
	if err := c.Err(); err != nil {
		return nil, nil, err
	}
	now := record.Time(s.Now())
	u := &User{ID: record.NewID(), Email: email, CreatedAt: now, UpdatedAt: now}
	if err := (Settings{Name: in.Name, Timezone: in.Timezone}).apply(u, nil, s.Schedules); err != nil {
		return nil, nil, err
	}
	secret, hash := NewSecret(tokenPrefix)
	t := &Token{ID: record.NewID(), UserID: u.ID, Name: "sign-up", Hash: hash, CreatedAt: now}
	if err := s.Store.CreateUser(ctx, u, t, !open); err != nil {
		return nil, nil, err
	}
	return u, &NewToken{ID: t.ID, Name: t.Name, Token: secret, CreatedAt: t.CreatedAt}, nil
}

// User returns the user with id; NotFound if there is none.
func (s *Service) User(ctx context.Context, id string) (*User, error) {
	return s.Store.User(ctx, id)
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
	if err := set.apply(u, s.URLCheck, s.Schedules); err != nil {
		return nil, err
	}
	u.UpdatedAt = record.Time(s.Now())
	if err := s.Store.UpdateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// ForEachUser calls fn for every user, in id order, until fn returns an error.
func (s *Service) ForEachUser(ctx context.Context, fn func(*User) error) error {
	return s.Store.Users(ctx, fn)
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
	t := Token{ID: record.NewID(), UserID: userID, Name: name, Hash: hash, CreatedAt: record.Time(s.Now())}
	if err := s.Store.CreateToken(ctx, &t); err != nil {
		return nil, err
	}
	return &NewToken{ID: t.ID, Name: t.Name, Token: secret, CreatedAt: t.CreatedAt}, nil
}

// Tokens lists the user's tokens, oldest first, without secrets.
func (s *Service) Tokens(ctx context.Context, userID string) ([]Token, error) {
	return s.Store.Tokens(ctx, userID)
}

// DeleteToken revokes one of the user's tokens at once; NotFound if the
// user has no token with that id.
func (s *Service) DeleteToken(ctx context.Context, userID, id string) error {
	return s.Store.DeleteToken(ctx, userID, id)
}

// Authenticate returns the user a bearer token belongs to, and the token's
// id. It returns Unauthorized for an unknown, malformed or revoked token.
func (s *Service) Authenticate(ctx context.Context, secret string) (*User, string, error) {
	unauthorized := apperr.E(apperr.Unauthorized, "the token is missing, invalid or revoked")
	if !plausibleToken(secret) {
		return nil, "", unauthorized
	}
	hash := HashSecret(secret)
	t, err := s.Store.TokenByHash(ctx, hash)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
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
	s.touch(ctx, t)
	return u, t.ID, nil
}

// touch records when a token was last used, at most once an hour, so the
// token list shows stale tokens without a write on every request.
func (s *Service) touch(ctx context.Context, t *Token) {
	now := record.Time(s.Now())
	if t.LastUsedAt != nil && now.Sub(*t.LastUsedAt) < time.Hour {
		return
	}
	// Best effort: a failure here must not fail the request.
	s.Store.TouchToken(ctx, t.ID, now)
}
