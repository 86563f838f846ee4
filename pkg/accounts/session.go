package accounts

import (
	"context"
	"time"

	"github.com/rapport-crm/rapport/pkg/apperr"
	"github.com/rapport-crm/rapport/pkg/record"
)

// Session is a signed-in browser of the phone pages: the cookie's secret is
// stored only as its hash, with the session's CSRF token.
type Session struct {
	Hash      string    `bson:"_id"`
	UserID    string    `bson:"user_id"`
	CSRF      string    `bson:"csrf"`
	ExpiresAt time.Time `bson:"expires_at"`
}

// sessionPrefix marks session secrets.
const sessionPrefix = "rws_"

// StartSession starts a session of ttl for the user and returns it with the
// cookie's secret (shown this once).
func (s *Service) StartSession(ctx context.Context, userID string, ttl time.Duration) (*Session, string, error) {
	secret, hash := NewSecret(sessionPrefix)
	csrf, _ := NewSecret("")
	sess := &Session{Hash: hash, UserID: userID, CSRF: csrf, ExpiresAt: record.Time(s.Now().Add(ttl))}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

// Session returns the live session a cookie's secret names and its user;
// NotFound for an unknown, ended or expired one.
func (s *Service) Session(ctx context.Context, secret string) (*Session, *User, error) {
	notFound := apperr.E(apperr.NotFound, "no such session")
	if secret == "" {
		return nil, nil, notFound
	}
	sess, err := s.Store.Session(ctx, HashSecret(secret))
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, nil, notFound
		}
		return nil, nil, err
	}
	if !s.Now().Before(sess.ExpiresAt) {
		return nil, nil, notFound
	}
	u, err := s.User(ctx, sess.UserID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, notFound
	}
	return sess, u, err
}

// EndSession ends a session (sign-out); ending one that is gone is fine.
func (s *Service) EndSession(ctx context.Context, hash string) error {
	if err := s.Store.DeleteSession(ctx, hash); err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return nil
}
